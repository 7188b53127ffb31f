/**
 * The identity a create gives an object before the kind's PrepareForCreate and validation see it
 * (upstream's generic registry Store.Create: rest.FillObjectMetaSystemFields, then a name from
 * generateName with names.SimpleNameGenerator): a fresh uid, a creationTimestamp, and a name for
 * an object that has only a generateName. What the client sent in uid, creationTimestamp,
 * deletionTimestamp and deletionGracePeriodSeconds is dropped (rest.WipeObjectMetaSystemFields).
 *
 * The learner's registry (02-registry) assigns the same identity when it stores the object: the
 * storage layer gives it this uid and clock, and the name is already set, so what is stored is
 * what PrepareForCreate (a Job's selector) and validation (a generated name) saw.
 */
import type { KubeObject } from '../../kube/types.ts';

/** generateName keeps at most this many characters before the random suffix (names.go: 63 - 5). */
export const MAX_GENERATE_NAME_BASE = 58;

/** How many names a create with generateName tries before it answers AlreadyExists (RetryGenerateName: 8). */
export const GENERATE_NAME_ATTEMPTS = 8;

/** RFC 3339 in whole seconds, as metav1.Time marshals: 2024-01-01T00:00:00Z. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The object with its identity; the input is not modified. */
export function assignIdentity(object: KubeObject, identity: { uid: string; now: number }, randomSuffix: () => string): KubeObject {
  const metadata = { ...object.metadata, uid: identity.uid, creationTimestamp: timestamp(identity.now) };
  delete metadata.deletionTimestamp;
  delete metadata.deletionGracePeriodSeconds;
  if (!metadata.name && metadata.generateName) metadata.name = metadata.generateName.slice(0, MAX_GENERATE_NAME_BASE) + randomSuffix();
  return { ...object, metadata };
}
