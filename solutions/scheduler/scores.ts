/**
 * Reference for exercise 03-scheduler/03-scores: score plugins, normalising, weighing, sampling.
 * Kubernetes: pkg/scheduler/framework/plugins/{noderesources (least_allocated.go,
 * balanced_allocation.go), nodeaffinity, tainttoleration, imagelocality, helper/normalize_score.go}
 * and schedule_one.go (numFeasibleNodesToFind, prioritizeNodes).
 */
import { SCHEDULER_DEFAULT_MEMORY_REQUEST, SCHEDULER_DEFAULT_MILLI_CPU_REQUEST, SCHEDULER_MIN_FEASIBLE_NODES_PERCENTAGE, SCHEDULER_MIN_FEASIBLE_NODES_TO_FIND } from '#engine/params.ts';
import { MAX_NODE_SCORE, type NodeInfo, type NodeScores, type PodInfo, type Profile, type Resources, type ScoreContext } from '#engine/scheduler/framework.ts';
import { normalizedImageName } from '#engine/scheduler/nodeinfo.ts';
import { runScorePlugins } from '#engine/scheduler/runtime.ts';
import type { Pod, Taint, Toleration } from '#engine/scheduler/types.ts';
import { sumRequests } from './filters.ts';
import { matchesTerm, tolerates } from './taints-affinity.ts';
import { loadComponent } from '#engine/impl.ts';

const objects = await loadComponent('objects');

export function nonZeroRequests(pod: Pod): Resources {
  return sumRequests(pod, (c) => {
    const requests = c.resources?.requests ?? {};
    return {
      milliCPU: requests.cpu === undefined ? SCHEDULER_DEFAULT_MILLI_CPU_REQUEST : objects.milliValue(objects.parseQuantity(String(requests.cpu))),
      memory: requests.memory === undefined ? SCHEDULER_DEFAULT_MEMORY_REQUEST : objects.value(objects.parseQuantity(String(requests.memory))),
    };
  });
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const { milliCPU, memory } = node.allocatable;
  let sum = 0;
  let weights = 0;
  if (milliCPU !== 0) {
    sum += leastRequested(node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU, milliCPU);
    weights++;
  }
  if (memory !== 0) {
    sum += leastRequested(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, memory);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(sum / weights);
}

export function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  if (pod.requests.milliCPU === 0 && pod.requests.memory === 0) return 0; // PreScore skips best-effort pods
  const { milliCPU, memory } = node.allocatable;
  if (milliCPU === 0 || memory === 0) return MAX_NODE_SCORE; // fewer than two fractions: no spread to measure
  const cpuFraction = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / milliCPU);
  const memoryFraction = Math.min(1, (node.requested.memory + pod.requests.memory) / memory);
  const std = Math.abs((cpuFraction - memoryFraction) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function nodeAffinityScore(pod: PodInfo, node: NodeInfo): number {
  let sum = 0;
  for (const term of pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (term.weight !== 0 && matchesTerm(term.preference, node)) sum += term.weight;
  }
  return sum;
}

/** How many PreferNoSchedule taints none of the tolerations tolerates. */
function countIntolerableTaintsPreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let count = 0;
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint))) count++;
  }
  return count;
}

export function taintTolerationScore(pod: PodInfo, node: NodeInfo): number {
  if (node.taints.length === 0) return 0;
  const tolerations = (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return countIntolerableTaintsPreferNoSchedule(node.taints, tolerations);
}

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** Σ over the pod's images that the node has: size scaled by the share of nodes that have it. */
function sumImageScores(pod: PodInfo, node: NodeInfo, context: ScoreContext): number {
  let sum = 0;
  for (const c of [...(pod.pod.spec.initContainers ?? []), ...pod.pod.spec.containers]) {
    if (!c.image) continue;
    const name = normalizedImageName(c.image);
    const size = node.images.get(name);
    if (size === undefined) continue;
    sum += Math.trunc(size * (context.nodesWithImage(name) / context.numAllNodes));
  }
  return sum;
}

/** The sum clamped to [23 MiB, 1000 MiB per container] and scaled to 0..100. */
function calculatePriority(sum: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export function imageLocalityScore(pod: PodInfo, node: NodeInfo, context: ScoreContext): number {
  if (node.images.size === 0) return 0;
  const numContainers = (pod.pod.spec.initContainers?.length ?? 0) + pod.pod.spec.containers.length;
  return calculatePriority(sumImageScores(pod, node, context), numContainers);
}

export function normalizeScores(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const scaled = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - scaled : scaled;
  }
}

/** weight × each score, in an array of its own, and added to total. */
function weigh(scores: readonly number[], weight: number, total: number[]): number[] {
  const weighted = new Array<number>(scores.length);
  for (let i = 0; i < scores.length; i++) {
    weighted[i] = scores[i]! * weight;
    total[i] += weighted[i]!;
  }
  return weighted;
}

export function prioritizeNodes(profile: Profile, pod: PodInfo, nodes: readonly NodeInfo[], context: ScoreContext): NodeScores {
  const total = new Array<number>(nodes.length).fill(0);
  const byPlugin: Record<string, number[]> = {};
  for (const { plugin, scores } of runScorePlugins(profile, pod, nodes, context)) {
    if (plugin.normalize !== 'none') normalizeScores(scores, plugin.normalize === 'reverse');
    byPlugin[plugin.name] = weigh(scores, plugin.weight, total);
  }
  return { nodes, total, byPlugin };
}

export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < SCHEDULER_MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = Math.max(50 - Math.trunc(numAllNodes / 125), SCHEDULER_MIN_FEASIBLE_NODES_PERCENTAGE);
  }
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(numNodes, SCHEDULER_MIN_FEASIBLE_NODES_TO_FIND);
}
