/**
 * What the learner builds in lesson 01 "etcd": the store as a deterministic, synchronous state
 * machine. `exercises/etcd/index.ts` (stubs) and `solutions/etcd/index.ts` (reference) both export
 * an object that `satisfies` this interface. The engine (machine.ts, store.ts) reaches these
 * functions only through the door, `loadComponent('etcd')`, and wraps them into the async KVStore
 * the apiserver uses, adding the clock, the timers and the files.
 *
 * No function here reads the clock, starts a timer or touches a file: time comes in as `now`
 * (milliseconds), and bytes come in and go out as Uint8Arrays. That keeps every test exact.
 */
import type { Compare, KeyValue, RangeOptions, RangeResult, TxnOpResult, TxnRequest, WatchEvent, WatchResponse } from './kv.ts';
import type { Change, DecodedLog, Lease, LeaseTable, MvccState, RecoveryPlan, SegmentFile, SnapshotFile, WatchLog, WatchSpec } from './types.ts';

/** What a transaction did (03-txn). */
export interface TxnOutcome {
  succeeded: boolean;
  /** One result per operation of the branch that ran, in order. */
  responses: TxnOpResult[];
  /** Every change the branch made, in order (empty when it only read). */
  events: WatchEvent[];
}

/** A response for one watcher, as `publish` addresses it (02-watch). */
export interface Delivery {
  watchId: number;
  response: WatchResponse;
}

/** 05-wal: the group-commit queue (one flush at a time; each flush takes every waiting record). */
export interface CommitQueue {
  /** Records waiting for a flush. */
  readonly waiting: number;
  /** True while a flush is in progress. */
  readonly flushing: boolean;
  /** Queues one encoded record; returns its ticket: 1 for the first record, then 2, 3, ... */
  add(record: Uint8Array): number;
  /**
   * Starts a flush when none is in progress and records wait: returns the bytes to write (waiting
   * records in order, as many as fit in `maxBatchBytes`, and always at least one) and the ticket of
   * the last record they hold. Otherwise returns undefined.
   */
  startFlush(): { bytes: Uint8Array; lastTicket: number } | undefined;
  /** The flush in progress reached the disk: ends it and returns the last ticket now durable. */
  finishFlush(): number;
}

export interface EtcdExercises {
  // ---- 01-mvcc: revisions, versions and ranges ----

  /** The key as it was at `revision`, or undefined when it did not exist then. */
  getAt(state: MvccState, key: string, revision: number): KeyValue | undefined;
  /**
   * Writes `value` under `key` at revision `rev` (the caller passes state.revision + 1; the writes
   * of one txn share one rev) and makes `rev` the store's revision. Returns the PUT event, with
   * `prevKv` when the key existed.
   */
  put(state: MvccState, key: string, value: string, lease: number, rev: number): WatchEvent;
  /**
   * Deletes every existing key in [key, end) at revision `rev`; returns one DELETE event per key,
   * in key order. When nothing existed, changes nothing (not even the revision) and returns [].
   */
  deleteRange(state: MvccState, key: string, end: string | undefined, rev: number): WatchEvent[];
  /** Reads [key, end) at `options.revision` (or now), with limit, countOnly and keysOnly. */
  range(state: MvccState, key: string, options: RangeOptions): RangeResult;

  // ---- 02-watch: history, live events and compaction ----

  /**
   * Opens a watch: fails with CompactedError when the watcher wants a revision that compaction
   * removed; otherwise returns the history it missed (undefined when none) and moves the watcher's
   * `nextRevision` past it.
   */
  startWatch(log: WatchLog, state: MvccState, watcher: WatchSpec): WatchResponse | undefined;
  /**
   * A write made `change` (the engine has already recorded it in the log): returns what each
   * watcher must receive because of it, and moves their nextRevision on.
   */
  publish(state: MvccState, change: Change, watchers: Iterable<WatchSpec>): Delivery[];
  /** Forgets history before `revision` in both the key space and the watch log. */
  compact(state: MvccState, log: WatchLog, revision: number): void;

  // ---- 03-txn: compare-and-swap ----

  /** True when the comparison holds against the key's current state. */
  compare(state: MvccState, compare: Compare): boolean;
  /** Runs a transaction at revision `rev`: all of one branch, or nothing when it is invalid. */
  txn(state: MvccState, request: TxnRequest, rev: number): TxnOutcome;

  // ---- 04-leases: time-to-live ----

  /** Grants lease `id` for `ttl` seconds from `now` (ms). LeaseExistsError when it exists. */
  grantLease(table: LeaseTable, id: number, ttl: number, now: number): Lease;
  /** Restarts the lease's countdown from `now`. LeaseNotFoundError when unknown or expired. */
  keepAlive(table: LeaseTable, id: number, now: number): Lease;
  /** Forgets the lease and returns its keys (sorted), which the caller deletes. LeaseNotFoundError when unknown. */
  revokeLease(table: LeaseTable, id: number): string[];
  /** The ids of the leases expired at `now`, soonest first. */
  expiredLeases(table: LeaseTable, now: number): number[];
  /** Keeps each lease's key set up to date after a write's events (attach on put, detach on delete or re-put). */
  trackLeaseKeys(table: LeaseTable, events: readonly WatchEvent[]): void;

  // ---- 05-wal: durability ----

  /** Frames a payload as one record: length, CRC-32 of the payload, CRC-32 of those 8 bytes, payload. */
  encodeRecord(payload: Uint8Array): Uint8Array;
  /**
   * Reads records back; drops a torn last record; WalCorruptError (with the bad record's offset)
   * for a header whose checksum fails, or a damaged record before the end.
   */
  decodeRecords(bytes: Uint8Array): DecodedLog;
  /** A group-commit queue that batches at most `maxBatchBytes` per flush (one record always fits). */
  createCommitQueue(maxBatchBytes: number): CommitQueue;
  /**
   * From the files on disk: the snapshot to load, the entries to apply after it, and the steps to
   * run first (keep aside, then cut, a torn tail; keep aside, then remove, a damaged snapshot).
   */
  planRecovery(snapshots: readonly SnapshotFile[], segments: readonly SegmentFile[]): RecoveryPlan;
}
