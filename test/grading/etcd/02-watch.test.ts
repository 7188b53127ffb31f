/**
 * Hidden suite for 01-etcd/02-watch: watches with history, live events and compaction, as etcd 3.4
 * behaves (the tables are cross-checked against a real etcd), plus etcd's own watch guarantees
 * checked over random concurrent workloads (support/watch-validators.ts).
 */
import { describe, expect, test } from 'vitest';
import { SortedKeys } from '#engine/etcd/sorted-keys.ts';
import type { MvccState, WatchLog, WatchSpec } from '#engine/etcd/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, useSeed } from '#grading';
import { assertProperty, freshStore, scenarioTests } from './support/harness.ts';
import { validateWatches } from './support/watch-validators.ts';
import { runWorkload, workloadArbitrary } from './support/watch-workload.ts';

const etcd = await loadComponent('etcd');

function emptyState(): MvccState {
  return { revision: 1, compactRevision: 0, history: new Map(), keys: new SortedKeys() };
}

/** Three puts of a at revisions 2, 3, 4, recorded in a log as the engine would. */
function threePuts(): { state: MvccState; log: WatchLog } {
  const state = emptyState();
  const log: WatchLog = { changes: [] };
  for (const [value, rev] of [
    ['1', 2],
    ['2', 3],
    ['3', 4],
  ] as const) {
    log.changes.push({ revision: rev, events: [etcd.put(state, 'a', value, 0, rev)] });
  }
  return { state, log };
}

describe("watches, through the store (etcd's own answers)", () => {
  scenarioTests('02-watch');
});

