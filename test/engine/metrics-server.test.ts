/**
 * The engine's metrics-server (engine/metrics/) against stand-in kubelets: HTTPS servers on
 * loopback with a serving certificate from a kubelet CA, answering /stats/summary with fixture
 * summaries in upstream's statsapi.Summary shape (k8s.io/kubelet/pkg/apis/stats/v1alpha1) only
 * to the right bearer token, and serving the in-process apiserver's metrics.k8s.io through
 * ApiServer.registerMetricsProvider. Then the real kubectl: `kubectl top node`, `top pod`
 * (`--containers`, `-A`, `-l`), whose output is k8s.io/kubectl pkg/cmd/top's
 * (top_node.go, top_pod.go; metricsutil/metrics_printer.go: cpu as `%vm` of MilliValue,
 * memory as `%vMi` of Value/2^20, percentages of allocatable).
 *
 * Usage as metrics-server computes it (pkg/storage/types.go resourceUsage): cpu from two
 * cumulative samples over their time difference, memory the working set. Broken kubelets (down,
 * never answering, garbage, too large, wrong token, certificate of another CA) cost their own
 * node's metrics only.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCa, createServingCert } from '#engine/apiserver/pki.ts';
import { cpuQuantity, goDuration, memoryQuantity, newMetricsServer, type MetricsServer } from '#engine/metrics/metrics-server.ts';
import { decodeSummary, SummaryError } from '#engine/metrics/summary.ts';
import type { KubeObject, Node, Pod } from '#engine/kube/types.ts';
import type { Logger } from '#engine/cluster/logger.ts';
import { HAS_KUBECTL, kubectlFor, rows, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

const TOKEN = 'metrics-server-token-for-the-test';
const T1 = Date.parse('2025-06-01T12:00:00Z');
const T2 = T1 + 15_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MI = 1024 * 1024;

let server: TestServer;
let metrics: MetricsServer;
let stopProvider: () => void;
const kubelets: Server[] = [];
const sockets = new Set<Duplex>();
/** The summary each good kubelet serves now, by node name. */
const summaries = new Map<string, unknown>();
const kubeletCa = createCa();
/** What the metrics-server logged as warnings (why each node was skipped). */
const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m), child: () => logger };
const otherCa = createCa();

/** A container's stats: cumulative cpu seconds at `at` (or only a nano-core rate), working set. */
const container = (name: string, at: number, cpuSeconds: number | undefined, memory: number, nanoCores?: number) => ({
  name,
  startTime: iso(T1 - 3_600_000),
  cpu: { time: iso(at), ...(cpuSeconds !== undefined ? { usageCoreNanoSeconds: cpuSeconds * 1e9 } : {}), ...(nanoCores !== undefined ? { usageNanoCores: nanoCores } : {}) },
  memory: { time: iso(at), workingSetBytes: memory, usageBytes: memory + MI },
});

/** node-a at time `at`, `k` = 0 or 1 (first or second sample): 250m node, web-1 100m+5m, web-2 200m, dns 3m. */
function summaryA(at: number, k: number) {
  return {
    node: {
      nodeName: 'node-a',
      startTime: iso(T1 - 86_400_000),
      cpu: { time: iso(at), usageCoreNanoSeconds: 1000e9 + k * 15 * 0.25e9, usageNanoCores: 250e6 },
      memory: { time: iso(at), workingSetBytes: 512 * MI, availableBytes: 3584 * MI },
    },
    pods: [
      {
        podRef: { name: 'web-1', namespace: 'default', uid: 'u1' },
        startTime: iso(T1 - 3_600_000),
        containers: [container('app', at, 30 + k * 15 * 0.1, 64 * MI), container('sidecar', at, undefined, 10 * MI, 5e6)],
      },
      { podRef: { name: 'web-2', namespace: 'default', uid: 'u2' }, startTime: iso(T1 - 3_600_000), containers: [container('app', at, 60 + k * 15 * 0.2, 32 * MI)] },
      { podRef: { name: 'dns-1', namespace: 'kube-system', uid: 'u3' }, startTime: iso(T1 - 3_600_000), containers: [container('dns', at, 5 + k * 15 * 0.003, 20 * MI)] },
      // A pod the apiserver does not know: never served.
      { podRef: { name: 'ghost', namespace: 'default', uid: 'u4' }, startTime: iso(T1), containers: [container('c', at, 1 + k, MI)] },
    ],
  };
}

