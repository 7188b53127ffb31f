/**
 * Exercise 05-kubelet/02-sync-pod (reference): what one sync does to a pod, and how long a
 * container gets to stop.
 *
 * Upstream: pkg/kubelet/kuberuntime/kuberuntime_manager.go (computePodActions,
 * computeInitContainerActions), pkg/kubelet/kuberuntime/util/util.go (PodSandboxChanged),
 * pkg/kubelet/kuberuntime/kuberuntime_container.go (killContainer, setTerminationGracePeriod).
 */
import type { ContainerToKill, KillReason, KubeletContainer, PodActions, ProbeResults, RuntimeContainerStatus, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Container, Pod } from '#engine/kube/types.ts';
import { isSidecar, newestInstance, shouldContainerBeRestarted } from './pod-status.ts';

/** The API default of terminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** minimumGracePeriodInSeconds: what a container always gets after its preStop hook. */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

type Results = Pick<ProbeResults, 'get'>;

/** PodSandboxChanged: [create a new sandbox?, attempt, the newest sandbox's id]. */
export function sandboxChanged(runtime: RuntimePodStatus): [boolean, number, string] {
  const newest = runtime.sandboxes[0];
  if (!newest) return [true, 0, ''];
  const ready = runtime.sandboxes.filter((s) => s.state === 'ready').length;
  if (ready > 1 || newest.state !== 'ready' || !newest.ip) return [true, newest.attempt + 1, newest.id];
  return [false, newest.attempt, newest.id];
}

export function isInitContainerFailed(status: RuntimeContainerStatus): boolean {
  return status.reason === 'OOMKilled' || (status.state === 'exited' && status.exitCode !== 0) || status.state === 'unknown';
}

export function definitionChanged(container: Container, status: RuntimeContainerStatus): boolean {
  return (container.image ?? '') !== status.image;
}

/** computeInitContainerActions: adds the init containers to start and kill; true once the pod is initialized. */
function initContainerActions(
  pod: Pod,
  runtime: RuntimePodStatus,
  actions: PodActions,
  kill: (status: RuntimeContainerStatus, reason: KillReason, message: string) => void,
  liveness: Results,
  startup: Results,
): boolean {
  const inits = (pod.spec.initContainers ?? []) as KubeletContainer[];
  if (inits.length === 0) return true;
  let podHasInitialized = pod.spec.containers.some((c) => {
    const s = newestInstance(runtime, c.name);
    return s?.state === 'created' || s?.state === 'running';
  });
  let previouslyInitialized = podHasInitialized;
  const restartOnFailure = (pod.spec.restartPolicy ?? 'Always') !== 'Never';
  const toStart: number[] = [];
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i]!;
    const status = newestInstance(runtime, c.name);
    if (!status) {
      if (previouslyInitialized && isSidecar(c)) toStart.push(i);
      continue;
    }
    if (previouslyInitialized && !isSidecar(c)) continue;
    const initializedHere = () => {
      if (i === inits.length - 1) podHasInitialized = true;
      else if (!previouslyInitialized) toStart.push(i + 1);
    };
    switch (status.state) {
      case 'created':
        toStart.push(i);
        break;
      case 'running': {
        if (!isSidecar(c)) break;
        if (c.startupProbe) {
          const result = startup.get(status.id);
          if (result === undefined) break;
          if (result !== 'success') {
            if (result === 'failure') {
              kill(status, 'StartupProbe', `Init container ${c.name} failed startup probe`);
              toStart.push(i);
            }
            break;
          }
        }
        initializedHere();
        if (definitionChanged(c, status)) {
          kill(status, '', `Init container ${c.name} definition changed`);
          toStart.push(i);
          break;
        }
        if (c.livenessProbe && liveness.get(status.id) === 'failure') {
          kill(status, 'LivenessProbe', `Init container ${c.name} failed liveness probe`);
          toStart.push(i);
        }
        break;
      }
      case 'exited':
        if (isSidecar(c)) {
          toStart.push(i);
        } else if (isInitContainerFailed(status)) {
          if (!restartOnFailure) {
            actions.killPod = true;
            actions.initContainersToStart = [];
            return false;
          }
          toStart.push(i);
        } else {
          initializedHere();
        }
        break;
      default:
        if (!isSidecar(c) && !restartOnFailure) {
          actions.killPod = true;
          actions.initContainersToStart = [];
          return false;
        }
        kill(status, 'Unknown', `Init container is in "${status.state}" state, try killing it before restart`);
        toStart.push(i);
    }
    previouslyInitialized = true;
  }
  if (!previouslyInitialized) toStart.push(0);
  actions.initContainersToStart = toStart.reverse().map((i) => inits[i]!.name);
  return podHasInitialized;
}

