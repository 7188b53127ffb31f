/**
 * The simulated cloud on its own (no cluster): what its load balancers do on the wire. Two nodes
 * are two TCP servers that greet with their name; the load balancer takes them in turn, skips one
 * that stopped answering, and two clouds on one machine (two clusters) do not fight over an
 * address: the second passes over an address the first listens on, unless the Service asked for
 * it (spec.loadBalancerIP), which is then a clear error. Stopping a cloud frees everything.
 * Upstream has no simulated cloud; the contract is k8s.io/cloud-provider cloud.go's LoadBalancer
 * interface (idempotent EnsureLoadBalancer returning the status, EnsureLoadBalancerDeleted).
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { SimulatedCloud } from '#engine/cloud/simulated-cloud.ts';
import { parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import type { Node, Service } from '#engine/kube/types.ts';
import { LOAD_BALANCER_ADDRESS_POOL } from '#engine/params.ts';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A "node" whose NodePort greets with the node's name. */
async function nodeServer(name: string, ip: string): Promise<{ node: Node; port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => {
    s.write(`${name}\n`);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen({ host: ip, port: 0 }, r));
  let closed = false;
  const close = () => (closed ? Promise.resolve() : ((closed = true), new Promise<void>((r) => server.close(() => r()))));
  cleanup.push(close);
  return { node: { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } }, port: (server.address() as net.AddressInfo).port, close };
}

function service(name: string, port: number, nodePort: number, extra: Record<string, unknown> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}-${port}` },
    spec: { type: 'LoadBalancer', ports: [{ port, nodePort, protocol: 'TCP' }], ...extra },
  };
}

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

function newCloud(): SimulatedCloud {
  const cloud = new SimulatedCloud();
  cleanup.push(() => cloud.close());
  return cloud;
}

const ipOf = (status: { ingress?: { ip?: string }[] }) => status.ingress![0]!.ip!;

describe('the simulated cloud', () => {
  test('nodes are taken in turn; a node that stops answering is skipped; a deleted load balancer listens no more', async () => {
    // Both "nodes" serve the NodePort on the same port number, as kube-proxy does on every node.
    const a = await nodeServer('node-a', '127.88.0.31');
    const server = net.createServer((s) => {
      s.write('node-b\n');
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen({ host: '127.88.0.32', port: a.port }, r));
    cleanup.push(() => new Promise((r) => server.close(() => r(undefined))));
    const b: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b' }, status: { addresses: [{ type: 'InternalIP', address: '127.88.0.32' }] } };
    const cloud = newCloud();
    const svc = service('turns', 18095, a.port);
    const ip = ipOf(await cloud.ensureLoadBalancer('kubernetes', svc, [a.node, b]));
    const pool = parseCidr(LOAD_BALANCER_ADDRESS_POOL);
    expect(parseIPv4(ip) > pool.network && parseIPv4(ip) < pool.last, `${ip} in ${LOAD_BALANCER_ADDRESS_POOL}`).toBe(true);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await greet(ip, 18095));
    expect(answers.sort()).toEqual(['node-a', 'node-a', 'node-b', 'node-b']);
    await a.close();
    const after = [];
    for (let i = 0; i < 4; i++) after.push(await greet(ip, 18095));
    expect(after).toEqual(['node-b', 'node-b', 'node-b', 'node-b']);
    expect(await cloud.getLoadBalancer('kubernetes', svc)).toEqual({ exists: true, status: { ingress: [{ ip, ipMode: 'VIP' }] } });
    await cloud.ensureLoadBalancerDeleted('kubernetes', svc);
    expect(await cloud.getLoadBalancer('kubernetes', svc)).toEqual({ exists: false });
    expect(await greet(ip, 18095)).toBe('ECONNREFUSED');
    // Deleting what is gone is no error (EnsureLoadBalancerDeleted is idempotent).
    await cloud.ensureLoadBalancerDeleted('kubernetes', svc);
  });

  test('two clouds on one machine: the second passes over the address the first listens on; a requested one in use is an error', async () => {
    const n = await nodeServer('node-a', '127.88.0.33');
    const first = newCloud();
    const second = newCloud();
    const one = ipOf(await first.ensureLoadBalancer('kubernetes', service('one', 18096, n.port), [n.node]));
    const two = ipOf(await second.ensureLoadBalancer('kubernetes', service('two', 18096, n.port), [n.node]));
    expect(two).not.toBe(one);
    expect(await greet(two, 18096)).toBe('node-a');
    await expect(second.ensureLoadBalancer('kubernetes', service('three', 18096, n.port, { loadBalancerIP: one }), [n.node])).rejects.toThrow(`cannot listen on ${one}:18096: EADDRINUSE`);
    await second.close();
    await first.close();
    expect(second.inventory()).toEqual([]);
    expect(await greet(one, 18096)).toBe('ECONNREFUSED');
    expect(await greet(two, 18096)).toBe('ECONNREFUSED');
  });
});
