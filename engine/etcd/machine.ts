/**
 * EtcdMachine: the store as one deterministic, synchronous state machine, assembled from the
 * learner's pieces (01-mvcc, 02-watch, 03-txn, 04-leases). The same sequence of write requests
 * applied to two machines gives the same state and the same answers: that is what lets the WAL
 * rebuild the store by applying its entries again.
 *
 * - `apply(request)` is the only way to change state. Requests are plain JSON (they go into the
 *   WAL). It throws a StoreError, without changing anything, for a request etcd would refuse.
 * - Time comes from `now()` (milliseconds) and is read only for lease grants and keep-alives;
 *   which leases expire is decided by the runner calling `expiredLeases()` and applying revokes.
 * - Watch responses go to the `send` callback of each watch synchronously, inside `apply`; the
 *   runner (store.ts) queues them so that callers' code never runs inside the machine.
 * - Every change is recorded in the watch log here; the learner's lease and watch code is called
 *   only when leases or watchers exist, so each exercise can pass before the later ones are done.
 */
import { KubelingsError } from '../errors.ts';
import type { EtcdExercises } from './exercises.ts';
import {
  EmptyKeyError,
  LeaseNotFoundError,
  StoreError,
  type DeleteResult,
  type KeyValue,
  type LeaseGrant,
  type PutResult,
  type RangeOptions,
  type RangeResult,
  type TxnOp,
  type TxnRequest,
  type TxnResult,
  type WatchEvent,
  type WatchOptions,
  type WatchResponse,
} from './kv.ts';
import { SortedKeys } from './sorted-keys.ts';
import type { Change, KeyRevision, LeaseTable, MvccState, WatchLog, WatchSpec } from './types.ts';

/** A write, as it is logged and applied. */
export type WriteRequest =
  | { op: 'put'; key: string; value: string; lease?: number; prevKv?: boolean }
  | { op: 'delete'; key: string; end?: string; prevKv?: boolean }
  | { op: 'txn'; txn: TxnRequest }
  | { op: 'compact'; revision: number }
  | { op: 'leaseGrant'; id: number; ttl: number }
  | { op: 'leaseRevoke'; id: number };

export type WriteResult = PutResult | DeleteResult | TxnResult | LeaseGrant | undefined;

/** The machine's state as JSON (snapshots). */
export interface MachineSnapshot {
  version: 1;
  revision: number;
  compactRevision: number;
  history: [string, KeyRevision[]][];
  changes: Change[];
  leases: { id: number; ttl: number; keys: string[] }[];
}

/** '' and undefined both mean "the single key", as in etcd's JSON. */
function normalizeEnd(end: string | undefined): string | undefined {
  return end === '' ? undefined : end;
}

function requireKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new EmptyKeyError();
}

export class EtcdMachine {
  readonly mvcc: MvccState;
  readonly log: WatchLog;
  readonly leases: LeaseTable;
  private readonly watchSpecs = new Map<number, WatchSpec>();
  private readonly watchSends = new Map<number, (response: WatchResponse) => void>();
  private nextWatchId = 1;

  constructor(
    private readonly parts: EtcdExercises,
    private readonly now: () => number,
    snapshot?: MachineSnapshot,
  ) {
    if (snapshot) {
      const history = new Map(snapshot.history);
      this.mvcc = { revision: snapshot.revision, compactRevision: snapshot.compactRevision, history, keys: new SortedKeys([...history.keys()].sort()) };
      this.log = { changes: snapshot.changes };
      const expiresAt = now(); // refreshed by the runner after recovery, as etcd's lessor does
      this.leases = { leases: new Map(snapshot.leases.map((l) => [l.id, { id: l.id, ttl: l.ttl, expiresAt, keys: new Set(l.keys) }])) };
    } else {
      this.mvcc = { revision: 1, compactRevision: 0, history: new Map(), keys: new SortedKeys() };
      this.log = { changes: [] };
      this.leases = { leases: new Map() };
    }
  }

  get revision(): number {
    return this.mvcc.revision;
  }

