/**
 * The feedback of lesson 05's suites against deliberately broken kubelets
 * (test/engine/fixtures/kubelet/<variant>): each mistake learners really make fails the test that
 * names it, and the grader's output carries the did/expected/got lines and the hint.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('05-kubelet', join(import.meta.dirname, 'fixtures', 'kubelet'));

const PHASE = 'the phase (getPhase) > ';
const STATUSES = 'container statuses (convertToAPIContainerStatuses) > ';
const POD = 'the pod status (generateAPIPodStatus) > ';
const BACKOFF = 'the back-off (flowcontrol.Backoff) > ';
const CRASH = 'CrashLoopBackOff (doBackOff) > ';
const ADMIT = 'pod admission > ';

describe('lesson 05 names the mistake', () => {
  test('a phase that ignores init containers says Running while migrate still runs', async () => {
    const { out, failed } = await gradeVariant('phase-ignores-init', '01-pod-status');
    expect(failed).toContain(`${PHASE}an init container still running keeps the pod Pending, whatever the restartPolicy`);
    expect(out).toMatch(/did\s+init container migrate running, app \(somehow\) running too\n\s+expected Pending\n\s+got\s+Running/);
    expect(out).toContain('Regular init containers run before anything else');
  });

  test('a crash-looping container counted as waiting makes the pod Pending, and the test says why it is Running', async () => {
    const { out, failed } = await gradeVariant('crashloop-counted-waiting', '01-pod-status');
    expect(failed).toContain(`${PHASE}a container waiting after a crash (CrashLoopBackOff) counts as stopped, not waiting: the pod stays Running`);
    expect(out).toMatch(/did\s+app waiting in CrashLoopBackOff after exiting 1, Always\n\s+expected Running\n\s+got\s+Pending/);
  });

  test('restartCount counted from the instances the runtime still has fails with the 3 it should have read', async () => {
    const { out, failed } = await gradeVariant('restart-count-from-instances', '01-pod-status');
    expect(failed).toContain(`${STATUSES}state, containerID, image and restartCount come from the newest instance; restartCount is not the number of instances`);
    expect(out).toMatch(
      /did\s+one running instance created as restart number 3\n\s+expected \{"state":"running","containerID":"kubelings:\/\/c9","restartCount":3,"imageID":"sha256:abc"\}\n\s+got\s+\{[^\n]*"restartCount":0/,
    );
    expect(out).toContain('Old instances may have been removed');
  });

  test('a container ready without its readiness probe fails the probes test', async () => {
    const { out, failed } = await gradeVariant('ready-ignores-probe', '01-pod-status');
    expect(failed).toContain(`${STATUSES}started and ready follow the probes: no probe means ready once running; a probe must have said success`);
    expect(out).toContain('ready = started && (no readinessProbe || readiness result is success)');
  });

  test('lastTransitionTime written as now every sync fails the transition test only where it matters', async () => {
    const { out, failed } = await gradeVariant('transition-always-now', '01-pod-status');
    expect(failed).toContain(`${POD}lastTransitionTime stays while a condition's status stays, and becomes now when it changes`);
    expect(out).toContain('Compare with the old condition of the same type: same status, keep its time');
  });

  test('readiness gates: ignored, a missing condition taken as passed, only the first named, or looked at before the containers: each fails the gates test', async () => {
    const GATES = `${POD}readiness gates: Ready waits for each gate's condition to be True; ContainersReady does not`;
    const ignored = await gradeVariant('readiness-gates-ignored', '01-pod-status');
    expect(ignored.failed).toContain(GATES);
    expect(ignored.out).toMatch(/did\s+Ready with gate lb False and gate dns missing/);
    expect(ignored.out).toContain('look up each spec.readinessGates[].conditionType');
    const missingOk = await gradeVariant('readiness-gates-missing-ok', '01-pod-status');
    expect(missingOk.failed).toContain(GATES);
    expect(missingOk.out).toMatch(/did\s+Ready with gate lb (False|True) and gate dns missing/);
    const firstOnly = await gradeVariant('readiness-gates-first-only', '01-pod-status');
    expect(firstOnly.failed).toContain(GATES);
    expect(firstOnly.out).toMatch(/did\s+Ready with gate lb False and gate dns missing[\s\S]*does not exist\./);
    const before = await gradeVariant('readiness-gates-before-containers', '01-pod-status');
    expect(before.failed).toContain(GATES);
    for (const v of [ignored, missingOk, firstOnly, before])
      expect(
        v.failed.filter((t) => t.includes('readiness gates')),
        'only the gates test fails',
      ).toEqual([GATES]);
  });

  test('PodReadyToStartContainers from any ready sandbox, or Initialized from the init containers alone, fails the test that names it', async () => {
    const any = await gradeVariant('ready-to-start-any-sandbox', '01-pod-status');
    expect(any.failed).toEqual([`${POD}PodReadyToStartContainers is True only for exactly one ready sandbox, the newest, with an IP`]);
    expect(any.out).toMatch(/did\s+PodReadyToStartContainers for each set of sandboxes\n\s+expected \{[\s\S]*?"twoReady": "False"[\s\S]*?got\s+\{[\s\S]*?"twoReady": "True"/);
    const initOnly = await gradeVariant('initialized-ignores-running-app', '01-pod-status');
    expect(initOnly.failed).toContain(
      `${POD}Initialized: complete init containers (regular ones ready, sidecars started) make it True before any app container runs; an app container running makes it True whatever the sidecars do`,
    );
    expect(initOnly.out).toMatch(
      /did\s+proxy restarted \(not started yet\), a running, b created\n\s+expected True\n\s+got\s+False ContainersNotInitialized: containers with incomplete status: \[proxy\]/,
    );
  });

  test('init containers started all at once fail the one-at-a-time tests', async () => {
    const { out, failed } = await gradeVariant('init-all-at-once', '02-sync-pod');
    expect(failed).toContain('a new sandbox > with init containers, a new sandbox starts only the first init container');
    expect(failed).toContain('init containers, one at a time > a sandbox exists but nothing ran yet: start the first init container');
    expect(out).toContain('Init containers run one at a time, from the first');
  });

  test('a liveness kill restarted under Never fails the liveness test, showing the plan', async () => {
    const { out, failed } = await gradeVariant('liveness-restart-under-never', '02-sync-pod');
    expect(failed).toEqual(['app containers > a failed liveness probe kills the container with its reason, and it is started again unless restartPolicy is Never']);
    expect(out).toMatch(/did\s+a fails liveness, Never/);
  });

  test("a sidecar's failed liveness probe ignored, or a new sandbox restarting what succeeded, fails the test that names it", async () => {
    const ignored = await gradeVariant('sidecar-liveness-ignored', '02-sync-pod');
    expect(ignored.failed).toEqual(['sidecars (init containers with restartPolicy Always) > a running sidecar whose image changed, or whose liveness probe failed, is killed and started again']);
    expect(ignored.out).toMatch(
      /did\s+proxy's liveness probe failed; app running\n\s+expected \{[\s\S]*?LivenessProbe: Init container proxy failed liveness probe"[\s\S]*?got\s+\{\s+"createSandbox": false,\s+"init": \[\],\s+"kill": \[\],/,
    );
    const eager = await gradeVariant('new-sandbox-restarts-succeeded', '02-sync-pod');
    expect(eager.failed).toContain('a new sandbox > a new sandbox restarts what the policy restarts: under OnFailure not the containers that succeeded, and no sandbox at all when all did');
    expect(eager.out).toContain('With a new sandbox, skip only OnFailure containers that exited 0');
  });

  test('a stop timeout without the 2 s minimum fails the preStop test', async () => {
    const { out, failed } = await gradeVariant('no-minimum-after-prestop', '02-sync-pod');
    expect(failed).toEqual(['graceful termination > the preStop hook uses up the grace period, but the container always gets 2 s after it']);
    expect(out).toMatch(/did\s+30 s, preStop took 29.7 s\n\s+expected 2\n\s+got\s+1/);
  });

  test('OnFailure treated as Always fails the policy table', async () => {
    const { out, failed } = await gradeVariant('onfailure-restarts-success', '01-pod-status');
    expect(failed).toContain('the restart policy (ShouldContainerBeRestarted) > an exited container: Always restarts it, OnFailure only after a non-zero exit code, Never not at all');
    expect(out).toContain('"OnFailure: exit 0 → true, exit 1 → true"');
    expect(out).toContain('OnFailure looks at the exit code');
  });

  test('a back-off without its cap, one that never resets, and one shared by all keys each fail their test', async () => {
    const capped = await gradeVariant('backoff-not-capped', '03-restarts');
    expect(capped.failed).toContain(`${BACKOFF}each next() doubles the delay from 10 s, and it never goes past 300 s`);
    expect(capped.failed).toContain(`${CRASH}the first restart is at once, then 10 s, 20 s, 40 s ... up to 5 min`);
    expect(capped.out).toContain('min(delay × 2, max): is yours capped?');
    const forever = await gradeVariant('backoff-never-resets', '03-restarts');
    expect(forever.failed).toContain(`${CRASH}a container that ran for more than 10 minutes before crashing is restarted at once, and its next delay is 10 s again`);
    expect(forever.failed).not.toContain(`${BACKOFF}each next() doubles the delay from 10 s, and it never goes past 300 s`);
    const shared = await gradeVariant('backoff-one-for-all', '03-restarts');
    expect(shared.failed).toContain(`${BACKOFF}each key has its own delay`);
    expect(shared.failed).toContain(`${CRASH}a new pod with the same name, or another container, does not inherit the back-off`);
    expect(shared.out).toMatch(/did\s+a failed twice, b once\n\s+expected \{"a":20000,"b":10000\}\n\s+got\s+\{"a":40000,"b":40000\}/);
  });

  test('probes counted before initialDelaySeconds, or successThreshold ignored, or failures not in a row, or no hold, each fail their test', async () => {
    const early = await gradeVariant('probe-before-initial-delay', '04-probes');
    expect(early.failed).toContain('timing and gating > no probe runs before initialDelaySeconds have passed since the container started (whole seconds)');
    expect(early.out).toMatch(/got\s+\{"calls":6,"results":\["success"/);
    const eager = await gradeVariant('probe-success-threshold-ignored', '04-probes');
    expect(eager.failed).toContain('results and thresholds > readiness needs successThreshold successes in a row');
    expect(eager.out).toContain('A success below successThreshold changes nothing');
    const loose = await gradeVariant('probe-failures-not-in-a-row', '04-probes');
    expect(loose.failed).toContain('results and thresholds > a ready container becomes unready only after failureThreshold failures in a row');
    const busy = await gradeVariant('probe-no-hold', '04-probes');
    expect(busy.failed).toEqual([
      'liveness failures and container changes > after failureThreshold liveness failures the worker records failure and holds until a new container appears',
      'liveness failures and container changes > a startup probe that fails failureThreshold times records failure and holds too, until a new container appears',
    ]);
    expect(busy.out).toContain('onHold: a container being killed is not probed');
  });

  test('a worker that stops while it waits out initialDelaySeconds, or gives up readiness on a deleted pod, fails the test that names it', async () => {
    const quits = await gradeVariant('probe-stops-in-initial-delay', '04-probes');
    expect(quits.failed).toContain('timing and gating > no probe runs before initialDelaySeconds have passed since the container started (whole seconds)');
    expect(quits.out).toMatch(/did\s+what doProbe resolved to in round 1 \(true: call me again; false stops this worker for good\)\n\s+expected true\n\s+got\s+false/);
    const frozen = await gradeVariant('probe-deleted-readiness-stops', '04-probes');
    expect(frozen.failed).toEqual(['liveness failures and container changes > on a pod being deleted, a startup probe also says success and stops; a readiness probe goes on probing']);
    expect(frozen.out).toContain('Only liveness and startup give up on a deleted pod');
  });

  test("doBackOff counting another container's crash fails the test of its own instances", async () => {
    const { out, failed } = await gradeVariant('crashloop-any-exited', '03-restarts');
    expect(failed).toContain(`${CRASH}only this container's own exited instance counts: another container's crash, or its own running instance, records nothing`);
    expect(out).toMatch(/did\s+doBackOff\(log\) on three syncs, while log runs[^\n]*\n\s+expected \[[^\]]*"sync 2: false"[^\]]*\]\n\s+got\s+\[[^\]]*"sync 2: true"/);
  });

  test('admission that checks resources the pod does not request fails the overcommitted-node test, with the verdict it gave', async () => {
    const { out, failed } = await gradeVariant('admission-checks-unrequested', '05-node-status');
    expect(failed).toEqual([`${ADMIT}a resource the pod does not request is not checked, even on an overcommitted node; the last byte of memory can be used`]);
    expect(out).toMatch(
      /did\s+1Gi, no cpu, on a node of 2 cpu whose pods request 2.5 cpu[^\n]*\n\s+expected OutOfmemory[^\n]*\n\s+got\s+OutOfcpu: Node didn't have enough resource: cpu, requested: 0, used: 2500, capacity: 2000/,
    );
    expect(out).toContain('Check cpu only when the pod requests cpu (> 0)');
  });

  test('allocatable without the reservations, node conditions that move every time, and admission mistakes fail their tests', async () => {
    const alloc = await gradeVariant('allocatable-ignores-reserved', '05-node-status');
    expect(alloc.failed).toContain('allocatable > capacity minus kube-reserved, system-reserved and the hard eviction thresholds');
    expect(alloc.out).toContain('Add all three reservations per resource');
    const moving = await gradeVariant('node-transition-every-time', '05-node-status');
    expect(moving.failed).toContain('node conditions > nothing changed: every heartbeat moves to now, every lastTransitionTime stays');
    const alone = await gradeVariant('admission-ignores-other-pods', '05-node-status');
    expect(alone.failed).toContain(`${ADMIT}not enough cpu: OutOfcpu, with requested, used and capacity in millicores`);
    expect(alone.out).toMatch(
      /did\s+1500m on a node of 2 cpu running 600m and 400m\n\s+expected OutOfcpu: Node didn't have enough resource: cpu, requested: 1500, used: 1000, capacity: 2000\n\s+got\s+admitted/,
    );
    const strict = await gradeVariant('admission-rejects-noschedule', '05-node-status');
    expect(strict.failed).toEqual([`${ADMIT}only NoExecute taints matter to the kubelet; NoSchedule ones were the scheduler's business`]);
    expect(strict.out).toContain('Filter the taints by effect NoExecute');
  });
}, 600_000);
