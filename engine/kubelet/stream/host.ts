/**
 * What the kubelet's streaming handlers (containerLogs, exec, attach, portForward) need from the
 * kubelet that mounts them, and how they pick the container a request names, with the kubelet's
 * own error sentences (upstream: pkg/kubelet/server/server.go getContainerLogs, and
 * pkg/kubelet/kubelet_pods.go validateContainerLogStatus and GetExec).
 *
 *   const host: StreamHost = { runtime, findContainer: (ns, pod, container) => ... };
 *
 * `findContainer` answers from the kubelet's own pod manager and status manager: the pod (its spec
 * and the status the kubelet computed) and, for the container asked for, its spec and status. The
 * status's containerID (`<runtime>://<id>`) is how a handler reaches the container in the runtime.
 * Invariant: a handler never guesses a container: anything the status does not name is refused
 * with the sentence the real kubelet says.
 */
import type { RuntimeService } from '../../cri/api.ts';

/** The container state shape of a v1 ContainerStatus, with the containerID the kubelet writes. */
export interface StreamContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; containerID?: string; finishedAt?: string; startedAt?: string };
}

/** The fields of a v1 ContainerStatus the handlers read. */
export interface StreamContainerStatus {
  name: string;
  containerID?: string;
  state?: StreamContainerState;
  lastState?: StreamContainerState;
}

/** The fields of a v1 Pod the handlers read. */
export interface StreamPod {
  metadata: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec: { containers: { name: string; ports?: { containerPort: number; protocol?: string }[] }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
  status?: { podIP?: string; phase?: string; containerStatuses?: StreamContainerStatus[]; initContainerStatuses?: StreamContainerStatus[] };
}

/** What `findContainer` answers: the pod, and the named container's status when it has one. */
export interface FoundContainer {
  pod: StreamPod;
  /** The container's name (the one asked for, or the pod's default when none was). */
  containerName: string;
  status?: StreamContainerStatus;
}

/** The runtime calls the streaming handlers make. */
export type StreamRuntime = Pick<RuntimeService, 'containerStatus' | 'exec' | 'attach' | 'podSandboxStatus' | 'listPodSandbox'>;

export interface StreamHost {
  runtime: StreamRuntime;
  /**
   * The pod `namespace/podName` as this kubelet runs it, or undefined when it runs no such pod.
   * Without a container name, the pod's default container (the kubectl.kubernetes.io/default-container
   * annotation, else the first).
   */
  findContainer(namespace: string, podName: string, containerName?: string): FoundContainer | undefined | Promise<FoundContainer | undefined>;
}

/** A request the kubelet refuses: the HTTP code and the sentence (sent as text, as the kubelet does). */
export class StreamError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** `containerd://abc` → `abc` (a bare id is taken as it is). */
export function runtimeContainerId(containerID: string): string {
  const at = containerID.indexOf('://');
  return at >= 0 ? containerID.slice(at + 3) : containerID;
}

/** Whether the pod's spec has a container (app, init or ephemeral) of that name. */
function specHas(pod: StreamPod, name: string): boolean {
  const names = [...pod.spec.containers, ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name);
  return names.includes(name);
}

/** The pod and container a request names, or the kubelet's 404. */
export async function lookup(host: StreamHost, namespace: string, podName: string, containerName?: string): Promise<FoundContainer> {
  const found = await host.findContainer(namespace, podName, containerName || undefined);
  // upstream server.go: "pod %q does not exist", "container %q not found in pod %q"
  if (!found) throw new StreamError(404, `pod "${podName}" does not exist`);
  if (!specHas(found.pod, found.containerName)) throw new StreamError(404, `container "${found.containerName}" not found in pod "${podName}"`);
  return found;
}

/**
 * The runtime container whose log a `kubectl logs` reads, as validateContainerLogStatus picks it:
 * the previous instance for `--previous`, else the running or last terminated one; a container
 * that has not started yet is refused with its waiting reason.
 */
export function logContainerId(found: FoundContainer, previous: boolean): string {
  const c = found.containerName;
  const p = found.pod.metadata.name ?? '';
  const status = found.status;
  const state = status?.state ?? {};
  const last = status?.lastState ?? {};
  if (previous) {
    if (!last.terminated?.containerID) throw new StreamError(400, `previous terminated container "${c}" in pod "${p}" not found`);
    return runtimeContainerId(last.terminated.containerID);
  }
  if (state.running && status?.containerID) return runtimeContainerId(status.containerID);
  if (state.terminated) {
    const id = state.terminated.containerID || status?.containerID || last.terminated?.containerID;
    if (!id) throw new StreamError(400, `container "${c}" in pod "${p}" is terminated`);
    return runtimeContainerId(id);
  }
  if (last.terminated) {
    if (!last.terminated.containerID) throw new StreamError(400, `container "${c}" in pod "${p}" is terminated`);
    return runtimeContainerId(last.terminated.containerID);
  }
  if (state.waiting) {
    const reason = state.waiting.reason ?? '';
    if (reason === 'ErrImagePull') throw new StreamError(400, `container "${c}" in pod "${p}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw new StreamError(400, `container "${c}" in pod "${p}" is waiting to start: trying and failing to pull image`);
    throw new StreamError(400, `container "${c}" in pod "${p}" is waiting to start: ${reason}`);
  }
  throw new StreamError(400, `container "${c}" in pod "${p}" is waiting to start - no logs yet`);
}

/** The running container an exec or attach reaches (upstream GetExec: `container not found ("c")`). */
export function runningContainerId(found: FoundContainer): string {
  const status = found.status;
  if (!status?.state?.running || !status.containerID) throw new StreamError(404, `container not found ("${found.containerName}")`);
  return runtimeContainerId(status.containerID);
}
