/**
 * Exercise 05-kubelet/05-node-status (placeholder: the full stub follows).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { NodeObservations, NodeReservations, PodAdmitResult } from '#engine/kubelet/exercises.ts';
import type { Condition, Node, Pod, ResourceList } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/05-node-status.md';
const todo = (what: string) => new NotImplemented('05-kubelet/05-node-status', PAGE, what);

export function nodeConditions(previous: readonly Condition[] | undefined, observed: NodeObservations, now: number): Condition[] {
  void [previous, observed, now];
  throw todo('nodeConditions()');
}

export function nodeAllocatable(capacity: ResourceList, reservations: NodeReservations): ResourceList {
  void [capacity, reservations];
  throw todo('nodeAllocatable()');
}

export function admitPod(pod: Pod, node: Node, otherPods: readonly Pod[]): PodAdmitResult {
  void [pod, node, otherPods];
  throw todo('admitPod()');
}
