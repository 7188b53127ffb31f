/**
 * Hidden suite for 03-scheduler/04-queue: the three sub-queues, backoff on an injected clock, and
 * moving unschedulable pods back on relevant cluster events.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { QueuedPodInfo, SchedulingQueue } from '#engine/scheduler/exercises.ts';
import { hint, show, useSeed } from '#grading';
import { pod } from './make.ts';

const s = await loadComponent('scheduler');

function setup() {
  const clock = { t: 1_000_000 };
  const q = s.newSchedulingQueue({ now: () => clock.t });
  return { clock, q };
}

/** Pops a pod and fails it in its own cycle, rejected by these plugins. */
function popAndFail(q: SchedulingQueue, plugins: string[] = ['NodeResourcesFit']): QueuedPodInfo {
  const p = q.pop();
  expect(p, 'pop() returned a pod').toBeDefined();
  p!.unschedulablePlugins = new Set(plugins);
  q.addUnschedulableIfNotPresent(p!, q.schedulingCycle());
  return p!;
}

function popAll(q: SchedulingQueue): string[] {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.podInfo.pod.metadata.name!);
  return out;
}

describe('the active queue', () => {
  test('pods come out oldest first', hint('Order by timestamp when the priorities are equal'), () => {
    const { clock, q } = setup();
    for (const name of ['a', 'b', 'c']) {
      q.add(pod(name));
      clock.t += 10;
    }
    expect(show(popAll(q)), 'add(a), add(b), add(c) 10 ms apart, then pop() until empty').toBe(show(['a', 'b', 'c']));
  });

  test('higher priority comes out first, whatever its age', hint('PrioritySort: compare pod.priority first'), () => {
    const { clock, q } = setup();
    q.add(pod('low', { priority: 0 }));
    clock.t += 10;
    q.add(pod('high', { priority: 1000 }));
    clock.t += 10;
    q.add(pod('mid', { priority: 10 }));
    expect(show(popAll(q)), 'add(low 0), add(high 1000), add(mid 10), pop() until empty').toBe(show(['high', 'mid', 'low']));
  });

  test('pop() on an empty queue returns undefined at once', () => {
    const { q } = setup();
    expect(q.pop(), 'pop() on an empty queue').toBeUndefined();
  });

  test('each pop counts an attempt and a scheduling cycle', hint('attempts += 1 for the pod, and the cycle counter += 1'), () => {
    const { q } = setup();
    q.add(pod('a'));
    q.add(pod('b'));
    expect(q.schedulingCycle(), 'schedulingCycle() before any pop').toBe(0);
    expect(q.pop()!.attempts, 'attempts of the first pod popped').toBe(1);
    q.pop();
    expect(q.schedulingCycle(), 'schedulingCycle() after two pops').toBe(2);
  });

  test('where() and lengths() tell where pods wait; delete() takes a pod out', () => {
    const { q } = setup();
    q.add(pod('a'));
    q.add(pod('b'));
    expect(q.where('default/a'), 'where(default/a) after add').toBe('active');
    q.delete('default/a');
    expect(q.where('default/a'), 'where(default/a) after delete').toBeUndefined();
    expect(show(q.lengths()), 'lengths()').toBe(show({ active: 1, backoff: 0, unschedulable: 0 }));
  });
});

