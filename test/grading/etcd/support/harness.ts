/**
 * What the lesson 01 suites share: a fresh store built from the learner's component (through the
 * door), on a manual clock, and the runner of the semantics tables (scenarios.ts) as graded tests.
 */
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

/** Runs one scenario against a fresh store (built from `parts`, or the door's), with graded expectations. */
export async function runScenario(scenario: Scenario, parts?: EtcdExercises): Promise<void> {
  const { store, clock } = await freshStore(undefined, parts);
  const ctx = scenarioContext(store, scenario, await store.revision(), {
    check: (what, actual, expected) => expect(actual, what).toEqual(expected),
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
