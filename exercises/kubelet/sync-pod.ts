/**
 * Exercise 05-kubelet/02-sync-pod: desired against actual. Each time a pod's worker syncs, the
 * kubelet compares the pod's spec with what the runtime has and decides what to do: create a
 * sandbox, start the next init container, start the app containers, kill what should not run.
 * Running it twice on the same state gives the same answer: the sync is level-triggered.
 *
 * Then, how a container stops: its preStop hook runs, the runtime sends the stop signal
 * (SIGTERM), and sends SIGKILL if it is still there when the grace period runs out.
 *
 * Shapes (engine/kubelet/exercises.ts):
 *   RuntimePodStatus { sandboxes: { id, state: 'ready' | 'notready', attempt, ip? }[],
 *     containers: RuntimeContainerStatus[] }            (both newest first)
 *   RuntimeContainerStatus { id, name, state, exitCode, reason, image, … }
 *   PodActions { killPod, createSandbox, sandboxId, attempt, initContainersToStart: string[],
 *     containersToStart: string[], containersToKill: { id, name, reason, message }[] }
 *   liveness / startup: .get(runtime container id) → 'success' | 'failure' | 'unknown' | undefined
 *   KillReason: 'LivenessProbe' | 'StartupProbe' | 'Unknown' | '' …
 *
 * Read: lessons/core/05-kubelet/03-sync-pod.md
 * Check: npx kubelings check 05-kubelet/02-sync-pod
 * Upstream: kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go (computePodActions,
 * computeInitContainerActions), pkg/kubelet/kuberuntime/util/util.go (PodSandboxChanged),
 * pkg/kubelet/kuberuntime/kuberuntime_container.go (killContainer, setTerminationGracePeriod).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { ContainerToKill, KillReason, KubeletContainer, PodActions, ProbeResults, RuntimeContainerStatus, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Container, Pod } from '#engine/kube/types.ts';
import { isSidecar, newestInstance, shouldContainerBeRestarted } from './pod-status.ts';

const PAGE = 'lessons/core/05-kubelet/03-sync-pod.md';
const todo = (what: string) => new NotImplemented('05-kubelet/02-sync-pod', PAGE, what);

/** The API default of terminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** minimumGracePeriodInSeconds: what a container always gets after its preStop hook. */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

type Results = Pick<ProbeResults, 'get'>;

/**
 * Given: PodSandboxChanged: [create a new sandbox?, attempt, the newest sandbox's id]. A new one is
 * needed when there is none (attempt 0, id ''), when more than one is ready, when the newest is
 * not ready, or when it has no IP (attempt: the newest one's + 1).
 */
export function sandboxChanged(runtime: RuntimePodStatus): [boolean, number, string] {
  const newest = runtime.sandboxes[0];
  if (!newest) return [true, 0, ''];
  const ready = runtime.sandboxes.filter((s) => s.state === 'ready').length;
  if (ready > 1 || newest.state !== 'ready' || !newest.ip) return [true, newest.attempt + 1, newest.id];
  return [false, newest.attempt, newest.id];
}

/** Given: an init container failed when OOMKilled, exited with a non-zero code, or in state unknown. */
export function isInitContainerFailed(status: RuntimeContainerStatus): boolean {
  return status.reason === 'OOMKilled' || (status.state === 'exited' && status.exitCode !== 0) || status.state === 'unknown';
}

/** Given: the container's definition changed since this instance was created (here: its image). */
export function definitionChanged(container: Container, status: RuntimeContainerStatus): boolean {
  return (container.image ?? '') !== status.image;
}

