/**
 * Kinds served at a version other than the one they are stored at (a kind definition's
 * `storedAs`: autoscaling/v1 HorizontalPodAutoscaler, stored as autoscaling/v2): every storage
 * call for such a kind is made for the stored kind, with the object converted on the way in and
 * on the way out (watch events too). Upstream converts between versions through the internal type
 * in its codecs; here the served version's definition names the stored one and the two
 * conversions.
 *
 * Invariant: the layers below see only stored kinds, so the learner's registry, the keys and the
 * watch caches know nothing of served versions (the Cacher keeps no cache for them).
 */
import { findResource, type ResourceInfo } from '../../kube/resources.ts';
import type { StorageVersion } from '../../kube/kinds/types.ts';
import type { KubeObject, WatchEvent } from '../../kube/types.ts';
import type { Storage } from './interface.ts';

/** The storage version of a served kind, if it has one. */
export function storageVersionOf(kind: ResourceInfo): StorageVersion | undefined {
  const found = findResource(kind.group, kind.version, kind.resource);
  return found && !found.virtual ? found.storedAs : undefined;
}

function convertEvents(version: StorageVersion, events: WatchEvent[]): WatchEvent[] {
  return events.map((e) => (e.type === 'ERROR' || !e.object ? e : { ...e, object: version.fromStored(e.object as KubeObject) }));
}

/** `storage`, converting objects of kinds with a storage version. */
export function withStorageVersions(storage: Storage): Storage {
  const stored = (kind: ResourceInfo): [ResourceInfo, StorageVersion | undefined] => {
    const version = storageVersionOf(kind);
    return version ? [version.kind, version] : [kind, undefined];
  };
  const out = (version: StorageVersion | undefined, object: KubeObject): KubeObject => (version ? version.fromStored(object) : object);
  return {
    async get(kind, namespace, name) {
      const [k, v] = stored(kind);
      return out(v, await storage.get(k, namespace, name));
    },
    async list(kind, options) {
      const [k, v] = stored(kind);
      if (!v) return storage.list(kind, options);
      const result = await storage.list(k, { ...options, matches: (o) => options.matches(v.fromStored(o)) });
      return { ...result, items: result.items.map((o) => v.fromStored(o)) };
    },
    async create(kind, object, options) {
      const [k, v] = stored(kind);
      return out(v, await storage.create(k, v ? v.toStored(object) : object, options));
    },
    async update(kind, object, options) {
      const [k, v] = stored(kind);
      return out(v, await storage.update(k, v ? v.toStored(object) : object, options));
    },
    async delete(kind, namespace, name, options) {
      const [k, v] = stored(kind);
      const result = await storage.delete(k, namespace, name, options);
      return v ? { ...result, object: v.fromStored(result.object) } : result;
    },
    purgeNamespace: (namespace) => storage.purgeNamespace(namespace),
    async writeThrough(kind, object) {
      const [k, v] = stored(kind);
      return out(v, await storage.writeThrough(k, v ? v.toStored(object) : object));
    },
    removeAt(kind, namespace, name, resourceVersion) {
      return storage.removeAt(stored(kind)[0], namespace, name, resourceVersion);
    },
    async watch(kind, options) {
      const [k, v] = stored(kind);
      if (!v) return storage.watch(kind, options);
      const prepared = await storage.watch(k, { ...options, matches: (o) => options.matches(v.fromStored(o)) });
      return {
        start: (sink) => prepared.start({ ...sink, send: (events) => sink.send(convertEvents(v, events)) }),
      };
    },
    cached(kind) {
      const [k, v] = stored(kind);
      return v ? storage.cached(k).map((o) => v.fromStored(o)) : storage.cached(kind);
    },
  };
}
