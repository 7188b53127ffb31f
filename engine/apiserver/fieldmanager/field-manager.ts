/**
 * The field manager: computes an object's `metadata.managedFields` on every write, and performs
 * server-side apply. It mirrors upstream's chain of managers (k8s.io/apimachinery
 * pkg/util/managedfields/internal: NewDefaultFieldManager), each step a small function here:
 *
 *   versionCheck → lastAppliedUpdater → lastAppliedManager → skipNonApplied ("before-first-apply")
 *   → capManagers (10 update entries, the oldest merged into "ancient-changes") → buildManagerInfo
 *   → managedFieldsUpdater (time, "current-operation") → stripMeta → the structured merge (updater.ts)
 *
 * Two entry points, both pure (the clock is `options.now`), neither modifying its inputs:
 *
 * - `updateManagedFields(live, next, options)`: for a create (live undefined), update, or any
 *   non-apply patch. Returns `next` with its managedFields computed. Never fails: when the
 *   bookkeeping cannot be done, `next` keeps the live object's managedFields (UpdateNoErrors).
 * - `applyManagedFields(live, applied, options)`: for an apply patch (live undefined: create on
 *   apply). Returns the object to store, managedFields included, or throws an ApiError: 409 with
 *   the conflicts (ApplyConflictError), 400 for a configuration apply cannot take.
 */
import type { KubeObject } from '../../kube/types.ts';
import { ApiError } from '../../kube/errors.ts';
import { ApplyConflictError, type Conflict } from './conflict.ts';
import { cloneJSON, compareStrings, goJSON, nestedDeeperThan, rfc3339 } from './format.ts';
import { FieldSet } from './fieldset.ts';
import { decodeManagedFields, encodeManagedFields, entrySeconds, isResetManagedFields, type Managed, ManagedFieldsError, type ManagerEntry, managerIdentifier } from './managed.ts';
import { makePath } from './path.ts';
import { openapiResolver } from './openapi-resolver.ts';
import { createdFields } from './created.ts';
import { compare, formatTypedErrors, toFieldSet, validate } from './typed.ts';
import { type TypeNode, type TypeResolver, mapType, UNTYPED } from './types.ts';
import { applyConfiguration, Conflicts, updateOwnership, type UpdaterContext } from './updater.ts';

/** Update entries kept per object before the oldest merge into "ancient-changes" (DefaultMaxUpdateManagers). */
export const DEFAULT_MAX_UPDATE_MANAGERS = 10;

/** The entry the oldest updates merge into (capManagersManager). */
export const ANCIENT_CHANGES = 'ancient-changes';

/** The Update entry that owns what an object had before its first apply (skipNonAppliedManager). */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

/** kubectl's client-side apply annotation. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The manager `kubectl apply --server-side` uses: only it upgrades from client-side apply. */
export const KUBECTL_SERVER_SIDE_MANAGER = 'kubectl';

/**
 * Objects nested deeper than this are not walked (the walkers recurse; a JavaScript stack holds a
 * few thousand levels). Upstream's decoders stop at 10,000; no Kubernetes kind comes near either.
 */
export const MAX_NESTING_DEPTH = 1000;

/** Annotations of one object may total this many bytes (TotalAnnotationSizeLimitB). */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** What the manager of an update is called while its changes are computed (managedFieldsUpdater). */
const CURRENT_OPERATION = 'current-operation';

/** Fields never recorded as anyone's (stripMetaManager). */
const STRIPPED = FieldSet.of(
  makePath('apiVersion'),
  makePath('kind'),
  makePath('metadata'),
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => makePath('metadata', f)),
);

export interface FieldManagerOptions {
  /**
   * The manager: for an apply, the request's `fieldManager` (required); for other writes,
   * `managerOrUserAgent(fieldManager, userAgent)` (request.ts). Empty becomes "unknown".
   */
  manager: string;
  /** The apiVersion the kind is served at (`apps/v1`, `v1`). */
  apiVersion: string;
  kind: string;
  /** The subresource written ('status', 'scale'); empty or undefined for the object itself. */
  subresource?: string;
  /** The time of the write; entries record it to the second. */
  now: Date;
  /**
   * The fields this endpoint resets (the strategy's GetResetFields): writes there are owned by
   * nobody. The object itself: `[['status']]` for kinds with a status subresource; the status
   * subresource: `[['spec'], ['metadata', 'labels']]` for a Deployment, for example.
   */
  resetFields?: readonly (readonly string[])[];
  /** Types of the kinds; defaults to the one over upstream's OpenAPI (openapi-resolver.ts). */
  resolver?: TypeResolver;
  /** Update entries kept before merging the oldest (default 10). */
  maxUpdateManagers?: number;
}

