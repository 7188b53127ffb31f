/**
 * Hidden suite for 05-kubelet/02-sync-pod: computePodActions (a new sandbox, init containers one
 * at a time, sidecars kept up, app containers started and killed with upstream's reasons and
 * messages, the whole pod killed) and the grace period arithmetic of killContainer. After
 * upstream's pkg/kubelet/kuberuntime/kuberuntime_manager_test.go (TestComputePodActions,
 * TestComputePodActionsWithInitContainers, TestComputePodActionsWithRestartableInitContainers,
 * TestComputePodActionsWithInitAndEphemeralContainers) and kuberuntime_container_test.go
 * (TestKillContainerGracePeriod).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { PodActions, ProbeResult } from '#engine/kubelet/exercises.ts';
import type { Pod } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { container, msAgo, pod, rc, results, runtime, sandbox, sidecar } from './make.ts';

const k = await loadComponent('kubelet');
const none = results();

/** The actions in one line each, for messages that show the whole plan. */
function plan(a: PodActions): Record<string, unknown> {
  return {
    killPod: a.killPod,
    createSandbox: a.createSandbox,
    init: a.initContainersToStart,
    start: a.containersToStart,
    kill: a.containersToKill.map((x) => `${x.name}: ${x.reason || '-'}: ${x.message}`).sort(),
  };
}
const idle = { killPod: false, createSandbox: false, init: [], start: [], kill: [] };
const actions = (p: Pod, rt: ReturnType<typeof runtime>, liveness: Record<string, ProbeResult> = {}, startup: Record<string, ProbeResult> = {}) =>
  plan(k.computePodActions(p, rt, results(liveness), results(startup)));

