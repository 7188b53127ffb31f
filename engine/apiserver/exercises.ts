/**
 * What the learner builds in lesson 02 "the apiserver". `exercises/apiserver/index.ts` (stubs) and
 * `solutions/apiserver/index.ts` (reference) both export an object that `satisfies` this interface.
 * The engine's apiserver calls every one of these through `loadComponent('apiserver')`: routing
 * and the patches from the request path (engine/apiserver/endpoints/), validation from the generic
 * registry (engine/apiserver/registry/), the registry, pages and the watch cache from the storage
 * layer (engine/apiserver/storage/). So `cluster up --impl exercises:apiserver` serves kubectl with
 * the learner's own routing, registry, validation, list/watch and patch code.
 *
 * Errors: functions refuse a request by throwing the ApiError helpers of engine/kube/errors.ts
 * (notFound, alreadyExists, conflict, badRequest, tooOldResourceVersion, ...); field problems are
 * returned as StatusCauses built with engine/kube/field-errors.ts.
 */
import type { KVStore } from '../etcd/kv.ts';
import type { ResourceInfo } from '../kube/resource-info.ts';
import type { SchemaNode } from '../kube/schema-nodes.ts';
import type { KubeObject, ObjectMeta, PodSpec, StatusCause, WatchEvent } from '../kube/types.ts';

// ---------------------------------------------------------------------------------------------
// 01-routing

/** What a request asks for, as k8s.io/apiserver's RequestInfoFactory reads it from the URL. */
export interface RequestInfo {
  /** True for /api/... and /apis/... paths that name a resource; false for /version, /healthz, /api. */
  isResourceRequest: boolean;
  /** The path without the query string. */
  path: string;
  /**
   * Resource requests: get, list, watch, create, update, patch, delete, deletecollection.
   * Other requests: the HTTP method in lowercase (get, post, ...).
   */
  verb: string;
  /** `api` (core group), `apis` (named groups), or '' for other requests. */
  apiPrefix: string;
  /** '' for the core group. */
  apiGroup: string;
  apiVersion: string;
  /** '' for cluster-scoped resources and for lists across every namespace. */
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** The path segments from the resource on: [pods, nginx, log]. */
  parts: string[];
}

// ---------------------------------------------------------------------------------------------
// 02-registry

export interface RegistryOptions {
  /** The clock, in milliseconds since the epoch: creationTimestamp and deletionTimestamp. */
  now(): number;
  /** A fresh uid for each created object. */
  newUid(): string;
  /** Five random characters appended to generateName (`web-` becomes `web-x7k2p`). */
  randomSuffix(): string;
}

export interface RegistryDeleteOptions {
  /** Seconds to wait before the object is really gone (pods); 0 deletes at once. */
  gracePeriodSeconds?: number;
  /** The delete happens only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface RegistryDeleteResult {
  /** The object as it was deleted, or as it is now while it waits (deletionTimestamp set). */
  object: KubeObject;
  /** True when the object is gone from the store; false when it is marked and still there. */
  deleted: boolean;
}

/**
 * Objects in and out of a KVStore, one at a time: the part of the storage layer that keys,
 * identifies and writes objects with optimistic concurrency (upstream: the etcd3 store's Create,
 * Get, GuaranteedUpdate and Delete, with the generic registry's BeforeCreate identity). The
 * engine's generic registry calls it after defaults, admission and validation; lists and watches
 * come from the watch cache beside it.
 */
export interface Registry {
  /** Stores a new object; AlreadyExists when the name is taken. */
  create(info: ResourceInfo, object: KubeObject): Promise<KubeObject>;
  /** The object, with resourceVersion = the store's modRevision of its key; NotFound when absent. */
  get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
  /**
   * Replaces an object. With `subresource: 'status'` only the status changes; otherwise the status
   * is kept as stored. Conflict when the object's resourceVersion is stale.
   */
  update(info: ResourceInfo, object: KubeObject, options?: { subresource?: 'status' }): Promise<KubeObject>;
  /** Deletes an object, at once or gracefully (see RegistryDeleteResult). */
  delete(info: ResourceInfo, namespace: string | undefined, name: string, options?: RegistryDeleteOptions): Promise<RegistryDeleteResult>;
}

// ---------------------------------------------------------------------------------------------
// 03-validation

/**
 * Which naming rule an object's name follows: most kinds a DNS-1123 subdomain (`web.v2`);
 * namespaces a DNS-1123 label (`team-a`); Services a DNS-1035 label (starts with a letter);
 * RBAC kinds a path segment (anything but `.`, `..` and names containing `/` or `%`, so
 * `system:controller:x` is fine). Each kind's definition says which (engine/kube/kinds/).
 */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

export interface ObjectMetaRules {
  /** True for namespaced resources: metadata.namespace is required; false: it is forbidden. */
  namespaced: boolean;
  nameRule: NameRule;
}

// ---------------------------------------------------------------------------------------------
// 04-list-watch

/** One term of a field selector: `status.phase!=Running`. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** What a continue token carries: where the next page starts, and at which revision. */
export interface ContinueToken {
  resourceVersion: number;
  /** The first key (relative to the collection's prefix) of the next page. */
  startKey: string;
}

