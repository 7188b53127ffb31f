/**
 * The engine's userspace proxy (loopback mode) with real TCP: servers on 127.64.x addresses stand
 * in for pods, the proxy listens on ClusterIPs in 127.96.0.0/16 and node ports on the node's
 * address, and every test reads what a real client connection gets. Then kube-proxy as a whole
 * over a real apiserver: a Service and its EndpointSlice written through the API, traffic
 * following a change of the slice, and a Service scaled to zero refusing at once.
 * Upstream behaviour mirrored: pkg/proxy/nftables/proxier.go (reject for a Service without
 * endpoints; numgen random over endpoints; affinity timeout refreshed by each connection).
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import type { ProxyEndpoint, ProxyRule } from '#engine/proxy/exercises.ts';
import { runKubeProxy, type RunningKubeProxy } from '#engine/proxy/kube-proxy.ts';
import { UserspaceProxy } from '#engine/proxy/userspace-proxy.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A "pod": a TCP server on `ip` that greets with its name and echoes what it gets. */
async function pod(name: string, ip: string): Promise<{ ip: string; port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.write(`${name}\n`);
    socket.on('data', (d) => socket.write(d));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen({ host: ip, port: 0 }, resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return { ip, port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

/** Connects, reads the greeting line: the pod's name, or the error code (ECONNREFUSED, ECONNRESET). */
function greet(ip: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port, ...(localAddress ? { localAddress } : {}) });
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n')) {
        socket.destroy();
        resolve(got.trim());
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.on('close', () => resolve(got.trim() || 'closed without a greeting'));
  });
}

const endpoint = (p: { ip: string; port: number }, local = true): ProxyEndpoint => ({ ip: p.ip, port: p.port, local, ready: true, serving: true, terminating: false });
function rule(name: string, clusterIP: string, port: number, endpoints: ProxyEndpoint[], o: Partial<ProxyRule> = {}): ProxyRule {
  return {
    service: `default/${name}`,
    servicePortName: `default/${name}:http`,
    protocol: 'TCP',
    clusterIP,
    port,
    internalPolicyLocal: false,
    externalPolicyLocal: false,
    internalEndpoints: endpoints,
    externalEndpoints: [],
    hasEndpoints: endpoints.length > 0,
    ...o,
  };
}
function proxyFor(o: ConstructorParameters<typeof UserspaceProxy>[0]): UserspaceProxy {
  const proxy = new UserspaceProxy(o);
  cleanup.push(() => proxy.close());
  return proxy;
}

