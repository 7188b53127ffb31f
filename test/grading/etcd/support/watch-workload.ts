/**
 * A random workload for the watch guarantees: writes (puts, deletes, prefix deletes that change
 * several keys in one revision) and compactions interleaved with watches on one key, a prefix or a
 * range [key, end) opened from the past, from now and from the future, and watches canceled and
 * resumed from the revision after the last event they got. `workloadWithTxnArbitrary` adds
 * transactions that put one key and delete others in one revision (03-txn: 02-watch is graded
 * before the learner has written txn). The same workloads run against the learner's store and a
 * real etcd (the cross-check).
 */
import fc from 'fast-check';
import { prefixEnd, type KVStore, type TxnRequest, type WatchOptions, type WatchResponse, type Watcher } from '#engine/etcd/kv.ts';
import { ModelStore } from './model.ts';
import type { WatchRecord } from './watch-validators.ts';

export type WorkloadAction =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'delete'; key: string; prefix: boolean }
  /** One revision: put `put`, delete `del` (a key, or every key under it); never the same key. */
  | { kind: 'txn'; put: string; value: string; del: string; prefix: boolean }
  /** Compacts at the revision `back` writes ago (skipped when that is already compacted). */
  | { kind: 'compact'; back: number }
  /** `span`: the key alone, every key under it (prefix), or the range [key, rangeEnd(key)). */
  | { kind: 'watch'; key: string; span: 'key' | 'prefix' | 'range'; start: 'now' | 'future' | 'compacted' | number; prevKv: boolean }
  | { kind: 'resume'; which: number };

const keys = ['a', 'b', 'b/1', 'b/2', 'c'];

/** The end of a range watch from `key`: a key that is not a prefix end, so [a, c) holds b and b/1. */
export function rangeEnd(key: string): string {
  return key < 'c' ? 'c' : 'd';
}

const actions = [
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.constantFrom(...keys), value: fc.string({ maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...keys), prefix: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.integer({ min: 0, max: 3 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('watch' as const),
      key: fc.constantFrom('', ...keys),
      span: fc.constantFrom('key' as const, 'prefix' as const, 'range' as const),
      start: fc.oneof(fc.constant('now' as const), fc.constant('future' as const), fc.constant('compacted' as const), fc.integer({ min: 0, max: 12 })),
      prevKv: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), which: fc.nat() }) },
] as const;

const txnAction = fc
  .record({ kind: fc.constant('txn' as const), put: fc.constantFrom(...keys), value: fc.string({ maxLength: 2 }), del: fc.constantFrom(...keys), prefix: fc.boolean() })
  .filter((t) => t.put !== t.del && !(t.prefix && t.put.startsWith(t.del)));

export const workloadArbitrary: fc.Arbitrary<WorkloadAction[]> = fc.array(fc.oneof(...actions), { minLength: 10, maxLength: 60 });

/** The workload of 03-txn: the same, plus transactions that put and delete in one revision. */
export const workloadWithTxnArbitrary: fc.Arbitrary<WorkloadAction[]> = fc.array(fc.oneof(...actions, { weight: 3, arbitrary: txnAction }), { minLength: 10, maxLength: 60 });

export interface WorkloadResult {
  records: WatchRecord[];
  model: ModelStore;
  /** The workload as a readable line, for failure messages. */
  transcript: string;
}

/**
 * Runs a workload. With `sequential`, each write is awaited before the next (needed for a remote
 * store, where requests in flight may be reordered); otherwise writes are issued back to back.
 */
