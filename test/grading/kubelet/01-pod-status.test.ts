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
