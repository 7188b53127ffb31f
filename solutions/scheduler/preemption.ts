/**
 * Reference for exercise 03-scheduler/06-preemption: DefaultPreemption's PostFilter.
 * Kubernetes: pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go
 * (SelectVictimsOnNode, PodEligibleToPreemptOthers) and framework/preemption/preemption.go
 * (findCandidates, pickOneNodeForPreemption). PodDisruptionBudgets are left out.
 */
import type { PreemptionResult } from '#engine/scheduler/exercises.ts';
import type { Diagnosis, FilterRunner, NodeInfo, PodInfo, Snapshot } from '#engine/scheduler/framework.ts';
import { addPod, cloneNodeInfo, removePod } from '#engine/scheduler/nodeinfo.ts';
import { reasonHistogram } from './schedule-one.ts';

function startTime(pod: PodInfo): number {
  const at = pod.pod.status?.startTime ?? pod.pod.metadata.creationTimestamp;
  return at ? Date.parse(at) : 0;
}

/** Higher priority first; among equals, the one that started first (util.MoreImportantPod). */
function moreImportant(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

/** The fewest lower-priority pods to remove from the node so that the pod fits, or undefined. */
export function selectVictimsOnNode(pod: PodInfo, node: NodeInfo, filter: FilterRunner): PodInfo[] | undefined {
  const lower = node.pods.filter((p) => p.priority < pod.priority).sort(moreImportant);
  if (lower.length === 0) return undefined;
  const trial = cloneNodeInfo(node);
  for (const p of lower) removePod(trial, p.key);
  if (filter(pod, trial)) return undefined;
  const victims: PodInfo[] = [];
  for (const p of lower) {
    addPod(trial, p);
    if (filter(pod, trial)) {
      removePod(trial, p.key);
      victims.push(p);
    }
  }
  return victims;
}

const PRIORITY_OFFSET = 2 ** 31; // upstream adds MaxInt32+1 so that negative priorities sum sensibly

export function preempt(pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis, filter: FilterRunner): PreemptionResult {
  if (pod.pod.spec.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never' };
  const reasons = new Map<string, string[]>();
  const candidates: { node: NodeInfo; victims: PodInfo[] }[] = [];
  for (const node of snapshot.nodes) {
    const failure = diagnosis.get(node.name);
    if (!failure || failure.code === 'UnschedulableAndUnresolvable') {
      reasons.set(node.name, ['Preemption is not helpful for scheduling']);
      continue;
    }
    const victims = selectVictimsOnNode(pod, node, filter);
    if (victims === undefined) reasons.set(node.name, ['No preemption victims found for incoming pod']);
    else candidates.push({ node, victims });
  }
  if (candidates.length === 0) {
    return { message: `preemption: 0/${snapshot.nodes.length} nodes are available: ${reasonHistogram(reasons.values())}` };
  }
  const highest = (c: { victims: PodInfo[] }) => Math.max(...c.victims.map((v) => v.priority));
  const sum = (c: { victims: PodInfo[] }) => c.victims.reduce((s, v) => s + v.priority + PRIORITY_OFFSET, 0);
  const earliestOfHighest = (c: { victims: PodInfo[] }) => {
    const top = highest(c);
    return Math.min(...c.victims.filter((v) => v.priority === top).map(startTime));
  };
  let best = candidates[0]!;
  for (const c of candidates.slice(1)) {
    if (c.victims.length === 0) {
      if (best.victims.length !== 0) best = c;
      continue;
    }
    if (best.victims.length === 0) continue;
    const order = highest(c) - highest(best) || sum(c) - sum(best) || c.victims.length - best.victims.length || earliestOfHighest(best) - earliestOfHighest(c);
    if (order < 0) best = c;
  }
  return { nodeName: best.node.name, victims: best.victims };
}
