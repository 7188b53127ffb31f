/**
 * `npm run bench network`: kube-proxy and cluster DNS in loopback mode, with the reference services
 * component (the learner's with KUBELINGS_IMPL=exercises:services).
 *
 * - Throughput and connection latency through a ClusterIP (the engine's userspace proxy, in this
 *   process) against a direct connection to the pod, in the same run. The pod and the client are
 *   another process (network-agent.mjs), so the proxy runs alone here as kube-proxy runs alone on a
 *   node. Targets: throughput ≥ 0.5× direct, connection latency (p50) ≤ 2× direct. Latency is measured
 *   twice: with the pod's process as the client (the direct path then never leaves one event loop),
 *   and with a client process of its own (a second agent), as any real client of a pod is.
 * - The same in kernel mode, as root (network-kernel.ts): through a ClusterIP that nftables DNATs,
 *   in network namespaces. Targets: ≥ 0.9× direct.
 * - EndpointSlice change → traffic follows: a Service's slice is switched between two pods through
 *   a real apiserver, with kube-proxy at its default minimum sync period (1 s), changes 0.2-2 s
 *   apart at random; the time from the update's answer until a new connection reaches the new pod.
 *   Target p99 ≤ 1 s.
 * - DNS queries per second: 64 UDP queries in flight against the cluster DNS server answering for
 *   1,000 Services, against the same socket code answering every query with a fixed packet (what the
 *   wire costs without the answers). In kernel mode, as root (network-kernel-dns.ts): the same server
 *   on sockets bound inside a namespace, queried from inside it, against the loopback one.
 * - Rule sync at 1,000 Services × 10 endpoints: the proxier's first (full) sync, a partial sync after
 *   one slice changes (target ≤ 0.1× the full one), the userspace proxy opening 1,000 listeners, and
 *   the nftables rendering.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import { join } from 'node:path';
import readline from 'node:readline';
import dnsPacket from 'dns-packet';
import { startCluster } from '#engine/cluster/cluster.ts';
import { loadComponent } from '#engine/impl.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import { startDnsServer } from '#engine/proxy/dns-server.ts';
import type { ProxyRule, RuleChanges } from '#engine/proxy/exercises.ts';
import { runKubeProxy } from '#engine/proxy/kube-proxy.ts';
import { renderNftables } from '#engine/proxy/nftables-render.ts';
import { UserspaceProxy } from '#engine/proxy/userspace-proxy.ts';
import { median, percentile, type Benchmark, type Figure } from './harness.ts';
import { kernelDataPath, kernelRuleSync } from './network-kernel.ts';
import { kernelDnsQps } from './network-kernel-dns.ts';

const services = await loadComponent('services');
const MB = 1024 * 1024;

class Agent {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }
  /** An agent serving on `ip`, in network namespace `netns` when given (kernel mode). */
  static async start(ip: string, netns?: string): Promise<{ agent: Agent; port: number }> {
    const command = [process.execPath, join(import.meta.dirname, 'network-agent.mjs'), ip];
    const child = netns ? spawn('ip', ['netns', 'exec', netns, ...command], { stdio: 'pipe' }) : spawn(command[0]!, command.slice(1), { stdio: 'pipe' });
    const agent = new Agent(child);
    const { port } = JSON.parse((await agent.lines.next()).value as string) as { port: number };
    return { agent, port };
  }
  async ask<T>(command: object): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const out = JSON.parse((await this.lines.next()).value as string) as T & { error?: string };
    if (out.error) throw new Error(out.error);
    return out;
  }
  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

const rule = (name: string, clusterIP: string, port: number, endpoints: { ip: string; port: number }[]): ProxyRule => ({
  service: `default/${name}`,
  servicePortName: `default/${name}:http`,
  protocol: 'TCP',
  clusterIP,
  port,
  internalPolicyLocal: false,
  externalPolicyLocal: false,
  internalEndpoints: endpoints.map((e) => ({ ...e, local: true, ready: true, serving: true, terminating: false })),
  externalEndpoints: [],
  hasEndpoints: endpoints.length > 0,
});

