/**
 * Finding things in the course from what a route holds: lessons are keyed `<pack>/<lesson>` (two
 * packs may share a lesson id), exercises by their qualified id within their lesson. Pure.
 */
import type { Course, Exercise, Lesson } from '../course/load.ts';

/** The key a route uses for a lesson. */
export function lessonKey(lesson: Lesson): string {
  return `${lesson.packId}/${lesson.id}`;
}

export function findLesson(course: Course, key: string): Lesson | undefined {
  for (const pack of course.packs) for (const lesson of pack.lessons) if (lessonKey(lesson) === key) return lesson;
  return undefined;
}

/** The lesson a progress record names by its plain id (the first pack that has it). */
export function findLessonById(course: Course, id: string): Lesson | undefined {
  for (const pack of course.packs) for (const lesson of pack.lessons) if (lesson.id === id) return lesson;
  return undefined;
}

/** Every exercise in course order, with its lesson. */
export function exercisesInOrder(course: Course): { lesson: Lesson; exercise: Exercise }[] {
  return course.packs.flatMap((p) => p.lessons.flatMap((lesson) => lesson.exercises.map((exercise) => ({ lesson, exercise }))));
}

/** The exercise `step` places after (or before, with -1) the one given, across lessons. */
export function stepExercise(course: Course, exercise: Exercise, step: 1 | -1): { lesson: Lesson; exercise: Exercise } | undefined {
  const all = exercisesInOrder(course);
  const at = all.findIndex((e) => e.exercise.id === exercise.id && e.exercise.packId === exercise.packId);
  return at < 0 ? undefined : all[at + step];
}

/** The first exercise of a lesson not yet passed (or the first, when all pass). */
export function firstOpenExercise(lesson: Lesson, passed: (id: string) => boolean): Exercise | undefined {
  return lesson.exercises.find((e) => !passed(e.id)) ?? lesson.exercises[0];
}
