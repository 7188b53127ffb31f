/**
 * Exercise 04-controllers/07-daemonset-statefulset: two controllers that place pods with more care
 * than a ReplicaSet. First the DaemonSet controller, which runs one pod on every node that fits
 * (a log shipper, a network agent), adding pods as nodes join and removing them as nodes leave or
 * stop fitting. Then the StatefulSet controller (below), whose pods have stable names.
 *
 * A daemon pod is pinned to its node with required node affinity (metadata.name In [node]): the
 * scheduler binds it there. It tolerates node problems (not-ready, unreachable, pressure,
 * unschedulable) so that it keeps running where ordinary pods are evicted. A new template rolls
 * out node by node, never more than maxUnavailable (1) daemon pods down at once.
 *
 * Shapes (engine/kube/types.ts, engine/controllers/exercises.ts):
 *   DaemonSet { metadata, spec: { selector, template, updateStrategy?: { type?, rollingUpdate?: { maxUnavailable? } }, minReadySeconds? }, status? }
 *   DaemonSetStatus { desiredNumberScheduled, currentNumberScheduled, numberMisscheduled, numberReady,
 *                     numberAvailable?, numberUnavailable?, updatedNumberScheduled?, observedGeneration? }
 *   Node { metadata, spec?: { taints? } }     Pod { metadata, spec: { nodeName?, affinity?, tolerations? }, status? }
 *   DaemonSetSyncContext { now(), daemonSets, nodes, pods (Listers), expectations, client, burstReplicas }
 *
 * Read: lessons/core/04-controllers/10-daemonset-statefulset.md
 * Check: npx kubelings check 04-controllers/07-daemonset-statefulset
 * Upstream: kubernetes pkg/controller/daemon (daemon_controller.go, update.go,
 * util/daemonset_util.go) and pkg/controller/statefulset (stateful_set_control.go, stateful_set_utils.go).
 */
import { isApiError } from '#engine/kube/errors.ts';
import { CONTROLLER_REVISION_HASH_LABEL, daemonPodFor, daemonPodTemplate, fitsNodeAffinity, pinToNode, targetNodeOf } from '#engine/controllers/daemon-util.ts';
import type { DaemonSetSyncContext, StatefulSetAction, StatefulSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { newControllerRef, objectKeyOf, parseTime, podFromTemplate } from '#engine/controllers/pods.ts';
import { isRunningAndReady, newRevision, ordinalOf, revisionHoldsTemplate, revisionOfPod, statefulSetPod, templateOfRevision } from '#engine/controllers/statefulset-util.ts';
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, Pod, StatefulSet, StatefulSetStatus } from '#engine/kube/types.ts';
import { SLOW_START_INITIAL_BATCH_SIZE } from '#engine/params.ts';
import type { Taint, Toleration } from '#engine/scheduler/types.ts';
import { computeHash } from './deployment.ts';
import { claimObjects, isPodAvailable, slowStartBatch } from './replicaset.ts';

const PAGE = 'lessons/core/04-controllers/10-daemonset-statefulset.md';
const todo = (what: string) => new NotImplemented('04-controllers/07-daemonset-statefulset', PAGE, what);

/** Tolerations and node affinity, from lesson 03 (the reference unless yours passes): scheduler.tolerates, and fitsNodeAffinity(scheduler, pod, node). */
const scheduler = await loadComponent('scheduler');
void [
  isApiError,
  CONTROLLER_REVISION_HASH_LABEL,
  daemonPodFor,
  daemonPodTemplate,
  fitsNodeAffinity,
  pinToNode,
  targetNodeOf,
  NAMESPACE_INDEX,
  newControllerRef,
  objectKeyOf,
  parseTime,
  podFromTemplate,
  SLOW_START_INITIAL_BATCH_SIZE,
  computeHash,
  claimObjects,
  isPodAvailable,
  slowStartBatch,
  scheduler,
];

