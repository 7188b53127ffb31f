/**
 * The autoscaling chain without a real kubelet: the bounded load generator sends requests to an
 * "app" on loopback; a stand-in kubelet (HTTPS, its own CA, bearer token) reports each pod's
 * cumulative cpu in /stats/summary as one cpu-second per request served; the engine's
 * metrics-server scrapes it and serves metrics.k8s.io; the HPA controller reads that and scales
 * the Deployment up, then, the load over, back down after the stabilisation window. The clock of
 * the metrics-server rounds and of the HPA is injected; the load is real (bounded: 20 rps, 1 s).
 *
 * What the real kubelet brings later (issue 12 #3) replaces the stand-in; nothing else changes.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCa, createServingCert } from '#engine/apiserver/pki.ts';
import { HPA_V2, newHorizontalController, type HorizontalPodAutoscaler } from '#engine/controllers/horizontal-controller.ts';
import { SharedInformerFactory } from '#engine/controllers/informers.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { ManualClock } from '#engine/etcd/clock.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject, Node, Pod } from '#engine/kube/types.ts';
import { startLoad } from '#engine/metrics/load-generator.ts';
import { newMetricsServer, type MetricsServer } from '#engine/metrics/metrics-server.ts';
import { EventRecorder } from '#engine/scheduler/component.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

const TOKEN = 'chain-test-token';
const PERIOD = 15_000;
/** When the node and the app's containers started (a summary's start times stay put between samples). */
const BOOT = Date.parse('2025-06-01T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let server: TestServer;
let kubeletServer: Server;
let app: HttpServer;
let clock: ManualClock;
let informers: SharedInformerFactory;
let controller: ReturnType<typeof newHorizontalController>;
let recorder: EventRecorder;
let metrics: MetricsServer;
let unregister: () => void;
/** Requests the app served since the last sample; each pod's cumulative cpu (ns). */
let served = 0;
const cpuNs = new Map<string, number>();
/** The summary as the stand-in kubelet last sampled it. */
let summary: unknown = { node: { nodeName: 'node-a' }, pods: [] };

/** The stand-in kubelet takes a sample: the requests served since the last one are spread over the pods, one cpu-second each. */
async function sample(): Promise<void> {
  const pods = (await server.client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=app' })).items.map((p) => p.metadata.name!);
  for (const p of pods) if (!cpuNs.has(p)) cpuNs.set(p, 0);
  for (const p of pods) cpuNs.set(p, cpuNs.get(p)! + (served * 1e9) / pods.length);
  served = 0;
  const at = iso(clock.now());
  const start = iso(BOOT);
  summary = {
    node: { nodeName: 'node-a', startTime: start, cpu: { time: at, usageCoreNanoSeconds: 1e12 }, memory: { time: at, workingSetBytes: 1 << 30 } },
    pods: pods.map((name) => ({
      podRef: { name, namespace: 'default', uid: name },
      startTime: start,
      containers: [{ name: 'c', startTime: start, cpu: { time: at, usageCoreNanoSeconds: cpuNs.get(name) }, memory: { time: at, workingSetBytes: 20 << 20 } }],
    })),
  };
}

/** Polls until `ok`; generous (60 s), as the informers and the controller's workers may be slow on a loaded machine. */
async function until<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await get();
  }
  return last;
}

/** One period: the kubelet samples, the metrics-server scrapes, the clock moves 15 s and the HPA syncs. */
async function period(): Promise<void> {
  await sample();
  await metrics.scrape();
  const before = controller.reconciled();
  clock.advance(PERIOD);
  await until(
    'the HPA to sync',
    () => controller.reconciled(),
    (n) => n > before,
  );
  await until(
    'the HPA informer to catch up',
    async () =>
      (await server.client.get<KubeObject>(HPA_V2, 'app', { namespace: 'default' })).metadata.resourceVersion === informers.forResource(HPA_V2).lister.get('default/app')?.metadata.resourceVersion,
    (ok) => ok,
  );
}

const replicas = async () => ((await server.client.get<KubeObject>('deployments', 'app', { namespace: 'default' })).spec as { replicas: number }).replicas;

