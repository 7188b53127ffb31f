/**
 * Exercise 03-scheduler/01-filters: the filter plugins.
 *
 * Before kube-scheduler ranks nodes it throws out every node the pod cannot run on. Each filter
 * plugin answers one question about one pod and one node, and either lets the node through (return
 * FITS) or says why not, in upstream's exact words (return unschedulable(...) or unresolvable(...)).
 * Those words are what `kubectl describe pod` shows under "0/3 nodes are available: ...".
 *
 * Given: `pod.requests` already holds podRequests(pod) (the framework's PreFilter computed it once),
 * `pod.hostPorts` the host ports the pod wants, `node.requested` the sum of the requests of the pods
 * already on the node, `node.usedPorts` the host ports they hold, `node.allocatable` what the node
 * offers (cpu in millicores, memory in bytes, pods as a count). Quantities such as "250m" or "1Gi"
 * are parsed with lesson 00's functions: objects.parseQuantity, objects.milliValue, objects.value.
 *
 * Read: lessons/core/03-scheduler/02-filters.md
 * Check: npx kubelings check 03-scheduler/01-filters
 */
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import { FITS, unresolvable, unschedulable, type FilterVerdict, type NodeInfo, type PodInfo, type Resources } from '#engine/scheduler/framework.ts';
import type { Container, NodeSelectorTerm, Pod, Taint, Toleration } from '#engine/scheduler/types.ts';

const objects = await loadComponent('objects');
const PAGE = 'lessons/core/03-scheduler/02-filters.md';
const todo = (what: string) => new NotImplemented('03-scheduler/01-filters', PAGE, what);

/** One container's requests: cpu in millicores, memory in bytes (0 when it asks for none). */
function requestsOf(container: Container): Resources {
  const requests = container.resources?.requests ?? {};
  return {
    milliCPU: requests.cpu === undefined ? 0 : objects.milliValue(objects.parseQuantity(String(requests.cpu))),
    memory: requests.memory === undefined ? 0 : objects.value(objects.parseQuantity(String(requests.memory))),
  };
}

/**
 * What the whole pod needs on a node, given what each container asks for (`requestsOfContainer`),
 * as resourcehelper.PodRequests computes it. Exercise 02 calls it again with other per-container
 * numbers, so use only `requestsOfContainer`, never container.resources directly.
 *
 * Must hold:
 * - regular containers run together: their requests add up;
 * - init containers run one at a time, before the regular ones: each counts alone, and the pod needs
 *   the larger of (the sum of the regular containers) and (the largest init container), per resource
 *   (cpu and memory separately);
 * - a sidecar is an init container with `restartPolicy: Always`: it starts in order like an init
 *   container but keeps running, so it adds to the regular sum, and it is also running beside every
 *   init container that comes after it in the list;
 * - spec.overhead (cpu, memory), when set, is added on top.
 */
export function sumRequests(pod: Pod, requestsOfContainer: (container: Container) => Resources): Resources {
  // TODO: sum the containers, take the peak of the init phase, keep the larger, add the overhead.
  throw todo('sumRequests()');
}

/** podRequests: the pod's requests as NodeResourcesFit compares them. (Written for you.) */
export function podRequests(pod: Pod): Resources {
  return sumRequests(pod, requestsOf);
}

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
 * NodeName: when the pod names a node (spec.nodeName), only that node fits.
 * Fails with unresolvable("node(s) didn't match the requested node name").
 */
export function nodeName(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('nodeName()');
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
 * NodeResourcesFit: the pod fits in what the node has left.
 *
 * Must hold:
 * - "Too many pods" when the node already holds allocatable.pods pods;
 * - "Insufficient cpu" when the pod asks for more cpu than allocatable minus requested;
 *   "Insufficient memory" likewise; a pod that asks for none of a resource always fits it;
 * - every reason that applies is reported, in that order, in one unschedulable(...) (removing pods
 *   from the node could make room, so preemption may help).
 */
export function nodeResourcesFit(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('nodeResourcesFit()');
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
 * one of the pod's tolerations (PreferNoSchedule taints are only a score, exercise 02).
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
