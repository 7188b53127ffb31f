/**
 * The HorizontalPodAutoscaler controller (engine/controllers/horizontal-controller.ts) against the
 * in-process apiserver (TLS + token), with a stand-in metrics provider registered through
 * ApiServer.registerMetricsProvider (so the controller reads metrics.k8s.io as it would read
 * metrics-server) and an injected clock: each tick is one sync period (15 s).
 *
 * Upstream: pkg/controller/podautoscaler/horizontal.go and horizontal_test.go (TestScaleUp,
 * TestScaleDown, TestToleranceCPU, TestMinReplicas, TestMaxReplicas, TestUpscaleCap,
 * TestMissingMetrics, TestScaleDownWithStabilizationWindow — reason strings and conditions as
 * there), and `kubectl get hpa` / `kubectl describe hpa` with the real kubectl
 * (k8s.io/kubectl pkg/describe DescribeHorizontalPodAutoscaler).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EventRecorder } from '#engine/scheduler/component.ts';
import { SharedInformerFactory } from '#engine/controllers/informers.ts';
import { HPA_V2, newHorizontalController, type HorizontalPodAutoscaler } from '#engine/controllers/horizontal-controller.ts';
import { ManualClock } from '#engine/etcd/clock.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, rows, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

const START = Date.parse('2025-06-01T10:00:00Z');
const PERIOD = 15_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let server: TestServer;
let clock: ManualClock;
let informers: SharedInformerFactory;
let controller: ReturnType<typeof newHorizontalController>;
let recorder: EventRecorder;
let stopMetrics: () => void;
/** The cpu usage (milli-cores) the stand-in metrics server reports per pod; absent = no metrics for it. */
const usage = new Map<string, number>();

async function until<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await get();
  }
  return last;
}

/** One sync period passes: the controller reconciles every autoscaler due, and the informer sees what it wrote. */
async function tick(count = 1): Promise<void> {
  for (let i = 0; i < count; i++) {
    const before = controller.reconciled();
    const due = informers.forResource<HorizontalPodAutoscaler>(HPA_V2).lister.list().length;
    clock.advance(PERIOD);
    await until(
      'the controller to reconcile every autoscaler',
      () => controller.reconciled(),
      (n) => n >= before + due,
    );
    await caughtUp();
  }
}

/** The informer's autoscalers are those the apiserver has (so the next sync reads the status written). */
async function caughtUp(): Promise<void> {
  await until(
    'the HPA informer to catch up',
    async () => {
      const live = (await server.client.list<HorizontalPodAutoscaler>(HPA_V2, { namespace: 'default' })).items;
      const cached = informers.forResource<HorizontalPodAutoscaler>(HPA_V2).lister;
      return live.every((h) => cached.get(`default/${h.metadata.name}`)?.metadata.resourceVersion === h.metadata.resourceVersion);
    },
    (ok) => ok,
  );
}

async function deployment(name: string, replicas: number): Promise<void> {
  await server.client.create<KubeObject>('deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } },
    },
  });
}

/** A Running, Ready pod of the app (as its ReplicaSet and kubelet would leave it), started 10 min ago. */
async function pod(app: string, name: string, cpu: number | undefined, options: { ready?: boolean } = {}): Promise<void> {
  const created = await server.client.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app } },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
  });
  const started = iso(clock.now() - 10 * 60_000);
  await server.client.updateStatus<Pod>('pods', {
    ...created,
    status: { phase: 'Running', startTime: started, conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: started }] },
  });
  if (cpu === undefined) usage.delete(name);
  else usage.set(name, cpu);
}

async function hpa(name: string, spec: Record<string, unknown>): Promise<void> {
  await server.client.create<KubeObject>(HPA_V2, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      ...spec,
    },
  });
}

const replicasOf = async (name: string) => ((await server.client.get<KubeObject>('deployments', name, { namespace: 'default' })).spec as { replicas: number }).replicas;
const statusOf = async (name: string) => (await server.client.get<HorizontalPodAutoscaler>(HPA_V2, name, { namespace: 'default' })).status!;
const condition = (status: HorizontalPodAutoscaler['status'], type: string) => status?.conditions?.find((c) => c.type === type);
const setLoad = (app: string, cpu: number) => {
  for (const name of usage.keys()) if (name.startsWith(`${app}-`)) usage.set(name, cpu);
};
const events = async (name: string) =>
  (
    await server.client.list<KubeObject & { reason?: string; message?: string; type?: string; involvedObject?: { name?: string; kind?: string }; source?: { component?: string } }>('events', {
      namespace: 'default',
    })
  ).items.filter((e) => e.involvedObject?.name === name && e.involvedObject?.kind === 'HorizontalPodAutoscaler');