export interface ApplyOptions extends FieldManagerOptions {
  /** `force=true` (`kubectl apply --server-side --force-conflicts`): take conflicting fields. */
  force: boolean;
}

export interface Context {
  readonly apiVersion: string;
  readonly kind: string;
  readonly subresource: string;
  readonly now: string;
  readonly maxUpdateManagers: number;
  readonly type: TypeNode;
  readonly zero: Record<string, unknown>;
  readonly updater: UpdaterContext;
}

const UNKNOWN_KIND: TypeNode = mapType({}, { elements: UNTYPED });

/** A kind's type and empty object, per resolver (kinds are few; both are read, never changed). */
const kindsByResolver = new WeakMap<TypeResolver, Map<string, { type: TypeNode; zero: Record<string, unknown> }>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function kindOf(resolver: TypeResolver, apiVersion: string, kind: string): { type: TypeNode; zero: Record<string, unknown> } {
  let kinds = kindsByResolver.get(resolver);
  if (!kinds) kindsByResolver.set(resolver, (kinds = new Map()));
  const key = `${apiVersion}/${kind}`;
  let found = kinds.get(key);
  if (!found) {
    const type = resolver.typeOf(apiVersion, kind) ?? UNKNOWN_KIND;
    const zero = deepFreeze({ apiVersion, kind, ...cloneJSON(resolver.zeroObject?.(apiVersion, kind) ?? {}) });
    found = { type, zero };
    kinds.set(key, found);
  }
  return found;
}

/** The reset fields as a set, per list (a kind passes the same list on every write). */
const resetSets = new WeakMap<readonly (readonly string[])[], FieldSet>();

function resetSetOf(resetFields: readonly (readonly string[])[] | undefined): FieldSet {
  if (!resetFields) return EMPTY_SET;
  let set = resetSets.get(resetFields);
  if (!set) resetSets.set(resetFields, (set = FieldSet.of(...resetFields.map((p) => makePath(...p)))));
  return set;
}

const EMPTY_SET = new FieldSet();

export function contextOf(options: FieldManagerOptions): Context {
  const { type, zero } = kindOf(options.resolver ?? openapiResolver, options.apiVersion, options.kind);
  return {
    apiVersion: options.apiVersion,
    kind: options.kind,
    subresource: options.subresource ?? '',
    now: rfc3339(options.now),
    maxUpdateManagers: options.maxUpdateManagers ?? DEFAULT_MAX_UPDATE_MANAGERS,
    type,
    zero,
    updater: { type, ignore: resetSetOf(options.resetFields) },
  };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function metadataOf(object: unknown): JsonObject {
  return isObject(object) && isObject(object.metadata) ? object.metadata : {};
}

/** A shallow copy of `object` with metadata.managedFields set (or removed when undefined). */
function withManagedFields<T extends JsonObject>(object: T, managedFields: unknown): T {
  const metadata = { ...metadataOf(object) };
  if (managedFields === undefined) delete metadata.managedFields;
  else metadata.managedFields = managedFields;
  return { ...object, metadata };
}

function tryDecode(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries);
  } catch (error) {
    if (error instanceof ManagedFieldsError) return new Map();
    throw error;
  }
}

/**
 * decodeLiveOrNew: the managers an update starts from. A request may set managedFields itself
 * (kubectl's migration to server-side apply does), or reset them with `[]`; a subresource write
 * cannot, and entries that do not decode are ignored in favour of the live object's.
 */
function startingManagers(live: JsonObject, next: JsonObject, isSubresource: boolean): Managed {
  const fromLive = () => tryDecode(metadataOf(live).managedFields);
  if (isSubresource) return fromLive();
  const sent = metadataOf(next).managedFields;
  if (isResetManagedFields(sent)) return new Map();
  try {
    const managed = decodeManagedFields(sent);
    return managed.size > 0 ? managed : fromLive();
  } catch (error) {
    if (error instanceof ManagedFieldsError) return fromLive();
    throw error;
  }
}

function template(ctx: Context, manager: string, operation: 'Apply' | 'Update'): Omit<ManagerEntry, 'set'> {
  return { manager: manager || 'unknown', operation, apiVersion: ctx.apiVersion, subresource: ctx.subresource, time: undefined };
}

/** stripMetaManager: the manager's set without the fields no one owns; dropped when empty. */
function stripMeta(managed: Managed, id: string): void {
  const entry = managed.get(id);
  if (!entry) return;
  const set = entry.set.difference(STRIPPED);
  if (set.isEmpty()) managed.delete(id);
  else managed.set(id, { ...entry, set });
}

