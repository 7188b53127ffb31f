/**
 * The compactor's protocol, tick by tick, on a ManualClock and the built-in store: upstream's
 * k8s.io/apiserver/pkg/storage/etcd3/compact.go (runCompactLoop, compact) and its compact_test.go,
 * which check the same things: no compaction on the first tick, then one to the revision seen at the
 * tick before; two compactors on one store (two apiservers on one etcd) compact once per interval
 * between them, and when the one that compacts stops, the other takes over.
 */
import { describe, expect, test } from 'vitest';
import { COMPACT_REV_KEY, startCompactor, type Compactor } from '#engine/apiserver/storage/compactor.ts';
import { silentLogger, type Logger } from '#engine/cluster/logger.ts';
import { ManualClock } from '#engine/etcd/clock.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { createStore, storeStats } from '#engine/etcd/store.ts';

const INTERVAL = 1_000;
const DEADLINE_MS = 30_000;

async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after ${DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Moves the clock one interval and waits until every running compactor has finished its tick. */
async function tick(clock: ManualClock, compactors: Compactor[]): Promise<void> {
  const before = compactors.map((c) => c.ticks);
  clock.advance(INTERVAL);
  await eventually('every compactor finished its tick', () => compactors.every((c, i) => c.ticks === before[i]! + 1));
}

const writes = async (store: KVStore, n: number) => {
  for (let i = 0; i < n; i++) await store.put(`/registry/configmaps/default/k${i % 3}`, `${i}`);
};

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = { ...silentLogger, error: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`), child: () => logger };
  return logger;
}

describe('the compactor, tick by tick', () => {
  test('the first tick only notes the revision; each later tick compacts to the revision of the tick before', async () => {
    const store = await createStore();
    const clock = new ManualClock(0);
    const errors: string[] = [];
    const compactor = startCompactor({ store, clock, intervalMs: INTERVAL, historyIntervals: 1, log: recordingLogger(errors) });
    await writes(store, 10);
    await tick(clock, [compactor]);
    expect(storeStats(store)!.compactRevision, 'compacted revision after the first tick').toBe(0);
    const seenAtFirst = await store.revision(); // the first tick's own write is the latest
    await writes(store, 10);
    await tick(clock, [compactor]);
    expect([storeStats(store)!.compactRevision, compactor.compactedRevision], 'compacted after the second tick').toEqual([seenAtFirst, seenAtFirst]);
    const seenAtSecond = await store.revision();
    await tick(clock, [compactor]);
    expect(storeStats(store)!.compactRevision, 'compacted after the third tick').toBe(seenAtSecond);
    const key = (await store.range(COMPACT_REV_KEY)).kvs[0];
    expect([key?.version, key?.value], `${COMPACT_REV_KEY}: [version (one per tick), the last revision compacted to]`).toEqual([3, String(seenAtSecond)]);
    compactor.stop();
    clock.advance(10 * INTERVAL);
    expect(compactor.ticks, 'no tick after stop()').toBe(3);
    expect(errors).toEqual([]);
    await store.close();
  });

  test('with a history of 3 intervals, a tick compacts to the revision of three ticks before', async () => {
    const store = await createStore();
    const clock = new ManualClock(0);
    const compactor = startCompactor({ store, clock, intervalMs: INTERVAL, historyIntervals: 3, log: silentLogger });
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      await writes(store, 5);
      await tick(clock, [compactor]);
      seen.push(await store.revision());
    }
    // Ticks 1-3 note revisions; tick 4 compacts to tick 1's, tick 5 to tick 2's.
    expect(storeStats(store)!.compactRevision, 'compacted revision after five ticks').toBe(seen[1]);
    compactor.stop();
    await store.close();
  });

  test('two compactors on one store compact once per interval between them; when the one compacting stops, the other takes over', async () => {
    const store = await createStore();
    const clock = new ManualClock(0);
    const errors: string[] = [];
    const first = startCompactor({ store, clock, intervalMs: INTERVAL, historyIntervals: 1, log: recordingLogger(errors) });
    const second = startCompactor({ store, clock, intervalMs: INTERVAL, historyIntervals: 1, log: recordingLogger(errors) });
    for (let i = 0; i < 4; i++) {
      await writes(store, 5);
      await tick(clock, [first, second]);
    }
    const key = (await store.range(COMPACT_REV_KEY)).kvs[0];
    expect(key?.version, `${COMPACT_REV_KEY} version after 4 ticks of two compactors: one successful swap per tick`).toBe(4);
    expect(second.compactedRevision, 'the second compactor knows what the first compacted to').toBe(first.compactedRevision);
    const before = storeStats(store)!.compactRevision;
    expect(before, 'the first compactor compacted').toBeGreaterThan(0);

    first.stop(); // the apiserver that compacted goes away
    await writes(store, 5);
    await tick(clock, [second]);
    const seen = await store.revision();
    await tick(clock, [second]);
    expect(storeStats(store)!.compactRevision, 'the second compactor took over').toBe(seen);
    expect(errors, 'errors logged').toEqual([]);
    second.stop();
    await store.close();
  });

  test('a store compacted further by someone else, or a compact_rev_key that is not a number, is no error', async () => {
    const store = await createStore();
    const clock = new ManualClock(0);
    const errors: string[] = [];
    const compactor = startCompactor({ store, clock, intervalMs: INTERVAL, historyIntervals: 1, log: recordingLogger(errors) });
    await writes(store, 5);
    await tick(clock, [compactor]);
    await writes(store, 5);
    await store.compact(await store.revision()); // etcdctl compact, past what the compactor will ask for
    await tick(clock, [compactor]);
    await store.put(COMPACT_REV_KEY, 'garbage'); // moves the version on: the next swap fails, and is followed
    await tick(clock, [compactor]);
    await writes(store, 5);
    await tick(clock, [compactor]);
    const seen = await store.revision();
    await tick(clock, [compactor]);
    expect(storeStats(store)!.compactRevision, 'compacting again after both').toBe(seen);
    expect(errors, 'errors logged').toEqual([]);
    compactor.stop();
    await store.close();
  });
});