  /** Applies one write. Throws a StoreError (and changes nothing) when etcd would refuse it. */
  apply(request: WriteRequest): WriteResult {
    switch (request.op) {
      case 'put':
        return this.applyPut(request);
      case 'delete':
        return this.applyDelete(request);
      case 'txn':
        return this.applyTxn(request.txn);
      case 'compact':
        this.parts.compact(this.mvcc, this.log, request.revision);
        return undefined;
      case 'leaseGrant': {
        const lease = this.parts.grantLease(this.leases, request.id, request.ttl, this.now());
        return { id: lease.id, ttl: lease.ttl };
      }
      case 'leaseRevoke': {
        const keys = this.parts.revokeLease(this.leases, request.id);
        const rev = this.mvcc.revision + 1;
        const events: WatchEvent[] = [];
        for (const key of keys) events.push(...this.parts.deleteRange(this.mvcc, key, undefined, rev));
        if (events.length > 0) this.afterWrite(rev, events, 'revoking a lease');
        return undefined;
      }
      default:
        throw new StoreError(`unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
    }
  }

  private applyPut(request: Extract<WriteRequest, { op: 'put' }>): PutResult {
    requireKey(request.key);
    const lease = request.lease ?? 0;
    if (lease !== 0 && !this.leases.leases.has(lease)) throw new LeaseNotFoundError(lease);
    const rev = this.mvcc.revision + 1;
    const event = this.parts.put(this.mvcc, request.key, request.value, lease, rev);
    this.afterWrite(rev, [event], 'put()');
    return request.prevKv && event.prevKv ? { revision: rev, prevKv: event.prevKv } : { revision: rev };
  }

  private applyDelete(request: Extract<WriteRequest, { op: 'delete' }>): DeleteResult {
    requireKey(request.key);
    const rev = this.mvcc.revision + 1;
    const events = this.parts.deleteRange(this.mvcc, request.key, normalizeEnd(request.end), rev);
    if (events.length > 0) this.afterWrite(rev, events, 'deleteRange()');
    const result: DeleteResult = { revision: this.mvcc.revision, deleted: events.length };
    if (request.prevKv) result.prevKvs = events.map((e) => e.prevKv).filter((kv): kv is KeyValue => kv !== undefined);
    return result;
  }

  private applyTxn(request: TxnRequest): TxnResult {
    const txn: TxnRequest = {
      compare: request.compare ?? [],
      success: (request.success ?? []).map(normalizeOp),
      failure: (request.failure ?? []).map(normalizeOp),
    };
    for (const c of txn.compare) requireKey(c.key);
    for (const op of [...txn.success, ...txn.failure]) requireKey(op.key);
    // Leases named by the branch that will run must exist (etcd checks this before applying).
    const branch = txn.compare.every((c) => this.parts.compare(this.mvcc, c)) ? txn.success : txn.failure;
    for (const op of branch) {
      const lease = op.type === 'put' ? (op.options?.lease ?? 0) : 0;
      if (lease !== 0 && !this.leases.leases.has(lease)) throw new LeaseNotFoundError(lease);
    }
    const rev = this.mvcc.revision + 1;
    const outcome = this.parts.txn(this.mvcc, txn, rev);
    if (outcome.events.length > 0) this.afterWrite(rev, outcome.events, 'txn()');
    return { succeeded: outcome.succeeded, revision: this.mvcc.revision, responses: outcome.responses };
  }

  /** Lease bookkeeping and watch delivery after a write that changed something at `rev`. */
  private afterWrite(rev: number, events: WatchEvent[], what: string): void {
    if (this.mvcc.revision !== rev) {
      throw new KubelingsError(
        `${what} wrote at revision ${rev} but left the store's revision at ${this.mvcc.revision}: ` + `a write that changes something makes its revision the store's revision (state.revision = rev).`,
      );
    }
    const change = { revision: rev, events };
    this.log.changes.push(change);
    // Lease and watch work only when there are leases and watchers: a store that uses neither
    // needs nothing from 02-watch and 04-leases (so 01-mvcc can be done first, alone).
    if (this.leases.leases.size > 0) this.parts.trackLeaseKeys(this.leases, events);
    if (this.watchSpecs.size === 0) return;
    const deliveries = this.parts.publish(this.mvcc, change, this.watchSpecs.values());
    for (const { watchId, response } of deliveries) this.watchSends.get(watchId)?.(response);
  }

  range(key: string, options: RangeOptions = {}): RangeResult {
    requireKey(key);
    return this.parts.range(this.mvcc, key, { ...options, end: normalizeEnd(options.end) });
  }

  /** Opens a watch; its history (if any) is sent before this returns. CompactedError when compacted. */
  watch(key: string, options: WatchOptions, send: (response: WatchResponse) => void): number {
    requireKey(key);
    const id = this.nextWatchId++;
    const spec: WatchSpec = {
      id,
      key,
      end: normalizeEnd(options.end),
      nextRevision: options.startRevision && options.startRevision > 0 ? options.startRevision : this.mvcc.revision + 1,
      prevKv: options.prevKv ?? false,
    };
    const replay = this.parts.startWatch(this.log, this.mvcc, spec);
    this.watchSpecs.set(id, spec);
    this.watchSends.set(id, send);
    if (replay) send(replay);
    return id;
  }

  cancelWatch(id: number): void {
    this.watchSpecs.delete(id);
    this.watchSends.delete(id);
  }

  get watchCount(): number {
    return this.watchSpecs.size;
  }

  keepAlive(id: number): LeaseGrant {
    const lease = this.parts.keepAlive(this.leases, id, this.now());
    return { id: lease.id, ttl: lease.ttl };
  }

  expiredLeases(): number[] {
    if (this.leases.leases.size === 0) return [];
    return this.parts.expiredLeases(this.leases, this.now());
  }

  hasLease(id: number): boolean {
    return this.leases.leases.has(id);
  }

  /** Gives every lease a full TTL from now (after recovery: time spent down does not count). */
  refreshLeases(): void {
    const now = this.now();
    for (const lease of this.leases.leases.values()) lease.expiresAt = now + lease.ttl * 1000;
  }

  toSnapshot(): MachineSnapshot {
    return {
      version: 1,
      revision: this.mvcc.revision,
      compactRevision: this.mvcc.compactRevision,
      history: [...this.mvcc.history],
      changes: this.log.changes,
      leases: [...this.leases.leases.values()].map((l) => ({ id: l.id, ttl: l.ttl, keys: [...l.keys] })),
    };
  }
}

/** Fills in what JSON callers may leave out of a txn op (etcd's JSON omits empty fields). */
function normalizeOp(op: TxnOp): TxnOp {
  if (op.type === 'delete' || op.type === 'range') return { ...op, options: { ...op.options, end: normalizeEnd(op.options?.end) } };
  return op;
}
