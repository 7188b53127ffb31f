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

interface HarnessOptions {
  restartPolicy?: 'Always' | 'Never';
  startedAgo?: number;
  started?: boolean;
  extra?: Partial<KubeletContainer>;
  /** The probed container is a sidecar (an init container with restartPolicy Always): its status is among initContainerStatuses. */
  sidecar?: boolean;
  /** Statuses of the pod's other containers, listed before the probed one's (in the same list). */
  others?: ApiContainerStatus[];
}

function harness(probeType: ProbeType, probe: Probe, o: HarnessOptions = {}): Harness {
  const c = container('app', { [`${probeType}Probe`]: probe, ...o.extra, ...(o.sidecar ? { restartPolicy: 'Always' as const } : {}) });
  const others = (o.others ?? []).map((s) => container(s.name));
  const p = o.sidecar
    ? pod('web', { initContainers: [...others, c], containers: [container('main')], restartPolicy: o.restartPolicy })
    : pod('web', { containers: [...others, c], restartPolicy: o.restartPolicy });
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
      const own = [...(o.others ?? []), h.status].map((s) => structuredClone(s));
      const main: ApiContainerStatus = { name: 'main', containerID: 'kubelings://m1', ready: true, started: true, restartCount: 0, state: { running: { startedAt: formatTime(NOW - 600 * S) } } };
      const status: PodStatus = o.sidecar ? { phase: h.phase, initContainerStatuses: own, containerStatuses: [main] } : { phase: h.phase, containerStatuses: own };
      const done = await h.worker.doProbe(now, status);
      expect(misuse, `runProbe calls of a ${probeType} worker for container id ${h.status.containerID?.replace('kubelings://', '')} (the runtime id, without kubelings://)`).toEqual([]);
      h.clock.t += h.worker.periodMs;
      return done;
    },
    async rounds(n) {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const again = await h.round();
        // worker.go doProbe returns keepGoing: only a finished pod, a terminated container under
        // Never, and a deleted pod's liveness/startup worker stop; every other round says true.
        expect(again, `what doProbe resolved to in round ${i + 1} (true: call me again; false stops this worker for good)`).toBe(true);
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

  test(
    'each threshold applies to its own result: with successThreshold 2 and failureThreshold 1, one failure makes a ready container unready',
    hint('A failure is compared with failureThreshold, a success with successThreshold, never the other way round'),
    async () => {
      // worker.go doProbe: (result == Failure && resultRun < FailureThreshold) || (result == Success && resultRun < SuccessThreshold).
      const h = harness('readiness', { httpGet: { port: 80 }, successThreshold: 2, failureThreshold: 1 });
      h.answers = ['success', 'success', 'failure', 'success', 'success'];
      expect(await h.rounds(5), 'readiness; answers S S F S S, successThreshold 2, failureThreshold 1').toEqual(['failure', 'success', 'failure', 'failure', 'success']);
    },
  );

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

  test('a worker for a probe the container does not have is refused', hint('newWorker: take the probe of options.probeType from the container; throw if it has none'), () => {
    const c = container('app', { readinessProbe: { httpGet: { port: 80 } } });
    const make = (probeType: ProbeType) => k.newProbeWorker({ probeType, pod: pod('web', { containers: [c] }), container: c, results: results(), runProbe: async () => 'success', now: () => NOW });
    expect(make('readiness').periodMs, 'periodMs of a readiness worker for the probe it has').toBe(10 * S);
    expect(() => make('liveness'), 'newProbeWorker for liveness on a container with only a readinessProbe').toThrow();
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
      // worker.go: `if !w.containerID.IsEmpty() { w.resultsManager.Remove(w.containerID) }`: only an id it followed.
      expect(
        h.results.log.filter((l) => l.endsWith(' removed')),
        'the results removed by the worker over all rounds (ids it never followed must not be removed)',
      ).toEqual(['c1 removed']);
    },
  );

  test(
    'a startup probe that fails failureThreshold times records failure and holds too, until a new container appears',
    hint('The hold is for liveness AND startup failures: the container is about to be killed'),
    async () => {
      // worker.go doProbe: `if (w.probeType == liveness || w.probeType == startup) && result == results.Failure { w.onHold = true ...`.
      const h = harness('startup', { tcpSocket: { port: 80 }, failureThreshold: 2 }, { started: false });
      h.answers = ['failure', 'failure', 'failure', 'failure'];
      const seen = await h.rounds(4);
      expect(show({ results: seen, calls: h.calls }), 'startup; the container not started, every answer a failure, failureThreshold 2').toBe(
        show({ results: ['unknown', 'failure', 'failure', 'failure'], calls: 2 }),
      );
      h.status = { ...h.status, containerID: 'kubelings://c2', restartCount: 1 };
      h.answers = ['success'];
      await h.round();
      expect(show({ c2: h.results.get('c2'), calls: h.calls }), 'one round after the restarted container c2 appeared, its probe succeeding').toBe(show({ c2: 'success', calls: 3 }));
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
    const failed = harness('readiness', { httpGet: { port: 80 } });
    failed.phase = 'Failed';
    expect(await failed.round(), 'doProbe on a Failed pod').toBe(false);
    const live = harness('liveness', { httpGet: { port: 80 } });
    live.answers = ['failure', 'failure', 'failure'];
    await live.rounds(2);
    live.deleting = true;
    expect(show({ keepGoing: await live.round(), result: live.results.get('c1'), calls: live.calls }), 'liveness after two failures, then the pod is deleted').toBe(
      show({ keepGoing: false, result: 'success', calls: 2 }),
    );
  });

  test(
    'on a pod being deleted, a startup probe also says success and stops; a readiness probe goes on probing',
    hint('Only liveness and startup give up on a deleted pod; readiness keeps telling Services the truth'),
    async () => {
      // worker.go doProbe: `DeletionTimestamp != nil && (w.probeType == liveness || w.probeType == startup)`.
      const startup = harness('startup', { tcpSocket: { port: 80 } }, { started: false });
      startup.deleting = true;
      expect(show({ keepGoing: await startup.round(), result: startup.results.get('c1'), calls: startup.calls }), 'startup worker, container not started yet, pod deleted').toBe(
        show({ keepGoing: false, result: 'success', calls: 0 }),
      );
      const ready = harness('readiness', { httpGet: { port: 80 } });
      ready.deleting = true;
      ready.answers = ['failure', 'failure', 'failure'];
      expect(show({ results: await ready.rounds(3), calls: ready.calls }), 'readiness worker on a deleted pod, three rounds, every answer a failure (it was ready before: initial failure)').toBe(
        show({ results: ['failure', 'failure', 'failure'], calls: 3 }),
      );
    },
  );

  test(
    'the worker follows its own container by name: among containerStatuses, and among initContainerStatuses for a sidecar',
    hint("Find the status by the container's name in containerStatuses; if none there has a containerID, look in initContainerStatuses"),
    async () => {
      // worker.go doProbe: GetContainerStatus(status.ContainerStatuses, name), then
      // GetContainerStatus(status.InitContainerStatuses, name) when not found or without a ContainerID.
      const log: ApiContainerStatus = { name: 'log', containerID: 'kubelings://c0', ready: true, started: true, restartCount: 0, state: { running: { startedAt: formatTime(NOW - 600 * S) } } };
      const app = harness('readiness', { httpGet: { port: 80 } }, { others: [log] });
      app.answers = ['success'];
      expect(show({ results: await app.rounds(1), calls: app.calls, c0: app.results.get('c0') }), 'readiness of app, with log listed first in containerStatuses').toBe(
        show({ results: ['success'], calls: 1, c0: undefined }),
      );
      const setup: ApiContainerStatus = { name: 'setup', containerID: 'kubelings://c0', ready: true, started: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
      const side = harness('readiness', { httpGet: { port: 80 } }, { sidecar: true, others: [setup] });
      side.answers = ['success'];
      expect(
        show({ results: await side.rounds(1), calls: side.calls, c0: side.results.get('c0'), m1: side.results.get('m1') }),
        'readiness of the sidecar app (in initContainerStatuses after setup; the app container main in containerStatuses)',
      ).toBe(show({ results: ['success'], calls: 1, c0: undefined, m1: undefined }));
    },
  );

  test('no status yet, or no container id yet: wait without probing', async () => {
    const h = harness('readiness', { httpGet: { port: 80 } });
    expect(await h.worker.doProbe(pod('web'), undefined), 'doProbe with no status').toBe(true);
    h.status = { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
    expect(await h.round(), 'doProbe on a status without a containerID (wait for more information)').toBe(true);
    expect(show({ calls: h.calls, result: h.results.get('c1') }), 'a status without a containerID').toBe(show({ calls: 0, result: undefined }));
  });
});