describe('a new sandbox', () => {
  test('no sandbox yet: create one (attempt 0) and start every app container', hint('podSandboxChanged: no sandbox means create one, attempt 0'), () => {
    const p = pod('web', { containers: [container('a'), container('b')] });
    const got = k.computePodActions(p, runtime(p, [], []), none, none);
    expect(show({ ...plan(got), attempt: got.attempt, sandboxId: got.sandboxId }), 'a new pod').toBe(
      show({ killPod: true, createSandbox: true, init: [], start: ['a', 'b'], kill: [], attempt: 0, sandboxId: '' }),
    );
  });

  test('with init containers, a new sandbox starts only the first init container', hint('Init containers run one at a time, from the first'), () => {
    const p = pod('web', { initContainers: [container('one'), container('two')], containers: [container('app')] });
    expect(actions(p, runtime(p, [], [])), 'a new pod with init containers one and two').toEqual({ killPod: true, createSandbox: true, init: ['one'], start: [], kill: [] });
  });

  test('a sandbox that is not ready (or has no IP) is replaced: the pod is killed and restarted at attempt + 1', () => {
    const p = pod('web', { restartPolicy: 'OnFailure', containers: [container('done'), container('failed')] });
    const rt = runtime(p, [rc('done', 'exited', { exitCode: 0 }), rc('failed', 'exited', { exitCode: 1 })], [sandbox({ id: 's3', attempt: 3, state: 'notready' })]);
    const got = k.computePodActions(p, rt, none, none);
    expect(show({ ...plan(got), attempt: got.attempt, sandboxId: got.sandboxId }), 'OnFailure pod whose sandbox s3 (attempt 3) is not ready; done exited 0, failed exited 1').toBe(
      show({ killPod: true, createSandbox: true, init: [], start: ['failed'], kill: [], attempt: 4, sandboxId: 's3' }),
    );
    const noIp = runtime(p, [rc('failed', 'running')], [sandbox({ ip: undefined })]);
    expect(k.computePodActions(p, noIp, none, none).createSandbox, 'a ready sandbox without an IP').toBe(true);
  });

  test('a Never pod that already ran is not given a new sandbox, only killed', hint('restartPolicy Never, attempt ≠ 0 and containers in the runtime: do not create a sandbox'), () => {
    const p = pod('job', { restartPolicy: 'Never' });
    const rt = runtime(p, [rc('app', 'exited', { exitCode: 1 })], [sandbox({ state: 'notready' })]);
    expect(actions(p, rt), 'a Never pod whose sandbox died after its container exited 1').toEqual({ killPod: true, createSandbox: false, init: [], start: [], kill: [] });
    const early = runtime(p, [], [sandbox({ id: 's0', attempt: 0, state: 'notready' })]);
    const got = k.computePodActions(p, early, none, none);
    expect(show({ ...plan(got), attempt: got.attempt }), 'a Never pod whose sandbox died before any container was created').toBe(
      show({ killPod: true, createSandbox: true, init: [], start: ['app'], kill: [], attempt: 1 }),
    );
  });

  test(
    'more than one ready sandbox is reconciled by a new one; an old sandbox that is not ready does not matter',
    hint('podSandboxChanged counts the READY sandboxes: more than one → create a new sandbox; the newest must be ready and have an IP'),
    () => {
      // kuberuntime/util/util.go PodSandboxChanged: readySandboxCount > 1 → (true, attempt + 1, id); only the newest sandbox's state and IP count.
      const p = pod('web');
      const two = runtime(p, [rc('app', 'running')], [sandbox({ id: 's2', attempt: 2, createdAt: msAgo(100) }), sandbox({ id: 's1', attempt: 1 })]);
      const got = k.computePodActions(p, two, none, none);
      expect(show({ createSandbox: got.createSandbox, killPod: got.killPod, attempt: got.attempt, sandboxId: got.sandboxId }), 'two ready sandboxes, s2 (attempt 2) the newest').toBe(
        show({ createSandbox: true, killPod: true, attempt: 3, sandboxId: 's2' }),
      );
      const old = runtime(p, [rc('app', 'running')], [sandbox({ id: 's2', attempt: 2, createdAt: msAgo(100) }), sandbox({ id: 's1', attempt: 1, state: 'notready' })]);
      expect(actions(p, old), 'the newest sandbox s2 ready with an IP, the old s1 not ready; app running').toEqual({ killPod: false, createSandbox: false, init: [], start: [], kill: [] });
    },
  );

  test(
    'a new sandbox restarts what the policy restarts: under OnFailure not the containers that succeeded, and no sandbox at all when all did',
    hint('With a new sandbox, skip only OnFailure containers that exited 0; nothing left to start (and every init container done): no sandbox, kill the pod'),
    () => {
      // kuberuntime_manager.go computePodActions: `if pod.Spec.RestartPolicy == v1.RestartPolicyOnFailure && containerSucceeded(&c, podStatus) { continue }`,
      // then `if len(containersToStart) == 0 { ... if done { changes.CreateSandbox = false; return changes } }`.
      const dead = [sandbox({ id: 's1', attempt: 1, state: 'notready' })];
      const always = pod('web', { containers: [container('a'), container('b')] });
      const alwaysRt = runtime(always, [rc('a', 'exited', { at: 200, exitCode: 0 }), rc('b', 'exited', { at: 100, exitCode: 1 })], dead);
      expect(actions(always, alwaysRt), 'Always pod whose sandbox died; a exited 0, b exited 1').toEqual({ killPod: true, createSandbox: true, init: [], start: ['a', 'b'], kill: [] });
      const done = pod('web', { restartPolicy: 'OnFailure', containers: [container('a'), container('b')] });
      const doneRt = runtime(done, [rc('a', 'exited', { at: 200, exitCode: 0 }), rc('b', 'exited', { at: 100, exitCode: 0 })], dead);
      expect(actions(done, doneRt), 'OnFailure pod whose sandbox died after a and b both exited 0').toEqual({ killPod: true, createSandbox: false, init: [], start: [], kill: [] });
    },
  );
});

