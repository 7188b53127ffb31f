/**
 * Hidden suite for 05-kubelet/03-restarts: the back-off (client-go flowcontrol.Backoff:
 * doubling, the cap, per key, forgotten after 2 × max) and CrashLoopBackOff as a crashing
 * container meets it on a clock. After upstream's client-go
 * util/flowcontrol/backoff_test.go (TestSlowBackoff, TestBackoffReset, TestBackoffHighWaterMark,
 * TestBackoffGC, TestIsInBackOffSinceUpdate) and pkg/kubelet/kuberuntime/
 * kuberuntime_manager_test.go (TestDoBackOff).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Backoff, RuntimeContainerStatus } from '#engine/kubelet/exercises.ts';
import type { Pod } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { container, pod, rc, runtime } from './make.ts';

const k = await loadComponent('kubelet');
const S = 1000;

describe('the back-off (flowcontrol.Backoff)', () => {
  const setup = () => {
    const clock = { t: 1_000_000 };
    return { clock, b: k.newBackoff(10 * S, 300 * S, () => clock.t) };
  };

  test('each next() doubles the delay from 10 s, and it never goes past 300 s', hint('min(delay × 2, max): is yours capped?'), () => {
    const { clock, b } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.next('app', clock.t);
      delays.push(b.get('app') / S);
      clock.t += S;
    }
    expect(delays, 'get() after each of 8 next() calls a second apart (seconds)').toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
    expect(b.get('other'), 'get() of a key never seen').toBe(0);
  });

  test('each key has its own delay', hint('Keep a map of entries by key, not one delay for all'), () => {
    const { clock, b } = setup();
    b.next('a', clock.t);
    b.next('a', clock.t);
    b.next('b', clock.t);
    expect(show({ a: b.get('a'), b: b.get('b') }), 'a failed twice, b once').toBe(show({ a: 20 * S, b: 10 * S }));
  });

  test('in back-off while less than the delay has passed since the event', hint('now() - eventTime < delay: strictly less'), () => {
    const { clock, b } = setup();
    const crash = clock.t;
    b.next('app', crash);
    expect(b.isInBackOffSince('app', crash), 'at once after the crash, delay 10 s').toBe(true);
    clock.t = crash + 10 * S - 1;
    expect(b.isInBackOffSince('app', crash), '9.999 s after the crash').toBe(true);
    clock.t = crash + 10 * S;
    expect(b.isInBackOffSince('app', crash), 'exactly 10 s after the crash').toBe(false);
    expect(b.isInBackOffSince('unknown', crash), 'a key never seen').toBe(false);
  });

  test('a key quiet for more than twice the maximum (10 min) starts over at 10 s', hint('hasExpired: eventTime - lastUpdate > 2 × max; next() then starts from the initial delay'), () => {
    const { clock, b } = setup();
    for (let i = 0; i < 5; i++) b.next('app', clock.t);
    expect(b.get('app'), 'after 5 failures').toBe(160 * S);
    const last = clock.t;
    clock.t = last + 600 * S;
    b.next('app', clock.t);
    expect(b.get('app'), 'a failure exactly 10 min after the last update').toBe(300 * S);
    const again = clock.t;
    clock.t = again + 600 * S + 1;
    expect(b.isInBackOffSince('app', clock.t), 'an event 10 min and 1 ms after the last update, asked at once').toBe(false);
    b.next('app', clock.t);
    expect(b.get('app'), 'a failure 10 min and 1 ms after the last update').toBe(10 * S);
  });

  test('reset() forgets a key; gc() forgets the keys quiet for more than 10 min, and only those', () => {
    const { clock, b } = setup();
    b.next('old', clock.t);
    b.next('gone', clock.t);
    b.reset('gone');
    expect(b.get('gone'), 'after reset').toBe(0);
    clock.t += 400 * S;
    b.next('young', clock.t);
    clock.t += 201 * S;
    b.gc();
    expect(show({ old: b.get('old'), young: b.get('young') }), "gc() 601 s after old's update and 201 s after young's").toBe(show({ old: 0, young: 10 * S }));
  });
});

describe('CrashLoopBackOff (doBackOff)', () => {
  /**
   * A container that runs `runFor` ms and crashes, with the kubelet syncing every second: each sync
   * calls doBackOff and starts the container when it is not in back-off. Returns how long each
   * restart waited after its crash (seconds), and the messages seen.
   */
  function crashLoop(restarts: number, runFor = S) {
    const clock = { t: Date.parse('2024-01-01T00:00:00Z') };
    const b = k.newBackoff(10 * S, 300 * S, () => clock.t);
    const p = pod('web');
    const app = container('app');
    let instance = 0;
    let crashedAt = clock.t + runFor;
    const history: RuntimeContainerStatus[] = [rc('app', 'exited', { id: 'c0', exitCode: 1 })];
    history[0]!.createdAt = clock.t;
    history[0]!.startedAt = clock.t;
    history[0]!.finishedAt = crashedAt;
    const waits: number[] = [];
    const messages = new Set<string>();
    clock.t = crashedAt;
    while (waits.length < restarts) {
      const decision = k.doBackOff(p, app, { uid: 'uid-web', name: 'web', namespace: 'default', sandboxes: [], containers: [...history].reverse() }, b);
      if (decision.inBackOff) {
        messages.add(`${decision.reason}: ${decision.message}`);
        clock.t += S;
        continue;
      }
      waits.push((clock.t - crashedAt) / S);
      instance++;
      const started = clock.t;
      crashedAt = started + runFor;
      history.push({ ...rc('app', 'exited', { id: `c${instance}`, exitCode: 1, restartCount: instance }), createdAt: started, startedAt: started, finishedAt: crashedAt });
      clock.t = crashedAt;
    }
    return { waits, messages: [...messages] };
  }

  test('the first restart is at once, then 10 s, 20 s, 40 s ... up to 5 min', hint('doBackOff: not in back-off → backoff.next(key, finishedAt) and start; in back-off → wait'), () => {
    const { waits } = crashLoop(9);
    expect(waits, 'seconds from each crash to the restart, for a container that crashes 1 s after each start').toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  test(
    "while it waits, the reason is CrashLoopBackOff with upstream's message",
    hint('"back-off 1m20s restarting failed container=app pod=web_default(uid-web)": goDuration and pod name_namespace(uid)'),
    () => {
      const { messages } = crashLoop(5);
      expect(messages, 'the distinct reasons and messages seen while waiting').toEqual([
        'CrashLoopBackOff: back-off 10s restarting failed container=app pod=web_default(uid-web)',
        'CrashLoopBackOff: back-off 20s restarting failed container=app pod=web_default(uid-web)',
        'CrashLoopBackOff: back-off 40s restarting failed container=app pod=web_default(uid-web)',
        'CrashLoopBackOff: back-off 1m20s restarting failed container=app pod=web_default(uid-web)',
      ]);
    },
  );

  test(
    'a container that ran for more than 10 minutes before crashing is restarted at once, and its next delay is 10 s again',
    hint('Count from finishedAt: a crash more than 2 × max after the last update starts over'),
    () => {
      const { waits } = crashLoop(4, 11 * 60 * S);
      expect(waits, 'seconds from each crash to the restart, for a container that runs 11 min each time').toEqual([0, 0, 0, 0]);
    },
  );

  test('nothing exited yet: no back-off, and nothing recorded', () => {
    const b: Backoff = k.newBackoff(10 * S, 300 * S, () => 0);
    const p = pod('web');
    expect(k.doBackOff(p, container('app'), runtime(p, [rc('app', 'running')]), b).inBackOff, 'app running').toBe(false);
    expect(k.doBackOff(p, container('app'), runtime(p, []), b).inBackOff, 'app never created').toBe(false);
  });

  test(
    "only this container's own exited instance counts: another container's crash, or its own running instance, records nothing",
    hint("doBackOff: find the first instance with this container's name AND state exited; none → not in back-off, and do not call next()"),
    () => {
      // Upstream kuberuntime_container.go doBackOff: `if c.Name == container.Name && c.State ==
      // kubecontainer.ContainerStateExited`; no such instance → false without touching the back-off.
      const clock = { t: 1_000_000 };
      const b = k.newBackoff(10 * S, 300 * S, () => clock.t);
      const p = pod('web', { containers: [container('app'), container('log')] });
      const crashedApp = { ...rc('app', 'exited', { id: 'app-1', exitCode: 1 }), createdAt: clock.t - 2 * S, startedAt: clock.t - 2 * S, finishedAt: clock.t };
      const runningLog = { ...rc('log', 'running', { id: 'log-1' }), createdAt: clock.t - 3 * S, startedAt: clock.t - 3 * S };
      const rt = { uid: 'uid-web', name: 'web', namespace: 'default', sandboxes: [], containers: [crashedApp, runningLog] };
      const seen = [1, 2, 3].map((n) => `sync ${n}: ${k.doBackOff(p, container('log'), rt, b).inBackOff}`);
      expect(seen, 'doBackOff(log) on three syncs, while log runs and app (listed first, newest) has just crashed').toEqual(['sync 1: false', 'sync 2: false', 'sync 3: false']);
    },
  );

  test('a new pod with the same name, or another container, does not inherit the back-off', hint('The key is pod name, namespace, uid, container name and definition'), () => {
    const clock = { t: 1_000_000 };
    const b = k.newBackoff(10 * S, 300 * S, () => clock.t);
    const crashed = (q: Pod, name: string) => runtime(q, [{ ...rc(name, 'exited', { exitCode: 1 }), finishedAt: clock.t }]);
    const first = pod('web', { uid: 'uid-1', containers: [container('app'), container('log')] });
    k.doBackOff(first, container('app'), crashed(first, 'app'), b);
    expect(k.doBackOff(first, container('app'), crashed(first, 'app'), b).inBackOff, 'app of web (uid-1) crashed again at once').toBe(true);
    expect(k.doBackOff(first, container('log'), crashed(first, 'log'), b).inBackOff, 'log of the same pod, first crash').toBe(false);
    const second = pod('web', { uid: 'uid-2' });
    expect(k.doBackOff(second, container('app'), crashed(second, 'app'), b).inBackOff, 'app of a new pod web (uid-2), first crash').toBe(false);
  });
});
