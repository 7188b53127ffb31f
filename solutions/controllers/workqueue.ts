/**
 * Exercise 04-controllers/01-workqueue (reference): client-go's workqueue and its default
 * controller rate limiter, on an injected clock. After k8s.io/client-go/util/workqueue:
 * queue.go (the dirty and processing sets), delaying_queue.go (addAfter, the waiting list),
 * rate_limiting_queue.go (addRateLimited, forget, numRequeues) and default_rate_limiters.go.
 */
import { WORKQUEUE_BASE_DELAY_MS, WORKQUEUE_BUCKET_BURST, WORKQUEUE_BUCKET_QPS, WORKQUEUE_MAX_DELAY_MS } from '#engine/params.ts';
import type { RateLimiter, WorkQueue, WorkQueueOptions } from '#engine/controllers/exercises.ts';

export function newItemExponentialFailureRateLimiter(baseDelayMs: number, maxDelayMs: number): RateLimiter {
  const failures = new Map<string, number>();
  return {
    when(item) {
      const exp = failures.get(item) ?? 0;
      failures.set(item, exp + 1);
      const backoff = baseDelayMs * 2 ** exp;
      return Number.isFinite(backoff) && backoff <= maxDelayMs ? backoff : maxDelayMs;
    },
    forget(item) {
      failures.delete(item);
    },
    numRequeues(item) {
      return failures.get(item) ?? 0;
    },
  };
}

export function newBucketRateLimiter(qps: number, burst: number, now: () => number): RateLimiter {
  // golang.org/x/time/rate: the bucket starts full; each reservation takes a token, going
  // negative when empty, and waits until the refill (qps tokens a second) would cover it.
  let tokens = burst;
  let last = now();
  return {
    when() {
      const t = now();
      if (t > last) tokens = Math.min(burst, tokens + ((t - last) * qps) / 1000);
      last = Math.max(last, t);
      tokens -= 1;
      return tokens < 0 ? (-tokens * 1000) / qps : 0;
    },
    forget() {},
    numRequeues() {
      return 0;
    },
  };
}

export function newMaxOfRateLimiter(...limiters: RateLimiter[]): RateLimiter {
  return {
    when(item) {
      let longest = 0;
      for (const l of limiters) longest = Math.max(longest, l.when(item));
      return longest;
    },
    forget(item) {
      for (const l of limiters) l.forget(item);
    },
    numRequeues(item) {
      let most = 0;
      for (const l of limiters) most = Math.max(most, l.numRequeues(item));
      return most;
    },
  };
}

export function newDefaultControllerRateLimiter(now: () => number): RateLimiter {
  return newMaxOfRateLimiter(newItemExponentialFailureRateLimiter(WORKQUEUE_BASE_DELAY_MS, WORKQUEUE_MAX_DELAY_MS), newBucketRateLimiter(WORKQUEUE_BUCKET_QPS, WORKQUEUE_BUCKET_BURST, now));
}

class RateLimitingQueue implements WorkQueue {
  // The queue of dirty keys not being processed (each at most once), oldest first, as two stacks:
  // keys join at the end of `back`; get() pops the end of `front`, which holds the older keys in
  // reverse, refilled from `back` when empty. Each key is moved once: O(1) amortised per key, and
  // nothing handed out stays referenced (upstream: q.queue[0], then q.queue = q.queue[1:]).
  private front: string[] = [];
  private back: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** Delayed keys and when each becomes ready. */
  private readonly waiting = new Map<string, number>();
  private shutdown = false;
  private readonly now: () => number;
  private readonly rateLimiter: RateLimiter;

  constructor(options: WorkQueueOptions) {
    this.now = options.now;
    this.rateLimiter = options.rateLimiter ?? newDefaultControllerRateLimiter(options.now);
  }

  add(key: string): void {
    this.promoteDue();
    this.insert(key);
  }

  len(): number {
    this.promoteDue();
    return this.front.length + this.back.length;
  }

  get(): string | undefined {
    this.promoteDue();
    if (this.front.length === 0) {
      this.front = this.back.reverse();
      this.back = [];
    }
    const key = this.front.pop();
    if (key === undefined) return undefined;
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  done(key: string): void {
    this.promoteDue();
    this.processing.delete(key);
    if (this.dirty.has(key)) this.back.push(key);
  }

  shutDown(): void {
    this.shutdown = true;
    this.waiting.clear();
  }

  shuttingDown(): boolean {
    return this.shutdown;
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shutdown) return;
    if (delayMs <= 0) return this.add(key);
    const readyAt = this.now() + delayMs;
    const earlier = this.waiting.get(key);
    if (earlier === undefined || readyAt < earlier) this.waiting.set(key, readyAt);
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  nextReadyAt(): number | undefined {
    let earliest: number | undefined;
    for (const at of this.waiting.values()) if (earliest === undefined || at < earliest) earliest = at;
    return earliest;
  }

  private insert(key: string): void {
    if (this.shutdown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.back.push(key);
  }

  /** The delaying queue's waiting loop: keys whose time has come are added, earliest first. */
  private promoteDue(): void {
    if (this.waiting.size === 0) return;
    const t = this.now();
    const due = [...this.waiting].filter(([, at]) => at <= t).sort((a, b) => a[1] - b[1]);
    for (const [key] of due) {
      this.waiting.delete(key);
      this.insert(key);
    }
  }
}

export function newWorkQueue(options: WorkQueueOptions): WorkQueue {
  return new RateLimitingQueue(options);
}
