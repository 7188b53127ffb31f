/**
 * kube-proxy's kernel mode (engine/proxy/kernel/): the services component's proxier (the learner's
 * where it passes, else the reference) drives the nftables backend, which programs table ip
 * kubelings-proxy in a node namespace of a small network this test builds (test/support/
 * netns-fixture.ts: a bridge, three pods running an echo server, a client routed through the node).
 * Seen from the client: a ClusterIP spreads connections over the three pods; scaling to zero
 * endpoints refuses at once (the reject kube-proxy installs for a Service without endpoints,
 * pkg/proxy/nftables/proxier.go's no-endpoint-services map); a NodePort answers on the node's
 * address; an endpoint change is followed; ClientIP affinity sticks; a pod reaches itself through
 * its Service (hairpin, masqueraded). Partial syncs leave the same table a full sync writes. Then
 * the component against a real apiserver, and stop() removing the table. Root only (skipped with the
 * reason otherwise); every namespace, link and table is removed and the test asserts so.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { loadComponent } from '#engine/impl.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import type { Proxier, RuleChanges } from '#engine/proxy/exercises.ts';
import { NftablesProxyBackend } from '#engine/proxy/kernel/nftables-backend.ts';
import { nftApply, nftListTable } from '#engine/proxy/kernel/nft.ts';
import { prepareNodeNetns, startKernelProxy } from '#engine/proxy/kernel/kernel-proxy.ts';
import { ep, service, slice } from '../grading/services/make.ts';
import { createNetnsFixture, kernelFixtureSupport, type NetnsFixture } from '../support/netns-fixture.ts';

const support = kernelFixtureSupport();
const why = support.ok ? '' : ` (skipped: ${support.why})`;
if (!support.ok) console.log(`kernel-mode kube-proxy tests skipped: ${support.why}`);
const services = await loadComponent('services');

const CLUSTER_IP = '10.96.0.10';
const NODE_PORT = 30080;
let fx: NetnsFixture;
let hostTablesBefore = '';

const replies = (results: ({ reply: string } | { error: string })[]) => results.map((r) => ('reply' in r ? r.reply : `error ${r.error}`));
/** Tables as `nft list` prints them, with chains sorted and the table's name made neutral: equal when the rules are equal. */
const normalized = (listing: string, table: string) =>
  listing
    .replaceAll(table, 'T')
    .split(/\n(?=\t(?:chain|set|map) )/)
    .map((block) => block.replace(/\n}\s*$/, ''))
    .sort()
    .join('\n');

