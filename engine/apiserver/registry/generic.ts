/**
 * The generic registry (upstream's k8s.io/apiserver/pkg/registry/generic/registry.Store): one
 * object for every kind, which runs each kind's definition (engine/kube/kinds/) around the storage
 * layer. The HTTP handlers talk only to this.
 *
 *   create: the client's status dropped → defaults → managedFields → admission → identity (uid,
 *           creationTimestamp, a name from generateName) → prepareForCreate → validation →
 *           canonicalize → validating admission (LimitRanger, ResourceQuota) → storage.create (upstream's BeforeCreate names the object before
 *           validating it, so `generateName: Bad_` is refused for the prefix and for the name
 *           made from it)
 *   update: defaults → managedFields (against the stored object) → admission → validation (with
 *           the stored object) → canonicalize → storage.update
 *           (a status update: defaults → the stored object with the new status → managedFields
 *           with subresource "status" → the status strategy's validation → storage.update of the status, and of managedFields)
 *   delete: admission → the kind's own delete, or the garbage collection finalizers the
 *           propagationPolicy asks for (deletion.ts) → storage.delete
 *   a kind with deleteOnUpdate (Namespace): writes to it while it is marked deleted are stored as
 *           given, and it is removed once deleteOnUpdate says so (upstream's ShouldDeleteDuringUpdate)
 *   list, watch, deleteCollection: the selectors as a predicate → storage
 *
 * managedFields follow upstream's call sites (handlers/create.go, update.go, patch.go): every
 * create and update records its manager (engine/apiserver/fieldmanager); a server-side apply has
 * computed them already (`applied`). Dry run (`dryRun=All`) does everything but the write, and
 * returns what would have been stored: identity, defaults and managedFields included.
 * Subresources with behaviour (binding, log) and virtual kinds (access reviews) get the storage
 * layer through ObjectAccess, as upstream's subresource REST storages use the store directly.
 */
import { randomUUID } from 'node:crypto';
import type { Authorizer, UserInfo } from '../auth.ts';
import { canonical as canonicalJson } from '../../kube/canonical.ts';
import { conflict, invalid, isApiError } from '../../kube/errors.ts';
import type { DeleteContext, ObjectAccess, StoredKind, StrategyFunctions, StreamLocation, SubresourceDefinition, VirtualKind } from '../../kube/kinds/types.ts';
import { groupVersion } from '../../kube/resources.ts';
import type { KubeObject, Scale } from '../../kube/types.ts';
import type { ObjectsExercises } from '../../objects/exercises.ts';
import type { ApiserverExercises, RegistryDeleteOptions, RegistryDeleteResult } from '../exercises.ts';
import { updateManagedFields, type FieldManagerOptions } from '../fieldmanager/index.ts';
import { StaleObjectError, type PreparedWatch, type Storage, type StorageListResult } from '../storage/interface.ts';
import { Admission } from './admission.ts';
import { deletionFinalizers, newFinalizerCauses, type PropagationPolicy } from './deletion.ts';
import { predicate, type Selectors } from './predicate.ts';
import { applyScale, scaleOf } from './scale.ts';
import { assignIdentity, GENERATE_NAME_ATTEMPTS } from './identity.ts';
import { canonicalize, defaultObject, dropClientStatus, prepareForCreate, strategyFunctions, validateObject } from './strategy.ts';

/** How many times an update built from the stored object is redone when the object changed under it (the patcher's 5). */
const UPDATE_RETRIES = 5;

export interface ListRequest extends Selectors {
  limit?: number;
  continue?: string;
  resourceVersion: string;
  resourceVersionMatch?: string;
}

export interface WatchRequest extends Selectors {
  resourceVersion: string;
  allowBookmarks: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  /**
   * Who writes, as managedFields record it: the request's fieldManager, else its User-Agent up
   * to the first `/` (managerOrUserAgent); empty: "unknown".
   */
  manager?: string;
  /** The object's managedFields are already computed (a server-side apply): not recorded again. */
  applied?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** 'status': only the status changes; 'scale': a write through the scale subresource (for managedFields). */
  subresource?: 'status' | 'scale';
  /** The stored object the update is based on (read when absent). */
  old?: KubeObject;
}

