/**
 * Proves a pack's exercises honest (after `rustlings dev check`): every hidden suite passes on the
 * reference, and every single test fails on the untouched stub, since a test that passes on a stub
 * checks nothing the learner writes. The stub side runs on the pack's sealed pristine copies, so a
 * learner's edits in exercises/ never change the verdict.
 */
import type { Lesson, Pack } from './course/load.ts';
import { gradeLesson, type ExerciseVerdict } from './grader/grade.ts';
import { SuiteRunner } from './grader/runner.ts';
import { extractPristine, removeExtracted, sealDrift } from './pristine.ts';

export interface ExerciseProof {
  id: string;
  tests: number;
  /** Problems found; empty when the exercise is honest. */
  problems: string[];
}

export interface PackProof {
  pack: Pack;
  exercises: ExerciseProof[];
  /** Exercise files that differ from the seal (a warning: seal again after changing a stub). */
  drift: string[];
  ok: boolean;
}

export interface ProofOptions {
  /** Check that suites pass on the reference (default true). */
  reference?: boolean;
  /** Check that every test fails on the stub (default true). */
  stubs?: boolean;
  /** Called as each lesson is done, for progress output. */
  onLesson?: (lesson: Lesson, proofs: ExerciseProof[]) => void;
  seed?: number;
}

export async function provePack(pack: Pack, options: ProofOptions = {}): Promise<PackProof> {
  const runner = new SuiteRunner(true);
  runner.prepare();
  const pristine = options.stubs === false ? undefined : extractPristine(pack);
  const exercises: ExerciseProof[] = [];
  try {
    for (const lesson of pack.lessons.filter((l) => l.exercises.length > 0)) {
      const proofs = new Map(lesson.exercises.map((e) => [e.id, { id: e.id, tests: 0, problems: [] as string[] }]));
      if (options.reference !== false) {
        const report = await gradeLesson(lesson, lesson.exercises, { impl: 'solutions', regressions: false, runner, seed: options.seed });
        for (const verdict of report.exercises) referenceProblems(verdict, proofs.get(verdict.exercise.id)!);
      }
      if (pristine) {
        const report = await gradeLesson(lesson, lesson.exercises, {
          impl: `exercises:${lesson.component}`,
          regressions: false,
          runner,
          seed: options.seed,
          env: { KUBELINGS_EXERCISES_PATH: pristine },
        });
        for (const verdict of report.exercises) stubProblems(verdict, proofs.get(verdict.exercise.id)!);
      }
      exercises.push(...proofs.values());
      options.onLesson?.(lesson, [...proofs.values()]);
    }
  } finally {
    runner.close();
    if (pristine) removeExtracted(pristine);
  }
  const drift = sealDrift(pack);
  return { pack, exercises, drift, ok: exercises.every((e) => e.problems.length === 0) };
}

function referenceProblems(verdict: ExerciseVerdict, proof: ExerciseProof): void {
  proof.tests = verdict.total;
  if (verdict.total === 0) proof.problems.push(`the suite holds no tests on the reference${verdict.problem ? `: ${verdict.problem}` : ''}`);
  else if (verdict.problem) proof.problems.push(`on the reference: ${verdict.problem}`);
  for (const test of verdict.tests.filter((t) => !t.passed)) {
    const f = test.failure;
    const why = f?.kind === 'assertion' ? [f.did, f.message].filter(Boolean).join(': ') : f?.message;
    proof.problems.push(`"${test.fullName}" fails on the reference: ${why}`);
  }
}

function stubProblems(verdict: ExerciseVerdict, proof: ExerciseProof): void {
  proof.tests ||= verdict.total;
  if (verdict.total === 0) {
    proof.problems.push(`the suite does not run on the stub${verdict.problem ? `: ${verdict.problem}` : ''}; each test must run and fail on its own`);
    return;
  }
  if (verdict.problem && !verdict.notWritten) proof.problems.push(`on the stub: ${verdict.problem}`);
  for (const test of verdict.tests.filter((t) => t.passed)) {
    proof.problems.push(`"${test.fullName}" passes on the untouched stub: it checks nothing the learner writes`);
  }
}
