/**
 * Builders shared by the scheduler's hidden suites: nodes and pods as the Kubernetes documentation
 * writes them, turned into the NodeInfo and PodInfo the plugins see. Requests of test pods are worked
 * out here from their single container (the suites for podRequests test the real summing), so a bug
 * in the learner's podRequests never fails a test about something else.
 */
import { expect } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { SCHEDULER_DEFAULT_MEMORY_REQUEST, SCHEDULER_DEFAULT_MILLI_CPU_REQUEST } from '#engine/params.ts';
import type { FilterVerdict, NodeInfo, PodInfo } from '#engine/scheduler/framework.ts';
import { addPod, newNodeInfo, podKey, wantedHostPorts } from '#engine/scheduler/nodeinfo.ts';
import type { Container, Node, Pod, PodSpec, Taint } from '#engine/scheduler/types.ts';

const objects = await loadComponent('objects');

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
}

export function nodeObject(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '16Gi', pods: o.pods ?? '110' }, ...(o.images ? { images: o.images } : {}) },
  };
}

/** A NodeInfo with these pods already on it. */
export function node(name: string, o: NodeOptions = {}, pods: PodInfo[] = []): NodeInfo {
  const info = newNodeInfo(nodeObject(name, o));
  for (const p of pods) addPod(info, p);
  return info;
}

export interface PodOptions extends Partial<PodSpec> {
  cpu?: string;
  memory?: string;
  namespace?: string;
  hostPort?: number | { port: number; ip?: string; protocol?: 'TCP' | 'UDP' };
  startTime?: string;
}

export function podObject(name: string, o: PodOptions = {}): Pod {
  const { cpu, memory, namespace, hostPort, startTime, ...spec } = o;
  const requests: Record<string, string> = {};
  if (cpu !== undefined) requests.cpu = cpu;
  if (memory !== undefined) requests.memory = memory;
  const hp = typeof hostPort === 'number' ? { port: hostPort } : hostPort;
  const container: Container = {
    name: 'app',
    image: 'nginx:1.27',
    ...(Object.keys(requests).length ? { resources: { requests } } : {}),
    ...(hp ? { ports: [{ containerPort: 8080, hostPort: hp.port, ...(hp.ip ? { hostIP: hp.ip } : {}), ...(hp.protocol ? { protocol: hp.protocol } : {}) }] } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: namespace ?? 'default', uid: `uid-${name}`, creationTimestamp: startTime ?? '2025-01-01T00:00:00Z' },
    spec: { containers: [container], ...spec },
    status: { phase: 'Pending', ...(startTime ? { startTime } : {}) },
  };
}

const milli = (q: string | undefined, fallback: number) => (q === undefined ? fallback : objects.milliValue(objects.parseQuantity(q)));
const units = (q: string | undefined, fallback: number) => (q === undefined ? fallback : objects.value(objects.parseQuantity(q)));

/** A PodInfo for a one-container pod, requests worked out here. */
export function pod(name: string, o: PodOptions = {}): PodInfo {
  const object = podObject(name, o);
  return {
    pod: object,
    key: podKey(object),
    requests: { milliCPU: milli(o.cpu, 0), memory: units(o.memory, 0) },
    nonZeroRequests: { milliCPU: milli(o.cpu, SCHEDULER_DEFAULT_MILLI_CPU_REQUEST), memory: units(o.memory, SCHEDULER_DEFAULT_MEMORY_REQUEST) },
    priority: o.priority ?? 0,
    hostPorts: wantedHostPorts(object),
  };
}

/** Short text for "did" messages: the pod's requests, taints and selectors that matter. */
export function describePod(p: PodInfo): string {
  const s = p.pod.spec;
  const bits = [`pod ${p.pod.metadata.name}`];
  if (p.requests.milliCPU || p.requests.memory) bits.push(`requests cpu ${p.requests.milliCPU}m memory ${p.requests.memory}`);
  if (s.nodeSelector) bits.push(`nodeSelector ${JSON.stringify(s.nodeSelector)}`);
  if (s.tolerations) bits.push(`tolerations ${JSON.stringify(s.tolerations)}`);
  if (s.affinity) bits.push(`affinity ${JSON.stringify(s.affinity)}`);
  if (s.nodeName) bits.push(`nodeName ${s.nodeName}`);
  if (p.hostPorts.length) bits.push(`hostPorts ${JSON.stringify(p.hostPorts)}`);
  if (p.priority) bits.push(`priority ${p.priority}`);
  return bits.join(', ');
}

export function describeNode(n: NodeInfo): string {
  const bits = [`node ${n.name} (allocatable cpu ${n.allocatable.milliCPU}m memory ${n.allocatable.memory} pods ${n.allocatable.pods}`];
  if (n.pods.length) bits.push(`, ${n.pods.length} pod(s) using cpu ${n.requested.milliCPU}m memory ${n.requested.memory}`);
  if (n.taints.length) bits.push(`, taints ${JSON.stringify(n.taints)}`);
  const labels = Object.fromEntries(Object.entries(n.labels).filter(([k]) => !k.startsWith('kubernetes.io/')));
  if (Object.keys(labels).length) bits.push(`, labels ${JSON.stringify(labels)}`);
  if (n.unschedulable) bits.push(', unschedulable');
  if (n.usedPorts.length) bits.push(`, used ports ${JSON.stringify(n.usedPorts)}`);
  return `${bits.join('')})`;
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** Bytes as Kubernetes would write them when exact (1Gi, 256Mi), else the number. */
export function bytes(n: number): string {
  if (n !== 0 && n % GiB === 0) return `${n / GiB}Gi`;
  if (n !== 0 && n % MiB === 0) return `${n / MiB}Mi`;
  return String(n);
}

/** Requests on one line: "cpu 700m, memory 256Mi". */
export function requestsText(r: { milliCPU: number; memory: number } | undefined): string {
  return r ? `cpu ${r.milliCPU}m, memory ${bytes(r.memory)}` : String(r);
}

/** A filter verdict on one line: "fits", or "Unschedulable: Insufficient cpu, Insufficient memory". */
export function verdictText(v: { code: string; reasons: readonly string[] } | null | undefined): string {
  return v ? `${v.code}: ${v.reasons.join(', ')}` : 'fits';
}

type Filter = (pod: PodInfo, node: NodeInfo) => FilterVerdict;

/** Expects the filter to let the node through, saying which call was made. */
export function expectFits(filter: Filter, name: string, p: PodInfo, n: NodeInfo): void {
  expect(verdictText(filter(p, n)), `${name}(${describePod(p)}; ${describeNode(n)})`).toBe('fits');
}

/** Expects the filter to turn the node down with this code and these reasons, in this order. */
export function expectRejects(filter: Filter, name: string, p: PodInfo, n: NodeInfo, code: string, reasons: string[]): void {
  expect(verdictText(filter(p, n)), `${name}(${describePod(p)}; ${describeNode(n)})`).toBe(verdictText({ code, reasons }));
}
