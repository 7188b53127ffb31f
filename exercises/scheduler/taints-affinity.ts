/**
 * Exercise 03-scheduler/02-taints-and-affinity: the filter plugins about what a node repels and
 * what a pod insists on.
 *
 * Like exercise 01's, each filter answers for one pod and one node: FITS, or upstream's exact
 * words in unschedulable(...) or unresolvable(...). Here: tolerations against taints,
 * NodeUnschedulable, TaintToleration, NodeAffinity (nodeSelector and required node affinity) and
 * NodePorts.
 *
 * Given: `pod.pod.spec` (tolerations, nodeSelector, affinity), `pod.hostPorts` the host ports the
 * pod wants, `node.labels`, `node.taints`, `node.unschedulable` (set by kubectl cordon) and
 * `node.usedPorts`, the host ports the pods already on the node hold. Label matching is lesson 00's:
 * objects.matchLabels, objects.matchesSelector.
 *
 * Read: lessons/core/03-scheduler/02-filters.md
 * Check: npx kubelings check 03-scheduler/02-taints-and-affinity
 */
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import { FITS, unresolvable, unschedulable, type FilterVerdict, type NodeInfo, type PodInfo } from '#engine/scheduler/framework.ts';
import type { NodeSelectorTerm, Taint, Toleration } from '#engine/scheduler/types.ts';

const objects = await loadComponent('objects');
const PAGE = 'lessons/core/03-scheduler/02-filters.md';
const todo = (what: string) => new NotImplemented('03-scheduler/02-taints-and-affinity', PAGE, what);

/**
 * v1helper.ToleratesTaint: does this one toleration tolerate this one taint?
 *
 * Must hold:
 * - a toleration with an effect tolerates only taints with that effect; no effect means any effect;
 * - a toleration with a key tolerates only taints with that key; an empty key (with Exists) means any key;
 * - operator Equal (also when the operator is missing) needs the same value ("" when absent);
 *   Exists ignores the value.
 */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  // TODO: compare effect, key, then the value according to the operator.
  throw todo('tolerates()');
}

/**
 * NodeUnschedulable: a cordoned node (`node.unschedulable`, set by kubectl cordon) takes no new
 * pods, unless the pod tolerates the taint {key: node.kubernetes.io/unschedulable, effect: NoSchedule}.
 * Fails with unresolvable("node(s) were unschedulable").
 */
export function nodeUnschedulable(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('nodeUnschedulable()');
}

/**
 * One NodeSelectorTerm (used by required and preferred node affinity).
 *
 * Must hold:
 * - every matchExpression on the node's labels holds (In, NotIn, Exists, DoesNotExist as a label
 *   selector's: objects.matchesSelector can answer those; Gt and Lt compare whole numbers: the label's
 *   value must parse as an integer greater (or less) than the one value given, else no match);
 * - every matchField holds: only `metadata.name` with In or NotIn is supported, against the node's name;
 * - a term with no expressions and no fields matches no node.
 */
export function matchesTerm(term: NodeSelectorTerm, node: NodeInfo): boolean {
  // TODO
  throw todo('matchesTerm()');
}

/**
 * NodeAffinity: spec.nodeSelector and spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.
 *
 * Must hold:
 * - every nodeSelector label must be on the node with that value (objects.matchLabels);
 * - the required nodeSelectorTerms are ORed: at least one term must match (an empty list matches none);
 * - both must hold when both are given.
 * Fails with unresolvable("node(s) didn't match Pod's node affinity/selector").
 */
export function nodeAffinity(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('nodeAffinity()');
}

/**
 * TaintToleration: every NoSchedule and NoExecute taint on the node must be tolerated by at least
 * one of the pod's tolerations (PreferNoSchedule taints are only a score, exercise 03).
 * Fails on the first untolerated taint, in the node's order, with
 * unresolvable(`node(s) had untolerated taint {<key>: <value>}`) (value "" when absent).
 */
export function taintToleration(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('taintToleration()');
}

/**
 * NodePorts: no host port the pod wants (pod.hostPorts) may already be taken on the node
 * (node.usedPorts). Two ports clash when protocol and port are equal and the addresses overlap: the
 * same address, or either one is 0.0.0.0 (every address).
 * Fails with unschedulable("node(s) didn't have free ports for the requested pod ports").
 */
export function nodePorts(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('nodePorts()');
}
