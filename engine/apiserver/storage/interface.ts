/**
 * The storage layer's interface (upstream's k8s.io/apiserver/pkg/storage.Interface with the
 * Cacher in front): the only code that touches the KVStore is behind it. The generic registry
 * (../registry/) calls it; the HTTP handlers never do.
 *
 * Reads and writes of one object go through the learner's registry (02-registry: keys, identity,
 * optimistic concurrency with txn); lists and watches are served from the watch cache where
 * upstream 1.32 serves them (see list.ts), and from the store otherwise.
 *
 * Errors are ApiErrors: NotFound, AlreadyExists, Conflict (StaleObjectError when an update's
 * resourceVersion is stale, so callers can retry without reading the message), 410 Expired for a
 * revision compacted away, 400 for one in the future, 504 for one the cache does not reach in time.
 */
import type { RegistryDeleteOptions, RegistryDeleteResult } from '../exercises.ts';
import { ApiError } from '../../kube/errors.ts';
import type { ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject, Status, WatchEvent } from '../../kube/types.ts';

/** A list of one resource, in one namespace or all. */
export interface StorageListOptions {
  /** '' or absent: every namespace. */
  namespace?: string;
  /** Which objects the list wants (its label and field selectors). */
  matches(object: KubeObject): boolean;
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** A continue token from an earlier page. */
  continue?: string;
  /** '' (the latest, consistent), '0' (any: the cache as it is), or a revision. */
  resourceVersion: string;
  /** '', 'NotOlderThan' or 'Exact'. */
  resourceVersionMatch?: string;
}

export interface StorageListResult {
  items: KubeObject[];
  /** The revision the list was read at. */
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface StorageWatchOptions {
  namespace?: string;
  matches(object: KubeObject): boolean;
  /** '' or '0': start with every current object as ADDED; a revision: the changes after it. */
  resourceVersion: string;
  allowBookmarks: boolean;
}

/** Where a watch's events go. */
export interface WatchSink {
  /** Events to send, in order. */
  send(events: WatchEvent[]): void;
  /** The watch ended (after an ERROR event). */
  end(): void;
  /** A bug in the code that decides what a watcher is sent: the watch ends. */
  fail(error: unknown, where: string): void;
}

/**
 * A watch ready to start. start() sends the initial events (or the history since the requested
 * revision) synchronously, then every change as it happens, until the returned stop() is called.
 * Nothing happens between the preparation and start() that could be missed: no change is applied
 * while a caller writes its response headers, because that is synchronous too.
 */
export interface PreparedWatch {
  start(sink: WatchSink): () => void;
}

/** How a create is written. */
export interface StorageCreateOptions {
  /** Do everything but the write (dryRun=All): the object as it would be stored, without resourceVersion. */
  dryRun?: boolean;
  /**
   * The identity the generic registry already gave the object (upstream's
   * FillObjectMetaSystemFields): the registry's create is given this uid and clock, so what it
   * stores is what prepareForCreate and validation saw.
   */
  identity?: { uid: string; now: number };
}

/** How an update is written. */
export interface StorageUpdateOptions {
  /**
   * 'status': only the status changes (what the registry's status update keeps);
   * 'status-and-metadata': the object exactly as given, status included: a status write whose
   * managedFields changed too, written as one change.
   */
  subresource?: 'status' | 'status-and-metadata';
  /** Do everything but the write: the object as it would be stored, at the resourceVersion it was based on. */
  dryRun?: boolean;
}

export interface Storage {
  get(kind: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(kind: ResourceInfo, options: StorageListOptions): Promise<StorageListResult>;
  create(kind: ResourceInfo, object: KubeObject, options?: StorageCreateOptions): Promise<KubeObject>;
  /** With `subresource: 'status'` only the status changes. */
  update(kind: ResourceInfo, object: KubeObject, options?: StorageUpdateOptions): Promise<KubeObject>;
  delete(kind: ResourceInfo, namespace: string | undefined, name: string, options?: RegistryDeleteOptions): Promise<RegistryDeleteResult>;
  /** Removes every object of every namespaced kind in the namespace, at once. */
  purgeNamespace(namespace: string): Promise<void>;
  /**
   * Writes the object exactly as given, if it is still at its resourceVersion (StaleObjectError
   * otherwise), with none of the registry's rules: for a lifecycle the registry contract does not
   * cover (a Namespace, marked deleted while spec.finalizers keeps it). The object as stored.
   */
  writeThrough(kind: ResourceInfo, object: KubeObject): Promise<KubeObject>;
  /** Removes the object if it is still at `resourceVersion` (StaleObjectError otherwise), with none of the registry's rules. */
  removeAt(kind: ResourceInfo, namespace: string | undefined, name: string, resourceVersion: string): Promise<void>;
  watch(kind: ResourceInfo, options: StorageWatchOptions): Promise<PreparedWatch>;
  /** The objects of a kind as the watch cache holds them now (shared: never modify them). */
  cached(kind: ResourceInfo): readonly KubeObject[];
}

/** A Conflict because the object changed since the resourceVersion the update was based on. */
export class StaleObjectError extends ApiError {
  override name = 'StaleObjectError';

  constructor(status: Status) {
    super(status);
  }
}
