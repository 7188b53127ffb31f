/**
 * Reference for exercise 03-scheduler/05-schedule-one: the scheduling cycle and the binding cycle.
 * Kubernetes: pkg/scheduler/schedule_one.go (scheduleOne, schedulingCycle, bindingCycle,
 * findNodesThatPassFilters, selectHost, handleSchedulingFailure) and framework/types.go (FitError).
 */
import type { QueuedPodInfo, ScheduleOutcome, SchedulerContext } from '#engine/scheduler/exercises.ts';
import type { Diagnosis, NodeInfo, NodeScores, PodInfo, Snapshot } from '#engine/scheduler/framework.ts';
import { numFeasibleNodesToFind, prioritizeNodes } from './scores.ts';

export function findNodesThatFit(sched: SchedulerContext, pod: PodInfo, snapshot: Snapshot): { feasible: NodeInfo[]; diagnosis: Diagnosis } {
  const nodes = snapshot.nodes;
  const all = nodes.length;
  const diagnosis: Diagnosis = new Map();
  const feasible: NodeInfo[] = [];
  if (all === 0) return { feasible, diagnosis };
  const wanted = numFeasibleNodesToFind(sched.percentageOfNodesToScore, all);
  const filter = sched.filter;
  const start = sched.nextStartNodeIndex % all;
  let processed = 0;
  let at = start;
  while (processed < all && feasible.length < wanted) {
    const node = nodes[at]!;
    at = at + 1 === all ? 0 : at + 1;
    processed++;
    const verdict = filter(pod, node);
    if (verdict) diagnosis.set(node.name, verdict);
    else feasible.push(node);
  }
  sched.nextStartNodeIndex = (start + processed) % all;
  return { feasible, diagnosis };
}

export function selectHost(scores: NodeScores, random: (n: number) => number): string {
  if (scores.nodes.length === 0) throw new Error('selectHost: empty priority list');
  let best = 0;
  let ties = 1;
  for (let i = 1; i < scores.nodes.length; i++) {
    if (scores.total[i]! > scores.total[best]!) {
      best = i;
      ties = 1;
    } else if (scores.total[i] === scores.total[best]) {
      ties++;
      if (random(ties) === 0) best = i;
    }
  }
  return scores.nodes[best]!.name;
}

/** "1 Insufficient cpu, 2 node(s) had untolerated taint {…}": each reason with how many nodes gave it, sorted. */
export function reasonHistogram(reasonsByNode: Iterable<readonly string[]>): string {
  const counts = new Map<string, number>();
  for (const reasons of reasonsByNode) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([reason, n]) => `${n} ${reason}`)
    .sort()
    .join(', ');
}

export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis, postFilterMessage?: string): string {
  let message = `0/${numAllNodes} nodes are available:`;
  const histogram = reasonHistogram([...diagnosis.values()].map((f) => f.reasons));
  if (histogram) message += ` ${histogram}.`;
  if (postFilterMessage) message += ` ${postFilterMessage}.`;
  return message;
}

export function scheduleOne(sched: SchedulerContext): ScheduleOutcome | undefined {
  const queued = sched.queue.pop();
  if (!queued) return undefined;
  const cycle = sched.queue.schedulingCycle();
  const pod = queued.podInfo;
  const snapshot = sched.cache.updateSnapshot();

  const fail = (reason: 'Unschedulable' | 'SchedulerError', message: string, plugins: Set<string>, nominated?: string): ScheduleOutcome => {
    queued.unschedulablePlugins = plugins;
    sched.queue.addUnschedulableIfNotPresent(queued, cycle);
    sched.reportFailure(pod, reason, message, nominated);
    return { pod: queued };
  };

  if (snapshot.nodes.length === 0) return fail('SchedulerError', 'no nodes available to schedule pods', new Set());
  const { feasible, diagnosis } = findNodesThatFit(sched, pod, snapshot);
  if (feasible.length === 0) {
    const plugins = new Set([...diagnosis.values()].map((f) => f.plugin ?? ''));
    plugins.delete('');
    let postFilterMessage: string | undefined;
    let nominated: string | undefined;
    if (sched.postFilter) {
      const result = sched.postFilter(pod, snapshot, diagnosis);
      if ('message' in result) postFilterMessage = result.message;
      else nominated = result.nodeName;
    }
    return fail('Unschedulable', fitErrorMessage(snapshot.nodes.length, diagnosis, postFilterMessage), plugins, nominated);
  }

  const host = feasible.length === 1 ? feasible[0]!.name : selectHost(prioritizeNodes(sched.profile, pod, feasible, snapshot.scoreContext), (n) => sched.random(n));
  sched.cache.assume(pod, host);
  const binding = bindingCycle(sched, queued, host, cycle);
  return { pod: queued, nodeName: host, binding };
}

async function bindingCycle(sched: SchedulerContext, queued: QueuedPodInfo, host: string, cycle: number): Promise<void> {
  const pod = queued.podInfo;
  try {
    await sched.bind(pod, host);
  } catch (error) {
    sched.cache.forget(pod);
    sched.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
    queued.unschedulablePlugins = new Set();
    sched.queue.addUnschedulableIfNotPresent(queued, cycle);
    sched.reportFailure(pod, 'SchedulerError', `binding rejected: ${(error as Error).message}`);
    return;
  }
  sched.cache.finishBinding(pod);
  sched.reportScheduled(pod, host);
}