describe.skipIf(!support.ok)(`kube-proxy's nftables mode in a network namespace${why}`, () => {
  beforeAll(async () => {
    hostTablesBefore = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
    fx = await createNetnsFixture('kp', 3);
    prepareNodeNetns(fx.node);
  }, 120_000);
  afterAll(async () => {
    await fx?.destroy();
  });

  const web = (type: 'ClusterIP' | 'NodePort' = 'NodePort', extra: Parameters<typeof service>[1] = {}) =>
    service('web', { clusterIP: CLUSTER_IP, type, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, ...(type === 'NodePort' ? { nodePort: NODE_PORT } : {}) }], ...extra });
  const podsSlice = (n: number) =>
    slice(
      'web',
      fx.pods.slice(0, n).map((p) => ep(p.ip, { node: 'node-1' })),
      { name: 'web-1' },
    );

  /** What the partial syncs left is what one full sync of the same rules writes (in a second table). */
  function sameAsFullSync(backend: NftablesProxyBackend, when: string): void {
    const check = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR, table: 'kubelings-proxy-check' });
    check.apply({ full: true, upsert: backend.currentRules(), remove: [] });
    try {
      expect(normalized(nftListTable(fx.node, 'ip', 'kubelings-proxy')!, 'kubelings-proxy'), `the table ${when}, against a full sync`).toBe(
        normalized(nftListTable(fx.node, 'ip', 'kubelings-proxy-check')!, 'kubelings-proxy-check'),
      );
    } finally {
      expect(check.remove(), 'the check table was there to remove').toBe(true);
    }
  }

  /** The learner's proxier over the backend, with a hand-moved clock: each step() is one sync. */
  function newProxierOver(backend: NftablesProxyBackend): { proxier: Proxier; step(): void; applied: RuleChanges[] } {
    let now = 0;
    const applied: RuleChanges[] = [];
    const proxier = services.newProxier({
      nodeName: 'node-1',
      now: () => now,
      minSyncPeriodMs: 1_000,
      fullSyncPeriodMs: 3_600_000,
      backend: {
        apply: (c) => {
          applied.push(c);
          backend.apply(c);
        },
      },
    });
    return {
      proxier,
      applied,
      step() {
        now += 1_000;
        proxier.syncIfDue();
      },
    };
  }

  test('a ClusterIP spreads over three pods, scale to zero refuses at once, a NodePort answers, an endpoint change is followed', async () => {
    const backend = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR });
    const { proxier, step, applied } = newProxierOver(backend);
    let current: EndpointSlice = podsSlice(3);
    proxier.onServiceUpdate(undefined, web());
    proxier.onEndpointSliceUpdate(undefined, current);
    step();
    expect(applied[0]?.full, 'the first sync is a full one').toBe(true);
    expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the table in the node namespace').toContain('numgen random mod 3');

    const spread = replies(await fx.probe(fx.client.netns, CLUSTER_IP, 80, 30));
    expect(new Set(spread), `30 connections to ${CLUSTER_IP}:80 from the client reached: ${spread.join(', ')}`).toEqual(new Set(['pod-0', 'pod-1', 'pod-2']));

    const nodePort = replies(await fx.probe(fx.client.netns, fx.nodeIP, NODE_PORT, 6));
    expect(
      nodePort.every((r) => /^pod-[012]$/.test(r)),
      `the NodePort ${fx.nodeIP}:${NODE_PORT} answered: ${nodePort.join(', ')}`,
    ).toBe(true);

    // An endpoint change: only pod-2 is left.
    const onlyTwo = { ...current, endpoints: [ep(fx.pods[2]!.ip, { node: 'node-1' })] };
    proxier.onEndpointSliceUpdate(current, onlyTwo);
    current = onlyTwo;
    step();
    expect(applied.at(-1)?.full, 'an endpoint change is a partial sync').toBe(false);
    expect(replies(await fx.probe(fx.client.netns, CLUSTER_IP, 80, 8)), 'after the change to pod-2 only').toEqual(Array(8).fill('pod-2'));
    sameAsFullSync(backend, 'after the change to pod-2 only');

    // Scale to zero: refused at once (not a timeout), on the ClusterIP and on the NodePort.
    const none = { ...current, endpoints: [] };
    proxier.onEndpointSliceUpdate(current, none);
    current = none;
    step();
    sameAsFullSync(backend, 'after scaling to zero');
    const refusedAtClusterIP = await fx.probe(fx.client.netns, CLUSTER_IP, 80, 2, 20_000);
    const refusedAtNodePort = await fx.probe(fx.client.netns, fx.nodeIP, NODE_PORT, 1, 20_000);
    expect(replies(refusedAtClusterIP), 'ClusterIP with no endpoints').toEqual(['error ECONNREFUSED', 'error ECONNREFUSED']);
    expect(replies(refusedAtNodePort), 'NodePort with no endpoints').toEqual(['error ECONNREFUSED']);
    // Generous: only proves the refusals did not wait for the 20 s timeout of each connection. Timed
    // inside the probe, from each connect to its error: starting the probes themselves (ip netns
    // exec, node) may take seconds on a loaded machine and says nothing of the rules.
    const refusedMs = [...refusedAtClusterIP, ...refusedAtNodePort].reduce((sum, r) => sum + r.ms, 0);
    expect(refusedMs, 'ms for three refused connections (each would time out at 20 s)').toBeLessThan(15_000);

    // Back to three: spread again, through partial syncs only.
    const three = { ...podsSlice(3), metadata: current.metadata };
    proxier.onEndpointSliceUpdate(current, three);
    step();
    expect(new Set(replies(await fx.probe(fx.client.netns, CLUSTER_IP, 80, 30))), 'after scaling back to 3').toEqual(new Set(['pod-0', 'pod-1', 'pod-2']));
    expect(backend.stats(), 'transactions nft accepted').toEqual({ full: 1, partial: 3, failed: 0 });

    sameAsFullSync(backend, 'after scaling back to three');
    expect(backend.remove(), 'the table was there to remove').toBe(true);
    expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the table after remove()').toBeUndefined();
  }, 180_000);

  test('ClientIP affinity sticks to one pod; a pod reaches itself and the others through its Service (hairpin)', async () => {
    const backend = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR });
    const { proxier, step } = newProxierOver(backend);
    proxier.onServiceUpdate(undefined, web('ClusterIP', { sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 300 }));
    proxier.onEndpointSliceUpdate(undefined, podsSlice(3));
    step();
    const sticky = replies(await fx.probe(fx.client.netns, CLUSTER_IP, 80, 12));
    expect(new Set(sticky).size, `12 connections under ClientIP affinity reached: ${sticky.join(', ')}`).toBe(1);
    expect(sticky[0]).toMatch(/^pod-[012]$/);
    backend.remove();

    const plain = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR });
    const second = newProxierOver(plain);
    second.proxier.onServiceUpdate(undefined, web('ClusterIP'));
    second.proxier.onEndpointSliceUpdate(undefined, podsSlice(3));
    second.step();
    const fromPod = replies(await fx.probe(fx.pods[0]!.netns, CLUSTER_IP, 80, 30));
    expect(new Set(fromPod), `pod-0's 30 connections to its own Service reached: ${fromPod.join(', ')}`).toEqual(new Set(['pod-0', 'pod-1', 'pod-2']));
    plain.remove();
  }, 180_000);

  test('partial syncs of affinity sets, NodePorts and removed Services leave what a full sync writes', () => {
    const backend = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR });
    const { proxier, step, applied } = newProxierOver(backend);
    const sticky = (timeout: number) => service('sticky', { clusterIP: '10.96.0.11', sessionAffinity: 'ClientIP', affinityTimeoutSeconds: timeout });
    const stickySlice = slice('sticky', [ep(fx.pods[0]!.ip, { node: 'node-1' }), ep(fx.pods[1]!.ip, { node: 'node-1' })], { name: 'sticky-1' });
    proxier.onServiceUpdate(undefined, web());
    proxier.onEndpointSliceUpdate(undefined, podsSlice(2));
    proxier.onServiceUpdate(undefined, sticky(60));
    proxier.onEndpointSliceUpdate(undefined, stickySlice);
    step();
    proxier.onServiceUpdate(sticky(60), sticky(120));
    step();
    sameAsFullSync(backend, 'after an affinity timeout changed');
    expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the affinity sets').toContain('timeout 2m');
    proxier.onServiceUpdate(web(), web('ClusterIP'));
    step();
    sameAsFullSync(backend, 'after the NodePort went');
    proxier.onServiceUpdate(sticky(120), undefined);
    proxier.onEndpointSliceUpdate(stickySlice, undefined);
    step();
    sameAsFullSync(backend, 'after a Service was deleted');
    expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the table after the sticky Service went').not.toContain('sticky');
    expect(
      applied.slice(1).map((c) => c.full),
      'the syncs after the first were partial',
    ).toEqual([false, false, false]);
    backend.remove();
  }, 60_000);

  test("nft refusing a transaction: nothing of it is applied, apply() throws, and the proxier's retry replaces the table", async () => {
    const backend = new NftablesProxyBackend({ netns: fx.node, clusterCIDR: fx.podCIDR });
    const { proxier, step, applied } = newProxierOver(backend);
    const first = podsSlice(1);
    proxier.onServiceUpdate(undefined, web('ClusterIP'));
    proxier.onEndpointSliceUpdate(undefined, first);
    step();
    // Someone removes a set behind kube-proxy's back: the next partial sync's last command (adding
    // to cluster-ips) fails, so nft refuses the whole transaction, its first commands included.
    nftApply(fx.node, 'delete set ip kubelings-proxy cluster-ips\n');
    const before = nftListTable(fx.node, 'ip', 'kubelings-proxy');
    proxier.onEndpointSliceUpdate(first, { ...first, endpoints: [ep(fx.pods[1]!.ip, { node: 'node-1' })] });
    step();
    expect(applied.at(-1)?.full, 'the sync nft refused was partial').toBe(false);
    expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the table after the refused transaction').toBe(before);
    expect(replies(await fx.probe(fx.client.netns, CLUSTER_IP, 80, 2)), 'traffic while the old rules stay in force').toEqual(['pod-0', 'pod-0']);
    step();
    expect(applied.at(-1)?.full, "the proxier's retry is a full sync").toBe(true);
    expect(backend.stats(), 'transactions: two full, one refused').toEqual({ full: 2, partial: 0, failed: 1 });
    expect(replies(await fx.probe(fx.client.netns, CLUSTER_IP, 80, 2)), 'traffic after the repairing sync').toEqual(['pod-1', 'pod-1']);
    expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the table after the repairing sync').toContain('set cluster-ips');
    backend.remove();
  }, 120_000);

  describe('the component against an apiserver', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster();
    }, 60_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    test('startKernelProxy programs a Service created through the API, follows its slice, and stop() removes the table', async () => {
      const kp = await startKernelProxy(cluster.client, { netns: fx.node, nodeName: 'node-1', clusterCIDR: fx.podCIDR, minSyncPeriodMs: 100 });
      try {
        const svc = await cluster.client.create<Service>('services', { ...web('ClusterIP'), spec: { ...web('ClusterIP').spec, clusterIP: undefined } }, { namespace: 'default' });
        // The apiserver allocates ClusterIPs in 127.96.0.0/16 (SERVICE_CLUSTER_IP_RANGE, loopback
        // mode's range). A pod or client namespace would keep such an address on its own loopback, so
        // the probe runs in the node's namespace, whose output hook DNATs it (nat-output); the
        // packet leaves with source 127.0.0.1 until it is masqueraded, which the kernel allows only
        // with route_localnet (as kube-proxy's iptables mode sets it for localhost node ports).
        execFileSync('ip', ['netns', 'exec', fx.node, 'sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1']);
        const ip = svc.spec!.clusterIP!;
        const sl = await cluster.client.create<EndpointSlice>('endpointslices', podsSlice(3), { namespace: 'default' });
        await kp.ready;
        const until = async (what: string, ok: (r: string[]) => boolean) => {
          const deadline = Date.now() + 30_000;
          let last: string[] = [];
          while (Date.now() < deadline) {
            last = replies(await fx.probe(fx.node, ip, 80, 12, 2_000));
            if (ok(last)) return last;
            await new Promise((r) => setTimeout(r, 200));
          }
          throw new Error(`waited 30 s for ${what}; last replies: ${last.join(', ')}`);
        };
        await until(`${ip}:80 to reach all three pods`, (r) => new Set(r).size === 3);
        await cluster.client.update<EndpointSlice>('endpointslices', { ...sl, endpoints: [ep(fx.pods[1]!.ip, { node: 'node-1' })] }, { namespace: 'default' });
        await until(`${ip}:80 to reach only pod-1 after the slice update`, (r) => r.every((x) => x === 'pod-1'));
        expect(kp.stats().failures, 'syncs that failed').toBe(0);
      } finally {
        await kp.stop();
      }
      expect(nftListTable(fx.node, 'ip', 'kubelings-proxy'), 'the table after stop()').toBeUndefined();
    }, 120_000);
  });

  test('nothing is left: no namespace, link or table of this test, on the host or anywhere', async () => {
    await fx.destroy();
    expect(fx.leftovers(), 'namespaces and host links left').toEqual([]);
    expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), "the host's nftables tables").toBe(hostTablesBefore);
    expect(() => nftApply(fx.node, 'list tables\n'), 'the node namespace is gone').toThrow();
  }, 60_000);
});
