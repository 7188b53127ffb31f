/**
 * The storage layer of one apiserver (see interface.ts): the learner's registry for objects one at
 * a time, the Cacher for lists and watches, and the KVStore for what neither covers (lists the
 * cache cannot serve, emptying a namespace). Nothing above this layer sees a store key, a store
 * error or a revision other than as a resourceVersion.
 */
import { prefixEnd, type KVStore } from '../../etcd/kv.ts';
import { conflict, isApiError } from '../../kube/errors.ts';
import { collectionPrefix, KINDS, objectKey, type ResourceInfo } from '../../kube/resources.ts';
import { CACHE_FRESHNESS_WAIT_MS } from '../../params.ts';
import type { ApiserverExercises, Registry } from '../exercises.ts';
import type { Cacher } from './cacher.ts';
import { StaleObjectError, type Storage } from './interface.ts';
import { Lister } from './list.ts';
import { prepareWatch } from './watch.ts';

export interface StorageOptions {
  store: KVStore;
  cacher: Cacher;
  /** The learner's registry (02-registry) over the same store. */
  objects: Registry;
  impl: Pick<ApiserverExercises, 'paginate' | 'decodeContinue' | 'createWatchStream'>;
  now(): number;
  /** How long a list or watch at a resourceVersion the cache has not reached waits for it (default CACHE_FRESHNESS_WAIT_MS). */
  cacheFreshnessWaitMs?: number;
}

export function createStorage(options: StorageOptions): Storage {
  const { store, cacher, objects } = options;
  const freshnessWaitMs = options.cacheFreshnessWaitMs ?? CACHE_FRESHNESS_WAIT_MS;
  const lister = new Lister(store, cacher, options.impl, freshnessWaitMs);
  return {
    get: (kind, namespace, name) => objects.get(kind, namespace, name),
    list: (kind, listOptions) => lister.list(kind, listOptions),
    create: (kind, object) => objects.create(kind, object),
    async update(kind, object, updateOptions) {
      try {
        return await objects.update(kind, object, updateOptions);
      } catch (error) {
        // The registry's only Conflict on update is a stale resourceVersion (its contract).
        if (isApiError(error, 'Conflict')) throw new StaleObjectError(error.status);
        throw error;
      }
    },
    delete: (kind, namespace, name, deleteOptions) => objects.delete(kind, namespace, name, deleteOptions),
    async purgeNamespace(namespace) {
      for (const kind of KINDS) {
        if (!kind.namespaced || kind.virtual) continue;
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
  };
}
