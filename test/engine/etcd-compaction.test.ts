/**
 * Compaction frees memory and disk (issue 8, deliverable 9, the store's side): a long stream of
 * writes to a bounded set of keys, compacted every COMPACT_EVERY writes to a window of WINDOW
 * revisions, keeps the store's in-memory history and its data dir's size under fixed bounds (counts
 * and bytes, not time); the same stream without compaction goes past both, so the bounds mean
 * something. Reads and watches below the compacted revision fail with CompactedError, as etcd's
 * "mvcc: required revision has been compacted"; the compacted state survives a restart.
 *
 * What etcd does, for comparison: compaction (`etcdctl compact`, or kube-apiserver's compactor,
 * every 5 minutes) drops the key history below the revision but keeps the latest version of each
 * live key (mvcc/kvstore_compaction.go); disk is freed by snapshots and --max-snapshots /
 * --max-wals. Here a compaction with enough log entries since the last snapshot takes a snapshot,
 * and the files older than the two newest snapshots go (engine/etcd/store.ts).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { prefixEnd, type KVStore } from '#engine/etcd/kv.ts';
import { createStore, storeStats, type StoreStats } from '#engine/etcd/store.ts';
import { scratchDir } from '../support/scratch.ts';

const WRITES = 20_000;
const KEYS = 100;
const COMPACT_EVERY = 1_000;
const WINDOW = 500;
/** Writes issued at once (they share fsyncs: group commit). */
const CONCURRENT = 250;
/** The bounds: history of the keys (values and tombstones) and of the watch log, and disk. */
const MAX_KEY_REVISIONS = KEYS + WINDOW + COMPACT_EVERY;
const MAX_WATCH_LOG_CHANGES = WINDOW + COMPACT_EVERY;
const MAX_DATA_DIR_BYTES = 1_500_000;

const root = scratchDir('kubelings-compaction-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bytesOf(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    total += stat.isDirectory() ? bytesOf(path) : stat.size;
  }
  return total;
}

/** Write number `n`: an update of one of KEYS keys (a small ConfigMap's worth), every 50th a delete. */
function writeOf(n: number): { key: string; value?: string } {
  const key = `/registry/configmaps/default/cm-${(n * 37) % KEYS}`;
  return n % 50 === 49 ? { key } : { key, value: JSON.stringify({ n, data: 'd'.repeat(60 + (n % 40)) }) };
}

function write(store: KVStore, n: number): Promise<unknown> {
  const { key, value } = writeOf(n);
  return value === undefined ? store.delete(key) : store.put(key, value);
}

/** The live keys and their values after the whole stream. */
function finalValues(): [string, string][] {
  const values = new Map<string, string>();
  for (let n = 0; n < WRITES; n++) {
    const { key, value } = writeOf(n);
    if (value === undefined) values.delete(key);
    else values.set(key, value);
  }
  return [...values].sort(([a], [b]) => (a < b ? -1 : 1));
}

interface Peak {
  stats: StoreStats;
  bytes: number;
}

/** Runs the stream; measures memory and disk after each COMPACT_EVERY writes; returns the peaks. */
async function stream(dir: string, compact: boolean): Promise<{ peak: Peak; store: KVStore }> {
  const store = await createStore({ dataDir: dir });
  const peak: Peak = { stats: storeStats(store)!, bytes: 0 };
  for (let done = 0; done < WRITES;) {
    const batch = Array.from({ length: CONCURRENT }, (_, i) => write(store, done + i));
    await Promise.all(batch);
    done += CONCURRENT;
    if (done % COMPACT_EVERY !== 0) continue;
    // Measured just before each compaction (the most the store holds) and just after.
    for (const when of compact ? ['before', 'after'] : ['before']) {
      if (when === 'after') await store.compact((await store.revision()) - WINDOW);
      const stats = storeStats(store)!;
      const bytes = bytesOf(dir);
      peak.stats = { ...stats, keyRevisions: Math.max(stats.keyRevisions, peak.stats.keyRevisions), watchLogChanges: Math.max(stats.watchLogChanges, peak.stats.watchLogChanges) };
      peak.bytes = Math.max(peak.bytes, bytes);
    }
  }
  return { peak, store };
}