describe('backoff', () => {
  test('backoff is 1 s, then doubles per attempt, and stops at 10 s', hint('initialBackoffMs × 2^(attempts-1), capped at maxBackoffMs'), () => {
    const { q } = setup();
    q.add(pod('a'));
    const p = q.pop()!;
    const got = [1, 2, 3, 4, 5, 6, 10].map((attempts) => q.backoffDuration({ ...p, attempts }));
    expect(show(got), 'backoffDuration for attempts 1, 2, 3, 4, 5, 6, 10').toBe(show([1000, 2000, 4000, 8000, 10000, 10000, 10000]));
  });

  test('a failed pod waits among the unschedulable until something changes', hint('addUnschedulableIfNotPresent: with no move request since its cycle, where does it go?'), () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q);
    expect(q.where('default/a'), 'where(a) after it failed').toBe('unschedulable');
    clock.t += 60_000;
    q.flushBackoffCompleted();
    expect(q.pop(), 'pop() a minute later, with no event').toBeUndefined();
  });

  test('a node added after the backoff has run out sends the pod straight to active', hint('moveAllToActiveOrBackoff: is the pod still backing off?'), () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q);
    clock.t += 1_500;
    q.moveAllToActiveOrBackoff('NodeAdd');
    expect(q.where('default/a'), 'where(a) after NodeAdd, 1.5 s after its first failure').toBe('active');
  });

  test('an event during the backoff sends the pod to backoff; it becomes active when the backoff ends', hint('timestamp + backoffDuration > now() means still backing off; flushBackoffCompleted moves it when it ends'), () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q);
    clock.t += 5_000;
    q.moveAllToActiveOrBackoff('NodeAdd');
    popAndFail(q); // the second attempt fails too: 2 s of backoff from now
    clock.t += 500;
    q.moveAllToActiveOrBackoff('NodeAdd');
    expect(q.where('default/a'), 'where(a) after NodeAdd 0.5 s into a 2 s backoff').toBe('backoff');
    expect(q.nextBackoffExpiry(), 'nextBackoffExpiry()').toBe(clock.t - 500 + 2_000);
    clock.t += 1_000;
    q.flushBackoffCompleted();
    expect(q.where('default/a'), 'where(a) 1.5 s into the backoff').toBe('backoff');
    clock.t += 500;
    q.flushBackoffCompleted();
    expect(q.where('default/a'), 'where(a) when the 2 s have passed').toBe('active');
  });
});

describe('moving unschedulable pods back', () => {
  test('a pod deleted from a node helps a pod short of cpu, but not a pod stopped by a taint', hint('Compare PLUGINS_INTERESTED_IN[event] with the pod\'s unschedulablePlugins'), () => {
    const { clock, q } = setup();
    q.add(pod('needs-cpu'));
    q.add(pod('tainted-out'));
    popAndFail(q, ['NodeResourcesFit']);
    popAndFail(q, ['TaintToleration']);
    clock.t += 20_000;
    q.moveAllToActiveOrBackoff('AssignedPodDelete');
    expect(q.where('default/needs-cpu'), 'where(needs-cpu) after AssignedPodDelete').toBe('active');
    expect(q.where('default/tainted-out'), 'where(tainted-out) after AssignedPodDelete').toBe('unschedulable');
    q.moveAllToActiveOrBackoff('NodeUpdate');
    expect(q.where('default/tainted-out'), 'where(tainted-out) after NodeUpdate').toBe('active');
  });

  test('a pod that failed with no plugin named (an error) moves on any event', () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q, []);
    clock.t += 20_000;
    q.moveAllToActiveOrBackoff('AssignedPodDelete');
    expect(q.where('default/a'), 'where(a) after AssignedPodDelete').toBe('active');
  });

  test('an event while a pod is being scheduled is not lost: the pod goes to backoff, not unschedulable', hint('Remember the scheduling cycle of the last move request; compare it with the failed pod\'s cycle'), () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    const p = q.pop()!;
    const cycle = q.schedulingCycle();
    q.moveAllToActiveOrBackoff('NodeAdd'); // a node arrives while pod a is being filtered
    p.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(p, cycle);
    expect(q.where('default/a'), 'where(a): it failed in a cycle during which a node was added').toBe('backoff');
    clock.t += 1_000;
    q.flushBackoffCompleted();
    expect(q.where('default/a'), 'where(a) once its 1 s backoff ended').toBe('active');
  });

  test('a pod left unschedulable for more than 5 minutes is retried anyway', hint('flushUnschedulableLeftover compares now() - timestamp with maxUnschedulableMs'), () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q);
    clock.t += 4 * 60_000;
    q.flushUnschedulableLeftover();
    expect(q.where('default/a'), 'where(a) after 4 minutes').toBe('unschedulable');
    clock.t += 61_000;
    q.flushUnschedulableLeftover();
    expect(q.where('default/a'), 'where(a) after 5 minutes and 1 second').toBe('active');
  });

  test('an update to an unschedulable pod gives it another chance', () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q);
    clock.t += 5_000;
    q.update(pod('a', { cpu: '100m' }));
    expect(q.where('default/a'), 'where(a) after update').toBe('active');
    expect(q.pop()!.podInfo.requests.milliCPU, 'the popped pod is the updated one').toBe(100);
  });

  test('addUnschedulableIfNotPresent leaves a pod that is already queued alone', () => {
    const { q } = setup();
    q.add(pod('a'));
    const p = q.pop()!;
    q.add(pod('a'));
    q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
    expect(q.where('default/a'), 'where(a): re-added, then reported unschedulable').toBe('active');
    expect(show(q.lengths()), 'lengths()').toBe(show({ active: 1, backoff: 0, unschedulable: 0 }));
  });
});

