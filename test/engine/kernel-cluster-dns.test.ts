/**
 * Cluster DNS in kernel mode, one node at a time (engine/proxy/kernel-cluster-dns.ts; root, Linux,
 * ip): against an in-process apiserver and two namespaces named as two nodes' (each holding its
 * node's address), the component lists both nodes in kube-system/kube-dns-nodes, ready, and each
 * node's address answers inside its namespace. Node-0's namespace removed: its endpoint turns not
 * ready while node-1's stays ready and answers; made again, at first without its address (as a
 * kubelet sets a node up: the namespace first, the address after), node-0 binds there on its own
 * and is ready again. A slice of the old layout (kube-dns-node-0) is deleted at start; stop()
 * deletes the slice and leaves no helper. Upstream's shape for a Service with several pods is one
 * EndpointSlice listing them (pkg/controller/endpointslice/reconciler.go fills slices up to
 * maxEndpointsPerSlice), each endpoint with ready/serving/terminating and its nodeName.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { startCluster, type ClusterContext, type ClusterOptions } from '#engine/cluster/cluster.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { autoNetworkMode, kernelNodeIp, nodeNetnsName, removeNetns } from '#engine/cni/netns-layout.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import { kernelClusterTag } from '#engine/kubelet/kernel-node.ts';
import { CLUSTER_DNS_MANAGED_BY, runKernelClusterDns } from '#engine/proxy/kernel-cluster-dns.ts';
import { waitFor } from './cri-harness.ts';
import { pidsWithCmdline } from '../support/processes.ts';

const KERNEL = autoNetworkMode();
const run = promisify(execFile);
const options: ClusterOptions = {};
const tag = KERNEL.mode === 'kernel' ? kernelClusterTag(options) : '';
const netns = [0, 1].map((i) => nodeNetnsName(tag, i));
const helpers = () => pidsWithCmdline((cmd) => cmd.includes('netns-listener') && cmd.includes(tag));
/** A node's namespace as its kubelet leaves it: lo up, the node's address (on lo here: no underlay is needed). */
const makeNode = (i: number, withAddress = true) => {
  execFileSync('ip', ['netns', 'add', netns[i]!]);
  execFileSync('ip', ['-n', netns[i]!, 'link', 'set', 'lo', 'up']);
  if (withAddress) addAddress(i);
};
const addAddress = (i: number) => execFileSync('ip', ['-n', netns[i]!, 'addr', 'add', `${kernelNodeIp(i)}/32`, 'dev', 'lo']);
/**
 * The A record of kube-dns.kube-system asked at node i's address from inside its namespace (the
 * error code when nothing answers within `timeoutMs`): 1 s where the test polls, longer for a
 * single lookup that must answer (on a loaded machine the answer may take more than a second).
 */
const lookupIn = async (i: number, timeoutMs = 1_000) => {
  const program = `const r=new (require('dns').promises.Resolver)({timeout:${timeoutMs},tries:1});r.setServers(['${kernelNodeIp(i)}']);r.resolve4('kube-dns.kube-system.svc.cluster.local').then(a=>console.log(a.join(',')),e=>console.log(e.code))`;
  return (await run('ip', ['netns', 'exec', netns[i]!, process.execPath, '-e', program], { encoding: 'utf8', timeout: 30_000 })).stdout.trim();
};
const SINGLE_LOOKUP_MS = 15_000;
const readiness = (slice: EndpointSlice | undefined) => Object.fromEntries((slice?.endpoints ?? []).map((e) => [e.nodeName, e.conditions.ready]));

afterAll(async () => {
  if (KERNEL.mode === 'kernel') await removeNetns(netns);
});

describe.skipIf(KERNEL.mode !== 'kernel')(`cluster DNS on every node${KERNEL.mode === 'kernel' ? '' : ` (skipped: ${KERNEL.reason})`}`, { timeout: 180_000 }, () => {
  test("one endpoint per node, ready while the node's sockets are bound; a node's namespace gone and made again costs only that node, which binds again on its own", async () => {
    const cluster = await startCluster();
    const client = cluster.client;
    const get = () => client.get<EndpointSlice>('endpointslices', 'kube-dns-nodes', { namespace: 'kube-system' }).catch(() => undefined);
    let dns: { stop(): Promise<void> } | undefined;
    try {
      const kubeDns = await client.create<Service>(
        'services',
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { ports: [{ port: 53, protocol: 'UDP' }] } },
        { namespace: 'kube-system' },
      );
      const ip = kubeDns.spec!.clusterIP!;
      const legacy: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kube-dns-node-0', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': CLUSTER_DNS_MANAGED_BY } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [kernelNodeIp(0)], conditions: { ready: true } }],
      };
      await client.create('endpointslices', legacy, { namespace: 'kube-system' });
      makeNode(0);
      makeNode(1);

      const ctx = { client, logger: silentLogger, options } as unknown as ClusterContext;
      dns = await runKernelClusterDns(ctx, 2);
      const both = await waitFor('both nodes ready in kube-system/kube-dns-nodes', async () => {
        const slice = await get();
        return JSON.stringify(readiness(slice)) === JSON.stringify({ 'node-0': true, 'node-1': true }) ? slice : undefined;
      });
      expect(both.endpoints).toEqual([
        { addresses: [kernelNodeIp(0)], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-0' },
        { addresses: [kernelNodeIp(1)], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' },
      ]);
      expect(both.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': CLUSTER_DNS_MANAGED_BY });
      expect((await client.list<EndpointSlice>('endpointslices', { namespace: 'kube-system' })).items.map((s) => s.metadata.name)).toEqual(['kube-dns-nodes']);
      expect(await waitFor('node-0 to answer', async () => ((await lookupIn(0)) === ip ? ip : undefined))).toBe(ip);
      expect(await lookupIn(1, SINGLE_LOOKUP_MS)).toBe(ip);

      // node-0's namespace removed: its endpoint alone turns not ready; node-1 answers on.
      await removeNetns([netns[0]!]);
      const gone = await waitFor("node-0's endpoint to turn not ready", async () => {
        const r = readiness(await get());
        return r['node-0'] === false ? r : undefined;
      });
      expect(gone).toEqual({ 'node-0': false, 'node-1': true });
      expect((await get())!.endpoints[0]!.conditions).toEqual({ ready: false, serving: false, terminating: false });
      expect(await lookupIn(1, SINGLE_LOOKUP_MS)).toBe(ip);

      // Made again without its address first: cluster DNS cannot bind yet and keeps node-0 not ready.
      makeNode(0, false);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(readiness(await get())).toEqual({ 'node-0': false, 'node-1': true });
      addAddress(0);
      await waitFor('node-0 ready again once its address is there', async () => readiness(await get())['node-0'] === true);
      expect(await waitFor('node-0 to answer again', async () => ((await lookupIn(0)) === ip ? true : undefined))).toBe(true);
      await waitFor('no listener helper left running', () => helpers().length === 0);
    } finally {
      await dns?.stop();
      const left = await get();
      await cluster.stop();
      expect(left, 'the slice deleted by stop()').toBeUndefined();
    }
    expect(helpers()).toEqual([]);
  });
});
