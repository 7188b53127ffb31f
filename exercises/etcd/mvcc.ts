/**
 * Exercise 01-etcd/01-mvcc: revisions, versions and ranges.
 *
 * etcd never overwrites a value: every write adds a new revision of the key, and a read names the
 * revision it wants to see. This file keeps that history and answers reads from it.
 *
 * The data (see engine/etcd/types.ts):
 *   state.revision          the store's revision: 1 when empty, +1 per write that changed something
 *   state.history.get(key)  the key's revisions, oldest first: { revision, kv } for a put,
 *                           { revision } with no kv (a tombstone) for a delete
 *   state.keys              every key of history, sorted (a SortedKeys, engine/etcd/sorted-keys.ts):
 *                           state.keys.between(key, end) walks [key, end) in order (end
 *                           undefined: just `key`; '\0': to the end); has(k), insert(k) and
 *                           delete(k) keep it in step with history
 *
 * The shapes (engine/etcd/kv.ts):
 *   KeyValue     { key, value, createRevision, modRevision, version, lease (0: none) }
 *   WatchEvent   { type: 'PUT' | 'DELETE', kv: KeyValue, prevKv?: KeyValue }: what a write did,
 *                as watchers (exercise 02) will receive it
 *   RangeOptions { end?, revision?, limit?, countOnly?, keysOnly? } and
 *   RangeResult  { kvs, count, more, revision }: see range() below
 *
 * Read: lessons/core/01-etcd/02-mvcc.md
 * Check: npx kubelings check 01-etcd/01-mvcc
 */
import { NotImplemented } from '#engine/errors.ts';
import { CompactedError, FutureRevisionError, type KeyValue, type RangeOptions, type RangeResult, type WatchEvent } from '#engine/etcd/kv.ts';
import type { MvccState } from '#engine/etcd/types.ts';

/**
 * The key as it was at `revision`, or undefined when it did not exist then.
 *
 * Must hold:
 * - the answer is the last entry of the key's history written at or before `revision`;
 * - when that entry is a tombstone (no `kv`), or there is none, the key did not exist: undefined.
 */
export function getAt(state: MvccState, key: string, revision: number): KeyValue | undefined {
  // TODO: find the key's last revision <= `revision` and return its kv.
  throw new NotImplemented('01-etcd/01-mvcc', 'lessons/core/01-etcd/02-mvcc.md', 'getAt()');
}

/**
 * Writes `value` under `key` at revision `rev` and returns the PUT event.
 *
 * The caller picks `rev` (state.revision + 1; every write of one txn gets the same rev).
 *
 * Must hold:
 * - kv.modRevision = rev; kv.lease = lease;
 * - a key that does not exist now (never written, or deleted last) starts over:
 *   createRevision = rev and version = 1;
 * - otherwise createRevision stays, version = previous version + 1, and the event's `prevKv` is
 *   the key-value before this put;
 * - the new entry is appended to the key's history; a new key goes into state.keys;
 * - state.revision = rev afterwards.
 */
export function put(state: MvccState, key: string, value: string, lease: number, rev: number): WatchEvent {
  // TODO: append { revision: rev, kv } to the key's history, update state.keys and state.revision.
  throw new NotImplemented('01-etcd/01-mvcc', 'lessons/core/01-etcd/02-mvcc.md', 'put()');
}

/**
 * Deletes every key in [key, end) that exists now, at revision `rev`; returns one DELETE event per
 * deleted key, in key order.
 *
 * Must hold:
 * - each deleted key gets a tombstone `{ revision: rev }` at the end of its history;
 * - the event is { type: 'DELETE', kv: { key, value: '', createRevision: 0, modRevision: rev,
 *   version: 0, lease: 0 }, prevKv: the key-value it had };
 * - keys that are already deleted are skipped;
 * - when something was deleted, state.revision = rev; when nothing was, nothing changes at all
 *   (not even the revision) and the result is [].
 */
export function deleteRange(state: MvccState, key: string, end: string | undefined, rev: number): WatchEvent[] {
  // TODO: walk state.keys.between(key, end) and leave a tombstone on each key that exists.
  throw new NotImplemented('01-etcd/01-mvcc', 'lessons/core/01-etcd/02-mvcc.md', 'deleteRange()');
}

/**
 * Reads the keys in [key, options.end) (just `key` when there is no end) as they were at
 * `options.revision` (0 or omitted: state.revision).
 *
 * Must hold:
 * - a revision above state.revision throws new FutureRevisionError();
 * - a revision below state.compactRevision throws new CompactedError(state.compactRevision);
 * - `kvs` in key order; `count` = how many keys exist in the range at that revision;
 * - `limit` (> 0) keeps only the first `limit` key-values, and then `more` says whether some
 *   were left out;
 * - `countOnly`: no kvs (and more: false), only the count; `keysOnly`: values become '';
 * - `revision` in the result is the store's current revision (state.revision), whatever was read.
 */
export function range(state: MvccState, key: string, options: RangeOptions = {}): RangeResult {
  // TODO: check the revision, then collect getAt(state, k, at) for each k in state.keys.between(key, options.end).
  throw new NotImplemented('01-etcd/01-mvcc', 'lessons/core/01-etcd/02-mvcc.md', 'range()');
}
