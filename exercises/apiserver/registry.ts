/**
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
import type { Registry, RegistryOptions } from '#engine/apiserver/exercises.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { hasSubresource, objectKey } from '#engine/kube/resources.ts';

/** generateName keeps at most this many characters before the random suffix (names.go). */
export const MAX_GENERATE_NAME_BASE = 58;

/** RFC 3339 in whole seconds, as metav1.Time marshals: 2024-01-01T00:00:00Z. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// Given for you to use: the key of an object is objectKey(info, namespace, name); whether a kind
// has a status subresource is hasSubresource(info, 'status'); refuse with notFound(info, name),
// alreadyExists(info, name) and conflict(info, name) (and conflict(info, name, why) for a
// failed precondition).
void [alreadyExists, conflict, notFound, hasSubresource, objectKey];

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
  // TODO: return { create, get, update, delete } built on store.range and store.txn.
  throw new NotImplemented('02-apiserver/02-registry', 'lessons/core/02-apiserver/03-resource-versions.md', 'createRegistry()');
}