async function dataPath(): Promise<Figure[]> {
  const { agent, port } = await Agent.start('127.64.250.1');
  // A second agent plays a client that is not the pod, for the figure with the client in a process of its own.
  const { agent: client } = await Agent.start('127.64.250.2');
  const proxy = new UserspaceProxy({ nodeIP: '127.0.0.1' });
  try {
    proxy.apply({ full: true, upsert: [rule('bench', '127.96.250.1', 18080, [{ ip: '127.64.250.1', port }])], remove: [] });
    await proxy.settled();
    const bytes = 256 * MB;
    const best = async (host: string, p: number) => {
      const rates: number[] = [];
      for (let i = 0; i < 3; i++) rates.push(bytes / MB / ((await agent.ask<{ ms: number }>({ op: 'tput', host, port: p, bytes })).ms / 1000));
      return Math.max(...rates);
    };
    const direct = await best('127.64.250.1', port);
    const proxied = await best('127.96.250.1', 18080);
    const lat = async (host: string, p: number, from = agent) => median((await from.ask<{ ms: number[] }>({ op: 'lat', host, port: p, n: 500 })).ms);
    await lat('127.64.250.1', port);
    const directLat = await lat('127.64.250.1', port);
    const proxiedLat = await lat('127.96.250.1', 18080);
    await lat('127.64.250.1', port, client);
    const apartDirectLat = await lat('127.64.250.1', port, client);
    const apartProxiedLat = await lat('127.96.250.1', 18080, client);
    return [
      {
        name: 'throughput through a ClusterIP (userspace proxy)',
        value: proxied,
        unit: 'MB/s',
        baseline: { name: 'direct to the pod', value: direct },
        target: { minRatio: 0.5 },
        note: '256 MB per run, best of 3, one connection',
      },
      {
        name: 'connection latency through a ClusterIP, p50',
        value: proxiedLat,
        unit: 'ms',
        baseline: { name: 'direct to the pod', value: directLat },
        target: { maxRatio: 2 },
        note: "500 connections one after another, connect until the first byte; the client is the pod's own process, so the direct path needs no process switch at all",
      },
      {
        name: 'connection latency through a ClusterIP, p50, client in a process of its own',
        value: apartProxiedLat,
        unit: 'ms',
        baseline: { name: 'direct to the pod from that client', value: apartDirectLat },
        target: { maxRatio: 2 },
        note: '500 connections one after another, connect until the first byte; client, pod and proxy are three processes, as on a node',
      },
    ];
  } finally {
    await proxy.close();
    agent.stop();
    client.stop();
  }
}

async function endpointChange(): Promise<Figure[]> {
  const cluster = await startCluster();
  const a = await Agent.start('127.64.251.1');
  const b = await Agent.start('127.64.251.2');
  const kp = await runKubeProxy(cluster.client, { nodeName: 'node-1', nodeIP: '127.88.251.1' });
  try {
    const svc = await cluster.client.create<Service>(
      'services',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'flip', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 18080, protocol: 'TCP' }] } },
      { namespace: 'default' },
    );
    const ip = svc.spec!.clusterIP!;
    const pods = [
      { ip: '127.64.251.1', port: a.port },
      { ip: '127.64.251.2', port: b.port },
    ];
    const sliceFor = (i: number, resourceVersion?: string): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'flip-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'flip' }, ...(resourceVersion ? { resourceVersion } : {}) },
      addressType: 'IPv4',
      endpoints: [{ addresses: [pods[i]!.ip], conditions: { ready: true } }],
      ports: [{ name: 'http', protocol: 'TCP', port: pods[i]!.port }],
    });
    let current = await cluster.client.create<EndpointSlice>('endpointslices', sliceFor(0), { namespace: 'default' });
    await kp.ready;
    // Which pod answers: the agent greets with 'x' either way, so ask the proxy's own choice instead:
    // a connection reaches pod i when the rule's only endpoint is pod i and a connection succeeds.
    const reaches = (i: number) => kp.proxy.currentRules().find((r) => r.service === 'default/flip')?.internalEndpoints[0]?.ip === pods[i]!.ip;
    const samples: number[] = [];
    for (let n = 0; n < 20; n++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1_800));
      const target = (n + 1) % 2;
      current = await cluster.client.update<EndpointSlice>('endpointslices', sliceFor(target, current.metadata.resourceVersion), { namespace: 'default' });
      const start = performance.now();
      const deadline = start + 10_000;
      while (performance.now() < deadline) {
        if (reaches(target)) {
          await kp.proxy.settled();
          const ok = await (target === 0 ? a : b).agent.ask<{ ms: number[] }>({ op: 'lat', host: ip, port: 18080, n: 1 }).then(
            () => true,
            () => false,
          );
          if (ok) break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      samples.push(performance.now() - start);
    }
    return [
      {
        name: 'EndpointSlice change until traffic follows, p99',
        value: percentile(samples, 99),
        unit: 'ms',
        target: { max: 1_000 },
        note: `20 changes 0.2-2 s apart, min sync period 1 s; p50 ${median(samples).toFixed(0)} ms, max ${Math.max(...samples).toFixed(0)} ms`,
      },
    ];
  } finally {
    await kp.stop();
    a.agent.stop();
    b.agent.stop();
    await cluster.stop();
  }
}

