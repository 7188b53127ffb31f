/**
 * Hidden suite for 05-kubelet/04-probes: one probe worker round by round on a clock, with the
 * probe's answers scripted: initial results, initialDelaySeconds, success and failure thresholds,
 * startup gating, the hold after a liveness failure, new containers, stopped and deleted pods.
 * After upstream's pkg/kubelet/prober/worker_test.go (TestDoProbe, TestInitialDelay,
 * TestFailureThreshold, TestSuccessThreshold, TestCleanUp, TestOnHoldOnLivenessOrStartupCheckFailure,
 * TestResultRunOnLivenessCheckFailure, TestLivenessProbeDisabledByStarted,
 * TestStartupProbeDisabledByStarted).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { ApiContainerStatus, KubeletContainer, Probe, ProbeType } from '#engine/kubelet/exercises.ts';
import type { PodStatus } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { NOW, container, pod, results } from './make.ts';
import { formatTime } from '#engine/controllers/pods.ts';

const k = await loadComponent('kubelet');
const S = 1000;

interface Harness {
  clock: { t: number };
  calls: number;
  answers: ('success' | 'failure' | 'error')[];
  results: ReturnType<typeof results>;
  worker: ReturnType<typeof k.newProbeWorker>;
  /** The container's status the next round sees. */
  status: ApiContainerStatus;
  phase: PodStatus['phase'];
  deleting: boolean;
  round(): Promise<boolean>;
  /** Rounds, returning the recorded result after each. */
  rounds(n: number): Promise<string[]>;
}

function harness(probeType: ProbeType, probe: Probe, o: { restartPolicy?: 'Always' | 'Never'; startedAgo?: number; started?: boolean; extra?: Partial<KubeletContainer> } = {}): Harness {
  const c = container('app', { [`${probeType}Probe`]: probe, ...o.extra });
  const p = pod('web', { containers: [c], restartPolicy: o.restartPolicy });
  const rec = results();
  const misuse: string[] = [];
  const h: Harness = {
    clock: { t: NOW },
    calls: 0,
    answers: [],
    results: rec,
    status: { name: 'app', containerID: 'kubelings://c1', ready: false, started: o.started ?? true, restartCount: 0, state: { running: { startedAt: formatTime(NOW - (o.startedAgo ?? 60) * S) } } },
    phase: 'Running',
    deleting: false,
    worker: undefined as unknown as Harness['worker'],
    async round() {
      const now = structuredClone(p);
      if (h.deleting) now.metadata.deletionTimestamp = formatTime(h.clock.t);
      const done = await h.worker.doProbe(now, { phase: h.phase, containerStatuses: [structuredClone(h.status)] });
      expect(misuse, `runProbe calls of a ${probeType} worker for container id ${h.status.containerID?.replace('kubelings://', '')} (the runtime id, without kubelings://)`).toEqual([]);
      h.clock.t += h.worker.periodMs;
      return done;
    },
    async rounds(n) {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        await h.round();
        out.push(rec.get('c1') ?? 'none');
      }
      return out;
    },
  };
  h.worker = k.newProbeWorker({
    probeType,
    pod: p,
    container: c,
    results: rec,
    now: () => h.clock.t,
    runProbe: async (type, given, id) => {
      h.calls++;
      if (type !== probeType || `kubelings://${id}` !== h.status.containerID || given !== c[`${probeType}Probe`])
        misuse.push(`runProbe(${type}, ${given === c[`${probeType}Probe`] ? 'the probe' : 'another probe'}, ${id})`);
      const answer = h.answers.shift() ?? 'success';
      if (answer === 'error') throw new Error('prober error');
      return answer;
    },
  });
  return h;
}

describe('results and thresholds', () => {
  test('a new container starts not ready (readiness), alive (liveness), unknown (startup)', hint('The initial value is recorded as soon as the worker sees the container id'), async () => {
    const firsts: string[] = [];
    for (const type of ['readiness', 'liveness', 'startup'] as const) {
      const h = harness(type, { httpGet: { port: 80 }, initialDelaySeconds: 100 }, { started: type !== 'startup' });
      await h.round();
      firsts.push(`${type}: ${h.results.get('c1')}`);
    }
    expect(firsts, 'the result recorded by the first round, inside initialDelaySeconds').toEqual(['readiness: failure', 'liveness: success', 'startup: unknown']);
  });

  test('readiness needs successThreshold successes in a row', hint('A success below successThreshold changes nothing: count the run of equal results'), async () => {
    const h = harness('readiness', { httpGet: { port: 80 }, successThreshold: 3, failureThreshold: 1 });
    h.answers = ['success', 'success', 'failure', 'success', 'success', 'success'];
    expect(await h.rounds(6), 'readiness after each round; probe answers S S F S S S, successThreshold 3').toEqual(['failure', 'failure', 'failure', 'failure', 'failure', 'success']);
  });

  test('a ready container becomes unready only after failureThreshold failures in a row', hint('One failure is not enough: count failures in a row, reset by a success'), async () => {
    const h = harness('readiness', { httpGet: { port: 80 } });
    h.answers = ['success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure'];
    expect(await h.rounds(7), 'readiness; answers S F F S F F F, failureThreshold 3 (default)').toEqual(['success', 'success', 'success', 'success', 'success', 'success', 'failure']);
  });

  test('a prober error is thrown away: the run of results is not broken', async () => {
    const h = harness('readiness', { httpGet: { port: 80 }, successThreshold: 2 });
    h.answers = ['success', 'error', 'success'];
    expect(await h.rounds(3), 'readiness; answers S, error, S, successThreshold 2').toEqual(['failure', 'failure', 'success']);
  });

  test('the period and the defaults: periodSeconds 10, failureThreshold 3, successThreshold 1', () => {
    const h = harness('liveness', { exec: { command: ['true'] } });
    expect(h.worker.periodMs, 'periodMs with no periodSeconds').toBe(10 * S);
    expect(harness('liveness', { exec: { command: ['true'] }, periodSeconds: 3 }).worker.periodMs, 'periodMs with periodSeconds 3').toBe(3 * S);
  });
});