/**
 * NodeShouldRunDaemonPod. Neither (both false) when the template names another node
 * (spec.nodeName), or when the daemon pod for this node (daemonPodFor(ds, node): the template
 * with the DaemonSet tolerations added) does not fit the node's nodeSelector and required node
 * affinity (fitsNodeAffinity). Then the node's NoSchedule and NoExecute taints: all tolerated by
 * the pod's tolerations → both true; otherwise shouldRun is false, and shouldContinueRunning is
 * true only if every NoExecute taint is tolerated (a pod already there may stay).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  // TODO
  throw todo('nodeShouldRunDaemonPod()');
}

/**
 * One sync of the DaemonSet `key` (syncDaemonSet):
 * 1. Gone: ctx.expectations.deleteExpectations(key); done. An empty selector: record the Event
 *    Warning SelectingAll "This daemon set is selecting all pods. A non-empty selector is
 *    required." and stop. Being deleted: done.
 * 2. hash = computeHash(template, status.collisionCount); the nodes, by name; the pods of the
 *    namespace claimed with claimObjects (adopt and release with patches, as a ReplicaSet does),
 *    grouped by the node they are for: targetNodeOf(pod) (bound, or pinned but not yet bound).
 * 3. Expectations not satisfied: write only the status (keeping observedGeneration) and stop.
 * 4. For each node (nodeShouldRunDaemonPod): should run and has no pod → create one; should
 *    continue running → delete its finished pods (Failed, Succeeded), and of the others not being
 *    deleted keep the oldest (bound first, then creationTimestamp, then name) and delete the
 *    rest; must not run → delete its pods not being deleted. Pods pinned to a node that does not
 *    exist and not yet bound are deleted too.
 * 5. Create and delete (at most ctx.burstReplicas each): ctx.expectations.setExpectations(key,
 *    creates, keys of the pods to delete); each new pod is podFromTemplate(daemonPodTemplate(ds,
 *    hash), ds, newControllerRef(ds, 'apps/v1', 'DaemonSet')) with its affinity pinToNode(...),
 *    created in slow-start batches (creationObserved for each not created); deletions all at
 *    once (deletionObserved for a failed one; NotFound is no error).
 * 6. Then, if nothing went wrong, expectations are satisfied and the strategy is RollingUpdate
 *    (the default): over the nodes with pods, by name, count a node unavailable when it has
 *    not exactly one pod (new or old, not being deleted) or its one new pod (label
 *    CONTROLLER_REVISION_HASH_LABEL = hash) is not available; delete each old pod that is not
 *    available, and available old pods while the unavailable count is below maxUnavailable
 *    (rollingUpdate.maxUnavailable: a number, or a percentage of the desired nodes rounded up;
 *    default 1; 0 counts as 1), as in step 5.
 * 7. The status (from the pods seen in step 2), written only if it changed: for each node that
 *    should run a pod: desiredNumberScheduled; with a pod: currentNumberScheduled, and of its
 *    oldest pod: numberReady, numberAvailable (minReadySeconds), updatedNumberScheduled (hash);
 *    nodes that should not run one but have one: numberMisscheduled; numberUnavailable =
 *    desired - available; observedGeneration = metadata.generation. Pods Failed or Succeeded
 *    and being deleted do not count.
 * 8. Throw the error of steps 5-6 if any; else, with minReadySeconds > 0 and numberReady !=
 *    numberAvailable, return { requeueAfterMs: minReadySeconds in ms }.
 */
export async function syncDaemonSet(key: string, ctx: DaemonSetSyncContext): Promise<SyncResult> {
  // TODO
  throw todo('syncDaemonSet()');
}

// ── StatefulSets ──────────────────────────────────────────────────────────────────────────────────

/*
 * The StatefulSet controller, whose pods have stable names (web-0, web-1, ...) and come up, go
 * down and roll out in order.
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
 */
void [CONTROLLER_INDEX, isRunningAndReady, newRevision, ordinalOf, revisionHoldsTemplate, revisionOfPod, statefulSetPod, templateOfRevision];

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
