/**
 * Exercise 03-scheduler/03-scores: score plugins, normalising and weighing, node sampling.
 *
 * Every node that passed the filters could run the pod; scoring picks the best. Each score plugin
 * gives every feasible node a number; plugins whose numbers are not already 0..100 are normalised
 * (scaled so the best node gets 100, or reversed so the best gets 0); each is multiplied by the
 * plugin's weight, and the sums rank the nodes. Upstream's default weights are in the profile
 * (engine/scheduler/profile.ts): TaintToleration 3, NodeAffinity 2, the others 1.
 *
 * Scores are whole numbers: wherever upstream divides integers, round toward zero (Math.trunc).
 *
 * Read: lessons/core/03-scheduler/03-scores.md
 * Check: npx kubelings check 03-scheduler/03-scores
 */
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import { SCHEDULER_DEFAULT_MEMORY_REQUEST, SCHEDULER_DEFAULT_MILLI_CPU_REQUEST, SCHEDULER_MIN_FEASIBLE_NODES_PERCENTAGE, SCHEDULER_MIN_FEASIBLE_NODES_TO_FIND } from '#engine/params.ts';
import { MAX_NODE_SCORE, type NodeInfo, type NodeScores, type PodInfo, type Profile, type Resources, type ScoreContext } from '#engine/scheduler/framework.ts';
import { normalizedImageName } from '#engine/scheduler/nodeinfo.ts';
import { runScorePlugins } from '#engine/scheduler/runtime.ts';
import type { Pod } from '#engine/scheduler/types.ts';
import { sumRequests } from './filters.ts';
import { matchesTerm, tolerates } from './taints-affinity.ts';

const objects = await loadComponent('objects');
const PAGE = 'lessons/core/03-scheduler/03-scores.md';
const todo = (what: string) => new NotImplemented('03-scheduler/03-scores', PAGE, what);

/**
 * Requests for scoring: like podRequests (use sumRequests from 01-filters), but a container that
 * does not state a cpu request counts as SCHEDULER_DEFAULT_MILLI_CPU_REQUEST (100m) and one without a
 * memory request as SCHEDULER_DEFAULT_MEMORY_REQUEST (200Mi). A request of "0" that is stated stays 0.
 * (Otherwise pods without requests would all look free, and pile up on one node.)
 */
export function nonZeroRequests(pod: Pod): Resources {
  // TODO: call sumRequests with a requestsOfContainer that fills in the defaults.
  throw todo('nonZeroRequests()');
}

/**
 * NodeResourcesFit's score with the LeastAllocated strategy: more free room scores higher.
 *
 * Must hold: for cpu and for memory, requested = node.nonZeroRequested + pod.nonZeroRequests, and
 * the resource scores trunc((allocatable - requested) × 100 / allocatable), or 0 when requested
 * exceeds allocatable; a resource the node has none of (allocatable 0) is left out; the result is
 * the whole-number average of the resources' scores (cpu and memory weigh the same), 0 if none count.
 */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  // TODO
  throw todo('leastAllocatedScore()');
}

/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in the same
 * proportion once the pod is there.
 *
 * Must hold: fraction = (node.requested + pod.requests) / allocatable per resource (real requests,
 * not the non-zero ones), capped at 1, resources with allocatable 0 left out; with two fractions the
 * score is trunc((1 - |f_cpu - f_mem| / 2) × 100); with fewer, 100. A pod that requests nothing at
 * all scores 0 everywhere (upstream's PreScore skips such pods, so they do not pile onto one node).
 */
export function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  // TODO
  throw todo('balancedAllocationScore()');
}

/**
 * NodeAffinity's score: the sum of the weights of the pod's preferredDuringSchedulingIgnoredDuringExecution
 * terms whose preference the node matches (matchesTerm from 02-taints-and-affinity). Raw: the profile normalises it.
 */
export function nodeAffinityScore(pod: PodInfo, node: NodeInfo): number {
  // TODO
  throw todo('nodeAffinityScore()');
}

/**
 * TaintToleration's score: how many of the node's PreferNoSchedule taints are NOT tolerated by the
 * pod's tolerations whose effect is PreferNoSchedule or empty. Raw: the profile normalises it
 * reversed, so the node with the most such taints gets 0.
 */
export function taintTolerationScore(pod: PodInfo, node: NodeInfo): number {
  // TODO
  throw todo('taintTolerationScore()');
}

/**
 * ImageLocality: favours nodes that already have the pod's images.
 *
 * Must hold: for every container and init container whose image (normalizedImageName: no tag means
 * ":latest") is in node.images, add trunc(size × nodesWithImage / numAllNodes) (an image every node
 * has counts fully; one only this node has counts little, so pods do not all crowd onto it). Clamp the
 * sum to [23 MiB, 1000 MiB × number of containers (init included)] and score
 * trunc(100 × (sum - 23 MiB) / (max - 23 MiB)).
 */
export function imageLocalityScore(pod: PodInfo, node: NodeInfo, context: ScoreContext): number {
  // TODO
  throw todo('imageLocalityScore()');
}

/**
 * DefaultNormalizeScore, in place: scale so the highest score becomes MAX_NODE_SCORE (100):
 * score = trunc(100 × score / max); when `reverse`, then score = 100 - score. When every score is 0,
 * leave them 0, or make them all 100 when reversing.
 */
export function normalizeScores(scores: number[], reverse: boolean): void {
  // TODO
  throw todo('normalizeScores()');
}

/**
 * Ranks the feasible nodes. The framework does the per-node work: runScorePlugins(profile, pod,
 * nodes, context) (engine/scheduler/runtime.ts) leaves out the plugins whose PreScore says Skip and
 * runs every other plugin's Score on every node, returning { plugin, scores } per plugin with
 * scores[i] the raw score of nodes[i]. Yours is the rest: normalise a plugin's scores when
 * plugin.normalize is 'default' or 'reverse', multiply them by plugin.weight, and add them up per node.
 *
 * Returns { nodes, total, byPlugin }: total[i] for nodes[i], and byPlugin[plugin.name] the weighted
 * scores, each an array of your own: the raw scores are the framework's scratch space, which the
 * next call overwrites (normalising them in place is fine).
 */
export function prioritizeNodes(profile: Profile, pod: PodInfo, nodes: readonly NodeInfo[], context: ScoreContext): NodeScores {
  // TODO: for each { plugin, scores } of runScorePlugins(profile, pod, nodes, context): normalise, weigh, add.
  throw todo('prioritizeNodes()');
}

/**
 * How many feasible nodes to find before scoring (numFeasibleNodesToFind): with fewer than
 * SCHEDULER_MIN_FEASIBLE_NODES_TO_FIND (100) nodes, all of them; otherwise percentageOfNodesToScore
 * percent of them, where 0 means adaptive: 50 - numAllNodes/125 (whole division), but at least
 * SCHEDULER_MIN_FEASIBLE_NODES_PERCENTAGE (5); the result is never below 100.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  // TODO
  throw todo('numFeasibleNodesToFind()');
}
