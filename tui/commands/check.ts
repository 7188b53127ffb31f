/**
 * `kubelings check [<exercise> | <lesson> | --all] [--impl SPEC] [--seed N] [--json]`
 *
 * Grades in a child process under a deadline, prints ✓/✗ per test with what was expected and what
 * came back, then `Score: N/M`; records the result in the learner's progress. With no exercise
 * named, grades the current one (the first not passed). Exit code 0 only when everything graded
 * passed.
 *
 * Progress (recordReport), the one place a grade becomes state that `list`, the TUI and --json all
 * read: an exercise's `passedAt` is the time it first passed, kept while it keeps passing; any
 * failure of its suite (checked itself, or re-run under an exercise that builds on it) forgets it
 * at once. Only the learner's own code is ever recorded.
 */
import { KubelingsError } from '#engine/errors.ts';
import { WARM_GRADER_IDLE_MS } from '#engine/params.ts';
import { builtOnBy } from '../course/dependencies.ts';
import { allLessons, type Course, type Exercise, type Lesson } from '../course/load.ts';
import { formatReport } from '../grader/format.ts';
import { gradeLesson, type GradeReport } from '../grader/grade.ts';
import { SuiteRunner } from '../grader/runner.ts';
import { exerciseProgress, updateProgress } from '../progress.ts';
import { firstNotPassed, openCourse, openProgress, resolveTarget, type CommonOptions } from './context.ts';

export interface CheckOptions extends CommonOptions {
  all: boolean;
  impl?: string;
  seed?: number;
}

/** What to grade: per lesson, the exercises asked for. */
export function selectTargets(course: Course, name: string | undefined, all: boolean): { lesson: Lesson; exercises: Exercise[] }[] {
  if (all)
    return allLessons(course)
      .filter((l) => l.exercises.length > 0)
      .map((lesson) => ({ lesson, exercises: lesson.exercises }));
  if (!name) {
    const current = firstNotPassed(course);
    return [{ lesson: allLessons(course).find((l) => l.exercises.includes(current))!, exercises: [current] }];
  }
  const target = resolveTarget(course, name, 'check');
  if (target.kind === 'lesson') {
    if (target.lesson.exercises.length === 0) throw new KubelingsError(`Lesson ${target.lesson.id} has no exercises to check.`);
    return [{ lesson: target.lesson, exercises: target.lesson.exercises }];
  }
  return [{ lesson: target.lesson, exercises: [target.exercise] }];
}

/**
 * Records a report (see the file header): attempts for what was asked; the first pass kept; a
 * failure, of a target or of an exercise re-run under it, forgets the pass. A suite the run never
 * reached (stopped in another one) proves nothing either way. The reference passing says nothing
 * about the learner: such a report is not recorded at all.
 */
export function recordReport(course: Course, report: GradeReport): void {
  if (report.graded !== 'exercises') return;
  const now = new Date().toISOString();
  updateProgress(course, (progress) => {
    for (const verdict of report.exercises) {
      const p = exerciseProgress(progress, verdict.exercise.id);
      if (verdict.role === 'target') p.attempts += 1;
      if (verdict.ok) p.passedAt ??= now;
      else if (!verdict.notReached) delete p.passedAt;
    }
  });
}

/**
 * After a reset to the stub: the exercise no longer passes, and neither does any exercise that
 * builds on it, since its code now calls the stub. Returns the ids whose pass was forgotten.
 */
export function recordReset(course: Course, exercise: Exercise): string[] {
  const lesson = allLessons(course).find((l) => l.exercises.includes(exercise));
  const affected = [exercise, ...(lesson ? builtOnBy(lesson, exercise) : [])];
  const forgotten: string[] = [];
  updateProgress(course, (progress) => {
    for (const e of affected) {
      const p = progress.exercises[e.id];
      if (p?.passedAt) forgotten.push(e.id);
      if (p) delete p.passedAt;
    }
  });
  return forgotten;
}

/** The runner a warm grader keeps between checks (warm-server.js); unset in an ordinary check. */
let warmRunner: SuiteRunner | undefined;

/**
 * For the warm grader: from now on every check of this process grades with one runner whose child
 * stays between checks. `invalidate` tells it the learner's files that changed since the last.
 */
export function keepRunnerWarm(): { idleMs: number; invalidate(files: string[]): void } {
  const runner = (warmRunner ??= new SuiteRunner(true));
  runner.prepare();
  return {
    idleMs: WARM_GRADER_IDLE_MS,
    invalidate: (files) => runner.invalidate(files),
  };
}

export async function checkCommand(name: string | undefined, options: CheckOptions): Promise<number> {
  const runner = warmRunner ?? new SuiteRunner(true);
  runner.prepare(); // vitest loads while the course is read
  try {
    const course = openCourse(options);
    const plan = selectTargets(course, name, options.all);
    if (!name && !options.all && !options.json) process.stdout.write(`Checking ${plan[0]!.exercises[0]!.id}, the first exercise not passed yet.\n\n`);
    const reports: GradeReport[] = [];
    for (const { lesson, exercises } of plan) {
      const report = await gradeLesson(lesson, exercises, { impl: options.impl, seed: options.seed, runner });
      reports.push(report);
      recordReport(course, report);
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
    if (runner !== warmRunner) runner.close();
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
