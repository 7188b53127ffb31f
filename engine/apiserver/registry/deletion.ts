/**
 * Garbage collection's part in a DELETE (upstream: k8s.io/apiserver registry/generic/registry/
 * store.go, deletionFinalizersForGarbageCollection, shouldOrphanDependents, shouldDeleteDependents)
 * and the rule that nothing new may hold an object already on its way out
 * (apimachinery's ValidateObjectMetaUpdate, ValidateNoNewFinalizers). Pure functions.
 *
 * A DELETE with propagationPolicy Orphan puts the `orphan` finalizer on the object, Foreground the
 * `foregroundDeletion` finalizer, Background neither; without a policy, a finalizer already there
 * decides, else the kind's default (batch/v1 Jobs orphan, everything else deletes its dependents
 * in the background). The object then stays, marked, until the garbage collector has orphaned or
 * deleted its dependents and removed the finalizer.
 */
import { forbiddenField } from '../../kube/field-errors.ts';
import type { StoredKind } from '../../kube/kinds/types.ts';
import type { KubeObject, StatusCause } from '../../kube/types.ts';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_DELETION_FINALIZER = 'foregroundDeletion';
export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

function policyOf(kind: Pick<StoredKind, 'orphanDependentsByDefault'>, object: KubeObject, policy: PropagationPolicy | undefined): PropagationPolicy {
  if (policy) return policy;
  const finalizers = object.metadata.finalizers ?? [];
  if (finalizers.includes(ORPHAN_FINALIZER)) return 'Orphan';
  if (finalizers.includes(FOREGROUND_DELETION_FINALIZER)) return 'Foreground';
  return kind.orphanDependentsByDefault ? 'Orphan' : 'Background';
}

/** deletionFinalizersForGarbageCollection: the finalizers the object must carry for this delete, and whether they change. */
export function deletionFinalizers(kind: Pick<StoredKind, 'orphanDependentsByDefault'>, object: KubeObject, policy: PropagationPolicy | undefined): { changed: boolean; finalizers: string[] } {
  const current = object.metadata.finalizers ?? [];
  const wanted = policyOf(kind, object, policy);
  const finalizers = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_DELETION_FINALIZER);
  if (wanted === 'Orphan') finalizers.push(ORPHAN_FINALIZER);
  if (wanted === 'Foreground') finalizers.push(FOREGROUND_DELETION_FINALIZER);
  const same = finalizers.length === current.length && finalizers.every((f) => current.includes(f));
  return { changed: !same, finalizers: same ? current : finalizers };
}

/** ValidateNoNewFinalizers: an object being deleted may lose finalizers, never gain one. */
export function newFinalizerCauses(object: KubeObject, old: KubeObject): StatusCause[] {
  if (!old.metadata.deletionTimestamp) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  const extra = [...new Set((object.metadata.finalizers ?? []).filter((f) => !before.has(f)))].sort();
  if (extra.length === 0) return [];
  return [forbiddenField('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`)];
}
