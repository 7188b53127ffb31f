/**
 * Exercise 04-controllers/04-garbage-collector: the garbage collector, which deletes the objects
 * whose owners are gone, and the namespace controller, which empties a namespace being deleted.
 *
 * The engine keeps the owner graph (engine/controllers/owner-graph.ts): a GraphNode per object,
 * with its owner references, its dependents, and whether it is being deleted. When something
 * changes (an owner deleted, a Deployment deleted in the foreground, a Job deleted with
 * --cascade=orphan), it calls attemptToDeleteItem or orphanDependents for the nodes concerned.
 * The graph may be behind the apiserver, so the collector checks with live reads
 * (ctx.client.getObject) before it deletes anything. Every write goes through ctx.client.
 *
 * Shapes (engine/controllers/exercises.ts, api.ts):
 *   GraphNode { identity: { apiVersion, kind, namespace?, name, uid }, owners: OwnerReference[],
 *     dependents: GraphNode[], beingDeleted, deletingDependents, virtual }
 *   OwnerReference { apiVersion, kind, name, uid, controller?, blockOwnerDeletion? }
 *   OwnerLookup { exists, uid?, deletingDependents? }
 *   OwnerReferenceClassification { solid, dangling, waitingForDependentsDeletion } (OwnerReference[] each)
 *   GarbageCollectorContext { now(), client, attemptToDelete(node), reportAbsent(node) }
 *   NamespaceSyncContext { now(), namespaces: Lister<Namespace>, resources: NamespacedResource[], client }
 *   NamespacedResource { group, version, resource, kind, verbs }
 *   Namespace { metadata, spec?: { finalizers? }, status?: { phase?, conditions? } }
 *   SyncResult { requeueAfterMs? }
 *
 * Read: lessons/core/04-controllers/07-garbage-collector.md
 * Check: npx kubelings check 04-controllers/04-garbage-collector
 * Upstream: kubernetes pkg/controller/garbagecollector/garbagecollector.go and
 * pkg/controller/namespace/deletion/namespaced_resources_deleter.go.
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { NamespacedResource, ObjectIdentity, PropagationPolicy } from '#engine/controllers/api.ts';
import type { GarbageCollectorContext, GraphNode, NamespaceSyncContext, OwnerLookup, OwnerReferenceClassification, SyncResult } from '#engine/controllers/exercises.ts';
import { FINALIZER_ESTIMATE_SECONDS, NAMESPACE_FINALIZER, updateNamespaceConditions } from '#engine/controllers/namespace-util.ts';
import { FOREGROUND_DELETION_FINALIZER, ORPHAN_FINALIZER } from '#engine/controllers/owner-graph.ts';
import { parseTime } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { KubeObject, Namespace, Pod } from '#engine/kube/types.ts';
import type { OwnerReference } from '#engine/objects/types.ts';

const PAGE = 'lessons/core/04-controllers/07-garbage-collector.md';
const todo = (what: string) => new NotImplemented('04-controllers/04-garbage-collector', PAGE, what);
void [isApiError, FINALIZER_ESTIMATE_SECONDS, NAMESPACE_FINALIZER, updateNamespaceConditions, FOREGROUND_DELETION_FINALIZER, ORPHAN_FINALIZER, parseTime];

/**
 * classifyReferences: owners[i] is what a live GET found for references[i]. A reference is
 * - dangling when no such object exists, or the object there has another uid (the owner was
 *   deleted and something else took its name);
 * - waitingForDependentsDeletion when the owner exists and is deletingDependents;
 * - solid otherwise.
 */
export function classifyOwnerReferences(references: readonly OwnerReference[], owners: readonly OwnerLookup[]): OwnerReferenceClassification {
  // TODO
  throw todo('classifyOwnerReferences()');
}

