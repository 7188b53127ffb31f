/**
 * What a kind is, in one place: everything the apiserver, the client and the tables need to know
 * about one resource, after upstream's per-kind registry (pkg/registry/<group>/<kind>/: the
 * strategy's PrepareForCreate, Validate, ValidateUpdate; the generic registry.Store's
 * NewFunc/TableConvertor/ReturnDeletedObject; the REST storage's subresources) as plain data and
 * hooks. One file per kind under engine/kube/kinds/<group>/ exports one KindDefinition; the list
 * is engine/kube/kinds/index.ts. Discovery, OpenAPI, routing, the client's resource resolution,
 * the tables, field selectors, protobuf decoding, defaulting, validation and admission are all
 * derived from it.
 *
 * A kind is either stored (the usual case: get, list, watch, create, update, patch, delete through
 * the generic registry and the storage layer) or virtual (create only, never stored: bindings and
 * access reviews), told apart by `virtual`.
 *
 * Hooks are pure, or reach other objects only through the narrow contexts below, so a kind file
 * never touches the store, the HTTP request, or the server's modules. Hooks never modify their
 * inputs unless they say so (admission hooks change the object they are given, as upstream's
 * mutating admission does).
 */
import type { AuthorizationAttributes, AuthorizationDecision, Authorizer, UserInfo } from '../../apiserver/auth.ts';
import type { NameRule, RegistryDeleteOptions, RegistryDeleteResult } from '../../apiserver/exercises.ts';
import type { Printer } from '../printers.ts';
import type { ProtobufMessage } from '../protobuf.ts';
import type { ResourceInfo, SubresourceInfo } from '../resource-info.ts';
import type { SchemaNode } from '../schema-nodes.ts';
import type { KubeObject, LabelSelector, PodSpec, StatusCause, StringMap } from '../types.ts';
import type { QuantityFunctions } from '../validation/quantity.ts';

export type { QuantityFunctions };

/**
 * What kinds call on the learner's code: the 03-validation pod spec defaults and validation
 * (through the loaded apiserver component; validatePodSpec also runs the engine's checks of the
 * rest of upstream's ValidatePodSpec), label selector matching and resource quantities (the
 * objects component). Object metadata is validated for every kind by the generic registry, not by
 * the kinds.
 */
export interface StrategyFunctions {
  defaultPodSpec(spec: PodSpec): PodSpec;
  validatePodSpec(spec: PodSpec, path: string): StatusCause[];
  matchesSelector(selector: LabelSelector, labels: StringMap): boolean;
  /** Resource quantities (the objects component's 03-quantities): validation, quota and limit arithmetic. */
  quantities: QuantityFunctions;
}

/** A field an update may not change: `field is immutable` at `path` when it differs from the stored one. */
export interface ImmutableField {
  /** Dotted path from the object's root: `spec.selector`, `type`. */
  path: string;
  /** The value as Go prints it in the message (%#v of the field's type: `v1.LabelSelector{...}`); default: as a JSON scalar or Go's %q of a string. */
  show?(value: unknown): string;
}

export type { NameRule };

/**
 * The kind's strategy (rest.RESTCreateStrategy / RESTUpdateStrategy). Create runs, in order (see
 * engine/apiserver/registry/generic.ts): the client's status dropped (`resetStatusOnCreate`),
 * defaults, managedFields, admission, the identity (uid, creationTimestamp, a name from
 * generateName), prepareForCreate, metadata validation (the learner's validateObjectMeta with
 * `nameRule`), validate, canonicalize. Update runs defaults, managedFields, admission, metadata
 * validation, validateUpdate (or validate when there is none), the immutableFields checks, then
 * canonicalize.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** How metadata.name is checked; default dns1123-subdomain. */
  nameRule?: NameRule;
  /**
   * PrepareForCreate: the kind's own changes to a new object once it has its identity (uid,
   * creationTimestamp, name) and has been admitted: a Job's generated selector, `status: {}`.
   * Returns a new object.
   */
  prepareForCreate?(object: T): T;
  /** Defaulting (SetObjectDefaults_<Kind> and the defaulting admission plugins); returns a new object. */
  defaults?(object: T, fns: StrategyFunctions): T;
  /** Validate: the kind's own field errors on create. */
  validate?(object: T, fns: StrategyFunctions): StatusCause[];
  /** ValidateUpdate: every field error on update, the stored object at hand (default: validate). */
  validateUpdate?(object: T, old: T, fns: StrategyFunctions): StatusCause[];
  /** Fields no update may change, checked after validateUpdate. */
  immutableFields?: ImmutableField[];
  /**
   * Canonicalize: the last change before storage, after validation, on create and update (a
   * Namespace's `kubernetes.io/metadata.name` label, kept equal to its name). Returns a new object.
   */
  canonicalize?(object: T): T;
  /** The status strategy's ValidateUpdate: field errors of a write to the status subresource. */
  validateStatusUpdate?(object: T, old: T, fns: StrategyFunctions): StatusCause[];
}