export interface DeleteOptions extends WriteOptions, RegistryDeleteOptions {
  /** Orphan, Background or Foreground (metav1.DeletionPropagation); absent: the object's finalizers or the kind's default. */
  propagationPolicy?: PropagationPolicy;
}

export interface GenericRegistryOptions {
  storage: Storage;
  impl: ApiserverExercises;
  objects: ObjectsExercises;
  authorizer: Authorizer;
  now(): number;
  /** A fresh uid for each created object (default: randomUUID). */
  newUid?(): string;
  /** The five characters appended to a generateName. */
  randomSuffix(): string;
  /** The Service ClusterIP range (--service-cluster-ip-range; default SERVICE_CLUSTER_IP_RANGE). */
  serviceClusterIPRange?: string;
}

export class GenericRegistry {
  private readonly storage: Storage;
  private readonly impl: ApiserverExercises;
  private readonly objects: ObjectsExercises;
  private readonly authorizer: Authorizer;
  private readonly fns: StrategyFunctions;
  private readonly admission: Admission;
  private readonly now: () => number;
  private readonly newUid: () => string;
  private readonly randomSuffix: () => string;
  /** The storage layer as subresources and virtual kinds reach it. */
  readonly access: ObjectAccess;

  constructor(options: GenericRegistryOptions) {
    this.now = options.now;
    this.newUid = options.newUid ?? (() => randomUUID());
    this.randomSuffix = options.randomSuffix;
    this.storage = options.storage;
    this.impl = options.impl;
    this.objects = options.objects;
    this.authorizer = options.authorizer;
    this.fns = strategyFunctions(options.impl, options.objects);
    this.admission = new Admission(options.storage, options.now, this.fns, options.serviceClusterIPRange);
    this.randomSuffix = options.randomSuffix;
    const storage = options.storage;
    this.access = {
      get: (kind, namespace, name) => storage.get(kind, namespace, name),
      list: async (kind, namespace) => (await storage.list(kind, { namespace, matches: () => true, resourceVersion: '' })).items,
      update: (kind, object, o) => storage.update(kind, object, o),
      delete: (kind, namespace, name, o) => storage.delete(kind, namespace, name, o),
      now: options.now,
      fns: this.fns,
    };
  }

  get(kind: StoredKind, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.storage.get(kind, namespace, name);
  }

  list(kind: StoredKind, namespace: string, request: ListRequest): Promise<StorageListResult> {
    const matches = predicate(kind, this.impl, this.objects, request);
    return this.storage.list(kind, { ...request, namespace, matches });
  }

  watch(kind: StoredKind, namespace: string, request: WatchRequest): Promise<PreparedWatch> {
    const matches = predicate(kind, this.impl, this.objects, request);
    return this.storage.watch(kind, { namespace, matches, resourceVersion: request.resourceVersion, allowBookmarks: request.allowBookmarks });
  }

  /** What the field manager is told about a write of `kind` through `subresource` (its reset fields, the time). */
  fieldManagerOptions(kind: StoredKind, subresource: 'status' | 'scale' | undefined, manager: string | undefined, now: number): FieldManagerOptions {
    return {
      manager: manager ?? '',
      apiVersion: groupVersion(kind),
      kind: kind.kind,
      subresource,
      now: new Date(now),
      resetFields: subresource === 'status' ? kind.resetFields.status : kind.resetFields.object,
    };
  }

