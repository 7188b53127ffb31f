/**
 * What the learner builds in lesson 03 "the scheduler". `exercises/scheduler/index.ts` (stubs) and
 * `solutions/scheduler/index.ts` (reference) both export an object that `satisfies` this interface.
 * The engine (engine/scheduler/profile.ts, runner.ts) wires these functions into kube-scheduler's
 * shape: filter plugins, score plugins, a queue, a scheduling cycle and a PostFilter.
 */
import type { Diagnosis, FilterRunner, FilterVerdict, NodeInfo, NodeScores, PodInfo, Profile, Resources, ScoreContext, Snapshot, ClusterEvent } from './framework.ts';
import type { Pod, Taint, Toleration } from '../kube/types.ts';

// ── 04-queue ──────────────────────────────────────────────────────────────────────────────────────

/** A pod waiting in the scheduling queue (framework.QueuedPodInfo). */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** How many times it has been popped for scheduling. */
  attempts: number;
  /** When it was added, or last failed (the queue's clock, ms): orders equal priorities and starts backoff. */
  timestamp: number;
  /** The plugins that rejected it in its last attempt (empty after an error). */
  unschedulablePlugins: Set<string>;
}

export interface QueueOptions {
  /** The clock, in milliseconds. Tests move it by hand. */
  now(): number;
  /** First backoff (default SCHEDULER_INITIAL_BACKOFF_MS, 1 s). */
  initialBackoffMs?: number;
  /** Longest backoff (default SCHEDULER_MAX_BACKOFF_MS, 10 s). */
  maxBackoffMs?: number;
  /** After this long among the unschedulable a pod is retried anyway (default 5 min). */
  maxUnschedulableMs?: number;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable';

/** kube-scheduler's PriorityQueue: activeQ, podBackoffQ and unschedulablePods. */
export interface SchedulingQueue {
  /** A new pending pod: into the active queue. */
  add(pod: PodInfo): void;
  /** The pod object changed: replace it where it waits; an unschedulable pod gets another chance. */
  update(pod: PodInfo): void;
  /** The pod is gone (deleted, or bound by someone else): out of every queue. */
  delete(key: string): void;
  /** The next pod to schedule (highest priority, then oldest), or undefined when none is active. */
  pop(): QueuedPodInfo | undefined;
  /** How many pods have been popped so far (the scheduling cycle number). */
  schedulingCycle(): number;
  /** A pod that failed in cycle `podSchedulingCycle` comes back: to unschedulable or backoff. */
  addUnschedulableIfNotPresent(pod: QueuedPodInfo, podSchedulingCycle: number): void;
  /** Backoff for a pod that has been tried `attempts` times. */
  backoffDuration(pod: QueuedPodInfo): number;
  /** Pods whose backoff has expired move to the active queue. */
  flushBackoffCompleted(): void;
  /** Pods unschedulable for longer than maxUnschedulableMs move to active (or backoff). */
  flushUnschedulableLeftover(): void;
  /** Something changed in the cluster: unschedulable pods that it may help move to active or backoff. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void;
  /** Which queue holds the pod, or undefined. */
  where(key: string): QueueName | undefined;
  /** How many pods each queue holds. */
  lengths(): Record<QueueName, number>;
  /** When the earliest backoff ends, or undefined when none is backing off. */
  nextBackoffExpiry(): number | undefined;
}

// ── 05-schedule-one ───────────────────────────────────────────────────────────────────────────────

/** The scheduler cache as the scheduling cycle uses it (engine/scheduler/cache.ts). */
export interface CacheForCycle {
  /** The cluster as it is now, for this cycle (updated incrementally, never changed during the cycle). */
  updateSnapshot(): Snapshot;
  /** Counts the pod on the node at once, before the binding finishes, so the next cycle sees it. */
  assume(pod: PodInfo, nodeName: string): void;
  /** Undoes assume (the binding failed). */
  forget(pod: PodInfo): void;
  /** The binding succeeded: the pod stays on the node until the apiserver confirms it. */
  finishBinding(pod: PodInfo): void;
}

/** What PostFilter (preemption) decided for a pod that fits nowhere. */
export type PreemptionResult =
  /** Evict `victims` from `nodeName`; the pod is nominated there and retried once they are gone. */
  | { nodeName: string; victims: PodInfo[] }
  /** No node helps: upstream's message, starting with "preemption: ". */
  | { message: string };

/** Everything scheduleOne works with (the engine builds it; tests build fakes). */
export interface SchedulerContext {
  readonly profile: Profile;
  readonly queue: SchedulingQueue;
  readonly cache: CacheForCycle;
  /** Runs the profile's filters for one pod on one node (first failure, tagged with its plugin). */
  readonly filter: FilterRunner;
  /** percentageOfNodesToScore: 0 = adaptive, 100 = every node. */
  readonly percentageOfNodesToScore: number;
  /** Where the next search for feasible nodes starts; findNodesThatFit moves it on. */
  nextStartNodeIndex: number;
  /** A fair die: an integer in [0, n). */
  random(n: number): number;
  /** POST pods/<name>/binding. Rejects when the apiserver refuses. */
  bind(pod: PodInfo, nodeName: string): Promise<void>;
  /** Upstream's handleSchedulingFailure: PodScheduled=False (reason, message) and a FailedScheduling Event. */
  reportFailure(pod: PodInfo, reason: 'Unschedulable' | 'SchedulerError', message: string, nominatedNodeName?: string): void;
  /** A Normal "Scheduled" Event: "Successfully assigned <ns>/<name> to <node>". */
  reportScheduled(pod: PodInfo, nodeName: string): void;
  /** PostFilter: preemption (exercise 06) with the victims already on their way out; absent = disabled. */
  postFilter?(pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis): PreemptionResult;
}

/** What one call of scheduleOne did. */
export interface ScheduleOutcome {
  pod: QueuedPodInfo;
  /** The node chosen, when one was. */
  nodeName?: string;
  /** The binding cycle, still running: resolves when the pod is bound or put back in the queue. */
  binding?: Promise<void>;
}

// ── the whole component ───────────────────────────────────────────────────────────────────────────

export interface SchedulerExercises {
  // 01-filters
  /** What a pod needs on a node: regular containers summed, init containers as a peak, plus overhead. */
  podRequests(pod: Pod): Resources;
  /** v1helper.ToleratesTaint: does this one toleration tolerate this taint? */
  tolerates(toleration: Toleration, taint: Taint): boolean;
  /** NodeName: spec.nodeName, when set, must be this node. */
  nodeName(pod: PodInfo, node: NodeInfo): FilterVerdict;
  /** NodeUnschedulable: spec.unschedulable (kubectl cordon) keeps new pods off. */
  nodeUnschedulable(pod: PodInfo, node: NodeInfo): FilterVerdict;
  /** NodeResourcesFit: pods, cpu and memory requests fit in what is left. */
  nodeResourcesFit(pod: PodInfo, node: NodeInfo): FilterVerdict;
  /** NodeAffinity: spec.nodeSelector and required node affinity. */
  nodeAffinity(pod: PodInfo, node: NodeInfo): FilterVerdict;
  /** TaintToleration: every NoSchedule and NoExecute taint is tolerated. */
  taintToleration(pod: PodInfo, node: NodeInfo): FilterVerdict;
  /** NodePorts: no host port the pod wants is taken on the node. */
  nodePorts(pod: PodInfo, node: NodeInfo): FilterVerdict;

