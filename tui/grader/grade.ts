/**
 * Grading as the learner sees it: which suites to run for a target, with which implementation, and
 * the verdict per exercise and per test.
 *
 * Grading an exercise re-runs the earlier exercises of its lesson that it builds on (lesson.yaml's
 * `builds_on`, followed through): their code runs inside it, so a bug there shows here. Nothing
 * else is re-run. Grading one component uses the reference for every other component, so a bug in
 * one lesson never fails another.
 *
 * Invariant: the graded component is the learner's code unless the spec names the reference for
 * it outright (`solutions`, `solutions:<component>`); `mine` or `exercises:<other>` never quietly
 * grade the reference. The report says which tree was graded (`graded`), and nothing but the
 * learner's own code is ever recorded as a pass.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GRADE_DEADLINE_MS, GRADER_TEST_TIMEOUT_MS } from '#engine/params.ts';
import { ROOT } from '#engine/paths.ts';
import { formatImplChoice, parseImplSpec, treeFor, type ImplChoice, type ImplTree } from '#engine/impl.ts';
import { buildsOn } from '../course/dependencies.ts';
import type { Exercise, Lesson } from '../course/load.ts';
import { explainCrash, explainDeadline, explainModuleError, explainTestError, explainUnhandled, type Failure } from './explain.ts';
import { explainIncident } from './incidents.ts';
import { SuiteRunner, type CollectedTest, type ConsoleLine, type RawRun } from './runner.ts';

export interface TestVerdict {
  title: string;
  fullName: string;
  passed: boolean;
  /** Set when the test failed. */
  failure?: Failure;
  hint?: string;
  seed?: number;
  /** What the learner's code printed during the test. */
  console: ConsoleLine[];
}

export interface ExerciseVerdict {
  exercise: Exercise;
  /** `target` is what was asked for; `regression` an earlier exercise it builds on, re-run with it. */
  role: 'target' | 'regression';
  tests: TestVerdict[];
  passed: number;
  total: number;
  /** True when every test passed and nothing else went wrong. */
  ok: boolean;
  /** A problem with the exercise as a whole (does not compile, timed out, crashed), one sentence. */
  problem?: string;
  /** The stub's message, when the exercise is not written yet. */
  notWritten?: string;
  /** The run was stopped, in another suite, before this one ran: it was not graded at all. */
  notReached?: boolean;
}

export interface GradeReport {
  /** The implementation choice graded, as a spec (`exercises:objects`). */
  impl: string;
  /** Where the graded component's code came from: the learner's file, or the reference. */
  graded: ImplTree;
  seed: number;
  exercises: ExerciseVerdict[];
  /** Output that no test owns (printed while files loaded). */
  console: ConsoleLine[];
  ok: boolean;
  elapsedMs: number;
}

export interface GradeOptions {
  /** An impl spec; default: the learner's code for the graded component, the reference for the rest. */
  impl?: string;
  /** Replays randomised tests. */
  seed?: number;
  /** Per exercise; the run's deadline is this times the number of suites run. */
  deadlineMs?: number;
  /** How long one test may wait before it counts as hung (default GRADER_TEST_TIMEOUT_MS). */
  testTimeoutMs?: number;
  /** Also re-run the exercises each target builds on (default true). */
  regressions?: boolean;
  /** Extra environment for the suites (for example a pristine exercises path). */
  env?: Record<string, string>;
  /** A warm runner to reuse (watch mode); otherwise a one-shot runner. */
  runner?: SuiteRunner;
}

/** The exercises to run for `targets` in one lesson, with their roles, in lesson order. */
export function plan(lesson: Lesson, targets: readonly Exercise[], regressions = true): { exercise: Exercise; role: ExerciseVerdict['role'] }[] {
  const wanted = new Set(targets.map((t) => t.id));
  const under = new Set(regressions ? targets.flatMap((t) => buildsOn(lesson, t)).map((e) => e.id) : []);
  return lesson.exercises.filter((e) => wanted.has(e.id) || under.has(e.id)).map((exercise) => ({ exercise, role: wanted.has(exercise.id) ? 'target' : 'regression' }));
}

/**
 * The implementation choice for grading `component` under `spec` (see the file header): the
 * learner's code for it, unless the spec names the reference for it outright.
 */