  /** Stores a new object: the object as stored (or, dry run, as it would be). */
  async create(kind: StoredKind, input: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const now = this.now();
    let object = defaultObject(kind, this.fns, dropClientStatus(kind, input));
    if (!options.applied) object = updateManagedFields(undefined, object, this.fieldManagerOptions(kind, undefined, options.manager, now));
    await this.admission.create(kind, object);
    const generated = !object.metadata.name && !!object.metadata.generateName;
    for (let attempt = 1; ; attempt++) {
      const identity = { uid: this.newUid(), now };
      let ready = prepareForCreate(kind, assignIdentity(object, identity, this.randomSuffix));
      const causes = validateObject(kind, this.impl, this.fns, ready);
      if (causes.length) throw invalid(kind, ready.metadata.name ?? '', causes);
      ready = canonicalize(kind, ready);
      // Validating admission (LimitRanger, ResourceQuota) after validation, as upstream's does.
      const release = await this.admission.validateCreate(kind, ready, options.dryRun === true);
      try {
        return await this.storage.create(kind, ready, { dryRun: options.dryRun, identity });
      } catch (error) {
        // A generated name that is taken is generated again (RetryGenerateName).
        if (!generated || attempt >= GENERATE_NAME_ATTEMPTS || !isApiError(error, 'AlreadyExists')) throw error;
      } finally {
        release();
      }
    }
  }

  /** Replaces an object (or only its status). StaleObjectError when its resourceVersion is stale. */
  async update(kind: StoredKind, input: KubeObject, options: UpdateOptions = {}): Promise<KubeObject> {
    const now = this.now();
    let object = defaultObject(kind, this.fns, input);
    if (kind.deleteOnUpdate) {
      const stored = options.old ?? (await this.storage.get(kind, object.metadata.namespace, object.metadata.name ?? ''));
      if (stored.metadata.deletionTimestamp) return this.updateWhileDeleting(kind, object, stored, options);
    }
    const old = options.old ?? (await this.storage.get(kind, object.metadata.namespace, object.metadata.name ?? ''));
    if (options.subresource === 'status') return this.updateStatus(kind, object, old, options, now);
    if (!options.applied) object = updateManagedFields(old, object, this.fieldManagerOptions(kind, options.subresource, options.manager, now));
    await this.admission.update(kind, object, old);
    const causes = [...validateObject(kind, this.impl, this.fns, object, old), ...newFinalizerCauses(object, old)];
    if (causes.length) throw invalid(kind, object.metadata.name ?? '', causes);
    return this.storage.update(kind, canonicalize(kind, object), { dryRun: options.dryRun });
  }

