/**
 * The simulated cloud where nodes are not on the machine's network (kernel mode): given
 * `nodeAddress` and `dial`, its load balancers forward to each node's address as `nodeAddress`
 * names it, through `dial` (in `cluster up`: a relay into the underlay namespace), skipping a node
 * whose dial fails, as they skip a node that refuses. Nodes `nodeAddress` gives no address are no
 * backends. engine/cloud/kernel-nodes.ts maps real nodes to their eth0 (node-<i> → 10.250.0.(10+i)).
 * Upstream: a cloud LB forwards to NodePorts on the nodes' addresses (k8s.io/cloud-provider
 * cloud.go, EnsureLoadBalancer(nodes)).
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { kernelCloudNetwork } from '#engine/cloud/kernel-nodes.ts';
import { SimulatedCloud } from '#engine/cloud/simulated-cloud.ts';
import type { Node, Service } from '#engine/kube/types.ts';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: '127.64.9.1' }] } });

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

describe('the simulated cloud with nodes behind a dialer (kernel mode)', () => {
  test('kernelCloudNetwork maps real nodes to their eth0 and leaves others out', () => {
    const network = kernelCloudNetwork('abc123');
    expect(['node-0', 'node-1', 'node-12', 'hollow-node-3', 'node-x'].map((n) => network.nodeAddress(node(n)))).toEqual(['10.250.0.10', '10.250.0.11', '10.250.0.22', undefined, undefined]);
  });

  test('a load balancer dials each node address through dial, skipping one whose dial fails', async () => {
    // One "node" that answers: a local server standing in for what the relay connects to.
    const server = net.createServer((s) => {
      s.write('node-1 answered\n');
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const target = (server.address() as net.AddressInfo).port;
    const dialled: string[] = [];
    const dial = (host: string, port: number): Promise<net.Socket> => {
      dialled.push(`${host}:${port}`);
      if (host === '10.250.0.10') return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      return new Promise((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port: target }, () => resolve(s));
        s.once('error', reject);
      });
    };
    const network = kernelCloudNetwork('abc123');
    const cloud = new SimulatedCloud({ pool: '127.113.77.0/29', nodeAddress: network.nodeAddress, dial });
    cleanup.push(() => cloud.close());
    const service: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', uid: '11111111-2222-3333-4444-555555555555' },
      spec: { type: 'LoadBalancer', ports: [{ port: 18581, protocol: 'TCP', nodePort: 30581 }] },
    };
    const status = await cloud.ensureLoadBalancer('kubelings', service, [node('node-0'), node('node-1'), node('hollow-node-0')]);
    const ip = status.ingress![0]!.ip!;
    expect(cloud.inventory()[0]!.backends, 'backends: the real nodes eth0, NodePort').toEqual(['10.250.0.10:30581', '10.250.0.11:30581']);
    const answers = [await greet(ip, 18581), await greet(ip, 18581)];
    expect(answers, 'both connections get through, node-0 failing').toEqual(['node-1 answered', 'node-1 answered']);
    expect(dialled.slice(0, 2), 'the first connection tries node-0 first, then node-1').toEqual(['10.250.0.10:30581', '10.250.0.11:30581']);
    expect(dialled.every((d) => d.endsWith(':30581'))).toBe(true);
  });
});