function bigCluster(n: number, perService: number): { svcs: Service[]; slices: EndpointSlice[] } {
  const svcs: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    svcs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default' },
      spec: { type: 'ClusterIP', clusterIP: `127.97.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 18080, protocol: 'TCP' }] },
    });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: perService }, (_, j) => ({ addresses: [`127.65.${i >> 4}.${((i & 15) << 4) | j}`], conditions: { ready: true }, nodeName: j % 2 ? 'node-1' : 'node-2' })),
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    });
  }
  return { svcs, slices };
}

async function dnsQps(): Promise<Figure[]> {
  const { svcs, slices } = bigCluster(1_000, 10);
  const view = { services: svcs, endpointSlices: slices, zone: 'cluster.local', ttl: 5 };
  const fixed = services.answerDns('svc-1.default.svc.cluster.local', 'A', view);
  const run = async (resolve: (name: string, type: string) => ReturnType<typeof services.answerDns>, host: string) => {
    const server = await startDnsServer({ host, resolve });
    const sock = dgram.createSocket('udp4');
    let answered = 0;
    let id = 0;
    const send = () => {
      const q = dnsPacket.encode({ type: 'query', id: ++id & 0xffff, questions: [{ type: 'A', name: `svc-${id % 1000}.default.svc.cluster.local` }] });
      sock.send(q, server.port, host);
    };
    sock.on('message', () => {
      answered++;
      send();
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    for (let i = 0; i < 64; i++) send();
    await new Promise((r) => setTimeout(r, 500));
    const start = answered;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 3_000));
    const qps = (answered - start) / ((performance.now() - t0) / 1000);
    sock.close();
    await server.close();
    return qps;
  };
  const baseline = await run(() => fixed, '127.96.252.2');
  const real = await run((name, type) => services.answerDns(name, type, view), '127.96.252.1');
  const kernel = await kernelDnsQps((name, type) => services.answerDns(name, type, view));
  return [
    {
      name: 'cluster DNS queries per second (1,000 Services)',
      value: real,
      unit: 'qps',
      baseline: { name: 'same server, a fixed answer', value: baseline },
      note: '64 UDP queries in flight, 3 s, one client socket in the same process',
    },
    ...kernel,
  ];
}

async function ruleSync(): Promise<Figure[]> {
  const { svcs, slices } = bigCluster(1_000, 10);
  const applied: RuleChanges[] = [];
  let now = 0;
  const proxier = services.newProxier({ nodeName: 'node-1', now: () => now, minSyncPeriodMs: 1_000, fullSyncPeriodMs: 3_600_000, backend: { apply: (c) => void applied.push(c) } });
  for (const s of svcs) proxier.onServiceUpdate(undefined, s);
  for (const s of slices) proxier.onEndpointSliceUpdate(undefined, s);
  let t = performance.now();
  proxier.syncIfDue();
  const full = performance.now() - t;
  const partials: number[] = [];
  for (let i = 0; i < 20; i++) {
    now += 1_000;
    const old = slices[i]!;
    const changed = { ...old, endpoints: old.endpoints.slice(1) };
    proxier.onEndpointSliceUpdate(old, changed);
    slices[i] = changed;
    t = performance.now();
    proxier.syncIfDue();
    partials.push(performance.now() - t);
  }
  const rules = applied[0]!.upsert;
  t = performance.now();
  const text = renderNftables(rules);
  const render = performance.now() - t;
  const proxy = new UserspaceProxy({ nodeIP: '127.0.0.1' });
  t = performance.now();
  proxy.apply(applied[0]!);
  await proxy.settled();
  const listen = performance.now() - t;
  const listening = proxy.listening().length;
  await proxy.close();
  return [
    { name: 'proxier full sync, 1,000 Services × 10 endpoints', value: full, unit: 'ms', note: `${rules.length} rules` },
    {
      name: 'proxier partial sync after one slice changes, median',
      value: median(partials),
      unit: 'ms',
      baseline: { name: 'full sync', value: full },
      target: { maxRatio: 0.1 },
      note: `20 changes, one sync each (${applied.length - 1} partial applies seen)`,
    },
    { name: 'userspace proxy: open 1,000 ClusterIP listeners (a full apply)', value: listen, unit: 'ms', note: `${listening} listening` },
    { name: 'nftables rendering of the 1,000 rules', value: render, unit: 'ms', note: `${(text.length / 1024).toFixed(0)} KiB of ruleset` },
  ];
}

export default {
  name: 'network',
  description: 'kube-proxy (userspace in loopback mode; nftables in kernel mode, as root) and cluster DNS: data path vs direct, slice change to traffic, DNS qps, rule sync at 1,000 × 10',
  async run() {
    return [
      ...(await dataPath()),
      ...(await kernelDataPath((ip, netns) => Agent.start(ip, netns))),
      ...(await endpointChange()),
      ...(await dnsQps()),
      ...(await ruleSync()),
      ...(await kernelRuleSync()),
    ];
  },
} satisfies Benchmark;
