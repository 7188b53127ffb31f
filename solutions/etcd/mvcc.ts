/**
 * Exercise 01-etcd/01-mvcc: revisions, versions and ranges.
 *
 * etcd never overwrites a value: every write adds a new revision of the key, and a read names the
 * revision it wants to see. This file keeps that history and answers reads from it.
 *
 * Read: lessons/core/01-etcd/02-mvcc.md
 * Check: npx kubelings check 01-etcd/01-mvcc
 */
import { CompactedError, FutureRevisionError, type KeyValue, type RangeOptions, type RangeResult, type WatchEvent } from '#engine/etcd/kv.ts';
import type { KeyRevision, MvccState } from '#engine/etcd/types.ts';

/** The key as it was at `revision`, or undefined when it did not exist then. */
export function getAt(state: MvccState, key: string, revision: number): KeyValue | undefined {
  const revisions = state.history.get(key);
  if (!revisions) return undefined;
  // The last entry written at or before `revision` tells; a tombstone (no kv) means "deleted".
  for (let i = revisions.length - 1; i >= 0; i--) {
    const entry = revisions[i]!;
    if (entry.revision <= revision) return entry.kv;
  }
  return undefined;
}

/** Writes `value` under `key` at revision `rev` and makes `rev` the store's revision. */
export function put(state: MvccState, key: string, value: string, lease: number, rev: number): WatchEvent {
  let revisions = state.history.get(key);
  if (!revisions) {
    revisions = [];
    state.history.set(key, revisions);
    state.keys.insert(key);
  }
  const prev = revisions.at(-1)?.kv;
  const kv: KeyValue = {
    key,
    value,
    createRevision: prev ? prev.createRevision : rev,
    modRevision: rev,
    version: prev ? prev.version + 1 : 1,
    lease,
  };
  revisions.push({ revision: rev, kv });
  state.revision = rev;
  return prev ? { type: 'PUT', kv, prevKv: prev } : { type: 'PUT', kv };
}

/** Deletes every existing key in [key, end) at revision `rev`; one DELETE event per key. */
export function deleteRange(state: MvccState, key: string, end: string | undefined, rev: number): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const k of state.keys.between(key, end)) {
    const revisions = state.history.get(k)!;
    const prev = revisions.at(-1)?.kv;
    if (!prev) continue; // already deleted
    const tombstone: KeyRevision = { revision: rev };
    revisions.push(tombstone);
    events.push({
      type: 'DELETE',
      kv: { key: k, value: '', createRevision: 0, modRevision: rev, version: 0, lease: 0 },
      prevKv: prev,
    });
  }
  if (events.length > 0) state.revision = rev;
  return events;
}

/** Reads [key, end) at `options.revision` (or the current revision). */
export function range(state: MvccState, key: string, options: RangeOptions = {}): RangeResult {
  const at = options.revision || state.revision;
  if (at > state.revision) throw new FutureRevisionError();
  if (at < state.compactRevision) throw new CompactedError(state.compactRevision);

  const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
  const kvs: KeyValue[] = [];
  let count = 0;
  for (const k of state.keys.between(key, options.end)) {
    const kv = getAt(state, k, at);
    if (!kv) continue;
    count++;
    if (options.countOnly || kvs.length >= limit) continue;
    kvs.push(options.keysOnly ? { ...kv, value: '' } : kv);
  }
  return { kvs, count, more: count > kvs.length && !options.countOnly, revision: state.revision };
}