describe('timing and gating', () => {
  test(
    'no probe runs before initialDelaySeconds have passed since the container started (whole seconds)',
    hint('Compare the whole seconds since state.running.startedAt with initialDelaySeconds'),
    async () => {
      const h = harness('readiness', { httpGet: { port: 80 }, initialDelaySeconds: 15, periodSeconds: 1 }, { startedAgo: 10 });
      h.answers = Array(20).fill('success');
      const seen = await h.rounds(6);
      expect(show({ calls: h.calls, results: seen }), 'six rounds a second apart, from 10 s after the start, initialDelaySeconds 15').toBe(
        show({ calls: 1, results: ['failure', 'failure', 'failure', 'failure', 'failure', 'success'] }),
      );
    },
  );

  test('until the container has started, only the startup probe runs; once started, only the others', hint('status.started gates: not started → only startup; started → startup stops'), async () => {
    const live = harness('liveness', { tcpSocket: { port: 80 } }, { started: false });
    await live.rounds(3);
    expect(live.calls, 'liveness probes run while the container has not started').toBe(0);
    live.status.started = true;
    await live.rounds(2);
    expect(live.calls, 'liveness probes run in two rounds after it started').toBe(2);
    const startup = harness('startup', { tcpSocket: { port: 80 } }, { started: false });
    await startup.rounds(2);
    startup.status.started = true;
    await startup.rounds(3);
    expect(show({ calls: startup.calls, result: startup.results.get('c1') }), 'startup probe: 2 rounds before the start, 3 after').toBe(show({ calls: 2, result: 'success' }));
  });
});

describe('liveness failures and container changes', () => {
  test(
    'after failureThreshold liveness failures the worker records failure and holds until a new container appears',
    hint('onHold: a container being killed is not probed; a new containerID resumes with the initial result'),
    async () => {
      const h = harness('liveness', { httpGet: { port: 80 }, failureThreshold: 2 });
      h.answers = ['failure', 'failure', 'failure', 'failure'];
      const seen = await h.rounds(4);
      expect(show({ results: seen, calls: h.calls }), 'liveness; every answer a failure, failureThreshold 2').toBe(show({ results: ['success', 'failure', 'failure', 'failure'], calls: 2 }));
      h.status = { ...h.status, containerID: 'kubelings://c2', restartCount: 1 };
      h.answers = ['failure', 'failure'];
      await h.round();
      expect(show({ c1: h.results.get('c1'), c2: h.results.get('c2'), calls: h.calls }), 'one round after the restarted container c2 appeared').toBe(show({ c1: undefined, c2: 'success', calls: 3 }));
      await h.round();
      expect(h.results.get('c2'), 'a second failure of c2: the run started over with the new container').toBe('failure');
    },
  );

  test(
    'a container that is not running is recorded as failed; the worker stops only if it will not come back',
    hint('Stop (return false) only for a terminated container under restartPolicy Never'),
    async () => {
      const h = harness('readiness', { httpGet: { port: 80 } });
      await h.rounds(1);
      h.status = { ...h.status, state: { terminated: { exitCode: 1 } } };
      expect(await h.round(), 'doProbe on a terminated container, restartPolicy Always').toBe(true);
      expect(h.results.get('c1'), 'its readiness').toBe('failure');
      const never = harness('readiness', { httpGet: { port: 80 } }, { restartPolicy: 'Never' });
      never.status = { ...never.status, state: { terminated: { exitCode: 0 } } };
      expect(await never.round(), 'doProbe on a terminated container, restartPolicy Never').toBe(false);
    },
  );

  test('a finished pod stops the worker; a pod being deleted makes liveness say success and stop', async () => {
    const h = harness('readiness', { httpGet: { port: 80 } });
    h.phase = 'Succeeded';
    expect(await h.round(), 'doProbe on a Succeeded pod').toBe(false);
    const live = harness('liveness', { httpGet: { port: 80 } });
    live.answers = ['failure', 'failure', 'failure'];
    await live.rounds(2);
    live.deleting = true;
    expect(show({ keepGoing: await live.round(), result: live.results.get('c1'), calls: live.calls }), 'liveness after two failures, then the pod is deleted').toBe(
      show({ keepGoing: false, result: 'success', calls: 2 }),
    );
  });

  test('no status yet, or no container id yet: wait without probing', async () => {
    const h = harness('readiness', { httpGet: { port: 80 } });
    expect(await h.worker.doProbe(pod('web'), undefined), 'doProbe with no status').toBe(true);
    h.status = { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
    await h.round();
    expect(show({ calls: h.calls, result: h.results.get('c1') }), 'a status without a containerID').toBe(show({ calls: 0, result: undefined }));
  });
});
