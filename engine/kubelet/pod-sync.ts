/**
 * One sync of one pod (upstream kubelet.go SyncPod / SyncTerminatingPod and kuberuntime_manager.go
 * SyncPod): read the desired pod and what the runtime holds, ask the learner's logic what to do,
 * do it through the CRI, then compute the status and hand it to the status manager. Level-triggered:
 * nothing is remembered between syncs but what upstream remembers too (the reasons containers
 * could not start, the back-offs, the probe results).
 *
 * Three paths, by the pod's state:
 * - running: computePodActions → kill what must go (killPod, containersToKill), create a sandbox,
 *   start init containers then app containers, each after doBackOff (CrashLoopBackOff) and the
 *   image check (ErrImagePull/ImagePullBackOff); then generateAPIPodStatus;
 * - terminating (deletionTimestamp, or phase Succeeded/Failed): every container stopped with its
 *   grace (preStop first, then the stop signal, SIGKILL after stopTimeout), the sandbox stopped,
 *   the final status written; a deleted pod's deletion is then finished (DELETE, grace 0, uid);
 * - gone from the API: whatever the runtime still holds for it is stopped and removed.
 * A rejected pod (admission) gets phase Failed with the reason and message, and nothing runs.
 */
import { rmSync } from 'node:fs';
import { KUBELET_WAKE_MIN_MS } from '../params.ts';
import type { ImageService, RuntimeService } from '../cri/api.ts';
import { podLogDirectory, podSandboxConfig } from '../cri/pod/configs.ts';
import type { KubeClient } from '../client/client.ts';
import type { Container, Node, Pod, PodStatus, Service } from '../kube/types.ts';
import type { ClusterDns } from './pod-dns.ts';
import type { EventRecorder } from '../scheduler/component.ts';
import { startContainer } from './container-start.ts';
import type { Backoff, KillReason, KubeletContainer, KubeletExercises, PodAdmitResult } from './exercises.ts';
import { runPreStopHook } from './lifecycle-hooks.ts';
import type { ProbeManager } from './probe-manager.ts';
import { readRuntimePod, type RuntimeContainer, type RuntimePod } from './runtime-view.ts';
import type { StatusManager } from './status-manager.ts';
import type { SyncOutcome } from './pod-workers.ts';
import type { ImagePullBackoff } from './image-backoff.ts';

export interface PodSyncDeps {
  logic: KubeletExercises;
  runtime: RuntimeService & ImageService;
  client: KubeClient;
  status: StatusManager;
  probes: ProbeManager;
  events: EventRecorder;
  backoff: Backoff;
  imageBackoff: ImagePullBackoff;
  logRoot: string;
  hostIP: string;
  now: () => number;
  node: () => Node | undefined;
  /** The Services the kubelet's informer holds (service environment variables). */
  services?: () => readonly Service[];
  /** Cluster DNS for ClusterFirst pods. */
  clusterDns?: ClusterDns;
  /** A pod waiting out a back-off is looked at again after this long. */
  backoffRecheckMs: number;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** The newest instance of each container name (the runtime lists newest first). */
function currentByName(runtime: RuntimePod): Map<string, RuntimeContainer> {
  const out = new Map<string, RuntimeContainer>();
  for (const c of runtime.containers) if (!out.has(c.name)) out.set(c.name, c);
  return out;
}

function specContainer(pod: Pod, name: string): KubeletContainer | undefined {
  return ([...(pod.spec.initContainers ?? []), ...pod.spec.containers] as KubeletContainer[]).find((c) => c.name === name);
}

export class PodSyncer {
  /** The kubelet's reasonCache: why containers could not start, by pod uid then container name. */
  private readonly waiting = new Map<string, Map<string, { reason: string; message: string }>>();
  /** The last pod seen for each uid (to stop a pod removed from the API with its own spec). */
  private readonly lastSeen = new Map<string, Pod>();

  constructor(private readonly d: PodSyncDeps) {}

