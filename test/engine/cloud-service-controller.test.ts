/**
 * The cloud-controller-manager's service controller on an in-memory cluster, with a fake cloud that
 * records every call (the recorded-action style of upstream's controller_test.go) and can be told
 * to fail. Upstream behaviour mirrored, from k8s.io/cloud-provider controllers/service/controller.go
 * and controller_test.go: wantsLoadBalancer (type LoadBalancer and no loadBalancerClass),
 * needsCleanup (finalizer + deletion or type change), the finalizer
 * service.kubernetes.io/load-balancer-cleanup added before the cloud is called and removed after
 * the load balancer is deleted, the events EnsuringLoadBalancer / EnsuredLoadBalancer /
 * DeletingLoadBalancer / DeletedLoadBalancer / SyncLoadBalancerFailed ("Error syncing load
 * balancer: ..."), the per-key exponential retry, and the node predicates (exclusion label).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { LoadBalancerCloud, LoadBalancerStatus } from '#engine/cloud/cloud.ts';
import { loadBalancerName } from '#engine/cloud/cloud.ts';
import { runCloudControllerManager, type RunningCloudControllerManager } from '#engine/cloud/component.ts';
import { EXCLUDE_BALANCERS_LABEL, LOAD_BALANCER_CLEANUP_FINALIZER, needsUpdate, wantsLoadBalancer } from '#engine/cloud/service-controller.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { systemClock } from '#engine/etcd/clock.ts';
import type { KubeObject, Node, Service } from '#engine/kube/types.ts';

/** Generous: these wait for informers and workers on a loaded machine, not for a deadline of the code. */
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

type Call = { op: 'get' | 'ensure' | 'update' | 'delete'; service: string; nodes?: string[]; at: number };

/** A cloud that keeps load balancers in a map, records each call, and fails while `fail` says so. */
class FakeCloud implements LoadBalancerCloud {
  readonly providerName = 'fake';
  readonly calls: Call[] = [];
  readonly balancers = new Map<string, string>();
  fail: { op: Call['op']; error: string } | undefined;
  private next = 1;
  private record(op: Call['op'], service: Service, nodes?: Node[]) {
    this.calls.push({ op, service: service.metadata.name!, ...(nodes ? { nodes: nodes.map((n) => n.metadata.name!).sort() } : {}), at: Date.now() });
    if (this.fail?.op === op) throw new Error(this.fail.error);
  }
  async getLoadBalancer(_c: string, service: Service) {
    this.record('get', service);
    const ip = this.balancers.get(loadBalancerName(service));
    return ip ? { exists: true, status: { ingress: [{ ip }] } } : { exists: false };
  }
  async ensureLoadBalancer(_c: string, service: Service, nodes: Node[]): Promise<LoadBalancerStatus> {
    this.record('ensure', service, nodes);
    const name = loadBalancerName(service);
    if (!this.balancers.has(name)) this.balancers.set(name, `203.0.113.${this.next++}`);
    return { ingress: [{ ip: this.balancers.get(name)! }] };
  }
  async updateLoadBalancer(_c: string, service: Service, nodes: Node[]) {
    this.record('update', service, nodes);
  }
  async ensureLoadBalancerDeleted(_c: string, service: Service) {
    this.record('delete', service);
    this.balancers.delete(loadBalancerName(service));
  }
  ops(service: string): string[] {
    return this.calls.filter((c) => c.service === service && c.op !== 'get').map((c) => c.op);
  }
}

let cluster: Cluster;
let ccm: RunningCloudControllerManager | undefined;
afterEach(async () => {
  await ccm?.stop();
  ccm = undefined;
  await cluster?.stop();
});

async function start(cloud: LoadBalancerCloud, options: { retryMinMs?: number; retryMaxMs?: number } = {}) {
  cluster = await startCluster();
  ccm = await runCloudControllerManager({ client: cluster.client, logger: silentLogger, clock: systemClock }, { cloud, ...options });
}

async function node(name: string, labels: Record<string, string> = {}): Promise<void> {
  await cluster.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
}

function lbService(name: string, spec: Record<string, unknown> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }], ...spec } };
}

const get = (name: string) => cluster.client.get<Service>('services', name, { namespace: 'default' });

async function events(name: string): Promise<string[]> {
  const list = await cluster.client.list<KubeObject & { involvedObject?: { name?: string }; reason?: string; message?: string; type?: string; source?: { component?: string } }>('events', {
    namespace: 'default',
  });
  return list.items
    .filter((e) => e.involvedObject?.name === name)
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || String(a.metadata.name).localeCompare(String(b.metadata.name)))
    .map((e) => `${e.type} ${e.reason}: ${e.message} (${e.source?.component})`);
}