describe('init containers, one at a time', () => {
  const p = pod('web', { initContainers: [container('one'), container('two')], containers: [container('a'), container('b')] });

  test('the first init container done: start the second, nothing else', hint('Walk the init containers from the last one back; only the one after a finished one starts'), () => {
    expect(actions(p, runtime(p, [rc('one', 'exited', { exitCode: 0 })])), 'one exited 0, two never ran').toEqual({ ...idle, init: ['two'] });
  });

  test('an init container running: wait; the app containers do not start', () => {
    expect(actions(p, runtime(p, [rc('one', 'exited', { at: 200 }), rc('two', 'running', { at: 100 })])), 'one exited 0, two running').toEqual(idle);
  });

  test('the last init container done: start the app containers', () => {
    expect(actions(p, runtime(p, [rc('one', 'exited', { at: 200 }), rc('two', 'exited', { at: 100 })])), 'one and two exited 0').toEqual({ ...idle, start: ['a', 'b'] });
  });

  test('a sandbox exists but nothing ran yet: start the first init container', () => {
    expect(actions(p, runtime(p, [])), 'a ready sandbox, no container').toEqual({ ...idle, init: ['one'] });
  });

  test('a failed init container is started again, unless restartPolicy is Never: then the pod is killed', hint('isInitContainerFailed and restartPolicy Never: killPod, nothing to start'), () => {
    const rt = (q: Pod) => runtime(q, [rc('one', 'exited', { exitCode: 1 })]);
    expect(actions(p, rt(p)), 'one exited 1, restartPolicy Always').toEqual({ ...idle, init: ['one'] });
    const never = pod('web', { restartPolicy: 'Never', initContainers: [container('one'), container('two')] });
    expect(actions(never, rt(never)), 'one exited 1, restartPolicy Never').toEqual({ ...idle, killPod: true });
  });

  test('once an app container runs, finished init containers are not run again even if the runtime lost them', () => {
    expect(actions(p, runtime(p, [rc('a', 'running'), rc('b', 'running')])), 'a and b running, no init container in the runtime').toEqual(idle);
  });

  test('one app container created or running is enough to know the pod was initialized', hint('podHasInitialized: ANY app container whose newest instance is created or running'), () => {
    // kuberuntime_container.go computeInitContainerActions: `case kubecontainer.ContainerStateCreated, kubecontainer.ContainerStateRunning: podHasInitialized = true`.
    expect(actions(p, runtime(p, [rc('a', 'running', { at: 200 }), rc('b', 'exited', { at: 100, exitCode: 1 })])), 'a running, b exited 1, no init container in the runtime').toEqual({
      ...idle,
      start: ['b'],
    });
    expect(actions(p, runtime(p, [rc('a', 'created', { at: 200 }), rc('b', 'exited', { at: 100, exitCode: 1 })])), 'a created (never started), b exited 1, no init container in the runtime').toEqual({
      ...idle,
      start: ['a', 'b'],
    });
  });

  test('an init container left in "created" (the runtime failed to start it) is started again', () => {
    // computeInitContainerActions: `case kubecontainer.ContainerStateCreated: changes.InitContainersToStart = append(changes.InitContainersToStart, i)`.
    expect(actions(p, runtime(p, [rc('one', 'exited', { at: 200 }), rc('two', 'created', { at: 100 })])), 'one exited 0, two created').toEqual({ ...idle, init: ['two'] });
  });

  test(
    'an init container in an unknown state is killed and started again; under restartPolicy Never the pod is killed instead',
    hint('The default case: kill it with reason Unknown and start it again, unless restartPolicy is Never (then killPod)'),
    () => {
      // computeInitContainerActions, default case: "Init container is in %q state, try killing it before restart", reasonUnknown; !restartOnFailure → KillPod.
      expect(actions(p, runtime(p, [rc('one', 'unknown')])), 'one in state unknown, Always').toEqual({
        ...idle,
        init: ['one'],
        kill: ['one: Unknown: Init container is in "unknown" state, try killing it before restart'],
      });
      const never = pod('web', { restartPolicy: 'Never', initContainers: [container('one'), container('two')] });
      expect(actions(never, runtime(never, [rc('one', 'unknown')])), 'one in state unknown, Never').toEqual({ ...idle, killPod: true });
      expect(actions(p, runtime(p, [rc('one', 'unknown', { at: 200 }), rc('a', 'running', { at: 100 }), rc('b', 'running', { at: 50 })])), 'one unknown, but a and b already running').toEqual(idle);
    },
  );
});

