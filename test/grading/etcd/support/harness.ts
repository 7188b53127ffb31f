/**
 * What the lesson 01 suites share: a fresh store built from the learner's component (through the
 * door), on a manual clock, and the runner of the semantics tables (scenarios.ts) as graded tests.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { ManualClock } from '#engine/etcd/clock.ts';
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import type { KVStore, WatchResponse } from '#engine/etcd/kv.ts';
import { createStore } from '#engine/etcd/store.ts';
import { hint } from '#grading';
import { scenarioContext, scenarios, type ExerciseId, type Scenario } from './scenarios.ts';

/** Lets queued watch deliveries (microtasks) and immediate callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Reads until `done` holds or `ms` pass, and returns the last value read: for effects that take a
 * disk write to land (a lease revoked by the durable store).
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    value = await read();
  }
  return value;
}

/** An in-memory store built from the component under test, on a manual clock. */
export async function freshStore(clock = new ManualClock(1_000_000), parts?: EtcdExercises): Promise<{ store: KVStore; clock: ManualClock }> {
  return { store: await createStore({ clock, parts }), clock };
}

/** The path of the first place where two values differ (`responses[2].kvs[0].value`), or undefined. */
export function firstDifference(actual: unknown, expected: unknown, path = ''): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return path || '(the whole value)';
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      const d = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
    if (a[key] === undefined && e[key] === undefined) continue;
    const d = firstDifference(a[key], e[key], path ? `${path}.${key}` : key);
    if (d) return d;
  }
  return undefined;
}

function at(value: unknown, path: string): unknown {
  if (path === '(the whole value)') return value;
  let current = value;
  for (const part of path.match(/[^.[\]]+/g) ?? []) current = (current as Record<string, unknown> | undefined)?.[part];
  return current;
}

/**
 * expect(actual).toEqual(expected), but a big result that differs is reported at its first
 * difference ("txn ...: at responses[2].kvs[0].value expected 'new', got 'old'"), so that the
 * learner sees what is wrong instead of two clipped objects.
 */
export function expectSame(actual: unknown, expected: unknown, what: string): void {
  const path = firstDifference(actual, expected);
  if (path && path !== '(the whole value)') expect(at(actual, path), `${what}: at ${path}`).toEqual(at(expected, path));
  expect(actual, what).toEqual(expected);
}

/**
 * fc.assert, but when the property fails, the error is the assertion of the smallest failing case
 * (with its "did" message), not fast-check's summary, so the grader prints did/expected/got.
 */
export async function assertProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, params: fc.Parameters<[T]>): Promise<void> {
  let last: unknown;
  const property = fc.asyncProperty(arbitrary, async (value) => {
    try {
      await predicate(value);
    } catch (error) {
      last = error;
      throw error;
    }
  });
  try {
    await fc.assert(property, params);
  } catch (error) {
    throw last ?? error;
  }
}

/** Runs one scenario against a fresh store (built from `parts`, or the door's), with graded expectations. */
export async function runScenario(scenario: Scenario, parts?: EtcdExercises): Promise<void> {
  const { store, clock } = await freshStore(undefined, parts);
  const ctx = scenarioContext(store, scenario, await store.revision(), {
    check: (what, actual, expected) => expectSame(actual, expected, what),
    pass: async (ms) => {
      clock.advance(ms);
      await settle();
    },
    prefix: '/registry/',
    leaseBase: 100,
    waitMs: 200,
  });
  try {
    await scenario.run(ctx);
  } finally {
    ctx.closeWatches();
    await store.close();
  }
}

/** One graded test per scenario of the exercise. */
export function scenarioTests(exercise: ExerciseId): void {
  for (const scenario of scenarios.filter((s) => s.exercise === exercise)) {
    test(scenario.title, scenario.hint ? hint(scenario.hint) : {}, () => runScenario(scenario));
  }
}

/** Collects what a watch receives. */
export async function record(store: KVStore, key: string, options: Parameters<KVStore['watch']>[1]) {
  const responses: WatchResponse[] = [];
  const watcher = await store.watch(key, options, (r) => responses.push(r));
  return { responses, events: () => responses.flatMap((r) => r.events), cancel: () => watcher.cancel() };
}