export function gradingChoice(spec: string | undefined, component: string): ImplChoice {
  if (spec === undefined) return parseImplSpec(`exercises:${component}`);
  const choice = parseImplSpec(spec);
  const text = spec.trim();
  const referenceAskedFor = text === 'solutions' || (text.startsWith('solutions:') && treeFor(choice, component) === 'solutions');
  if (referenceAskedFor) return choice;
  return { default: choice.default, overrides: { ...choice.overrides, [component]: 'exercises' } };
}

/** Grades some exercises of one lesson in a single run of the test process. */
export async function gradeLesson(lesson: Lesson, targets: readonly Exercise[], options: GradeOptions = {}): Promise<GradeReport> {
  const steps = plan(lesson, targets, options.regressions ?? true);
  const choice = gradingChoice(options.impl, lesson.component);
  const impl = formatImplChoice(choice);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const runner = options.runner ?? new SuiteRunner();
  // The suites note each test as it starts (test/support/grading.ts), synchronously, so that a
  // test stuck in a loop is named exactly even when the runner's own messages lag behind.
  const marks = mkdtempSync(join(tmpdir(), 'kubelings-running-'));
  const runningFile = join(marks, 'running.json');
  try {
    const run = await runner.run({
      files: steps.map((s) => s.exercise.suite),
      env: {
        KUBELINGS_IMPL: impl,
        KUBELINGS_SEED: String(seed),
        KUBELINGS_TEST_TIMEOUT_MS: String(options.testTimeoutMs ?? GRADER_TEST_TIMEOUT_MS),
        KUBELINGS_EXERCISES_PATH: lesson.exercisesRoot,
        KUBELINGS_SOLUTIONS_PATH: lesson.solutionsRoot,
        KUBELINGS_RUNNING_FILE: runningFile,
        ...options.env,
      },
      deadlineMs: (options.deadlineMs ?? GRADE_DEADLINE_MS) * steps.length,
      aliases: aliasesFor(lesson.dir),
    });
    if (run.timedOut) run.timedOut.running = lastStarted(runningFile) ?? run.timedOut.running;
    const exercises = steps.map((s) => verdictFor(s.exercise, s.role, run, options.testTimeoutMs));
    return { impl, graded: treeFor(choice, lesson.component), seed, exercises, console: run.console, ok: exercises.every((e) => e.ok), elapsedMs: run.elapsedMs };
  } finally {
    rmSync(marks, { recursive: true, force: true });
  }
}

/** The test the suites last said they started, or undefined (none started, or no note kept). */
function lastStarted(file: string): { file: string; name: string } | undefined {
  try {
    const mark = JSON.parse(readFileSync(file, 'utf8')) as { file?: unknown; name?: unknown };
    return typeof mark.file === 'string' && typeof mark.name === 'string' ? { file: mark.file, name: mark.name } : undefined;
  } catch {
    return undefined;
  }
}