  private reasons(uid: string): Map<string, { reason: string; message: string }> {
    let found = this.waiting.get(uid);
    if (!found) this.waiting.set(uid, (found = new Map()));
    return found;
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.d.events.record(pod, type, reason, message, reason);
  }

  /** One sync. `pod` is the pod as the API has it now (undefined: gone); `rejection` its admission verdict when refused. */
  async sync(uid: string, pod: Pod | undefined, rejection?: PodAdmitResult): Promise<SyncOutcome> {
    if (pod) this.lastSeen.set(uid, pod);
    const known = pod ?? this.lastSeen.get(uid);
    const runtime = await readRuntimePod(this.d.runtime, uid, known ? { name: known.metadata.name ?? '', namespace: known.metadata.namespace ?? '' } : undefined);
    if (!pod) return this.cleanUp(uid, known, runtime);
    if (rejection && !rejection.admit) return this.reject(pod, rejection);
    if (pod.metadata.deletionTimestamp || TERMINAL.has(pod.status?.phase ?? '')) return this.terminate(pod, runtime);
    return this.syncRunning(pod, runtime);
  }

  private async reject(pod: Pod, verdict: PodAdmitResult): Promise<SyncOutcome> {
    if (pod.status?.phase === 'Failed') return pod.metadata.deletionTimestamp ? this.terminate(pod, await readRuntimePod(this.d.runtime, pod.metadata.uid ?? '')) : {};
    const status: PodStatus = { ...(pod.status ?? {}), phase: 'Failed', reason: verdict.reason ?? 'UnexpectedAdmissionError', message: `Pod was rejected: ${verdict.message ?? ''}` };
    this.event(pod, 'Warning', verdict.reason ?? 'UnexpectedAdmissionError', verdict.message ?? '');
    await this.d.status.setStatus(pod, status);
    return {};
  }

  private statusOf(pod: Pod, runtime: RuntimePod, podIsTerminal: boolean): PodStatus {
    return this.d.logic.generateAPIPodStatus({
      pod,
      runtime,
      startup: this.d.probes.startup,
      readiness: this.d.probes.readiness,
      waitingReasons: this.reasons(pod.metadata.uid ?? ''),
      podIsTerminal,
      hostIP: this.d.hostIP,
      now: this.d.now(),
    });
  }

  /** Stops one container: preStop hook, then StopContainer with the timeout the logic computes. */
  private async killContainer(pod: Pod, runtime: RuntimePod, c: RuntimeContainer, reason: KillReason, message: string, gracePeriodOverride?: number): Promise<void> {
    const spec = specContainer(pod, c.name);
    const grace = spec ? this.d.logic.terminationGracePeriod(pod, spec, reason) : (pod.spec.terminationGracePeriodSeconds ?? 30);
    this.event(pod, 'Normal', 'Killing', message);
    let preStopSeconds: number | undefined;
    const hook = spec?.lifecycle?.preStop;
    if (hook && spec && c.state === 'running') {
      preStopSeconds = await runPreStopHook({
        hook,
        container: spec,
        containerId: c.id,
        podIP: runtime.sandboxes[0]?.ip ?? '',
        runtime: this.d.runtime,
        gracePeriodSeconds: gracePeriodOverride ?? grace,
        onFailure: (m) => this.event(pod, 'Warning', 'FailedPreStopHook', m),
      });
    }
    const timeout = this.d.logic.stopTimeout(grace, preStopSeconds, gracePeriodOverride);
    await this.d.runtime.stopContainer({ containerId: c.id, timeout });
  }