describe('which Services the controller takes (upstream wantsLoadBalancer, needsUpdate)', () => {
  test('type LoadBalancer without a class, and nothing else', () => {
    expect(wantsLoadBalancer(lbService('a'))).toBe(true);
    expect(wantsLoadBalancer(lbService('a', { loadBalancerClass: 'example.com/internal-vip' }))).toBe(false);
    expect(wantsLoadBalancer(lbService('a', { type: 'NodePort' }))).toBe(false);
    expect(wantsLoadBalancer(lbService('a', { type: 'ClusterIP' }))).toBe(false);
  });

  test('an update matters when a field the load balancer uses changed, not for a label', () => {
    const base = { ...lbService('a'), metadata: { name: 'a', namespace: 'default', uid: 'u1' } };
    expect(needsUpdate(base, { ...base, metadata: { ...base.metadata, labels: { x: 'y' } } })).toBe(false);
    expect(needsUpdate(base, { ...base, spec: { ...base.spec, ports: [{ port: 81, protocol: 'TCP' }] } })).toBe(true);
    expect(needsUpdate(base, { ...base, spec: { ...base.spec, type: 'ClusterIP' } })).toBe(true);
    expect(needsUpdate(base, { ...base, metadata: { ...base.metadata, annotations: { a: 'b' } } })).toBe(true);
    expect(needsUpdate(base, { ...base, spec: { ...base.spec, externalTrafficPolicy: 'Local' } })).toBe(true);
    // Neither wants one: nothing to do whatever changed.
    const plain = { ...base, spec: { ...base.spec, type: 'ClusterIP' as const } };
    expect(needsUpdate(plain, { ...plain, spec: { ...plain.spec, ports: [{ port: 81 }] } })).toBe(false);
  });
});

