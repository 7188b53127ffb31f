/**
 * Exercise 01-etcd/03-txn: compare-and-swap.
 *
 * "Update this pod, but only if nobody changed it since I read it at revision 1042": the apiserver
 * turns every update of an object into exactly this transaction, a compare on the key's
 * mod_revision and a put. Optimistic concurrency in Kubernetes (resourceVersion, the 409 Conflict)
 * is built on it. This file evaluates the comparisons and runs one branch, atomically.
 *
 * Read: lessons/core/01-etcd/04-txn.md
 * Check: npx kubelings check 01-etcd/03-txn
 */
import { CompactedError, DuplicateKeyError, FutureRevisionError, type Compare, type TxnOp, type TxnOpResult, type TxnRequest, type WatchEvent } from '#engine/etcd/kv.ts';
import type { TxnOutcome } from '#engine/etcd/exercises.ts';
import { inRange } from '#engine/etcd/sorted-keys.ts';
import type { MvccState } from '#engine/etcd/types.ts';
import { deleteRange, getAt, put, range } from './mvcc.ts';

/** True when the comparison holds against the key's current state. */
export function compare(state: MvccState, c: Compare): boolean {
  const kv = getAt(state, c.key, state.revision);
  let order: number; // <0: the key's side is smaller, 0: equal, >0: greater
  if (c.target === 'value') {
    if (!kv) return false; // a missing key has no value to compare, whatever the operator
    order = kv.value < c.value ? -1 : kv.value > c.value ? 1 : 0;
  } else {
    const actual = kv ? kv[c.target] : 0; // a missing key has version, revisions and lease 0
    order = actual - c.value;
  }
  switch (c.result) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
  }
}

/** etcd's rule: within one branch, no key may be put twice or put and deleted. */
function checkDuplicates(ops: readonly TxnOp[]): void {
  const puts = new Set<string>();
  const deletes = ops.filter((op) => op.type === 'delete');
  for (const op of ops) {
    if (op.type !== 'put') continue;
    if (puts.has(op.key)) throw new DuplicateKeyError();
    if (deletes.some((d) => inRange(op.key, d.key, d.options?.end || undefined))) throw new DuplicateKeyError();
    puts.add(op.key);
  }
}

/** Runs a transaction at revision `rev`: every op of one branch, or nothing when it is invalid. */
export function txn(state: MvccState, request: TxnRequest, rev: number): TxnOutcome {
  checkDuplicates(request.success);
  checkDuplicates(request.failure);
  const succeeded = request.compare.every((c) => compare(state, c));
  const ops = succeeded ? request.success : request.failure;

  // Validate before writing anything: a txn is all or nothing.
  for (const op of ops) {
    const at = op.type === 'range' ? (op.options?.revision ?? 0) : 0;
    if (at > state.revision) throw new FutureRevisionError();
    if (at > 0 && at < state.compactRevision) throw new CompactedError(state.compactRevision);
  }

  const responses: TxnOpResult[] = [];
  const events: WatchEvent[] = [];
  for (const op of ops) {
    if (op.type === 'put') {
      const event = put(state, op.key, op.value, op.options?.lease ?? 0, rev);
      events.push(event);
      responses.push(op.options?.prevKv && event.prevKv ? { type: 'put', revision: rev, prevKv: event.prevKv } : { type: 'put', revision: rev });
    } else if (op.type === 'delete') {
      const deleted = deleteRange(state, op.key, op.options?.end || undefined, rev);
      events.push(...deleted);
      const result: TxnOpResult = { type: 'delete', revision: state.revision, deleted: deleted.length };
      if (op.options?.prevKv) result.prevKvs = deleted.map((e) => e.prevKv!);
      responses.push(result);
    } else {
      // A range after a write of this txn sees it: state.revision is already `rev` then.
      responses.push({ type: 'range', ...range(state, op.key, op.options ?? {}) });
    }
  }
  return { succeeded, responses, events };
}
