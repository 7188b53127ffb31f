/**
 * Workers over a workqueue (the learner's, from exercise 01): the loop of sample-controller's
 * runWorker/processNextWorkItem, as the thin timer-owning shell around the queue's logic.
 *
 *   const workers = new QueueWorkers(queue, (key) => syncReplicaSet(key, ctx), { name: 'replicaset', workers: 5 });
 *   informer.on('add', (o) => workers.enqueue(objectKeyOf(o)));
 *   workers.start();  ...  await workers.stop();
 *
 * For each key: sync(key); on success forget(key) (its backoff starts over) and, if the sync asked,
 * addAfter(key, requeueAfterMs); on failure addRateLimited(key), unless it has already been retried
 * maxRetries times (then forget it and log); done(key) in every case. Up to `workers` syncs run at
 * once, never two for the same key (the queue guarantees it). Delayed keys are picked up by a timer
 * set for the queue's nextReadyAt(). A queue method that throws (a stub not written yet) is logged
 * and the workers back off for a second instead of spinning.
 */
import { systemClock, type Clock } from '../etcd/clock.ts';
import { silentLogger, type Logger } from '../cluster/logger.ts';
import type { SyncResult, WorkQueue } from './exercises.ts';

export interface WorkerOptions {
  /** For the log: `replicaset`, `deployment`. */
  name: string;
  workers: number;
  clock?: Clock;
  logger?: Logger;
  /** Drop a key after this many failed retries (upstream: the deployment controller's 15); unset = retry for ever. */
  maxRetries?: number;
}

export class QueueWorkers {
  private running = false;
  private waiters: (() => void)[] = [];
  private loops: Promise<void>[] = [];
  private cancelTimer?: () => void;
  private timerAt?: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Syncs run so far, and of those failed (for tests and the benchmark). */
  syncs = 0;
  failures = 0;

  constructor(
    readonly queue: WorkQueue,
    private readonly sync: (key: string) => Promise<SyncResult | void>,
    private readonly options: WorkerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
  }

  enqueue(key: string): void {
    this.guard('add', () => this.queue.add(key));
    this.wakeOne();
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.guard('addAfter', () => this.queue.addAfter(key, delayMs));
    this.armTimer();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.options.workers; i++) this.loops.push(this.loop());
  }

  /** Shuts the queue down, lets the syncs under way finish, and resolves when every worker has stopped. */
  async stop(): Promise<void> {
    this.running = false;
    this.guard('shutDown', () => this.queue.shutDown());
    this.cancelTimer?.();
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private guard<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.log.error(`workqueue ${what}() failed`, { controller: this.options.name, error: (error as Error)?.message ?? String(error) });
      return undefined;
    }
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  private armTimer(): void {
    const at = this.guard('nextReadyAt', () => this.queue.nextReadyAt());
    if (at === undefined || !this.running) return;
    if (this.timerAt !== undefined && this.timerAt <= at) return;
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.timerAt = undefined;
      this.cancelTimer = undefined;
      // The woken workers' get() moves the due keys in; an idle one re-arms for the next.
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let key: string | undefined;
      try {
        key = this.queue.get();
      } catch (error) {
        this.log.error('workqueue get() failed', { controller: this.options.name, error: (error as Error)?.message ?? String(error) });
        // Back off for a second; stop() (or an enqueue) ends the wait early.
        await new Promise<void>((resolve) => {
          const cancel = this.clock.setTimer(1_000, resolve);
          this.waiters.push(() => {
            cancel();
            resolve();
          });
        });
        continue;
      }
      if (key === undefined) {
        this.armTimer();
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      await this.process(key);
      // Let informer events in between syncs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async process(key: string): Promise<void> {
    this.syncs++;
    try {
      const result = await this.sync(key);
      this.guard('forget', () => this.queue.forget(key));
      if (result?.requeueAfterMs !== undefined) this.enqueueAfter(key, result.requeueAfterMs);
    } catch (error) {
      this.failures++;
      const retries = this.guard('numRequeues', () => this.queue.numRequeues(key)) ?? 0;
      const message = (error as Error)?.message ?? String(error);
      if (this.options.maxRetries !== undefined && retries >= this.options.maxRetries) {
        this.log.warn(`dropping ${key} out of the queue`, { controller: this.options.name, error: message });
        this.guard('forget', () => this.queue.forget(key));
      } else {
        if (this.running) this.log.info(`error syncing ${key}, requeuing`, { controller: this.options.name, error: message });
        this.guard('addRateLimited', () => this.queue.addRateLimited(key));
        this.armTimer();
      }
    } finally {
      this.guard('done', () => this.queue.done(key));
      // A key added while it was processing is queued again now: someone must pick it up.
      this.wakeOne();
    }
  }
}
