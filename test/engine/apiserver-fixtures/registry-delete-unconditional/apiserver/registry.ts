/**
 * A deliberately broken variant (test fixture): delete writes without comparing the modRevision it read.
 *
 * Exercise 02-apiserver/02-registry: objects in and out of the store.
 *
 * The registry is the only code that talks to the store. It gives each new object its identity
 * (uid, creationTimestamp, a generated name), turns the store's modRevision into the object's
 * resourceVersion, and uses a transaction to make each update conditional on nobody having written
 * the object since it was read: optimistic concurrency, the reason two controllers never silently
 * overwrite each other.
 *
 * Read: lessons/core/02-apiserver/03-resource-versions.md
 * Check: npx kubelings check 02-apiserver/02-registry
 */
import { alreadyExists, conflict, notFound } from '#engine/kube/errors.ts';
import type { Registry, RegistryDeleteOptions, RegistryDeleteResult, RegistryOptions } from '#engine/apiserver/exercises.ts';
import type { KeyValue, KVStore } from '#engine/etcd/kv.ts';
import { hasSubresource, objectKey, type ResourceInfo } from '#engine/kube/resources.ts';
import type { KubeObject } from '#engine/kube/types.ts';

/** generateName keeps at most this many characters before the random suffix (names.go). */
export const MAX_GENERATE_NAME_BASE = 58;

/** RFC 3339 in whole seconds, as metav1.Time marshals: 2024-01-01T00:00:00Z. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The stored form: everything but the resourceVersion, which is the key's modRevision. */
function encode(object: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

function decode(kv: KeyValue): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  return object;
}

function withRevision(object: KubeObject, revision: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
}

/** Deep equality of JSON values; the order of an object's keys does not matter. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameJson(v, other[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The storage layer over a KVStore.
 *
 * Must hold:
 * - create: a new uid, a creationTimestamp (RFC 3339, whole seconds) and generation 1 (for kinds
 *   with `info.generation`); a name made from generateName (cut to MAX_GENERATE_NAME_BASE) plus
 *   options.randomSuffix() when there is none; a namespace only on namespaced kinds; no
 *   resourceVersion, deletionTimestamp or deletionGracePeriodSeconds from the client;
 *   AlreadyExists when the key is taken, decided by the store (a txn comparing createRevision
 *   with 0), not by a read first; the input object is not modified;
 * - the stored value is the object as JSON without its resourceVersion; every object returned
 *   carries resourceVersion = the modRevision of its key (as a string);
 * - get: NotFound when there is no such key;
 * - update: NotFound when absent; Conflict when the object's resourceVersion is not the stored one;
 *   no resourceVersion means "whatever is stored now". The write is a txn conditional on the
 *   modRevision read, so a concurrent write in between is never lost (retry when you did not pin
 *   a version, Conflict when the caller did). uid, creationTimestamp, deletionTimestamp,
 *   deletionGracePeriodSeconds, name and namespace are kept from the stored object; generation
 *   grows by one when the spec changes, and only then; a kind with a status subresource keeps its
 *   stored status, and `subresource: 'status'` changes nothing but the status. An update that
 *   changes nothing (compare values, not key order) writes nothing and returns the stored object.
 *   An update that leaves a marked object (deletionTimestamp set, deletionGracePeriodSeconds 0)
 *   without finalizers deletes it.
 * - delete: NotFound when absent; Conflict when a precondition (uid, resourceVersion) fails.
 *   A pod bound to a node (spec.nodeName set, phase not Succeeded or Failed) is deleted gracefully:
 *   deletionTimestamp = now + grace, deletionGracePeriodSeconds = grace, where grace is
 *   options.gracePeriodSeconds, else spec.terminationGracePeriodSeconds, else 30. An object with
 *   finalizers is marked (deletionTimestamp = now + grace, grace 0 for other kinds) and stays.
 *   Otherwise (grace 0 and no finalizers) it is gone at once: { object, deleted: true }. Deleting
 *   an object already marked with a grace period no longer than this changes nothing.
 */
