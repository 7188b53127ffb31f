/**
 * The probe manager (upstream pkg/kubelet/prober/prober_manager.go): one probe worker per pod,
 * container and probe type (the learner's ProbeWorker, built through loadComponent('kubelet')),
 * each called every periodMs on its own timer; three result stores (liveness, readiness,
 * startup) by container id. A result that changes wakes the pod's worker, so a failed liveness
 * probe restarts the container and a readiness change reaches the pod's Ready condition at once.
 *
 * Workers are added when a pod is synced and removed with the pod; a worker that resolves false
 * is dropped. The probes themselves run here (./probe-exec.ts) against the pod's IP, with the
 * runtime's real port for a container port the runtime remapped.
 */
import type { RuntimeService } from '../cri/api.ts';
import type { Pod, PodStatus } from '../kube/types.ts';
import { runProbe } from './probe-exec.ts';
import type { KubeletContainer, KubeletExercises, ProbeResult, ProbeResults, ProbeType, ProbeWorker } from './exercises.ts';

/** prober/results.Manager: results by container id, with a callback when one changes. */
export class ProbeResultStore implements ProbeResults {
  private readonly results = new Map<string, ProbeResult>();
  constructor(private readonly onChange: (containerId: string) => void) {}
  get(containerId: string): ProbeResult | undefined {
    return this.results.get(containerId);
  }
  set(containerId: string, result: ProbeResult): void {
    const before = this.results.get(containerId);
    this.results.set(containerId, result);
    if (before !== result) this.onChange(containerId);
  }
  remove(containerId: string): void {
    this.results.delete(containerId);
  }
}

interface RunningWorker {
  worker: ProbeWorker;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export interface ProbeTarget {
  /** The pod's IP now ('' before its sandbox has one). */
  podIP(uid: string): string;
  /** The pod as the kubelet knows it now, and its latest status (undefined when gone). */
  pod(uid: string): { pod: Pod; status: PodStatus | undefined } | undefined;
}

export class ProbeManager {
  readonly liveness: ProbeResultStore;
  readonly readiness: ProbeResultStore;
  readonly startup: ProbeResultStore;
  private readonly workers = new Map<string, RunningWorker>();
  /** container id → pod uid, for waking the right pod worker. */
  private readonly owners = new Map<string, string>();
  /** container id → where the runtime really listens for a container port (its low-port remap). */
  private readonly listens = new Map<string, { containerPort: number; port: number }>();

  constructor(
    private readonly logic: KubeletExercises,
    private readonly runtime: RuntimeService,
    private readonly target: ProbeTarget,
    private readonly wakePod: (uid: string) => void,
    private readonly now: () => number,
    /** Records an event on the pod (the kubelet's recorder); a failed probe is a Warning `Unhealthy`. */
    private readonly event: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void = () => {},
  ) {
    const changed = (containerId: string) => {
      const uid = this.owners.get(containerId);
      if (uid) this.wakePod(uid);
    };
    this.liveness = new ProbeResultStore(changed);
    this.readiness = new ProbeResultStore(changed);
    this.startup = new ProbeResultStore(changed);
  }

  private store(type: ProbeType): ProbeResultStore {
    return type === 'liveness' ? this.liveness : type === 'readiness' ? this.readiness : this.startup;
  }

  /** Notes which pod a container id belongs to (so a result change wakes it), and where it really listens. */
  own(containerId: string, uid: string, listen?: { containerPort: number; port: number }): void {
    this.owners.set(containerId, uid);
    if (listen) this.listens.set(containerId, listen);
  }

  private runtimePort(containerId: string, containerPort: number): number {
    const listen = this.listens.get(containerId);
    return listen && listen.containerPort === containerPort ? listen.port : containerPort;
  }

  /** Makes sure every probe of the pod's containers has a worker (AddPod; idempotent). */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    for (const container of pod.spec.containers as KubeletContainer[]) {
      const probes: [ProbeType, unknown][] = [
        ['liveness', container.livenessProbe],
        ['readiness', container.readinessProbe],
        ['startup', container.startupProbe],
      ];
      for (const [type, probe] of probes) {
        if (!probe) continue;
        const key = `${uid}/${container.name}/${type}`;
        if (this.workers.has(key)) continue;
        const worker = this.logic.newProbeWorker({
          probeType: type,
          pod,
          container,
          results: this.store(type),
          now: this.now,
          runProbe: async (_type, spec, containerId) => {
            const outcome = await runProbe({ probe: spec, container, podIP: this.target.podIP(uid), containerId, runtime: this.runtime, runtimePort: (p) => this.runtimePort(containerId, p) });
            // As prober.go's runProbeWithRetries records them: "Liveness probe failed: <output>".
            const kind = `${type[0]!.toUpperCase()}${type.slice(1)}`;
            if (outcome.result === 'Failure' && !outcome.notRunning) this.event(pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${outcome.output.trimEnd()}`);
            if (outcome.result === 'Unknown') {
              this.event(pod, 'Warning', 'Unhealthy', `${kind} probe errored and resulted in unknown state: ${outcome.output.trimEnd()}`);
              throw new Error(outcome.output);
            }
            return outcome.result === 'Failure' ? 'failure' : 'success';
          },
        });
        const running: RunningWorker = { worker, stopped: false };
        this.workers.set(key, running);
        this.schedule(key, running, uid);
      }
    }
  }

  private schedule(key: string, running: RunningWorker, uid: string): void {
    const tick = async () => {
      if (running.stopped) return;
      const current = this.target.pod(uid);
      let again = false;
      if (current) {
        try {
          again = await running.worker.doProbe(current.pod, current.status);
        } catch {
          again = true;
        }
      }
      if (!again || running.stopped) {
        running.stopped = true;
        if (this.workers.get(key) === running) this.workers.delete(key);
        return;
      }
      running.timer = setTimeout(() => void tick(), running.worker.periodMs);
      running.timer.unref();
    };
    // Upstream starts each worker after a random part of its period, so that probes spread out.
    running.timer = setTimeout(() => void tick(), Math.floor(Math.random() * Math.min(running.worker.periodMs, 1000)));
    running.timer.unref();
  }

  /** Stops the pod's workers (RemovePod) and forgets its containers' results. */
  removePod(uid: string, containerIds: readonly string[]): void {
    for (const [key, running] of this.workers) {
      if (!key.startsWith(`${uid}/`)) continue;
      running.stopped = true;
      if (running.timer) clearTimeout(running.timer);
      this.workers.delete(key);
    }
    for (const id of containerIds) {
      this.liveness.remove(id);
      this.readiness.remove(id);
      this.startup.remove(id);
      this.owners.delete(id);
      this.listens.delete(id);
    }
  }

  stop(): void {
    for (const running of this.workers.values()) {
      running.stopped = true;
      if (running.timer) clearTimeout(running.timer);
    }
    this.workers.clear();
  }
}
