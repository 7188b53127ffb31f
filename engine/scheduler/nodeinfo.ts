/**
 * Building and changing PodInfo and NodeInfo (framework.NodeInfo's AddPod, RemovePod, Snapshot):
 * the bookkeeping the framework does for the plugins. Requests come from the scheduler component's
 * own podRequests/nonZeroRequests (exercises 01 and 03), passed in as `RequestCalculator`.
 *
 * Invariants: a NodeInfo's requested, nonZeroRequested and usedPorts always equal the sums over its
 * pods; every change bumps its generation; cloneNodeInfo never shares a mutable array; copyNodeInfo
 * writes into the target's own arrays and objects, never into the source's.
 */
import { loadComponent } from '../impl.ts';
import type { HostPort, NodeInfo, PodInfo, Resources } from './framework.ts';
import type { Node, Pod, ResourceList, Taint } from '../kube/types.ts';

const objects = await loadComponent('objects');

export interface RequestCalculator {
  podRequests(pod: Pod): Resources;
  nonZeroRequests(pod: Pod): Resources;
}

/** `namespace/name`, the key every queue and cache uses. */
export function podKey(pod: { metadata: { namespace?: string; name?: string } }): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

/** The host ports a pod's containers ask for (NodePorts' getContainerPorts). */
export function wantedHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const container of pod.spec.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || port.hostPort <= 0) continue;
      out.push({ ip: port.hostIP || '0.0.0.0', protocol: port.protocol || 'TCP', port: port.hostPort });
    }
  }
  return out;
}

export function newPodInfo(pod: Pod, calc: RequestCalculator): PodInfo {
  return {
    pod,
    key: podKey(pod),
    requests: calc.podRequests(pod),
    nonZeroRequests: calc.nonZeroRequests(pod),
    priority: pod.spec.priority ?? 0,
    hostPorts: wantedHostPorts(pod),
  };
}

/** A quantity in thousandths (cpu) or units (memory, pods); 0 when absent. */
export function quantityOf(list: ResourceList | undefined, name: string, milli: boolean): number {
  const raw = list?.[name];
  if (raw === undefined || raw === null || raw === '') return 0;
  const q = objects.parseQuantity(String(raw));
  return milli ? objects.milliValue(q) : objects.value(q);
}

/** kube-scheduler's normalizedImageName: an image without a tag means `:latest`. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/** What nodes without taints or images share: every plugin reads them for every node, so one copy in cache beats 5,000. */
const NO_TAINTS: readonly Taint[] = Object.freeze([]);
const NO_IMAGES: ReadonlyMap<string, number> = new Map();

export function newNodeInfo(node: Node, pods: readonly PodInfo[] = []): NodeInfo {
  const list = node.status?.allocatable ?? node.status?.capacity;
  let images = NO_IMAGES;
  if ((node.status?.images ?? []).length > 0) {
    const found = new Map<string, number>();
    for (const image of node.status!.images!) {
      for (const name of image.names ?? []) found.set(normalizedImageName(name), image.sizeBytes ?? 0);
    }
    images = found;
  }
  const taints = node.spec?.taints;
  const info: NodeInfo = {
    node,
    name: node.metadata.name ?? '',
    labels: node.metadata.labels ?? {},
    taints: taints && taints.length > 0 ? taints : NO_TAINTS,
    unschedulable: node.spec?.unschedulable === true,
    allocatable: { milliCPU: quantityOf(list, 'cpu', true), memory: quantityOf(list, 'memory', false), pods: quantityOf(list, 'pods', false) },
    pods: [],
    requested: { milliCPU: 0, memory: 0 },
    nonZeroRequested: { milliCPU: 0, memory: 0 },
    usedPorts: [],
    images,
    generation: 0,
  };
  for (const pod of pods) addPod(info, pod);
  return info;
}

/** Puts a pod on the node and adds its requests and ports. */
export function addPod(node: NodeInfo, pod: PodInfo): void {
  node.pods.push(pod);
  node.requested.milliCPU += pod.requests.milliCPU;
  node.requested.memory += pod.requests.memory;
  node.nonZeroRequested.milliCPU += pod.nonZeroRequests.milliCPU;
  node.nonZeroRequested.memory += pod.nonZeroRequests.memory;
  for (const port of pod.hostPorts) node.usedPorts.push(port);
  node.generation++;
}

/** Takes a pod (by key) off the node; false when it was not there. */
export function removePod(node: NodeInfo, key: string): boolean {
  const at = node.pods.findIndex((p) => p.key === key);
  if (at < 0) return false;
  const [pod] = node.pods.splice(at, 1);
  node.requested.milliCPU -= pod!.requests.milliCPU;
  node.requested.memory -= pod!.requests.memory;
  node.nonZeroRequested.milliCPU -= pod!.nonZeroRequests.milliCPU;
  node.nonZeroRequested.memory -= pod!.nonZeroRequests.memory;
  for (const port of pod!.hostPorts) {
    const i = node.usedPorts.findIndex((u) => u.ip === port.ip && u.protocol === port.protocol && u.port === port.port);
    if (i >= 0) node.usedPorts.splice(i, 1);
  }
  node.generation++;
  return true;
}

/**
 * A copy that can be changed without touching the original (framework.NodeInfo.Snapshot). Written
 * out field by field in newNodeInfo's order, so every NodeInfo has one shape: the JIT keeps plugin
 * code fast only while it sees one (a spread here made scoring ten times slower).
 */
export function cloneNodeInfo(node: NodeInfo): NodeInfo {
  return {
    node: node.node,
    name: node.name,
    labels: node.labels,
    taints: node.taints,
    unschedulable: node.unschedulable,
    allocatable: node.allocatable,
    pods: [...node.pods],
    requested: { milliCPU: node.requested.milliCPU, memory: node.requested.memory },
    nonZeroRequested: { milliCPU: node.nonZeroRequested.milliCPU, memory: node.nonZeroRequested.memory },
    usedPorts: [...node.usedPorts],
    images: node.images,
    generation: node.generation,
  };
}

/**
 * Makes `into` (a node of the snapshot) equal to `from` (the cache's live node), writing into the
 * objects `into` already has, as upstream's snapshot does (`*existing = *clone`): the snapshot's
 * nodes keep their place in memory, so a pass over all of them reads memory in order.
 */
export function copyNodeInfo(into: NodeInfo, from: NodeInfo): void {
  const target = into as { -readonly [K in keyof NodeInfo]: NodeInfo[K] };
  target.node = from.node;
  target.name = from.name;
  target.labels = from.labels;
  target.taints = from.taints;
  target.unschedulable = from.unschedulable;
  target.allocatable = from.allocatable;
  target.pods.length = 0;
  for (const pod of from.pods) target.pods.push(pod);
  target.requested.milliCPU = from.requested.milliCPU;
  target.requested.memory = from.requested.memory;
  target.nonZeroRequested.milliCPU = from.nonZeroRequested.milliCPU;
  target.nonZeroRequested.memory = from.nonZeroRequested.memory;
  target.usedPorts.length = 0;
  for (const port of from.usedPorts) target.usedPorts.push(port);
  target.images = from.images;
  target.generation = from.generation;
}
