/**
 * The scheduling framework's shapes, after kube-scheduler's pkg/scheduler/framework: what a plugin
 * sees (PodInfo, NodeInfo), what a filter answers (FilterFailure or FITS), and the profile that
 * lists the plugins in upstream's order with upstream's weights.
 *
 * Invariants:
 * - A NodeInfo's `requested`, `nonZeroRequested` and `usedPorts` are always the sums over `pods`
 *   (change them only through addPod/removePod in nodeinfo.ts).
 * - A filter answers FITS (null) or a failure whose reasons are upstream's exact strings; it never
 *   throws for a pod that simply does not fit.
 * - Score plugins give raw numbers; runScorePlugins (runtime.ts) runs them on every node, and
 *   prioritizeNodes (exercise 03) normalises them to 0..100 where a plugin says so, multiplies by the
 *   weight and sums.
 */
import type { StringMap } from '../objects/types.ts';
import type { Node, Pod, Taint } from '../kube/types.ts';

/** cpu in thousandths of a core, memory in bytes. */
export interface Resources {
  milliCPU: number;
  memory: number;
}

/** One host port a pod wants, or a node has given out: `0.0.0.0` means every address. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod as plugins see it: the object plus what PreFilter computed once for the whole cycle. */
export interface PodInfo {
  readonly pod: Pod;
  /** `namespace/name`. */
  readonly key: string;
  /** podRequests(pod): what the pod needs on a node (exercise 01). */
  readonly requests: Resources;
  /** nonZeroRequests(pod): the same with defaults for containers that ask nothing, for scoring (exercise 03). */
  readonly nonZeroRequests: Resources;
  /** spec.priority (0 when unset). */
  readonly priority: number;
  /** The host ports the pod's containers ask for (containerPort entries with a hostPort). */
  readonly hostPorts: readonly HostPort[];
}

/** What a node has and what is already on it (framework.NodeInfo). */
export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  readonly labels: StringMap;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  /** status.allocatable: cpu in millicores, memory in bytes, pods as a count. */
  readonly allocatable: Resources & { pods: number };
  /** Pods bound or assumed to this node. */
  pods: PodInfo[];
  /** Σ requests of `pods`. */
  requested: Resources;
  /** Σ nonZeroRequests of `pods`. */
  nonZeroRequested: Resources;
  /** Every host port the pods on this node hold. */
  usedPorts: HostPort[];
  /** Image name (normalised, with a tag) → size in bytes, from status.images. */
  readonly images: ReadonlyMap<string, number>;
  /** Bumped on every change; the snapshot copies nodes whose generation moved. */
  generation: number;
}

/** Upstream's status codes for a node that does not fit. */
export type FailureCode =
  /** Might fit if something on the node went away: preemption may help. */
  | 'Unschedulable'
  /** Will not fit whatever is removed (a taint, a selector): preemption cannot help. */
  | 'UnschedulableAndUnresolvable';

export interface FilterFailure {
  readonly code: FailureCode;
  /** Upstream's reason strings, e.g. "Insufficient cpu" or "node(s) were unschedulable". */
  readonly reasons: readonly string[];
  /** The plugin that said no (set by runFilterPlugins). */
  readonly plugin?: string;
}

/** A filter's answer: FITS, or a failure. */
export type FilterVerdict = FilterFailure | null;

/** The node passes this filter. */
export const FITS = null;

/** The pod does not fit now; removing pods from the node might change that. */
export function unschedulable(...reasons: string[]): FilterFailure {
  return { code: 'Unschedulable', reasons };
}

/** The pod can never fit this node as it is (removing pods would not help). */
export function unresolvable(...reasons: string[]): FilterFailure {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

/** What a score plugin may look at besides the pod and the node. */
export interface ScoreContext {
  /** Nodes in the snapshot (all of them, not only the feasible ones). */
  readonly numAllNodes: number;
  /** How many nodes in the snapshot have this (normalised) image. */
  nodesWithImage(image: string): number;
}

export interface FilterPlugin {
  readonly name: string;
  filter(pod: PodInfo, node: NodeInfo): FilterVerdict;
  /** PreFilter said Skip: the filter cannot reject any node for this pod, so it is not run. */
  skip?(pod: PodInfo): boolean;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  score(pod: PodInfo, node: NodeInfo, context: ScoreContext): number;
  /** How raw scores become 0..100: not at all (already 0..100), scaled to the max, or scaled and reversed. */
  readonly normalize: 'none' | 'default' | 'reverse';
  /** PreScore said Skip: the plugin adds nothing for this pod. */
  skip?(pod: PodInfo): boolean;
}

/** The plugins of one scheduler profile, in the order kube-scheduler runs them. */
export interface Profile {
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly ScorePlugin[];
}

/** Highest score a plugin gives a node after normalising (framework.MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/** prioritizeNodes' answer: one column per plugin, one row per feasible node. */
export interface NodeScores {
  /** The feasible nodes that were scored, in the order given. */
  readonly nodes: readonly NodeInfo[];
  /** total[i]: the sum over plugins of weight × normalised score of nodes[i]. */
  readonly total: number[];
  /** Plugin name → weighted score per node (plugins skipped for this pod are absent). */
  readonly byPlugin: Record<string, number[]>;
}

/** nodeName → why the pod does not fit there (framework.Diagnosis.NodeToStatus). */
export type Diagnosis = Map<string, FilterFailure>;

/** A read-only view of the cluster for one scheduling cycle. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Pods nominated to a node by preemption and not bound yet. */
  nominatedPods(nodeName: string): readonly PodInfo[];
  readonly scoreContext: ScoreContext;
}

/**
 * Runs the filters of a profile for one pod and node, as framework.RunFilterPluginsWithNominatedPods:
 * plugins that PreFilter skipped are not run; pods nominated to the node with a priority at least
 * the pod's are counted as already there; the first failure is returned, tagged with its plugin.
 */
export interface FilterRunner {
  (pod: PodInfo, node: NodeInfo): FilterVerdict;
}

/** Which plugins may change their mind after a cluster event (upstream's EventsToRegister). */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodDelete' | 'UnschedulableTimeout';

export const PLUGINS_INTERESTED_IN: Readonly<Record<ClusterEvent, readonly string[] | 'all'>> = {
  NodeAdd: 'all',
  NodeUpdate: ['NodeUnschedulable', 'TaintToleration', 'NodeAffinity', 'NodeResourcesFit', 'NodePorts', 'NodeName'],
  AssignedPodDelete: ['NodeResourcesFit', 'NodePorts', 'DefaultPreemption'],
  UnschedulableTimeout: 'all',
};