describe('sidecars (init containers with restartPolicy Always)', () => {
  const p = pod('web', { initContainers: [sidecar('proxy'), container('migrate')], containers: [container('app')] });

  test('a running sidecar lets the next init container start, and keeps running', hint('A started sidecar counts as done for the init sequence, but it is never waited for to exit'), () => {
    expect(actions(p, runtime(p, [rc('proxy', 'running')])), 'proxy running, migrate never ran').toEqual({ ...idle, init: ['migrate'] });
    expect(actions(p, runtime(p, [rc('proxy', 'running', { at: 300 }), rc('migrate', 'exited', { at: 200 }), rc('app', 'running', { at: 100 })])), 'proxy and app running, migrate done').toEqual(idle);
  });

  test('a sidecar with a startup probe holds the next init container back until the probe succeeds', () => {
    const q = pod('web', { initContainers: [sidecar('proxy', { startupProbe: { tcpSocket: { port: 15000 } } }), container('migrate')], containers: [container('app')] });
    const rt = runtime(q, [rc('proxy', 'running', { id: 'px' })]);
    expect(actions(q, rt), 'proxy running, no startup result yet').toEqual(idle);
    expect(actions(q, rt, {}, { px: 'success' }), "proxy's startup probe succeeded").toEqual({ ...idle, init: ['migrate'] });
    expect(actions(q, rt, {}, { px: 'failure' }), "proxy's startup probe failed").toEqual({ ...idle, init: ['proxy'], kill: ['proxy: StartupProbe: Init container proxy failed startup probe'] });
    expect(actions(q, rt, {}, { px: 'unknown' }), "proxy's startup result unknown (its worker's initial value)").toEqual(idle);
  });

  test(
    'a running sidecar whose image changed, or whose liveness probe failed, is killed and started again',
    hint('"Init container proxy definition changed" (no reason); "Init container proxy failed liveness probe" (LivenessProbe); a passing probe changes nothing'),
    () => {
      // computeInitContainerActions, running restartable init container: containerChanged → kill + restart; liveness Failure → kill (reasonLivenessProbe) + restart.
      const q = pod('web', { initContainers: [sidecar('proxy', { image: 'envoy:2', livenessProbe: { tcpSocket: { port: 15000 } } }), container('migrate')], containers: [container('app')] });
      const rt = (image: string) => runtime(q, [rc('proxy', 'running', { id: 'px', at: 300, image }), rc('migrate', 'exited', { at: 200 }), rc('app', 'running', { id: 'ap', at: 100 })]);
      expect(actions(q, rt('envoy:1')), 'proxy runs envoy:1, the spec now says envoy:2; app running').toEqual({
        ...idle,
        init: ['proxy'],
        kill: ['proxy: -: Init container proxy definition changed'],
      });
      expect(actions(q, rt('envoy:2'), { px: 'failure' }), "proxy's liveness probe failed; app running").toEqual({
        ...idle,
        init: ['proxy'],
        kill: ['proxy: LivenessProbe: Init container proxy failed liveness probe'],
      });
      expect(actions(q, rt('envoy:2'), { px: 'success', ap: 'success' }), "proxy's liveness probe passes").toEqual(idle);
    },
  );

  test(
    'a sidecar that exited before the pod was initialized is started again, even under Never; it does not count as done',
    hint('An exited sidecar is always started again (its own restartPolicy is Always); only a regular init container that exited 0 is done'),
    () => {
      // computeInitContainerActions: `case kubecontainer.ContainerStateExited: if IsRestartableInitContainer(container) { InitContainersToStart = append(..., i) }`.
      const job = pod('job', { restartPolicy: 'Never', initContainers: [sidecar('proxy'), container('migrate')], containers: [container('app')] });
      expect(actions(job, runtime(job, [rc('proxy', 'exited', { exitCode: 1 })])), 'proxy exited 1, migrate never ran, Never').toEqual({ ...idle, init: ['proxy'] });
      expect(actions(p, runtime(p, [rc('proxy', 'exited', { exitCode: 0 })])), 'proxy exited 0, migrate never ran').toEqual({ ...idle, init: ['proxy'] });
    },
  );

  test(
    'after initialisation, lost sidecars are started again in spec order; a regular init container is not looked at',
    hint('Walk backwards, then reverse: initContainersToStart is in the order of spec.initContainers'),
    () => {
      // computeInitContainerActions: status nil and previously initialized → restart a restartable init container; the list is reversed at the end.
      const q = pod('web', { initContainers: [sidecar('logs'), container('migrate'), sidecar('proxy')], containers: [container('app')] });
      expect(actions(q, runtime(q, [rc('migrate', 'unknown', { at: 200 }), rc('app', 'running', { at: 100 })])), 'app running; the runtime lost logs and proxy; migrate unknown').toEqual({
        ...idle,
        init: ['logs', 'proxy'],
      });
    },
  );

  test('a sidecar that exits after initialisation is started again, beside the running app', hint('After initialisation only sidecars are looked at: an exited sidecar is started again'), () => {
    const rt = runtime(p, [rc('migrate', 'exited', { at: 300 }), rc('app', 'running', { at: 200 }), rc('proxy', 'exited', { at: 100, exitCode: 1 })]);
    expect(actions(p, rt), 'app running, migrate done, proxy exited 1').toEqual({ ...idle, init: ['proxy'] });
  });

  test(
    'when the app has finished, the sidecar does not keep the pod alive',
    hint('Count only app containers kept or started: a running sidecar does not count, and none is started once the pod is killed'),
    () => {
      const job = pod('job', { restartPolicy: 'Never', initContainers: [sidecar('proxy')], containers: [container('app')] });
      const rt = runtime(job, [rc('proxy', 'running', { at: 300 }), rc('app', 'exited', { at: 200 })]);
      expect(actions(job, rt), 'a Never pod whose app exited 0 while its sidecar runs').toEqual({ ...idle, killPod: true });
    },
  );
});

