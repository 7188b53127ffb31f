/**
 * The compactor: every `intervalMs` it compacts the store up to the revision the store was at
 * `historyIntervals` ticks ago, so that the store keeps a window of history (about one interval,
 * by default) and its memory and disk stay bounded however long the cluster runs. It works on any
 * KVStore: the built-in store, or a real etcd (etcd's compact RPC).
 *
 * The protocol is upstream's (k8s.io/apiserver/pkg/storage/etcd3/compact.go, runCompactLoop and
 * compact), written anew here: the key `compact_rev_key` holds the revision last compacted to, and
 * its `version` serves as a logical compaction time. Each tick is one transaction: if the key's
 * version is still the one this compactor last saw, put the revision about to be compacted to
 * (which bumps the version) and compact; if not, another apiserver on the same etcd compacted
 * meanwhile, so adopt its version and wait a tick. Several apiservers on one etcd thus compact about
 * once per interval between them, and the key survives restarts.
 *
 * Invariants:
 * - the first tick after start only notes the revision (upstream: "we don't compact on bootstrap");
 * - a tick compacts only to a revision observed at an earlier tick, never to the current one, so a
 *   client that read a moment ago can still watch from what it read;
 * - a failed tick (store unreachable, compacted further by someone else) is logged and the next
 *   tick tries again; stop() cancels the timer, and a tick in progress finishes on its own.
 */
import type { Clock } from '../../etcd/clock.ts';
import type { KVStore } from '../../etcd/kv.ts';
import type { Logger } from '../../cluster/logger.ts';

/** The key upstream's compactor keeps its compaction time in (outside /registry/). */
export const COMPACT_REV_KEY = 'compact_rev_key';

export interface CompactorOptions {
  store: KVStore;
  clock: Clock;
  /** Milliseconds between ticks (COMPACTION_INTERVAL_MS); 0: never compact. */
  intervalMs: number;
  /** History kept, in intervals (COMPACTION_HISTORY_INTERVALS, at least 1). */
  historyIntervals: number;
  log: Logger;
}

export interface Compactor {
  /** The revision this compactor last compacted to, or saw another compactor compact to (0: none yet). */
  readonly compactedRevision: number;
  /** Ticks run so far (finished, successful or not). */
  readonly ticks: number;
  stop(): void;
}

export function startCompactor(options: CompactorOptions): Compactor {
  const { store, clock, log } = options;
  const history = Math.max(1, Math.floor(options.historyIntervals));
  /** The version of compact_rev_key this compactor expects (its compaction time). */
  let expectedVersion = 0;
  /** Revisions seen at the last ticks, oldest first, at most `history` of them. */
  let seen: number[] = [];
  let stopped = false;
  let cancelTimer = () => {};
  const state = { compactedRevision: 0, ticks: 0 };

  const tick = async () => {
    // Compact to the revision seen `history` ticks ago; 0 while there is none yet.
    const target = seen.length >= history ? seen[seen.length - history]! : 0;
    const result = await store.txn({
      compare: [{ key: COMPACT_REV_KEY, target: 'version', result: '=', value: expectedVersion }],
      success: [{ type: 'put', key: COMPACT_REV_KEY, value: String(target) }],
      failure: [{ type: 'range', key: COMPACT_REV_KEY }],
    });
    if (!result.succeeded) {
      // Another compactor moved the compaction time on: follow it, and start counting afresh.
      const range = result.responses[0];
      const kv = range?.type === 'range' ? range.kvs[0] : undefined;
      expectedVersion = kv?.version ?? 0;
      const theirs = Number(kv?.value ?? 0);
      if (Number.isInteger(theirs) && theirs > state.compactedRevision) state.compactedRevision = theirs;
      seen = [result.revision];
      return;
    }
    expectedVersion++;
    seen.push(result.revision);
    if (seen.length > history) seen = seen.slice(-history);
    if (target === 0 || target <= state.compactedRevision) return;
    try {
      await store.compact(target);
    } catch (error) {
      // Compacted further already (etcdctl compact, another tool): nothing to do.
      if ((error as Error)?.name !== 'CompactedError') throw error;
    }
    state.compactedRevision = target;
    log.info('compacted the store', { revision: target });
  };

  const schedule = () => {
    if (stopped) return;
    cancelTimer = clock.setTimer(options.intervalMs, () => {
      void tick()
        .catch((error: unknown) => log.error('compaction failed', { error: (error as Error)?.message ?? String(error) }))
        .finally(() => {
          state.ticks++;
          schedule();
        });
    });
  };
  if (options.intervalMs > 0) schedule();

  return {
    get compactedRevision() {
      return state.compactedRevision;
    },
    get ticks() {
      return state.ticks;
    },
    stop() {
      stopped = true;
      cancelTimer();
    },
  };
}
