/**
 * The scheduler as a running component: the thin, timer-owning shell around the scheduling cycle.
 * It turns informer events into cache and queue changes, runs scheduleOne in a loop with a bounded
 * number of bindings in flight, flushes the queue on upstream's timers (backoff every 1 s, leftover
 * unschedulable pods every 30 s), and talks to the apiserver through `SchedulerApi` (bindings, pod
 * status, Events, deleting preemption victims).
 *
 * Invariants: only pods with no spec.nodeName and schedulerName default-scheduler (or none) are
 * queued; status-only updates (including our own PodScheduled patches) never requeue a pod; node
 * heartbeats (conditions, times) never touch the cache or wake unschedulable pods.
 */
import { SCHEDULER_FLUSH_BACKOFF_EVERY_MS, SCHEDULER_FLUSH_UNSCHEDULABLE_EVERY_MS, SCHEDULER_MAX_BINDINGS_IN_FLIGHT, SCHEDULER_RETRY_AFTER_ERROR_MS } from '../params.ts';
import { assembleScheduler, type AssembledScheduler } from './context.ts';
import type { SchedulerExercises } from './exercises.ts';
import type { PodInfo } from './framework.ts';
import { podKey } from './nodeinfo.ts';
import type { Node, Pod } from '../kube/types.ts';

export const SCHEDULER_NAME = 'default-scheduler';