  // 03-scores
  /** podRequests with 100m cpu and 200Mi memory for containers that do not say. */
  nonZeroRequests(pod: Pod): Resources;
  /** NodeResourcesFit score, LeastAllocated: free share of cpu and memory, 0..100. */
  leastAllocatedScore(pod: PodInfo, node: NodeInfo): number;
  /** NodeResourcesBalancedAllocation: 100 when cpu and memory are used in the same proportion. */
  balancedAllocationScore(pod: PodInfo, node: NodeInfo): number;
  /** NodeAffinity score: the summed weights of the preferred terms the node matches (raw). */
  nodeAffinityScore(pod: PodInfo, node: NodeInfo): number;
  /** TaintToleration score: how many PreferNoSchedule taints the pod does not tolerate (raw). */
  taintTolerationScore(pod: PodInfo, node: NodeInfo): number;
  /** ImageLocality: how much of the pod's images the node already has, 0..100. */
  imageLocalityScore(pod: PodInfo, node: NodeInfo, context: ScoreContext): number;
  /** DefaultNormalizeScore: scale to 0..100 by the highest score, in place; reversed if asked. */
  normalizeScores(scores: number[], reverse: boolean): void;
  /** Runs every score plugin on the feasible nodes, normalises, weighs and sums. */
  prioritizeNodes(profile: Profile, pod: PodInfo, nodes: readonly NodeInfo[], context: ScoreContext): NodeScores;
  /** numFeasibleNodesToFind: how many feasible nodes to look for before scoring. */
  numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number;

  // 04-queue
  newSchedulingQueue(options: QueueOptions): SchedulingQueue;

  // 05-schedule-one
  /** Filters nodes from nextStartNodeIndex on until enough feasible ones are found. */
  findNodesThatFit(sched: SchedulerContext, pod: PodInfo, snapshot: Snapshot): { feasible: NodeInfo[]; diagnosis: Diagnosis };
  /** The highest total; among equals, each equally likely. */
  selectHost(scores: NodeScores, random: (n: number) => number): string;
  /** "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {…}." */
  fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis, postFilterMessage?: string): string;
  /** One scheduling cycle (pop, snapshot, filter, score, select, assume) and the start of its binding cycle. */
  scheduleOne(sched: SchedulerContext): ScheduleOutcome | undefined;

  // 06-preemption
  /** DefaultPreemption: the node where evicting the fewest, lowest-priority pods lets the pod fit. */
  preempt(pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis, filter: FilterRunner): PreemptionResult;
}