/** An object with its key relative to the collection's prefix (`default/nginx`). */
export interface KeyedObject {
  key: string;
  object: KubeObject;
}

export interface ListPageRequest {
  /** At most this many items; 0 or absent: all. */
  limit?: number;
  /** A continue token from a previous page. */
  continue?: string;
}

export interface ListPage {
  items: KubeObject[];
  /** Set when more items follow: the token that fetches them. */
  continue?: string;
  /** How many items follow this page (set with `continue`). */
  remainingItemCount?: number;
}

/** One change as the watch cache records it. */
export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object after the change (for DELETED: as it was deleted), resourceVersion set. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  prevObject?: KubeObject;
  /** The store revision of the change. */
  revision: number;
}

/** The recent history and current state of one resource, kept in memory (the apiserver's cacher). */
export interface WatchCache {
  /** Resets to `objects`, the state at `revision`, with no history. */
  replace(objects: KubeObject[], revision: number): void;
  /** Records one change (revisions only grow) and applies it to the state. */
  apply(event: CacheEvent): void;
  /** Every object now. */
  list(): KubeObject[];
  /** The revision of the last change applied, or of the last replace. */
  revision(): number;
  /**
   * Every recorded change with a revision above `resourceVersion`, oldest first. Throws
   * tooOldResourceVersion (410 Expired) when changes after it have already been dropped.
   */
  eventsSince(resourceVersion: number): CacheEvent[];
}

export interface WatchStreamOptions {
  /** Which objects this watcher wants (its label and field selectors). */
  matches(object: KubeObject): boolean;
  /** The client sent allowWatchBookmarks=true. */
  allowBookmarks: boolean;
  /** Milliseconds between bookmarks. */
  bookmarkIntervalMs: number;
  /** The time the watch started, in milliseconds. */
  now: number;
  /** The revision the watcher is at when the stream starts. */
  resourceVersion: number;
  /** For the bookmark's object: `v1`, `Pod`. */
  apiVersion: string;
  kind: string;
}

/** What one watcher is sent: changes as its selectors see them, and bookmarks when it asked. */
export interface WatchStream {
  /** The events to send for one change (none, or one). */
  onEvent(event: CacheEvent): WatchEvent[];
  /** The events to send because time passed (a BOOKMARK, or none). */
  tick(now: number): WatchEvent[];
}

// ---------------------------------------------------------------------------------------------

export interface ApiserverExercises {
  /** 01-routing: what a request asks for, from its method and URL (path and query). */
  parseRequestInfo(method: string, url: string): RequestInfo;

  /** 02-registry: the storage layer over a KVStore. */
  createRegistry(store: KVStore, options: RegistryOptions): Registry;

  /** 03-validation: the pod spec with Kubernetes' defaults filled in (a new object). */
  defaultPodSpec(spec: PodSpec): PodSpec;
  /** 03-validation: problems with an object's metadata (paths start at `metadata.`). */
  validateObjectMeta(meta: ObjectMeta, rules: ObjectMetaRules): StatusCause[];
  /** 03-validation: problems with a pod spec; `path` is where it sits (`spec`, `spec.template.spec`). */
  validatePodSpec(spec: PodSpec, path: string): StatusCause[];
  /** 03-validation: the paths of fields the schema does not know (`spec.containers[0].imagee`). */
  findUnknownFields(value: unknown, schema: SchemaNode): string[];

  /** 04-list-watch: parse `status.phase=Running,spec.nodeName!=`; badRequest when malformed. */
  parseFieldSelector(text: string): FieldRequirement[];
  /** 04-list-watch: true when `fields` satisfies every requirement. */
  matchesFields(requirements: FieldRequirement[], fields: Record<string, string>): boolean;
  /** 04-list-watch: read a continue token; badRequest when it is not one. */
  decodeContinue(token: string): ContinueToken;
  /** 04-list-watch: one page of `items` (sorted by key, all read at `resourceVersion`). */
  paginate(items: KeyedObject[], request: ListPageRequest, resourceVersion: number): ListPage;
  /** 04-list-watch: a watch cache keeping the last `capacity` changes. */
  createWatchCache(capacity: number): WatchCache;
  /** 04-list-watch: what one watcher is sent. */
  createWatchStream(options: WatchStreamOptions): WatchStream;

  /** 05-patch: RFC 7386 JSON merge patch (`application/merge-patch+json`). */
  applyMergePatch(target: unknown, patch: unknown): unknown;
  /** 05-patch: RFC 6902 JSON patch (`application/json-patch+json`); badRequest / 422 on bad input. */
  applyJsonPatch(target: unknown, operations: unknown): unknown;
  /** 05-patch: strategic merge patch (`application/strategic-merge-patch+json`), lists merged by key. */
  applyStrategicMergePatch(target: unknown, patch: unknown, schema: SchemaNode): unknown;
  /** 05-patch: server-side apply as create-or-merge: the object to store. */
  applyServerSide(existing: KubeObject | undefined, applied: KubeObject, schema: SchemaNode): KubeObject;
}