/**
 * computePodActions. Start from { killPod: create, createSandbox: create, sandboxId, attempt,
 * empty lists } with sandboxChanged(runtime).
 *
 * A. A new sandbox is needed (everything is killed and started again from the beginning):
 *    - restartPolicy Never, attempt ≠ 0 and the runtime has containers: the pod already ran; do
 *      not create a sandbox (createSandbox false), just kill.
 *    - the app containers to start are all of them, except, under OnFailure, those whose newest
 *      instance exited with code 0. None to start, and some app container has an instance: the
 *      pod has finished; createSandbox false.
 *    - with init containers: initContainersToStart is the first one only. Otherwise
 *      containersToStart is the list above.
 *
 * B. The sandbox is fine. First the init containers (computeInitContainerActions, below). If it
 *    killed the pod or the pod is not initialized yet, stop there. Then each app container:
 *    - not running (or no instance): if shouldContainerBeRestarted, start it; an instance in
 *      state unknown is killed first: reason 'Unknown', message
 *      `Container is in "unknown" state, try killing it before restart`.
 *    - running: kill it if its definition changed (message `Container ${name} definition
 *      changed`, reason '', restarted whatever the policy), else if its liveness result is
 *      'failure' (`Container ${name} failed liveness probe`, 'LivenessProbe'), else if its
 *      startup result is 'failure' (`... failed startup probe`, 'StartupProbe'). Otherwise keep
 *      it. A killed container is also started again unless restartPolicy is Never; then its
 *      message ends with ", will be restarted".
 *    - nothing kept and nothing to start: killPod true, and no init container to start.
 *
 * computeInitContainerActions (returns whether the pod is initialized):
 *    - no init containers: initialized.
 *    - the pod "has initialized" if some app container's newest instance is created or running.
 *      Walk the init containers from the LAST to the first, with previouslyInitialized = that:
 *      · no instance: if previouslyInitialized and it is a sidecar, start it. Next.
 *      · previouslyInitialized and not a sidecar: nothing to do. Next.
 *      · created: start it.
 *      · running, a regular one: wait for it. A sidecar: with a startupProbe, wait while its
 *        result is missing or 'unknown', and on 'failure' kill it ('StartupProbe', `Init
 *        container ${name} failed startup probe`) and start it. Once started it counts as done
 *        (see "done" below); then if its definition changed kill ('', `Init container ${name}
 *        definition changed`) and start it; else on liveness 'failure' kill ('LivenessProbe',
 *        `Init container ${name} failed liveness probe`) and start it.
 *      · exited: a sidecar is started again. A regular one that failed (isInitContainerFailed):
 *        restartPolicy Never → killPod true, no init containers to start, return false;
 *        otherwise start it again. One that succeeded is done.
 *      · unknown: a regular one under Never → killPod as above; otherwise kill it ('Unknown',
 *        `Init container is in "unknown" state, try killing it before restart`) and start it.
 *      "done" for container i: if it is the last init container, the pod is initialized;
 *      otherwise, unless previouslyInitialized, start container i + 1.
 *      After each container that has an instance, previouslyInitialized becomes true.
 *    - if previouslyInitialized is still false, start the first init container.
 *    - initContainersToStart lists names in spec order (the walk went backwards).
 *
 * A container killed twice in one sync appears once in containersToKill (the later reason wins).
 */
export function computePodActions(pod: Pod, runtime: RuntimePodStatus, liveness: Results, startup: Results): PodActions {
  // TODO
  throw todo('computePodActions()');
}

/**
 * setTerminationGracePeriod: the seconds between the stop signal and SIGKILL.
 * - the pod has metadata.deletionGracePeriodSeconds (it is being deleted): that;
 * - killed for a failed startup probe ('StartupProbe') and the startupProbe has
 *   terminationGracePeriodSeconds: that; the same for 'LivenessProbe' and livenessProbe;
 * - otherwise spec.terminationGracePeriodSeconds, or DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS.
 */
export function terminationGracePeriod(pod: Pod, container: KubeletContainer, reason: KillReason): number {
  // TODO
  throw todo('terminationGracePeriod()');
}

/**
 * killContainer's arithmetic: the preStop hook runs inside the grace period, so StopContainer
 * gets what is left: gracePeriodSeconds minus the whole seconds the hook took (only when a hook
 * ran and the grace period is above 0), but never less than MINIMUM_GRACE_PERIOD_SECONDS. A
 * gracePeriodOverride (kubectl delete --grace-period=0 --force, an eviction) replaces the result.
 */
export function stopTimeout(gracePeriodSeconds: number, preStopSeconds: number | undefined, gracePeriodOverride?: number): number {
  // TODO
  throw todo('stopTimeout()');
}
