/**
 * `kubelings check <exercise> | <lesson> | --all [--impl SPEC] [--seed N] [--json]`
 *
 * Grades in a child process under a deadline, prints ✓/✗ per test with what was expected and what
 * came back, then `Score: N/M`; records the result in the learner's progress. Exit code 0 only when
 * everything graded passed.
 */
import { KubelingsError } from '#engine/errors.ts';
import { allLessons, type Course, type Exercise, type Lesson } from '../course/load.ts';
import { formatReport } from '../grader/format.ts';
import { gradeLesson, type GradeReport } from '../grader/grade.ts';
import { SuiteRunner } from '../grader/runner.ts';
import { exerciseProgress, updateProgress } from '../progress.ts';
import { openCourse, openProgress, resolveTarget, type CommonOptions } from './context.ts';

export interface CheckOptions extends CommonOptions {
  all: boolean;
  impl?: string;
  seed?: number;
}

/** What to grade: per lesson, the exercises asked for. */
export function selectTargets(course: Course, name: string | undefined, all: boolean): { lesson: Lesson; exercises: Exercise[] }[] {
  if (all) return allLessons(course).filter((l) => l.exercises.length > 0).map((lesson) => ({ lesson, exercises: lesson.exercises }));
  const target = resolveTarget(course, name, 'check');
  if (target.kind === 'lesson') {
    if (target.lesson.exercises.length === 0) throw new KubelingsError(`Lesson ${target.lesson.id} has no exercises to check.`);
    return [{ lesson: target.lesson, exercises: target.lesson.exercises }];
  }
  return [{ lesson: target.lesson, exercises: [target.exercise] }];
}

/** Records a report: attempts for what was asked, passes for everything that passed. */
export function recordReport(course: Course, report: GradeReport): void {
  updateProgress(course, (progress) => {
    for (const verdict of report.exercises) {
      const p = exerciseProgress(progress, verdict.exercise.id);
      if (verdict.role === 'target') p.attempts += 1;
      if (verdict.ok && report.impl !== 'solutions') p.passedAt = new Date().toISOString();
      else if (!verdict.ok && verdict.role === 'target') delete p.passedAt;
    }
  });
}

export async function checkCommand(name: string | undefined, options: CheckOptions): Promise<number> {
  const runner = new SuiteRunner(true);
  runner.prepare(); // vitest loads while the course is read
  try {
    const course = openCourse(options);
    const plan = selectTargets(course, name, options.all);
    const reports: GradeReport[] = [];
    for (const { lesson, exercises } of plan) {
      const report = await gradeLesson(lesson, exercises, { impl: options.impl, seed: options.seed, runner });
      reports.push(report);
      // The reference passing says nothing about the learner: only their own code is recorded.
      if (!options.impl || options.impl.startsWith('exercises') || options.impl === 'mine') recordReport(course, report);
      if (!options.json) process.stdout.write(`${formatReport(report, { progress: openProgress() })}\n${plan.length > 1 ? '\n' : ''}`);
    }
    if (options.json) process.stdout.write(`${JSON.stringify(reports.map(reportToJson), null, 2)}\n`);
    if (plan.length > 1 && !options.json) {
      const passed = reports.flatMap((r) => r.exercises).filter((e) => e.role === 'target' && e.ok).length;
      const total = reports.flatMap((r) => r.exercises).filter((e) => e.role === 'target').length;
      process.stdout.write(`Exercises passed: ${passed}/${total}\n`);
    }
    return reports.every((r) => r.ok) ? 0 : 1;
  } finally {
    runner.close();
  }
}

/** The report as JSON for tools (the exercise reduced to its id and files). */
export function reportToJson(report: GradeReport) {
  return {
    ...report,
    exercises: report.exercises.map(({ exercise, ...rest }) => ({
      id: exercise.id,
      title: exercise.title,
      file: exercise.file,
      ...rest,
    })),
  };
}
