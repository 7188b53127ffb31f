/**
 * Reference for exercise 03-scheduler/04-queue: kube-scheduler's PriorityQueue
 * (pkg/scheduler/backend/queue/scheduling_queue.go): activeQ (a heap ordered by priority, then by
 * timestamp), podBackoffQ (a heap ordered by backoff expiry) and unschedulablePods (a map), with
 * backoff 1 s doubling to 10 s and moveRequestCycle, so an event that happens while a pod is being
 * scheduled is not lost.
 */
import { SCHEDULER_INITIAL_BACKOFF_MS, SCHEDULER_MAX_BACKOFF_MS, SCHEDULER_MAX_UNSCHEDULABLE_MS } from '#engine/params.ts';
import { PLUGINS_INTERESTED_IN, type ClusterEvent, type PodInfo } from '#engine/scheduler/framework.ts';
import type { QueuedPodInfo, QueueName, QueueOptions, SchedulingQueue } from '#engine/scheduler/exercises.ts';

/** A binary heap with removal by key. */
class Heap {
  private readonly items: QueuedPodInfo[] = [];
  private readonly at = new Map<string, number>();
  constructor(private readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean) {}

  get size(): number {
    return this.items.length;
  }
  has(key: string): boolean {
    return this.at.has(key);
  }
  get(key: string): QueuedPodInfo | undefined {
    const i = this.at.get(key);
    return i === undefined ? undefined : this.items[i];
  }
  peek(): QueuedPodInfo | undefined {
    return this.items[0];
  }
  push(item: QueuedPodInfo): void {
    const existing = this.at.get(item.podInfo.key);
    if (existing !== undefined) {
      this.items[existing] = item;
      this.fix(existing);
      return;
    }
    this.items.push(item);
    this.at.set(item.podInfo.key, this.items.length - 1);
    this.up(this.items.length - 1);
  }
  pop(): QueuedPodInfo | undefined {
    const top = this.items[0];
    if (top) this.remove(top.podInfo.key);
    return top;
  }
  remove(key: string): QueuedPodInfo | undefined {
    const i = this.at.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i]!;
    const last = this.items.pop()!;
    this.at.delete(key);
    if (i < this.items.length) {
      this.items[i] = last;
      this.at.set(last.podInfo.key, i);
      this.fix(i);
    }
    return item;
  }
  private fix(i: number): void {
    this.up(i);
    this.down(i);
  }
  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    this.items[i] = b;
    this.items[j] = a;
    this.at.set(b.podInfo.key, i);
    this.at.set(a.podInfo.key, j);
  }
  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i]!, this.items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.items.length && this.less(this.items[l]!, this.items[best]!)) best = l;
      if (r < this.items.length && this.less(this.items[r]!, this.items[best]!)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}

class PriorityQueue implements SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly active = new Heap((a, b) => a.podInfo.priority > b.podInfo.priority || (a.podInfo.priority === b.podInfo.priority && a.timestamp < b.timestamp));
  private readonly backoff = new Heap((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulablePods = new Map<string, QueuedPodInfo>();
  private cycle = 0;
  private moveRequestCycle = -1;

  constructor(options: QueueOptions) {
    this.now = options.now;
    this.initialBackoff = options.initialBackoffMs ?? SCHEDULER_INITIAL_BACKOFF_MS;
    this.maxBackoff = options.maxBackoffMs ?? SCHEDULER_MAX_BACKOFF_MS;
    this.maxUnschedulable = options.maxUnschedulableMs ?? SCHEDULER_MAX_UNSCHEDULABLE_MS;
  }

  add(pod: PodInfo): void {
    // As upstream's Add: a new entry (0 attempts), out of backoff and unschedulable if it was there.
    this.take(pod.key);
    this.active.push({ podInfo: pod, attempts: 0, timestamp: this.now(), unschedulablePlugins: new Set() });
  }

  update(pod: PodInfo): void {
    const inActive = this.active.get(pod.key);
    if (inActive) return this.active.push({ ...inActive, podInfo: pod });
    const inBackoff = this.backoff.get(pod.key);
    if (inBackoff) return this.backoff.push({ ...inBackoff, podInfo: pod });
    const parked = this.unschedulablePods.get(pod.key);
    if (parked) {
      this.unschedulablePods.delete(pod.key);
      return this.requeue({ ...parked, podInfo: pod });
    }
    this.add(pod);
  }

  delete(key: string): void {
    this.take(key);
  }

  pop(): QueuedPodInfo | undefined {
    const next = this.active.pop();
    if (!next) return undefined;
    next.attempts++;
    this.cycle++;
    return next;
  }

  schedulingCycle(): number {
    return this.cycle;
  }

  addUnschedulableIfNotPresent(pod: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = pod.podInfo.key;
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulablePods.has(key)) return;
    pod.timestamp = this.now();
    if (this.moveRequestCycle >= podSchedulingCycle) this.backoff.push(pod);
    else this.unschedulablePods.set(key, pod);
  }

  backoffDuration(pod: QueuedPodInfo): number {
    let duration = this.initialBackoff;
    for (let i = 1; i < pod.attempts; i++) {
      duration *= 2;
      if (duration > this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(duration, this.maxBackoff);
  }

  flushBackoffCompleted(): void {
    const now = this.now();
    for (let top = this.backoff.peek(); top && this.backoffExpiry(top) <= now; top = this.backoff.peek()) {
      this.backoff.pop();
      this.active.push(top);
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.now();
    const stale = [...this.unschedulablePods.values()].filter((p) => now - p.timestamp > this.maxUnschedulable);
    this.moveToActiveOrBackoff(stale);
  }

  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    const interested = PLUGINS_INTERESTED_IN[event];
    const moving = [...this.unschedulablePods.values()].filter(
      (p) => interested === 'all' || p.unschedulablePlugins.size === 0 || [...p.unschedulablePlugins].some((name) => interested.includes(name)),
    );
    this.moveToActiveOrBackoff(moving);
    this.moveRequestCycle = this.cycle;
  }

  where(key: string): QueueName | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulablePods.has(key)) return 'unschedulable';
    return undefined;
  }

  lengths(): Record<QueueName, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulablePods.size };
  }

  nextBackoffExpiry(): number | undefined {
    const top = this.backoff.peek();
    return top ? this.backoffExpiry(top) : undefined;
  }

  private backoffExpiry(pod: QueuedPodInfo): number {
    return pod.timestamp + this.backoffDuration(pod);
  }

  private moveToActiveOrBackoff(pods: QueuedPodInfo[]): void {
    for (const pod of pods) {
      this.unschedulablePods.delete(pod.podInfo.key);
      this.requeue(pod);
    }
  }

  private requeue(pod: QueuedPodInfo): void {
    if (this.backoffExpiry(pod) > this.now()) this.backoff.push(pod);
    else this.active.push(pod);
  }

  private take(key: string): QueuedPodInfo | undefined {
    const parked = this.unschedulablePods.get(key);
    this.unschedulablePods.delete(key);
    return this.active.remove(key) ?? this.backoff.remove(key) ?? parked;
  }
}

export function newSchedulingQueue(options: QueueOptions): SchedulingQueue {
  return new PriorityQueue(options);
}
