/**
 * Exercise 03-scheduler/05-schedule-one: the scheduling cycle and the binding cycle.
 *
 * scheduleOne is kube-scheduler's heart: pop a pod, take a snapshot, filter, score, pick a node,
 * assume the pod there (so the next cycle already counts it), and bind it through the apiserver
 * without waiting: the binding cycle runs while the next pod is being scheduled. When no node fits,
 * the pod goes back to the queue and the learner sees why in `kubectl describe pod`:
 * "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {…}."
 *
 * The shapes (engine/scheduler/exercises.ts and framework.ts):
 *   sched            a SchedulerContext: queue (exercise 04's), cache (updateSnapshot, assume,
 *                    forget, finishBinding), filter(pod, node), profile, percentageOfNodesToScore,
 *                    nextStartNodeIndex, random(n), bind(pod, node), reportFailure(...),
 *                    reportScheduled(...), postFilter? (preemption, exercise 06)
 *   QueuedPodInfo    { podInfo, attempts, timestamp, unschedulablePlugins }: what sched.queue.pop()
 *                    gives; its podInfo is the PodInfo the filters and scores take
 *   Snapshot         { nodes, get(name), nominatedPods(name), scoreContext }
 *   Diagnosis        a Map of node name → the FilterFailure that rejected it: { code, reasons,
 *                    plugin }
 *   NodeScores       { nodes, total, byPlugin }: what prioritizeNodes (exercise 03) returns
 *   ScheduleOutcome  { pod, nodeName?, binding? }: what scheduleOne returns
 *
 * Read: lessons/core/03-scheduler/05-schedule-one.md
 * Check: npx kubelings check 03-scheduler/05-schedule-one
 */
import { NotImplemented } from '#engine/errors.ts';
import type { QueuedPodInfo, ScheduleOutcome, SchedulerContext } from '#engine/scheduler/exercises.ts';
import type { Diagnosis, NodeInfo, NodeScores, PodInfo, Snapshot } from '#engine/scheduler/framework.ts';
import { numFeasibleNodesToFind, prioritizeNodes } from './scores.ts';

const PAGE = 'lessons/core/03-scheduler/05-schedule-one.md';
const todo = (what: string) => new NotImplemented('03-scheduler/05-schedule-one', PAGE, what);

/**
 * Filters nodes until numFeasibleNodesToFind(sched.percentageOfNodesToScore, all) feasible ones are
 * found, or every node was tried (findNodesThatPassFilters).
 *
 * Must hold:
 * - the search starts at sched.nextStartNodeIndex and wraps around (node (start + i) % all), so
 *   successive pods look at different nodes first; afterwards nextStartNodeIndex moves on by the
 *   number of nodes tried;
 * - each node is judged by sched.filter(pod, node): FITS (null) makes it feasible, a failure goes
 *   into the diagnosis under the node's name;
 * - no nodes at all: nothing feasible, an empty diagnosis.
 */
export function findNodesThatFit(sched: SchedulerContext, pod: PodInfo, snapshot: Snapshot): { feasible: NodeInfo[]; diagnosis: Diagnosis } {
  // TODO
  throw todo('findNodesThatFit()');
}

/**
 * The name of the node with the highest total; when several share it, each must be equally likely
 * (reservoir sampling: the k-th tie replaces the choice when random(k) === 0). Throws on no nodes.
 */
export function selectHost(scores: NodeScores, random: (n: number) => number): string {
  // TODO
  throw todo('selectHost()');
}

/**
 * Each reason with the number of nodes that gave it, as "<count> <reason>", sorted as strings
 * (so "10 …" sorts before "2 …", as upstream's sort.Strings does), joined with ", ".
 */
export function reasonHistogram(reasonsByNode: Iterable<readonly string[]>): string {
  // TODO
  throw todo('reasonHistogram()');
}

/**
 * FitError.Error(): "0/<numAllNodes> nodes are available:", then " <histogram>." when there are
 * reasons, then " <postFilterMessage>." when preemption said something.
 * E.g. "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }."
 */
export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis, postFilterMessage?: string): string {
  // TODO
  throw todo('fitErrorMessage()');
}

/**
 * One scheduling cycle, synchronously, then the binding cycle as a promise.
 *
 * Must hold:
 * - nothing to pop: return undefined. Otherwise note sched.queue.schedulingCycle() after pop, and
 *   take sched.cache.updateSnapshot();
 * - no nodes at all: fail with 'SchedulerError' and "no nodes available to schedule pods";
 * - no feasible node: run sched.postFilter (when set); fail with 'Unschedulable' and fitErrorMessage
 *   (with the postFilter's message, if it gave one; with its nodeName as nominatedNodeName, if it
 *   chose one), and record the plugins named in the diagnosis as the pod's unschedulablePlugins;
 * - to fail: sched.queue.addUnschedulableIfNotPresent(pod, cycle) and sched.reportFailure(...);
 * - one feasible node: take it without scoring; several: prioritizeNodes then selectHost(…, sched.random);
 * - sched.cache.assume(pod, node) before returning, so the next cycle sees the pod there;
 * - binding (the returned promise): await sched.bind; on success cache.finishBinding and
 *   reportScheduled; on failure cache.forget, queue.moveAllToActiveOrBackoff('AssignedPodDelete'),
 *   put the pod back (no unschedulable plugins) and reportFailure('SchedulerError', "binding rejected: <error message>").
 * Returns { pod, nodeName, binding } (nodeName and binding only when a node was chosen).
 */
export function scheduleOne(sched: SchedulerContext): ScheduleOutcome | undefined {
  // TODO
  throw todo('scheduleOne()');
}