export function createRegistry(store: KVStore, options: RegistryOptions): Registry {
  async function read(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KeyValue> {
    const result = await store.range(objectKey(info, namespace, name));
    const kv = result.kvs[0];
    if (!kv) throw notFound(info, name);
    return kv;
  }

  async function create(info: ResourceInfo, input: KubeObject): Promise<KubeObject> {
    const object = structuredClone(input);
    const meta = (object.metadata ??= {});
    if (!meta.name && meta.generateName) meta.name = meta.generateName.slice(0, MAX_GENERATE_NAME_BASE) + options.randomSuffix();
    if (!info.namespaced) delete meta.namespace;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = options.newUid();
    meta.creationTimestamp = timestamp(options.now());
    if (info.generation) meta.generation = 1;
    else delete meta.generation;

    const key = objectKey(info, meta.namespace, meta.name!);
    const result = await store.txn({
      compare: [{ key, target: 'createRevision', result: '=', value: 0 }],
      success: [{ type: 'put', key, value: encode(object) }],
      failure: [],
    });
    if (!result.succeeded) throw alreadyExists(info, meta.name!);
    return withRevision(object, result.revision);
  }

  async function get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    return decode(await read(info, namespace, name));
  }

  /** The object an update asks for, built on the stored one. */
  function nextObject(info: ResourceInfo, current: KubeObject, input: KubeObject, subresource: 'status' | undefined): KubeObject {
    if (subresource === 'status') {
      const next = structuredClone(current);
      if (input.status === undefined) delete next.status;
      else next.status = structuredClone(input.status);
      return next;
    }
    const next = structuredClone(input);
    const meta = { ...next.metadata };
    const old = current.metadata;
    meta.name = old.name;
    if (info.namespaced) meta.namespace = old.namespace;
    else delete meta.namespace;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (old[field] === undefined) delete meta[field];
      else (meta as Record<string, unknown>)[field] = old[field];
    }
    if (info.generation && !sameJson(next.spec, current.spec)) meta.generation = (old.generation ?? 0) + 1;
    next.metadata = meta;
    if (hasSubresource(info, 'status')) {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
    return next;
  }

  async function update(info: ResourceInfo, input: KubeObject, opts: { subresource?: 'status' } = {}): Promise<KubeObject> {
    const name = input.metadata?.name ?? '';
    const wanted = input.metadata?.resourceVersion;
    for (;;) {
      const kv = await read(info, input.metadata?.namespace, name);
      if (wanted && wanted !== String(kv.modRevision)) throw conflict(info, name);
      const current = decode(kv);
      const next = nextObject(info, current, input, opts.subresource);
      next.metadata.resourceVersion = current.metadata.resourceVersion;
      if (sameJson(next, current)) return current;

      const key = kv.key;
      const guard = [{ key, target: 'modRevision' as const, result: '=' as const, value: kv.modRevision }];
      const finalizers = next.metadata.finalizers ?? [];
      const finished = next.metadata.deletionTimestamp !== undefined && (next.metadata.deletionGracePeriodSeconds ?? 0) === 0 && finalizers.length === 0;
      const result = await store.txn({
        compare: guard,
        success: finished ? [{ type: 'delete', key }] : [{ type: 'put', key, value: encode(next) }],
        failure: [],
      });
      if (result.succeeded) return withRevision(next, result.revision);
      if (wanted) throw conflict(info, name);
      // Someone wrote in between and the caller did not pin a version: read again and redo.
    }
  }

  function gracePeriod(info: ResourceInfo, object: KubeObject, opts: RegistryDeleteOptions): number {
    if (info.resource !== 'pods' || info.group !== '') return 0;
    const spec = (object.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (object.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30);
  }

  async function remove(info: ResourceInfo, namespace: string | undefined, name: string, opts: RegistryDeleteOptions = {}): Promise<RegistryDeleteResult> {
    for (;;) {
      const kv = await read(info, namespace, name);
      const current = decode(kv);
      const meta = current.metadata;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw conflict(info, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict(info, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const grace = gracePeriod(info, current, opts);
      // BROKEN ON PURPOSE: the write does not depend on what was read.
      const guard: { key: string; target: 'modRevision'; result: '='; value: number }[] = [];
      const finalizers = meta.finalizers ?? [];

      if (grace === 0 && finalizers.length === 0) {
        const result = await store.txn({ compare: guard, success: [{ type: 'delete', key: kv.key }], failure: [] });
        if (result.succeeded) return { object: current, deleted: true };
        continue;
      }
      // Graceful: mark the object, unless it is already marked with a grace period no longer than this.
      if (meta.deletionTimestamp !== undefined && (meta.deletionGracePeriodSeconds ?? 0) <= grace) {
        return { object: current, deleted: false };
      }
      const next = structuredClone(current);
      next.metadata.deletionTimestamp = timestamp(options.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      const result = await store.txn({ compare: guard, success: [{ type: 'put', key: kv.key, value: encode(next) }], failure: [] });
      if (result.succeeded) return { object: withRevision(next, result.revision), deleted: false };
    }
  }

  return { create, get, update, delete: remove };
}
