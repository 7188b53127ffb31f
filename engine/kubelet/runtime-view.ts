/**
 * What the runtime holds for each pod, read through the CRI only (upstream kuberuntime's
 * GetPodStatus and the PLEG's relist): the pod's sandboxes (newest first) and every container of
 * it, newest attempt first per name, with the restart count and spec hash the kubelet put in its
 * annotations. This is the "actual" side of the sync loop; nothing here writes.
 */
import type { ContainerState, ContainerStatus as CriContainerStatus, RuntimeService } from '../cri/api.ts';
import { ANNOTATION_CONTAINER_HASH, ANNOTATION_RESTART_COUNT, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../cri/pod/configs.ts';
import type { RuntimeContainerStatus, RuntimePodStatus, RuntimeSandboxStatus } from './exercises.ts';

/** A container as the runtime reports it, with what the agent itself needs (pid, where it listens). */
export interface RuntimeContainer extends RuntimeContainerStatus {
  /** The spec hash the kubelet put in the container's annotations. */
  hash: string;
  pid: number;
  /** Where the process really listens for a container port (the runtime's low-port remap). */
  listen?: { containerPort: number; port: number };
}

export interface RuntimePod extends RuntimePodStatus {
  containers: RuntimeContainer[];
}

const STATES: Record<ContainerState, RuntimeContainerStatus['state']> = { CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown' };

function ms(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

export function toRuntimeContainer(status: CriContainerStatus): RuntimeContainer {
  const listen = status.kubelings.listen;
  return {
    id: status.id,
    name: status.labels[LABEL_CONTAINER_NAME] ?? status.metadata.name,
    state: STATES[status.state],
    createdAt: ms(status.createdAt),
    ...(status.startedAt > 0n ? { startedAt: ms(status.startedAt) } : {}),
    ...(status.finishedAt > 0n ? { finishedAt: ms(status.finishedAt) } : {}),
    exitCode: status.exitCode,
    reason: status.reason,
    message: status.message,
    image: status.image.userSpecifiedImage || status.image.image,
    imageId: status.imageRef,
    restartCount: Number(status.annotations[ANNOTATION_RESTART_COUNT] ?? status.metadata.attempt ?? 0),
    hash: status.annotations[ANNOTATION_CONTAINER_HASH] ?? '',
    pid: status.kubelings.pid,
    ...(listen ? { listen: { containerPort: listen.containerPort, port: listen.port } } : {}),
  };
}

/** Everything the runtime has for the pod with this uid. */
export async function readRuntimePod(runtime: RuntimeService, uid: string, pod?: { name: string; namespace: string }): Promise<RuntimePod> {
  const { items } = await runtime.listPodSandbox({ filter: { labelSelector: { [LABEL_POD_UID]: uid } } });
  const sandboxes: RuntimeSandboxStatus[] = [];
  let name = pod?.name ?? '';
  let namespace = pod?.namespace ?? '';
  for (const item of items) {
    const status = await runtime.podSandboxStatus({ podSandboxId: item.id }).catch(() => undefined);
    const ip = status?.status.network?.ip;
    name ||= item.labels[LABEL_POD_NAME] ?? '';
    namespace ||= item.labels[LABEL_POD_NAMESPACE] ?? '';
    sandboxes.push({ id: item.id, state: item.state === 'SANDBOX_READY' ? 'ready' : 'notready', createdAt: ms(item.createdAt), attempt: item.metadata.attempt ?? 0, ...(ip ? { ip } : {}) });
  }
  sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
  const { containers: listed } = await runtime.listContainers({ filter: { labelSelector: { [LABEL_POD_UID]: uid } } });
  const containers: RuntimeContainer[] = [];
  for (const c of listed) {
    const status = await runtime.containerStatus({ containerId: c.id }).catch(() => undefined);
    if (status) containers.push(toRuntimeContainer(status.status));
  }
  containers.sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
  return { uid, name, namespace, sandboxes, containers };
}

/** The uids of every pod the runtime holds anything for. */
export async function runtimePodUids(runtime: RuntimeService): Promise<Set<string>> {
  const uids = new Set<string>();
  for (const s of (await runtime.listPodSandbox({})).items) if (s.labels[LABEL_POD_UID]) uids.add(s.labels[LABEL_POD_UID]!);
  for (const c of (await runtime.listContainers({})).containers) if (c.labels[LABEL_POD_UID]) uids.add(c.labels[LABEL_POD_UID]!);
  return uids;
}
