/**
 * The Service ClusterIP range is the apiserver's option (kube-apiserver's
 * --service-cluster-ip-range), taken from the cluster's flags: loopback mode 127.96.0.0/16, kernel
 * mode 10.96.0.0/16 (kubeadm's 10.96.0.0/12, narrowed). The `kubernetes` Service gets the first
 * address, kube-dns the tenth, ordinary Services the rest; a requested ClusterIP outside the range
 * is refused with upstream's message (pkg/registry/core/service/ipallocator: "provided IP is not in
 * the valid range. The range of valid IPs is <cidr>"); a malformed range stops the start, as
 * kube-apiserver's flag validation does. Data kept from a cluster with another range gets its
 * `kubernetes` Service back at the new first address.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startApiServer } from '#engine/apiserver/server.ts';
import { clusterDnsIP, serviceClusterIPRange } from '#engine/cluster/service-range.ts';
import { createStore } from '#engine/etcd/store.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { isApiError } from '#engine/kube/errors.ts';
import { SERVICES } from '#engine/kube/kinds/core/service.ts';
import type { Service } from '#engine/kube/types.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const svc = (name: string, clusterIP?: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 80, protocol: 'TCP' }] },
});

describe('the Service ClusterIP range', () => {
  test("comes from the cluster's network mode, and kube-dns's address is its tenth", () => {
    expect([serviceClusterIPRange(undefined), serviceClusterIPRange({}), serviceClusterIPRange({ network: 'loopback' }), serviceClusterIPRange({ network: 'kernel' })]).toEqual([
      '127.96.0.0/16',
      '127.96.0.0/16',
      '127.96.0.0/16',
      '10.96.0.0/16',
    ]);
    expect([clusterDnsIP({ network: 'loopback' }), clusterDnsIP({ network: 'kernel' })]).toEqual(['127.96.0.10', '10.96.0.10']);
  });

  test('an apiserver given 10.96.0.0/16 puts the kubernetes Service on 10.96.0.1 and allocates from that range only', async () => {
    const s = await startTestServer({ serviceClusterIPRange: '10.96.0.0/16' });
    servers.push(s);
    const kubernetes = await s.client.get<Service>('services', 'kubernetes', { namespace: 'default' });
    expect(kubernetes.spec?.clusterIP).toBe('10.96.0.1');
    const web = await s.client.create<Service>('services', svc('web'));
    expect(web.spec?.clusterIP, 'the first dynamic address (below it: kept for kubernetes and kube-dns)').toBe('10.96.0.11');
    const dns = await s.client.create<Service>('services', svc('dns', '10.96.0.10'));
    expect(dns.spec?.clusterIPs).toEqual(['10.96.0.10']);
    const refused = await s.client.create<Service>('services', svc('old', '127.96.0.50')).catch((e: unknown) => e);
    expect(isApiError(refused, 'Invalid'), String(refused)).toBe(true);
    expect((refused as Error).message).toContain('failed to allocate IP 127.96.0.50: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16');
  });

  test('without the option the apiserver keeps loopback mode range', async () => {
    const s = await startTestServer();
    servers.push(s);
    expect((await s.client.get<Service>('services', 'kubernetes', { namespace: 'default' })).spec?.clusterIP).toBe('127.96.0.1');
    expect((await s.client.create<Service>('services', svc('web'))).spec?.clusterIP).toBe('127.96.0.11');
  });

  test.each([
    ['10.96.0.1/16', 'has host bits set'],
    ['10.96.0.0', 'is not an IPv4 CIDR'],
    ['10.96.0.0/30', 'is not an IPv4 CIDR of /1 to /28'],
    ['300.96.0.0/16', 'is not an IPv4 CIDR'],
  ])('a range of %s stops the start: %s', async (range, message) => {
    const store: KVStore = await createStore({});
    try {
      await expect(startApiServer({ store, port: 0, serviceClusterIPRange: range })).rejects.toThrow(message);
    } finally {
      await store.close();
    }
  });

  test('data kept from a loopback-mode cluster: the kubernetes Service moves to the new range on start', async () => {
    const store = await createStore({});
    const first = await startApiServer({ store, port: 0 });
    expect((await first.registry.get(SERVICES, 'default', 'kubernetes')).spec).toMatchObject({ clusterIP: '127.96.0.1' });
    await first.close();
    const s = await startTestServer({ store, serviceClusterIPRange: '10.96.0.0/16' });
    servers.push(s);
    const kubernetes = await s.client.get<Service>('services', 'kubernetes', { namespace: 'default' });
    expect([kubernetes.spec?.clusterIP, kubernetes.spec?.clusterIPs]).toEqual(['10.96.0.1', ['10.96.0.1']]);
  });
});
