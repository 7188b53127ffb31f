/**
 * A random workload for the watch guarantees: writes (puts, deletes, prefix deletes that change
 * several keys in one revision) interleaved with watches opened from the past, from now and from
 * the future, and watches canceled and resumed from the revision after the last event they got.
 * The same workload runs against the learner's store (02-watch) and a real etcd (the cross-check).
 */
import fc from 'fast-check';
import { prefixEnd, type KVStore, type WatchOptions, type WatchResponse, type Watcher } from '#engine/etcd/kv.ts';
import { ModelStore } from './model.ts';
import type { WatchRecord } from './watch-validators.ts';

export type WorkloadAction =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'delete'; key: string; prefix: boolean }
  | { kind: 'watch'; key: string; prefix: boolean; start: 'now' | 'future' | number; prevKv: boolean }
  | { kind: 'resume'; which: number };

const keys = ['a', 'b', 'b/1', 'b/2', 'c'];

export const workloadArbitrary = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.constantFrom(...keys), value: fc.string({ maxLength: 2 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...keys), prefix: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('watch' as const),
        key: fc.constantFrom('', ...keys),
        prefix: fc.boolean(),
        start: fc.oneof(fc.constant('now' as const), fc.constant('future' as const), fc.integer({ min: 0, max: 12 })),
        prevKv: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), which: fc.nat() }) },
  ),
  { minLength: 10, maxLength: 60 },
);

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
  const model = new ModelStore(await store.revision());
  const records: WatchRecord[] = [];
  const watchers = new Map<number, Watcher>();
  const pending: Promise<unknown>[] = [];
  const lines: string[] = [];
  const key = (k: string) => `${options.root}${k}`;

  const open = async (k: string, watchOptions: WatchOptions) => {
    const record: WatchRecord = { id: records.length + 1, key: k, options: watchOptions, responses: [], open: true };
    records.push(record);
    lines.push(`watch #${record.id} ${k}${watchOptions.end ? '*' : ''} from ${watchOptions.startRevision || 'now'}${watchOptions.prevKv ? ' prevKv' : ''}`);
    const started = store.watch(k, watchOptions, (response: WatchResponse) => record.responses.push(response));
    const watcher = await started;
    watchers.set(record.id, watcher);
  };

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
    } else if (action.kind === 'watch') {
      const start = action.start === 'now' ? 0 : action.start === 'future' ? model.revision + 2 : Math.max(model.revision - action.start, 1);
      const k = key(action.key);
      done = open(k, { end: action.prefix ? prefixEnd(k) : undefined, startRevision: start, prevKv: action.prevKv });
    } else {
      const open_ = records.filter((r) => r.open);
      if (open_.length === 0) continue;
      const old = open_[action.which % open_.length]!;
      // Wait for what is on its way, then cancel and resume after the last event received.
      if (options.sequential) await new Promise((resolve) => setTimeout(resolve, options.waitMs / 4));
      else await new Promise((resolve) => setImmediate(resolve));
      watchers.get(old.id)!.cancel();
      old.open = false;
      const last = old.responses.flatMap((r) => r.events).at(-1)?.kv.modRevision;
      const from = last ? last + 1 : old.options.startRevision || model.revision + 1;
      lines.push(`cancel #${old.id}, resume from ${from}`);
      done = open(old.key, { ...old.options, startRevision: from });
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
  return model.live(r.key, r.options.end, from - 1, from, false).length;
}
