/**
 * Pod workers (upstream pkg/kubelet/pod_workers.go): one serial worker per pod uid that calls the
 * sync function with nothing but the uid: what to do is read anew from the desired pod and the
 * runtime each time (level-triggered). Anything that may matter wakes the worker: a pod update,
 * a container that changed state (the PLEG), a probe result, a backoff that ends; a wake during a
 * sync is remembered and runs one more sync after it (never two at once for one pod).
 *
 * After a sync the worker sleeps until the earliest of: the time the sync asked to be woken at
 * (a backoff's end, a probe due, a grace period's end), the resync period, or, when the sync
 * threw, the error backoff. A sync that says `done` forgets the pod (it was removed).
 *
 * stop() refuses new syncs and waits for the ones under way.
 */
import { KUBELET_SYNC_ERROR_BACKOFF_MS, KUBELET_SYNC_FREQUENCY_MS, KUBELET_WAKE_MIN_MS } from '../params.ts';

export interface SyncOutcome {
  /** Wake again after this long (ms); the resync period if not given. */
  wakeInMs?: number;
  /** The pod is gone from both the API and the runtime: forget it. */
  done?: boolean;
}

interface Worker {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  wakeAt?: number;
}

export interface PodWorkerOptions {
  resyncMs?: number;
  errorBackoffMs?: number;
  onError?: (uid: string, error: Error) => void;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  /** Syncs run so far (tests, the benchmark). */
  syncs = 0;

  constructor(
    private readonly sync: (uid: string) => Promise<SyncOutcome>,
    private readonly options: PodWorkerOptions = {},
  ) {}

  /** The uids with a worker. */
  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** Syncs the pod now (or right after the sync under way). */
  wake(uid: string): void {
    if (this.stopped) return;
    let worker = this.workers.get(uid);
    if (!worker) this.workers.set(uid, (worker = { running: false, dirty: false }));
    if (worker.running) {
      worker.dirty = true;
      return;
    }
    this.clearTimer(worker);
    this.run(uid, worker);
  }

  private clearTimer(worker: Worker): void {
    if (worker.timer) clearTimeout(worker.timer);
    worker.timer = undefined;
    worker.wakeAt = undefined;
  }

  private later(uid: string, worker: Worker, delayMs: number): void {
    const at = Date.now() + delayMs;
    if (worker.timer && worker.wakeAt !== undefined && worker.wakeAt <= at) return;
    this.clearTimer(worker);
    worker.wakeAt = at;
    worker.timer = setTimeout(
      () => {
        worker.timer = undefined;
        worker.wakeAt = undefined;
        this.wake(uid);
      },
      Math.max(KUBELET_WAKE_MIN_MS, delayMs),
    );
    worker.timer.unref();
  }

  private run(uid: string, worker: Worker): void {
    worker.running = true;
    worker.dirty = false;
    const task = (async () => {
      let outcome: SyncOutcome | undefined;
      let failed = false;
      try {
        this.syncs++;
        outcome = await this.sync(uid);
      } catch (error) {
        failed = true;
        this.options.onError?.(uid, error as Error);
      }
      worker.running = false;
      if (this.stopped) return;
      if (outcome?.done && !worker.dirty) {
        this.clearTimer(worker);
        this.workers.delete(uid);
        return;
      }
      if (worker.dirty) return this.run(uid, worker);
      const resync = this.options.resyncMs ?? KUBELET_SYNC_FREQUENCY_MS;
      const delay = failed ? (this.options.errorBackoffMs ?? KUBELET_SYNC_ERROR_BACKOFF_MS) : Math.min(resync, outcome?.wakeInMs ?? resync);
      this.later(uid, worker, delay);
    })();
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Refuses further syncs and waits for those under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const worker of this.workers.values()) this.clearTimer(worker);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
