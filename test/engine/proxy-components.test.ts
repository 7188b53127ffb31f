/**
 * How `cluster up`'s kube-proxies share one machine in loopback mode (engine/proxy/kube-proxy.ts
 * options used by engine/proxy/components.ts): only one of them (node-0's) listens on ClusterIPs,
 * the others on their node ports alone; where ports below 1024 cannot be bound, a ClusterIP port
 * below 1024 listens 10000 higher (engine/cri/ports.ts's rule for pods' ports), and the log says so.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startCluster } from '#engine/cluster/cluster.ts';
import type { Logger } from '#engine/cluster/logger.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import { runKubeProxy } from '#engine/proxy/kube-proxy.ts';
import { waitFor } from './cri-harness.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function lineLogger(lines: string[]): Logger {
  const logger: Logger = { debug: () => {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), child: () => logger } as Logger;
  return logger;
}

describe("cluster up's kube-proxies on one machine", () => {
  test('node-0 holds the ClusterIPs, another node only its node port; a low ClusterIP port moves 10000 up where low ports cannot be bound', async () => {
    const cluster = await startCluster();
    cleanup.push(() => cluster.stop());
    const svc = await cluster.client.create<Service>(
      'services',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31872 }] } },
      { namespace: 'default' },
    );
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.64.203.1'], conditions: { ready: true }, nodeName: 'node-0' }],
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    };
    await cluster.client.create('endpointslices', slice, { namespace: 'default' });
    const ip = svc.spec!.clusterIP!;
    const lines: string[] = [];
    const remap = { mode: 'remap' as const, offset: 10_000, reason: 'this process may not bind ports below 1024' };
    const first = await runKubeProxy(cluster.client, { nodeName: 'node-0', nodeIP: '127.88.1.1', minSyncPeriodMs: 50, lowPorts: remap, logger: lineLogger(lines) });
    cleanup.push(() => first.stop());
    const second = await runKubeProxy(cluster.client, { nodeName: 'node-1', nodeIP: '127.88.1.2', minSyncPeriodMs: 50, serveClusterIPs: false, lowPorts: remap });
    cleanup.push(() => second.stop());
    const want = `${ip}:10080`;
    await waitFor(`node-0's kube-proxy to listen on ${want}`, () => first.proxy.listening().includes(want));
    // (the `kubernetes` Service's 127.96.0.1:443 moves to 10443 too, unless another test's cluster holds it: left out)
    expect(
      first.proxy.listening().filter((a) => !a.startsWith('127.96.0.1:')),
      "node-0's listeners",
    ).toEqual([`127.88.1.1:31872`, want].sort());
    await waitFor("node-1's kube-proxy to listen on its node port", () => second.proxy.listening().length > 0);
    expect(second.proxy.listening(), "node-1's listeners: its node port alone").toEqual(['127.88.1.2:31872']);
    expect(lines.join('\n'), "node-0's log").toContain(`default/web:http: ${ip}:80 listens on port 10080 (this process may not bind ports below 1024)`);
  }, 60_000);
});