/** A stand-in kubelet: HTTPS with a certificate from `ca`; `answer` decides what /stats/summary gets. */
async function kubelet(ca: typeof kubeletCa, answer: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<number> {
  const tls = createServingCert(ca, ['127.0.0.1']);
  const s = createServer({ cert: tls.cert, key: tls.key }, answer);
  s.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  kubelets.push(s);
  return (s.address() as AddressInfo).port;
}

/** The good kubelet's handler: the token, the path, then the current fixture. */
const goodKubelet = (node: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
    return;
  }
  if (!req.url?.startsWith('/stats/summary')) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(summaries.get(node)));
};

async function node(name: string, port: number, labels: Record<string, string> = {}): Promise<void> {
  const created = await server.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });
  await server.client.updateStatus<Node>('nodes', {
    ...created,
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  } as Node);
}

async function pod(namespace: string, name: string, labels: Record<string, string>, nodeName = 'node-a'): Promise<void> {
  await server.client.create<Pod>('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { nodeName, containers: [{ name: 'app', image: 'nginx' }] } });
}

beforeAll(async () => {
  server = await startTestServer();
  summaries.set('node-a', summaryA(T1, 0));
  await node('node-a', await kubelet(kubeletCa, goodKubelet('node-a')), { tier: 'web' });
  // node-down: a port nothing listens on (a server opened and closed again).
  const closed = await kubelet(kubeletCa, () => {});
  await new Promise<void>((resolve) => kubelets.pop()!.close(() => resolve()));
  await node('node-down', closed);
  // node-slow: accepts, never answers.
  await node('node-slow', await kubelet(kubeletCa, () => {}));
  await node('node-garbage', await kubelet(kubeletCa, (_req, res) => res.writeHead(200).end('<html>not a summary</html>')));
  await node('node-huge', await kubelet(kubeletCa, (_req, res) => res.writeHead(200).end(`{"node":{"nodeName":"x"},"pods":[${'{},'.repeat(200_000)}{}]}`)));
  await node('node-strange', await kubelet(kubeletCa, (_req, res) => res.writeHead(200).end('{"node": 5, "pods": "many"}')));
  await node('node-forged', await kubelet(otherCa, goodKubelet('node-a')));
  await node('node-b', await kubelet(kubeletCa, (_req, res) => res.writeHead(401).end('Unauthorized')));
  await pod('default', 'web-1', { app: 'web' });
  await pod('default', 'web-2', { app: 'web', track: 'canary' });
  await pod('kube-system', 'dns-1', { k8s: 'dns' });
  await pod('default', 'idle', { app: 'idle' });
  metrics = newMetricsServer({ client: server.client, ca: kubeletCa.cert, token: TOKEN, timeoutMs: 5_000, maxBytes: 256 * 1024, logger });
  stopProvider = server.api.registerMetricsProvider(metrics.provider);
  await metrics.scrape();
  summaries.set('node-a', summaryA(T2, 1));
  await metrics.scrape();
}, 60_000);

afterAll(async () => {
  metrics?.stop();
  stopProvider?.();
  for (const s of sockets) s.destroy();
  await Promise.all(kubelets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await server?.close();
});

const get = async (path: string) => {
  const res = await server.fetch(`/apis/metrics.k8s.io/v1beta1${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: KubeObject[] } };
};

describe("metrics.k8s.io/v1beta1 from the kubelets' summaries", () => {
  test('NodeMetrics: cpu from the cumulative counter over the two samples, memory the working set, window 15s; broken nodes absent', async () => {
    const { status, body } = await get('/nodes');
    expect(status).toBe(200);
    expect(body.kind).toBe('NodeMetricsList');
    expect(body.items!.map((i) => i.metadata.name)).toEqual(['node-a']);
    expect(body.items![0]).toMatchObject({ timestamp: iso(T2), window: '15s', usage: { cpu: '250m', memory: '512Mi' }, metadata: { labels: { tier: 'web' } } });
  });

  test('PodMetrics per namespace and across namespaces, containers sorted, a pod the apiserver does not know left out', async () => {
    const { body } = await get('/namespaces/default/pods');
    expect(body.kind).toBe('PodMetricsList');
    expect(body.items!.map((i) => [i.metadata.namespace, i.metadata.name, (i as unknown as { containers: unknown }).containers])).toEqual([
      [
        'default',
        'web-1',
        [
          { name: 'app', usage: { cpu: '100m', memory: '64Mi' } },
          { name: 'sidecar', usage: { cpu: '5m', memory: '10Mi' } },
        ],
      ],
      ['default', 'web-2', [{ name: 'app', usage: { cpu: '200m', memory: '32Mi' } }]],
    ]);
    const all = await get('/pods');
    expect(all.body.items!.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).sort()).toEqual(['default/web-1', 'default/web-2', 'kube-system/dns-1']);
  });

  test('one object, a label selector, and NotFound as metrics-server words it', async () => {
    const one = await get('/namespaces/default/pods/web-2');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ kind: 'PodMetrics', metadata: { name: 'web-2', namespace: 'default' }, window: '15s' });
    const canary = await get(`/namespaces/default/pods?labelSelector=${encodeURIComponent('track=canary')}`);
    expect(canary.body.items!.map((i) => i.metadata.name)).toEqual(['web-2']);
    const idle = await get('/namespaces/default/pods/idle');
    expect([idle.status, idle.body.message]).toEqual([404, 'podmetrics.metrics.k8s.io "default/idle" not found']);
    const nobody = await get('/namespaces/default/pods/nobody');
    expect([nobody.status, nobody.body.message]).toEqual([404, 'pods "nobody" not found']);
    const slow = await get('/nodes/node-slow');
    expect([slow.status, slow.body.message]).toEqual([404, 'nodemetrics.metrics.k8s.io "node-slow" not found']);
    expect((await get('/namespaces/default/nodes')).status).toBe(404);
  });

  test('a kubelet that is down, silent, garbage, too large, refusing the token, or with a certificate of another CA: that node is skipped, the round ends', async () => {
    // Each round above finished (beforeAll awaited two); every broken node was tried and left out.
    for (const name of ['node-down', 'node-slow', 'node-garbage', 'node-huge', 'node-strange', 'node-forged', 'node-b']) {
      expect((await get(`/nodes/${name}`)).status, name).toBe(404);
    }
    const why = (n: string) => warnings.find((w) => w.startsWith(`unable to fully scrape metrics from node ${n}: `)) ?? `nothing logged for ${n}`;
    expect(why('node-down')).toMatch(/ECONNREFUSED/);
    expect(why('node-slow')).toContain('request timed out after 5000 ms');
    expect(why('node-garbage')).toContain('the summary is not JSON');
    expect(why('node-huge')).toContain('summary larger than 262144 bytes');
    expect(warnings.find((w) => w.includes('node-strange'))).toBe('unable to fully scrape metrics from node node-strange: not a stats summary (no node)');
    expect(why('node-forged')).toMatch(/certificate/);
    expect(why('node-b')).toContain('request failed, status: "401 Unauthorized"');
    // The silent one costs each round its timeout: it leaves the cluster for the tests below.
    await server.client.delete('nodes', 'node-slow');
  });

  test("a kubelet that stops answering loses its node's metrics at the next round, and gets them back after two good samples", async () => {
    const saved = summaries.get('node-a');
    summaries.set('node-a', 'garbage');
    await metrics.scrape();
    expect((await get('/nodes/node-a')).status).toBe(404);
    expect((await get('/namespaces/default/pods')).body.items).toEqual([]);
    summaries.set('node-a', saved);
    await metrics.scrape();
    // One sample again: the node's cumulative cpu needs a second; its usageNanoCores serve meanwhile.
    expect((await get('/nodes/node-a')).body).toMatchObject({ usage: { cpu: '250m' } });
    summaries.set('node-a', summaryA(T2 + 15_000, 2));
    await metrics.scrape();
    expect((await get('/nodes/node-a')).body).toMatchObject({ usage: { cpu: '250m', memory: '512Mi' }, window: '15s', timestamp: iso(T2 + 15_000) });
  });
});

describe('decoding and formatting, as metrics-server does', () => {
  test('a summary that is not one is an error; pods with a container missing cpu or memory are left out whole', () => {
    for (const bad of [null, 'x', 5, [], {}, { node: 'n' }]) expect(() => decodeSummary(bad)).toThrow(SummaryError);
    const points = decodeSummary({
      node: { nodeName: 'n', cpu: { time: iso(T1) }, memory: { time: iso(T1), workingSetBytes: 1 } },
      pods: [
        { podRef: { name: 'a', namespace: 'ns' }, containers: [container('c', T1, 1, MI), { name: 'd', cpu: { time: iso(T1), usageNanoCores: 1 } }] },
        {
          podRef: { name: 'b', namespace: 'ns' },
          containers: [container('c', T1, 1, MI), { name: 'stopped', cpu: { time: iso(T1), usageCoreNanoSeconds: 0 }, memory: { time: iso(T1), workingSetBytes: 0 } }],
        },
        { podRef: { name: 'c' }, containers: [container('c', T1, 1, MI)] },
        'junk',
      ],
    });
    expect(points.node).toBeUndefined(); // no cpu figure
    expect([...points.pods.keys()]).toEqual(['ns/b']);
    expect([...points.pods.get('ns/b')!.containers.keys()]).toEqual(['c']);
  });

  test('quantities and windows print as Kubernetes prints them', () => {
    expect([cpuQuantity(250_000_000), cpuQuantity(2_348_551), cpuQuantity(1e9), cpuQuantity(0)]).toEqual(['250m', '2348551n', '1', '0']);
    expect([memoryQuantity(512 * MI), memoryQuantity(1_234_567), memoryQuantity(1000 * 1024), memoryQuantity(0)]).toEqual(['512Mi', '1234567', '1000Ki', '0']);
    expect([goDuration(15_000), goDuration(15_020), goDuration(500), goDuration(60_000), goDuration(90_500)]).toEqual(['15s', '15.02s', '500ms', '1m0s', '1m30.5s']);
  });
});

describe.skipIf(!HAS_KUBECTL)(`kubectl top with the engine's metrics-server ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, () => {
  let kubectl: Kubectl;
  beforeAll(() => {
    kubectl = kubectlFor(server.access);
  });
  afterAll(() => kubectl?.cleanup());

  test('kubectl top node: usage and its share of allocatable; nodes without metrics say <unknown>', async () => {
    const r = await kubectl.run(['top', 'node']);
    expect(r.code, r.output).toBe(0);
    const table = rows(r.stdout);
    expect(table[0]).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(table.find((row) => row[0] === 'node-a')).toEqual(['node-a', '250m', '12%', '512Mi', '12%']);
    expect(table.find((row) => row[0] === 'node-garbage')).toEqual(['node-garbage', '<unknown>', '<unknown>', '<unknown>', '<unknown>']);
    const selected = await kubectl.run(['top', 'node', '-l', 'tier=web']);
    expect(rows(selected.stdout)).toEqual([
      ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
      ['node-a', '250m', '12%', '512Mi', '12%'],
    ]);
  });

  test('kubectl top pod, --containers, -A, -l', async () => {
    const pods = await kubectl.run(['top', 'pod']);
    expect(pods.code, pods.output).toBe(0);
    expect(rows(pods.stdout)).toEqual([
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', '105m', '74Mi'],
      ['web-2', '200m', '32Mi'],
    ]);
    const containers = await kubectl.run(['top', 'pod', '--containers']);
    expect(rows(containers.stdout)).toEqual([
      ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', 'app', '100m', '64Mi'],
      ['web-1', 'sidecar', '5m', '10Mi'],
      ['web-2', 'app', '200m', '32Mi'],
    ]);
    const all = await kubectl.run(['top', 'pod', '-A']);
    expect(rows(all.stdout)).toEqual([
      ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['default', 'web-1', '105m', '74Mi'],
      ['default', 'web-2', '200m', '32Mi'],
      ['kube-system', 'dns-1', '3m', '20Mi'],
    ]);
    const canary = await kubectl.run(['top', 'pod', '-l', 'track=canary']);
    expect(rows(canary.stdout)).toEqual([
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-2', '200m', '32Mi'],
    ]);
  });

  test('kubectl top pod of a pod without metrics says so', async () => {
    const r = await kubectl.run(['top', 'pod', 'idle']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('podmetrics.metrics.k8s.io "default/idle" not found');
  });
});