/**
 * An ordinary write as `manager` (buildManagerInfo + managedFieldsUpdater + stripMeta +
 * structured update): the changed fields become the manager's, merged into its entry, and the
 * entry's time is now; a write that changes nothing the manager could own leaves entries as they are.
 */
function recordUpdate(live: JsonObject, next: JsonObject, managed: Managed, manager: string, ctx: Context): Managed {
  const base = template(ctx, manager, 'Update');
  const id = managerIdentifier(base);
  const out = updateOwnership(live, next, managed, CURRENT_OPERATION, base, ctx.updater);
  stripMeta(out, CURRENT_OPERATION);
  const current = out.get(CURRENT_OPERATION);
  if (current) {
    out.delete(CURRENT_OPERATION);
    const previous = out.get(id);
    out.set(id, { ...base, set: previous ? current.set.union(previous.set) : current.set, time: ctx.now });
  }
  return out;
}

/**
 * capManagersManager: at most `max` Update entries; the oldest are merged, per apiVersion, into an
 * "ancient-changes" entry that takes the time of the newest entry merged into it.
 */
function capUpdateManagers(managed: Managed, max: number): Managed {
  const updaters = [...managed.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return managed;
  updaters.sort(([ia, a], [ib, b]) => entrySeconds(a) - entrySeconds(b) || compareStrings(ia, ib));
  const out: Managed = new Map(managed);
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [id, entry] = updaters[i];
    const bucket = { manager: ANCIENT_CHANGES, operation: 'Update' as const, apiVersion: entry.apiVersion, subresource: '' };
    const bucketId = managerIdentifier(bucket);
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(entry.apiVersion, id);
      continue;
    }
    if (!out.has(bucketId)) {
      const moved = out.get(first)!;
      out.delete(first);
      out.set(bucketId, { ...moved, ...bucket });
    }
    const existing = out.get(bucketId)!;
    out.delete(id);
    out.set(bucketId, { ...bucket, set: entry.set.union(existing.set), time: entry.time });
    length--;
  }
  return out;
}

/** The update chain below skipNonApplied: record the write, then cap the update entries. */
function trackedUpdate(live: JsonObject, next: JsonObject, managed: Managed, manager: string, ctx: Context): Managed {
  return capUpdateManagers(recordUpdate(live, next, managed, manager, ctx), ctx.maxUpdateManagers);
}

/**
 * Managed fields for a create, update or non-apply patch. `live` is undefined for a create.
 * Call it with the object as it will be stored, after defaulting (upstream decodes with defaults),
 * before mutating admission.
 */
export function updateManagedFields<T extends KubeObject>(live: KubeObject | undefined, next: T, options: FieldManagerOptions): T {
  const ctx = contextOf(options);
  if (live === undefined) {
    const created = createdManagedFields(next as JsonObject, options.manager, ctx);
    if (created) return created as T;
  }
  return generalUpdate(live, next, ctx, options.manager);
}

/**
 * The fast path of a create whose body sets no managedFields (created.ts): the one entry the
 * general path would record, from one walk; undefined when the general path must answer. The
 * result shares the object's unchanged parts with `next` (which is not modified).
 */
function createdManagedFields(next: JsonObject, manager: string, ctx: Context): JsonObject | undefined {
  const sent = metadataOf(next).managedFields;
  if (sent !== undefined && sent !== null) return undefined;
  const stripped = withManagedFields(next, undefined);
  const fields = createdFields(ctx.zero, stripped, ctx.type, ctx.updater.ignore, MAX_NESTING_DEPTH);
  if (!fields) return undefined;
  const set = fields.difference(STRIPPED);
  if (set.isEmpty()) return stripped;
  const base = template(ctx, manager, 'Update');
  const managed: Managed = new Map([[managerIdentifier(base), { ...base, set, time: ctx.now }]]);
  return withManagedFields(stripped, encodeManagedFields(managed));
}

/** updateManagedFields without the fast path (the chain of managers, as upstream runs it). */
export function generalUpdate<T extends KubeObject>(live: KubeObject | undefined, next: T, ctx: Context, manager: string): T {
  const liveObject = (live ?? ctx.zero) as JsonObject;
  const isCreate = !metadataOf(live).uid;
  if (nestedDeeperThan(next, MAX_NESTING_DEPTH) || nestedDeeperThan(liveObject, MAX_NESTING_DEPTH)) {
    // Not tracked (UpdateNoErrors), and not copied: copying recurses too.
    return withManagedFields(next as JsonObject, metadataOf(live).managedFields) as T;
  }
  try {
    const managed = startingManagers(liveObject, next, ctx.subresource !== '');
    const stripped = withManagedFields(next as JsonObject, undefined);
    // skipNonAppliedManager: an existing object nobody manages stays untracked until an apply.
    if (managed.size === 0 && !isCreate) return cloneJSON(stripped) as T;
    const out = trackedUpdate(liveObject, stripped, managed, manager, ctx);
    return cloneJSON(withManagedFields(stripped, encodeManagedFields(out))) as T;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // UpdateNoErrors: the write goes on with the live object's managedFields.
    return cloneJSON(withManagedFields(next as JsonObject, metadataOf(live).managedFields)) as T;
  }
}

