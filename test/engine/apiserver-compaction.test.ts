/**
 * The apiserver's compactor under a long stream of writes (issue 8, deliverable 9): ConfigMaps are
 * created, updated and deleted through the API while the compactor runs at a short interval; the
 * store's memory (storeStats) and its data dir stay under fixed bounds, and an informer of
 * @kubernetes/client-node 1.4.0 keeps a correct cache across the 410 Expired answers it gets when it
 * comes back from below the compacted revision, as compared with a final list.
 *
 * Nothing here depends on how fast the machine is: the compactor runs on a ManualClock that the test
 * moves on every TICK_EVERY writes, and every wait is for a condition, with a generous deadline.
 *
 * Upstream, for comparison:
 * - k8s.io/apiserver/pkg/storage/etcd3/compact.go: every --etcd-compaction-interval (5 min) the
 *   compactor compacts to the revision it saw at the previous tick, through a compare-and-swap on
 *   `compact_rev_key`; "we don't compact on bootstrap";
 * - k8s.io/apiserver/pkg/storage/cacher/watch_cache_history.go (watch_cache.go in 1.32): a watch is
 *   served from the watch cache, whose window is shorter than the 5 minutes etcd keeps (75 s of
 *   events); older than that, "too old resource version: X (Y)", 410 Expired;
 * - k8s.io/apiserver/pkg/storage/etcd3/errors.go: a list read from etcd below the compacted
 *   revision: "The resourceVersion for the provided list is too old.", 410 Expired;
 * - client-go's reflector (and client-node's ListWatch): on 410 it lists again and watches on.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, describe, expect, test } from 'vitest';
import { startApiServer } from '#engine/apiserver/server.ts';
import { COMPACT_REV_KEY } from '#engine/apiserver/storage/compactor.ts';
import { ManualClock } from '#engine/etcd/clock.ts';
import { createStore, storeStats, type StoreStats } from '#engine/etcd/store.ts';
import { SNAPSHOTS_KEPT } from '#engine/params.ts';
import { scratchDir } from '../support/scratch.ts';
import { httpsFetch } from './https-fetch.ts';

/** Writes through the API: creates, updates and deletes of KEYS ConfigMaps. */
const WRITES = 6_000;
const KEYS = 40;
/** Writes sent at once (always to different ConfigMaps). */
const BATCH = 20;
/** The clock moves one compaction interval on every TICK_EVERY writes. */
const TICK_EVERY = 100;
const INTERVAL_MS = 60_000;
/** The watch cache's window, smaller than the compaction window, as upstream's (75 s vs 5 min). */
const WATCH_CACHE = 50;
/** Ticks at which the informer is kept away while TICK_EVERY writes and a compaction happen. */
const AWAY_AT = [5, 20, 40];
/** Every wait for a condition gives up after this (it says what it waited for). */
const DEADLINE_MS = 60_000;

/**
 * The bounds. History in the store is at most two intervals of writes (compacted at each tick to the
 * revision of the tick before), plus the live keys (each keeps its latest value), plus the objects
 * every cluster has and the compactor's own key. Disk: two snapshots of that and the log since.
 */
const OTHER_KEYS = 20;
const MAX_KEY_REVISIONS = KEYS + OTHER_KEYS + 2 * TICK_EVERY + 20;
const MAX_WATCH_LOG_CHANGES = 2 * TICK_EVERY + 20;
const MAX_DATA_DIR_BYTES = 1_200_000;