/** What the ReplicaSet controller and a kubelet would do: Running, Ready pods up to the Deployment's replicas. */
async function podsToReplicas(): Promise<void> {
  const want = await replicas();
  const have = (await server.client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=app' })).items;
  for (let i = have.length; i < want; i++) {
    const created = await server.client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `app-${i}`, namespace: 'default', labels: { app: 'app' } },
      spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'kubelings/echo', resources: { requests: { cpu: '100m' } } }] },
    });
    const started = iso(clock.now() - 10 * 60_000);
    await server.client.updateStatus<Pod>('pods', { ...created, status: { phase: 'Running', startTime: started, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: started }] } });
  }
}

beforeAll(async () => {
  server = await startTestServer();
  clock = new ManualClock(Date.parse('2025-06-01T10:00:00Z'));
  app = createHttpServer((_req, res) => {
    served++;
    res.end('hello from app\n');
  });
  const ca = createCa();
  const tls = createServingCert(ca, ['127.0.0.1']);
  kubeletServer = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(summary));
  });
  await Promise.all([app, kubeletServer].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  const node = await server.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
  await server.client.updateStatus<Node>('nodes', {
    ...node,
    status: {
      allocatable: { cpu: '4', memory: '8Gi' },
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: (kubeletServer.address() as AddressInfo).port } },
    },
  } as Node);
  await server.client.create<KubeObject>('deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'app' } },
      template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'c', image: 'kubelings/echo', resources: { requests: { cpu: '100m' } } }] } },
    },
  });
  await podsToReplicas();
  metrics = newMetricsServer({ client: server.client, ca: ca.cert, token: TOKEN, clock });
  unregister = server.api.registerMetricsProvider(metrics.provider);
  const objects = await loadComponent('objects');
  informers = new SharedInformerFactory(server.client, { logger: silentLogger, clock });
  recorder = new EventRecorder(server.client, 'horizontal-pod-autoscaler', () => {});
  controller = newHorizontalController({ controllers: await loadComponent('controllers'), objects, informers, clock, logger: silentLogger, kube: server.client, recorder });
  await informers.start();
  controller.workers.start();
  await server.client.create<KubeObject>(HPA_V2, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'app', namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  });
  await until(
    'the informer to see the HPA',
    () => informers.forResource<HorizontalPodAutoscaler>(HPA_V2).lister.get('default/app'),
    (h) => h !== undefined,
  );
}, 120_000);

afterAll(async () => {
  await controller?.workers.stop();
  informers?.stop();
  await recorder?.stop();
  metrics?.stop();
  unregister?.();
  for (const s of [app, kubeletServer]) s?.closeAllConnections();
  await Promise.all([app, kubeletServer].map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))));
  await server?.close();
});

test('load from the bounded generator scales the Deployment up through the metrics-server; idle, it comes back down after the window', async () => {
  // The first period: one sample only, no cpu rate yet (metrics-server needs two).
  await period();
  expect(await replicas()).toBe(2);
  // Load, bounded: at most 20 requests over one second, each one a cpu-second of the app's pods.
  const load = await startLoad({ url: `http://127.0.0.1:${(app.address() as AddressInfo).port}/`, rps: 20, durationMs: 1_000 }).done;
  expect(load.ok).toBeGreaterThan(0);
  await period();
  const up = await replicas();
  expect(up).toBeGreaterThan(2);
  const hpa = await server.client.get<HorizontalPodAutoscaler>(HPA_V2, 'app', { namespace: 'default' });
  expect(hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization).toBeGreaterThan(50);
  // Idle from now on. No kubelet starts the new pods here, so the metrics stay those of the first
  // two (0%). The recommendation made under load, ceil(ratio x 2) before any cap, stays the
  // highest of the 300 s window: upstream holds it, and applies more of it at the next period
  // (up to maxReplicas) though no metric is above target.
  await period();
  const held = await replicas();
  expect(held).toBeGreaterThanOrEqual(up);
  for (let i = 0; i < 18; i++) await period();
  expect(await replicas()).toBe(held);
  await period(); // the load's recommendation is 300 s old: still in the window
  expect(await replicas()).toBe(held);
  await period();
  expect(await replicas()).toBe(1);
  const rescales = async () =>
    (await server.client.list<KubeObject & { reason?: string; message?: string }>('events', { namespace: 'default' })).items.filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message!);
  const events = await until('the scale-down event written', rescales, (list) => list.includes('New size: 1; reason: All metrics below target'));
  expect(events[0]).toBe(`New size: ${up}; reason: cpu resource utilization (percentage of request) above target`);
  expect(events.at(-1)).toBe('New size: 1; reason: All metrics below target');
}, 600_000); // 22 periods, each waiting for a sync
