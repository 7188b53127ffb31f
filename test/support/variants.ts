/**
 * For the feedback tests (test/engine/*-feedback.test.ts): grades one exercise of a core lesson
 * against a deliberately broken variant of its component, as the learner would see it.
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { gradeLesson } from '../../tui/grader/grade.ts';
import { REFERENCE_ALLOWED, SuiteRunner } from '../../tui/grader/runner.ts';

export interface VariantGrade {
  /** The report exactly as `check` prints it, without colours. */
  out: string;
  /** The full names of the exercise's tests that failed. */
  failed: string[];
}

/**
 * A grader for lesson `lessonId` whose component comes from `<variants>/<variant>/` (through
 * KUBELINGS_EXERCISES_PATH). Earlier exercises are not re-run, and random tests use seed 42. Its
 * warm runner is closed after the file's tests.
 */
/** Generous: see where they are used. */
const VARIANT_TEST_TIMEOUT_MS = 120_000;
const VARIANT_DEADLINE_MS = 300_000;

export function variantGrader(lessonId: string, variants: string): (variant: string, exerciseId: string) => Promise<VariantGrade> {
  const lesson = loadPack(CORE_PACK_DIR).lessons.find((l) => l.id === lessonId);
  if (!lesson) throw new Error(`the core pack has no lesson ${lessonId}`);
  const runner = new SuiteRunner(true);
  afterAll(() => runner.close());
  return async (variant, exerciseId) => {
    const exercise = lesson.exercises.find((e) => e.localId === exerciseId);
    if (!exercise) throw new Error(`lesson ${lessonId} has no exercise ${exerciseId}`);
    // The variants are the reference with one mistake, and import it: not a cheat here.
    const env = { KUBELINGS_EXERCISES_PATH: join(variants, variant), [REFERENCE_ALLOWED]: '1' };
    // Which tests a variant fails must not depend on how busy the machine is: a property test that
    // takes 6 s on a loaded machine is not hung (no variant here is about a hang).
    const report = await gradeLesson(lesson, [exercise], { runner, regressions: false, seed: 42, env, testTimeoutMs: VARIANT_TEST_TIMEOUT_MS, deadlineMs: VARIANT_DEADLINE_MS });
    const verdict = report.exercises.find((e) => e.role === 'target')!;
    return { out: formatReport(report, { color: false }), failed: verdict.tests.filter((t) => !t.passed).map((t) => t.fullName) };
  };
}
