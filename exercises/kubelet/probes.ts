/**
 * Exercise 05-kubelet/04-probes: one probe worker, the loop the kubelet runs for each probe of
 * each container.
 *
 * A startup probe holds the other two back until the container has started. A liveness probe
 * that fails failureThreshold times in a row gets the container killed and restarted (the sync
 * reads the result: 02-sync-pod). A readiness probe decides the container's `ready`, and so the
 * pod's Ready condition and whether Services send it traffic (01-pod-status reads the result).
 * The agent calls doProbe every periodMs; the probe itself (an HTTP GET, a TCP connect, a command
 * in the container, each with timeoutSeconds) is runProbe, passed in.
 *
 * Shapes (engine/kubelet/exercises.ts):
 *   ProbeWorkerOptions { probeType: 'liveness' | 'readiness' | 'startup', pod, container,
 *     results: { get(id), set(id, result), remove(id) }, runProbe(type, probe, id), now() }
 *   Probe { exec? | httpGet? | tcpSocket?, initialDelaySeconds?, timeoutSeconds?, periodSeconds?,
 *     successThreshold?, failureThreshold? }     (missing numbers: PROBE_DEFAULTS)
 *   ProbeResult 'success' | 'failure' | 'unknown'
 *   status: the pod's latest API status: containerStatuses / initContainerStatuses with
 *     containerID 'kubelings://<id>', state.running.startedAt (RFC 3339), started
 * Results are keyed by the runtime id: the containerID without CONTAINER_ID_SCHEME.
 *
 * Read: lessons/core/05-kubelet/05-probes.md
 * Check: npx kubelings check 05-kubelet/04-probes
 * Upstream: kubernetes pkg/kubelet/prober/worker.go (newWorker, doProbe),
 * pkg/apis/core/v1/defaults.go (SetDefaults_Probe).
 */
import { parseTime } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { ApiContainerStatus, Probe, ProbeResult, ProbeWorker, ProbeWorkerOptions } from '#engine/kubelet/exercises.ts';
import type { Pod, PodStatus } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/05-probes.md';
const todo = (what: string) => new NotImplemented('05-kubelet/04-probes', PAGE, what);

/** The apiserver's defaults for a probe's numbers. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } as const;

/** An API containerID is this scheme and the runtime's id. */
export const CONTAINER_ID_SCHEME = 'kubelings://';

/**
 * newWorker: the probe of options.probeType from the container (throw if it has none), its
 * numbers with PROBE_DEFAULTS for the missing ones, and the worker's state:
 *   containerId ('' at first), lastResult, resultRun (how many times in a row lastResult came),
 *   onHold (after a liveness or startup failure, until a new container appears), and the initial
 *   result recorded for a new container: readiness 'failure', liveness 'success', startup
 *   'unknown'.
 * periodMs is periodSeconds × 1000.
 *
 * doProbe(pod, status), one round; return true to be called again, false to stop for good:
 * 1. no status yet: true. Phase Failed or Succeeded: false.
 * 2. find the container's status by name in containerStatuses (then initContainerStatuses, for
 *    sidecars). None, or no containerID yet: true.
 * 3. a containerID other than the one you follow: remove the old id's result (if any), follow
 *    the new one, record the initial result for it, and leave onHold.
 * 4. onHold: true (the container is being restarted; do not probe it).
 * 5. not running: record 'failure'; stop (false) only if it terminated and restartPolicy is
 *    Never, since it will not come back; otherwise true.
 * 6. the pod is being deleted (deletionTimestamp) and this is a liveness or startup probe:
 *    record 'success' (nothing should restart it now) and stop.
 * 7. the whole seconds since state.running.startedAt are fewer than initialDelaySeconds: true.
 * 8. status.started: a startup probe has nothing more to do (true). Not started: only the
 *    startup probe runs; the others return true.
 * 9. run the probe (await runProbe(probeType, probe, id)); if it throws, ignore this round.
 * 10. the same result as last time: resultRun + 1; else lastResult = result, resultRun = 1.
 *     A failure below failureThreshold or a success below successThreshold changes nothing.
 *     Otherwise record the result; a liveness or startup 'failure' also puts the worker on
 *     hold and resets resultRun to 0.
 */
export function newProbeWorker(options: ProbeWorkerOptions): ProbeWorker {
  // TODO
  throw todo('newProbeWorker()');
}