test('whatever happens, each pod waits in at most one queue, and every pod comes out once the cluster changes and time passes', ({ task }) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom('a', 'b', 'c', 'd', 'e'), priority: fc.constantFrom(0, 10) }),
    fc.record({ kind: fc.constant('popFail' as const), plugin: fc.constantFrom('NodeResourcesFit', 'TaintToleration', 'NodeAffinity') }),
    fc.record({ kind: fc.constant('event' as const), event: fc.constantFrom('NodeAdd' as const, 'NodeUpdate' as const, 'AssignedPodDelete' as const) }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
    fc.record({ kind: fc.constant('delete' as const), name: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { clock, q } = setup();
      const present = new Set<string>();
      for (const o of ops) {
        if (o.kind === 'add') {
          q.add(pod(o.name, { priority: o.priority }));
          present.add(`default/${o.name}`);
        } else if (o.kind === 'popFail') {
          const p = q.pop();
          if (p) {
            p.unschedulablePlugins = new Set([o.plugin]);
            q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
          }
        } else if (o.kind === 'event') q.moveAllToActiveOrBackoff(o.event);
        else if (o.kind === 'tick') {
          clock.t += o.ms;
          q.flushBackoffCompleted();
        } else {
          q.delete(`default/${o.name}`);
          present.delete(`default/${o.name}`);
        }
        const l = q.lengths();
        expect(l.active + l.backoff + l.unschedulable, `pods queued after ${show(ops.slice(0, ops.indexOf(o) + 1))}`).toBe(present.size);
        for (const key of present) expect(q.where(key), `where(${key})`).toBeDefined();
      }
      q.moveAllToActiveOrBackoff('NodeAdd');
      clock.t += 10_000;
      q.flushBackoffCompleted();
      const out = popAll(q).map((n) => `default/${n}`);
      expect(show(out.sort()), `after NodeAdd and 10 s, pop() until empty, following ${show(ops)}`).toBe(show([...present].sort()));
    }),
    { seed: useSeed(task), numRuns: 150 },
  );
});

// Pinned apart from the rest: add() of a pod already queued starts it afresh. kube-scheduler's
// PriorityQueue.Add makes a new QueuedPodInfo (0 attempts, timestamp now) and moveToActiveQ takes
// the pod out of backoff and unschedulable (pkg/scheduler/backend/queue/scheduling_queue.go). The
// stub said so; the reference used to keep the old attempts, and no test decided.
describe('add() of a pod already queued', () => {
  test('starts it afresh in active: 0 attempts, so its next backoff is 1 s again', hint('add() makes a new entry for the pod: how many attempts has a new entry made?'), () => {
    const { clock, q } = setup();
    q.add(pod('a'));
    popAndFail(q);
    clock.t += 2_000;
    q.moveAllToActiveOrBackoff('NodeAdd');
    popAndFail(q);
    expect(q.where('default/a'), 'where(a) after two failed attempts').toBe('unschedulable');
    clock.t += 1_000;
    q.add(pod('a'));
    expect(q.where('default/a'), 'where(a) after add() again').toBe('active');
    const again = q.pop()!;
    expect(again.attempts, 'attempts of a after add() again and one pop').toBe(1);
    expect(q.backoffDuration(again), 'its backoff after that one attempt').toBe(1_000);
  });
});
