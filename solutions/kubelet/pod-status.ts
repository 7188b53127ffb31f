/**
 * Exercise 05-kubelet/01-pod-status (reference): the pod status the kubelet writes.
 *
 * Upstream: pkg/kubelet/container/helpers.go (ShouldContainerBeRestarted),
 * pkg/kubelet/kubelet_pods.go (generateAPIPodStatus, getPhase,
 * convertToAPIContainerStatuses), pkg/kubelet/prober/prober_manager.go (UpdatePodStatus: started
 * and ready), pkg/kubelet/status/generate.go (the conditions), pkg/kubelet/status/status_manager.go
 * (lastTransitionTime kept while a condition's status stays the same).
 */
import { formatTime } from '#engine/controllers/pods.ts';
import type { ApiContainerStatus, KubeletContainer, PodStatusInput, RuntimeContainerStatus, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Condition, Container, Pod, PodStatus } from '#engine/kube/types.ts';

export const CONTAINER_ID_SCHEME = 'kubelings://';
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

type Phase = NonNullable<PodStatus['phase']>;

/** The newest runtime instance of a container, by name (the list is newest first). */
export function newestInstance(runtime: RuntimePodStatus, name: string): RuntimeContainerStatus | undefined {
  return runtime.containers.find((c) => c.name === name);
}

/** An init container with restartPolicy Always: a sidecar. */
export function isSidecar(container: Container): boolean {
  return container.restartPolicy === 'Always';
}

export function shouldContainerBeRestarted(container: Container, pod: Pod, runtime: RuntimePodStatus): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const status = newestInstance(runtime, container.name);
  if (!status) return true;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  if (isSidecar(container)) return true;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return status.exitCode !== 0;
  return true;
}

export function getPhase(pod: Pod, statuses: readonly ApiContainerStatus[], podIsTerminal: boolean): Phase {
  const spec = pod.spec;
  const find = (name: string) => statuses.find((s) => s.name === name);
  let pendingInit = 0;
  let pendingSidecars = 0;
  let failedInit = 0;
  for (const c of spec.initContainers ?? []) {
    if (isSidecar(c)) continue;
    const s = find(c.name);
    if (!s?.state) pendingInit++;
    else if (s.state.running) pendingInit++;
    else if (s.state.terminated) failedInit += s.state.terminated.exitCode !== 0 ? 1 : 0;
    else if (s.state.waiting && s.lastState?.terminated) failedInit += s.lastState.terminated.exitCode !== 0 ? 1 : 0;
    else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isSidecar(c)) continue;
    const s = find(c.name);
    if (!s) unknown++;
    else if (s.state?.running) {
      if (!s.started) pendingSidecars++;
      running++;
    } else if (s.state?.terminated) {
      // neither running nor pending
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingSidecars++;
        waiting++;
      }
    } else {
      pendingSidecars++;
      unknown++;
    }
  }
  let podHasInitialized = false;
  for (const c of spec.containers) {
    const s = find(c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) {
      running++;
      podHasInitialized = true;
    } else if (s.state?.terminated) {
      stopped++;
      podHasInitialized = true;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        stopped++;
        podHasInitialized = true;
      } else waiting++;
    } else unknown++;
  }
  const policy = spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || (pendingSidecars > 0 && !podHasInitialized) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function apiState(cs: RuntimeContainerStatus, containerID: string): NonNullable<ApiContainerStatus['state']> {
  switch (cs.state) {
    case 'running':
      return { running: { startedAt: formatTime(cs.startedAt ?? cs.createdAt) } };
    case 'exited':
      return {
        terminated: {
          exitCode: cs.exitCode,
          reason: cs.reason,
          ...(cs.message ? { message: cs.message } : {}),
          startedAt: formatTime(cs.startedAt ?? cs.createdAt),
          finishedAt: formatTime(cs.finishedAt ?? cs.startedAt ?? cs.createdAt),
          containerID,
        },
      };
    default:
      return { waiting: {} };
  }
}