export function computePodActions(pod: Pod, runtime: RuntimePodStatus, liveness: Results, startup: Results): PodActions {
  const [createSandbox, attempt, sandboxId] = sandboxChanged(runtime);
  const actions: PodActions = { killPod: createSandbox, createSandbox, sandboxId, attempt, initContainersToStart: [], containersToStart: [], containersToKill: [] };
  const policy = pod.spec.restartPolicy ?? 'Always';
  const containers = pod.spec.containers as KubeletContainer[];

  if (createSandbox) {
    if (policy === 'Never' && attempt !== 0 && runtime.containers.length !== 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart = containers
      .filter((c) => {
        const s = newestInstance(runtime, c.name);
        return !(policy === 'OnFailure' && s?.state === 'exited' && s.exitCode === 0);
      })
      .map((c) => c.name);
    if (toStart.length === 0 && containers.some((c) => newestInstance(runtime, c.name) !== undefined)) {
      actions.createSandbox = false;
      return actions;
    }
    if ((pod.spec.initContainers?.length ?? 0) > 0) {
      actions.initContainersToStart = [pod.spec.initContainers![0]!.name];
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  const kill = (status: RuntimeContainerStatus, reason: KillReason, message: string) => {
    const entry: ContainerToKill = { id: status.id, name: status.name, reason, message };
    const at = actions.containersToKill.findIndex((k) => k.id === status.id);
    if (at >= 0) actions.containersToKill[at] = entry;
    else actions.containersToKill.push(entry);
  };

  const initialized = initContainerActions(pod, runtime, actions, kill, liveness, startup);
  if (actions.killPod || !initialized) return actions;

  let keep = 0;
  for (const c of containers) {
    const status = newestInstance(runtime, c.name);
    if (!status || status.state !== 'running') {
      if (shouldContainerBeRestarted(c, pod, runtime)) {
        actions.containersToStart.push(c.name);
        if (status?.state === 'unknown') kill(status, 'Unknown', `Container is in "unknown" state, try killing it before restart`);
      }
      continue;
    }
    let restart = policy !== 'Never';
    let message: string;
    let reason: KillReason = '';
    if (definitionChanged(c, status)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (liveness.get(status.id) === 'failure') {
      message = `Container ${c.name} failed liveness probe`;
      reason = 'LivenessProbe';
    } else if (startup.get(status.id) === 'failure') {
      message = `Container ${c.name} failed startup probe`;
      reason = 'StartupProbe';
    } else {
      keep++;
      continue;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      actions.containersToStart.push(c.name);
    }
    kill(status, reason, message);
  }
  if (keep === 0 && actions.containersToStart.length === 0) {
    actions.killPod = true;
    actions.initContainersToStart = [];
  }
  return actions;
}

export function terminationGracePeriod(pod: Pod, container: KubeletContainer, reason: KillReason): number {
  const deletion = pod.metadata.deletionGracePeriodSeconds;
  if (typeof deletion === 'number') return deletion;
  if (reason === 'StartupProbe' && typeof container.startupProbe?.terminationGracePeriodSeconds === 'number') return container.startupProbe.terminationGracePeriodSeconds;
  if (reason === 'LivenessProbe' && typeof container.livenessProbe?.terminationGracePeriodSeconds === 'number') return container.livenessProbe.terminationGracePeriodSeconds;
  return pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
}

export function stopTimeout(gracePeriodSeconds: number, preStopSeconds: number | undefined, gracePeriodOverride?: number): number {
  let grace = gracePeriodSeconds;
  if (preStopSeconds !== undefined && grace > 0) grace -= Math.max(0, Math.floor(preStopSeconds));
  if (grace < MINIMUM_GRACE_PERIOD_SECONDS) grace = MINIMUM_GRACE_PERIOD_SECONDS;
  if (gracePeriodOverride !== undefined) grace = gracePeriodOverride;
  return grace;
}
