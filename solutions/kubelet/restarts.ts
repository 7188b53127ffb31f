/**
 * Exercise 05-kubelet/03-restarts (reference): CrashLoopBackOff.
 *
 * Upstream: client-go util/flowcontrol/backoff.go (Backoff, without jitter),
 * pkg/kubelet/kuberuntime/kuberuntime_container.go doBackOff and getStableKey,
 * pkg/kubelet/util/format Pod.
 */
import type { BackOffDecision, Backoff, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Container, Pod } from '#engine/kube/types.ts';

interface BackoffEntry {
  delayMs: number;
  lastUpdate: number;
}

export function newBackoff(initialMs: number, maxMs: number, now: () => number): Backoff {
  const entries = new Map<string, BackoffEntry>();
  const expired = (eventTime: number, lastUpdate: number) => eventTime - lastUpdate > 2 * maxMs;
  return {
    get: (key) => entries.get(key)?.delayMs ?? 0,
    next(key, eventTime) {
      const entry = entries.get(key);
      const delayMs = !entry || expired(eventTime, entry.lastUpdate) ? initialMs : Math.min(entry.delayMs * 2, maxMs);
      entries.set(key, { delayMs, lastUpdate: now() });
    },
    isInBackOffSince(key, eventTime) {
      const entry = entries.get(key);
      if (!entry || expired(eventTime, entry.lastUpdate)) return false;
      return now() - eventTime < entry.delayMs;
    },
    reset: (key) => void entries.delete(key),
    gc() {
      const at = now();
      for (const [key, entry] of entries) if (expired(at, entry.lastUpdate)) entries.delete(key);
    },
  };
}

/** Go's time.Duration String() for whole seconds: 10s, 1m20s, 5m0s, 1h0m0s. */
export function goDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** getStableKey: one back-off per pod instance and container definition. */
export function backoffKey(pod: Pod, container: Container): string {
  return [pod.metadata.name, pod.metadata.namespace, pod.metadata.uid, container.name, container.image].join('_');
}

export function doBackOff(pod: Pod, container: Container, runtime: RuntimePodStatus, backoff: Backoff): BackOffDecision {
  const exited = runtime.containers.find((c) => c.name === container.name && c.state === 'exited');
  if (!exited) return { inBackOff: false };
  const since = exited.finishedAt ?? exited.createdAt;
  const key = backoffKey(pod, container);
  if (backoff.isInBackOffSince(key, since)) {
    const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    return {
      inBackOff: true,
      reason: 'CrashLoopBackOff',
      message: `back-off ${goDuration(backoff.get(key))} restarting failed container=${container.name} pod=${podName}`,
    };
  }
  backoff.next(key, since);
  return { inBackOff: false };
}