export async function runWorkload(store: KVStore, actions: readonly WorkloadAction[], options: { root: string; sequential: boolean; waitMs: number }): Promise<WorkloadResult> {
  const startRevision = await store.revision();
  const model = new ModelStore(startRevision);
  const records: WatchRecord[] = [];
  const watchers = new Map<number, Watcher>();
  const pending: Promise<unknown>[] = [];
  const lines: string[] = [];
  const key = (k: string) => `${options.root}${k}`;

  const open = async (k: string, watchOptions: WatchOptions, span: string) => {
    const record: WatchRecord = { id: records.length + 1, key: k, options: watchOptions, responses: [], open: true, compactRevision: model.compactRevision };
    records.push(record);
    lines.push(`watch #${record.id} ${k}${span} from ${watchOptions.startRevision || 'now'}${watchOptions.prevKv ? ' prevKv' : ''}`);
    const started = store.watch(k, watchOptions, (response: WatchResponse) => record.responses.push(response));
    try {
      watchers.set(record.id, await started);
    } catch (error) {
      record.open = false;
      record.failed = (error as Error).name;
    }
  };
  const spanOf = (k: string, end: string | undefined) => (end === undefined ? '' : end === prefixEnd(k) ? '*' : `..${end}`);

  for (const action of actions) {
    let done: Promise<unknown> | undefined;
    if (action.kind === 'put') {
      lines.push(`put ${action.key}=${JSON.stringify(action.value)}`);
      model.put(key(action.key), action.value);
      done = store.put(key(action.key), action.value);
    } else if (action.kind === 'delete') {
      const end = action.prefix ? prefixEnd(key(action.key)) : undefined;
      lines.push(`delete ${action.key}${action.prefix ? '*' : ''}`);
      model.delete(key(action.key), end);
      done = store.delete(key(action.key), { end });
    } else if (action.kind === 'txn') {
      const end = action.prefix ? prefixEnd(key(action.del)) : undefined;
      const request: TxnRequest = {
        compare: [],
        success: [
          { type: 'put', key: key(action.put), value: action.value },
          { type: 'delete', key: key(action.del), options: { end } },
        ],
        failure: [],
      };
      lines.push(`txn {put ${action.put}=${JSON.stringify(action.value)}, delete ${action.del}${action.prefix ? '*' : ''}}`);
      model.txn(request);
      done = store.txn(request);
    } else if (action.kind === 'compact') {
      const revision = model.revision - action.back;
      if (revision <= model.compactRevision || revision <= startRevision) continue;
      lines.push(`compact(${revision})`);
      model.compact(revision);
      done = store.compact(revision);
    } else if (action.kind === 'watch') {
      const start =
        action.start === 'now'
          ? 0
          : action.start === 'future'
            ? model.revision + 2
            : action.start === 'compacted'
              ? model.compactRevision || model.revision // exactly the compacted revision
              : Math.max(model.revision - action.start, 1);
      const k = key(action.key);
      const end = action.span === 'prefix' ? prefixEnd(k) : action.span === 'range' ? key(rangeEnd(action.key)) : undefined;
      done = open(k, { end, startRevision: start, prevKv: action.prevKv }, spanOf(k, end));
    } else {
      const open_ = records.filter((r) => r.open);
      if (open_.length === 0) continue;
      const old = open_[action.which % open_.length]!;
      // Wait for what is on its way, then cancel and resume after the last event received.
      if (options.sequential) await new Promise((resolve) => setTimeout(resolve, options.waitMs / 4));
      else await new Promise((resolve) => setImmediate(resolve));
      const watcher = watchers.get(old.id);
      if (!watcher) continue; // it failed to start (from a compacted revision): nothing to resume
      watcher.cancel();
      old.open = false;
      const last = old.responses.flatMap((r) => r.events).at(-1)?.kv.modRevision;
      const from = last ? last + 1 : old.options.startRevision || model.revision + 1;
      lines.push(`cancel #${old.id}, resume from ${from}`);
      done = open(old.key, { ...old.options, startRevision: from }, spanOf(old.key, old.options.end));
    }
    if (options.sequential) await done;
    else pending.push(done);
  }
  await Promise.all(pending);

  // Let every open watch receive everything.
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    await new Promise((resolve) => (options.sequential ? setTimeout(resolve, 20) : setImmediate(resolve)));
    const behind = records.some((r) => r.open && received(r) < expectedCount(r, model));
    if (!behind || Date.now() > deadline) break;
  }
  for (const [id, watcher] of watchers) if (records[id - 1]!.open) watcher.cancel();
  return { records, model, transcript: lines.join('; ') };
}

function received(r: WatchRecord): number {
  return r.responses.reduce((n, resp) => n + resp.events.length, 0);
}

function expectedCount(r: WatchRecord, model: ModelStore): number {
  const from = r.options.startRevision || r.responses[0]?.events[0]?.kv.modRevision || model.revision + 1;
  // From exactly the compacted revision, that revision replays only its puts.
  const atCompacted = from === r.compactRevision ? model.live(r.key, r.options.end, from - 1, from, false).filter((e) => e.kv.modRevision === from && e.type === 'DELETE').length : 0;
  return model.live(r.key, r.options.end, from - 1, from, false).length - atCompacted;
}
