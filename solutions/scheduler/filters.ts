/**
 * Reference for exercise 03-scheduler/01-filters: what a pod requests, NodeName, NodeResourcesFit.
 * Kubernetes: pkg/scheduler/framework/plugins/{nodename,noderesources} and
 * k8s.io/component-helpers/resource (PodRequests).
 */
import { loadComponent } from '#engine/impl.ts';
import { FITS, unresolvable, unschedulable, type FilterVerdict, type NodeInfo, type PodInfo, type Resources } from '#engine/scheduler/framework.ts';
import type { Container, Pod, ResourceList } from '#engine/scheduler/types.ts';

const objects = await loadComponent('objects');

function amount(list: ResourceList | undefined, name: 'cpu' | 'memory'): number {
  const raw = list?.[name];
  if (raw === undefined) return 0;
  const q = objects.parseQuantity(String(raw));
  return name === 'cpu' ? objects.milliValue(q) : objects.value(q);
}

function requestsOf(container: Container): Resources {
  const requests = container.resources?.requests;
  return { milliCPU: amount(requests, 'cpu'), memory: amount(requests, 'memory') };
}

/**
 * Sums the requests as resourcehelper.PodRequests does: regular containers and sidecars (init
 * containers with restartPolicy Always) run together, so they add up; each plain init container runs
 * alone (beside the sidecars started before it), so only the largest such moment counts; the pod
 * needs the larger of the two, plus spec.overhead.
 */
export function sumRequests(pod: Pod, requestsOfContainer: (c: Container) => Resources): Resources {
  const total: Resources = { milliCPU: 0, memory: 0 };
  for (const c of pod.spec.containers ?? []) {
    const r = requestsOfContainer(c);
    total.milliCPU += r.milliCPU;
    total.memory += r.memory;
  }
  const sidecars: Resources = { milliCPU: 0, memory: 0 };
  const initPeak: Resources = { milliCPU: 0, memory: 0 };
  for (const c of pod.spec.initContainers ?? []) {
    const r = requestsOfContainer(c);
    let during: Resources;
    if (c.restartPolicy === 'Always') {
      total.milliCPU += r.milliCPU;
      total.memory += r.memory;
      sidecars.milliCPU += r.milliCPU;
      sidecars.memory += r.memory;
      during = sidecars;
    } else {
      during = { milliCPU: r.milliCPU + sidecars.milliCPU, memory: r.memory + sidecars.memory };
    }
    initPeak.milliCPU = Math.max(initPeak.milliCPU, during.milliCPU);
    initPeak.memory = Math.max(initPeak.memory, during.memory);
  }
  total.milliCPU = Math.max(total.milliCPU, initPeak.milliCPU);
  total.memory = Math.max(total.memory, initPeak.memory);
  total.milliCPU += amount(pod.spec.overhead, 'cpu');
  total.memory += amount(pod.spec.overhead, 'memory');
  return total;
}

export function podRequests(pod: Pod): Resources {
  return sumRequests(pod, requestsOf);
}

export function nodeName(pod: PodInfo, node: NodeInfo): FilterVerdict {
  const wanted = pod.pod.spec.nodeName;
  if (!wanted || wanted === node.name) return FITS;
  return unresolvable("node(s) didn't match the requested node name");
}

export function nodeResourcesFit(pod: PodInfo, node: NodeInfo): FilterVerdict {
  const want = pod.requests;
  const tooMany = node.pods.length + 1 > node.allocatable.pods;
  const cpu = want.milliCPU > 0 && want.milliCPU > node.allocatable.milliCPU - node.requested.milliCPU;
  const memory = want.memory > 0 && want.memory > node.allocatable.memory - node.requested.memory;
  if (!tooMany && !cpu && !memory) return FITS;
  const reasons: string[] = [];
  if (tooMany) reasons.push('Too many pods');
  if (cpu) reasons.push('Insufficient cpu');
  if (memory) reasons.push('Insufficient memory');
  return unschedulable(...reasons);
}
