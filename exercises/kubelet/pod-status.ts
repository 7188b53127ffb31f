/**
 * Exercise 05-kubelet/01-pod-status: the status the kubelet writes for a pod, computed from the
 * pod's spec and what the container runtime reports, and the restart policy it depends on.
 *
 * Nobody else writes a pod's status once it is on a node: `kubectl get pods` shows READY, STATUS
 * and RESTARTS from what this code returns. Four parts:
 * - shouldContainerBeRestarted: restartPolicy Always, OnFailure, Never, for one container (the
 *   sync of 02 uses it too, and 03 adds the back-off between restarts).
 * - containerStatuses: one status per container of the spec, in spec order: waiting (with a
 *   reason), running, or terminated, the previous instance as lastState, restartCount, and the
 *   probes' verdicts as `started` and `ready`.
 * - getPhase: Pending, Running, Succeeded or Failed, from those statuses and restartPolicy.
 * - generateAPIPodStatus: both lists, the phase, the conditions (PodReadyToStartContainers,
 *   Initialized, Ready, ContainersReady, PodScheduled), the pod's and node's IPs, startTime.
 *
 * Shapes (engine/kubelet/exercises.ts, engine/kube/types.ts):
 *   PodStatusInput { pod, runtime: RuntimePodStatus, startup, readiness (.get(runtimeId)),
 *     waitingReasons: Map<containerName, { reason, message }>, podIsTerminal, hostIP, now }
 *   RuntimePodStatus { sandboxes: { id, state: 'ready' | 'notready', attempt, ip? }[] (newest
 *     first), containers: RuntimeContainerStatus[] (newest first) }
 *   RuntimeContainerStatus { id, name, state: 'created' | 'running' | 'exited' | 'unknown',
 *     createdAt, startedAt?, finishedAt?, exitCode, reason, message, restartCount, image, imageId }
 *   ApiContainerStatus { name, image, imageID?, containerID?, ready, started?, restartCount,
 *     state?: { waiting?: { reason?, message? }, running?: { startedAt? },
 *               terminated?: { exitCode, reason?, message?, startedAt?, finishedAt?, containerID? } },
 *     lastState? }
 *   Condition { type, status: 'True' | 'False' | 'Unknown', reason?, message?,
 *     lastProbeTime?, lastTransitionTime? }
 * Times in the API are RFC 3339 strings in whole seconds: formatTime(ms) writes them.
 *
 * Read: lessons/core/05-kubelet/02-pod-status.md
 * Check: npx kubelings check 05-kubelet/01-pod-status
 * Upstream: kubernetes pkg/kubelet/container/helpers.go (ShouldContainerBeRestarted),
 * pkg/kubelet/kubelet_pods.go (generateAPIPodStatus, getPhase,
 * convertToAPIContainerStatuses), pkg/kubelet/prober/prober_manager.go (UpdatePodStatus),
 * pkg/kubelet/status/generate.go, pkg/kubelet/status/status_manager.go.
 */
import { formatTime } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { ApiContainerStatus, KubeletContainer, PodStatusInput, RuntimeContainerStatus, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Condition, Container, Pod, PodStatus } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/02-pod-status.md';
const todo = (what: string) => new NotImplemented('05-kubelet/01-pod-status', PAGE, what);

/** An API containerID is this scheme and the runtime's id: `kubelings://3f2a…`. */
export const CONTAINER_ID_SCHEME = 'kubelings://';

/** The conditions the kubelet owns; any other condition in the old status is kept as it is. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

/** Go prints a list of names as [a b]: "containers with unready status: [web log]". */
export const goList = (names: string[]) => `[${names.join(' ')}]`;

type Phase = NonNullable<PodStatus['phase']>;

/** Given: the newest runtime instance of a container, by name (the list is newest first). */
export function newestInstance(runtime: RuntimePodStatus, name: string): RuntimeContainerStatus | undefined {
  return runtime.containers.find((c) => c.name === name);
}

/** Given: an init container with restartPolicy Always is a sidecar. */
export function isSidecar(container: Container): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * ShouldContainerBeRestarted: should this sync start `container` (again)? In this order:
 * - the pod has a deletionTimestamp: no;
 * - the runtime has no instance of it: yes (never started, or its old instances were removed);
 * - its newest instance is running: no; created or unknown: yes (start it properly);
 * - it exited: a sidecar (isSidecar): yes; otherwise by spec.restartPolicy (absent means Always):
 *   Never: no; OnFailure: only if its exit code is not 0; Always: yes.
 */
export function shouldContainerBeRestarted(container: Container, pod: Pod, runtime: RuntimePodStatus): boolean {
  // TODO
  throw todo('shouldContainerBeRestarted()');
}

