/**
 * `kubelings grade --submission DIR [--pack P] [--out DIR] [--seed N] [--deadline S]`: for instructors and a
 * classroom CI job (one job per submission). Grades every exercise of the core pack, or of the
 * packs given with --pack instead, on a learner's tree: only the exercise files
 * are taken from it, into a pristine copy of each pack's exercises (submission.ts); suites, engine
 * and everything else come from this checkout. Writes `<out>/junit.xml` and `<out>/grade.json`
 * and prints a line per exercise. Records no progress.
 *
 * Exit code: 0 when every exercise passes, 1 when some do not, 2 when the command is wrong.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubelingsError } from '#engine/errors.ts';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { showPath } from '../grader/explain.ts';
import { gradeLesson, type GradeReport } from '../grader/grade.ts';
import { junitXml, summaryJson, type SubmissionResult } from '../grader/junit.ts';
import { SuiteRunner } from '../grader/runner.ts';
import { removeExtracted } from '../pristine.ts';
import { assemblePack } from '../submission.ts';
import { openCourse, type CommonOptions } from './context.ts';

export interface GradeOptions extends CommonOptions {
  submission?: string;
  out?: string;
  seed?: number;
  /** Per exercise's suite (GRADE_DEADLINE_MS unless given): a slow or busy CI runner needs more. */
  deadlineMs?: number;
}

export async function gradeCommand(options: GradeOptions): Promise<number> {
  if (!options.submission) throw new KubelingsError("grade needs the learner's tree: npx kubelings grade --submission DIR");
  const submission = resolve(options.submission);
  if (!existsSync(submission) || !statSync(submission).isDirectory()) throw new KubelingsError(`${options.submission} is not a folder: --submission takes the learner's copy of the project.`);
  const out = resolve(options.out ?? 'kubelings-grade');
  const course = openCourse(options);
  const wanted = options.packs.length > 0 ? options.packs.map((d) => resolve(d)) : [resolve(CORE_PACK_DIR)];
  const packs = course.packs.filter((p) => wanted.includes(p.dir));
  if (packs.length === 0) throw new KubelingsError('None of the packs to grade could be loaded (see above).');
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const result: SubmissionResult = { reports: [], files: {} };
  const runner = new SuiteRunner(true);
  runner.prepare();
  try {
    for (const pack of packs) {
      const assembled = assemblePack(pack, submission);
      Object.assign(result.files, assembled.files);
      try {
        for (const lesson of pack.lessons.filter((l) => l.exercises.length > 0)) {
          const report: GradeReport = await gradeLesson(lesson, lesson.exercises, {
            runner,
            seed,
            regressions: false,
            deadlineMs: options.deadlineMs,
            env: { KUBELINGS_EXERCISES_PATH: assembled.exercisesDir },
          });
          result.reports.push(report);
          for (const e of report.exercises) {
            const mark = e.ok ? '✓' : '✗';
            const why = e.problem ? `  ${e.problem.split('\n')[0]}` : e.notWritten ? '  not written' : '';
            process.stdout.write(`${mark} ${e.exercise.id.padEnd(40)} ${e.passed}/${e.total}${why}\n`);
          }
        }
      } finally {
        removeExtracted(assembled.exercisesDir);
      }
    }
  } finally {
    runner.close();
  }
  mkdirSync(out, { recursive: true });
  const summary = summaryJson(result, submission);
  writeFileSync(join(out, 'junit.xml'), junitXml(result));
  writeFileSync(join(out, 'grade.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\n${summary.passed}/${summary.total} exercises pass (seed ${seed}). Wrote ${showPath(join(out, 'junit.xml'))} and ${showPath(join(out, 'grade.json'))}.\n`);
  return summary.passed === summary.total ? 0 : 1;
}
