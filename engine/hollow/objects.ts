/**
 * What hollow nodes write, as pure functions: the Node object a hollow kubelet registers, its
 * conditions and heartbeat, its Lease in kube-node-lease, and the status it gives a pod bound to it
 * (phase Running, ready, an IP from the node's podCIDR), after what kwok's default stages and
 * kubemark's hollow kubelet write. Nothing here does I/O or reads a clock: `now` is passed in.
 *
 * Addresses stay on loopback: hollow node i has podCIDR 127.(128 + i/256).(i%256).0/24 and
 * InternalIP the .1 of it; its pods get .2, .3, ... (no process listens on them).
 */
import { HOLLOW_LEASE_DURATION_SECONDS, HOLLOW_NODE_CAPACITY, KUBERNETES_VERSION } from '../params.ts';
import type { Lease, Node, Pod } from '../kube/types.ts';

export interface HollowNodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
}

export const HOLLOW_NODE_PREFIX = 'hollow-node-';

/** An RFC 3339 time with seconds, as Kubernetes writes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime, as Leases use. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export function podCIDR(index: number): string {
  return `127.${128 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

export function nodeIP(index: number): string {
  return `127.${128 + Math.floor(index / 256)}.${index % 256}.1`;
}

/** The n-th pod IP of a node (n from 0): .2 upwards, wrapping within the /24. */
export function podIP(index: number, n: number): string {
  return `127.${128 + Math.floor(index / 256)}.${index % 256}.${2 + (n % 253)}`;
}

export function nodeConditions(now: number, since: number): NonNullable<Node['status']>['conditions'] {
  const at = rfc3339(now);
  const from = rfc3339(since);
  const c = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: at, lastTransitionTime: from });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function hollowNode(index: number, now: number, o: HollowNodeOptions = {}): Node {
  const name = `${HOLLOW_NODE_PREFIX}${index}`;
  const capacity = { cpu: o.cpu ?? HOLLOW_NODE_CAPACITY.cpu, memory: o.memory ?? HOLLOW_NODE_CAPACITY.memory, pods: o.pods ?? HOLLOW_NODE_CAPACITY.pods };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubelings.dev/hollow': 'true',
        ...o.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kubelings.dev/hollow': 'true' },
    },
    spec: { podCIDR: podCIDR(index), podCIDRs: [podCIDR(index)] },
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: nodeConditions(now, now),
      addresses: [
        { type: 'InternalIP', address: nodeIP(index) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: 'kubelings hollow node',
        containerRuntimeVersion: 'hollow://0.1.0',
        kubeletVersion: KUBERNETES_VERSION.gitVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      phase: 'Running',
    },
  };
}

export function nodeLease(nodeName: string, now: number, uid?: string, durationSeconds = HOLLOW_LEASE_DURATION_SECONDS): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}

/** The status a hollow kubelet gives a pod bound to its node: Running and Ready at once. */
export function runningPodStatus(pod: Pod, hostIP: string, ip: string, now: number): Record<string, unknown> {
  const at = rfc3339(now);
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  const running = (c: { name: string; image?: string }) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: c.image ? `hollow://${c.image}` : '',
    containerID: `hollow://${pod.metadata.uid ?? pod.metadata.name}/${c.name}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: at } },
  });
  const sidecar = (c: { restartPolicy?: string }) => c.restartPolicy === 'Always';
  const initContainers = pod.spec.initContainers ?? [];
  return {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: at,
    qosClass: qosClass(pod),
    containerStatuses: pod.spec.containers.map(running),
    ...(initContainers.length
      ? {
          initContainerStatuses: initContainers.map((c) =>
            sidecar(c) ? running(c) : { ...running(c), ready: true, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } } },
          ),
        }
      : {}),
  };
}

/** The pod's QoS class, as the kubelet reports it (Guaranteed, Burstable or BestEffort). */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** When a hollow pod finishes, and how: from its kubelings.dev/complete-after or fail-after annotation (kwok's stages). */
export interface PodStage {
  afterMs: number;
  outcome: 'Succeeded' | 'Failed';
}

/** `5s`, `1m`, `1m30s`, `500ms` as milliseconds; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

/** The stage a pod asks for (fail-after wins when both are set and due first); undefined: it runs until deleted. */
export function podStage(pod: Pod, completeAfter: string, failAfter: string): PodStage | undefined {
  const a = pod.metadata.annotations ?? {};
  const done = a[completeAfter] !== undefined ? parseDuration(a[completeAfter]!) : undefined;
  const fail = a[failAfter] !== undefined ? parseDuration(a[failAfter]!) : undefined;
  if (fail !== undefined && (done === undefined || fail <= done)) return { afterMs: fail, outcome: 'Failed' };
  if (done !== undefined) return { afterMs: done, outcome: 'Succeeded' };
  return undefined;
}

/**
 * The status of a hollow pod whose containers exited at `now` (exit code 0: Succeeded, reason
 * Completed; 1: Failed, reason Error), as the kubelet reports a finished pod: Ready and
 * ContainersReady False with reason PodCompleted or PodFailed.
 */
export function finishedPodStatus(pod: Pod, outcome: 'Succeeded' | 'Failed', startedAt: number, now: number): Record<string, unknown> {
  const at = rfc3339(now);
  const from = rfc3339(startedAt);
  const ok = outcome === 'Succeeded';
  const reason = ok ? 'PodCompleted' : 'PodFailed';
  const condition = (type: string, status: 'True' | 'False', why?: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: at, ...(why ? { reason: why } : {}) });
  return {
    phase: outcome,
    conditions: [
      condition('PodReadyToStartContainers', 'False'),
      condition('Initialized', 'True'),
      condition('Ready', 'False', reason),
      condition('ContainersReady', 'False', reason),
      condition('PodScheduled', 'True'),
    ],
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: c.image ? `hollow://${c.image}` : '',
      containerID: `hollow://${pod.metadata.uid ?? pod.metadata.name}/${c.name}`,
      ready: false,
      started: false,
      restartCount: pod.status?.containerStatuses?.find((s) => s.name === c.name)?.restartCount ?? 0,
      state: { terminated: { exitCode: ok ? 0 : 1, reason: ok ? 'Completed' : 'Error', startedAt: from, finishedAt: at, containerID: `hollow://${pod.metadata.uid ?? pod.metadata.name}/${c.name}` } },
    })),
  };
}