beforeAll(async () => {
  server = await startTestServer();
  clock = new ManualClock(START);
  const objects = await loadComponent('objects');
  const objectsMatch = (labels: Record<string, string>, selector: string) => objects.matchesSelector(objects.parseSelector(selector), labels);
  // The stand-in metrics server: PodMetrics of the pods that have a usage, as metrics-server lists them.
  stopMetrics = server.api.registerMetricsProvider(async (path, query) => {
    const match = /^\/namespaces\/([^/]+)\/pods$/.exec(path);
    if (!match) throw new Error(`unexpected metrics path ${path}`);
    const selector = query.get('labelSelector') ?? '';
    const pods = (await server.client.list<Pod>('pods', { namespace: match[1] })).items.filter((p) => !selector || objectsMatch(p.metadata.labels ?? {}, selector));
    const items = pods
      .filter((p) => usage.has(p.metadata.name!))
      .map((p) => ({
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace, labels: p.metadata.labels },
        timestamp: iso(clock.now()),
        window: '15s',
        containers: [{ name: 'c', usage: { cpu: `${usage.get(p.metadata.name!)}m`, memory: '10Mi' } }],
      }));
    return { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items };
  });
  informers = new SharedInformerFactory(server.client, { logger: silentLogger, clock });
  recorder = new EventRecorder(server.client, 'horizontal-pod-autoscaler', () => {});
  controller = newHorizontalController({ controllers: await loadComponent('controllers'), objects, informers, clock, logger: silentLogger, kube: server.client, recorder });
  await informers.start();
  controller.workers.start();
});

afterAll(async () => {
  await controller?.workers.stop();
  informers?.stop();
  await recorder?.stop();
  stopMetrics?.();
  await server?.close();
});