describe('the userspace proxy', () => {
  test('a ClusterIP spreads connections over its three endpoints, chosen at random', async () => {
    const pods = [await pod('a', '127.64.200.1'), await pod('b', '127.64.200.2'), await pod('c', '127.64.200.3')];
    let n = 0;
    const proxy = proxyFor({ nodeIP: '127.0.0.1', random: () => (n++ % 3) / 3 });
    proxy.apply({
      full: true,
      upsert: [
        rule(
          'web',
          '127.96.200.1',
          18080,
          pods.map((p) => endpoint(p)),
        ),
      ],
      remove: [],
    });
    await proxy.settled();
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await greet('127.96.200.1', 18080));
    expect(got, 'greetings of 6 connections to 127.96.200.1:18080 (random 0, 1/3, 2/3, ...)').toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  test('bytes flow both ways, and a half-close reaches the pod', async () => {
    const p = await pod('a', '127.64.200.4');
    const proxy = proxyFor({ nodeIP: '127.0.0.1' });
    proxy.apply({ full: true, upsert: [rule('web', '127.96.200.2', 18080, [endpoint(p)])], remove: [] });
    await proxy.settled();
    const echoed = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.96.200.2', port: 18080 });
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('connect', () => socket.end('x'.repeat(200_000)));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
      setTimeout(() => resolve(got), 10_000);
    });
    expect(echoed.length, 'bytes back (greeting "a\\n" + 200,000 echoed)').toBe(200_002);
  });

  test('a Service without endpoints refuses at once; endpoints back, it answers; gone again, refused', async () => {
    const p = await pod('a', '127.64.200.5');
    const proxy = proxyFor({ nodeIP: '127.0.0.1' });
    proxy.apply({ full: true, upsert: [rule('web', '127.96.200.3', 18080, [])], remove: [] });
    await proxy.settled();
    expect(await greet('127.96.200.3', 18080), 'a connection to a Service without endpoints').toBe('ECONNREFUSED');
    proxy.apply({ full: false, upsert: [rule('web', '127.96.200.3', 18080, [endpoint(p)])], remove: [] });
    await proxy.settled();
    expect(await greet('127.96.200.3', 18080), 'after an endpoint appears').toBe('a');
    proxy.apply({ full: false, upsert: [], remove: ['default/web:http'] });
    await proxy.settled();
    expect(await greet('127.96.200.3', 18080), 'after the rule is removed').toBe('ECONNREFUSED');
  });

  test('an endpoint that refuses is skipped: the connection reaches the next one', async () => {
    const alive = await pod('alive', '127.64.200.6');
    const dead = { ip: '127.64.200.7', port: alive.port };
    let n = 0;
    const proxy = proxyFor({ nodeIP: '127.0.0.1', random: () => (n++ === 0 ? 0 : 0.99) });
    proxy.apply({ full: true, upsert: [rule('web', '127.96.200.4', 18080, [endpoint(dead), endpoint(alive)])], remove: [] });
    await proxy.settled();
    expect(await greet('127.96.200.4', 18080), 'first choice 127.64.200.7 (nothing listens), then').toBe('alive');
  });

  test('ClientIP affinity keeps a client on its endpoint until the timeout passes without a connection', async () => {
    const pods = [await pod('a', '127.64.200.8'), await pod('b', '127.64.200.9')];
    let now = 0;
    let n = 0;
    const proxy = proxyFor({ nodeIP: '127.0.0.1', now: () => now, random: () => (n++ % 2) / 2 });
    proxy.apply({
      full: true,
      upsert: [
        rule(
          'web',
          '127.96.200.5',
          18080,
          pods.map((p) => endpoint(p)),
          { affinityTimeoutSeconds: 10 },
        ),
      ],
      remove: [],
    });
    await proxy.settled();
    const from = (client: string) => greet('127.96.200.5', 18080, client);
    const first = [await from('127.64.201.1'), await from('127.64.201.2')];
    expect(first, 'the first connections of two clients').toEqual(['a', 'b']);
    now = 9_000;
    expect([await from('127.64.201.1'), await from('127.64.201.1')], 'client 1 again at 9 s').toEqual(['a', 'a']);
    now = 18_500;
    expect(await from('127.64.201.1'), 'client 1 at 18.5 s (its last connection at 9 s: still within 10 s)').toBe('a');
    now = 40_000;
    n = 1;
    expect(await from('127.64.201.1'), 'client 1 at 40 s, after the timeout (random picks b)').toBe('b');
  });

  test("a node port listens on the node's address and uses the external endpoints", async () => {
    const local = await pod('local', '127.64.200.10');
    const remote = await pod('remote', '127.64.200.11');
    const proxy = proxyFor({ nodeIP: '127.88.0.1' });
    proxy.apply({
      full: true,
      upsert: [rule('web', '127.96.200.6', 18080, [endpoint(remote, false)], { nodePort: 31080, externalEndpoints: [endpoint(local)], externalPolicyLocal: true })],
      remove: [],
    });
    await proxy.settled();
    expect([await greet('127.88.0.1', 31080), await greet('127.96.200.6', 18080)], '[node port, ClusterIP]').toEqual(['local', 'remote']);
    expect(proxy.listening(), 'addresses listened on').toEqual(['127.88.0.1:31080', '127.96.200.6:18080']);
  });

  test('a full sync drops what it does not name; close() stops every listener and connection', async () => {
    const p = await pod('a', '127.64.200.12');
    const proxy = new UserspaceProxy({ nodeIP: '127.0.0.1' });
    proxy.apply({ full: true, upsert: [rule('web', '127.96.200.7', 18080, [endpoint(p)]), rule('api', '127.96.200.8', 18080, [endpoint(p)])], remove: [] });
    await proxy.settled();
    proxy.apply({ full: true, upsert: [rule('api', '127.96.200.8', 18080, [endpoint(p)])], remove: [] });
    await proxy.settled();
    expect(proxy.listening(), 'after a full sync naming only api').toEqual(['127.96.200.8:18080']);
    const open = net.connect({ host: '127.96.200.8', port: 18080 });
    const closedByProxy = new Promise<boolean>((resolve) => open.on('close', () => resolve(true)));
    open.on('error', () => {});
    await new Promise((resolve) => open.once('data', resolve));
    await proxy.close();
    expect([proxy.listening(), await closedByProxy, await greet('127.96.200.8', 18080)], '[listening, open connection closed, new connection] after close()').toEqual([[], true, 'ECONNREFUSED']);
  });

  test('an open connection of a removed rule goes on, and does not hold up later listener changes', async () => {
    const p = await pod('a', '127.64.200.14');
    const proxy = proxyFor({ nodeIP: '127.0.0.1' });
    proxy.apply({ full: true, upsert: [rule('web', '127.96.200.11', 18080, [endpoint(p)])], remove: [] });
    await proxy.settled();
    const open = net.connect({ host: '127.96.200.11', port: 18080 });
    open.on('error', () => {});
    await new Promise((resolve) => open.once('data', resolve));
    cleanup.push(() => void open.destroy());
    proxy.apply({ full: false, upsert: [rule('api', '127.96.200.12', 18080, [endpoint(p)])], remove: ['default/web:http'] });
    await proxy.settled();
    expect(await greet('127.96.200.12', 18080), 'api, added while a connection to the removed web is open').toBe('a');
    const echoed = await new Promise<string>((resolve) => {
      open.once('data', (d) => resolve(d.toString()));
      open.write('still here');
    });
    expect(echoed, 'the open connection to web still echoes').toBe('still here');
  });

  test('an address another program holds is logged, and the other rules still listen', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.96.200.9', port: 18080 }, resolve));
    cleanup.push(() => new Promise((resolve) => holder.close(resolve)));
    const p = await pod('a', '127.64.200.13');
    const lines: string[] = [];
    const proxy = proxyFor({ nodeIP: '127.0.0.1', log: (l) => lines.push(l) });
    proxy.apply({ full: true, upsert: [rule('web', '127.96.200.9', 18080, [endpoint(p)]), rule('api', '127.96.200.10', 18080, [endpoint(p)])], remove: [] });
    await proxy.settled();
    expect(lines.join('\n'), 'the log').toContain('default/web:http: cannot listen on 127.96.200.9:18080: EADDRINUSE');
    expect(await greet('127.96.200.10', 18080), 'api still answers').toBe('a');
  });
});