describe('app containers', () => {
  const p = pod('web', { containers: [container('a'), container('b')] });

  test('everything running and healthy: nothing to do (the same answer every time)', hint('A level-triggered sync on a converged pod must do nothing'), () => {
    const rt = runtime(p, [rc('a', 'running'), rc('b', 'running')]);
    expect(actions(p, rt), 'a and b running').toEqual(idle);
    expect(actions(p, rt), 'the same state, synced again').toEqual(idle);
  });

  test(
    'an exited container is restarted by restartPolicy; with nothing left running or to start, the pod is killed',
    hint('ShouldContainerBeRestarted for each container that is not running; keepCount 0 and nothing to start: killPod'),
    () => {
      const rt = (q: Pod) => runtime(q, [rc('a', 'running', { at: 200 }), rc('b', 'exited', { at: 100, exitCode: 0 })]);
      const with_ = (restartPolicy: 'Always' | 'OnFailure' | 'Never') => pod('web', { restartPolicy, containers: [container('a'), container('b')] });
      expect(actions(with_('Always'), rt(with_('Always'))), 'a running, b exited 0, Always').toEqual({ ...idle, start: ['b'] });
      expect(actions(with_('OnFailure'), rt(with_('OnFailure'))), 'a running, b exited 0, OnFailure').toEqual(idle);
      const allDone = (q: Pod) => runtime(q, [rc('a', 'exited', { at: 200 }), rc('b', 'exited', { at: 100 })]);
      expect(actions(with_('OnFailure'), allDone(with_('OnFailure'))), 'a and b exited 0, OnFailure').toEqual({ ...idle, killPod: true });
    },
  );

  test(
    'a failed liveness probe kills the container with its reason, and it is started again unless restartPolicy is Never',
    hint('"Container a failed liveness probe, will be restarted", reason LivenessProbe'),
    () => {
      const rt = (q: Pod) => runtime(q, [rc('a', 'running', { id: 'a1' }), rc('b', 'running', { id: 'b1' })]);
      expect(actions(p, rt(p), { a1: 'failure', b1: 'success' }), 'a fails liveness, Always').toEqual({
        ...idle,
        start: ['a'],
        kill: ['a: LivenessProbe: Container a failed liveness probe, will be restarted'],
      });
      const never = pod('web', { restartPolicy: 'Never', containers: [container('a'), container('b')] });
      expect(actions(never, rt(never), { a1: 'failure' }), 'a fails liveness, Never').toEqual({ ...idle, kill: ['a: LivenessProbe: Container a failed liveness probe'] });
      expect(actions(p, rt(p), {}, { b1: 'failure' }), 'b fails its startup probe, Always').toEqual({
        ...idle,
        start: ['b'],
        kill: ['b: StartupProbe: Container b failed startup probe, will be restarted'],
      });
    },
  );

  test('two containers failing their liveness probes in one sync are both killed', hint('One kill entry per container id: a second kill must not replace the first'), () => {
    const rt = runtime(p, [rc('a', 'running', { id: 'a1', at: 200 }), rc('b', 'running', { id: 'b1', at: 100 })]);
    expect(actions(p, rt, { a1: 'failure', b1: 'failure' }), 'a and b both fail liveness, Always').toEqual({
      ...idle,
      start: ['a', 'b'],
      kill: ['a: LivenessProbe: Container a failed liveness probe, will be restarted', 'b: LivenessProbe: Container b failed liveness probe, will be restarted'],
    });
  });

  test('a changed image restarts the container, even under restartPolicy Never', () => {
    const never = pod('web', { restartPolicy: 'Never', containers: [container('a', { image: 'nginx:1.27' })] });
    const rt = runtime(never, [rc('a', 'running', { image: 'nginx:1.26' })]);
    expect(actions(never, rt), 'a runs nginx:1.26, the spec now says nginx:1.27').toEqual({ ...idle, start: ['a'], kill: ['a: -: Container a definition changed, will be restarted'] });
  });

  test('a container in an unknown state is killed before it is started again', () => {
    const rt = runtime(p, [rc('a', 'running', { at: 200 }), rc('b', 'unknown', { at: 100 })]);
    expect(actions(p, rt), 'a running, b unknown').toEqual({ ...idle, start: ['b'], kill: ['b: Unknown: Container is in "unknown" state, try killing it before restart'] });
  });

  test('a pod being deleted restarts nothing', () => {
    const q = pod('web', { deleting: true, containers: [container('a'), container('b')] });
    expect(actions(q, runtime(q, [rc('a', 'running', { at: 200 }), rc('b', 'exited', { at: 100, exitCode: 1 })])), 'a running, b exited 1, pod deleted').toEqual(idle);
  });
});