/** A field path as a list of names: `['metadata', 'labels']`. */
export type FieldPath = readonly string[];

/**
 * The fields each endpoint of a kind resets (the strategy's GetResetFields): a write there is
 * owned by no field manager, because the endpoint puts back what was stored. `object`: writes to
 * the object itself (`[['status']]` when the kind has a status subresource); `status`: writes to
 * the status subresource (everything but the status: `[['spec']]`, plus, for some kinds,
 * `['metadata', 'labels']`).
 */
export interface ResetFields {
  object: readonly FieldPath[];
  status: readonly FieldPath[];
}

/** How a field selector reads one field of an object (the kind's GetAttrs): its value as a string. */
export type FieldReader<T extends KubeObject = KubeObject> = (object: T) => string;

/** What admission hooks may look at besides the object: the watch cache, the store, the clock. */
export interface AdmissionEnvironment {
  /** The objects of a kind as the watch cache holds them now (shared: never modify them). */
  cached(kind: ResourceInfo): readonly KubeObject[];
  /** The objects of a kind in a namespace as stored now (a consistent read, not the cache). */
  list(kind: ResourceInfo, namespace: string): Promise<KubeObject[]>;
  /** Writes an object's status (optimistic: a stale resourceVersion is a Conflict), as ResourceQuota admission charges a quota. */
  updateStatus(kind: ResourceInfo, object: KubeObject): Promise<KubeObject>;
  /** The learner's functions (selectors, quantities). */
  fns: StrategyFunctions;
  /** The stored kind serving a group's resource (`apps`, `deployments`), if any. */
  resolve(group: string, resource: string): ResourceInfo | undefined;
  now(): number;
  /** The Service ClusterIP range (the apiserver's --service-cluster-ip-range), a CIDR. */
  serviceClusterIPRange: string;
}

/**
 * A kind's admission (the plugins and allocators that apply to it: Priority, the Service IP and
 * NodePort allocators, NamespaceLifecycle's immortal namespaces). Created once per apiserver, so
 * the hooks may keep state (an allocator's reservations). `create` and `update` may change the
 * object in place (mutating admission) and refuse by throwing an ApiError (validating admission).
 */
export interface AdmissionHooks<T extends KubeObject = KubeObject> {
  /** Mutating admission of a new object (before validation). */
  create?(object: T): void | Promise<void>;
  /**
   * Validating admission of a new object, after its validation (LimitRanger's checks); may refuse
   * by throwing, never changes the object. `dryRun`: nothing may be written.
   */
  validateCreate?(object: T, dryRun: boolean): void | Promise<void>;
  update?(object: T, old: T): void | Promise<void>;
  delete?(namespace: string | undefined, name: string): void | Promise<void>;
}

