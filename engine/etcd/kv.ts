/**
 * Changes since the interface was first pinned (all additive, except one doc correction):
 * - watch(): the doc said a watch fails "at or below" the compacted revision; etcd fails it only
 *   BELOW (a watch from exactly the compacted revision works; checked against etcd 3.4). Fixed.
 * - WatchResponse.compactRevision (optional): a remote etcd can end a watch that fell behind
 *   compaction; the built-in store never sends it.
 * - WatchResponse.ended (optional): a remote etcd's watch stream can end for other reasons (etcd
 *   stopped, the connection broke); the built-in store never sends it.
 * - New errors: LeaseExistsError, EmptyKeyError (etcd's own messages).
 * - leaseGrant clamps a TTL below LEASE_MIN_TTL_SECONDS (engine/params.ts, 2 s as etcd 3.4's
 *   default) up to it, as etcd does; the returned `ttl` says what was granted.
 *
 * KVStore: the cluster's store, modelled on the etcd v3 API (etcdserverpb KV, Watch and Lease
 * services). The apiserver is the only component that talks to it, and it uses only this interface,
 * so the learner's store, the reference store and a real etcd (through its JSON gateway) are
 * interchangeable.
 *
 * Semantics are etcd's own:
 * - one global `revision`, starting at 1 for an empty store, bumped once by every write that changes
 *   something (a put, a delete that deletes, a txn that writes: one revision for the whole txn);
 * - per key: `createRevision` (when this incarnation was created), `modRevision` (last write),
 *   `version` (writes since creation: 1 on create, reset when the key is deleted);
 * - ranges are over [key, end) in byte order; `end` = prefixEnd(key) for a prefix;
 * - reading at a past revision sees the store as it was; below the compacted revision that fails with
 *   CompactedError ("mvcc: required revision has been compacted"); above the current revision with
 *   FutureRevisionError ("mvcc: required revision is a future revision");
 * - a watch from `startRevision` first replays every event after startRevision - 1 in order, then
 *   live events; events of one revision arrive together, in the order the txn made them;
 * - a key attached to a lease is deleted when the lease expires or is revoked (one revision for all
 *   of the lease's keys).
 * Every method is async: a durable store acknowledges a write only once it is on disk.
 */

/** One key's state at a revision (mvccpb.KeyValue). */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
  /** Lease id, 0 for none. */
  lease: number;
}

export interface RangeOptions {
  /** Exclusive end of the range; omitted means the single key. Use prefixEnd(key) for a prefix. */
  end?: string;
  /** Read the store as it was at this revision (0 or omitted: the current one). */
  revision?: number;
  /** At most this many keys (0 or omitted: no limit); `more` says whether some were left out. */
  limit?: number;
  /** Return only the count, no key-values. */
  countOnly?: boolean;
  /** Return keys without values. */
  keysOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** How many keys are in the range (before `limit`). */
  count: number;
  more: boolean;
  /** The store's revision when the read was served (the response header's revision). */
  revision: number;
}

export interface PutOptions {
  lease?: number;
  /** Return the previous key-value, if any. */
  prevKv?: boolean;
}

export interface PutResult {
  revision: number;
  prevKv?: KeyValue;
}

export interface DeleteOptions {
  end?: string;
  prevKv?: boolean;
}

export interface DeleteResult {
  revision: number;
  deleted: number;
  prevKvs?: KeyValue[];
}

/** A comparison in a transaction's guard (etcdserverpb.Compare). */
export type Compare =
  { key: string; target: 'value'; result: CompareResult; value: string } | { key: string; target: 'version' | 'createRevision' | 'modRevision' | 'lease'; result: CompareResult; value: number };

export type CompareResult = '=' | '!=' | '<' | '>';

/** One operation of a transaction branch (etcdserverpb.RequestOp). */
export type TxnOp =
  { type: 'put'; key: string; value: string; options?: PutOptions } | { type: 'delete'; key: string; options?: DeleteOptions } | { type: 'range'; key: string; options?: RangeOptions };

export type TxnOpResult = ({ type: 'put' } & PutResult) | ({ type: 'delete' } & DeleteResult) | ({ type: 'range' } & RangeResult);

export interface TxnRequest {
  compare: Compare[];
  success: TxnOp[];
  failure: TxnOp[];
}

