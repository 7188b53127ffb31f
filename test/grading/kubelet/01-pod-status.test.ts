/**
 * Hidden suite for 05-kubelet/01-pod-status: the restart policy (ShouldContainerBeRestarted), the
 * phase (init containers, sidecars, restartPolicy, a terminal pod), the container statuses
 * (waiting reasons, restartCount from the newest instance, lastState, started and ready from the
 * probes) and the conditions with their transition times.
 * After upstream's pkg/kubelet/container/helpers_test.go (TestShouldContainerBeRestarted),
 * pkg/kubelet/kubelet_pods_test.go (TestPodPhaseWithRestartAlways,
 * TestPodPhaseWithRestartNever, TestPodPhaseWithRestartOnFailure,
 * TestPodPhaseWithRestartAlwaysInitContainers, TestPodPhaseWithRestartAlwaysRestartableInitContainers,
 * TestConvertToAPIContainerStatuses, TestGenerateAPIPodStatusWithReasonCache) and
 * pkg/kubelet/status/generate_test.go (TestGenerateContainersReadyCondition,
 * TestGeneratePodInitializedCondition).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { ApiContainerStatus, PodStatusInput, ProbeResult, RuntimeContainerStatus } from '#engine/kubelet/exercises.ts';
import type { Condition, Pod } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { NOW, ago, container, pod, rc, results, runtime, sandbox, sidecar, stateOf } from './make.ts';

const k = await loadComponent('kubelet');

const running = (name: string, o: Partial<ApiContainerStatus> = {}): ApiContainerStatus => ({ name, ready: true, started: true, restartCount: 0, state: { running: { startedAt: ago(60) } }, ...o });
const exited = (name: string, exitCode: number, o: Partial<ApiContainerStatus> = {}): ApiContainerStatus => ({
  name,
  ready: false,
  started: false,
  restartCount: 0,
  state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed' } },
  ...o,
});
const waiting = (name: string, reason: string, lastExit?: number): ApiContainerStatus => ({
  name,
  ready: false,
  started: false,
  restartCount: lastExit === undefined ? 0 : 1,
  state: { waiting: { reason } },
  ...(lastExit === undefined ? {} : { lastState: { terminated: { exitCode: lastExit, reason: lastExit ? 'Error' : 'Completed' } } }),
});

function input(p: Pod, rt: ReturnType<typeof runtime>, o: Partial<PodStatusInput> & { probes?: Record<string, ProbeResult>; startupProbes?: Record<string, ProbeResult> } = {}): PodStatusInput {
  return {
    pod: p,
    runtime: rt,
    startup: results(o.startupProbes ?? {}),
    readiness: results(o.probes ?? {}),
    waitingReasons: o.waitingReasons ?? new Map(),
    podIsTerminal: o.podIsTerminal ?? false,
    hostIP: '127.0.0.1',
    now: o.now ?? NOW,
  };
}
const byType = (cs: Condition[] | undefined) => Object.fromEntries((cs ?? []).map((c) => [c.type, `${c.status}${c.reason ? ` ${c.reason}` : ''}`]));

describe('the restart policy (ShouldContainerBeRestarted)', () => {
  const p = (restartPolicy?: 'Always' | 'OnFailure' | 'Never') => pod('web', { restartPolicy });
  const verdict = (q: Pod, status?: RuntimeContainerStatus) => k.shouldContainerBeRestarted(container('app'), q, runtime(q, status ? [status] : []));

  test('an exited container: Always restarts it, OnFailure only after a non-zero exit code, Never not at all', hint('restartPolicy absent means Always; OnFailure looks at the exit code'), () => {
    const table = ['Always', 'OnFailure', 'Never', undefined].map((policy) => {
      const q = p(policy as 'Always' | undefined);
      return `${policy ?? '(none)'}: exit 0 → ${verdict(q, rc('app', 'exited', { exitCode: 0 }))}, exit 1 → ${verdict(q, rc('app', 'exited', { exitCode: 1 }))}`;
    });
    expect(table, 'the verdicts for each policy and exit code').toEqual([
      'Always: exit 0 → true, exit 1 → true',
      'OnFailure: exit 0 → false, exit 1 → true',
      'Never: exit 0 → false, exit 1 → false',
      '(none): exit 0 → true, exit 1 → true',
    ]);
  });

  test('never started: start it; running: leave it; created or unknown: start it, whatever the policy', () => {
    const never = p('Never');
    expect(verdict(never), 'no instance in the runtime, Never').toBe(true);
    expect(verdict(p('Always'), rc('app', 'running')), 'running, Always').toBe(false);
    expect(verdict(never, rc('app', 'created')), 'created, Never').toBe(true);
    expect(verdict(never, rc('app', 'unknown')), 'unknown, Never').toBe(true);
  });

  test('a pod being deleted restarts nothing; a sidecar is restarted even under Never', hint("Check deletionTimestamp first; a sidecar ignores the pod's restartPolicy"), () => {
    const deleting = pod('web', { deleting: true });
    expect(k.shouldContainerBeRestarted(container('app'), deleting, runtime(deleting, [rc('app', 'exited', { exitCode: 1 })])), 'exit 1, Always, pod being deleted').toBe(false);
    expect(k.shouldContainerBeRestarted(container('app'), deleting, runtime(deleting, [])), 'never started, pod being deleted').toBe(false);
    const q = pod('job', { restartPolicy: 'Never', initContainers: [sidecar('proxy')] });
    expect(k.shouldContainerBeRestarted(sidecar('proxy'), q, runtime(q, [rc('proxy', 'exited', { exitCode: 0 })])), 'sidecar exited 0, Never').toBe(true);
  });

  test('only the newest instance counts', () => {
    const q = p('OnFailure');
    const rt = runtime(q, [rc('app', 'exited', { at: 300, exitCode: 1 }), rc('app', 'exited', { at: 100, exitCode: 0 })]);
    expect(k.shouldContainerBeRestarted(container('app'), q, rt), 'OnFailure: an old instance exited 1, the newest exited 0').toBe(false);
  });
});

describe('the phase (getPhase)', () => {
  test(
    'an init container still running keeps the pod Pending, whatever the restartPolicy',
    hint('Regular init containers run before anything else: while one runs or waits, the pod is Pending'),
    () => {
      const p = pod('web', { initContainers: [container('migrate')], containers: [container('app')] });
      const statuses = [running('migrate'), waiting('app', 'PodInitializing')];
      expect(k.getPhase(p, statuses, false), 'init container migrate running, app waiting (PodInitializing), restartPolicy Always').toBe('Pending');
      const onlyInitRunning = [running('migrate'), running('app')];
      expect(k.getPhase(p, onlyInitRunning, false), 'init container migrate running, app (somehow) running too').toBe('Pending');
    },
  );

  test('init containers done and the app running: Running', () => {
    const p = pod('web', { initContainers: [container('migrate')], containers: [container('app')] });
    expect(k.getPhase(p, [exited('migrate', 0), running('app')], false), 'migrate exited 0, app running').toBe('Running');
  });

  test(
    'an init container that failed: Failed under Never; Pending while it is retried otherwise',
    hint('failedInitialization with restartPolicy Never is Failed before anything else is counted'),
    () => {
      const statuses = [exited('migrate', 1), waiting('app', 'PodInitializing')];
      const never = pod('web', { initContainers: [container('migrate')], restartPolicy: 'Never' });
      const always = pod('web', { initContainers: [container('migrate')], restartPolicy: 'Always' });
      expect(k.getPhase(never, statuses, false), 'migrate exited 1, restartPolicy Never').toBe('Failed');
      expect(k.getPhase(always, statuses, false), 'migrate exited 1, restartPolicy Always').toBe('Pending');
      const crashLooping = [waiting('migrate', 'CrashLoopBackOff', 1), waiting('app', 'PodInitializing')];
      expect(k.getPhase(never, crashLooping, false), 'migrate waiting after exiting 1, restartPolicy Never').toBe('Failed');
    },
  );

  test(
    'a sidecar keeps the pod Pending until it has started, and not after the app containers ran',
    hint('A sidecar counts as pending while running but not started, only before any app container has run'),
    () => {
      const p = pod('web', { initContainers: [sidecar('proxy')], containers: [container('app')] });
      expect(k.getPhase(p, [running('proxy', { started: false }), waiting('app', 'PodInitializing')], false), 'sidecar running, not started; app waiting').toBe('Pending');
      expect(k.getPhase(p, [running('proxy', { started: false }), running('app')], false), 'sidecar restarted (not started yet), app running').toBe('Running');
      expect(k.getPhase(p, [running('proxy'), exited('app', 0)], false), 'sidecar running, app exited 0, restartPolicy Always').toBe('Running');
    },
  );

  test('all app containers exited 0: Succeeded under Never and OnFailure, Running under Always', hint('Under Always, exited containers are about to be restarted: the pod is still Running'), () => {
    const statuses = [exited('a', 0), exited('b', 0)];
    const two = (restartPolicy: 'Always' | 'OnFailure' | 'Never') => pod('job', { containers: [container('a'), container('b')], restartPolicy });
    expect(k.getPhase(two('Never'), statuses, false), 'a and b exited 0, Never').toBe('Succeeded');
    expect(k.getPhase(two('OnFailure'), statuses, false), 'a and b exited 0, OnFailure').toBe('Succeeded');
    expect(k.getPhase(two('Always'), statuses, false), 'a and b exited 0, Always').toBe('Running');
  });

  test('one container failed, one succeeded: Failed under Never, Running under OnFailure (it will be retried)', () => {
    const statuses = [exited('a', 0), exited('b', 2)];
    const two = (restartPolicy: 'OnFailure' | 'Never') => pod('job', { containers: [container('a'), container('b')], restartPolicy });
    expect(k.getPhase(two('Never'), statuses, false), 'a exited 0, b exited 2, Never').toBe('Failed');
    expect(k.getPhase(two('OnFailure'), statuses, false), 'a exited 0, b exited 2, OnFailure').toBe('Running');
  });

  test(
    'a container waiting after a crash (CrashLoopBackOff) counts as stopped, not waiting: the pod stays Running',
    hint('Waiting with a terminated lastState means it ran: count it as stopped'),
    () => {
      const p = pod('web', { containers: [container('app')] });
      expect(k.getPhase(p, [waiting('app', 'CrashLoopBackOff', 1)], false), 'app waiting in CrashLoopBackOff after exiting 1, Always').toBe('Running');
      expect(k.getPhase(p, [waiting('app', 'ContainerCreating')], false), 'app waiting, never ran').toBe('Pending');
    },
  );

  test('a terminal pod is Succeeded or Failed whatever the policy; a container with no status keeps it Pending', () => {
    const two = pod('web', { containers: [container('a'), container('b')] });
    expect(k.getPhase(two, [exited('a', 0), exited('b', 0)], true), 'podIsTerminal, both exited 0, Always').toBe('Succeeded');
    expect(k.getPhase(two, [exited('a', 0), exited('b', 137)], true), 'podIsTerminal, b exited 137, Always').toBe('Failed');
    expect(k.getPhase(two, [running('a')], false), 'a running, b has no status').toBe('Pending');
  });

  // kubelet_pods.go getPhase: the regular init containers, the sidecars and the app containers each counted as the stub lists.
  test(
    'regular init containers: one with no status, or waiting to run, keeps the pod Pending; one that exited 0 is done, even under Never',
    hint('An init container is pending when missing, running, or waiting without a terminated lastState; failed only with a non-zero exit code'),
    () => {
      const never = pod('web', { restartPolicy: 'Never', initContainers: [container('one'), container('two')], containers: [container('app')] });
      expect(k.getPhase(never, [exited('one', 0), exited('two', 0), running('app')], false), 'one and two exited 0, app running, Never').toBe('Running');
      expect(k.getPhase(never, [exited('one', 0), running('app')], false), 'one exited 0, two has no status, app (somehow) running').toBe('Pending');
      expect(k.getPhase(never, [exited('one', 0), waiting('two', 'PodInitializing'), running('app')], false), 'one exited 0, two waiting (never ran), app (somehow) running').toBe('Pending');
      expect(
        k.getPhase(never, [exited('one', 0), waiting('two', 'PodInitializing', 0), waiting('app', 'PodInitializing')], false),
        'one exited 0, two waiting again after exiting 0, app waiting',
      ).toBe('Pending');
    },
  );

  test(
    'sidecars: missing is unknown; terminated counts for nothing; waiting after a crash does not hold the pod, waiting to start for the first time does',
    hint('Count each sidecar: no status → unknown; running → running; terminated → neither; waiting without a terminated lastState → waiting'),
    () => {
      const p = pod('web', { initContainers: [sidecar('proxy')], containers: [container('app')] });
      expect(k.getPhase(p, [running('app')], false), 'app running, the sidecar proxy has no status').toBe('Pending');
      const two = pod('web', { initContainers: [sidecar('proxy')], containers: [container('a'), container('b')] });
      expect(k.getPhase(two, [running('a')], false), 'a running; b and the sidecar proxy have no status').toBe('Pending');
      const job = pod('job', { restartPolicy: 'Never', initContainers: [sidecar('proxy')], containers: [container('app')] });
      expect(k.getPhase(job, [exited('proxy', 143), exited('app', 0)], false), 'Never: app exited 0, then proxy stopped (exit 143)').toBe('Succeeded');
      expect(k.getPhase(job, [running('proxy'), exited('app', 0)], false), 'Never: app exited 0, proxy still running').toBe('Running');
      expect(k.getPhase(p, [waiting('proxy', 'CrashLoopBackOff', 1), running('app')], false), 'proxy waiting in CrashLoopBackOff after exiting 1, app running').toBe('Running');
      expect(k.getPhase(p, [waiting('proxy', 'ContainerCreating'), running('app')], false), 'proxy waiting to be created again (no lastState), app running').toBe('Pending');
    },
  );

  test(
    'Running needs nothing unknown; Succeeded or Failed needs nothing running and nothing unknown',
    hint('running > 0 && unknown === 0 → Running; running === 0 && stopped > 0 && unknown === 0 → the terminal rules; else Pending'),
    () => {
      const three = pod('job', { restartPolicy: 'Never', containers: [container('a'), container('b'), container('c')] });
      expect(k.getPhase(three, [exited('a', 0), exited('b', 0)], false), 'Never: a and b exited 0, c has no status').toBe('Pending');
      expect(k.getPhase(three, [running('a'), exited('b', 0)], false), 'Never: a running, b exited 0, c has no status').toBe('Pending');
      expect(k.getPhase(three, [running('a'), exited('b', 0), waiting('c', 'ContainerCreating')], false), 'Never: a running, b exited 0, c waiting to be created').toBe('Pending');
    },
  );
});

describe('container statuses (convertToAPIContainerStatuses)', () => {
  test(
    'a container never created waits as ContainerCreating, or PodInitializing when the pod has init containers',
    hint('The default waiting reason depends on whether the pod has init containers'),
    () => {
      const plain = pod('web');
      expect(stateOf(k.containerStatuses(input(plain, runtime(plain, [])), 'app')[0]), 'pod without init containers, nothing created').toBe('waiting:ContainerCreating');
      const withInit = pod('web', { initContainers: [container('migrate')] });
      const got = k.containerStatuses(input(withInit, runtime(withInit, [rc('migrate', 'running')])), 'app');
      expect(stateOf(got[0]), 'app container of a pod whose init container runs').toBe('waiting:PodInitializing');
    },
  );

  test(
    'state, containerID, image and restartCount come from the newest instance; restartCount is not the number of instances',
    hint('Old instances may have been removed: read restartCount from the newest instance'),
    () => {
      const p = pod('web');
      const rt = runtime(p, [rc('app', 'running', { id: 'c9', restartCount: 3, imageId: 'sha256:abc' })]);
      const [got] = k.containerStatuses(input(p, rt), 'app');
      expect(show({ state: stateOf(got), containerID: got?.containerID, restartCount: got?.restartCount, imageID: got?.imageID }), 'one running instance created as restart number 3').toBe(
        show({ state: 'running', containerID: 'kubelings://c9', restartCount: 3, imageID: 'sha256:abc' }),
      );
    },
  );

  test('the previous instance becomes lastState; older ones are ignored', hint('Newest first: the first of a name is the state, the second the lastState'), () => {
    const p = pod('web');
    const rt = runtime(p, [
      rc('app', 'exited', { at: 300, exitCode: 1, restartCount: 0 }),
      rc('app', 'exited', { at: 200, exitCode: 137, restartCount: 1, reason: 'OOMKilled' }),
      rc('app', 'running', { at: 100, restartCount: 2 }),
    ]);
    const [got] = k.containerStatuses(input(p, rt), 'app');
    expect(
      show({ state: stateOf(got), last: got?.lastState?.terminated?.exitCode, reason: got?.lastState?.terminated?.reason, restartCount: got?.restartCount }),
      'running (attempt 2) after OOMKilled (attempt 1) and exit 1 (attempt 0)',
    ).toBe(show({ state: 'running', last: 137, reason: 'OOMKilled', restartCount: 2 }));
  });

  test(
    'a CrashLoopBackOff reason shows as the waiting state with the crash as lastState, only if the container will be restarted',
    hint('Only a container that shouldContainerBeRestarted waits; under Never it stays terminated'),
    () => {
      const reasons = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_default(uid-web)' }]]);
      const always = pod('web');
      const [got] = k.containerStatuses(input(always, runtime(always, [rc('app', 'exited', { exitCode: 1, restartCount: 2 })]), { waitingReasons: reasons }), 'app');
      expect(show({ state: stateOf(got), message: got?.state?.waiting?.message, last: stateOf({ ...got!, state: got?.lastState }) }), 'app exited 1 and the last sync found it in back-off').toBe(
        show({ state: 'waiting:CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_default(uid-web)', last: 'terminated:Error(1)' }),
      );
      const never = pod('web', { restartPolicy: 'Never' });
      const [kept] = k.containerStatuses(input(never, runtime(never, [rc('app', 'exited', { exitCode: 1 })]), { waitingReasons: reasons }), 'app');
      expect(stateOf(kept), 'the same under restartPolicy Never').toBe('terminated:Error(1)');
    },
  );

  test(
    'started and ready follow the probes: no probe means ready once running; a probe must have said success',
    hint('ready = started && (no readinessProbe || readiness result is success); started likewise with the startup probe'),
    () => {
      const probe = { httpGet: { port: 80 } };
      const p = pod('web', { containers: [container('plain'), container('checked', { readinessProbe: probe }), container('slow', { startupProbe: probe, readinessProbe: probe })] });
      const rt = runtime(p, [rc('plain', 'running', { id: 'p1' }), rc('checked', 'running', { id: 'c1' }), rc('slow', 'running', { id: 's1' })]);
      const view = (probes: Record<string, ProbeResult>, startupProbes: Record<string, ProbeResult>) =>
        show(k.containerStatuses(input(p, rt, { probes, startupProbes }), 'app').map((s) => `${s.name} started=${s.started} ready=${s.ready}`));
      expect(view({}, {}), 'three running containers, no probe result yet').toBe(show(['plain started=true ready=true', 'checked started=true ready=false', 'slow started=false ready=false']));
      expect(view({ c1: 'success', s1: 'success' }, {}), "readiness success for checked and slow; slow's startup probe has not passed").toBe(
        show(['plain started=true ready=true', 'checked started=true ready=true', 'slow started=false ready=false']),
      );
      expect(view({ c1: 'failure', s1: 'success' }, { s1: 'success' }), 'checked fails readiness; slow passed both').toBe(
        show(['plain started=true ready=true', 'checked started=true ready=false', 'slow started=true ready=true']),
      );
    },
  );

  test('a container that is not running is neither started nor ready, whatever its last probe said', () => {
    const p = pod('web', { containers: [container('app', { readinessProbe: { tcpSocket: { port: 80 } } })] });
    const [got] = k.containerStatuses(input(p, runtime(p, [rc('app', 'exited', { id: 'a1', exitCode: 1 })]), { probes: { a1: 'success' } }), 'app');
    expect(show({ started: got?.started, ready: got?.ready }), 'app exited; its readiness result is still success').toBe(show({ started: false, ready: false }));
  });

  test('a regular init container that exited 0 is ready; a running sidecar is ready by its readiness probe', () => {
    const p = pod('web', { initContainers: [container('migrate'), sidecar('proxy', { readinessProbe: { tcpSocket: { port: 15000 } } })], containers: [container('app')] });
    const rt = runtime(p, [rc('migrate', 'exited', { at: 300 }), rc('proxy', 'running', { id: 'x1', at: 200 }), rc('app', 'running', { at: 100 })]);
    const view = (probes: Record<string, ProbeResult>) => show(k.containerStatuses(input(p, rt, { probes }), 'init').map((s) => `${s.name} ${stateOf(s)} ready=${s.ready}`));
    expect(view({}), 'migrate exited 0, proxy running with no readiness result').toBe(show(['migrate terminated:Completed(0) ready=true', 'proxy running ready=false']));
    expect(view({ x1: 'success' }), "proxy's readiness probe succeeded").toBe(show(['migrate terminated:Completed(0) ready=true', 'proxy running ready=true']));
  });

  test(
    'an old terminated status is kept when the runtime no longer has the container; otherwise its restartCount carries over',
    hint('Start each status from the old one: terminated kept whole, else restartCount and lastState'),
    () => {
      const old: ApiContainerStatus[] = [{ name: 'migrate', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
      const oldApp: ApiContainerStatus[] = [
        { name: 'app', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } },
      ];
      const p = pod('web', { initContainers: [container('migrate')], status: { initContainerStatuses: old, containerStatuses: oldApp } });
      const rt = runtime(p, []);
      expect(stateOf(k.containerStatuses(input(p, rt), 'init')[0]), 'migrate gone from the runtime, old status terminated 0').toBe('terminated:Completed(0)');
      const [app] = k.containerStatuses(input(p, rt), 'app');
      expect(show({ restartCount: app?.restartCount, last: app?.lastState?.terminated?.exitCode }), 'app gone from the runtime, old restartCount 4').toBe(show({ restartCount: 4, last: 2 }));
    },
  );

  test('each container starts from its own old status, found by name', hint("Look the old status up by the container's name"), () => {
    const old: ApiContainerStatus[] = [
      { name: 'a', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      { name: 'b', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ];
    const p = pod('web', { containers: [container('a'), container('b')], status: { containerStatuses: old } });
    const got = k.containerStatuses(input(p, runtime(p, [])), 'app');
    expect(
      got.map((s) => `${s.name} restartCount=${s.restartCount}`),
      'a (old restartCount 1) and b (old restartCount 7), both gone from the runtime',
    ).toEqual(['a restartCount=1', 'b restartCount=7']);
  });

  test(
    'the API state of each runtime state: running with its startedAt; terminated with exit code, reason, message, times and id; created or unknown waiting with no reason',
    hint('running → { startedAt }; exited → { exitCode, reason, message, startedAt, finishedAt, containerID }; created/unknown → { waiting: {} }'),
    () => {
      // kubelet_pods.go convertToAPIContainerStatuses: ContainerStateRunning → Running{StartedAt}; ContainerStateExited → Terminated{...};
      // ContainerStateCreated and the rest → Waiting{} (reasons come later from the reason cache).
      const p = pod('web', { containers: [container('run'), container('done'), container('new')] });
      const rt = runtime(p, [
        { ...rc('run', 'running', { id: 'r1', at: 300 }), startedAt: NOW - 250_000 },
        { ...rc('done', 'exited', { id: 'd1', at: 200, exitCode: 3, reason: 'Error', message: 'disk full' }), startedAt: NOW - 190_000, finishedAt: NOW - 120_000 },
        rc('new', 'created', { id: 'n1', at: 100 }),
      ]);
      const got = k.containerStatuses(input(p, rt), 'app');
      expect(show(got.map((s) => s.state)), 'the states of run (started 250 s ago), done (3, "disk full", ran from 190 s to 120 s ago) and new (created)').toBe(
        show([
          { running: { startedAt: ago(250) } },
          { terminated: { exitCode: 3, reason: 'Error', message: 'disk full', startedAt: ago(190), finishedAt: ago(120), containerID: 'kubelings://d1' } },
          { waiting: {} },
        ]),
      );
    },
  );

  test(
    'a waiting reason replaces the state, but only a terminated state moves to lastState',
    hint('Move the state to lastState only when it is terminated; a created instance keeps the lastState of the instance before it'),
    () => {
      const reasons = new Map([['app', { reason: 'RunContainerError', message: 'exec: "sh": not found' }]]);
      const p = pod('web');
      const rt = runtime(p, [rc('app', 'exited', { at: 200, exitCode: 1, restartCount: 0 }), rc('app', 'created', { at: 100, restartCount: 1 })]);
      const [got] = k.containerStatuses(input(p, rt, { waitingReasons: reasons }), 'app');
      expect(show({ state: stateOf(got), last: stateOf({ ...got!, state: got?.lastState }) }), 'app created but not started (RunContainerError); the instance before exited 1').toBe(
        show({ state: 'waiting:RunContainerError', last: 'terminated:Error(1)' }),
      );
    },
  );

  test(
    'waiting reasons: an app container that exited 0 under Always shows its back-off; a regular init container that exited 0 does not',
    hint('Skip the waiting reason for an init container whose newest instance exited 0; app containers follow shouldContainerBeRestarted'),
    () => {
      const backoff = { reason: 'CrashLoopBackOff', message: 'back-off 10s' };
      const app = pod('web');
      const [a] = k.containerStatuses(input(app, runtime(app, [rc('app', 'exited', { exitCode: 0 })]), { waitingReasons: new Map([['app', backoff]]) }), 'app');
      expect(stateOf(a), 'app exited 0 under Always, the last sync found it in back-off').toBe('waiting:CrashLoopBackOff');
      const p = pod('web', { initContainers: [container('setup'), container('migrate')], containers: [container('app')] });
      const reasons = new Map([
        ['setup', backoff],
        ['migrate', backoff],
      ]);
      const rt = runtime(p, [rc('setup', 'exited', { at: 300, exitCode: 0 }), rc('migrate', 'exited', { at: 200, exitCode: 1 })]);
      expect(
        k.containerStatuses(input(p, rt, { waitingReasons: reasons }), 'init').map((s) => `${s.name} ${stateOf(s)}`),
        'setup exited 0, migrate (newer) exited 1; both have a CrashLoopBackOff reason',
      ).toEqual(['setup terminated:Completed(0)', 'migrate waiting:CrashLoopBackOff']);
    },
  );
});

describe('the pod status (generateAPIPodStatus)', () => {
  test(
    'while an init container runs: Pending, Initialized False with its name, Ready False naming the unready app',
    hint('"containers with incomplete status: [migrate]" and "containers with unready status: [app]"'),
    () => {
      const p = pod('web', { initContainers: [container('migrate')], containers: [container('app')] });
      const got = k.generateAPIPodStatus(input(p, runtime(p, [rc('migrate', 'running')])));
      expect(got.phase, 'phase').toBe('Pending');
      expect(byType(got.conditions), 'conditions').toEqual({
        PodReadyToStartContainers: 'True',
        Initialized: 'False ContainersNotInitialized',
        Ready: 'False ContainersNotReady',
        ContainersReady: 'False ContainersNotReady',
        PodScheduled: 'True',
      });
      const message = (t: string) => got.conditions?.find((c) => c.type === t)?.message;
      expect(show([message('Initialized'), message('Ready'), message('ContainersReady')]), 'the messages of Initialized, Ready, ContainersReady').toBe(
        show(['containers with incomplete status: [migrate]', 'containers with unready status: [app]', 'containers with unready status: [app]']),
      );
      expect(
        got.conditions?.map((c) => c.type),
        'the order of the conditions',
      ).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    },
  );

  test("lastTransitionTime stays while a condition's status stays, and becomes now when it changes", hint('Compare with the old condition of the same type: same status, keep its time'), () => {
    const old: Condition[] = [
      { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: ago(500) },
      { type: 'Initialized', status: 'True', lastTransitionTime: ago(400) },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: ago(300) },
      { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: ago(300) },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: ago(600) },
    ];
    const p = pod('web', { status: { phase: 'Running', conditions: old, startTime: ago(550) } });
    const got = k.generateAPIPodStatus(input(p, runtime(p, [rc('app', 'running')])));
    const times = Object.fromEntries((got.conditions ?? []).map((c) => [c.type, c.lastTransitionTime]));
    expect(times, "each condition's lastTransitionTime after the app became ready").toEqual({
      PodReadyToStartContainers: ago(500),
      Initialized: ago(400),
      Ready: ago(0),
      ContainersReady: ago(0),
      PodScheduled: ago(600),
    });
    expect(got.startTime, 'startTime, set when the pod was first seen').toBe(ago(550));
  });

  test("the pod's IP comes from the newest sandbox, the host IP from the node; a new pod gets startTime now", () => {
    const p = pod('web');
    const got = k.generateAPIPodStatus(
      input(
        p,
        runtime(p, [rc('app', 'running')], [sandbox({ id: 'old', attempt: 0, state: 'notready', createdAt: NOW - 900_000, ip: '127.1.0.2' }), sandbox({ id: 'new', attempt: 1, ip: '127.1.0.9' })]),
      ),
    );
    expect(show({ podIP: got.podIP, podIPs: got.podIPs, hostIP: got.hostIP, startTime: got.startTime }), 'two sandboxes, the newest with 127.1.0.9').toBe(
      show({ podIP: '127.1.0.9', podIPs: [{ ip: '127.1.0.9' }], hostIP: '127.0.0.1', startTime: ago(0) }),
    );
  });

  test(
    'a pod that succeeded stays Succeeded; its Ready and ContainersReady say PodCompleted',
    hint('A terminal phase never goes back; ContainersReady of a Succeeded pod has reason PodCompleted'),
    () => {
      const p = pod('job', { restartPolicy: 'Never', status: { phase: 'Succeeded' } });
      const done = k.generateAPIPodStatus(input(p, runtime(p, [rc('app', 'exited')])));
      expect(byType(done.conditions), 'conditions of a finished Never pod').toMatchObject({ Ready: 'False PodCompleted', ContainersReady: 'False PodCompleted', Initialized: 'True PodCompleted' });
      const lost = k.generateAPIPodStatus(input(p, runtime(p, [])));
      expect(lost.phase, 'the same pod after its container was removed from the runtime').toBe('Succeeded');
    },
  );

  // pkg/kubelet/status/generate.go GeneratePodReadyCondition and generate_test.go TestGeneratePodReadyCondition.
  test(
    "readiness gates: Ready waits for each gate's condition to be True; ContainersReady does not",
    hint('Once the containers are ready, look up each spec.readinessGates[].conditionType among the conditions others set: missing or not True?'),
    () => {
      const gates = { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] };
      const lb = (status: Condition['status']): Condition => ({ type: 'example.com/lb', status, lastTransitionTime: ago(30) });
      const readyOf = (conditions: Condition[], state: 'running' | 'created' = 'running') => {
        const p = pod('web', { spec: gates, status: { conditions } });
        const got = k.generateAPIPodStatus(input(p, runtime(p, [rc('app', state)])));
        return { ready: got.conditions?.find((c) => c.type === 'Ready'), containers: got.conditions?.find((c) => c.type === 'ContainersReady') };
      };
      const none = readyOf([lb('False')]);
      expect(none.ready, 'Ready with gate lb False and gate dns missing').toMatchObject({
        type: 'Ready',
        status: 'False',
        reason: 'ReadinessGatesNotReady',
        message: 'the status of pod readiness gate "example.com/lb" is not "True", but False, corresponding condition of pod readiness gate "example.com/dns" does not exist.',
      });
      expect(none.containers?.status, 'ContainersReady with the containers ready (gates are not its business)').toBe('True');
      expect(readyOf([lb('True')]).ready?.message, 'Ready with gate lb True and gate dns missing').toBe('corresponding condition of pod readiness gate "example.com/dns" does not exist.');
      const both = readyOf([lb('True'), { type: 'example.com/dns', status: 'True' }]);
      expect([both.ready?.status, both.ready?.reason], 'Ready with both gates True').toEqual(['True', undefined]);
      const unready = readyOf([], 'created');
      expect([unready.ready?.status, unready.ready?.reason], 'Ready while the container has not started (gates missing too)').toEqual(['False', 'ContainersNotReady']);
      const ungated = k.generateAPIPodStatus(input(pod('plain'), runtime(pod('plain'), [rc('app', 'running')])));
      expect(ungated.conditions?.find((c) => c.type === 'Ready')?.status, 'Ready of a pod without gates').toBe('True');
    },
  );

  test(
    'PodReadyToStartContainers is True only for exactly one ready sandbox, the newest, with an IP',
    hint('Count the ready sandboxes (exactly 1), and check that the newest is ready and has an IP'),
    () => {
      // pkg/kubelet/status/generate.go GeneratePodReadyToStartContainersCondition with kuberuntime/util PodSandboxChanged.
      const p = pod('web');
      const cond = (sandboxes: ReturnType<typeof sandbox>[]) => byType(k.generateAPIPodStatus(input(p, runtime(p, [rc('app', 'running')], sandboxes))).conditions).PodReadyToStartContainers;
      const seen = {
        one: cond([sandbox({ id: 's1' })]),
        twoReady: cond([sandbox({ id: 's2', createdAt: NOW - 100_000 }), sandbox({ id: 's1' })]),
        oldNotReady: cond([sandbox({ id: 's2', createdAt: NOW - 100_000 }), sandbox({ id: 's1', state: 'notready' })]),
        newestNotReady: cond([sandbox({ id: 's2', createdAt: NOW - 100_000, state: 'notready' }), sandbox({ id: 's1' })]),
        noIp: cond([sandbox({ id: 's1', ip: undefined })]),
        none: cond([]),
      };
      expect(seen, 'PodReadyToStartContainers for each set of sandboxes').toEqual({ one: 'True', twoReady: 'False', oldNotReady: 'True', newestNotReady: 'False', noIp: 'False', none: 'False' });
    },
  );

  test(
    'Initialized: complete init containers (regular ones ready, sidecars started) make it True before any app container runs; an app container running makes it True whatever the sidecars do',
    hint('"containers with incomplete status: [...]" lists only the incomplete ones; once any app container runs or ran, Initialized is True'),
    () => {
      // pkg/kubelet/status/generate.go GeneratePodInitializedCondition.
      const p = pod('web', {
        initContainers: [container('setup'), sidecar('proxy', { startupProbe: { tcpSocket: { port: 15000 } } }), container('migrate')],
        containers: [container('a'), container('b')],
      });
      const init = (rt: ReturnType<typeof runtime>, startupProbes: Record<string, ProbeResult> = {}) => {
        const c = k.generateAPIPodStatus(input(p, rt, { startupProbes })).conditions?.find((x) => x.type === 'Initialized');
        return `${c?.status}${c?.reason ? ` ${c.reason}` : ''}${c?.message ? `: ${c.message}` : ''}`;
      };
      const setup = rc('setup', 'exited', { at: 400 });
      const proxy = rc('proxy', 'running', { id: 'px', at: 300 });
      expect(init(runtime(p, [setup, proxy, rc('migrate', 'running', { at: 200 })]), { px: 'success' }), 'setup done, proxy started, migrate running').toBe(
        'False ContainersNotInitialized: containers with incomplete status: [migrate]',
      );
      expect(init(runtime(p, [setup, proxy, rc('migrate', 'running', { at: 200 })])), 'setup done, proxy not started yet, migrate running').toBe(
        'False ContainersNotInitialized: containers with incomplete status: [proxy migrate]',
      );
      expect(init(runtime(p, [setup, proxy, rc('migrate', 'exited', { at: 200 })]), { px: 'success' }), 'setup and migrate done, proxy started, a and b not created yet').toBe('True');
      expect(
        init(runtime(p, [setup, proxy, rc('migrate', 'exited', { at: 200 }), rc('a', 'running', { at: 100 }), rc('b', 'created', { at: 50 })])),
        'proxy restarted (not started yet), a running, b created',
      ).toBe('True');
    },
  );

  test(
    'a failed pod: ContainersReady and Ready say PodFailed, and the phase stays Failed when the runtime loses its containers',
    hint('Phase Failed → ContainersReady False, reason PodFailed; an old phase Failed is kept'),
    () => {
      const p = pod('job', { restartPolicy: 'Never', containers: [container('a'), container('b')] });
      const failed = k.generateAPIPodStatus(input(p, runtime(p, [rc('a', 'exited', { at: 200, exitCode: 0 }), rc('b', 'exited', { at: 100, exitCode: 1 })])));
      expect(show({ phase: failed.phase, ...byType(failed.conditions) }), 'Never: a exited 0, b exited 1').toBe(
        show({ phase: 'Failed', PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'False PodFailed', ContainersReady: 'False PodFailed', PodScheduled: 'True' }),
      );
      const gone = pod('job', { restartPolicy: 'Never', status: { phase: 'Failed' } });
      expect(k.generateAPIPodStatus(input(gone, runtime(gone, []))).phase, 'the failed pod after the runtime removed its container').toBe('Failed');
    },
  );

  test(
    'ContainersReady names every unready sidecar and app container, in spec order',
    hint('"containers with unready status: [proxy b]": look each container up by name; Go prints the list with spaces'),
    () => {
      const p = pod('web', { initContainers: [container('setup'), sidecar('proxy', { readinessProbe: { tcpSocket: { port: 15000 } } })], containers: [container('a'), container('b')] });
      const rt = runtime(p, [rc('setup', 'exited', { at: 400 }), rc('proxy', 'running', { id: 'px', at: 300 }), rc('a', 'running', { at: 200 }), rc('b', 'exited', { at: 100, exitCode: 1 })]);
      const c = k.generateAPIPodStatus(input(p, rt)).conditions?.find((x) => x.type === 'ContainersReady');
      expect(show({ status: c?.status, reason: c?.reason, message: c?.message }), 'proxy running without a readiness result, a running, b exited 1').toBe(
        show({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [proxy b]' }),
      );
    },
  );

  test(
    'the lists and IPs: initContainerStatuses only with init containers; hostIPs; the old pod IP kept while no sandbox has one; qosClass kept',
    hint('podIP from the newest sandbox when it has an IP, else the old podIP and podIPs'),
    () => {
      const plain = pod('web', { status: { phase: 'Running', podIP: '127.1.0.7', qosClass: 'BestEffort' } });
      const got = k.generateAPIPodStatus(input(plain, runtime(plain, [rc('app', 'running')], [sandbox({ ip: undefined, state: 'notready' })])));
      expect(
        show({ init: got.initContainerStatuses, hostIPs: got.hostIPs, podIP: got.podIP, podIPs: got.podIPs, qosClass: got.qosClass }),
        'a pod without init containers, old podIP 127.1.0.7 (no podIPs), whose sandbox died without an IP',
      ).toBe(show({ hostIPs: [{ ip: '127.0.0.1' }], podIP: '127.1.0.7', podIPs: [{ ip: '127.1.0.7' }], qosClass: 'BestEffort' }));
      const fresh = pod('web');
      const none = k.generateAPIPodStatus(input(fresh, runtime(fresh, [], [sandbox({ ip: undefined, state: 'notready' })])));
      expect(show({ podIP: none.podIP, podIPs: none.podIPs }), 'a new pod whose first sandbox has no IP yet (no old podIP)').toBe(show({}));
      const withInit = pod('web', { initContainers: [container('migrate')], status: { podIP: '127.1.0.7', podIPs: [{ ip: '127.1.0.7' }, { ip: 'fd00::7' }] } });
      const again = k.generateAPIPodStatus(input(withInit, runtime(withInit, [rc('migrate', 'running')], [])));
      expect(show({ init: again.initContainerStatuses?.map((s) => s.name), podIPs: again.podIPs }), 'a pod with init container migrate, old podIPs of two families, no sandbox').toBe(
        show({ init: ['migrate'], podIPs: [{ ip: '127.1.0.7' }, { ip: 'fd00::7' }] }),
      );
    },
  );

  test("conditions of the kubelet's own types in the old status are replaced, never repeated", hint('Keep only the old conditions whose type is not in KUBELET_CONDITIONS'), () => {
    const old: Condition[] = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: ago(100) }));
    const p = pod('web', { status: { conditions: [{ type: 'example.com/x', status: 'True' }, ...old] } });
    const got = k.generateAPIPodStatus(input(p, runtime(p, [rc('app', 'running')])));
    expect(
      got.conditions?.map((c) => c.type),
      'the condition types after a sync of a pod whose old status has all five and one foreign condition',
    ).toEqual(['example.com/x', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  });

  test('conditions the kubelet does not own are kept, before its own', () => {
    const gate: Condition = { type: 'example.com/feature', status: 'True', lastTransitionTime: ago(50) };
    const p = pod('web', { status: { conditions: [gate, { type: 'Ready', status: 'True', lastTransitionTime: ago(40) }] } });
    const got = k.generateAPIPodStatus(input(p, runtime(p, [rc('app', 'running')])));
    expect(got.conditions?.[0], 'the first condition').toEqual(gate);
    expect(
      got.conditions?.filter((c) => c.type === 'Ready'),
      'Ready conditions',
    ).toHaveLength(1);
    expect(p.status?.conditions, 'the old status passed in (must not change)').toHaveLength(2);
  });
});
