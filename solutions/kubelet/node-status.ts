/**
 * Exercise 05-kubelet/05-node-status (reference): node conditions, allocatable, pod admission.
 *
 * Upstream: pkg/kubelet/nodestatus/setters.go (MemoryPressureCondition, DiskPressureCondition,
 * PIDPressureCondition, ReadyCondition, MachineInfo's allocatable), pkg/kubelet/cm/
 * node_container_manager_linux.go (GetNodeAllocatableReservation, hardEvictionReservation),
 * pkg/kubelet/lifecycle/predicate.go (Admit, generalFilter), pkg/scheduler/framework/plugins/
 * noderesources/fit.go (Fits).
 */
import { formatTime } from '#engine/controllers/pods.ts';
import { loadComponent } from '#engine/impl.ts';
import type { NodeObservations, NodeReservations, PodAdmitResult } from '#engine/kubelet/exercises.ts';
import type { Condition, Node, Pod, ResourceList } from '#engine/kube/types.ts';
import { newNodeInfo, newPodInfo } from '#engine/scheduler/nodeinfo.ts';

const objects = await loadComponent('objects');
const scheduler = await loadComponent('scheduler');

interface PressureWords {
  type: string;
  trueReason: string;
  trueMessage: string;
  falseReason: string;
  falseMessage: string;
}

const PRESSURES: [PressureWords, keyof NodeObservations][] = [
  [
    {
      type: 'MemoryPressure',
      trueReason: 'KubeletHasInsufficientMemory',
      trueMessage: 'kubelet has insufficient memory available',
      falseReason: 'KubeletHasSufficientMemory',
      falseMessage: 'kubelet has sufficient memory available',
    },
    'memoryPressure',
  ],
  [
    { type: 'DiskPressure', trueReason: 'KubeletHasDiskPressure', trueMessage: 'kubelet has disk pressure', falseReason: 'KubeletHasNoDiskPressure', falseMessage: 'kubelet has no disk pressure' },
    'diskPressure',
  ],
  [
    {
      type: 'PIDPressure',
      trueReason: 'KubeletHasInsufficientPID',
      trueMessage: 'kubelet has insufficient PID available',
      falseReason: 'KubeletHasSufficientPID',
      falseMessage: 'kubelet has sufficient PID available',
    },
    'pidPressure',
  ],
];

function readyErrors(observed: NodeObservations): string[] {
  const errors: string[] = [];
  const runtime = observed.runtimeConditions.find((c) => c.type === 'RuntimeReady');
  const network = observed.runtimeConditions.find((c) => c.type === 'NetworkReady');
  const show = (c: { type: string; status: boolean; reason: string; message: string }) => `${c.type}=${c.status} reason:${c.reason} message:${c.message}`;
  if (!runtime) errors.push('container runtime status check may not have completed yet');
  else if (!runtime.status) errors.push(`container runtime not ready: ${show(runtime)}`);
  if (!network) errors.push('network state unknown');
  else if (!network.status) errors.push(`container runtime network not ready: ${show(network)}`);
  return errors;
}