/** Objects as subresource handlers and virtual kinds reach them: the storage layer, no admission. */
export interface ObjectAccess {
  get(kind: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
  /** Every object of a kind in a namespace ('' for every namespace), as stored now. */
  list(kind: ResourceInfo, namespace: string): Promise<KubeObject[]>;
  /** With `subresource: 'status'` only the status is written. */
  update(kind: ResourceInfo, object: KubeObject, options?: { subresource?: 'status' }): Promise<KubeObject>;
  delete(kind: ResourceInfo, namespace: string | undefined, name: string, options?: RegistryDeleteOptions): Promise<RegistryDeleteResult>;
  now(): number;
  /** The learner's functions kinds call (label selectors, pod spec defaults and validation). */
  fns: StrategyFunctions;
}

/** What a kind's own delete (see KindDefinition.delete) may do. */
export interface DeleteContext extends ObjectAccess {
  /** Removes every object of every namespaced kind in the namespace, at once (no grace, no finalizers). */
  purgeNamespace(namespace: string): Promise<void>;
  /** Writes the object as given if it is still at its resourceVersion, without the registry's rules (a Namespace marked Terminating). */
  writeThrough(kind: ResourceInfo, object: KubeObject): Promise<KubeObject>;
  /** Removes the object if it is still at `resourceVersion`, without the registry's rules. */
  removeAt(kind: ResourceInfo, namespace: string | undefined, name: string, resourceVersion: string): Promise<void>;
}

/** Where a streaming subresource (pods/log) is read from: an HTTP GET the apiserver proxies. */
export interface StreamLocation {
  host: string;
  port: number;
  /** Path and query. */
  path: string;
}

/** The object a subresource request is about: its kind (the parent resource), namespace and name. */
export interface SubresourceTarget {
  kind: ResourceInfo;
  namespace: string;
  name: string;
  /** The request's `dryRun=All`: nothing may be written. */
  dryRun?: boolean;
}

/**
 * What a subresource does beyond being listed in discovery:
 * - `status`: writes go to the status only (the registry's status update);
 * - `scale`: an autoscaling/v1 Scale view of spec.replicas and the selector;
 * - `create`: a POST with a body of the subresource's kind (pods/binding, pods/eviction);
 * - `stream`: a GET proxied to a location the kind computes (pods/log, from the pod's node);
 * - `connect`: an upgrade (WebSocket or SPDY) proxied to a location the kind computes (pods/exec,
 *   pods/attach, pods/portforward), or any request under it (nodes/proxy/<path>);
 * - `unavailable`: refused with 400 and a message saying why (exec without a container runtime).
 * Without `serve` the subresource is served as its parent object (placeholders such as
 * namespaces/finalize and nodes/proxy).
 */
export type SubresourceHandler =
  | { type: 'status' }
  | { type: 'scale' }
  | { type: 'create'; create(access: ObjectAccess, target: SubresourceTarget & { name?: string }, body: KubeObject): Promise<unknown> }
  | { type: 'stream'; location(access: ObjectAccess, target: SubresourceTarget, query: URLSearchParams): Promise<StreamLocation> }
  | { type: 'connect'; upgrade: boolean; location(access: ObjectAccess, target: SubresourceTarget, query: URLSearchParams, rest: string): Promise<StreamLocation> }
  | { type: 'unavailable'; message: string };

export interface SubresourceDefinition extends SubresourceInfo {
  serve?: SubresourceHandler;
  /** The protobuf message of the body a `create` subresource takes, when kubectl sends it in protobuf. */
  protobuf?: ProtobufMessage;
}

/** What an access review (or another virtual kind) may consult to answer a create. */
export interface VirtualContext extends ObjectAccess {
  /** Who sent the request. */
  user: UserInfo;
  authorize(attributes: AuthorizationAttributes): Promise<AuthorizationDecision>;
  rulesFor: Authorizer['rulesFor'];
}

interface KindBase extends ResourceInfo {
  subresources: SubresourceDefinition[];
  /** The definition name in upstream's OpenAPI spec: `io.k8s.api.core.v1.Pod`. */
  openApiName: string;
  /** The structural schema (unknown fields, the decoder's type check, strategic merge keys); absent: open. */
  schema?: SchemaNode;
  /** The protobuf message kubectl sends for this kind; absent: JSON and YAML bodies only. */
  protobuf?: ProtobufMessage;
}

/**
 * A version of a kind that is stored as another version of it (autoscaling/v1
 * HorizontalPodAutoscaler, stored as autoscaling/v2): storage reads and writes `kind`, converting
 * each object on the way in (`toStored`) and out (`fromStored`).
 */
export interface StorageVersion {
  kind: StoredKind;
  toStored(object: KubeObject): KubeObject;
  fromStored(object: KubeObject): KubeObject;
}

/** A kind kept in the store: the usual case. */
export interface StoredKind extends KindBase {
  virtual?: false;
  /** Stored as another version of the kind, converted both ways (absent: stored as served). */
  storedAs?: StorageVersion;
  strategy: Strategy;
  /** Field selectors beyond metadata.name and metadata.namespace, and how to read each. */
  fields: Record<string, FieldReader>;
  /** What each endpoint resets, for managedFields (defineKind: status, or spec on the status subresource). */
  resetFields: ResetFields;
  /** The Table printer (`kubectl get`); default NAME and CREATED AT. */
  printer?: Printer;
  /** Admission for this kind, created once per apiserver. */
  admission?(env: AdmissionEnvironment): AdmissionHooks;
  /** A delete answers with the object (pods), not with a Status (genericregistry.Store.ReturnDeletedObject). */
  returnDeletedObject?: boolean;
  /** Replaces the generic delete, as the namespace's own REST Delete does upstream. */
  delete?(ctx: DeleteContext, name: string): Promise<RegistryDeleteResult>;
  /**
   * ShouldDeleteDuringUpdate, for a kind with a lifecycle of its own while it is being deleted (a
   * Namespace waits for spec.finalizers): with it, every write to such an object that is marked
   * deleted is stored as given, and the object is removed once this returns true for the result.
   */
  deleteOnUpdate?(object: KubeObject): boolean;
  /** DefaultGarbageCollectionPolicy OrphanDependents: a DELETE without a propagationPolicy orphans (batch/v1 Jobs, for compatibility). */
  orphanDependentsByDefault?: boolean;
  /** Objects every cluster has from the start (created when missing, at each apiserver start). */
  bootstrap?: KubeObject[];
}

/** A kind that accepts create only and is never stored (bindings, access reviews). */
export interface VirtualKind extends KindBase {
  virtual: true;
  /** Answers a create; the result is sent with 201. */
  create(ctx: VirtualContext, namespace: string, body: KubeObject): Promise<unknown>;
}

export type KindDefinition = StoredKind | VirtualKind;