export function containerStatuses(input: PodStatusInput, which: 'init' | 'app'): ApiContainerStatus[] {
  const { pod, runtime } = input;
  const containers = (which === 'init' ? (pod.spec.initContainers ?? []) : pod.spec.containers) as KubeletContainer[];
  const hasInit = (pod.spec.initContainers?.length ?? 0) > 0;
  const defaultReason = hasInit ? 'PodInitializing' : 'ContainerCreating';
  const previous = ((which === 'init' ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? []) as ApiContainerStatus[];
  const statuses = new Map<string, ApiContainerStatus>();
  for (const c of containers) {
    const old = previous.find((s) => s.name === c.name);
    if (old?.state?.terminated) {
      statuses.set(c.name, structuredClone(old));
      continue;
    }
    const status: ApiContainerStatus = { name: c.name, image: c.image, ready: false, restartCount: old?.restartCount ?? 0, state: { waiting: { reason: defaultReason } } };
    if (old?.lastState) status.lastState = structuredClone(old.lastState);
    statuses.set(c.name, status);
  }
  const seen = new Map<string, number>();
  for (const cs of runtime.containers) {
    const current = statuses.get(cs.name);
    const count = seen.get(cs.name) ?? 0;
    if (!current || count >= 2) continue;
    const containerID = CONTAINER_ID_SCHEME + cs.id;
    if (count === 0) {
      statuses.set(cs.name, { name: cs.name, image: cs.image, imageID: cs.imageId, containerID, ready: false, restartCount: cs.restartCount, state: apiState(cs, containerID) });
    } else {
      current.lastState = apiState(cs, containerID);
    }
    seen.set(cs.name, count + 1);
  }
  for (const c of containers) {
    if (which === 'init') {
      const newest = runtime.containers.find((s) => s.name === c.name);
      if (newest?.state === 'exited' && newest.exitCode === 0) continue;
    }
    if (!shouldContainerBeRestarted(c, pod, runtime)) continue;
    const why = input.waitingReasons.get(c.name);
    if (!why) continue;
    const status = statuses.get(c.name)!;
    if (status.state?.terminated) status.lastState = status.state;
    status.state = { waiting: { reason: why.reason, message: why.message } };
  }
  return containers.map((c) => {
    const status = statuses.get(c.name)!;
    const id = status.containerID?.startsWith(CONTAINER_ID_SCHEME) ? status.containerID.slice(CONTAINER_ID_SCHEME.length) : undefined;
    const runningNow = Boolean(status.state?.running) && id !== undefined;
    const started = runningNow && (!c.startupProbe || input.startup.get(id!) === 'success');
    status.started = started;
    if (which === 'init' && !isSidecar(c)) {
      status.ready = status.state?.terminated?.exitCode === 0;
    } else {
      status.ready = started && (!c.readinessProbe || input.readiness.get(id!) === 'success');
    }
    return status;
  });
}

function withTransitionTime(next: Condition, old: readonly Condition[], now: number): Condition {
  const before = old.find((c) => c.type === next.type);
  const lastTransitionTime = before && before.status === next.status && before.lastTransitionTime ? before.lastTransitionTime : formatTime(now);
  return { ...next, lastProbeTime: null, lastTransitionTime };
}

export const goList = (names: string[]) => `[${names.join(' ')}]`;

function containersReady(pod: Pod, all: readonly ApiContainerStatus[], phase: Phase): Condition {
  const unknown: string[] = [];
  const unready: string[] = [];
  const wanted = [...(pod.spec.initContainers ?? []).filter(isSidecar), ...pod.spec.containers];
  for (const c of wanted) {
    const s = all.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** Ready: ContainersReady's status, reason and message while it is not True; then every readiness gate's condition must be True. */
function podReady(pod: Pod, ready: Condition, conditions: readonly Condition[]): Condition {
  if (ready.status !== 'True') return { ...ready, type: 'Ready' };
  const messages: string[] = [];
  for (const gate of pod.spec.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (messages.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: messages.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initialized(pod: Pod, all: readonly ApiContainerStatus[], phase: Phase): Condition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec.initContainers ?? []) {
    const s = all.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (isSidecar(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  const appStarted = pod.spec.containers.some((c) => {
    const s = all.find((x) => x.name === c.name);
    return Boolean(s?.state?.running || s?.state?.terminated);
  });
  if (appStarted) return { type: 'Initialized', status: 'True' };
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: messages.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

export function generateAPIPodStatus(input: PodStatusInput): PodStatus {
  const { pod, runtime, now } = input;
  const old = pod.status ?? {};
  const initStatuses = containerStatuses(input, 'init');
  const appStatuses = containerStatuses(input, 'app');
  const all = [...initStatuses, ...appStatuses];
  let phase = getPhase(pod, all, input.podIsTerminal);
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const sandbox = runtime.sandboxes[0];
  const sandboxReady = runtime.sandboxes.filter((s) => s.state === 'ready').length === 1 && sandbox?.state === 'ready' && Boolean(sandbox.ip);
  const ready = containersReady(pod, all, phase);
  const oldConditions = old.conditions ?? [];
  const others = oldConditions.filter((c) => !KUBELET_CONDITIONS.includes(c.type)).map((c) => structuredClone(c));
  const kubeletConditions: Condition[] = [
    { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' },
    initialized(pod, all, phase),
    podReady(pod, ready, others),
    ready,
    { type: 'PodScheduled', status: 'True' },
  ];
  const conditions = [...others, ...kubeletConditions.map((c) => withTransitionTime(c, oldConditions, now))];

  const status: PodStatus = { phase, conditions, hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] };
  if (sandbox?.ip) {
    status.podIP = sandbox.ip;
    status.podIPs = [{ ip: sandbox.ip }];
  } else if (old.podIP) {
    status.podIP = old.podIP;
    status.podIPs = structuredClone(old.podIPs ?? [{ ip: old.podIP }]);
  }
  status.startTime = old.startTime ?? formatTime(now);
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  status.containerStatuses = appStatuses;
  if (old.qosClass) status.qosClass = old.qosClass;
  return status;
}
