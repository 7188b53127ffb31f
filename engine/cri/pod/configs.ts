/**
 * The CRI configs the kubelet builds from a Pod (pkg/kubelet/kuberuntime: kuberuntime_sandbox.go
 * generatePodSandboxConfig, kuberuntime_container.go generateContainerConfig, labels.go,
 * kuberuntime_container_linux.go generateLinuxContainerResources): names, labels and annotations
 * with the io.kubernetes.* keys, the log directory `<logRoot>/<ns>_<name>_<uid>` and log path
 * `<container>/<restartCount>.log` (so the previous instance's log is `<restartCount-1>.log`), the
 * port mappings and the container ports annotation, and the cpu and memory resources. Pure; here
 * so that the runtime's tests and the later kubelet build configs one way.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadComponent } from '../../impl.ts';
import type { Container, Pod, ResourceList } from '../../kube/types.ts';
import { CGROUP_CPU_PERIOD_US } from '../../params.ts';
import type { ContainerConfig, KeyValue, LinuxContainerResources, PodSandboxConfig, PortMapping, Protocol } from '../api.ts';
import { milliCpuToQuota, milliCpuToShares } from '../cgroups/values.ts';

const objects = await loadComponent('objects');

export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const ANNOTATION_CONTAINER_PORTS = 'io.kubernetes.container.ports';
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';

function podLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata.labels ?? {}),
    [LABEL_POD_NAME]: pod.metadata.name ?? '',
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default',
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
  };
}

/** The folder of a pod's container logs under `logRoot` (the kubelet's /var/log/pods). */
export function podLogDirectory(logRoot: string, pod: Pod): string {
  return join(logRoot, `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name ?? ''}_${pod.metadata.uid ?? ''}`);
}

export function podSandboxConfig(pod: Pod, options: { logRoot: string; attempt?: number }): PodSandboxConfig {
  const portMappings: PortMapping[] = [];
  for (const container of pod.spec.containers ?? []) {
    for (const port of container.ports ?? []) {
      portMappings.push({
        protocol: (port.protocol ?? 'TCP') as Protocol,
        containerPort: port.containerPort,
        hostPort: port.hostPort ?? 0,
        hostIp: String((port as { hostIP?: string }).hostIP ?? ''),
      });
    }
  }
  const hostname = typeof pod.spec.hostname === 'string' && pod.spec.hostname ? pod.spec.hostname : (pod.metadata.name ?? '').slice(0, 63);
  return {
    metadata: { name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', namespace: pod.metadata.namespace ?? 'default', attempt: options.attempt ?? 0 },
    hostname,
    logDirectory: podLogDirectory(options.logRoot, pod),
    portMappings,
    labels: podLabels(pod),
    annotations: { ...(pod.metadata.annotations ?? {}) },
  };
}

/** The kubelet's cpu shares, CFS quota and memory limit for a container. */
export function linuxContainerResources(container: Container): LinuxContainerResources {
  const milli = (list: ResourceList | undefined, name: string) => (list?.[name] === undefined ? 0 : objects.milliValue(objects.parseQuantity(String(list[name]))));
  const bytes = (list: ResourceList | undefined, name: string) => (list?.[name] === undefined ? 0 : objects.value(objects.parseQuantity(String(list[name]))));
  const cpuRequest = milli(container.resources?.requests, 'cpu');
  const cpuLimit = milli(container.resources?.limits, 'cpu');
  const memoryLimit = bytes(container.resources?.limits, 'memory');
  const out: LinuxContainerResources = { cpuShares: milliCpuToShares(cpuRequest === 0 && cpuLimit !== 0 ? cpuLimit : cpuRequest) };
  if (memoryLimit > 0) out.memoryLimitInBytes = memoryLimit;
  if (cpuLimit > 0) {
    out.cpuPeriod = CGROUP_CPU_PERIOD_US;
    out.cpuQuota = milliCpuToQuota(cpuLimit, CGROUP_CPU_PERIOD_US);
  }
  return out;
}

/**
 * A short hash of the container's definition (the kubelet's io.kubernetes.container.hash). As
 * upstream's HashContainer (pkg/kubelet/container/helpers.go, pickFieldsToHash) it covers the name
 * and the image only: the image is the one field of a container a pod update may change
 * (ValidatePodUpdate), and hashing more would restart every container when a field is added.
 */
export function containerHash(container: Container): string {
  return createHash('sha256')
    .update(JSON.stringify({ image: container.image ?? '', name: container.name }))
    .digest('hex')
    .slice(0, 8);
}

export function containerConfig(pod: Pod, container: Container, options: { restartCount?: number; envs?: KeyValue[] } = {}): ContainerConfig {
  const restartCount = options.restartCount ?? 0;
  const annotations: Record<string, string> = {
    [ANNOTATION_CONTAINER_HASH]: containerHash(container),
    [ANNOTATION_RESTART_COUNT]: String(restartCount),
    'io.kubernetes.container.terminationMessagePath': String(container.terminationMessagePath ?? '/dev/termination-log'),
    'io.kubernetes.container.terminationMessagePolicy': String(container.terminationMessagePolicy ?? 'File'),
    'io.kubernetes.pod.terminationGracePeriod': String(pod.spec.terminationGracePeriodSeconds ?? 30),
  };
  if (container.ports && container.ports.length > 0) annotations[ANNOTATION_CONTAINER_PORTS] = JSON.stringify(container.ports);
  return {
    metadata: { name: container.name, attempt: restartCount },
    image: { image: container.image ?? '', userSpecifiedImage: container.image ?? '' },
    ...(container.command ? { command: [...container.command] } : {}),
    ...(container.args ? { args: [...container.args] } : {}),
    ...(typeof container.workingDir === 'string' && container.workingDir ? { workingDir: container.workingDir } : {}),
    envs: options.envs ?? [],
    labels: { [LABEL_POD_NAME]: pod.metadata.name ?? '', [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default', [LABEL_POD_UID]: pod.metadata.uid ?? '', [LABEL_CONTAINER_NAME]: container.name },
    annotations,
    logPath: `${container.name}/${restartCount}.log`,
    stdin: container.stdin === true,
    stdinOnce: container.stdinOnce === true,
    tty: container.tty === true,
    linux: { resources: linuxContainerResources(container) },
  };
}
