/**
 * Exercise 04-controllers/06-node-lifecycle: the node lifecycle controller, which notices that a
 * node's kubelet stopped reporting, and the taint manager, which evicts the pods of such a node
 * once their tolerations run out.
 *
 * A kubelet renews its node Lease (kube-node-lease/<node>) every 10 s. When neither the Lease nor
 * the Ready condition's heartbeat moved for the grace period (50 s), the node's conditions become
 * Unknown and it gets the taint node.kubernetes.io/unreachable (not-ready when Ready is False),
 * NoSchedule and NoExecute. A NoExecute taint evicts every pod that does not tolerate it, at once,
 * or after the toleration's tolerationSeconds (300 s by default, added to every pod at admission).
 *
 * Shapes (engine/kube/types.ts, engine/scheduler/types.ts, engine/controllers/exercises.ts):
 *   Node { metadata, spec?: { taints?: Taint[] }, status?: { conditions?: Condition[] } }
 *   Condition { type, status: 'True' | 'False' | 'Unknown', reason?, message?, lastHeartbeatTime?, lastTransitionTime? }
 *   Lease { metadata, spec?: { renewTime? } }      (times are RFC 3339 strings: parseTime reads them)
 *   Taint { key, value?, effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute', timeAdded? }
 *   Toleration { key?, operator?: 'Equal' | 'Exists', value?, effect?, tolerationSeconds? }
 *   NodeLifecycleContext { now(), nodes, leases, pods (Listers), client, gracePeriodMs }
 *
 * Read: lessons/core/04-controllers/09-node-lifecycle.md
 * Check: npx kubelings check 04-controllers/06-node-lifecycle
 * Upstream: kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go and
 * pkg/controller/tainteviction/taint_eviction.go.
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { NodeLifecycleContext, SyncResult } from '#engine/controllers/exercises.ts';
import { NODE_INDEX } from '#engine/controllers/indexer.ts';
import { MONITORED_NODE_CONDITIONS, NODE_LEASE_NAMESPACE, NODE_STATUS, NOT_READY_TAINT, UNREACHABLE_TAINT } from '#engine/controllers/node-util.ts';
import { formatTime, parseTime } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Condition, Lease, Node, Pod } from '#engine/kube/types.ts';
import type { Taint, Toleration } from '#engine/scheduler/types.ts';

const PAGE = 'lessons/core/04-controllers/09-node-lifecycle.md';
const todo = (what: string) => new NotImplemented('04-controllers/06-node-lifecycle', PAGE, what);

/** Toleration matching, from lesson 03 (the reference unless yours passes): scheduler.tolerates(toleration, taint). */
const scheduler = await loadComponent('scheduler');
void [isApiError, NODE_INDEX, MONITORED_NODE_CONDITIONS, NODE_LEASE_NAMESPACE, NODE_STATUS, NOT_READY_TAINT, UNREACHABLE_TAINT, formatTime, parseTime, scheduler];

/**
 * tryUpdateNodeHealth: a copy of the node's conditions at `now`. The last heartbeat is the later of
 * the Ready condition's lastHeartbeatTime and the Lease's spec.renewTime (neither: the node's
 * creationTimestamp). Unless now is strictly later than that plus gracePeriodMs, return the
 * conditions unchanged. Otherwise, for each of MONITORED_NODE_CONDITIONS (Ready, MemoryPressure,
 * DiskPressure, PIDPressure): one that is not Unknown becomes status Unknown, reason and message
 * NODE_STATUS.unknown, lastTransitionTime now; one that is Unknown already stays as it is; a
 * missing one is added: Unknown, NODE_STATUS.neverUpdated, lastHeartbeatTime the node's
 * creationTimestamp, lastTransitionTime now. Times are written with formatTime.
 */
export function nodeHealth(node: Node, lease: Lease | undefined, now: number, gracePeriodMs: number): Condition[] {
  // TODO
  throw todo('nodeHealth()');
}

/**
 * The taints a node with this Ready condition must carry: Ready False → NOT_READY_TAINT, Unknown
 * → UNREACHABLE_TAINT, each twice: [{ key, effect: 'NoSchedule', timeAdded }, { key, effect:
 * 'NoExecute', timeAdded }] with timeAdded = formatTime(now); True (or no condition) → none.
 */
export function taintsForReadiness(ready: Condition | undefined, now: number): Taint[] {
  // TODO
  throw todo('taintsForReadiness()');
}

/**
 * The taint manager: when must `pod` leave a node with these taints? Only NoExecute taints count.
 * For each, the pod's first toleration that tolerates it (scheduler.tolerates): none → now (evict
 * at once). With tolerationSeconds, the taint is tolerated until its timeAdded (now if unset) +
 * tolerationSeconds (0 or less: until timeAdded); without, for ever. The answer is the earliest of
 * those times, or undefined when every NoExecute taint is tolerated for ever (or there is none).
 */
export function evictionTime(pod: Pod, taints: readonly Taint[], now: number): number | undefined {
  // TODO
  throw todo('evictionTime()');
}

/**
 * One sync of node `key` (monitorNodeHealth and the taint manager, for one node):
 * 1. Gone from ctx.nodes: done. Work on a copy.
 * 2. conditions = nodeHealth(node, its Lease ctx.leases.get('kube-node-lease/<node>'), now,
 *    ctx.gracePeriodMs). If Ready's status or reason changed, write them
 *    (ctx.client.updateNodeStatus) and, when Ready was True and is not any more, record the
 *    Event Normal NodeNotReady "Node <name> status is now: NodeNotReady".
 * 3. Taints: keep every taint that is not ours (ours: NOT_READY_TAINT and UNREACHABLE_TAINT,
 *    NoSchedule or NoExecute) and ours that taintsForReadiness still wants, as they are (their
 *    timeAdded too); append the wanted ones missing. Changed: ctx.client.updateNodeTaints.
 * 4. Ready not True: for each pod on the node (ctx.pods.byIndex(NODE_INDEX, node)) whose Ready
 *    condition is there and not False, ctx.client.markPodNotReady.
 * 5. For each pod on the node without a deletionTimestamp: evictionTime with the node's taints;
 *    due (<= now): ctx.client.evictPod (NotFound is fine); later: remember the earliest.
 * 6. Return { requeueAfterMs } until that earliest eviction, if any.
 */
export async function syncNode(key: string, ctx: NodeLifecycleContext): Promise<SyncResult> {
  // TODO
  throw todo('syncNode()');
}