describe(`${WRITES} writes to ${KEYS} keys, compacted every ${COMPACT_EVERY} writes to the last ${WINDOW} revisions`, () => {
  test('memory and disk stay under fixed bounds; without compaction the same stream goes past both', { timeout: 120_000 }, async () => {
    const compacted = await stream(join(root, 'compacted'), true);
    const { peak, store } = compacted;
    expect(peak.stats.keyRevisions, `key history entries, at most (bound ${MAX_KEY_REVISIONS})`).toBeLessThanOrEqual(MAX_KEY_REVISIONS);
    expect(peak.stats.watchLogChanges, `watch log revisions, at most (bound ${MAX_WATCH_LOG_CHANGES})`).toBeLessThanOrEqual(MAX_WATCH_LOG_CHANGES);
    expect(peak.bytes, `bytes of the data dir, at most (bound ${MAX_DATA_DIR_BYTES})`).toBeLessThanOrEqual(MAX_DATA_DIR_BYTES);
    const dir = join(root, 'compacted');
    expect(readdirSync(join(dir, 'snap')).length, 'snapshots on disk').toBeLessThanOrEqual(2);
    expect(readdirSync(join(dir, 'wal')).length, 'log segments on disk').toBeLessThanOrEqual(2);

    // Every live key's latest value is still there, and reads below the compacted revision fail.
    const live = await store.range('/registry/', { end: prefixEnd('/registry/') });
    expect(
      live.kvs.map((kv) => [kv.key, kv.value]),
      'the live keys and their values after the stream',
    ).toEqual(finalValues());
    expect(
      await store.range('/registry/', { end: prefixEnd('/registry/'), revision: 2 }).then(
        () => 'read',
        (e: Error) => e.message,
      ),
      'a read at revision 2',
    ).toBe('mvcc: required revision has been compacted');
    const compactRevision = storeStats(store)!.compactRevision;
    await expect(
      store.watch('/registry/', { end: prefixEnd('/registry/'), startRevision: compactRevision - 1 }, () => {}),
      'a watch from below the compacted revision',
    ).rejects.toThrow('mvcc: required revision has been compacted');
    const watcher = await store.watch('/registry/', { end: prefixEnd('/registry/'), startRevision: compactRevision }, () => {});
    watcher.cancel();
    const before = await store.range('/registry/', { end: prefixEnd('/registry/') });
    await store.close();

    // After a restart: the same keys, the same compacted revision, and memory as small.
    const reopened = await createStore({ dataDir: dir });
    expect(await reopened.range('/registry/', { end: prefixEnd('/registry/') }), 'the key space after a restart').toEqual(before);
    const after = storeStats(reopened)!;
    expect([after.compactRevision, after.keyRevisions <= MAX_KEY_REVISIONS], '[compacted revision, key history within the bound] after a restart').toEqual([compactRevision, true]);
    await reopened.close();

    const uncompacted = await stream(join(root, 'uncompacted'), false);
    await uncompacted.store.close();
    expect(uncompacted.peak.stats.keyRevisions, 'key history entries without compaction').toBeGreaterThan(MAX_KEY_REVISIONS * 5);
    expect(uncompacted.peak.stats.watchLogChanges, 'watch log revisions without compaction').toBeGreaterThan(MAX_WATCH_LOG_CHANGES * 5);
    expect(uncompacted.peak.bytes, 'bytes of the data dir without compaction').toBeGreaterThan(MAX_DATA_DIR_BYTES * 2);
  });
});

describe('compact(revision), as a compactor calls it', () => {
  test('compacting at or below the compacted revision, or above the current one, fails as etcd does; at the current revision it works', async () => {
    const store = await createStore({ dataDir: join(root, 'api') });
    for (let i = 0; i < 10; i++) await store.put('/a', `${i}`);
    await store.compact(5);
    const outcome = (revision: number) =>
      store.compact(revision).then(
        () => 'ok',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(await outcome(5), 'compact(5) again').toBe('CompactedError: mvcc: required revision has been compacted');
    expect(await outcome(3), 'compact(3) after compact(5)').toBe('CompactedError: mvcc: required revision has been compacted');
    expect(await outcome(12), 'compact(12) at revision 11').toBe('FutureRevisionError: mvcc: required revision is a future revision');
    expect(await outcome(11), 'compact(11) at revision 11').toBe('ok');
    expect((await store.range('/a')).kvs[0]?.value, 'the value of /a after compacting at the current revision').toBe('9');
    await store.close();
  });
});
