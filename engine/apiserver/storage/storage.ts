/**
 * The storage layer of one apiserver (see interface.ts): the learner's registry for objects one at
 * a time, the Cacher for lists and watches, and the KVStore for what neither covers (lists the
 * cache cannot serve, emptying a namespace). Nothing above this layer sees a store key, a store
 * error or a revision other than as a resourceVersion.
 *
 * Writes:
 * - a create is given the identity the generic registry chose (uid, clock): the learner's
 *   registry is made for that one create with those, so the uid it stores is the one a Job's
 *   selector was built from;
 * - a dry run runs the learner's registry over dryRunStore (reads the store, writes nothing);
 * - a status write that also changes metadata (managedFields) goes through the registry's update
 *   of the whole object, with the kind seen without its status subresource, so that status and
 *   metadata are one change (the registry's own status update keeps all but the status).
 */
import { prefixEnd, type KVStore } from '../../etcd/kv.ts';
import { conflict, isApiError } from '../../kube/errors.ts';
import { collectionPrefix, KINDS, objectKey, type ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject } from '../../kube/types.ts';
import { CACHE_FRESHNESS_WAIT_MS } from '../../params.ts';
import type { ApiserverExercises, Registry, RegistryOptions } from '../exercises.ts';
import type { Cacher } from './cacher.ts';
import { dryRunStore } from './dry-run-store.ts';
import { StaleObjectError, type Storage, type StorageUpdateOptions } from './interface.ts';
import { Lister } from './list.ts';
import { withStorageVersions } from './versions.ts';
import { prepareWatch } from './watch.ts';

export interface StorageOptions {
  store: KVStore;
  cacher: Cacher;
  /** The learner's registry (02-registry) over the same store. */
  objects: Registry;
  /** How the learner's registry is made (for creates with a given identity, and dry runs). */
  impl: Pick<ApiserverExercises, 'paginate' | 'decodeContinue' | 'createWatchStream' | 'createRegistry'>;
  /** The options `objects` was made with. */
  registryOptions: RegistryOptions;
  now(): number;
  /** How long a list or watch at a resourceVersion the cache has not reached waits for it (default CACHE_FRESHNESS_WAIT_MS). */
  cacheFreshnessWaitMs?: number;
}

/** The kind as a registry sees it when a status write must also change metadata: no status subresource. */
const withoutStatus = new WeakMap<ResourceInfo, ResourceInfo>();
function whole(kind: ResourceInfo): ResourceInfo {
  let view = withoutStatus.get(kind);
  if (!view) {
    view = { ...kind, subresources: kind.subresources.filter((s) => s.name !== 'status') };
    withoutStatus.set(kind, view);
  }
  return view;
}

export function createStorage(options: StorageOptions): Storage {
  const { store, cacher, objects, impl, registryOptions } = options;
  const freshnessWaitMs = options.cacheFreshnessWaitMs ?? CACHE_FRESHNESS_WAIT_MS;
  const lister = new Lister(store, cacher, impl, freshnessWaitMs);
  const dryStore = dryRunStore(store);
  const dryObjects = impl.createRegistry(dryStore, registryOptions);

  async function update(kind: ResourceInfo, object: KubeObject, updateOptions: StorageUpdateOptions = {}): Promise<KubeObject> {
    const registry = updateOptions.dryRun ? dryObjects : objects;
    const both = updateOptions.subresource === 'status-and-metadata';
    try {
      const updated = await registry.update(both ? whole(kind) : kind, object, updateOptions.subresource === 'status' ? { subresource: 'status' } : {});
      if (!updateOptions.dryRun || !object.metadata.resourceVersion) return updated;
      // A dry run stores nothing: the object stays at the version it was based on.
      return { ...updated, metadata: { ...updated.metadata, resourceVersion: object.metadata.resourceVersion } };
    } catch (error) {
      // The registry's only Conflict on update is a stale resourceVersion (its contract).
      if (isApiError(error, 'Conflict')) throw new StaleObjectError(error.status);
      throw error;
    }
  }

  return withStorageVersions({
    get: (kind, namespace, name) => objects.get(kind, namespace, name),
    list: (kind, listOptions) => lister.list(kind, listOptions),
    async create(kind, object, createOptions = {}) {
      const { identity, dryRun } = createOptions;
      const target = dryRun ? dryStore : store;
      const registry = identity ? impl.createRegistry(target, { ...registryOptions, now: () => identity.now, newUid: () => identity.uid }) : dryRun ? dryObjects : objects;
      const created = await registry.create(kind, object);
      if (!dryRun) return created;
      // Nothing was written, so there is no revision to name (DryRunnableStorage.Create).
      const { resourceVersion: _rv, ...metadata } = created.metadata;
      return { ...created, metadata };
    },
    update,
    delete: (kind, namespace, name, deleteOptions) => objects.delete(kind, namespace, name, deleteOptions),
    async purgeNamespace(namespace) {
      for (const kind of KINDS) {
        if (!kind.namespaced || kind.virtual || kind.storedAs) continue;
        const prefix = collectionPrefix(kind, namespace);
        await store.delete(prefix, { end: prefixEnd(prefix) });
      }
    },
    async writeThrough(kind, object) {
      const key = objectKey(kind, object.metadata.namespace, object.metadata.name ?? '');
      const { resourceVersion, ...metadata } = object.metadata;
      const result = await store.txn({
        compare: [{ key, target: 'modRevision', result: '=', value: Number(resourceVersion) }],
        success: [{ type: 'put', key, value: JSON.stringify({ ...object, metadata }) }],
        failure: [],
      });
      if (!result.succeeded) throw new StaleObjectError(conflict(kind, object.metadata.name ?? '').status);
      return { ...object, metadata: { ...metadata, resourceVersion: String(result.revision) } };
    },
    async removeAt(kind, namespace, name, resourceVersion) {
      const key = objectKey(kind, namespace, name);
      const result = await store.txn({ compare: [{ key, target: 'modRevision', result: '=', value: Number(resourceVersion) }], success: [{ type: 'delete', key }], failure: [] });
      if (!result.succeeded) throw new StaleObjectError(conflict(kind, name).status);
    },
    watch: (kind, watchOptions) => prepareWatch(cacher, options.impl, options.now, freshnessWaitMs, kind, watchOptions),
    cached: (kind: ResourceInfo) => cacher.cacheFor(kind).list(),
  });
}