/** What the scheduler asks of the apiserver. */
export interface SchedulerApi {
  /** POST pods/<name>/binding. */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** PATCH pods/<name>/status with a strategic merge patch of status. */
  patchPodStatus(pod: Pod, status: Record<string, unknown>): Promise<void>;
  /** Records an Event about a pod (core/v1, source default-scheduler); repeated ones are counted. */
  recordEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** DELETE the pod (a preemption victim). */
  deletePod(pod: Pod): Promise<void>;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface RunnerOptions {
  component: SchedulerExercises;
  api: SchedulerApi;
  percentageOfNodesToScore?: number;
  /** Called with errors that are not a pod's fault (a failed status patch), for the cluster log. */
  log?(message: string): void;
}

function stripStatus(pod: Pod): string {
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = pod.metadata;
  return JSON.stringify({ meta, spec: pod.spec });
}

function nodeShape(node: Node): string {
  return JSON.stringify({
    labels: node.metadata.labels,
    spec: node.spec,
    allocatable: node.status?.allocatable ?? node.status?.capacity,
    images: node.status?.images,
  });
}

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class SchedulerRunner {
  readonly sched: AssembledScheduler;
  private readonly api: SchedulerApi;
  private readonly component: SchedulerExercises;
  private readonly log: (message: string) => void;
  private readonly pending = new Map<string, { pod: Pod; shape: string }>();
  private readonly nodeShapes = new Map<string, string>();
  private inFlight = 0;
  private running = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** Pods bound so far (for tests and the benchmark). */
  bound = 0;

  constructor(options: RunnerOptions) {
    this.api = options.api;
    this.component = options.component;
    this.log = options.log ?? (() => {});
    this.sched = assembleScheduler(options.component, {
      now: () => Date.now(),
      random: (n) => Math.floor(Math.random() * n),
      percentageOfNodesToScore: options.percentageOfNodesToScore,
      bind: (pod, nodeName) => this.bindPod(pod, nodeName),
      reportFailure: (pod, reason, message, nominatedNodeName) => this.reportFailure(pod, reason, message, nominatedNodeName),
      reportScheduled: (pod, nodeName) => {
        this.bound++;
        this.api.recordEvent(pod.pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.key} to ${nodeName}`);
      },
      evict: (victims, preemptor, nodeName) => {
        for (const victim of victims) {
          this.api.recordEvent(victim.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.pod.metadata.uid ?? preemptor.key} on node ${nodeName}`);
          this.api.deletePod(victim.pod).catch((error: Error) => this.log(`deleting preemption victim ${victim.key}: ${error.message}`));
        }
      },
    });
  }

  // ── informer events ──

  onNode(type: WatchEventType, node: Node): void {
    const name = node.metadata.name ?? '';
    if (type === 'DELETED') {
      this.nodeShapes.delete(name);
      this.sched.cache.removeNode(name);
      return;
    }
    const shape = nodeShape(node);
    const before = this.nodeShapes.get(name);
    if (before === shape) return; // a heartbeat: nothing the scheduler reads has changed
    this.nodeShapes.set(name, shape);
    if (before === undefined) {
      this.sched.cache.addNode(node);
      this.sched.queue.moveAllToActiveOrBackoff('NodeAdd');
    } else {
      this.sched.cache.updateNode(node);
      this.sched.queue.moveAllToActiveOrBackoff('NodeUpdate');
    }
    this.kick();
  }

  onPod(type: WatchEventType, pod: Pod): void {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      if (this.pending.delete(key)) this.sched.queue.delete(key);
      if (type === 'DELETED' || isTerminal(pod)) {
        if (this.sched.cache.isPlaced(key)) {
          this.sched.cache.removePod(key);
          this.sched.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
          this.kick();
        }
        return;
      }
      // A status change of a pod already counted (the kubelet reporting Running) changes nothing
      // the scheduler reads: pod specs are immutable once bound (in-place resize is left out).
      if (this.sched.cache.isPlaced(key) && !this.sched.cache.isAssumed(key)) return;
      this.sched.cache.addPod(this.sched.podInfo(pod));
      return;
    }
    if ((pod.spec?.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME) return;
    if (type === 'DELETED' || pod.metadata.deletionTimestamp) {
      this.pending.delete(key);
      this.sched.queue.delete(key);
      this.sched.cache.removePod(key);
      return;
    }
    const shape = stripStatus(pod);
    const before = this.pending.get(key);
    this.pending.set(key, { pod, shape });
    if (before?.shape === shape) return; // a status change, most likely our own PodScheduled patch
    let info: PodInfo;
    try {
      info = this.sched.podInfo(pod);
    } catch (error) {
      this.log(`pod ${key} cannot be scheduled: ${(error as Error).message}`);
      return;
    }
    if (pod.status?.nominatedNodeName) this.sched.cache.setNominated(info, pod.status.nominatedNodeName);
    if (before) this.sched.queue.update(info);
    else this.sched.queue.add(info);
    this.kick();
  }

  // ── the loop ──

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timers.push(
      setInterval(() => {
        this.sched.queue.flushBackoffCompleted();
        this.kick();
      }, SCHEDULER_FLUSH_BACKOFF_EVERY_MS),
    );
    this.timers.push(
      setInterval(() => {
        this.sched.queue.flushUnschedulableLeftover();
        this.kick();
      }, SCHEDULER_FLUSH_UNSCHEDULABLE_EVERY_MS),
    );
    for (const t of this.timers) t.unref();
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.kick();
    await this.loopDone;
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.sched.queue.lengths().active === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      if (this.inFlight >= SCHEDULER_MAX_BINDINGS_IN_FLIGHT) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      let outcome;
      try {
        outcome = this.component.scheduleOne(this.sched.ctx);
      } catch (error) {
        this.log(`scheduleOne failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, SCHEDULER_RETRY_AFTER_ERROR_MS));
        continue;
      }
      if (outcome?.binding) {
        this.inFlight++;
        outcome.binding.finally(() => {
          this.inFlight--;
          this.kick();
        });
      }
      // Let informer events and binding replies in between cycles, as upstream's goroutines would.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async bindPod(pod: PodInfo, nodeName: string): Promise<void> {
    await this.api.bind(pod.pod, nodeName);
  }

  private reportFailure(pod: PodInfo, reason: string, message: string, nominatedNodeName?: string): void {
    this.api.recordEvent(pod.pod, 'Warning', 'FailedScheduling', message);
    const current = this.pending.get(pod.key)?.pod ?? pod.pod;
    const existing = current.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const sameCondition = existing?.status === 'False' && existing.reason === reason && existing.message === message;
    if (sameCondition && (current.status?.nominatedNodeName ?? '') === (nominatedNodeName ?? current.status?.nominatedNodeName ?? '')) return;
    const condition = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominatedNodeName) status.nominatedNodeName = nominatedNodeName;
    this.api.patchPodStatus(current, status).catch((error: Error) => this.log(`updating the status of ${pod.key}: ${error.message}`));
  }
}