  /**
   * A status write: the stored object with the new status (all a status write may change),
   * owned by its manager under subresource "status". When that changes managedFields, status and
   * managedFields are written as one change.
   */
  private async updateStatus(kind: StoredKind, object: KubeObject, old: KubeObject, options: UpdateOptions, now: number): Promise<KubeObject> {
    const next: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: object.metadata.resourceVersion ?? old.metadata.resourceVersion } };
    if (object.status === undefined) delete next.status;
    else next.status = object.status;
    if (kind.strategy.validateStatusUpdate) {
      const causes = kind.strategy.validateStatusUpdate(next, old, this.fns);
      if (causes.length) throw invalid(kind, old.metadata.name ?? '', causes);
    }
    const tracked = options.applied
      ? { ...next, metadata: { ...next.metadata, managedFields: object.metadata.managedFields } }
      : updateManagedFields(old, next, this.fieldManagerOptions(kind, 'status', options.manager, now));
    const same = canonicalJson(tracked.metadata.managedFields) === canonicalJson(old.metadata.managedFields);
    if (same) return this.storage.update(kind, object, { subresource: 'status', dryRun: options.dryRun });
    return this.storage.update(kind, tracked, { subresource: 'status-and-metadata', dryRun: options.dryRun });
  }

  /** A write to an object of a deleteOnUpdate kind that is marked deleted: stored as given, or the end of the object. */
  private async updateWhileDeleting(kind: StoredKind, object: KubeObject, stored: KubeObject, options: UpdateOptions): Promise<KubeObject> {
    const name = stored.metadata.name ?? '';
    const wanted = object.metadata.resourceVersion;
    if (wanted && wanted !== stored.metadata.resourceVersion) throw conflict(kind, name);
    const keep = stored.metadata;
    const next: KubeObject =
      options.subresource === 'status'
        ? { ...stored, status: object.status }
        : {
            ...object,
            metadata: {
              ...object.metadata,
              name,
              namespace: keep.namespace,
              uid: keep.uid,
              creationTimestamp: keep.creationTimestamp,
              deletionTimestamp: keep.deletionTimestamp,
              resourceVersion: keep.resourceVersion,
            },
            status: stored.status,
          };
    if (options.subresource !== 'status') {
      const causes = [...validateObject(kind, this.impl, this.fns, next, stored), ...newFinalizerCauses(next, stored)];
      if (causes.length) throw invalid(kind, name, causes);
    }
    if (options.dryRun) return next;
    if (kind.deleteOnUpdate!(next)) {
      await this.storage.removeAt(kind, keep.namespace, name, keep.resourceVersion ?? '');
      return next;
    }
    return this.storage.writeThrough(kind, next);
  }

  /**
   * An update built from the stored object by `transform` (upstream's GuaranteedUpdate): when the
   * object changed between the read and the write, it is read and transformed again, up to
   * UPDATE_RETRIES times, unless the new object pins a resourceVersion of its own. With
   * `createWhenMissing`, an object that does not exist is created from what it returns instead
   * (an update that may create: server-side apply).
   */
  async guaranteedUpdate(
    kind: StoredKind,
    namespace: string | undefined,
    name: string,
    transform: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    options: Omit<UpdateOptions, 'old'> & { createWhenMissing?: () => KubeObject | Promise<KubeObject> } = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const { createWhenMissing, ...writeOptions } = options;
    for (let attempt = 0; ; attempt++) {
      let current: KubeObject;
      try {
        current = await this.storage.get(kind, namespace, name);
      } catch (error) {
        if (!createWhenMissing || !isApiError(error, 'NotFound')) throw error;
        try {
          return { object: await this.create(kind, await createWhenMissing(), writeOptions), created: true };
        } catch (createError) {
          // Created by someone else in between: apply to what they stored.
          if (isApiError(createError, 'AlreadyExists') && attempt < UPDATE_RETRIES) continue;
          throw createError;
        }
      }
      const next = await transform(current);
      const wanted = next.metadata.resourceVersion;
      const pinned = typeof wanted === 'string' && wanted !== '' && wanted !== current.metadata.resourceVersion;
      if (!pinned) next.metadata = { ...next.metadata, resourceVersion: current.metadata.resourceVersion };
      try {
        return { object: await this.update(kind, next, { ...writeOptions, old: current }), created: false };
      } catch (error) {
        if (error instanceof StaleObjectError && !pinned && attempt < UPDATE_RETRIES) continue;
        throw error;
      }
    }
  }

  /** Deletes an object: at once, gracefully (marked), or as the kind's own delete does. */
  async delete(kind: StoredKind, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<RegistryDeleteResult> {
    await this.admission.delete(kind, namespace, name);
    // Dry run: nothing is deleted; the object is answered as it is.
    if (options.dryRun) return { object: await this.storage.get(kind, namespace, name), deleted: false };
    if (kind.delete) return kind.delete(this.deleteContext(), name);
    return this.deleteWithPropagation(kind, namespace, name, options);
  }

  /**
   * The store's Delete: first the finalizers garbage collection needs (orphan, foregroundDeletion),
   * written on the object, then the learner's registry deletes it, which only marks an object that
   * carries finalizers. Two writes where upstream does one: in between, the object holds its new
   * finalizers without a deletionTimestamp, which nothing acts on.
   */
  private async deleteWithPropagation(kind: StoredKind, namespace: string | undefined, name: string, options: DeleteOptions): Promise<RegistryDeleteResult> {
    let preconditions = options.preconditions;
    let before: KubeObject | undefined;
    for (let attempt = 0; ; attempt++) {
      const current = await this.storage.get(kind, namespace, name);
      // A failed precondition is the registry's to report, with nothing written first.
      if (preconditions?.uid !== undefined && preconditions.uid !== current.metadata.uid) break;
      if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) break;
      const { changed, finalizers } = deletionFinalizers(kind, current, options.propagationPolicy);
      if (!changed) break;
      try {
        const written = await this.storage.update(kind, { ...current, metadata: { ...current.metadata, finalizers } });
        if (preconditions?.resourceVersion !== undefined) preconditions = { ...preconditions, resourceVersion: written.metadata.resourceVersion };
        before = current;
        break;
      } catch (error) {
        if (error instanceof StaleObjectError && attempt < UPDATE_RETRIES) continue;
        throw error;
      }
    }
    try {
      return await this.storage.delete(kind, namespace, name, { gracePeriodSeconds: options.gracePeriodSeconds, preconditions });
    } catch (error) {
      // Dropping the last finalizer of an object already marked deleted (Orphan → Background) ends it at once.
      if (before && isApiError(error, 'NotFound')) return { object: before, deleted: true };
      throw error;
    }
  }

  /** Deletes every matching object (one by one, each as delete does); the objects as deleted. */
  async deleteCollection(kind: StoredKind, namespace: string, selectors: Selectors, options: DeleteOptions = {}): Promise<StorageListResult> {
    const list = await this.list(kind, namespace, { ...selectors, resourceVersion: '' });
    const deleted: KubeObject[] = [];
    for (const object of list.items) {
      try {
        const result = options.dryRun
          ? { object }
          : await this.deleteWithPropagation(kind, object.metadata.namespace, object.metadata.name!, { gracePeriodSeconds: options.gracePeriodSeconds, propagationPolicy: options.propagationPolicy });
        deleted.push(result.object);
      } catch (error) {
        if (!isApiError(error, 'NotFound')) throw error;
      }
    }
    return { items: deleted, resourceVersion: list.resourceVersion };
  }

  /** GET .../scale. */
  async getScale(kind: StoredKind, namespace: string, name: string): Promise<Scale> {
    return scaleOf(await this.storage.get(kind, namespace, name));
  }

  /** PUT/PATCH .../scale: `scaleFor(current Scale)` gives the new Scale; its replicas go through the ordinary update. */
  async updateScale(kind: StoredKind, namespace: string, name: string, scaleFor: (current: Scale) => KubeObject, options: WriteOptions = {}): Promise<Scale> {
    const updated = await this.guaranteedUpdate(kind, namespace, name, (current) => applyScale(kind, current, scaleFor(scaleOf(current))), { ...options, subresource: 'scale' });
    return scaleOf(updated.object);
  }

  /** POST to a subresource that creates (pods/binding, pods/eviction). */
  createSubresource(kind: StoredKind, subresource: SubresourceDefinition, namespace: string, name: string, body: KubeObject, options: WriteOptions = {}): Promise<unknown> {
    if (subresource.serve?.type !== 'create') throw new Error(`${kind.resource}/${subresource.name} does not create`);
    return subresource.serve.create(this.access, { kind, namespace, name, dryRun: options.dryRun }, body);
  }

  /** Where a streaming or connect subresource (pods/log, pods/exec, nodes/proxy) is reached; `rest` is the path after nodes/NAME/proxy. */
  streamLocation(kind: StoredKind, subresource: SubresourceDefinition, namespace: string, name: string, query: URLSearchParams, rest = ''): Promise<StreamLocation> {
    if (subresource.serve?.type === 'connect') return subresource.serve.location(this.access, { kind, namespace, name }, query, rest);
    if (subresource.serve?.type !== 'stream') throw new Error(`${kind.resource}/${subresource.name} does not stream`);
    return subresource.serve.location(this.access, { kind, namespace, name }, query);
  }

  /** A create of a virtual kind (an access review, a Binding): its answer. */
  createVirtual(kind: VirtualKind, namespace: string, body: KubeObject, user: UserInfo): Promise<unknown> {
    return kind.create(
      {
        ...this.access,
        user,
        authorize: async (attributes) => this.authorizer.authorize(attributes),
        rulesFor: this.authorizer.rulesFor?.bind(this.authorizer),
      },
      namespace,
      body,
    );
  }

  private deleteContext(): DeleteContext {
    return {
      ...this.access,
      purgeNamespace: (namespace) => this.storage.purgeNamespace(namespace),
      writeThrough: (kind, object) => this.storage.writeThrough(kind, object),
      removeAt: (kind, namespace, name, resourceVersion) => this.storage.removeAt(kind, namespace, name, resourceVersion),
    };
  }
}
