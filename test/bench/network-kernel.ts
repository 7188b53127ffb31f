/**
 * The network benchmark's kernel-mode figures (root only; test/bench/network.bench.ts prints them
 * beside loopback mode's): throughput and connection latency through a ClusterIP that kube-proxy's
 * nftables backend DNATs (engine/proxy/kernel/) against a direct connection to the pod, in the same
 * run, over the namespace network of test/support/netns-fixture.ts. The client sits in its own
 * namespace routed through the node, so both paths cross the node's forwarding; the ClusterIP path
 * adds the service map, numgen, DNAT, masquerade and conntrack. Targets: throughput ≥ 0.9× direct,
 * connection latency (p50) ≤ 1.11× direct (the same 0.9 the other way up). And the time nft takes
 * to load the rules of 1,000 Services × 10 endpoints, whole and one Service at a time.
 */
import { execFileSync } from 'node:child_process';
import { loadComponent } from '#engine/impl.ts';
import { NftablesProxyBackend } from '#engine/proxy/kernel/nftables-backend.ts';
import { prepareNodeNetns } from '#engine/proxy/kernel/kernel-proxy.ts';
import { ep, service, slice } from '../grading/services/make.ts';
import { createNetnsFixture, kernelFixtureSupport } from '../support/netns-fixture.ts';
import { median, type Figure } from './harness.ts';

interface AgentLike {
  ask<T>(command: object): Promise<T>;
  stop(): void;
}

const MB = 1024 * 1024;

export async function kernelDataPath(startAgent: (ip: string, netns: string) => Promise<{ agent: AgentLike; port: number }>): Promise<Figure[]> {
  const support = kernelFixtureSupport();
  if (!support.ok) {
    console.log(`  (kernel-mode figures skipped: ${support.why})`);
    return [];
  }
  const services = await loadComponent('services');
  const fx = await createNetnsFixture('bench', 1);
  const agents: AgentLike[] = [];
  try {
    prepareNodeNetns(fx.node);
    const pod = await startAgent(fx.pods[0]!.ip, fx.pods[0]!.netns);
    agents.push(pod.agent);
    const client = (await startAgent(fx.client.ip, fx.client.netns)).agent;
    agents.push(client);
    const clusterIP = '10.96.0.10';
    const rules = services.serviceRules(
      [service('bench', { clusterIP, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: pod.port }] })],
      [slice('bench', [ep(fx.pods[0]!.ip, { node: 'node-1' })], { ports: [{ name: 'http', protocol: 'TCP', port: pod.port }] })],
      'node-1',
    );
    const backend = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR });
    backend.apply({ full: true, upsert: rules, remove: [] });
    const bytes = 512 * MB;
    const rate = async (host: string, port: number) => {
      const run = await client.ask<{ ms: number; got: number }>({ op: 'tput', host, port, bytes });
      if (run.got < bytes) throw new Error(`${host}:${port} took ${run.got} of the ${bytes} bytes sent`);
      return bytes / MB / (run.ms / 1000);
    };
    // One run of each path in turn, so that a burst of load on the machine falls on both alike.
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let round = 0; round < 9; round++) {
      direct.push(await rate(fx.pods[0]!.ip, pod.port));
      proxied.push(await rate(clusterIP, 80));
    }
    const lat = async (host: string, port: number) => median((await client.ask<{ ms: number[] }>({ op: 'lat', host, port, n: 500 })).ms);
    await lat(fx.pods[0]!.ip, pod.port);
    const directLat = await lat(fx.pods[0]!.ip, pod.port);
    const proxiedLat = await lat(clusterIP, 80);
    return [
      {
        name: 'kernel mode: throughput through a ClusterIP (nftables DNAT)',
        value: Math.max(...proxied),
        unit: 'MB/s',
        baseline: { name: 'direct to the pod', value: Math.max(...direct) },
        target: { minRatio: 0.9 },
        note: '512 MB per run, best of 9, each run alternating with one direct run (single runs vary up to 3× on a loaded machine), one connection, client namespace routed through the node',
      },
      {
        name: 'kernel mode: connection latency through a ClusterIP, p50',
        value: proxiedLat,
        unit: 'ms',
        baseline: { name: 'direct to the pod', value: directLat },
        target: { maxRatio: 1.11 },
        note: '500 connections one after another, connect until the first byte',
      },
    ];
  } finally {
    for (const a of agents) a.stop();
    await fx.destroy();
    const left = fx.leftovers();
    if (left.length) console.log(`  (the kernel benchmark left ${left.join(', ')}: remove them with ip netns del)`);
  }
}

/**
 * nftables sync at 1,000 Services × 10 endpoints, in a namespace of its own: the first (full) sync
 * replacing the table in one `nft -f`, and the partial sync after one Service's endpoints change.
 */
export async function kernelRuleSync(): Promise<Figure[]> {
  const support = kernelFixtureSupport();
  if (!support.ok) return [];
  const services = await loadComponent('services');
  const netns = `kl-bench-sync-${process.pid}`;
  const svcs = Array.from({ length: 1_000 }, (_, i) => service(`svc-${i}`, { clusterIP: `10.96.${i >> 8}.${i & 255}` }));
  const endpoints = (i: number, n: number) => Array.from({ length: n }, (_, j) => ep(`10.${200 + (i >> 8)}.${i & 255}.${j + 1}`, { node: 'node-1' }));
  const slices = svcs.map((_, i) => slice(`svc-${i}`, endpoints(i, 10), { name: `svc-${i}-1` }));
  execFileSync('ip', ['netns', 'add', netns]);
  try {
    const backend = new NftablesProxyBackend({ netns, clusterCIDR: '10.200.0.0/13' });
    const rules = services.serviceRules(svcs, slices, 'node-1');
    let t = performance.now();
    backend.apply({ full: true, upsert: rules, remove: [] });
    const full = performance.now() - t;
    const partials: number[] = [];
    for (let i = 0; i < 20; i++) {
      const [changed] = services.serviceRules([svcs[i]!], [slice(`svc-${i}`, endpoints(i, 9), { name: `svc-${i}-1` })], 'node-1');
      t = performance.now();
      backend.apply({ full: false, upsert: [changed!], remove: [] });
      partials.push(performance.now() - t);
    }
    return [
      { name: 'kernel mode: nftables full sync, 1,000 Services × 10 endpoints', value: full, unit: 'ms', note: 'render + one nft -f transaction replacing the table' },
      {
        name: 'kernel mode: nftables partial sync after one Service changes, median',
        value: median(partials),
        unit: 'ms',
        baseline: { name: 'full sync', value: full },
        target: { maxRatio: 0.1 },
        note: '20 changes, one nft -f transaction each',
      },
    ];
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
}
