/**
 * Exercise 03-scheduler/01-filters: the first filter plugins, about a node's name and its room.
 *
 * Before kube-scheduler ranks nodes it throws out every node the pod cannot run on. Each filter
 * plugin answers one question about one pod and one node, and either lets the node through (return
 * FITS) or says why not, in upstream's exact words (return unschedulable(...) or unresolvable(...)).
 * Those words are what `kubectl describe pod` shows under "0/3 nodes are available: ...".
 * Here: what a pod requests, NodeName and NodeResourcesFit. Exercise 02 writes the others.
 *
 * Given: `pod.requests` already holds podRequests(pod) (the framework's PreFilter computed it once),
 * `node.requested` the sum of the requests of the pods already on the node, `node.allocatable` what
 * the node offers (cpu in millicores, memory in bytes, pods as a count). Quantities such as "250m"
 * or "1Gi" are parsed with lesson 00's functions: objects.parseQuantity, objects.milliValue,
 * objects.value.
 *
 * Read: lessons/core/03-scheduler/02-filters.md
 * Check: npx kubelings check 03-scheduler/01-filters
 */
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import { FITS, unresolvable, unschedulable, type FilterVerdict, type NodeInfo, type PodInfo, type Resources } from '#engine/scheduler/framework.ts';
import type { Container, Pod } from '#engine/scheduler/types.ts';

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
 * as resourcehelper.PodRequests computes it. Exercise 03 calls it again with other per-container
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
 * NodeName: when the pod names a node (spec.nodeName), only that node fits.
 * Fails with unresolvable("node(s) didn't match the requested node name").
 */
export function nodeName(pod: PodInfo, node: NodeInfo): FilterVerdict {
  // TODO
  throw todo('nodeName()');
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
