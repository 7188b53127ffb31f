/**
 * The pod lifecycle event generator (upstream pkg/kubelet/pleg/generic.go): every relist period it
 * lists the runtime's containers and compares each one's state with the previous list; a container
 * that appeared, changed state or disappeared wakes its pod's worker (by pod uid). The sync loop
 * stays level-triggered: an event only says "look again", the worker reads the whole pod anew.
 *
 * Invariants: one relist at a time (a slow runtime never piles relists up); a failed relist is
 * retried at the next period and changes nothing; stop() ends the timer.
 */
import type { RuntimeService } from '../cri/api.ts';
import { LABEL_POD_UID } from '../cri/pod/configs.ts';

export class PodLifecycleEventGenerator {
  private last = new Map<string, { state: string; uid: string }>();
  private timer?: NodeJS.Timeout;
  private running = false;
  /** Relists done so far (tests, the benchmark). */
  relists = 0;

  constructor(
    private readonly runtime: RuntimeService,
    private readonly periodMs: number,
    private readonly onPodChanged: (uid: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.relist(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One relist: wakes the pods whose containers changed since the last. */
  async relist(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { containers } = await this.runtime.listContainers({});
      const next = new Map<string, { state: string; uid: string }>();
      const changed = new Set<string>();
      for (const c of containers) {
        const uid = c.labels[LABEL_POD_UID];
        if (!uid) continue;
        next.set(c.id, { state: c.state, uid });
        if (this.last.get(c.id)?.state !== c.state) changed.add(uid);
      }
      for (const [id, old] of this.last) if (!next.has(id)) changed.add(old.uid);
      this.last = next;
      this.relists++;
      for (const uid of changed) this.onPodChanged(uid);
    } catch {
      // The runtime did not answer: the next period tries again.
    } finally {
      this.running = false;
    }
  }
}