/**
 * attemptToDeleteItem: decide about one object of the graph.
 * 1. Being deleted, and not deletingDependents? Someone else deletes it: do nothing.
 * 2. GET it live (ctx.client.getObject(item.identity)). Gone, or another uid? ctx.reportAbsent(item); done.
 * 3. deletingDependents (deleted in the foreground)? Its blocking dependents are those whose owner
 *    reference to it has blockOwnerDeletion: true. None left: remove its foregroundDeletion
 *    finalizer (ctx.client.removeFinalizer). Otherwise ctx.attemptToDelete each blocking
 *    dependent that is not deletingDependents itself. Done.
 * 4. Take the owner references of the live object (none: done). Look each owner up live, in the
 *    item's namespace: exists, its uid, deletingDependents (a deletionTimestamp and the
 *    foregroundDeletion finalizer). Classify them (classifyOwnerReferences).
 * 5. Some solid owner: the item stays. If some references are dangling or waiting, patch the
 *    owner references to keep only the others (ctx.client.patchOwnerReferences).
 * 6. Else, some owner waits for its dependents and the item has dependents of its own: delete it
 *    in the Foreground (if one of its dependents is deletingDependents too, first patch its
 *    references with blockOwnerDeletion: false, to break a possible cycle).
 * 7. Else delete it, with the policy its own finalizers ask for: orphan → Orphan,
 *    foregroundDeletion → Foreground, otherwise Background (ctx.client.deleteObject).
 */
export async function attemptToDeleteItem(item: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult> {
  // TODO
  throw todo('attemptToDeleteItem()');
}

/**
 * The owner was deleted with propagationPolicy Orphan: it carries the `orphan` finalizer. For each
 * of its dependents, patch its owner references to all of them but the owner's (by uid); a
 * dependent that is gone (NotFound) is fine. If any other patch failed, throw (the workers retry)
 * and keep the finalizer. Then remove the owner's `orphan` finalizer: the apiserver deletes it.
 */
export async function orphanDependents(owner: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult> {
  // TODO
  throw todo('orphanDependents()');
}

/**
 * The namespace controller's sync of namespace `key` (NamespacedResourcesDeleter.Delete):
 * 1. Not in ctx.namespaces: done. GET it live; gone or no deletionTimestamp: done.
 * 2. Phase not Terminating: write it (ctx.client.updateNamespaceStatus) and go on from the result.
 * 3. spec.finalizers empty: done (already finalized).
 * 4. For each resource of ctx.resources with the `delete` verb, in order:
 *    - pods only: list them first; the estimate is the longest terminationGracePeriodSeconds (30
 *      when unset) of the pods not Succeeded or Failed, or 0 once the namespace's deletionTimestamp
 *      is at least that long ago;
 *    - delete: ctx.client.deleteCollection if the verbs have `deletecollection`, else list and
 *      delete each (deleteObject, Background; NotFound is fine);
 *    - with the `list` verb, list what is left: nothing → no estimate. Otherwise count the
 *      objects and their finalizers; the estimate stays if there was one, else it is
 *      FINALIZER_ESTIMATE_SECONDS when any object has finalizers, else it is an error:
 *      `unexpected items still remain in namespace: <ns> for gvr: <group>/<version>, Resource=<resource>`.
 *    Collect errors (their messages) and go on with the next resource.
 * 5. updateNamespaceConditions(status, { remaining: "<resource>.<group>" → count, finalizers:
 *    finalizer → count, errors }, now) on a copy of the status; if it changed, write the status
 *    (a failure there is ignored).
 * 6. Errors: throw them, joined with ", ". An estimate > 0: return { requeueAfterMs:
 *    (floor(estimate / 2) + 1) s }. Otherwise finalize: ctx.client.finalizeNamespace with
 *    spec.finalizers without NAMESPACE_FINALIZER (NotFound is fine): the apiserver deletes it.
 */
export async function syncNamespace(key: string, ctx: NamespaceSyncContext): Promise<SyncResult> {
  // TODO
  throw todo('syncNamespace()');
}