describe('the service controller against a fake cloud', () => {
  test('a LoadBalancer Service: finalizer first, the cloud called with the nodes, the address written, the events', async () => {
    const cloud = new FakeCloud();
    await start(cloud);
    await node('node-a');
    await node('node-b');
    await node('node-x', { [EXCLUDE_BALANCERS_LABEL]: 'true' });
    await cluster.client.create('services', lbService('web'), { namespace: 'default' });
    const svc = await waitFor('the address in status.loadBalancer', async () => ((await get('web')).status?.loadBalancer?.ingress?.length ? get('web') : undefined));
    expect(svc.status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.1' }]);
    expect(svc.metadata.finalizers).toEqual([LOAD_BALANCER_CLEANUP_FINALIZER]);
    const ensure = cloud.calls.find((c) => c.op === 'ensure')!;
    // The excluded node is not given to the cloud.
    expect(ensure.nodes).toEqual(['node-a', 'node-b']);
    await waitFor('both events', async () => (await events('web')).length >= 2);
    expect(await events('web')).toEqual(['Normal EnsuringLoadBalancer: Ensuring load balancer (service-controller)', 'Normal EnsuredLoadBalancer: Ensured load balancer (service-controller)']);
  });

  test('a Service with a loadBalancerClass, or of another type, is left alone', async () => {
    const cloud = new FakeCloud();
    await start(cloud);
    await cluster.client.create('services', lbService('other', { loadBalancerClass: 'example.com/internal-vip' }), { namespace: 'default' });
    await cluster.client.create('services', lbService('plain', { type: 'ClusterIP' }), { namespace: 'default' });
    // A Service it does take, created after: once it is done, the two before were seen and passed over.
    await cluster.client.create('services', lbService('mine'), { namespace: 'default' });
    await waitFor('mine to get its address', async () => (await get('mine')).status?.loadBalancer?.ingress?.length);
    expect(cloud.calls.filter((c) => c.service !== 'mine')).toEqual([]);
    for (const name of ['other', 'plain']) {
      const s = await get(name);
      expect(s.metadata.finalizers ?? [], name).toEqual([]);
      expect(s.status?.loadBalancer?.ingress ?? [], name).toEqual([]);
      expect(await events(name), name).toEqual([]);
    }
  });

  test('LoadBalancer → ClusterIP: the load balancer is deleted, the finalizer and the address go', async () => {
    const cloud = new FakeCloud();
    await start(cloud);
    await cluster.client.create('services', lbService('web'), { namespace: 'default' });
    await waitFor('the address', async () => (await get('web')).status?.loadBalancer?.ingress?.length);
    await cluster.client.patch('services', 'web', { spec: { type: 'ClusterIP' } }, { namespace: 'default', type: 'merge' });
    const svc = await waitFor('the finalizer to go', async () => {
      const s = await get('web');
      return (s.metadata.finalizers ?? []).length === 0 && !s.status?.loadBalancer?.ingress?.length ? s : undefined;
    });
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.metadata.finalizers, 'no empty list left behind').toBeUndefined();
    // Upstream's dropTypeDependentFields wipes the LoadBalancer-only field with the type change.
    expect(svc.spec?.allocateLoadBalancerNodePorts).toBeUndefined();
    expect(cloud.ops('web')).toEqual(['ensure', 'delete']);
    expect(cloud.balancers.size).toBe(0);
    await waitFor('the deletion events', async () => (await events('web')).some((e) => e.includes('DeletedLoadBalancer')));
    // No node in this cluster: a Warning UnAvailableLoadBalancer came with the ensure (upstream does too).
    expect((await events('web')).filter((e) => /Delet/.test(e))).toEqual([
      'Normal DeletingLoadBalancer: Deleting load balancer (service-controller)',
      'Normal DeletedLoadBalancer: Deleted load balancer (service-controller)',
    ]);
  });

  test('deleting the Service waits for the cleanup finalizer: the load balancer is deleted first', async () => {
    const cloud = new FakeCloud();
    await start(cloud, { retryMinMs: 200 });
    await cluster.client.create('services', lbService('web'), { namespace: 'default' });
    await waitFor('the address', async () => (await get('web')).status?.loadBalancer?.ingress?.length);
    cloud.fail = { op: 'delete', error: 'the cloud API is down' };
    await cluster.client.delete('services', 'web', { namespace: 'default' });
    // Held by the finalizer while the cloud refuses.
    await waitFor('a failed delete', () => cloud.ops('web').includes('delete'));
    const held = await get('web');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual([LOAD_BALANCER_CLEANUP_FINALIZER]);
    expect(cloud.balancers.size).toBe(1);
    await waitFor('the failure event', async () => (await events('web')).some((e) => e.includes('SyncLoadBalancerFailed')));
    expect(await events('web')).toContain('Warning SyncLoadBalancerFailed: Error syncing load balancer: failed to delete load balancer: the cloud API is down (service-controller)');
    cloud.fail = undefined;
    await waitFor('the Service to be gone', async () =>
      get('web').then(
        () => undefined,
        () => true,
      ),
    );
    expect(cloud.balancers.size).toBe(0);
  }, 60_000);

  test('a cloud error: SyncLoadBalancerFailed, then retries with backoff doubling until it works', async () => {
    const cloud = new FakeCloud();
    cloud.fail = { op: 'ensure', error: 'quota exceeded for load balancers' };
    await start(cloud, { retryMinMs: 300, retryMaxMs: 10_000 });
    await cluster.client.create('services', lbService('web'), { namespace: 'default' });
    await waitFor('three failed attempts', () => cloud.ops('web').length >= 3);
    cloud.fail = undefined;
    await waitFor('the address after the retries', async () => (await get('web')).status?.loadBalancer?.ingress?.length);
    const attempts = cloud.calls.filter((c) => c.service === 'web' && c.op === 'ensure').map((c) => c.at);
    // Upstream: the item's delay starts at minRetryDelay and doubles (300, 600, 1200 ms here); a
    // loaded machine can only make the gaps longer, never shorter.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(300 - 20);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(600 - 20);
    const failed = (await events('web')).filter((e) => e.includes('SyncLoadBalancerFailed'));
    expect(failed[0]).toBe('Warning SyncLoadBalancerFailed: Error syncing load balancer: failed to ensure load balancer: quota exceeded for load balancers (service-controller)');
    expect((await get('web')).metadata.finalizers).toEqual([LOAD_BALANCER_CLEANUP_FINALIZER]);
  }, 60_000);

  test('a node added is given to the load balancers (UpdateLoadBalancer), an excluded one is not', async () => {
    const cloud = new FakeCloud();
    await start(cloud);
    await node('node-a');
    await cluster.client.create('services', lbService('web'), { namespace: 'default' });
    await waitFor('the address', async () => (await get('web')).status?.loadBalancer?.ingress?.length);
    await node('node-b');
    const update = await waitFor('an update with node-b', () => cloud.calls.find((c) => c.op === 'update'));
    expect(update.nodes).toEqual(['node-a', 'node-b']);
    await node('node-x', { [EXCLUDE_BALANCERS_LABEL]: '' });
    await node('node-c');
    await waitFor('an update with node-c', () => cloud.calls.some((c) => c.op === 'update' && c.nodes?.includes('node-c')));
    expect(cloud.calls.filter((c) => c.op === 'update').every((c) => !c.nodes?.includes('node-x'))).toBe(true);
    await waitFor('the event', async () => (await events('web')).some((e) => e.includes('UpdatedLoadBalancer')));
    expect(await events('web')).toContain('Normal UpdatedLoadBalancer: Updated load balancer with new hosts (service-controller)');
  });
});