  private async syncRunning(pod: Pod, runtime: RuntimePod): Promise<SyncOutcome> {
    const uid = pod.metadata.uid ?? '';
    const d = this.d;
    const actions = d.logic.computePodActions(pod, runtime, d.probes.liveness, d.probes.startup);
    const reasons = this.reasons(uid);
    if (actions.killPod) {
      const running = runtime.containers.filter((c) => c.state === 'running' || c.state === 'created');
      await Promise.all(running.map((c) => this.killContainer(pod, runtime, c, 'Unknown', `Stopping container ${c.name}`)));
      for (const s of runtime.sandboxes) if (s.state === 'ready') await d.runtime.stopPodSandbox({ podSandboxId: s.id });
    } else {
      await Promise.all(
        actions.containersToKill.map((k) => {
          const c = runtime.containers.find((r) => r.id === k.id);
          return c ? this.killContainer(pod, runtime, c, k.reason, k.message) : undefined;
        }),
      );
    }
    let sandboxId = actions.sandboxId;
    const sandboxConfig = podSandboxConfig(pod, { logRoot: d.logRoot, attempt: actions.attempt });
    if (actions.createSandbox) {
      try {
        ({ podSandboxId: sandboxId } = await d.runtime.runPodSandbox({ config: sandboxConfig }));
      } catch (error) {
        this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(error as Error).message}`);
        throw error;
      }
    }
    const sandbox = sandboxId ? await d.runtime.podSandboxStatus({ podSandboxId: sandboxId }) : undefined;
    const podIP = sandbox?.status.network?.ip ?? '';
    let inBackOff = false;
    /** When the soonest CrashLoopBackOff seen in this sync ends (ms from now); the worker wakes then, not by polling. */
    let backOffEndsInMs: number | undefined;
    if (sandboxId) {
      // After a kill, the runtime's view is re-read so that restart counts and back-offs see the exits.
      const now = actions.killPod || actions.containersToKill.length > 0 ? await readRuntimePod(d.runtime, uid) : runtime;
      const current = currentByName(now);
      const start = async (name: string): Promise<boolean> => {
        const container = specContainer(pod, name);
        if (!container) return false;
        const previous = current.get(name);
        if (previous && previous.state === 'exited') {
          const watched = watchBackoff(d.backoff);
          const decision = d.logic.doBackOff(pod, container, now, watched.backoff);
          if (decision.inBackOff) {
            const ends = watched.endsInMs(d.now());
            if (ends !== undefined) backOffEndsInMs = Math.min(backOffEndsInMs ?? ends, ends);
            else inBackOff = true;
            reasons.set(name, { reason: decision.reason ?? 'CrashLoopBackOff', message: decision.message ?? '' });
            this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`);
            return false;
          }
        }
        const restartCount = previous ? previous.restartCount + 1 : 0;
        const failure = await startContainer(
          {
            runtime: d.runtime,
            client: d.client,
            imageBackoff: d.imageBackoff,
            now: d.now,
            podIP,
            hostIP: d.hostIP,
            ...(d.node()?.status?.allocatable ? { nodeAllocatable: d.node()!.status!.allocatable as Record<string, string> } : {}),
            ...(d.services ? { services: d.services } : {}),
            ...(d.clusterDns ? { clusterDns: d.clusterDns } : {}),
            event: (t, r, m) => this.event(pod, t, r, m),
          },
          pod,
          container as Container,
          { sandboxId, sandboxConfig: { ...sandboxConfig, metadata: { ...sandboxConfig.metadata, attempt: sandbox?.status.metadata.attempt ?? actions.attempt } }, restartCount },
        );
        if (failure) {
          reasons.set(name, { reason: failure.reason, message: failure.message });
          // A failed pull is looked at again soon, so that the status moves on to ImagePullBackOff;
          // during the back-off, the worker sleeps until it ends (the pull is retried then, not before).
          if (failure.reason === 'ErrImagePull') inBackOff = true;
          if (failure.retryInMs !== undefined) backOffEndsInMs = Math.min(backOffEndsInMs ?? failure.retryInMs, failure.retryInMs);
          return false;
        }
        reasons.delete(name);
        return true;
      };
      let initOk = true;
      for (const name of actions.initContainersToStart) if (!(await start(name))) initOk = false;
      if (initOk) for (const name of actions.containersToStart) await start(name);
    }
    const after = await readRuntimePod(d.runtime, uid);
    for (const c of after.containers) d.probes.own(c.id, uid, c.listen);
    d.probes.addPod(pod);
    const status = this.statusOf(pod, after, false);
    await d.status.setStatus(pod, status);
    // A pod that just finished (restartPolicy Never/OnFailure) is terminated by the next sync.
    if (TERMINAL.has(status.phase ?? '')) return { wakeInMs: 0 };
    const wakes = [...(inBackOff ? [d.backoffRecheckMs] : []), ...(backOffEndsInMs !== undefined ? [Math.max(KUBELET_WAKE_MIN_MS, backOffEndsInMs)] : [])];
    return wakes.length ? { wakeInMs: Math.min(...wakes) } : {};
  }

  /** Stops everything of a pod being deleted (or finished), writes its final status, finishes a deletion. */
  private async terminate(pod: Pod, runtime: RuntimePod): Promise<SyncOutcome> {
    const uid = pod.metadata.uid ?? '';
    const override = pod.metadata.deletionTimestamp ? (pod.metadata.deletionGracePeriodSeconds ?? undefined) : undefined;
    const live = runtime.containers.filter((c) => c.state === 'running' || c.state === 'created');
    await Promise.all(live.map((c) => this.killContainer(pod, runtime, c, 'Unknown', `Stopping container ${c.name}`, override)));
    const after = live.length > 0 ? await readRuntimePod(this.d.runtime, uid) : runtime;
    const stored = await this.d.status.setStatus(pod, this.statusOf(pod, after, true));
    if (!pod.metadata.deletionTimestamp) {
      // Finished (Succeeded/Failed): its sandbox goes, its record stays until deleted.
      for (const s of after.sandboxes) if (s.state === 'ready') await this.d.runtime.stopPodSandbox({ podSandboxId: s.id });
      return {};
    }
    for (const s of after.sandboxes) await this.d.runtime.removePodSandbox({ podSandboxId: s.id });
    this.d.probes.removePod(
      uid,
      after.containers.map((c) => c.id),
    );
    if (stored) await this.d.status.finishDeletion(stored);
    return {};
  }

  /** The pod is gone from the API: stop and remove whatever the runtime holds for it. */
  private async cleanUp(uid: string, known: Pod | undefined, runtime: RuntimePod): Promise<SyncOutcome> {
    for (const c of runtime.containers.filter((r) => r.state === 'running' || r.state === 'created')) {
      if (known) await this.killContainer(known, runtime, c, 'Unknown', `Stopping container ${c.name}`, known.metadata.deletionGracePeriodSeconds ?? 0);
      else await this.d.runtime.stopContainer({ containerId: c.id, timeout: 0 });
    }
    for (const s of runtime.sandboxes) await this.d.runtime.removePodSandbox({ podSandboxId: s.id });
    this.d.probes.removePod(
      uid,
      runtime.containers.map((c) => c.id),
    );
    if (known) rmSync(podLogDirectory(this.d.logRoot, known), { recursive: true, force: true });
    this.d.imageBackoff.forgetPod(uid);
    this.waiting.delete(uid);
    this.lastSeen.delete(uid);
    this.d.status.forget(uid);
    return { done: true };
  }
}

/**
 * The Backoff handed to the learner's doBackOff, noting which key and event time it asked about,
 * so that the worker can wake when that back-off ends (the key is the learner's to choose; the
 * interface does not return it). endsInMs: the asked key's delay minus the time since its event,
 * or undefined when nothing was asked or the answer makes no sense (then the worker polls).
 */
function watchBackoff(inner: Backoff): { backoff: Backoff; endsInMs(now: number): number | undefined } {
  let asked: { key: string; since: number } | undefined;
  const backoff: Backoff = {
    get: (key) => inner.get(key),
    next: (key, eventTime) => inner.next(key, eventTime),
    isInBackOffSince: (key, eventTime) => {
      asked = { key, since: eventTime };
      return inner.isInBackOffSince(key, eventTime);
    },
    reset: (key) => inner.reset(key),
    gc: () => inner.gc(),
  };
  return {
    backoff,
    endsInMs(now) {
      if (!asked) return undefined;
      const left = inner.get(asked.key) - (now - asked.since);
      return Number.isFinite(left) && left > 0 ? left : undefined;
    },
  };
}