describe('kube-proxy over a real apiserver (loopback mode)', () => {
  test("a proxier that throws (a learner's bug) is logged and does not stop kube-proxy", async () => {
    const c = await startCluster();
    cleanup.push(() => c.stop());
    const lines: string[] = [];
    const logger = {
      info: (l: string) => lines.push(l),
      debug() {},
      warn() {},
      error() {},
      child() {
        return logger;
      },
    };
    const broken = {
      serviceRules: () => [],
      answerDns: () => ({ rcode: 'REFUSED' as const, answers: [], additionals: [] }),
      searchNames: () => [],
      ingressesForController: () => [],
      routeIngress: () => undefined,
      newProxier: () => ({
        onServiceUpdate() {
          throw new Error('oops in onServiceUpdate');
        },
        onEndpointSliceUpdate() {},
        nextSyncAt: () => Date.now() + 10,
        syncIfDue(): boolean {
          throw new Error('oops in sync');
        },
      }),
    };
    const running = await runKubeProxy(c.client, { nodeName: 'node-1', nodeIP: '127.88.0.3', services: broken, logger });
    cleanup.push(() => running.stop());
    await c.client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }, { namespace: 'default' });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !lines.some((l) => l.includes('oops in onServiceUpdate'))) await new Promise((r) => setTimeout(r, 20));
    expect(lines.join('\n'), "kube-proxy's log").toContain('proxier sync failed: oops in sync');
    expect(lines.join('\n'), "kube-proxy's log").toContain('proxier onServiceUpdate failed: oops in onServiceUpdate');
  }, 30_000);

  let cluster: Cluster;
  let kp: RunningKubeProxy;

  async function setUp(): Promise<void> {
    cluster = await startCluster();
    cleanup.push(() => cluster.stop());
    kp = await runKubeProxy(cluster.client, { nodeName: 'node-1', nodeIP: '127.88.0.2', minSyncPeriodMs: 50 });
    cleanup.push(() => kp.stop());
  }
  // Every in-process cluster allocates ClusterIPs in the same order (127.96.0.11 first), and test
  // files run side by side: a port no other test's Service uses keeps another file's kube-proxy off
  // this ClusterIP:port (cloud-load-balancer's `web` is 127.96.0.11:18080 too; with it listening,
  // 'before any slice' got its pod's greeting instead of ECONNREFUSED).
  const API_PORT = 18380;
  const sliceOf = (ip: string, port: number, name = 'web-abc'): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: ip ? [{ addresses: [ip], conditions: { ready: true }, nodeName: 'node-1' }] : [],
    ports: [{ name: 'http', protocol: 'TCP', port }],
  });
  /** Waits (up to 60 s: kube-proxy's informers and sync on a loaded machine) until a connection to ip:port greets with `want`. */
  async function until(ip: string, port: number, want: string): Promise<string> {
    const deadline = Date.now() + 60_000;
    let got = '';
    while (Date.now() < deadline) {
      got = await greet(ip, port);
      if (got === want) return got;
      await new Promise((r) => setTimeout(r, 25));
    }
    return got;
  }

  test('a Service and its slice written through the API carry a connection; the slice changes, traffic follows; scaled to zero, refused', async () => {
    await setUp();
    const a = await pod('a', '127.64.202.1');
    const b = await pod('b', '127.64.202.2');
    const svc = await cluster.client.create<Service>(
      'services',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: API_PORT, protocol: 'TCP' }] },
      },
      { namespace: 'default' },
    );
    const ip = svc.spec!.clusterIP!;
    expect(ip.startsWith('127.96.'), `the ClusterIP ${ip} is in 127.96.0.0/16`).toBe(true);
    await kp.ready;
    expect(await greet(ip, API_PORT), 'before any slice').toBe('ECONNREFUSED');
    const created = await cluster.client.create<EndpointSlice>('endpointslices', sliceOf(a.ip, a.port), { namespace: 'default' });
    expect(await until(ip, API_PORT, 'a'), 'once the slice names pod a').toBe('a');
    await cluster.client.update('endpointslices', { ...sliceOf(b.ip, b.port), metadata: { ...created.metadata } }, { namespace: 'default' });
    expect(await until(ip, API_PORT, 'b'), 'once the slice names pod b instead').toBe('b');
    const latest = await cluster.client.get<EndpointSlice>('endpointslices', 'web-abc', { namespace: 'default' });
    await cluster.client.update('endpointslices', { ...sliceOf('', 0), metadata: { ...latest.metadata } }, { namespace: 'default' });
    expect(await until(ip, API_PORT, 'ECONNREFUSED'), 'once the slice has no endpoint').toBe('ECONNREFUSED');
  }, 240_000);
});
