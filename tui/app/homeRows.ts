/**
 * The home screen as data: a "resume" entry when progress says where the learner was, then each
 * pack's title and its lessons with their counts. Pure, so the layout logic is tested apart.
 */
import type { Course, Lesson } from '../course/load.ts';
import type { Progress } from '../progress.ts';
import { findLessonById, lessonKey } from './courseLookup.ts';
import type { Route } from './navigation.ts';
import { score } from './quizModel.ts';

export interface LessonCounts {
  passed: number;
  exercises: number;
  /** Quiz questions answered right (the score, not the count of answers). */
  right: number;
  answered: number;
  questions: number;
}

export type HomeRow = { kind: 'resume'; label: string; route: Route } | { kind: 'pack'; title: string } | { kind: 'lesson'; lesson: Lesson; counts: LessonCounts } | { kind: 'gap' };

export function lessonCounts(lesson: Lesson, progress: Progress): LessonCounts {
  const answers = progress.quiz[lesson.id] ?? {};
  return {
    passed: lesson.exercises.filter((e) => progress.exercises[e.id]?.passedAt).length,
    exercises: lesson.exercises.length,
    right: score(lesson.quiz, answers).right,
    answered: lesson.quiz.filter((q) => answers[q.id] !== undefined).length,
    questions: lesson.quiz.length,
  };
}

/** Where `progress.current` says the learner was, if that still exists in the course. */
export function resumeRow(course: Course, progress: Progress): HomeRow | undefined {
  const current = progress.current;
  const lesson = current && findLessonById(course, current.lesson);
  if (!current || !lesson) return undefined;
  const key = lessonKey(lesson);
  const exercise = lesson.exercises.find((e) => e.id === current.exercise);
  if (current.screen === 'exercise' && exercise) {
    return { kind: 'resume', label: `${lesson.title} › exercise ${exercise.localId}`, route: { screen: 'exercise', lesson: key, exercise: exercise.id } };
  }
  if (current.screen === 'quiz' && lesson.quiz.length > 0) {
    return { kind: 'resume', label: `${lesson.title} › quiz`, route: { screen: 'quiz', lesson: key } };
  }
  const page = Math.min(progress.pages[lesson.id] ?? 0, lesson.pages.length - 1);
  return { kind: 'resume', label: `${lesson.title} › page ${page + 1}`, route: { screen: 'lesson', lesson: key } };
}

export function homeRows(course: Course, progress: Progress): HomeRow[] {
  const rows: HomeRow[] = [];
  const resume = resumeRow(course, progress);
  if (resume) rows.push(resume, { kind: 'gap' });
  course.packs.forEach((pack, i) => {
    if (i > 0) rows.push({ kind: 'gap' });
    rows.push({ kind: 'pack', title: pack.title });
    for (const lesson of pack.lessons) rows.push({ kind: 'lesson', lesson, counts: lessonCounts(lesson, progress) });
  });
  return rows;
}

export function isSelectable(row: HomeRow): boolean {
  return row.kind === 'resume' || row.kind === 'lesson';
}

/** The first row of a window of `height` rows that keeps `selected` in view (centred when it must move). */
export function windowStart(selected: number, total: number, height: number): number {
  if (total <= height) return 0;
  return Math.max(0, Math.min(selected - Math.floor(height / 2), total - height));
}
