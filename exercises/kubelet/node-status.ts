/**
 * Exercise 05-kubelet/05-node-status: what the kubelet says about its node, and which pods it
 * accepts.
 *
 * Every 10 s the kubelet computes its node's status: the conditions MemoryPressure, DiskPressure,
 * PIDPressure and Ready (each with a heartbeat, and a transition time that moves only when the
 * status changes), and the resources: capacity (the machine) and allocatable (what pods may
 * request: capacity minus what is kept for the system, for the kubelet itself and as the
 * eviction threshold). The scheduler reads allocatable and the node lifecycle controller reads
 * the heartbeats (and the Lease, which the agent renews).
 *
 * A pod bound to the node is admitted by the kubelet before it runs: the scheduler's view may be
 * stale, so the kubelet checks the fit again against the pods it already runs, and rejects a pod
 * that does not fit: phase Failed, reason OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity...
 *
 * Shapes (engine/kubelet/exercises.ts, engine/kube/types.ts, engine/cri/api.ts):
 *   NodeObservations { runtimeConditions: { type: 'RuntimeReady' | 'NetworkReady', status:
 *     boolean, reason, message }[], memoryPressure, diskPressure, pidPressure }
 *   NodeReservations { kubeReserved?, systemReserved?: ResourceList,
 *     evictionHard?: { 'memory.available'?: '100Mi', 'nodefs.available'?: '10%' } }
 *   ResourceList { cpu: '2', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' }
 *   Condition { type, status, reason?, message?, lastHeartbeatTime?, lastTransitionTime? }
 *   PodAdmitResult { admit, reason?, message? }
 *
 * Read: lessons/core/05-kubelet/06-node-status.md
 * Check: npx kubelings check 05-kubelet/05-node-status
 * Upstream: kubernetes pkg/kubelet/nodestatus/setters.go, pkg/kubelet/cm/
 * node_container_manager_linux.go (GetNodeAllocatableReservation), pkg/kubelet/lifecycle/
 * predicate.go (Admit, generalFilter), pkg/scheduler/framework/plugins/noderesources/fit.go.
 */
import { formatTime } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import type { NodeObservations, NodeReservations, PodAdmitResult } from '#engine/kubelet/exercises.ts';
import type { Condition, Node, Pod, ResourceList } from '#engine/kube/types.ts';
import { newNodeInfo, newPodInfo } from '#engine/scheduler/nodeinfo.ts';

const PAGE = 'lessons/core/05-kubelet/06-node-status.md';
const todo = (what: string) => new NotImplemented('05-kubelet/05-node-status', PAGE, what);

/**
 * Quantities, from lesson 00 (the reference unless yours passes): objects.parseQuantity,
 * milliValue, value, formatQuantity. The scheduler of lesson 03: scheduler.nodeAffinity,
 * nodeName, nodePorts (each returns null when the node fits), tolerates(toleration, taint), and
 * podRequests, which newPodInfo(pod, scheduler) uses. newNodeInfo(node, podInfos) sums the
 * requests of the pods and reads status.allocatable (milliCPU, memory bytes, pods).
 */
const objects = await loadComponent('objects');
const scheduler = await loadComponent('scheduler');

/** The words of each pressure condition, as setters.go writes them. */
export const PRESSURE_CONDITIONS = [
  {
    type: 'MemoryPressure',
    observation: 'memoryPressure',
    trueReason: 'KubeletHasInsufficientMemory',
    trueMessage: 'kubelet has insufficient memory available',
    falseReason: 'KubeletHasSufficientMemory',
    falseMessage: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    observation: 'diskPressure',
    trueReason: 'KubeletHasDiskPressure',
    trueMessage: 'kubelet has disk pressure',
    falseReason: 'KubeletHasNoDiskPressure',
    falseMessage: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    observation: 'pidPressure',
    trueReason: 'KubeletHasInsufficientPID',
    trueMessage: 'kubelet has insufficient PID available',
    falseReason: 'KubeletHasSufficientPID',
    falseMessage: 'kubelet has sufficient PID available',
  },
] as const;

/**
 * The node's conditions at `now` (a new list; `previous` is not modified), in this order: the
 * previous conditions of other types where they were, then the three pressures, then Ready last.
 * - Each pressure: start from the previous condition of its type (or a new one with status
 *   Unknown); lastHeartbeatTime = now. If the pressure is observed and the status is not True:
 *   True, the true reason and message, lastTransitionTime now; if not observed and the status is
 *   not False: False, the false reason and message, lastTransitionTime now. Otherwise leave
 *   status, reason, message and lastTransitionTime alone.
 * - Ready: the errors, in order: no RuntimeReady condition → "container runtime status check may
 *   not have completed yet"; RuntimeReady false → "container runtime not ready: RuntimeReady=false
 *   reason:<reason> message:<message>"; no NetworkReady → "network state unknown"; NetworkReady
 *   false → "container runtime network not ready: NetworkReady=false reason:<r> message:<m>".
 *   No error: True, KubeletReady, "kubelet is posting ready status". Otherwise False,
 *   KubeletNotReady, the message: the one error, or "[first, second]" for several.
 *   lastHeartbeatTime now; lastTransitionTime: the previous Ready's when its status was the
 *   same, else now.
 */
export function nodeConditions(previous: readonly Condition[] | undefined, observed: NodeObservations, now: number): Condition[] {
  // TODO
  throw todo('nodeConditions()');
}

/**
 * Allocatable: for each resource of `capacity`, what is reserved: systemReserved + kubeReserved
 * (of that resource) + the hard eviction threshold ('memory.available' reserves memory,
 * 'nodefs.available' reserves ephemeral-storage; a percentage is that share of the capacity,
 * rounded down to whole units). Nothing reserved: the capacity as it is. Otherwise capacity minus
 * reserved, never below 0, as a quantity string (cpu in millicores: '1900m' or '2'; bytes in any
 * format of the same amount: upstream writes '7901500Ki'). Reservations of resources the node
 * does not have are ignored.
 */
export function nodeAllocatable(capacity: ResourceList, reservations: NodeReservations): ResourceList {
  // TODO
  throw todo('nodeAllocatable()');
}

/**
 * The kubelet's admission of `pod`, against the pods it already runs (otherPods). The first
 * failure, in this order, rejects it:
 * 1. pods: otherPods + 1 > allocatable pods → reason OutOfpods;
 * 2. cpu: a pod requesting cpu (millicores) more than allocatable minus what otherPods request →
 *    OutOfcpu; then memory (bytes) the same way → OutOfmemory. Message: "Node didn't have enough
 *    resource: <name>, requested: <n>, used: <otherPods' total>, capacity: <allocatable>".
 * 3. node affinity or nodeSelector → reason NodeAffinity; spec.nodeName another node → NodeName;
 *    a host port taken → NodePorts; a NoExecute taint the pod does not tolerate →
 *    TaintToleration. Message: "Predicate <reason> failed: <the scheduler's reason>" — "node(s)
 *    didn't match Pod's node affinity/selector", "node(s) didn't match the requested node name",
 *    "node(s) didn't have free ports for the requested pod ports", "node(s) had untolerated taint".
 * Otherwise { admit: true }.
 */
export function admitPod(pod: Pod, node: Node, otherPods: readonly Pod[]): PodAdmitResult {
  // TODO
  throw todo('admitPod()');
}