/** Builds one exercise's verdict from a run that may hold several suites. */
export function verdictFor(exercise: Exercise, role: ExerciseVerdict['role'], run: RawRun, testTimeoutMs = GRADER_TEST_TIMEOUT_MS): ExerciseVerdict {
  const inFile = <T extends { file: string }>(items: T[]) => items.filter((i) => samePath(i.file, exercise.suite));
  const results = inFile(run.tests);
  const collected = inFile(run.collected);
  const moduleErrors = inFile(run.moduleErrors).flatMap((m) => m.errors);
  // A sync loop blocks the worker before it reports "test started"; tests run one at a time in
  // order, so the one that hung is the first collected test without a result.
  const hung = run.timedOut && (run.timedOut.running ?? run.collected.find((c) => !run.tests.some((t) => t.id === c.id)));
  const deadlineHere = run.timedOut && (hung ? samePath(hung.file, exercise.suite) : !results.length && !collected.length);

  // Tests of one file run one after another, in order: those before the one that hung finished,
  // even when the runner had not passed their results on before it was stopped.
  const hungAt = hung && samePath(hung.file, exercise.suite) ? collected.findIndex((c) => c.name === hung.name) : -1;
  const unfinished = (test: CollectedTest): string => {
    const at = collected.indexOf(test);
    if (hungAt >= 0 && at === hungAt) return 'did not finish (see below)';
    if (hungAt >= 0 && at < hungAt) return 'finished, but its result was lost when the run was stopped: check again once the loop is fixed';
    return 'not run: the run stopped before it';
  };

  const tests: TestVerdict[] = [];
  for (const test of collected.length ? collected : results) {
    const result = results.find((r) => r.id === test.id);
    if (result) {
      const passed = result.state === 'passed';
      tests.push({
        title: result.title,
        fullName: result.name,
        passed,
        failure: passed ? undefined : explainTestError(result.errors[0], testTimeoutMs),
        hint: result.meta.hint,
        seed: result.meta.seed,
        console: result.console,
      });
    } else {
      tests.push({ title: test.title, fullName: test.name, passed: false, failure: { kind: 'problem', message: unfinished(test) }, hint: test.meta.hint, console: [] });
    }
  }

  // Incidents around the tests (incidents.ts): a changed grader voids every test of the run.
  const stoppedIn = hung?.name ?? collected.find((c) => !results.some((r) => r.id === c.id))?.name;
  const stoppedHere = Boolean(deadlineHere) || (Boolean(run.crashed || run.flooded || run.outOfMemory) && (results.length < collected.length || collected.length === 0));
  let problem: string | undefined = explainIncident(run, exercise.suite, stoppedIn, stoppedHere);
  if (run.tampered?.length) {
    for (const t of tests) Object.assign(t, { passed: false, failure: { kind: 'problem', message: 'not counted: the exercise changed the grader (see below)' } });
  }
  if (problem) {
    // said above
  } else if (deadlineHere) problem = explainDeadline(run.timedOut!.afterMs, hung ? hung.name : undefined, exercise.suite);
  else if (run.crashed?.neverStarted) {
    problem = `The grader's test runner could not start: ${run.crashed.output.trim().split('\n').slice(0, 3).join(' ')}. Is the machine very busy? Try again.`;
  } else if (run.crashed && (results.length < collected.length || collected.length === 0)) {
    problem = explainCrash(run.crashed.code, run.crashed.signal, collected.find((c) => !results.some((r) => r.id === c.id))?.name);
  } else if (moduleErrors.length > 0) problem = explainModuleError(moduleErrors[0]!, exercise.suite);
  // Errors outside any test belong to no file; they are charged to what was asked for.
  else if (role === 'target' && run.unhandledErrors.length > 0) problem = explainUnhandled(run.unhandledErrors[0]!);
  // A run stopped before this suite's turn (the runner does not keep the order asked for).
  else if ((run.timedOut || run.crashed) && results.length === 0) problem = 'Not graded: the run was stopped, in another exercise, before this suite could run.';

  const stubbed = tests.find((t) => t.failure?.kind === 'not-written' || (t.failure?.kind === 'assertion' && t.failure.notWritten))?.failure;
  const fromTests = stubbed?.kind === 'not-written' ? stubbed.message : stubbed?.kind === 'assertion' ? stubbed.notWritten : undefined;
  const notWritten = fromTests ?? (problem && / is not written yet: /.test(problem) ? problem : undefined);
  if (notWritten && problem === notWritten) problem = undefined;
  const passed = tests.filter((t) => t.passed).length;
  const total = tests.length;
  const ok = total > 0 && passed === total && !problem;
  const notReached = problem?.startsWith('Not graded: the run was stopped') ? true : undefined;
  return { exercise, role, tests, passed, total, ok, problem, notWritten, ...(notReached ? { notReached } : {}) };
}

/**
 * A pack outside the repository cannot resolve `#engine/...` or `#grading` by itself (they are this
 * package's subpath imports); its suites get them as aliases.
 */
export function aliasesFor(dir: string): { find: string; replacement: string }[] {
  if (!relative(ROOT, dir).startsWith('..')) return [];
  return [
    { find: '#engine', replacement: join(ROOT, 'engine') },
    { find: '#grading', replacement: join(ROOT, 'test', 'support', 'grading.ts') },
    { find: 'vitest', replacement: join(ROOT, 'node_modules', 'vitest') },
  ];
}

function samePath(a: string, b: string): boolean {
  return a.replace(/^file:\/\//, '') === b;
}