describe('the HPA controller scales a Deployment on cpu utilisation', () => {
  test("under load it scales up at the next sync period, with upstream's status, conditions and SuccessfulRescale event", async () => {
    await deployment('web', 2);
    await pod('web', 'web-a', 90);
    await pod('web', 'web-b', 90);
    await hpa('web', { minReplicas: 1 });
    await caughtUp();
    // Nothing happens before the first period (upstream's fixed-interval queue).
    expect(await replicasOf('web')).toBe(2);
    await tick();
    // 90% of requests against 50%: ratio 1.8, ceil(1.8 x 2) = 4.
    expect(await replicasOf('web')).toBe(4);
    const status = await statusOf('web');
    expect(status).toMatchObject({ currentReplicas: 2, desiredReplicas: 4, lastScaleTime: iso(START + PERIOD) });
    expect(status.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } } }]);
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['AbleToScale', 'True', 'SucceededRescale', 'the HPA controller was able to update the target scale to 4'],
      ['ScalingActive', 'True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)'],
      ['ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range'],
    ]);
    const rescale = await until(
      'the SuccessfulRescale event',
      () => events('web'),
      (es) => es.some((e) => e.reason === 'SuccessfulRescale'),
    );
    expect(rescale.find((e) => e.reason === 'SuccessfulRescale')).toMatchObject({
      type: 'Normal',
      message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      source: { component: 'horizontal-pod-autoscaler' },
    });
  });

  test('when the load stops it scales back down only after the 5-minute stabilisation window', async () => {
    // The ReplicaSet's two new pods, now that the Deployment asks for 4; the load is gone.
    await pod('web', 'web-c', 10);
    await pod('web', 'web-d', 10);
    setLoad('web', 10);
    await tick();
    // 10% of 50%: the metrics say 1, but the window holds the 4 recommended a period ago.
    expect(await replicasOf('web')).toBe(4);
    let status = await statusOf('web');
    expect(status).toMatchObject({ currentReplicas: 4, desiredReplicas: 4 });
    expect(condition(status, 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'ScaleDownStabilized',
      message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    // The 4 was recommended at START + 15 s; it leaves the window once 300 s have passed since.
    await tick(18); // up to START + 300 s
    expect(await replicasOf('web')).toBe(4);
    await tick(); // START + 315 s: still within (the cutoff, START + 15 s, is not after it)
    expect(await replicasOf('web')).toBe(4);
    await tick(); // START + 330 s
    expect(await replicasOf('web')).toBe(1);
    status = await statusOf('web');
    expect(status).toMatchObject({ currentReplicas: 4, desiredReplicas: 1, lastScaleTime: iso(START + 22 * PERIOD) });
    const down = await until(
      'the scale-down event',
      () => events('web'),
      (es) => es.some((e) => e.message?.startsWith('New size: 1')),
    );
    expect(down.find((e) => e.message?.startsWith('New size: 1'))?.message).toBe('New size: 1; reason: All metrics below target');
  }, 60_000);

  test('within the tolerance (54% against 50%) nothing moves, period after period', async () => {
    await deployment('steady', 3);
    for (const n of ['a', 'b', 'c']) await pod('steady', `steady-${n}`, 54);
    await hpa('steady', { minReplicas: 1 });
    await caughtUp();
    await tick(3);
    expect(await replicasOf('steady')).toBe(3);
    const status = await statusOf('steady');
    expect(status).toMatchObject({ currentReplicas: 3, desiredReplicas: 3 });
    expect(status.lastScaleTime).toBeUndefined();
    expect(status.currentMetrics?.[0]).toEqual({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 54, averageValue: '54m' } } });
    expect(condition(status, 'AbleToScale')).toMatchObject({ reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
    // 56%: outside the tolerance, ceil(1.12 x 3) = 4.
    setLoad('steady', 56);
    await tick();
    expect(await replicasOf('steady')).toBe(4);
  });

  test('limits: a scale-up is capped at max(2 x current, 4) per sync, then at maxReplicas (ScalingLimited True)', async () => {
    await deployment('hot', 2);
    await pod('hot', 'hot-a', 500);
    await pod('hot', 'hot-b', 500);
    await hpa('hot', { minReplicas: 1, maxReplicas: 6 });
    await caughtUp();
    await tick();
    // 500% of 50%: 20 wanted; 4 allowed from 2.
    expect(await replicasOf('hot')).toBe(4);
    expect(condition(await statusOf('hot'), 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
    await pod('hot', 'hot-c', 500);
    await pod('hot', 'hot-d', 500);
    await tick();
    expect(await replicasOf('hot')).toBe(6);
    expect(condition(await statusOf('hot'), 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });
  });

  test("a Deployment scaled below minReplicas by hand is brought back, with upstream's reason", async () => {
    await deployment('floor', 1);
    await pod('floor', 'floor-a', 50);
    await hpa('floor', { minReplicas: 3 });
    await caughtUp();
    await tick();
    expect(await replicasOf('floor')).toBe(3);
    const es = await until(
      'the rescale event',
      () => events('floor'),
      (list) => list.some((e) => e.reason === 'SuccessfulRescale'),
    );
    expect(es.find((e) => e.reason === 'SuccessfulRescale')?.message).toBe('New size: 3; reason: Current number of replicas below Spec.MinReplicas');
  });

  test('no metrics for the pods: ScalingActive False/FailedGetResourceMetric, a warning event, and no scaling', async () => {
    await deployment('dark', 2);
    await pod('dark', 'dark-a', undefined);
    await pod('dark', 'dark-b', undefined);
    await hpa('dark', { minReplicas: 1 });
    await caughtUp();
    await tick();
    expect(await replicasOf('dark')).toBe(2);
    const status = await statusOf('dark');
    expect(status.currentMetrics).toEqual([{ type: '' }]);
    expect(condition(status, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
    const es = await until(
      'the warning events',
      () => events('dark'),
      (list) => list.some((e) => e.reason === 'FailedComputeMetricsReplicas'),
    );
    expect(es.find((e) => e.reason === 'FailedComputeMetricsReplicas')?.message).toBe(
      'invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
    expect(es.find((e) => e.reason === 'FailedGetResourceMetric')?.type).toBe('Warning');
  });

  test('a target that does not exist: AbleToScale False/FailedGetScale', async () => {
    await hpa('ghost', { minReplicas: 1 });
    await caughtUp();
    await tick();
    expect(condition(await statusOf('ghost'), 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale' });
    expect(condition(await statusOf('ghost'), 'AbleToScale')?.message).toMatch(/^the HPA controller was unable to get the target's current scale: .*"ghost" not found/);
  });

  test('spec.behavior: scaleUp limited to 1 pod per minute, and a 0 s scale-down window acts at once', async () => {
    await deployment('paced', 2);
    await pod('paced', 'paced-a', 100);
    await pod('paced', 'paced-b', 100);
    await hpa('paced', { minReplicas: 1, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleDown: { stabilizationWindowSeconds: 0 } } });
    await caughtUp();
    await tick();
    expect(await replicasOf('paced')).toBe(3);
    await pod('paced', 'paced-c', 100);
    await tick(); // within the same minute: no more
    expect(await replicasOf('paced')).toBe(3);
    expect(condition(await statusOf('paced'), 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    setLoad('paced', 10);
    await tick();
    // 10% of 50%: ceil(0.2 x 3) = 1, no window, the default scale-down policy (100% per 15 s) allows it.
    expect(await replicasOf('paced')).toBe(1);
  });
});

describe('other targets and metrics', () => {
  test('a ReplicaSet with an averageValue target: usage per pod against the value, status averageValue only', async () => {
    await server.client.create<KubeObject>('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await pod('rs', 'rs-a', 300);
    await pod('rs', 'rs-b', 300);
    await hpa('rs', {
      minReplicas: 1,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' },
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '200m' } } }],
    });
    await caughtUp();
    await tick();
    // 300m per pod against 200m: ratio 1.5, ceil(1.5 x 2) = 3.
    const rs = await server.client.get<KubeObject>('replicasets', 'rs', { namespace: 'default' });
    expect((rs.spec as { replicas: number }).replicas).toBe(3);
    const status = await statusOf('rs');
    expect(status.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '300m' } } }]);
    const es = await until(
      'the rescale event',
      () => events('rs'),
      (list) => list.some((e) => e.reason === 'SuccessfulRescale'),
    );
    expect(es.find((e) => e.reason === 'SuccessfulRescale')?.message).toBe('New size: 3; reason: cpu resource above target');
  });

  test('a Pods metric needs a custom metrics API kubelings does not serve: it fails as on a cluster without one', async () => {
    await deployment('custom', 2);
    await pod('custom', 'custom-a', 10);
    await hpa('custom', { minReplicas: 1, metrics: [{ type: 'Pods', pods: { metric: { name: 'packets-per-second' }, target: { type: 'AverageValue', averageValue: '1k' } } }] });
    await caughtUp();
    await tick();
    expect(await replicasOf('custom')).toBe(2);
    expect(condition(await statusOf('custom'), 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetPodsMetric',
      message: 'the HPA was unable to compute the replica count: unable to get metric packets-per-second: no custom metrics API (custom.metrics.k8s.io) registered',
    });
  });

  test('a Deployment at 0 replicas is left alone: ScalingActive False/ScalingDisabled', async () => {
    await deployment('zero', 0);
    await hpa('zero', { minReplicas: 1 });
    await caughtUp();
    await tick();
    expect(await replicasOf('zero')).toBe(0);
    expect(condition(await statusOf('zero'), 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
      message: 'scaling is disabled since the replica count of the target is zero',
    });
  });
});

describe.skipIf(!HAS_KUBECTL)(`kubectl get hpa and describe hpa ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, () => {
  let kubectl: Kubectl;
  beforeAll(() => {
    kubectl = kubectlFor(server.access);
  });
  afterAll(() => kubectl?.cleanup());

  test('kubectl get hpa prints the current utilisation against the target, and the replicas', async () => {
    const r = await kubectl.run(['get', 'hpa', 'steady']);
    expect(r.code, r.output).toBe(0);
    expect(rows(r.stdout)[0]).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    // Scaled to 4 by the tolerance test's last period, and synced since.
    expect(rows(r.stdout)[1]!.slice(0, 6)).toEqual(['steady', 'Deployment/steady', 'cpu: 56%/50%', '1', '10', '4']);
  });

  test('kubectl describe hpa shows the metric, the conditions and both rescale events', async () => {
    const r = await kubectl.run(['describe', 'hpa', 'web']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('Reference:                                             Deployment/web\n');
    expect(r.stdout).toContain('  resource cpu on pods  (as a percentage of request):  10% (10m) / 50%\n');
    expect(r.stdout).toContain('Min replicas:                                          1\nMax replicas:                                          10\n');
    // Later periods (the other tests' ticks) found it at 1 and left it there.
    expect(r.stdout).toContain('Deployment pods:                                       1 current / 1 desired\n');
    expect(r.stdout).toMatch(/AbleToScale\s+True\s+ReadyForNewScale\s+recommended size matches current size\n/);
    expect(r.stdout).toMatch(/ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)\n/);
    expect(r.stdout).toMatch(/Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 4; reason: cpu resource utilization \(percentage of request\) above target\n/);
    expect(r.stdout).toMatch(/Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 1; reason: All metrics below target\n/);
  });
});
