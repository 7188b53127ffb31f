/**
 * Exercise 05-kubelet/02-sync-pod (placeholder: the full stub follows).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { KillReason, KubeletContainer, PodActions, ProbeResults, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Pod } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/02-sync-pod.md';
const todo = (what: string) => new NotImplemented('05-kubelet/02-sync-pod', PAGE, what);

export function computePodActions(pod: Pod, runtime: RuntimePodStatus, liveness: Pick<ProbeResults, 'get'>, startup: Pick<ProbeResults, 'get'>): PodActions {
  void [pod, runtime, liveness, startup];
  throw todo('computePodActions()');
}

export function terminationGracePeriod(pod: Pod, container: KubeletContainer, reason: KillReason): number {
  void [pod, container, reason];
  throw todo('terminationGracePeriod()');
}

export function stopTimeout(gracePeriodSeconds: number, preStopSeconds: number | undefined, gracePeriodOverride?: number): number {
  void [gracePeriodSeconds, preStopSeconds, gracePeriodOverride];
  throw todo('stopTimeout()');
}
