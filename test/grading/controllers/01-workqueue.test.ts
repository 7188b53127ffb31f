/**
 * Hidden suite for 04-controllers/01-workqueue: the stingy queue, the delaying queue, and the
 * default controller rate limiter on an injected clock. After client-go's own tests:
 * util/workqueue/queue_test.go (TestAddWhileProcessing, TestLen, TestReinsert),
 * delaying_queue_test.go (TestSimpleQueue, TestDeduping, TestAddTwoFireEarly),
 * default_rate_limiters_test.go (TestItemExponentialFailureRateLimiter,
 * TestItemExponentialFailureRateLimiterOverFlow, TestMaxOfRateLimiter) and
 * rate_limiting_queue_test.go (TestRateLimitingQueue).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { hint, show, useSeed } from '#grading';

const c = await loadComponent('controllers');

function setup() {
  const clock = { t: 1_000_000 };
  const q = c.newWorkQueue({ now: () => clock.t });
  return { clock, q };
}

function drain(q: ReturnType<typeof c.newWorkQueue>): string[] {
  const out: string[] = [];
  for (let k = q.get(); k !== undefined; k = q.get()) {
    out.push(k);
    q.done(k);
  }
  return out;
}

describe('the queue: dirty and processing', () => {
  test('keys come out in the order they were added, each once however often it was added', hint('A key already waiting (dirty) is not queued again'), () => {
    const { q } = setup();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    expect(q.len(), 'len() after add a, b, a, c, b, a').toBe(3);
    expect(show(drain(q)), 'get()/done() until empty').toBe(show(['a', 'b', 'c']));
  });

  test('get() on an empty queue returns undefined at once', () => {
    const { q } = setup();
    expect(q.get(), 'get() on a new queue').toBeUndefined();
  });

  test(
    'a key added while a worker processes it is not handed out again until done(), then it is',
    hint('While a key is processing, add() only marks it dirty; done() puts a dirty key back in the queue'),
    () => {
      const { q } = setup();
      q.add('a');
      const first = q.get();
      q.add('a');
      expect(q.len(), 'len() after add(a) while a is processing').toBe(0);
      expect(q.get(), 'get() while a is still processing').toBeUndefined();
      q.done(first!);
      expect(q.len(), 'len() after done(a): the second add of a was kept').toBe(1);
      expect(q.get(), 'get() after done(a)').toBe('a');
    },
  );

  test('added twice while processing, a key is processed once more, not twice', () => {
    const { q } = setup();
    q.add('a');
    q.get();
    q.add('a');
    q.add('a');
    q.done('a');
    expect(show(drain(q)), 'keys handed out after done(a)').toBe(show(['a']));
  });

  test('done() of a key nobody re-added does not queue it again', hint('Only a dirty key goes back into the queue'), () => {
    const { q } = setup();
    q.add('a');
    q.done(q.get()!);
    expect(q.len(), 'len() after add, get, done').toBe(0);
    expect(q.get(), 'get()').toBeUndefined();
  });

  test('after shutDown() nothing is added, and what is queued is still handed out', hint('shutDown stops add(), not get()'), () => {
    const { q } = setup();
    q.add('a');
    q.shutDown();
    q.add('b');
    expect(q.shuttingDown(), 'shuttingDown()').toBe(true);
    expect(show(drain(q)), 'keys handed out after shutDown').toBe(show(['a']));
  });
});

describe('the delaying queue: addAfter', () => {
  test('a key added with a delay appears when the clock reaches it, not before', hint('Keep the time each waiting key becomes ready; move the ready ones in before looking at the queue'), () => {
    const { clock, q } = setup();
    q.addAfter('a', 50);
    expect(q.len(), 'len() at once').toBe(0);
    expect(q.nextReadyAt(), 'nextReadyAt()').toBe(clock.t + 50);
    clock.t += 49;
    expect(q.get(), 'get() after 49 ms').toBeUndefined();
    clock.t += 1;
    expect(q.get(), 'get() after 50 ms').toBe('a');
    expect(q.nextReadyAt(), 'nextReadyAt() once nothing waits').toBeUndefined();
  });

  test('a key waiting twice keeps the earlier time, and is queued once', hint('A second addAfter with a later time changes nothing; with an earlier time, it wins'), () => {
    const { clock, q } = setup();
    q.addAfter('a', 100);
    q.addAfter('a', 500);
    clock.t += 100;
    expect(q.get(), 'get() at 100 ms after addAfter(a, 100) and addAfter(a, 500)').toBe('a');
    q.done('a');
    q.addAfter('b', 500);
    q.addAfter('b', 100);
    clock.t += 100;
    expect(q.get(), 'get() 100 ms after addAfter(b, 500) then addAfter(b, 100)').toBe('b');
    q.done('b');
    clock.t += 1_000;
    expect(q.len(), 'len() later: nothing fires a second time').toBe(0);
  });

  test('delayed keys join in the order they became ready, before keys added after that', hint('addAfter(key, d) behaves as add(key) at now() + d'), () => {
    const { clock, q } = setup();
    q.addAfter('late', 30);
    q.addAfter('early', 10);
    clock.t += 20;
    q.add('now'); // at 20 ms: early (ready at 10) is ahead of it, late (30) behind
    clock.t += 20;
    expect(show(drain(q)), 'keys handed out at 40 ms').toBe(show(['early', 'now', 'late']));
  });

  // delaying_queue.go AddAfter: "immediately add things with no delay: if duration <= 0 { q.Add(item) }".
  test('addAfter with no delay adds at once, in the order asked: nothing waits', hint('delayMs <= 0 is add(key) now, not a wait until now(): 0 is no delay'), () => {
    const { q } = setup();
    q.addAfter('a', 0);
    expect(q.nextReadyAt(), 'nextReadyAt() after addAfter(a, 0)').toBeUndefined();
    q.addAfter('b', -5);
    expect(q.len(), 'len() after addAfter(a, 0) and addAfter(b, -5)').toBe(2);
    expect(show(drain(q)), 'keys handed out after addAfter(a, 0), addAfter(b, -5)').toBe(show(['a', 'b']));
  });

  // delaying_queue.go waitingLoop pops the waiting heap (ordered by readyAt) while its head is ready.
  test(
    'several delayed keys ready at once join earliest first, whatever order they were added in',
    hint('Sort the keys whose time has come by their ready time before adding them (upstream keeps them in a heap)'),
    () => {
      const { clock, q } = setup();
      q.addAfter('c', 30);
      q.addAfter('a', 10);
      q.addAfter('d', 40);
      q.addAfter('b', 20);
      clock.t += 50;
      expect(show(drain(q)), 'keys handed out 50 ms after addAfter(c, 30), (a, 10), (d, 40), (b, 20)').toBe(show(['a', 'b', 'c', 'd']));
    },
  );

  // delaying_queue.go: the waiting loop's timer is set for the readyAt of the heap's head, the earliest.
  test('nextReadyAt() is the earliest time any key waits for, not the first or last asked', hint('nextReadyAt(): the smallest ready time among the waiting keys'), () => {
    const { clock, q } = setup();
    q.addAfter('a', 100);
    q.addAfter('b', 50);
    q.addAfter('c', 200);
    expect(q.nextReadyAt(), 'nextReadyAt() after addAfter(a, 100), (b, 50), (c, 200)').toBe(clock.t + 50);
    clock.t += 50;
    expect(q.get(), 'get() at 50 ms').toBe('b');
    expect(q.nextReadyAt(), 'nextReadyAt() once b has joined the queue').toBe(clock.t + 50);
  });

  // delaying_queue.go AddAfter: "don't add if we're already shutting down".
  test('after shutDown(), addAfter adds nothing and nothing waits', hint('addAfter must check shuttingDown first, as add() does'), () => {
    const { clock, q } = setup();
    q.addAfter('before', 10);
    q.shutDown();
    q.addAfter('after', 10);
    q.addAfter('now', 0);
    expect(q.nextReadyAt(), 'nextReadyAt() after shutDown and addAfter(after, 10)').toBeUndefined();
    clock.t += 100;
    expect(q.len(), 'len() 100 ms later').toBe(0);
  });
});

describe('rate limiters', () => {
  test('per item: 5 ms, 10 ms, 20 ms, ... each failure doubles the wait; other items start at 5 ms', hint('baseDelay × 2^failures, counted per item'), () => {
    const r = c.newItemExponentialFailureRateLimiter(5, 1_000_000);
    const got = [r.when('a'), r.when('a'), r.when('a'), r.when('b'), r.when('a')];
    expect(show(got), 'when(a), when(a), when(a), when(b), when(a)').toBe(show([5, 10, 20, 5, 40]));
    expect(r.numRequeues('a'), 'numRequeues(a)').toBe(4);
  });

  test("forget() starts an item's backoff over", hint("forget must delete the item's failure count"), () => {
    const r = c.newItemExponentialFailureRateLimiter(5, 1_000_000);
    r.when('a');
    r.when('a');
    r.forget('a');
    expect(r.numRequeues('a'), 'numRequeues(a) after forget').toBe(0);
    expect(r.when('a'), 'when(a) after forget').toBe(5);
  });

  test('the wait stops at the maximum, even after so many failures that 2^n overflows', hint('Compare with maxDelay; Infinity is more than the maximum too'), () => {
    const r = c.newItemExponentialFailureRateLimiter(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 2_000; i++) last = r.when('a');
    expect(last, 'when(a) after 2,000 failures (5 ms × 2^1999 would be Infinity)').toBe(1_000_000);
    const r2 = c.newItemExponentialFailureRateLimiter(5, 1_000_000);
    const waits = Array.from({ length: 20 }, () => r2.when('b'));
    expect(waits[17], '18th failure: 5 ms × 2^17 = 655,360 ms').toBe(655_360);
    expect(waits[18], '19th: 1,310,720 ms is over the 1,000 s maximum').toBe(1_000_000);
  });

  test(
    'the bucket lets 100 through at once, then one every 100 ms (10 a second)',
    hint('Start with burst tokens; each when() takes one, going below zero when empty; the wait is -tokens / qps'),
    () => {
      const clock = { t: 0 };
      const r = c.newBucketRateLimiter(10, 100, () => clock.t);
      const waits = Array.from({ length: 103 }, (_, i) => r.when(`k${i}`));
      expect(
        waits.slice(0, 100).every((w) => w === 0),
        'the first 100 when() calls wait 0',
      ).toBe(true);
      expect(show(waits.slice(100)), 'calls 101, 102, 103').toBe(show([100, 200, 300]));
    },
  );

  test('the bucket refills with the clock, and never holds more than the burst', hint('Add (elapsed ms × qps / 1000) tokens on each call, capped at burst'), () => {
    const clock = { t: 1_700_000_000_000 }; // a real clock: elapsed is now - last, not now
    const r = c.newBucketRateLimiter(10, 100, () => clock.t);
    for (let i = 0; i < 100; i++) r.when('x');
    clock.t += 1_000; // 10 tokens back
    const waits = Array.from({ length: 11 }, () => r.when('x'));
    expect(show(waits), '11 calls one second after emptying the bucket').toBe(show([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100]));
    clock.t += 3_600_000; // an hour idle
    const after = Array.from({ length: 101 }, () => r.when('x'));
    expect(after.filter((w) => w === 0).length, 'calls that wait 0 after an hour idle').toBe(100);
  });

  // golang.org/x/time/rate, rate.go advance(): "if t.Before(last) { last = t }": no time elapsed, no tokens lost.
  test('a clock that steps back takes no tokens away', hint('Only add tokens when now() is after the last call; a negative elapsed time is no time'), () => {
    const clock = { t: 1_700_000_000_000 };
    const r = c.newBucketRateLimiter(10, 100, () => clock.t);
    for (let i = 0; i < 100; i++) r.when('x');
    clock.t -= 5_000; // the wall clock was set back 5 s
    expect(r.when('x'), 'when() after the bucket emptied and the clock stepped back 5 s: one token short').toBe(100);
  });

  test('max-of asks every limiter, so each counts the failure, and waits the longest', hint('Call when() on every limiter, not only until one answers'), () => {
    const clock = { t: 0 };
    const perItem = c.newItemExponentialFailureRateLimiter(5, 1_000_000);
    const bucket = c.newBucketRateLimiter(10, 1, () => clock.t);
    const r = c.newMaxOfRateLimiter(perItem, bucket);
    expect(show([r.when('a'), r.when('a'), r.when('a')]), 'when(a) three times: per item 5, 10, 20; bucket 0, 100, 200').toBe(show([5, 100, 200]));
    expect(r.numRequeues('a'), 'numRequeues(a)').toBe(3);
    r.forget('a');
    expect(perItem.numRequeues('a'), 'forget reached the per-item limiter').toBe(0);
  });

  test('the default controller rate limiter: 5 ms per item, until 100 items in a burst have used the bucket', () => {
    const clock = { t: 0 };
    const r = c.newDefaultControllerRateLimiter(() => clock.t);
    const waits = Array.from({ length: 101 }, (_, i) => r.when(`k${i}`));
    expect(
      waits.slice(0, 100).every((w) => w === 5),
      'the first 100 distinct keys wait 5 ms',
    ).toBe(true);
    expect(waits[100], 'the 101st waits for the bucket').toBe(100);
  });
});

describe('the rate-limited queue', () => {
  test('addRateLimited waits 5 ms, then 10 ms; forget() brings it back to 5 ms', hint('addRateLimited(key) is addAfter(key, rateLimiter.when(key))'), () => {
    const { clock, q } = setup();
    q.addRateLimited('a');
    clock.t += 4;
    expect(q.get(), 'get() 4 ms after the first addRateLimited').toBeUndefined();
    clock.t += 1;
    q.done(q.get()!);
    q.addRateLimited('a');
    clock.t += 9;
    expect(q.get(), 'get() 9 ms after the second').toBeUndefined();
    clock.t += 1;
    q.done(q.get()!);
    expect(q.numRequeues('a'), 'numRequeues(a)').toBe(2);
    q.forget('a');
    q.addRateLimited('a');
    expect(q.nextReadyAt(), 'ready at, after forget').toBe(clock.t + 5);
  });

  test('a rate limiter passed in is the one used', () => {
    const clock = { t: 0 };
    const q = c.newWorkQueue({ now: () => clock.t, rateLimiter: { when: () => 42, forget: () => {}, numRequeues: () => 7 } });
    q.addRateLimited('a');
    expect(q.nextReadyAt(), 'nextReadyAt() with a limiter that always says 42 ms').toBe(42);
    expect(q.numRequeues('a'), 'numRequeues()').toBe(7);
  });
});

test('whatever the workers do, a key is never handed to two at once, and every key added is processed after it was added', ({ task }) => {
  type Op = { kind: 'add' | 'addAfter' | 'get' | 'done' | 'tick'; key: number; ms: number };
  const op = fc.record({ kind: fc.constantFrom('add', 'addAfter', 'get', 'done', 'tick') as fc.Arbitrary<Op['kind']>, key: fc.integer({ min: 0, max: 3 }), ms: fc.integer({ min: 0, max: 50 }) });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { clock, q } = setup();
      const processing = new Set<string>();
      /** Keys added (or due) since they were last handed out. */
      const owed = new Map<string, number>();
      /** Delayed keys: one time per key, the earliest asked (as the queue keeps them). */
      const due = new Map<string, number>();
      const handOut = (k: string) => {
        expect(processing.has(k), `${k} handed out while a worker still has it (ops ${show(ops)})`).toBe(false);
        processing.add(k);
        owed.delete(k);
      };
      for (const o of ops) {
        const k = `k${o.key}`;
        if (o.kind === 'add') {
          q.add(k);
          owed.set(k, clock.t);
        } else if (o.kind === 'addAfter') {
          q.addAfter(k, o.ms);
          if (o.ms <= 0) owed.set(k, clock.t);
          else if (!due.has(k) || due.get(k)! > clock.t + o.ms) due.set(k, clock.t + o.ms);
        } else if (o.kind === 'get') {
          for (const [key, at] of [...due]) {
            if (at > clock.t) continue;
            owed.set(key, at);
            due.delete(key);
          }
          const got = q.get();
          if (got !== undefined) handOut(got);
        } else if (o.kind === 'done') {
          const first = [...processing][o.key % Math.max(1, processing.size)];
          if (first) {
            processing.delete(first);
            q.done(first);
          }
        } else clock.t += o.ms;
      }
      // Finish every worker, let every delay pass: every key still owed comes out.
      clock.t += 1_000;
      for (const [key, at] of due) owed.set(key, at);
      for (const k of [...processing]) q.done(k);
      processing.clear();
      const rest = new Set(drain(q));
      for (const k of owed.keys()) expect(rest.has(k), `${k} was added and never handed out afterwards (ops ${show(ops)})`).toBe(true);
    }),
    { seed: useSeed(task), numRuns: 300 },
  );
});