describe('the watch log and the watchers', () => {
  test('startWatch replays the history in one response and moves nextRevision past it', hint('After the replay, which revision does the watcher want next?'), () => {
    const { state, log } = threePuts();
    const watcher: WatchSpec = { id: 1, key: 'a', nextRevision: 3, prevKv: false };
    const response = etcd.startWatch(log, state, watcher);
    expect(
      response?.events.map((e) => e.kv.value),
      'startWatch(a from 3) with puts at 2, 3, 4: values replayed',
    ).toEqual(['2', '3']);
    expect(response?.revision, "the response's revision (the store's)").toBe(4);
    expect(watcher.nextRevision, 'watcher.nextRevision after the replay').toBe(5);
    expect(etcd.startWatch(log, state, { id: 2, key: 'a', nextRevision: 5, prevKv: false }), 'startWatch(a from 5): nothing to replay').toBeUndefined();
  });

  test('publish serves the watchers of the key and skips a watcher waiting for a future revision', hint('Do you compare watcher.nextRevision with change.revision before sending?'), () => {
    const { state } = threePuts();
    const now: WatchSpec = { id: 1, key: 'a', nextRevision: 5, prevKv: false };
    const later: WatchSpec = { id: 2, key: 'a', nextRevision: 7, prevKv: false };
    const other: WatchSpec = { id: 3, key: 'b', nextRevision: 5, prevKv: false };
    const event = etcd.put(state, 'a', '4', 0, 5);
    const deliveries = etcd.publish(state, { revision: 5, events: [event] }, [now, later, other]);
    expect(
      deliveries.map((d) => d.watchId),
      'publish(put a at 5) to watchers of a (from 5), a (from 7), b (from 5): who is served',
    ).toEqual([1]);
    expect(deliveries[0]?.response, 'what the watcher of a (from 5) receives').toEqual({
      events: [{ type: 'PUT', kv: { key: 'a', value: '4', createRevision: 2, modRevision: 5, version: 4, lease: 0 } }],
      revision: 5,
    });
    expect([now.nextRevision, later.nextRevision], 'nextRevision of the watchers of a (from 5) and a (from 7)').toEqual([6, 7]);
  });

  test('compaction frees history: each key keeps only its value at the compacted revision and what came after', hint('Which entries before C does a read at C or later still need?'), () => {
    const { state, log } = threePuts(); // a: 2, 3, 4
    etcd.put(state, 'b', 'x', 0, 5);
    etcd.deleteRange(state, 'b', undefined, 6);
    etcd.compact(state, log, 6);
    expect(
      state.history.get('a')?.map((e) => e.revision),
      'revisions of a kept after compact(6) (puts at 2, 3, 4)',
    ).toEqual([4]);
    expect(state.history.has('b'), 'b (put at 5, deleted at 6) still in history after compact(6)').toBe(false);
    expect([...state.keys], 'state.keys after compact(6)').toEqual(['a']);
    expect(
      log.changes.every((c) => c.revision >= 6),
      'the log keeps no change before 6',
    ).toBe(true);
    expect(state.compactRevision, 'state.compactRevision').toBe(6);
  });

  test(
    'compaction keeps the puts of a change at the compacted revision, without prevKv, and drops only its deletes',
    hint(
      'In compact(): the change at exactly the compacted revision may hold several events (a txn writes many at one revision). Do you keep each PUT without its prevKv, or drop the whole change because one event is a DELETE?',
    ),
    () => {
      const { state, log } = threePuts(); // a: 2, 3, 4
      log.changes.push({ revision: 5, events: [etcd.put(state, 'b', 'x', 0, 5)] });
      // Revision 6, as a txn makes it: put a, put c, delete b, all at one revision.
      log.changes.push({ revision: 6, events: [etcd.put(state, 'a', '4', 0, 6), etcd.put(state, 'c', 'y', 0, 6), ...etcd.deleteRange(state, 'b', undefined, 6)] });
      etcd.compact(state, log, 6);
      const a = { key: 'a', value: '4', createRevision: 2, modRevision: 6, version: 4, lease: 0 };
      const c = { key: 'c', value: 'y', createRevision: 6, modRevision: 6, version: 1, lease: 0 };
      expect(log.changes, 'the watch log after compact(6), where revision 6 put a, put c and deleted b').toEqual([
        {
          revision: 6,
          events: [
            { type: 'PUT', kv: a },
            { type: 'PUT', kv: c },
          ],
        },
      ]);
      const watcher: WatchSpec = { id: 1, key: '', end: '\0', nextRevision: 6, prevKv: true };
      expect(etcd.startWatch(log, state, watcher)?.events, 'startWatch(everything from 6, prevKv) after compact(6)').toEqual([
        { type: 'PUT', kv: a },
        { type: 'PUT', kv: c },
      ]);
    },
  );

  test("startWatch and publish answer with the store's revision", hint("What is a WatchResponse's revision: the store's revision (state.revision) when the response is made?"), () => {
    const { state, log } = threePuts();
    expect(etcd.startWatch(log, state, { id: 1, key: 'a', nextRevision: 2, prevKv: false })?.revision, "the revision of startWatch(a from 2)'s response, store at 4").toBe(4);
    const event = etcd.put(state, 'b', 'x', 0, 5);
    const deliveries = etcd.publish(state, { revision: 5, events: [event] }, [{ id: 2, key: 'b', nextRevision: 5, prevKv: false }]);
    expect(deliveries[0]?.response.revision, 'the revision of the response publish() made for put b at 5').toBe(5);
  });
});

describe("etcd's watch guarantees under random concurrent workloads", () => {
  test(
    'ordered, unique, atomic, reliable, resumable, right prevKv, IsCreate, header revision and compaction, for every watch on a key, a prefix or a range',
    hint(
      'Read the first problem listed, then replay with the seed. Filter or Reliable on a range watch (a..c)? Do startWatch and publish both use [key, end), not a prefix? ' +
        'Resumable? What does startWatch replay from nextRevision? Atomic or PrevKV? How does publish build one response per watcher? ' +
        "Compacted? Does startWatch compare nextRevision with state.compactRevision, and does compact() keep the puts of the compacted revision? Header? Is each response's revision state.revision?",
    ),
    async ({ task }) => {
      await assertProperty(
        workloadArbitrary,
        async (actions) => {
          const { store } = await freshStore();
          const { records, model, transcript } = await runWorkload(store, actions, { root: '/w/', sequential: false, waitMs: 200 });
          await store.close();
          expect(validateWatches(records, model), `the workload: ${transcript}`).toEqual([]);
        },
        { seed: useSeed(task), numRuns: 40 },
      );
    },
  );
});
