/**
 * Exercise 03-scheduler/04-queue: the scheduling queue, after kube-scheduler's PriorityQueue.
 *
 * Pending pods wait in one of three places:
 * - active: ready to be tried, ordered by priority (higher first), then by timestamp (older first);
 * - backoff: failed recently, waiting out a backoff of 1 s, 2 s, 4 s, 8 s, then 10 s per attempt;
 * - unschedulable: failed, and nothing has changed since that could help them.
 * A cluster event (a node added or changed, a pod deleted) moves the unschedulable pods it could help
 * back to active (or to backoff, if their backoff has not run out yet). Nothing here reads the real
 * time: `options.now()` is the clock, so tests move time by hand.
 *
 * The shapes (engine/scheduler/exercises.ts and framework.ts):
 *   PodInfo         { pod, key ('namespace/name'), priority, requests, ... }: what add() gets
 *   QueuedPodInfo   { podInfo, attempts, timestamp, unschedulablePlugins: Set<string> }: a pod as
 *                   the queue keeps it (framework.QueuedPodInfo); pop() hands one out and
 *                   addUnschedulableIfNotPresent() takes it back
 *   QueueOptions    { now(), initialBackoffMs?, maxBackoffMs?, maxUnschedulableMs? }
 *   QueueName       'active' | 'backoff' | 'unschedulable', what where() answers
 *   ClusterEvent    'NodeAdd' | 'NodeUpdate' | 'AssignedPodDelete' | 'UnschedulableTimeout';
 *                   PLUGINS_INTERESTED_IN[event] is 'all' or the plugins the event may help
 *
 * Read: lessons/core/03-scheduler/04-queue.md
 * Check: npx kubelings check 03-scheduler/04-queue
 */
import { NotImplemented } from '#engine/errors.ts';
import { SCHEDULER_INITIAL_BACKOFF_MS, SCHEDULER_MAX_BACKOFF_MS, SCHEDULER_MAX_UNSCHEDULABLE_MS } from '#engine/params.ts';
import { PLUGINS_INTERESTED_IN, type ClusterEvent, type PodInfo } from '#engine/scheduler/framework.ts';
import type { QueuedPodInfo, QueueName, QueueOptions, SchedulingQueue } from '#engine/scheduler/exercises.ts';

const PAGE = 'lessons/core/03-scheduler/04-queue.md';
const todo = (what: string) => new NotImplemented('03-scheduler/04-queue', PAGE, what);

/**
 * Must hold:
 * - add() puts a pod in active with timestamp now() and 0 attempts; a pod already queued, wherever
 *   it waits, is taken out and starts afresh (0 attempts), as upstream's PriorityQueue.Add;
 * - pop() takes the highest-priority pod (pod.priority), the oldest timestamp among equals, adds 1 to
 *   its attempts and to the scheduling cycle; undefined when active is empty (it never waits);
 * - addUnschedulableIfNotPresent(pod, cycle): ignored when the pod is already queued; otherwise its
 *   timestamp becomes now(), and it goes to unschedulable, unless a move request (moveAllToActiveOrBackoff)
 *   happened during or after scheduling cycle `cycle`: then to backoff, since what it failed on may have changed;
 * - backoffDuration: initialBackoffMs for 1 attempt, doubled per further attempt, at most maxBackoffMs;
 *   a pod is backing off while timestamp + backoffDuration > now();
 * - flushBackoffCompleted(): pods whose backoff has ended move to active;
 * - moveAllToActiveOrBackoff(event): unschedulable pods move to backoff (still backing off) or active,
 *   if PLUGINS_INTERESTED_IN[event] is 'all', or names one of the pod's unschedulablePlugins, or the pod
 *   has none; and remember the current cycle as the move request cycle;
 * - flushUnschedulableLeftover(): pods unschedulable for longer than maxUnschedulableMs move likewise;
 * - update(pod) replaces the pod object where it waits, keeping its attempts and timestamp (its
 *   place in line, its backoff); an unschedulable pod moves to backoff (still backing off) or
 *   active; a pod not queued is added; delete(key) removes it from wherever it is;
 * - the backoff pods leave in the order their backoffs end (timestamp + backoffDuration), whatever
 *   their priority; nextBackoffExpiry() is the earliest of those ends.
 */
class PriorityQueue implements SchedulingQueue {
  constructor(private readonly options: QueueOptions) {
    // TODO: set up the three queues; defaults: SCHEDULER_INITIAL_BACKOFF_MS, SCHEDULER_MAX_BACKOFF_MS,
    // SCHEDULER_MAX_UNSCHEDULABLE_MS.
  }

  add(pod: PodInfo): void {
    // TODO
    throw todo('add()');
  }

  update(pod: PodInfo): void {
    // TODO
    throw todo('update()');
  }

  delete(key: string): void {
    // TODO
    throw todo('delete()');
  }

  pop(): QueuedPodInfo | undefined {
    // TODO
    throw todo('pop()');
  }

  schedulingCycle(): number {
    // TODO
    throw todo('schedulingCycle()');
  }

  addUnschedulableIfNotPresent(pod: QueuedPodInfo, podSchedulingCycle: number): void {
    // TODO
    throw todo('addUnschedulableIfNotPresent()');
  }

  backoffDuration(pod: QueuedPodInfo): number {
    // TODO
    throw todo('backoffDuration()');
  }

  flushBackoffCompleted(): void {
    // TODO
    throw todo('flushBackoffCompleted()');
  }

  flushUnschedulableLeftover(): void {
    // TODO
    throw todo('flushUnschedulableLeftover()');
  }

  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    // TODO
    throw todo('moveAllToActiveOrBackoff()');
  }

  where(key: string): QueueName | undefined {
    // TODO
    throw todo('where()');
  }

  lengths(): Record<QueueName, number> {
    // TODO
    throw todo('lengths()');
  }

  nextBackoffExpiry(): number | undefined {
    // TODO
    throw todo('nextBackoffExpiry()');
  }
}

export function newSchedulingQueue(options: QueueOptions): SchedulingQueue {
  return new PriorityQueue(options);
}
