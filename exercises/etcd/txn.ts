/**
 * Exercise 01-etcd/03-txn: compare-and-swap.
 *
 * "Update this pod, but only if nobody changed it since I read it at revision 1042": the apiserver
 * turns every update of an object into exactly this transaction, a compare on the key's
 * mod_revision and a put. Optimistic concurrency in Kubernetes (resourceVersion, the 409 Conflict)
 * is built on it. This file evaluates the comparisons and runs one branch, atomically.
 *
 * You build on 01-mvcc: getAt, put, deleteRange and range from ./mvcc.ts do the writing and reading.
 *
 * The shapes (engine/etcd/kv.ts; TxnOutcome in engine/etcd/exercises.ts):
 *   request     { compare: Compare[], success: TxnOp[], failure: TxnOp[] }
 *   Compare     { key, target: 'value' | 'version' | 'createRevision' | 'modRevision' | 'lease',
 *                 result: '=' | '!=' | '<' | '>', value (a string for 'value', else a number) }
 *   TxnOp       { type: 'put', key, value, options?: { lease?, prevKv? } }
 *               | { type: 'delete', key, options?: { end?, prevKv? } }
 *               | { type: 'range', key, options?: RangeOptions }
 *   TxnOutcome  { succeeded, responses: one TxnOpResult per op, events: every WatchEvent written }
 *
 * Read: lessons/core/01-etcd/04-txn.md
 * Check: npx kubelings check 01-etcd/03-txn
 */
import { NotImplemented } from '#engine/errors.ts';
import { CompactedError, DuplicateKeyError, FutureRevisionError, type Compare, type TxnOpResult, type TxnRequest, type WatchEvent } from '#engine/etcd/kv.ts';
import type { TxnOutcome } from '#engine/etcd/exercises.ts';
import { inRange } from '#engine/etcd/sorted-keys.ts';
import type { MvccState } from '#engine/etcd/types.ts';
import { deleteRange, getAt, put, range } from './mvcc.ts';

/**
 * True when the comparison holds against the key as it is now (state.revision).
 *
 * `result` reads "the key's <target> <result> the given value": { target: 'modRevision',
 * result: '<', value: 7 } holds when the key's modRevision is below 7.
 *
 * Must hold:
 * - 'value' compares strings (the key's value against `value`);
 * - 'version', 'createRevision', 'modRevision', 'lease' compare numbers;
 * - a key that does not exist counts as version 0, createRevision 0, modRevision 0, lease 0 (so
 *   "version = 0" means "the key does not exist");
 * - but a 'value' comparison on a key that does not exist is false, whatever `result` is.
 */
export function compare(state: MvccState, c: Compare): boolean {
  // TODO: read the key with getAt, pick the target, apply the operator.
  throw new NotImplemented('01-etcd/03-txn', 'lessons/core/01-etcd/04-txn.md', 'compare()');
}

/**
 * Runs a transaction at revision `rev` (the caller passes state.revision + 1).
 *
 * Must hold:
 * - first, checks that could fail, before anything is written (all or nothing):
 *   - within `success`, and within `failure`, no key is put twice, and no key is both put and in
 *     a delete's range: otherwise throw new DuplicateKeyError() (the same key in both branches is
 *     fine, only one runs);
 *   - a range op of the branch that runs, with options.revision above state.revision, throws
 *     new FutureRevisionError(); below state.compactRevision (and not 0), new CompactedError(...);
 * - `succeeded` = every comparison holds (no comparisons: true); that branch's ops run in order;
 * - every write of the branch happens at the same `rev`, so the store's revision grows by one for
 *   the whole txn, and not at all when the branch writes nothing;
 * - one response per op, in order:
 *   - put: { type: 'put', revision: rev, prevKv? } (prevKv when op.options.prevKv and it existed);
 *   - delete: { type: 'delete', revision: state.revision after it, deleted: n, prevKvs? };
 *   - range: { type: 'range', ...range(state, key, options) }: a range after a write of this txn
 *     sees that write;
 * - `events`: every event the branch's writes made, in order.
 */
export function txn(state: MvccState, request: TxnRequest, rev: number): TxnOutcome {
  // TODO: check duplicates, choose the branch, validate its ranges, run its ops.
  throw new NotImplemented('01-etcd/03-txn', 'lessons/core/01-etcd/04-txn.md', 'txn()');
}
