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
import { container, pod, rc, results, runtime, sandbox, sidecar } from './make.ts';

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
  });
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
  });

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