export function nodeConditions(previous: readonly Condition[] | undefined, observed: NodeObservations, now: number): Condition[] {
  const at = formatTime(now);
  const out = (previous ?? []).map((c) => structuredClone(c));
  const upsert = (c: Condition) => {
    const i = out.findIndex((x) => x.type === c.type);
    if (i >= 0) out[i] = c;
    else out.push(c);
  };
  for (const [words, key] of PRESSURES) {
    const old = out.find((c) => c.type === words.type);
    const c: Condition = old ? { ...old } : { type: words.type, status: 'Unknown' };
    c.lastHeartbeatTime = at;
    const pressure = observed[key] === true;
    if (pressure && c.status !== 'True') Object.assign(c, { status: 'True', reason: words.trueReason, message: words.trueMessage, lastTransitionTime: at });
    else if (!pressure && c.status !== 'False') Object.assign(c, { status: 'False', reason: words.falseReason, message: words.falseMessage, lastTransitionTime: at });
    upsert(c);
  }
  const errors = readyErrors(observed);
  const ready: Condition =
    errors.length === 0
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: at }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`, lastHeartbeatTime: at };
  const oldReady = out.find((c) => c.type === 'Ready');
  ready.lastTransitionTime = oldReady && oldReady.status === ready.status && oldReady.lastTransitionTime ? oldReady.lastTransitionTime : at;
  const i = out.findIndex((c) => c.type === 'Ready');
  if (i >= 0) out.splice(i, 1);
  out.push(ready);
  return out;
}

const EVICTION_SIGNALS: Record<string, string> = { 'memory.available': 'memory', 'nodefs.available': 'ephemeral-storage' };

/** An amount in thousandths for cpu, in units for everything else. */
function amount(name: string, text: string | number | undefined): number {
  if (text === undefined || text === '') return 0;
  const q = objects.parseQuantity(String(text));
  return name === 'cpu' ? objects.milliValue(q) : objects.value(q);
}

function formatAmount(name: string, n: number): string {
  if (name === 'cpu') return objects.formatQuantity(objects.parseQuantity(`${n}m`));
  if (n !== 0 && n % 1024 === 0) return objects.formatQuantity(objects.parseQuantity(`${n / 1024}Ki`));
  return String(n);
}

export function nodeAllocatable(capacity: ResourceList, reservations: NodeReservations): ResourceList {
  const reserved = new Map<string, number>();
  const add = (name: string, n: number) => reserved.set(name, (reserved.get(name) ?? 0) + n);
  for (const list of [reservations.systemReserved, reservations.kubeReserved]) {
    for (const [name, value] of Object.entries(list ?? {})) if (name in capacity) add(name, amount(name, value));
  }
  for (const [signal, value] of Object.entries(reservations.evictionHard ?? {})) {
    const name = EVICTION_SIGNALS[signal];
    if (!name || !(name in capacity)) continue;
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
    add(name, percent ? Math.trunc((amount(name, capacity[name]) * Number(percent[1])) / 100) : amount(name, value));
  }
  const out: ResourceList = { ...capacity };
  for (const [name, r] of reserved) {
    if (r === 0) continue;
    out[name] = formatAmount(name, Math.max(0, amount(name, capacity[name]) - r));
  }
  return out;
}

const reject = (reason: string, message: string): PodAdmitResult => ({ admit: false, reason, message });
const insufficient = (name: string, requested: number, used: number, capacity: number) =>
  reject(`OutOf${name}`, `Node didn't have enough resource: ${name}, requested: ${requested}, used: ${used}, capacity: ${capacity}`);
const predicate = (name: string, description: string) => reject(name, `Predicate ${name} failed: ${description}`);

export function admitPod(pod: Pod, node: Node, otherPods: readonly Pod[]): PodAdmitResult {
  const nodeInfo = newNodeInfo(
    node,
    otherPods.map((p) => newPodInfo(p, scheduler)),
  );
  const podInfo = newPodInfo(pod, scheduler);
  if (nodeInfo.pods.length + 1 > nodeInfo.allocatable.pods) return insufficient('pods', 1, nodeInfo.pods.length, nodeInfo.allocatable.pods);
  const want = podInfo.requests;
  if (want.milliCPU > 0 && want.milliCPU > nodeInfo.allocatable.milliCPU - nodeInfo.requested.milliCPU) {
    return insufficient('cpu', want.milliCPU, nodeInfo.requested.milliCPU, nodeInfo.allocatable.milliCPU);
  }
  if (want.memory > 0 && want.memory > nodeInfo.allocatable.memory - nodeInfo.requested.memory) {
    return insufficient('memory', want.memory, nodeInfo.requested.memory, nodeInfo.allocatable.memory);
  }
  if (scheduler.nodeAffinity(podInfo, nodeInfo)) return predicate('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  if (scheduler.nodeName(podInfo, nodeInfo)) return predicate('NodeName', "node(s) didn't match the requested node name");
  if (scheduler.nodePorts(podInfo, nodeInfo)) return predicate('NodePorts', "node(s) didn't have free ports for the requested pod ports");
  const untolerated = (node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute' && !(pod.spec.tolerations ?? []).some((tol) => scheduler.tolerates(tol, t)));
  if (untolerated) return predicate('TaintToleration', 'node(s) had untolerated taint');
  return { admit: true };
}