/** A GroupVersionKind as Go prints it: `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  return `${group}/${version}, Kind=${kind}`;
}

function describeObject(object: JsonObject): string {
  const meta = metadataOf(object);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return `${text(meta.namespace)}/${text(meta.name)}; ${gvkString(text(object.apiVersion), text(object.kind))}`;
}

function badRequest(message: string): ApiError {
  return new ApiError({ code: 400, reason: 'BadRequest', message });
}

/** An error of the server's own (an object it stored that it cannot read): a 500 without a reason, as upstream's plain errors become. */
function serverError(message: string): ApiError {
  return new ApiError({ code: 500, message });
}

/**
 * The structured-merge part of an apply (structuredMergeManager.Apply, with stripMeta and the
 * time of managedFieldsUpdater): returns the new object (undefined for a no-op) and managers.
 */
function applyAsManager(live: JsonObject, applied: JsonObject, managed: Managed, manager: string, force: boolean, ctx: Context): { object: JsonObject | undefined; managed: Managed } {
  const base = template(ctx, manager, 'Apply');
  const id = managerIdentifier(base);
  const result = applyConfiguration(live, applied, managed, id, base, force, ctx.updater);
  const out = result.managers;
  stripMeta(out, id);
  const entry = out.get(id);
  // The entry's time changes only when the object does (managed.Times() outlives the set).
  if (entry) out.set(id, { ...entry, time: result.object ? ctx.now : managed.get(id)?.time });
  return { object: result.object, managed: out };
}

/**
 * skipNonAppliedManager.Apply and below: an object no one manages is first given to
 * "before-first-apply", which owns everything it has, then the configuration is applied.
 */
function applyTracked(live: JsonObject, applied: JsonObject, managed: Managed, manager: string, force: boolean, ctx: Context): { object: JsonObject | undefined; managed: Managed } {
  let start = managed;
  if (start.size === 0) start = trackedUpdate(ctx.zero, live, start, BEFORE_FIRST_APPLY, ctx);
  return applyAsManager(live, applied, start, manager, force, ctx);
}

/**
 * The fields kubectl last applied client-side and that still hold their values
 * (lastAppliedManager.allowedConflictsFromLastApplied); undefined when there is no usable
 * annotation.
 */
function fieldsLastAppliedClientSide(live: JsonObject, ctx: Context): FieldSet | undefined {
  const annotations = metadataOf(live).annotations;
  const text = isObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== ctx.apiVersion) return undefined;
  if (validate(lastApplied, ctx.type, { allowDuplicates: false, unknownFields: 'refuse' }).length > 0) return undefined;
  const comparison = compare(lastApplied, live, ctx.type);
  return toFieldSet(lastApplied, ctx.type).difference(comparison.modified).difference(comparison.added).difference(comparison.removed);
}

/**
 * lastAppliedManager: `kubectl apply --server-side` on an object kubectl applied client-side
 * conflicts with kubectl-client-side-apply over the fields it applied then; those conflicts are
 * allowed (and the apply forced) when the fields still hold what the annotation says.
 */
function applyUpgradingClientSideApply(live: JsonObject, applied: JsonObject, managed: Managed, manager: string, force: boolean, ctx: Context): { object: JsonObject | undefined; managed: Managed } {
  try {
    return applyTracked(live, applied, managed, manager, force, ctx);
  } catch (error) {
    if (!(error instanceof Conflicts) || manager !== KUBECTL_SERVER_SIDE_MANAGER) throw error;
    const allowed = fieldsLastAppliedClientSide(live, ctx);
    if (!allowed) throw error;
    const remaining = error.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw new Conflicts(remaining);
    return applyTracked(live, applied, managed, manager, true, ctx);
  }
}

/** The annotation kubectl's client-side apply would write for `applied` (buildLastApplied). */
function lastAppliedConfiguration(applied: JsonObject): string {
  const copy = cloneJSON(applied);
  const meta = metadataOf(copy);
  if (isObject(meta.annotations)) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  return `${goJSON(copy, true)}\n`;
}