const root = scratchDir('kubelings-api-compaction-');
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

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${what}: still not true after ${DEADLINE_MS / 1000} s`);
}

const nameOf = (n: number) => `cm-${n % KEYS}`;
/** About 600 bytes of data per ConfigMap, different at each write. */
const dataOf = (n: number) => ({ n: String(n), payload: `${n}:`.padEnd(600, 'abcdefghij'[n % 10]!) });

describe(`${WRITES} writes through the API with the compactor on (one interval per ${TICK_EVERY} writes)`, () => {
  test('the store stays bounded in memory and on disk, and an informer keeps a correct cache across the 410s', { timeout: 10 * DEADLINE_MS }, async () => {
    const dataDir = join(root, 'data');
    // A snapshot after each compaction (the default waits for 1,000 log entries), so that the disk
    // lets go at every tick of this shorter stream.
    const store = await createStore({ dataDir, snapshotAfterCompaction: TICK_EVERY / 2 });
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const api = await startApiServer({ store, port: 0, clock, compactionIntervalMs: INTERVAL_MS, compactionHistoryIntervals: 1, watchCacheCapacity: WATCH_CACHE });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'engine', server: api.url, caData: Buffer.from(api.ca).toString('base64') }],
      users: [{ name: 'me', token: api.adminToken }],
      contexts: [{ name: 'engine', cluster: 'engine', user: 'me' }],
      currentContext: 'engine',
    });
    const core = kc.makeApiClient(CoreV1Api);
    let lists = 0;
    const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default' });
    });
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    try {
      await informer.start();
      expect(lists, 'the informer lists once to start').toBe(1);

      const exists = new Set<string>();
      let valueBytes = 0;
      const write = async (n: number) => {
        const name = nameOf(n);
        const body: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: dataOf(n) };
        if (!exists.has(name)) {
          exists.add(name);
          await core.createNamespacedConfigMap({ namespace: 'default', body });
        } else if (n % 23 === 0) {
          exists.delete(name);
          await core.deleteNamespacedConfigMap({ namespace: 'default', name });
          return;
        } else {
          await core.replaceNamespacedConfigMap({ namespace: 'default', name, body });
        }
        valueBytes += JSON.stringify(body).length;
      };

      let peak: StoreStats = storeStats(store)!;
      let peakBytes = 0;
      const measure = () => {
        const stats = storeStats(store)!;
        peak = { ...stats, keyRevisions: Math.max(stats.keyRevisions, peak.keyRevisions), watchLogChanges: Math.max(stats.watchLogChanges, peak.watchLogChanges) };
        peakBytes = Math.max(peakBytes, bytesOf(dataDir));
        return stats;
      };
      const first = measure();
      let ticks = 0;
      const tick = async () => {
        measure(); // the most the store holds: just before a compaction
        clock.advance(INTERVAL_MS);
        ticks++;
        await eventually(`compactor tick ${ticks} is done`, () => api.compactor.ticks === ticks);
        measure();
      };

      let awayRevision = 0;
      for (let done = 0; done < WRITES;) {
        const tickNumber = done / TICK_EVERY;
        const away = done % TICK_EVERY === 0 && AWAY_AT.includes(tickNumber);
        let resume = () => {};
        if (away) {
          // The informer is away (its watch ended, new watches held) while a full interval of writes
          // and a compaction happen: it comes back from a revision that is compacted and out of the
          // watch cache's window.
          resume = api.pauseWatches();
          api.closeWatches();
          awayRevision = await store.revision();
        }
        for (const end = done + TICK_EVERY; done < end; done += BATCH) {
          await Promise.all(Array.from({ length: BATCH }, (_, i) => write(done + i)));
        }
        await tick();
        if (away) {
          const listsBefore = lists;
          // awayRevision is the compactor's own write of the tick before: the informer's last event is older.
          expect(api.compactor.compactedRevision, 'the compactor compacted up to where the informer left').toBeGreaterThanOrEqual(awayRevision);
          resume();
          await eventually('the informer lists again after its 410', () => lists === listsBefore + 1);
        }
      }
      const last = measure();

      // What happened: every write went through, and the compactor compacted at every tick but the first.
      expect(last.revision - first.revision, 'revisions written during the stream').toBeGreaterThanOrEqual(WRITES);
      expect(lists, 'lists: one to start, one after each 410').toBe(1 + AWAY_AT.length);
      expect(errors, 'informer errors').toEqual([]);
      const compacted = (await store.range(COMPACT_REV_KEY)).kvs[0];
      expect([compacted?.version, Number(compacted?.value)], `[${COMPACT_REV_KEY} version, value]: one CAS per tick, the last compacted revision`).toEqual([ticks, api.compactor.compactedRevision]);
      expect(last.compactRevision, "the store's compacted revision").toBe(api.compactor.compactedRevision);

      // Bounded: memory and disk under fixed bounds, where without compaction the store would hold
      // every revision written, and its log at least every value written.
      expect(peak.keyRevisions, `key history entries at most (bound ${MAX_KEY_REVISIONS}; ${WRITES} writes)`).toBeLessThanOrEqual(MAX_KEY_REVISIONS);
      expect(peak.watchLogChanges, `watch log revisions at most (bound ${MAX_WATCH_LOG_CHANGES})`).toBeLessThanOrEqual(MAX_WATCH_LOG_CHANGES);
      expect(peakBytes, `bytes of the data dir at most (bound ${MAX_DATA_DIR_BYTES})`).toBeLessThanOrEqual(MAX_DATA_DIR_BYTES);
      // The files older than the two newest snapshots are gone (engine/etcd/store.ts, SNAPSHOTS_KEPT).
      expect(readdirSync(join(dataDir, 'snap')).length, 'snapshots on disk').toBeLessThanOrEqual(SNAPSHOTS_KEPT);
      expect(readdirSync(join(dataDir, 'wal')).length, 'log segments on disk').toBeLessThanOrEqual(SNAPSHOTS_KEPT);
      expect(last.revision - first.revision, 'what an uncompacted history would hold, against its bound').toBeGreaterThan(MAX_KEY_REVISIONS * 5);
      expect(valueBytes, 'bytes of values written (an uncompacted log holds them all), against the disk bound').toBeGreaterThan(MAX_DATA_DIR_BYTES * 3);
      console.log(
        `compaction under ${WRITES} API writes: peak key history ${peak.keyRevisions} entries (bound ${MAX_KEY_REVISIONS}), ` +
          `peak watch log ${peak.watchLogChanges} revisions, peak data dir ${peakBytes} bytes (bound ${MAX_DATA_DIR_BYTES}), values written ${valueBytes} bytes; ` +
          `at the end: ${last.keyRevisions} entries, ${bytesOf(dataDir)} bytes`,
      );

      // The informer's cache is the final list: same objects, same resourceVersions, same data.
      const final = await core.listNamespacedConfigMap({ namespace: 'default' });
      const view = (items: readonly V1ConfigMap[]) => items.map((o) => [o.metadata?.name, o.metadata?.resourceVersion, o.data?.n]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      await eventually("the informer's cache matches the final list", () => JSON.stringify(view(informer.list())) === JSON.stringify(view(final.items)));
      expect(view(informer.list()), "the informer's cache").toEqual(view(final.items));
      expect(final.items.map((o) => o.metadata?.name).sort(), 'the ConfigMaps that exist at the end').toEqual([...exists].sort());

      // A watch from a compacted revision (out of the watch cache's window, as upstream's always is
      // after 5 minutes) gets one ERROR event: 410 Expired, "too old resource version: X (Y)".
      const old = api.compactor.compactedRevision - 1;
      const fetch = httpsFetch(api.ca, { Authorization: `Bearer ${api.adminToken}` });
      const watch = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${old}`);
      const events = (await watch.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; object: { code: number; reason: string; message: string } });
      expect(
        events.map((e) => [e.type, e.object.code, e.object.reason]),
        'a watch from below the compacted revision',
      ).toEqual([['ERROR', 410, 'Expired']]);
      expect(events[0]!.object.message).toMatch(new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
      // A list read from the store at a compacted revision: 410 Expired, etcd3's message.
      const exact = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`);
      const status = (await exact.json()) as { code: number; reason: string; message: string };
      expect([exact.status, status.reason, status.message], 'an Exact list below the compacted revision').toEqual([410, 'Expired', 'The resourceVersion for the provided list is too old.']);
    } finally {
      await informer.stop();
      await api.close();
      await store.close();
    }
  });
});
