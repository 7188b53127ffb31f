/**
 * Exercise 05-kubelet/01-pod-status (placeholder: the full stub follows).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { ApiContainerStatus, PodStatusInput } from '#engine/kubelet/exercises.ts';
import type { Pod, PodStatus } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/01-pod-status.md';
const todo = (what: string) => new NotImplemented('05-kubelet/01-pod-status', PAGE, what);

export function getPhase(pod: Pod, statuses: readonly ApiContainerStatus[], podIsTerminal: boolean): NonNullable<PodStatus['phase']> {
  void [pod, statuses, podIsTerminal];
  throw todo('getPhase()');
}

export function containerStatuses(input: PodStatusInput, which: 'init' | 'app'): ApiContainerStatus[] {
  void [input, which];
  throw todo('containerStatuses()');
}

export function generateAPIPodStatus(input: PodStatusInput): PodStatus {
  void input;
  throw todo('generateAPIPodStatus()');
}
