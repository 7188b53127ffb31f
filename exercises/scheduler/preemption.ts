/**
 * Exercise 03-scheduler/06-preemption: DefaultPreemption, the PostFilter plugin.
 *
 * A high-priority pod that fits nowhere may make room by evicting lower-priority pods. Preemption
 * looks at every node where removing pods could help, finds on each the smallest set of victims,
 * and picks the node where the eviction hurts least. The pod is then "nominated" to that node
 * (status.nominatedNodeName) and retried once the victims are gone. PodDisruptionBudgets are left out.
 *
 * Tools (engine/scheduler/nodeinfo.ts): cloneNodeInfo(node) gives a copy you may change;
 * addPod(copy, pod) and removePod(copy, key) keep its sums right; filter(pod, copy) runs every filter.
 *
 * Read: lessons/core/03-scheduler/06-preemption.md
 * Check: npx kubelings check 03-scheduler/06-preemption
 */
import { NotImplemented } from '#engine/errors.ts';
import type { PreemptionResult } from '#engine/scheduler/exercises.ts';
import type { Diagnosis, FilterRunner, NodeInfo, PodInfo, Snapshot } from '#engine/scheduler/framework.ts';
import { addPod, cloneNodeInfo, removePod } from '#engine/scheduler/nodeinfo.ts';
import { reasonHistogram } from './schedule-one.ts';

const PAGE = 'lessons/core/03-scheduler/06-preemption.md';
const todo = (what: string) => new NotImplemented('03-scheduler/06-preemption', PAGE, what);

/**
 * SelectVictimsOnNode: the pods to evict from `node` so that `pod` fits, or undefined when none will do.
 *
 * Must hold:
 * - only pods of strictly lower priority may be victims; with none, undefined;
 * - remove them all from a copy of the node; if the pod still does not fit, undefined;
 * - then reprieve: put them back one at a time, most important first (higher priority, then the
 *   one that started earlier: status.startTime), keeping each one that leaves the pod still fitting;
 *   those that cannot be put back are the victims.
 */
export function selectVictimsOnNode(pod: PodInfo, node: NodeInfo, filter: FilterRunner): PodInfo[] | undefined {
  // TODO
  throw todo('selectVictimsOnNode()');
}

/**
 * The PostFilter: where to preempt, and whom.
 *
 * Must hold:
 * - spec.preemptionPolicy Never: { message: "preemption: not eligible due to preemptionPolicy=Never" };
 * - nodes whose diagnosis is UnschedulableAndUnresolvable (a taint, a selector) cannot be helped:
 *   reason "Preemption is not helpful for scheduling"; nodes where selectVictimsOnNode finds nothing:
 *   "No preemption victims found for incoming pod";
 * - no candidate: { message: "preemption: 0/<nodes> nodes are available: <reasonHistogram of those reasons>" };
 * - otherwise pick one node (pickOneNodeForPreemption), comparing in order: the lowest highest-victim
 *   priority; the lowest sum of (victim priority + 2^31); the fewest victims; the latest start time
 *   of its highest-priority victims; else the first in the snapshot's order;
 *   and return { nodeName, victims }.
 */
export function preempt(pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis, filter: FilterRunner): PreemptionResult {
  // TODO
  throw todo('preempt()');
}