export interface TxnResult {
  /** True when every comparison held (the success branch ran). */
  succeeded: boolean;
  revision: number;
  responses: TxnOpResult[];
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  /** For DELETE: the key with modRevision = the deletion's revision and empty value. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface WatchOptions {
  end?: string;
  /** Replay events from this revision on (0 or omitted: only events after the current revision). */
  startRevision?: number;
  prevKv?: boolean;
}

/** A batch of events, all of one or more consecutive revisions, in order. */
export interface WatchResponse {
  events: WatchEvent[];
  /** The store's revision when the batch was sent. */
  revision: number;
  /**
   * Set (with no events) when the server ended the watch because the revisions it still needed
   * were compacted away; nothing follows it. Only a remote etcd sends this (a watcher that fell
   * behind); the built-in store fails such a watch up front with CompactedError.
   */
  compactRevision?: number;
  /**
   * Set (with no events) when the watch ended for any other reason than cancel(): a remote etcd
   * went away or closed the stream. Says why; nothing follows it. The built-in store never sends it.
   */
  ended?: string;
}

export interface Watcher {
  /** Stops the watch; no event arrives after cancel() returns. */
  cancel(): void;
}

export interface LeaseGrant {
  id: number;
  /** Seconds. */
  ttl: number;
}

/** The store. See the file header for the semantics every implementation keeps. */
export interface KVStore {
  /** The current revision. */
  revision(): Promise<number>;
  range(key: string, options?: RangeOptions): Promise<RangeResult>;
  put(key: string, value: string, options?: PutOptions): Promise<PutResult>;
  delete(key: string, options?: DeleteOptions): Promise<DeleteResult>;
  txn(request: TxnRequest): Promise<TxnResult>;
  /**
   * Starts a watch. Fails with CompactedError when startRevision is below the compacted revision
   * (from exactly the compacted revision works, as in etcd). `onResponse` is called with batches in revision order, never concurrently.
   */
  watch(key: string, options: WatchOptions, onResponse: (response: WatchResponse) => void): Promise<Watcher>;
  /**
   * Forgets history before `revision`; reads and watches below it fail with CompactedError.
   * Compacting at or below the current compacted revision fails with CompactedError, above the
   * current revision with FutureRevisionError.
   */
  compact(revision: number): Promise<void>;
  /**
   * Grants a lease (id chosen by the store when omitted or 0). LeaseExistsError when the id is taken.
   * A TTL below the minimum (2 s) is raised to it, as etcd does; the result says what was granted.
   */
  leaseGrant(ttlSeconds: number, id?: number): Promise<LeaseGrant>;
  /** Deletes the lease and every key attached to it. LeaseNotFoundError when unknown. */
  leaseRevoke(id: number): Promise<void>;
  /** Restarts the lease's countdown. LeaseNotFoundError when unknown or expired. */
  leaseKeepAlive(id: number): Promise<LeaseGrant>;
  /** Releases resources (files, timers). */
  close(): Promise<void>;
}

/** The exclusive end of the range of every key that starts with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: string): string {
  // Increment the last code unit that is not the maximum; drop the ones after it.
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return '\0'; // etcd: a range end of "\0" means "to the end of the keyspace"
}

/** Base of the store's errors; `code` matches etcd's gRPC error text. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** "mvcc: required revision has been compacted" */
export class CompactedError extends StoreError {
  override name = 'CompactedError';
  constructor(readonly compactRevision: number) {
    super('mvcc: required revision has been compacted');
  }
}

/** "mvcc: required revision is a future revision" */
export class FutureRevisionError extends StoreError {
  override name = 'FutureRevisionError';
  constructor() {
    super('mvcc: required revision is a future revision');
  }
}

/** "etcdserver: requested lease not found" */
export class LeaseNotFoundError extends StoreError {
  override name = 'LeaseNotFoundError';
  constructor(readonly id: number) {
    super('etcdserver: requested lease not found');
  }
}

/** "etcdserver: duplicate key given in txn request" (a txn branch writing a key twice). */
export class DuplicateKeyError extends StoreError {
  override name = 'DuplicateKeyError';
  constructor() {
    super('etcdserver: duplicate key given in txn request');
  }
}

/** "etcdserver: lease already exists" */
export class LeaseExistsError extends StoreError {
  override name = 'LeaseExistsError';
  constructor(readonly id: number) {
    super('etcdserver: lease already exists');
  }
}

/** "etcdserver: key is not provided" (an empty key). */
export class EmptyKeyError extends StoreError {
  override name = 'EmptyKeyError';
  constructor() {
    super('etcdserver: key is not provided');
  }
}
