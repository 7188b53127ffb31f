/**
 * The simulated cloud carrying real TCP: a LoadBalancer Service gets an address from
 * LOAD_BALANCER_ADDRESS_POOL, and a connection to address:port reaches a pod through a node's
 * NodePort, served by the engine's kube-proxy (userspace proxy, reference services component).
 * Two nodes are given to the load balancer, only one runs kube-proxy: the other refuses, and every
 * connection still gets through (the load balancer skips a failed node, as a cloud's health check
 * does). LoadBalancer → ClusterIP frees the address and closes the listener; a restarted
 * cloud-controller-manager gives the Service back the address its status shows.
 * Upstream: k8s.io/cloud-provider controllers/service/controller.go (ensure/delete flow); the
 * address and forwarding are this project's simulated cloud (a cloud's LB in front of NodePorts).
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { runCloudControllerManager, type RunningCloudControllerManager } from '#engine/cloud/component.ts';
import { SimulatedCloud } from '#engine/cloud/simulated-cloud.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { systemClock } from '#engine/etcd/clock.ts';
import type { EndpointSlice, KubeObject, Node, Service } from '#engine/kube/types.ts';
import { LOAD_BALANCER_ADDRESS_POOL } from '#engine/params.ts';
import { runKubeProxy, type RunningKubeProxy } from '#engine/proxy/kube-proxy.ts';

/** Generous: informers, the cloud-controller-manager and kube-proxy sync on a loaded machine. */
const WAIT_MS = 60_000;
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const until = Date.now() + WAIT_MS;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`waited ${WAIT_MS / 1000} s for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Connects and reads the greeting line, or the error code (ECONNREFUSED, ECONNRESET). */
function greet(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port });
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

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

let cluster: Cluster;
const POD = { ip: '127.64.213.5', name: 'web-pod' };
const NODE_WITH_PROXY = { name: 'lb-node-1', ip: '127.88.0.21' };
const NODE_WITHOUT = { name: 'lb-node-2', ip: '127.88.0.22' };

async function setUp(): Promise<{ podPort: number; kp: RunningKubeProxy }> {
  cluster = await startCluster();
  cleanup.push(() => cluster.stop());
  const server = net.createServer((s) => {
    s.write(`${POD.name}\n`);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen({ host: POD.ip, port: 0 }, r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  for (const n of [NODE_WITH_PROXY, NODE_WITHOUT]) {
    const created = await cluster.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n.name } });
    await cluster.client.updateStatus<Node>('nodes', { ...created, status: { addresses: [{ type: 'InternalIP', address: n.ip }] } });
  }
  const kp = await runKubeProxy(cluster.client, { nodeName: NODE_WITH_PROXY.name, nodeIP: NODE_WITH_PROXY.ip, minSyncPeriodMs: 50 });
  cleanup.push(() => kp.stop());
  return { podPort: (server.address() as net.AddressInfo).port, kp };
}

async function startCcm(cloud: SimulatedCloud): Promise<RunningCloudControllerManager> {
  const ccm = await runCloudControllerManager({ client: cluster.client, logger: silentLogger, clock: systemClock }, { cloud, retryMinMs: 200 });
  cleanup.push(() => ccm.stop());
  return ccm;
}

async function createWeb(podPort: number, spec: Record<string, unknown> = {}): Promise<void> {
  await cluster.client.create<Service>(
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 18080, protocol: 'TCP', targetPort: podPort }], ...spec },
    },
    { namespace: 'default' },
  );
  await cluster.client.create<EndpointSlice>(
    'endpointslices',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [POD.ip], conditions: { ready: true }, nodeName: NODE_WITH_PROXY.name }],
      ports: [{ name: 'http', protocol: 'TCP', port: podPort }],
    },
    { namespace: 'default' },
  );
}

const web = () => cluster.client.get<Service>('services', 'web', { namespace: 'default' });
const addressOf = async () => (await web()).status?.loadBalancer?.ingress?.[0]?.ip;

describe('the simulated cloud with kube-proxy', { timeout: 300_000 }, () => {
  test('a LoadBalancer Service gets a pool address that answers through the NodePort; a refusing node is skipped', async () => {
    const { podPort } = await setUp();
    const cloud = new SimulatedCloud();
    await startCcm(cloud);
    await createWeb(podPort);
    const ip = await waitFor('an address in status.loadBalancer.ingress', addressOf);
    const pool = parseCidr(LOAD_BALANCER_ADDRESS_POOL);
    expect(parseIPv4(ip)).toBeGreaterThan(pool.network);
    expect(parseIPv4(ip)).toBeLessThan(pool.last);
    expect((await web()).status?.loadBalancer?.ingress).toEqual([{ ip, ipMode: 'VIP' }]);
    const nodePort = (await web()).spec!.ports![0]!.nodePort!;
    const [lb] = cloud.inventory();
    expect(lb!.listening).toEqual([`${ip}:18080`]);
    expect(lb!.backends.sort()).toEqual([`${NODE_WITH_PROXY.ip}:${nodePort}`, `${NODE_WITHOUT.ip}:${nodePort}`]);
    // kube-proxy serves the NodePort once it has synced.
    await waitFor('the NodePort to answer', async () => (await greet(NODE_WITH_PROXY.ip, nodePort)) === POD.name);
    // Round robin puts every other connection on the node without kube-proxy: each still gets through.
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await greet(ip, 18080));
    expect(answers).toEqual(Array(6).fill(POD.name));
  });

  test('LoadBalancer → ClusterIP frees the address and the listener; the next Service may take the address', async () => {
    const { podPort } = await setUp();
    const cloud = new SimulatedCloud();
    await startCcm(cloud);
    await createWeb(podPort);
    const ip = await waitFor('an address', addressOf);
    await waitFor('the load balancer to answer', async () => (await greet(ip, 18080)) === POD.name);
    await cluster.client.patch('services', 'web', { spec: { type: 'ClusterIP' } }, { namespace: 'default', type: 'merge' });
    await waitFor('the finalizer to go', async () => ((await web()).metadata.finalizers ?? []).length === 0);
    expect((await web()).status?.loadBalancer?.ingress ?? []).toEqual([]);
    expect(cloud.inventory()).toEqual([]);
    expect(await greet(ip, 18080)).toBe('ECONNREFUSED');
    // The address is free again: the next load balancer gets it.
    await cluster.client.create<Service>(
      'services',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'next', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 18081, protocol: 'TCP' }] } },
      { namespace: 'default' },
    );
    const next = await waitFor('an address for next', async () => (await cluster.client.get<Service>('services', 'next', { namespace: 'default' })).status?.loadBalancer?.ingress?.[0]?.ip);
    expect(next).toBe(ip);
  });

  test('deleting the Service closes the listener before the Service goes; a restarted manager gives back the same address', async () => {
    const { podPort } = await setUp();
    const first = new SimulatedCloud();
    const ccm = await startCcm(first);
    // `early` takes the pool's first address and gives it back, so web's is not the lowest free one.
    await cluster.client.create<Service>(
      'services',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'early', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 18082, protocol: 'TCP' }] } },
      { namespace: 'default' },
    );
    const early = await waitFor('an address for early', async () => (await cluster.client.get<Service>('services', 'early', { namespace: 'default' })).status?.loadBalancer?.ingress?.[0]?.ip);
    await createWeb(podPort);
    const ip = await waitFor('an address', addressOf);
    expect(ip).not.toBe(early);
    await cluster.client.delete('services', 'early', { namespace: 'default' });
    await waitFor('early to be gone', () => first.inventory().length === 1);
    await ccm.stop();
    expect(first.inventory()).toEqual([]);
    expect(await greet(ip, 18080)).toBe('ECONNREFUSED');
    // A new cloud: the lowest free address is early's, but web's status names its own.
    const second = new SimulatedCloud();
    await startCcm(second);
    await waitFor('the same address to answer again', async () => (await greet(ip, 18080)) === POD.name);
    expect(second.inventory().map((lb) => lb.address)).toEqual([ip]);
    await cluster.client.delete('services', 'web', { namespace: 'default' });
    await waitFor('the Service to be gone', async () =>
      web().then(
        () => undefined,
        () => true,
      ),
    );
    expect(second.inventory()).toEqual([]);
    expect(await greet(ip, 18080)).toBe('ECONNREFUSED');
  });

  test('what the cloud refuses is told in a SyncLoadBalancerFailed event: no NodePort, a UDP port, an address outside the pool', async () => {
    await setUp();
    await startCcm(new SimulatedCloud());
    const make = (name: string, spec: Record<string, unknown>) =>
      cluster.client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', ...spec } }, { namespace: 'default' });
    await make('no-node-port', { allocateLoadBalancerNodePorts: false, ports: [{ port: 18090, protocol: 'TCP' }] });
    await make('udp', { ports: [{ name: 'dns', port: 18053, protocol: 'UDP' }] });
    await make('outside', { loadBalancerIP: '10.0.0.7', ports: [{ port: 18091, protocol: 'TCP' }] });
    expect((await cluster.client.get<Service>('services', 'no-node-port', { namespace: 'default' })).spec?.ports?.[0]?.nodePort).toBeUndefined();
    const failure = (name: string) =>
      waitFor(`the event for ${name}`, async () => {
        const list = await cluster.client.list<KubeObject & { involvedObject?: { name?: string }; reason?: string; message?: string }>('events', { namespace: 'default' });
        return list.items.find((e) => e.involvedObject?.name === name && e.reason === 'SyncLoadBalancerFailed')?.message;
      });
    expect(await failure('no-node-port')).toBe(
      'Error syncing load balancer: failed to ensure load balancer: port 18090/TCP has no nodePort (spec.allocateLoadBalancerNodePorts is false?): the kubelings cloud forwards to NodePorts only',
    );
    expect(await failure('udp')).toBe(`Error syncing load balancer: failed to ensure load balancer: port "dns" (18053/UDP): the kubelings cloud's load balancers carry TCP only`);
    expect(await failure('outside')).toBe(
      `Error syncing load balancer: failed to ensure load balancer: spec.loadBalancerIP 10.0.0.7 is not an address of this cloud's pool ${LOAD_BALANCER_ADDRESS_POOL}`,
    );
    for (const name of ['no-node-port', 'udp', 'outside']) {
      expect((await cluster.client.get<Service>('services', name, { namespace: 'default' })).status?.loadBalancer?.ingress ?? [], name).toEqual([]);
    }
  });
});
