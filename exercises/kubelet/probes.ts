/**
 * Exercise 05-kubelet/04-probes (placeholder: the full stub follows).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { ProbeWorker, ProbeWorkerOptions } from '#engine/kubelet/exercises.ts';

const PAGE = 'lessons/core/05-kubelet/04-probes.md';
const todo = (what: string) => new NotImplemented('05-kubelet/04-probes', PAGE, what);

export function newProbeWorker(options: ProbeWorkerOptions): ProbeWorker {
  void options;
  throw todo('newProbeWorker()');
}
