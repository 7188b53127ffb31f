/**
 * Exercise 04-controllers/07-daemonset-statefulset, second half: the StatefulSet controller, whose
 * pods have stable names (web-0, web-1, ...) and come up, go down and roll out in order.
 *
 * With podManagementPolicy OrderedReady (the default) web-1 is created only once web-0 is Running
 * and Ready; scaling down removes the highest ordinal first, one at a time. Parallel creates and
 * deletes them all at once. A rolling update replaces pods from the highest ordinal down, one at a
 * time, and stops at `partition`. Each template is kept as a ControllerRevision; a pod's
 * controller-revision-hash label names the revision it was made from.
 *
 * Shapes (engine/kube/types.ts, engine/controllers/exercises.ts):
 *   StatefulSet { metadata, spec: { replicas?, selector, template, serviceName?, podManagementPolicy?,
 *                 updateStrategy?: { type?, rollingUpdate?: { partition? } }, minReadySeconds? }, status? }
 *   StatefulSetStatus { replicas, readyReplicas?, currentReplicas?, updatedReplicas?, availableReplicas?,
 *                       currentRevision?, updateRevision?, observedGeneration?, collisionCount? }
 *   StatefulSetAction { action: 'create', ordinal, revision: 'current' | 'update' } | { action: 'delete', pod, reason }
 *   ControllerRevision { metadata, data, revision }
 *   StatefulSetSyncContext { now(), statefulSets, pods, revisions (Listers), client }
 *
 * Read: lessons/core/04-controllers/10-daemonset-statefulset.md
 * Check: npx kubelings check 04-controllers/07-daemonset-statefulset
 * Upstream: kubernetes pkg/controller/statefulset (stateful_set_control.go, stateful_set_utils.go).
 */
import { isApiError } from '#engine/apiserver/errors.ts';
import type { StatefulSetAction, StatefulSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { newControllerRef } from '#engine/controllers/pods.ts';
import { isRunningAndReady, newRevision, ordinalOf, revisionHoldsTemplate, revisionOfPod, statefulSetPod, templateOfRevision } from '#engine/controllers/statefulset-util.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '#engine/kube/types.ts';
import { computeHash } from './deployment.ts';
import { claimObjects, isPodAvailable } from './replicaset.ts';

const PAGE = 'lessons/core/04-controllers/10-daemonset-statefulset.md';
const todo = (what: string) => new NotImplemented('04-controllers/07-daemonset-statefulset', PAGE, what);
void [isApiError, CONTROLLER_INDEX, NAMESPACE_INDEX, newControllerRef, isRunningAndReady, newRevision, ordinalOf, revisionHoldsTemplate, revisionOfPod, statefulSetPod, templateOfRevision, computeHash, claimObjects, isPodAvailable];

/**
 * The plan of one sync (stateful_set_control.go), in order. Nothing while the set is being
 * deleted. Pods whose ordinal (ordinalOf) is below spec.replicas (default 1) fill the slots 0..n-1;
 * the others are condemned, taken highest ordinal first. A pod is available when Running and
 * Ready (isRunningAndReady) and Ready for minReadySeconds (isPodAvailable); healthy when also
 * not being deleted. OrderedReady (the default) is "monotonic": at each step below that says
 * "stop", return the plan so far; Parallel goes on.
 * 1. For each slot in order: no pod → create it (revision 'current' when the strategy is
 *    RollingUpdate, the default, and the ordinal is below rollingUpdate.partition (default 0),
 *    else 'update'), stop. A finished pod (Failed, Succeeded) → delete it (reason 'finished')
 *    unless it is being deleted already, stop. Being deleted, or not available → stop.
 * 2. For each condemned pod: being deleted → stop. Not available, and not the first unhealthy
 *    pod (the lowest slot without a healthy pod, else the lowest-ordinal unhealthy condemned
 *    pod) → stop. Otherwise delete it (reason 'condemned'), stop.
 * 3. Strategy OnDelete: done. Otherwise from slot n-1 down to the partition: no pod → done; a pod
 *    whose revision (revisionOfPod) is not revisions.update and not being deleted → delete it
 *    (reason 'update') and done, whatever the policy; a pod not healthy → done.
 */
export function statefulSetActions(set: StatefulSet, pods: readonly Pod[], revisions: { current: string; update: string }, now: number): StatefulSetAction[] {
  // TODO
  throw todo('statefulSetActions()');
}

/**
 * One sync of the StatefulSet `key`:
 * 1. Gone: done. Claim the pods of the namespace that are members (ordinalOf is defined) with
 *    claimObjects (adopt and release with patches, as a ReplicaSet does).
 * 2. Revisions (getStatefulSetRevisions): its ControllerRevisions
 *    (ctx.revisions.byIndex(CONTROLLER_INDEX, set uid)) by revision number. The update
 *    revision: the latest that holds the current template (revisionHoldsTemplate) if it is the
 *    very last one; else, if an older one holds it (a rollback), that one with its revision set
 *    to last + 1 (ctx.client.updateControllerRevision); else a new one, newRevision(set, last +
 *    1, computeHash(template, status.collisionCount)), created. The current revision: the one
 *    named by status.currentRevision, else the update revision.
 * 3. Carry out statefulSetActions(set, pods, { current: name, update: name }, now): create
 *    statefulSetPod(set, templateOfRevision(that revision), ordinal, its name) (AlreadyExists is
 *    fine: an earlier sync made it), delete pods (NotFound is fine).
 * 4. The status from the claimed pods: replicas (all), readyReplicas (Running and Ready),
 *    availableReplicas, currentReplicas and updatedReplicas (pods not being deleted at each
 *    revision), currentRevision, updateRevision, observedGeneration (metadata.generation),
 *    collisionCount kept. RollingUpdate with every pod updated and ready: currentRevision =
 *    updateRevision and currentReplicas = updatedReplicas. Written only if it changed.
 * 5. With minReadySeconds > 0 and ready != available: { requeueAfterMs: minReadySeconds in ms }.
 */
export async function syncStatefulSet(key: string, ctx: StatefulSetSyncContext): Promise<SyncResult> {
  // TODO
  throw todo('syncStatefulSet()');
}

