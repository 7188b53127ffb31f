/**
 * Exercise 04-controllers/01-workqueue: client-go's workqueue, the heart of every controller.
 *
 * Informers put keys (`namespace/name`) on the queue; workers take them and sync. The queue is
 * "stingy" (client-go's words): a key added ten times before a worker takes it is processed once;
 * a key is never handed to two workers at once; and a key added while a worker has it is not lost:
 * it is processed once more after done(). A sync that fails is retried after a backoff that grows
 * per key (5 ms, 10 ms, 20 ms, ... up to 1,000 s), and all retries together are held to 10 a
 * second with bursts of 100. Nothing here reads the real time: `now()` is the clock.
 *
 * Read: lessons/core/04-controllers/03-workqueue.md
 * Check: npx kubelings check 04-controllers/01-workqueue
 * Upstream: k8s.io/client-go/util/workqueue (queue.go, delaying_queue.go, rate_limiting_queue.go,
 * default_rate_limiters.go) and their tests.
 */
import { NotImplemented } from '#engine/errors.ts';
import { WORKQUEUE_BASE_DELAY_MS, WORKQUEUE_BUCKET_BURST, WORKQUEUE_BUCKET_QPS, WORKQUEUE_MAX_DELAY_MS } from '#engine/params.ts';
import type { RateLimiter, WorkQueue, WorkQueueOptions } from '#engine/controllers/exercises.ts';

const PAGE = 'lessons/core/04-controllers/03-workqueue.md';
const todo = (what: string) => new NotImplemented('04-controllers/01-workqueue', PAGE, what);

/**
 * Per item: the n-th call of when(item) (n from 0) returns baseDelayMs × 2^n, at most maxDelayMs
 * (also when 2^n overflows). forget(item) starts it over; numRequeues(item) is n.
 */
export function newItemExponentialFailureRateLimiter(baseDelayMs: number, maxDelayMs: number): RateLimiter {
  // TODO: a Map of failures per item.
  throw todo('newItemExponentialFailureRateLimiter()');
}

/**
 * One bucket for every item (golang.org/x/time/rate): it starts full with `burst` tokens and gains
 * `qps` tokens a second by the clock, never more than `burst`. Each when() takes one token, even
 * if there is none (the count goes below zero) and returns how long until the refill covers it:
 * 0 while tokens were left. forget() and numRequeues() do nothing (0).
 */
export function newBucketRateLimiter(qps: number, burst: number, now: () => number): RateLimiter {
  // TODO: tokens, and the time they were last counted.
  throw todo('newBucketRateLimiter()');
}

/** when(): asks every limiter (each must count the failure) and returns the longest; forget() forgets in all; numRequeues() is the largest. */
export function newMaxOfRateLimiter(...limiters: RateLimiter[]): RateLimiter {
  // TODO
  throw todo('newMaxOfRateLimiter()');
}

/** client-go's DefaultControllerRateLimiter: the max of the per-item (WORKQUEUE_BASE_DELAY_MS..WORKQUEUE_MAX_DELAY_MS) and the bucket (WORKQUEUE_BUCKET_QPS, WORKQUEUE_BUCKET_BURST) limiters. */
export function newDefaultControllerRateLimiter(now: () => number): RateLimiter {
  void [WORKQUEUE_BASE_DELAY_MS, WORKQUEUE_MAX_DELAY_MS, WORKQUEUE_BUCKET_QPS, WORKQUEUE_BUCKET_BURST];
  // TODO
  throw todo('newDefaultControllerRateLimiter()');
}

/**
 * Must hold (queue.go):
 * - add(key): ignored after shutDown, or if the key is already dirty (waiting to be processed);
 *   otherwise it becomes dirty, and joins the queue unless a worker is processing it right now;
 * - get(): the oldest queued key, which moves from dirty to processing; undefined when none;
 * - done(key): no longer processing; if it became dirty meanwhile, it joins the queue now;
 * - len(): the queued keys;
 * - addAfter(key, ms) (delaying_queue.go): behaves as add(key) called at now() + ms (at once if
 *   ms <= 0); a key already waiting keeps the earlier time; keys whose time has come join the
 *   queue, earliest first, before any other operation looks at the queue; nextReadyAt() is the
 *   earliest waiting time;
 * - addRateLimited(key) (rate_limiting_queue.go): addAfter(key, rateLimiter.when(key));
 *   forget and numRequeues ask the rate limiter;
 * - shutDown(): nothing more is added (delayed keys are dropped); get() hands out what is queued.
 */
class RateLimitingQueue implements WorkQueue {
  constructor(private readonly options: WorkQueueOptions) {
    // TODO: the queue (an array, in order), the dirty and processing sets, the waiting keys, and
    // the rate limiter: options.rateLimiter, or the default controller rate limiter on options.now.
  }

  add(key: string): void {
    // TODO
    throw todo('add()');
  }

  len(): number {
    // TODO
    throw todo('len()');
  }

  get(): string | undefined {
    // TODO
    throw todo('get()');
  }

  done(key: string): void {
    // TODO
    throw todo('done()');
  }

  shutDown(): void {
    // TODO
    throw todo('shutDown()');
  }

  shuttingDown(): boolean {
    // TODO
    throw todo('shuttingDown()');
  }

  addAfter(key: string, delayMs: number): void {
    // TODO
    throw todo('addAfter()');
  }

  addRateLimited(key: string): void {
    // TODO
    throw todo('addRateLimited()');
  }

  forget(key: string): void {
    // TODO
    throw todo('forget()');
  }

  numRequeues(key: string): number {
    // TODO
    throw todo('numRequeues()');
  }

  nextReadyAt(): number | undefined {
    // TODO
    throw todo('nextReadyAt()');
  }
}

export function newWorkQueue(options: WorkQueueOptions): WorkQueue {
  return new RateLimitingQueue(options);
}