/**
 * getPhase. `statuses` holds the API statuses of the init and the app containers; find each
 * container of the spec by name (a container with no status is unknown). Count:
 * - regular init containers (not sidecars): pending when missing, running, waiting without a
 *   terminated lastState, or without state; failed when terminated with a non-zero exit code, or
 *   waiting after a terminated lastState with a non-zero exit code.
 * - sidecars: missing → unknown; running → running (and pending while not `started`); waiting
 *   without a terminated lastState → waiting and pending; terminated → neither.
 * - app containers: missing → unknown; running → running; terminated → stopped (succeeded if exit
 *   code 0); waiting after a terminated lastState → stopped; waiting otherwise → waiting.
 * Then, with restartPolicy (absent means Always):
 * 1. a failed init container and Never → Failed.
 * 2. a pending init container, or a pending sidecar before any app container ran (none is
 *    running or terminated or waiting after a run), or a waiting container → Pending.
 * 3. something running and nothing unknown → Running.
 * 4. nothing running, something stopped, nothing unknown: if podIsTerminal, Succeeded when every
 *    stopped one succeeded, else Failed. Otherwise: Always → Running (they are restarting); all
 *    succeeded → Succeeded; Never → Failed; OnFailure → Running.
 * 5. anything else → Pending.
 */
export function getPhase(pod: Pod, statuses: readonly ApiContainerStatus[], podIsTerminal: boolean): Phase {
  // TODO
  throw todo('getPhase()');
}

/**
 * convertToAPIContainerStatuses, then the prober's started and ready, for the init containers
 * (`which` 'init') or the app containers ('app'), in spec order.
 * 1. Start each container from its old status (pod.status.initContainerStatuses or
 *    containerStatuses, by name): an old terminated status is kept whole; otherwise a new status
 *    { name, image, ready: false, restartCount and lastState from the old one (0 and none without
 *    one), state: waiting with reason PodInitializing if the pod has init containers, else
 *    ContainerCreating }.
 * 2. Walk runtime.containers (newest first). The first instance of a name becomes its status:
 *    { name, image, imageID, containerID: CONTAINER_ID_SCHEME + id, restartCount: the instance's
 *    restartCount, state }, where state is running { startedAt } for 'running', terminated
 *    { exitCode, reason, message (if any), startedAt, finishedAt, containerID } for 'exited', and
 *    waiting {} for 'created' or 'unknown'. The second instance of a name becomes its lastState.
 *    Older ones are ignored.
 * 3. A container that shouldContainerBeRestarted (above) and has an entry in
 *    input.waitingReasons (init containers that exited with code 0 are skipped) shows that reason
 *    and message as its waiting state; a terminated state moves to lastState first.
 * 4. started: running and (no startupProbe, or the startup result for its runtime id is
 *    'success'). ready: for a regular init container, terminated with exit code 0; for the others,
 *    started and (no readinessProbe, or the readiness result is 'success').
 */
export function containerStatuses(input: PodStatusInput, which: 'init' | 'app'): ApiContainerStatus[] {
  // TODO
  throw todo('containerStatuses()');
}

/**
 * generateAPIPodStatus: a new status (the old one is not modified):
 * - initContainerStatuses (only when the spec has init containers) and containerStatuses;
 * - phase: getPhase over both lists; a pod whose old phase is Succeeded or Failed keeps it.
 * - conditions, in this order after the old status's conditions of other types:
 *   PodReadyToStartContainers: True when there is exactly one ready sandbox, it is the newest,
 *     and it has an IP; else False.
 *   Initialized: Succeeded with every init container known (no init containers: all known) →
 *     True, reason PodCompleted. Any app container running or terminated → True. Otherwise False, reason
 *     ContainersNotInitialized, message "containers with unknown status: [a], containers with
 *     incomplete status: [b]" (each part only when not empty), where a regular init container is
 *     complete when ready and a sidecar when started; all complete → True.
 *   ContainersReady: over the sidecars and app containers: Succeeded with all known → False,
 *     reason PodCompleted; Failed → False, reason PodFailed; unknown or unready ones → False,
 *     reason ContainersNotReady, message "containers with unknown status: [a], containers with
 *     unready status: [b]"; else True.
 *   Ready: the same status, reason and message as ContainersReady while that is not True. Then
 *     each of spec.readinessGates names a condition (its conditionType) that others set in the
 *     old status: any missing or not True → False, reason ReadinessGatesNotReady, message one
 *     part per gate, joined by ", ": 'corresponding condition of pod readiness gate "X" does not
 *     exist.' or 'the status of pod readiness gate "X" is not "True", but False'; else True.
 *   PodScheduled: True.
 *   Each has lastProbeTime null and keeps the old condition's lastTransitionTime when the old
 *   one of its type had the same status; otherwise lastTransitionTime is now.
 * - hostIP and hostIPs [{ ip }] from input.hostIP; podIP and podIPs from the newest sandbox's IP,
 *   or the old ones when it has none; startTime: the old one, or now; qosClass: the old one.
 */
export function generateAPIPodStatus(input: PodStatusInput): PodStatus {
  // TODO
  throw todo('generateAPIPodStatus()');
}