describe('graceful termination', () => {
  test(
    "the grace period: the deletion's, then a failed probe's own, then the pod's, then 30 s",
    hint("setTerminationGracePeriod: deletionGracePeriodSeconds first; a probe's terminationGracePeriodSeconds only for its own kills"),
    () => {
      const c = container('a', { livenessProbe: { httpGet: { port: 80 }, terminationGracePeriodSeconds: 5 } });
      const p = pod('web', { containers: [c], spec: { terminationGracePeriodSeconds: 60 } });
      expect(k.terminationGracePeriod(p, c, 'LivenessProbe'), 'killed for liveness; probe says 5, pod 60').toBe(5);
      expect(k.terminationGracePeriod(p, c, 'StartupProbe'), 'killed for startup; only the liveness probe has a grace period').toBe(60);
      expect(k.terminationGracePeriod(p, c, ''), 'killed for a changed definition').toBe(60);
      const deleting = pod('web', { containers: [c], deleting: true, spec: { terminationGracePeriodSeconds: 60 } });
      deleting.metadata.deletionGracePeriodSeconds = 10;
      expect(k.terminationGracePeriod(deleting, c, 'LivenessProbe'), 'deleted with a grace period of 10').toBe(10);
      expect(k.terminationGracePeriod(pod('plain', { containers: [container('a')] }), container('a'), ''), 'nothing set').toBe(30);
      // kuberuntime_container.go setTerminationGracePeriod: reasonStartupProbe → StartupProbe.TerminationGracePeriodSeconds when set.
      const s = container('s', { startupProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 7 }, livenessProbe: { tcpSocket: { port: 80 } } });
      const q = pod('web', { containers: [s], spec: { terminationGracePeriodSeconds: 60 } });
      expect(k.terminationGracePeriod(q, s, 'StartupProbe'), 'killed for startup; startup probe says 7, pod 60').toBe(7);
      expect(k.terminationGracePeriod(q, s, 'LivenessProbe'), 'killed for liveness; its liveness probe sets no grace period, pod 60').toBe(60);
      expect(k.terminationGracePeriod(q, s, ''), 'killed for a changed definition; startup probe says 7, pod 60').toBe(60);
    },
  );

  test(
    'the preStop hook uses up the grace period, but the container always gets 2 s after it',
    hint('gracePeriod - preStop seconds, at least minimumGracePeriodInSeconds (2); an override wins'),
    () => {
      expect(k.stopTimeout(30, undefined), '30 s, no preStop hook').toBe(30);
      expect(k.stopTimeout(30, 5), '30 s, preStop took 5 s').toBe(25);
      expect(k.stopTimeout(30, 29.7), '30 s, preStop took 29.7 s').toBe(2);
      expect(k.stopTimeout(30, 45), '30 s, preStop ran 45 s (cut off)').toBe(2);
      expect(k.stopTimeout(0, undefined), 'grace period 0').toBe(2);
      expect(k.stopTimeout(30, 5, 0), 'an override of 0 (kubectl delete --force --grace-period=0)').toBe(0);
    },
  );
});
