/**
 * Exercise 05-kubelet/04-probes (reference): one probe worker.
 *
 * Upstream: pkg/kubelet/prober/worker.go (newWorker, doProbe), pkg/apis/core/v1/defaults.go
 * (SetDefaults_Probe).
 */
import { parseTime } from '#engine/controllers/pods.ts';
import type { ApiContainerStatus, Probe, ProbeResult, ProbeWorker, ProbeWorkerOptions } from '#engine/kubelet/exercises.ts';
import type { Pod, PodStatus } from '#engine/kube/types.ts';

/** The apiserver's defaults for a probe's numbers. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } as const;

export const CONTAINER_ID_SCHEME = 'kubelings://';

export function newProbeWorker(options: ProbeWorkerOptions): ProbeWorker {
  const { probeType, container, results, runProbe, now } = options;
  const probe: Probe | undefined = probeType === 'liveness' ? container.livenessProbe : probeType === 'readiness' ? container.readinessProbe : container.startupProbe;
  if (!probe) throw new Error(`container ${container.name} has no ${probeType} probe`);
  const spec = { ...PROBE_DEFAULTS, ...Object.fromEntries(Object.entries(probe).filter(([, v]) => v !== undefined)) } as Probe & typeof PROBE_DEFAULTS;
  const initialValue: ProbeResult = probeType === 'readiness' ? 'failure' : probeType === 'liveness' ? 'success' : 'unknown';

  let containerId = '';
  let lastResult: ProbeResult = 'unknown';
  let resultRun = 0;
  let onHold = false;

  const findStatus = (status: PodStatus): ApiContainerStatus | undefined => {
    const app = (status.containerStatuses ?? []) as ApiContainerStatus[];
    const found = app.find((c) => c.name === container.name);
    if (found?.containerID) return found;
    return ((status.initContainerStatuses ?? []) as ApiContainerStatus[]).find((c) => c.name === container.name);
  };

  return {
    periodMs: spec.periodSeconds * 1000,
    async doProbe(pod: Pod, status: PodStatus | undefined): Promise<boolean> {
      if (!status) return true;
      if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;
      const c = findStatus(status);
      if (!c?.containerID) return true;
      const id = c.containerID.startsWith(CONTAINER_ID_SCHEME) ? c.containerID.slice(CONTAINER_ID_SCHEME.length) : c.containerID;
      if (id !== containerId) {
        if (containerId) results.remove(containerId);
        containerId = id;
        results.set(containerId, initialValue);
        onHold = false;
      }
      if (onHold) return true;
      if (!c.state?.running) {
        results.set(containerId, 'failure');
        return !c.state?.terminated || (pod.spec.restartPolicy ?? 'Always') !== 'Never';
      }
      if (pod.metadata.deletionTimestamp && (probeType === 'liveness' || probeType === 'startup')) {
        results.set(containerId, 'success');
        return false;
      }
      const startedAt = parseTime(c.state.running.startedAt) ?? now();
      if (Math.trunc((now() - startedAt) / 1000) < spec.initialDelaySeconds) return true;
      if (c.started) {
        if (probeType === 'startup') return true;
      } else if (probeType !== 'startup') {
        return true;
      }
      let result: ProbeResult;
      try {
        result = await runProbe(probeType, probe, containerId);
      } catch {
        return true;
      }
      if (result === lastResult) resultRun++;
      else {
        lastResult = result;
        resultRun = 1;
      }
      if ((result === 'failure' && resultRun < spec.failureThreshold) || (result === 'success' && resultRun < spec.successThreshold)) return true;
      results.set(containerId, result);
      if ((probeType === 'liveness' || probeType === 'startup') && result === 'failure') {
        onHold = true;
        resultRun = 0;
      }
      return true;
    },
  };
}