function annotationBytes(annotations: JsonObject): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : '');
  return total;
}

/**
 * lastAppliedUpdater: after `kubectl apply --server-side`, an object that still carries the
 * client-side annotation gets it rewritten to what was applied, so a later client-side apply
 * computes its patch from the right base. An annotation that would make the annotations too
 * large is dropped instead.
 */
function keepLastAppliedCurrent(object: JsonObject, applied: JsonObject, manager: string): JsonObject {
  if (manager !== KUBECTL_SERVER_SIDE_MANAGER) return object;
  const annotations = metadataOf(object).annotations;
  if (!isObject(annotations) || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string' || annotations[LAST_APPLIED_ANNOTATION] === '') return object;
  const next: JsonObject = { ...annotations, [LAST_APPLIED_ANNOTATION]: lastAppliedConfiguration(applied) };
  if (annotationBytes(next) > TOTAL_ANNOTATION_SIZE_LIMIT) delete next[LAST_APPLIED_ANNOTATION];
  return { ...object, metadata: { ...metadataOf(object), annotations: next } };
}

function conflictError(conflicts: readonly Conflict[]): ApplyConflictError {
  return new ApplyConflictError(conflicts);
}

/**
 * Server-side apply: `applied` (the body of an application/apply-patch+yaml PATCH) merged into
 * `live` (undefined: the object does not exist and the apply creates it). Returns the object to
 * store, with managedFields; the caller then runs admission, the strategy, validation and storage
 * as for any patch. Throws ApplyConflictError (409) on conflicts unless `force`; 400 when the
 * configuration is of another kind or version, sets managedFields, or is not of the kind's shape.
 */
export function applyManagedFields(live: KubeObject | undefined, applied: unknown, options: ApplyOptions): KubeObject {
  const ctx = contextOf(options);
  if (!isObject(applied)) {
    const what = Array.isArray(applied) ? 'array' : applied === null ? 'null' : typeof applied === 'number' ? 'number' : typeof applied;
    throw badRequest(`error decoding patch: json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  if (nestedDeeperThan(applied, MAX_NESTING_DEPTH)) throw badRequest(`error decoding patch: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  const liveObject = (live ?? ctx.zero) as JsonObject;
  if (nestedDeeperThan(liveObject, MAX_NESTING_DEPTH)) throw serverError(`failed to create typed live object (${describeObject(liveObject)}): exceeded max depth of ${MAX_NESTING_DEPTH}`);
  let managed: Managed;
  try {
    managed = decodeManagedFields(metadataOf(live).managedFields);
  } catch (error) {
    if (error instanceof ManagedFieldsError) throw serverError(`failed to decode managed fields: ${error.message}`);
    throw error;
  }
  // versionCheckManager
  if (applied.apiVersion !== ctx.apiVersion || applied.kind !== ctx.kind) {
    throw badRequest(`invalid object type: ${gvkString(typeof applied.apiVersion === 'string' ? applied.apiVersion : '', typeof applied.kind === 'string' ? applied.kind : '')}`);
  }
  // structuredMergeManager.Apply's checks on the configuration and the live object.
  if (metadataOf(applied).managedFields !== undefined && metadataOf(applied).managedFields !== null) throw badRequest('metadata.managedFields must be nil');
  const patchErrors = validate(applied, ctx.type, { allowDuplicates: false, unknownFields: 'refuse' });
  if (patchErrors.length > 0) {
    // Upstream answers 500 here (a plain error); kubernetes/kubernetes#139253 makes it the 400 it
    // is: the client's configuration is wrong. The message is upstream's.
    throw badRequest(`failed to create typed patch object (${describeObject(applied)}): ${formatTypedErrors(patchErrors)}`);
  }
  const liveErrors = validate(liveObject, ctx.type, { allowDuplicates: true, unknownFields: 'allow' });
  if (liveErrors.length > 0) throw serverError(`failed to create typed live object (${describeObject(liveObject)}): ${formatTypedErrors(liveErrors)}`);

  const stripped = withManagedFields(liveObject, undefined);
  let result: { object: JsonObject | undefined; managed: Managed };
  try {
    result = applyUpgradingClientSideApply(stripped, applied, managed, options.manager, options.force, ctx);
  } catch (error) {
    if (error instanceof Conflicts) throw conflictError(error.conflicts);
    throw error;
  }
  // managedFieldsUpdater: a no-op apply stores the live object, with the new ownership.
  const object = keepLastAppliedCurrent(result.object ?? stripped, applied, options.manager);
  return cloneJSON(withManagedFields(object, encodeManagedFields(result.managed))) as KubeObject;
}
