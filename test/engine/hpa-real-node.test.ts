/**
 * The HorizontalPodAutoscaler end to end on a real node, as a person runs upstream's HPA
 * walkthrough (kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough,
 * and upstream's e2e test/e2e/autoscaling/horizontal_pod_autoscaling.go): `kubelings cluster up`
 * with the controller-manager's and metrics-server's periods scaled down by their own flags; a
 * Deployment of `kubelings/echo` with a cpu request; an autoscaling/v2 HPA on 50% cpu
 * utilisation; the bounded load generator on loopback asks the first pod's `/burn` (20 ms of cpu
 * time a request, 10 a second: about 200% of its 100m request), read by the real kubelet from
 * /proc, scraped by the metrics-server, read by the HPA, which scales the Deployment up; the load
 * stopped, it scales back to 1 once the downscale stabilisation window has passed.
 *
 * What is read is what a person reads: `kubectl get hpa` (TARGETS `cpu: 200%/50%`), `kubectl top
 * pod`, the HPA's status and its SuccessfulRescale events. The cpu a request costs is cpu time,
 * not wall time (engine/images/programs/echo.ts), so the utilisation does not depend on the
 * machine's speed; every wait has a generous deadline and says what it waits for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { HPA_V2 } from '#engine/controllers/horizontal-controller.ts';
import { hpaFlags } from '#engine/controllers/component.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { startLoad, type Load } from '#engine/metrics/load-generator.ts';
import { HAS_KUBECTL, kubectlWith, rows } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';

const home = tempDir('kubelings-hpa-home-');
/** The downscale stabilisation window for this test (upstream: 5 min). */
const WINDOW_S = 20;
let load: Load | undefined;
let client: KubeClient | undefined;
afterAll(async () => {
  load?.stop();
  await load?.done;
  client?.close();
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
});

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: burner
spec:
  replicas: 1
  selector:
    matchLabels: {app: burner}
  template:
    metadata:
      labels: {app: burner}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: echo
        image: kubelings/echo
        ports: [{containerPort: 8080}]
        resources:
          requests: {cpu: 100m}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: burner
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burner}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 50}
`;

interface Hpa extends KubeObject {
  status?: { desiredReplicas?: number; currentReplicas?: number; currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[] | null };
}
interface Deployment extends KubeObject {
  spec: { replicas: number };
  status?: { replicas?: number; readyReplicas?: number };
}
interface Event extends KubeObject {
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  involvedObject?: { kind?: string; name?: string };
}

test("the HPA's kube-controller-manager flags, as written or as cluster up camelCases them", () => {
  expect(hpaFlags({})).toEqual({});
  expect(hpaFlags({ 'horizontal-pod-autoscaler-sync-period': '2s', horizontalPodAutoscalerDownscaleStabilization: '1m30s' })).toEqual({ syncPeriodMs: 2_000, downscaleStabilizationMs: 90_000 });
  expect(hpaFlags({ horizontalPodAutoscalerCpuInitializationPeriod: '10s', horizontalPodAutoscalerInitialReadinessDelay: '500ms' })).toEqual({
    cpuInitializationPeriodMs: 10_000,
    initialReadinessDelayMs: 500,
  });
  expect(() => hpaFlags({ horizontalPodAutoscalerSyncPeriod: 'soon' })).toThrow('not a duration: "soon" (write 40s, 500ms or 5m)');
  expect(() => hpaFlags({ horizontalPodAutoscalerSyncPeriod: '0s' })).toThrow('--horizontal-pod-autoscaler-sync-period must be more than 0s');
});

describe.skipIf(!HAS_KUBECTL)('the HPA on a real node (kubectl)', { timeout: 600_000 }, () => {
  test('load on a pod scales the Deployment up (kubectl get hpa shows the real utilisation); stopped, it scales back to 1 after the window', async () => {
    const up = kubelings(
      ['cluster', 'up', '--port', '0', '--horizontal-pod-autoscaler-sync-period', '2s', '--horizontal-pod-autoscaler-downscale-stabilization', `${WINDOW_S}s`, '--metric-resolution', '3s'],
      { home, timeoutMs: 180_000 },
    );
    expect(up.code, up.out + up.err).toBe(0);
    const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
    client = new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'hpa-real-node-test' });
    const kubectl = kubectlWith(join(home, 'kubeconfig'));
    const applied = await kubectl.run(['apply', '-f', '-'], MANIFEST);
    expect(applied.output).toBe('deployment.apps/burner created\nhorizontalpodautoscaler.autoscaling/burner created\n');

    const c = client;
    const hpa = () => c.get<Hpa>(HPA_V2, 'burner', { namespace: 'default' });
    const deployment = () => c.get<Deployment>('deployments', 'burner', { namespace: 'default' });
    const first = await waitFor(
      "the Deployment's first pod to run on node-0 and be Ready",
      async () => {
        const pods = (await c.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=burner' })).items;
        return pods.find((p) => p.status?.podIP && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      },
      120_000,
    );
    // The metrics-server needs two samples of the pod before it serves a rate.
    let top = await kubectl.run(['top', 'pod', first.metadata.name!, '--no-headers']);
    for (let waited = 0; top.code !== 0 && waited < 120_000; waited += 1_000) {
      await sleep(1_000);
      top = await kubectl.run(['top', 'pod', first.metadata.name!, '--no-headers']);
    }
    expect(top.stdout, `kubectl top pod before any load: ${top.output}`).toMatch(new RegExp(`^${first.metadata.name}\\s+\\d+m\\s+\\d+Mi\\s*$`));
    const idle = await waitFor(
      "the HPA to read the idle pod's cpu",
      async () => {
        const h = await hpa();
        return h.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined && h;
      },
      120_000,
    );
    expect(idle.status, 'the HPA with the pod idle').toMatchObject({ desiredReplicas: 1, currentReplicas: 1 });
    expect(idle.status!.currentMetrics![0]!.resource!.current!.averageUtilization, 'idle utilisation').toBeLessThan(50);

    load = startLoad({ url: `http://${first.status!.podIP}:8080/burn?ms=20`, rps: 10, durationMs: 5 * 60_000 });
    const scaled = await waitFor('the HPA to want more than 1 replica under load', async () => ((await hpa()).status?.desiredReplicas ?? 0) > 1 && hpa(), 180_000);
    const utilisation = scaled.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization;
    expect(utilisation, `the HPA under load: ${JSON.stringify(scaled.status)}`).toBeDefined();
    expect(utilisation, 'cpu utilisation the HPA computed under load (% of the request)').toBeGreaterThan(50);
    await waitFor(
      'the Deployment to follow the HPA: spec.replicas = desiredReplicas and as many Ready pods',
      async () => {
        const [d, h] = await Promise.all([deployment(), hpa()]);
        return d.spec.replicas > 1 && d.spec.replicas === h.status?.desiredReplicas && d.status?.readyReplicas === d.spec.replicas;
      },
      180_000,
    );
    // kubectl get hpa, as the walkthrough shows it: TARGETS is the current utilisation over the target.
    const busy = await waitFor(
      'kubectl get hpa to show a cpu utilisation above the target',
      async () => {
        const out = await kubectl.run(['get', 'hpa', 'burner']);
        const m = /cpu: (\d+)%\/50%/.exec(out.stdout);
        return m && Number(m[1]) > 50 ? out.stdout : undefined;
      },
      60_000,
    );
    const [header, row] = rows(busy);
    expect(header).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row!.slice(0, 2)).toEqual(['burner', 'Deployment/burner']);
    expect(row![2]).toMatch(/^cpu: \d+%\/50%$/);
    expect(row!.slice(3, 5)).toEqual(['1', '3']);
    // kubectl top shows the metrics-server's latest window (3 s here): on a loaded machine one window
    // may hold fewer of the load's requests than the HPA's reading did, so top is read until it shows them.
    let loaded = await kubectl.run(['top', 'pod', first.metadata.name!, '--no-headers']);
    const millicoresOf = (out: string) => Number(/\s(\d+)m\s/.exec(out)?.[1]);
    for (let waited = 0; !(millicoresOf(loaded.stdout) > 50) && waited < 60_000; waited += 1_000) {
      await sleep(1_000);
      loaded = await kubectl.run(['top', 'pod', first.metadata.name!, '--no-headers']);
    }
    const millicores = millicoresOf(loaded.stdout);
    expect(millicores, `kubectl top pod of the loaded pod: ${loaded.output}`).toBeGreaterThan(50);

    const stats = (load.stop(), await load.done);
    expect(stats.ok, `load generator: ${JSON.stringify(stats)}`).toBeGreaterThan(0);
    await waitFor(
      `the HPA to scale back to 1 once the load is over (after its ${WINDOW_S} s stabilisation window)`,
      async () => {
        const [d, h] = await Promise.all([deployment(), hpa()]);
        return h.status?.desiredReplicas === 1 && d.spec.replicas === 1 && d.status?.replicas === 1;
      },
      240_000,
    );
    const quiet = await waitFor(
      'kubectl get hpa to show a cpu utilisation below the target and 1 replica',
      async () => {
        const out = await kubectl.run(['get', 'hpa', 'burner', '--no-headers']);
        const m = /cpu: (\d+)%\/50%/.exec(out.stdout);
        return m && Number(m[1]) < 50 && rows(out.stdout)[0]![5] === '1' ? out.stdout : undefined;
      },
      60_000,
    );
    expect(rows(quiet)[0]!.slice(3, 6)).toEqual(['1', '3', '1']);

    // The controller's own record: the scale-down came no sooner than the window after the scale-up
    // (the scale-up's recommendation stays the highest of the window), whatever the machine's speed.
    const rescales = (await c.list<Event>('events', { namespace: 'default' })).items
      .filter((e) => e.reason === 'SuccessfulRescale' && e.involvedObject?.name === 'burner')
      .sort((a, b) => Date.parse(a.lastTimestamp!) - Date.parse(b.lastTimestamp!));
    // Under load the way down may take two steps (3 -> 2 -> 1): each scale-down comes no sooner
    // than the window after the scale-up before it.
    const messages = rescales.map((e) => e.message);
    expect(messages.at(-1), 'the last SuccessfulRescale event').toBe('New size: 1; reason: All metrics below target');
    const isUp = (m?: string) => /^New size: [23]; reason: cpu resource utilization \(percentage of request\) above target$/.test(m ?? '');
    const isDown = (m?: string) => /^New size: [12]; reason: All metrics below target$/.test(m ?? '');
    expect(
      messages.every((m) => isUp(m) || isDown(m)),
      `SuccessfulRescale events: ${JSON.stringify(messages)}`,
    ).toBe(true);
    const firstDown = messages.findIndex(isDown);
    expect(firstDown, `SuccessfulRescale events: ${JSON.stringify(messages)}`).toBeGreaterThan(0);
    expect(messages.slice(firstDown).every(isDown), `no scale-up after the load stopped: ${JSON.stringify(messages)}`).toBe(true);
    const apart = (Date.parse(rescales[firstDown]!.lastTimestamp!) - Date.parse(rescales[firstDown - 1]!.lastTimestamp!)) / 1000;
    expect(apart, 'seconds between the last scale-up and the first scale-down events').toBeGreaterThanOrEqual(WINDOW_S - 1);
  });
});
