/**
 * What the runtime reports, computed from its records: the CRI's PodSandbox, Container and
 * ContainerStatus messages, and the filters of its List calls (ID prefix, state, sandbox, labels
 * ANDed, as api.proto's PodSandboxFilter and ContainerFilter say). Pure.
 */
import type { Container, ContainerFilter, ContainerStatus, PodSandbox, StringMap } from './api.ts';
import type { LiveContainer } from './process.ts';
import type { SandboxRecord } from './state.ts';

export function matchesLabels(labels: StringMap, selector: StringMap | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

export function sandboxSummary(sandbox: SandboxRecord): PodSandbox {
  return {
    id: sandbox.id,
    metadata: sandbox.config.metadata,
    state: sandbox.state,
    createdAt: sandbox.createdAt,
    labels: { ...(sandbox.config.labels ?? {}) },
    annotations: { ...(sandbox.config.annotations ?? {}) },
    runtimeHandler: sandbox.runtimeHandler,
  };
}

export function containerMatches(entry: LiveContainer, f: ContainerFilter): boolean {
  const r = entry.record;
  return (
    (!f.id || r.id.startsWith(f.id)) &&
    (!f.state || r.state === f.state.state) &&
    (!f.podSandboxId || r.podSandboxId.startsWith(f.podSandboxId)) &&
    matchesLabels(r.config.labels ?? {}, f.labelSelector)
  );
}

export function containerSummary(entry: LiveContainer): Container {
  const r = entry.record;
  return {
    id: r.id,
    podSandboxId: r.podSandboxId,
    metadata: r.config.metadata,
    image: { image: r.imageId, userSpecifiedImage: r.config.image.userSpecifiedImage ?? r.config.image.image },
    imageRef: r.imageRef,
    imageId: r.imageId,
    state: r.state,
    createdAt: r.createdAt,
    labels: { ...(r.config.labels ?? {}) },
    annotations: { ...(r.config.annotations ?? {}) },
  };
}

export function containerStatusOf(entry: LiveContainer): ContainerStatus {
  const r = entry.record;
  return {
    id: r.id,
    metadata: r.config.metadata,
    state: r.state,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    exitCode: r.exitCode,
    image: { image: r.imageId, userSpecifiedImage: r.config.image.userSpecifiedImage ?? r.config.image.image },
    imageRef: r.imageRef,
    imageId: r.imageId,
    reason: r.reason,
    message: r.message,
    labels: { ...(r.config.labels ?? {}) },
    annotations: { ...(r.config.annotations ?? {}) },
    mounts: r.config.mounts ?? [],
    logPath: r.logPath,
    ...(r.config.linux?.resources ? { resources: { linux: r.config.linux.resources } } : {}),
    stopSignal: r.config.stopSignal && r.config.stopSignal !== 'RUNTIME_DEFAULT' ? r.config.stopSignal : entry.image.stopSignal,
    kubelings: {
      pid: r.pid,
      resources: r.resourcesEnforced || !r.resourcesReason ? { enforced: r.resourcesEnforced } : { enforced: false, reason: r.resourcesReason },
      ...(r.listen ? { listen: r.listen } : {}),
      warnings: [...r.warnings, ...(entry.writer?.lastError ? [`writing the container's log failed, its output is being lost: ${entry.writer.lastError.message}`] : [])],
    },
  };
}
