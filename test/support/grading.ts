/**
 * What every hidden suite shares. Suites load the subject through the door (so the same suite
 * grades `exercises/` and `solutions/`), give each test a title written for the learner, and may
 * attach a hint that the grader prints under a failure:
 *
 *     const { matchLabels } = await loadComponent('objects');
 *     test('extra labels on the object do not matter', hint('Do you compare only the selector\'s keys?'), () => {
 *       expect(matchLabels({ app: 'web' }, { app: 'web', tier: 'fe' }), 'matchLabels({app: web}, {app: web, tier: fe})').toBe(true);
 *     });
 *
 * The message given to `expect` says what was done; the grader prints it as "did", then the
 * expected value and what came back. Randomised tests take their seed from `useSeed(task)`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { beforeEach, type TestOptions } from 'vitest';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Printed under the failure: a question that points the learner at what to check. */
    hint?: string;
    /** The seed a randomised test used, so `--seed` can replay it. */
    seed?: number;
  }
}

/**
 * The grader's watchdog must name the test that was running when it stopped a run, and a test
 * stuck in a loop blocks everything, reports included: so each test notes its name in the file
 * the grader gives (KUBELINGS_RUNNING_FILE), synchronously, before it starts.
 */
const runningFile = process.env.KUBELINGS_RUNNING_FILE;
if (runningFile) {
  beforeEach(({ task }) => {
    const fd = openSync(runningFile, 'w');
    try {
      writeSync(fd, JSON.stringify({ file: task.file.filepath, name: task.fullTestName ?? task.name }));
    } finally {
      closeSync(fd);
    }
  });
}

/** Test options that attach a hint to a test (see the file header). */
export function hint(text: string, options: TestOptions = {}): TestOptions {
  return { ...options, meta: { ...options.meta, hint: text } };
}

/**
 * The seed for randomised tests: `--seed S` (KUBELINGS_SEED) replays a run; otherwise a fresh one
 * per process, which the grader prints so a failure can be replayed.
 */
export function seed(): number {
  const fromEnv = Number(process.env.KUBELINGS_SEED);
  if (Number.isInteger(fromEnv) && process.env.KUBELINGS_SEED !== '') return fromEnv;
  seedOfProcess ??= Math.floor(Math.random() * 2 ** 31);
  return seedOfProcess;
}
let seedOfProcess: number | undefined;

/**
 * For a randomised test: records the seed on the test (the grader prints it under a failure, with
 * the `--seed` that replays it) and returns it for fast-check.
 *
 *     test('any sequence of puts ...', ({ task }) => {
 *       fc.assert(property, { seed: useSeed(task), numRuns: 200 });
 *     });
 */
export function useSeed(task: { meta: { seed?: number } }): number {
  task.meta.seed = seed();
  return task.meta.seed;
}

/** A short, readable rendering of a value for "did" messages: {app: web, tier: fe}. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
}
