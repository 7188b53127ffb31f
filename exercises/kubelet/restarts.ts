/**
 * Exercise 05-kubelet/03-restarts (placeholder: the full stub follows).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { BackOffDecision, Backoff, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Container, Pod } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/03-restarts.md';
const todo = (what: string) => new NotImplemented('05-kubelet/03-restarts', PAGE, what);

export function shouldContainerBeRestarted(container: Container, pod: Pod, runtime: RuntimePodStatus): boolean {
  void [container, pod, runtime];
  throw todo('shouldContainerBeRestarted()');
}

export function newBackoff(initialMs: number, maxMs: number, now: () => number): Backoff {
  void [initialMs, maxMs, now];
  throw todo('newBackoff()');
}

export function doBackOff(pod: Pod, container: Container, runtime: RuntimePodStatus, backoff: Backoff): BackOffDecision {
  void [pod, container, runtime, backoff];
  throw todo('doBackOff()');
}
