/**
 * Exercise 04-controllers/07-daemonset-statefulset, first half: the DaemonSet controller, which
 * runs one pod on every node that fits (a log shipper, a network agent), adding pods as nodes
 * join and removing them as nodes leave or stop fitting.
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
 * Upstream: kubernetes pkg/controller/daemon (daemon_controller.go, update.go, util/daemonset_util.go).
 */
import { isApiError } from '#engine/apiserver/errors.ts';
import { CONTROLLER_REVISION_HASH_LABEL, daemonPodFor, daemonPodTemplate, fitsNodeAffinity, pinToNode, targetNodeOf } from '#engine/controllers/daemon-util.ts';
import type { DaemonSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { newControllerRef, objectKeyOf, parseTime, podFromTemplate } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '#engine/kube/types.ts';
import { SLOW_START_INITIAL_BATCH_SIZE } from '#engine/params.ts';
import type { Taint, Toleration } from '#engine/scheduler/types.ts';
import { computeHash } from './deployment.ts';
import { claimObjects, isPodAvailable, slowStartBatch } from './replicaset.ts';

const PAGE = 'lessons/core/04-controllers/10-daemonset-statefulset.md';
const todo = (what: string) => new NotImplemented('04-controllers/07-daemonset-statefulset', PAGE, what);

/** Tolerations and node affinity, from lesson 03 (the reference unless yours passes): scheduler.tolerates, and fitsNodeAffinity(scheduler, pod, node). */
const scheduler = await loadComponent('scheduler');
void [isApiError, CONTROLLER_REVISION_HASH_LABEL, daemonPodFor, daemonPodTemplate, fitsNodeAffinity, pinToNode, targetNodeOf, NAMESPACE_INDEX, newControllerRef, objectKeyOf, parseTime, podFromTemplate, SLOW_START_INITIAL_BATCH_SIZE, computeHash, claimObjects, isPodAvailable, slowStartBatch, scheduler];

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

