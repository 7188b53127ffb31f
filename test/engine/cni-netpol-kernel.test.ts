/**
 * NetworkPolicy enforced in kernel mode (engine/cni/netpol-kernel.ts): the cni component's
 * compilePolicies (the learner's where it passes, else the reference) loaded as table inet
 * kubelings-netpol in the node namespace of a small network this test builds (three pods on a
 * bridge, echo servers on 8080 and 9090; test/support/netns-fixture.ts), with bridged traffic
 * passed to the inet forward hook (br_netfilter). Seen from the pods: default allow; a deny-all
 * ingress blocks pod to pod; an allow (podSelector + port) opens that port for that peer only, and
 * its replies come back although the client is isolated for ingress too (established traffic
 * passes); an egress policy blocks what it does not allow; both ends must agree. Then the enforcer
 * component following policies and pods through an apiserver, loading its table again when it
 * went away (deleted by hand), and stop() removing the table.
 * Semantics as upstream's e2e netpol tests (test/e2e/network/netpol/network_policy.go). Root only;
 * nothing is left and the test asserts so.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import type { NetworkPolicy, PolicyEndpoint } from '#engine/cni/exercises.ts';
import { applyNetworkPolicyRules, removeNetworkPolicyRules, startNetpolEnforcer } from '#engine/cni/netpol-kernel.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { nftListTable } from '#engine/proxy/kernel/nft.ts';
import { createNetnsFixture, kernelFixtureSupport, type NetnsFixture } from '../support/netns-fixture.ts';

const support = kernelFixtureSupport();
const why = support.ok ? '' : ` (skipped: ${support.why})`;
if (!support.ok) console.log(`kernel-mode NetworkPolicy tests skipped: ${support.why}`);
const cni = await loadComponent('cni');

// A blocked connection is dropped, so it times out: after this it reads 'blocked'.
const BLOCKED_AFTER_MS = 1_500;
// A probe that must be answered waits longer: on a loaded machine the pod's server (another
// process) may answer after more than BLOCKED_AFTER_MS, and a dropped connection still reads
// 'blocked', after this.
const ANSWERED_WITHIN_MS = 20_000;
const LABELS: Record<string, string>[] = [{ role: 'client' }, { app: 'web' }, { app: 'other' }];
let fx: NetnsFixture;
let hostTablesBefore = '';

const policy = (name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: { name, namespace: 'default' }, spec });
const DENY_ALL_INGRESS = policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
const ALLOW_CLIENT_TO_WEB_8080 = policy('allow-client', {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
});
const CLIENT_EGRESS_ONLY_WEB = policy('client-egress', {
  podSelector: { matchLabels: { role: 'client' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
});

describe.skipIf(!support.ok)(`NetworkPolicy in nftables, in a node namespace${why}`, () => {
  const pods = (): Extract<PolicyEndpoint, { kind: 'pod' }>[] => fx.pods.map((p, i) => ({ kind: 'pod', namespace: 'default', name: p.name, labels: LABELS[i]!, ip: p.ip }));
  const enforce = (policies: NetworkPolicy[]) => applyNetworkPolicyRules(fx.node, cni.compilePolicies({ policies, namespaces: { default: {} } }, pods()));
  /** Whether pod `from` reaches pod `to` on `port`: its answer, or 'blocked' when the connection times out (after `timeoutMs`). */
  const reach = async (from: number, to: number, port = 8080, timeoutMs = BLOCKED_AFTER_MS) => {
    const [r] = await fx.probe(fx.pods[from]!.netns, fx.pods[to]!.ip, port, 1, timeoutMs);
    return 'reply' in r! ? r.reply : r!.error === 'ETIMEDOUT' ? 'blocked' : `error ${r!.error}`;
  };
  /** reach() where the answer is expected (a single probe, not a wait). */
  const answer = (from: number, to: number, port = 8080) => reach(from, to, port, ANSWERED_WITHIN_MS);

  beforeAll(async () => {
    hostTablesBefore = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
    fx = await createNetnsFixture('np', 3, [8080, 9090]);
  }, 120_000);
  afterAll(async () => {
    await fx?.destroy();
  });

  test('default allow; deny-all ingress blocks pod to pod; an allow opens one port for one peer, and replies come back', async () => {
    enforce([]);
    expect([await answer(0, 1), await answer(2, 1, 9090)], 'no policy: everything reaches everything').toEqual(['pod-1', 'pod-1']);

    enforce([DENY_ALL_INGRESS]);
    expect(nftListTable(fx.node, 'inet', 'kubelings-netpol'), 'the table in the node namespace').toContain('chain ingress-10-199-0-11');
    expect([await reach(0, 1), await reach(2, 1), await reach(1, 0)], 'deny-all ingress in default').toEqual(['blocked', 'blocked', 'blocked']);

    // pod-0 is isolated for ingress as well: its replies from pod-1 pass only as established traffic.
    enforce([DENY_ALL_INGRESS, ALLOW_CLIENT_TO_WEB_8080]);
    expect(await answer(0, 1), 'the client to web:8080 (allowed; the reply to the isolated client comes back)').toBe('pod-1');
    expect(await reach(0, 1, 9090), 'the client to web:9090 (not the allowed port)').toBe('blocked');
    expect(await reach(2, 1), 'another pod to web:8080 (not the allowed peer)').toBe('blocked');
  }, 120_000);

  test('an egress policy blocks what it does not allow, and both ends must agree', async () => {
    enforce([CLIENT_EGRESS_ONLY_WEB]);
    expect(await answer(0, 1), 'the client to web:8080 (egress allows it)').toBe('pod-1');
    expect(await reach(0, 2), 'the client to other:8080 (egress does not allow it)').toBe('blocked');
    expect(await reach(0, 1, 9090), 'the client to web:9090 (egress allows only 8080)').toBe('blocked');
    expect(await answer(2, 1), 'other to web (no policy selects them)').toBe('pod-1');

    // Egress allows client→web:8080, but web's ingress allows nobody: the destination's no wins.
    enforce([CLIENT_EGRESS_ONLY_WEB, policy('web-closed', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })]);
    expect(await reach(0, 1), "the client to web:8080 (its egress allows, web's ingress denies)").toBe('blocked');
    // And the other way round: web's ingress allows the client, the client's egress does not allow 9090.
    enforce([CLIENT_EGRESS_ONLY_WEB, policy('web-open', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] })]);
    expect(await reach(0, 1, 9090), "the client to web:9090 (web's ingress allows, its egress denies)").toBe('blocked');
    expect(removeNetworkPolicyRules(fx.node), 'the table was there to remove').toBe(true);
    expect(await answer(0, 2), 'after the table is removed').toBe('pod-2');
  }, 120_000);

  describe('the enforcer against an apiserver', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster();
    }, 60_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    test('startNetpolEnforcer follows the pods and policies of the cluster, and stop() removes its table', async () => {
      const client = cluster.client;
      for (const [i, p] of fx.pods.entries()) {
        const made = await client.create<Pod>(
          'pods',
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: 'default', labels: LABELS[i] }, spec: { nodeName: 'node-1', containers: [{ name: 'echo', image: 'kubelings/echo' }] } },
          { namespace: 'default' },
        );
        await client.updateStatus<Pod>('pods', { ...made, status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] } }, { namespace: 'default' });
      }
      // A status.podIP that is not an address: the apiserver refuses it (422, as upstream's
      // validatePodIPs), so it is written straight into the store, as a store another apiserver
      // wrote, or one written before that validation, would hold it: left out, never nft text.
      const evil = await client.create<Pod>(
        'pods',
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'evil', namespace: 'default', labels: { app: 'web' } },
          spec: { nodeName: 'node-1', containers: [{ name: 'echo', image: 'kubelings/echo' }] },
        },
        { namespace: 'default' },
      );
      const refused = await client.updateStatus<Pod>('pods', { ...evil, status: { phase: 'Running', podIP: '10.199.0.11 accept' } }, { namespace: 'default' }).then(
        () => 'stored',
        (error: Error) => error.message,
      );
      expect(refused, 'the apiserver refuses a podIP that is not an address').toMatch(/status\.podIPs\[0\]: Invalid value: "10\.199\.0\.11 accept": must be a valid IP address/);
      const stored = { ...evil, metadata: { ...evil.metadata, resourceVersion: undefined }, status: { phase: 'Running', podIP: '10.199.0.11 accept' } };
      await cluster.store.put('/registry/pods/default/evil', JSON.stringify(stored));
      const enforcer = await startNetpolEnforcer(client, { netns: fx.node, nodeName: 'node-1' });
      try {
        await enforcer.ready;
        expect(await answer(0, 1), 'no policy yet').toBe('pod-1');
        const created = (p: NetworkPolicy) =>
          client.create<KubeObject>('networkpolicies', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...p } as unknown as KubeObject, { namespace: 'default' });
        await created(DENY_ALL_INGRESS);
        const until = async (what: string, ok: () => Promise<boolean>) => {
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            if (await ok()) return;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`waited 60 s for ${what}`);
        };
        await until('the deny-all policy to block pod-0 → pod-1', async () => (await reach(0, 1)) === 'blocked');
        await created(ALLOW_CLIENT_TO_WEB_8080);
        await until('the allow policy to open pod-0 → pod-1:8080', async () => (await reach(0, 1)) === 'pod-1');
        expect(await reach(2, 1), 'pod-2 → pod-1 (not allowed)').toBe('blocked');
        // A table that goes away without a change of policy (flushed by hand, or the node's namespace
        // made anew by a restarted kubelet) is loaded again: the periodic check sees it gone.
        // The enforcer checks every NETPOL_TABLE_CHECK_MS, at a moment the test does not choose: a probe
        // counts only when the enforcer loaded nothing from the deletion to the answer (the table was
        // gone all along); else the table is deleted again and the probe sent again.
        let whileGone: string | undefined;
        for (const deadline = Date.now() + 60_000; whileGone === undefined && Date.now() < deadline;) {
          execFileSync('ip', ['netns', 'exec', fx.node, 'nft', 'delete', 'table', 'inet', 'kubelings-netpol']);
          const loads = enforcer.stats().loads;
          const got = await answer(2, 1);
          if (enforcer.stats().loads === loads) whileGone = got;
          else await until('the enforcer to load its table again', async () => nftListTable(fx.node, 'inet', 'kubelings-netpol') !== undefined);
        }
        expect(whileGone, 'pod-2 → pod-1 with the table gone').toBe('pod-1');
        await until('the enforcer to load its table again', async () => (await reach(2, 1)) === 'blocked');
        expect(await answer(0, 1), 'the allow is back too').toBe('pod-1');
        expect(enforcer.stats().failures, 'syncs that failed').toBe(0);
        expect(
          enforcer.current().map((r) => r.podIp),
          'the pod with a malformed podIP is left out',
        ).not.toContain('10.199.0.11 accept');
      } finally {
        await enforcer.stop();
      }
      expect(nftListTable(fx.node, 'inet', 'kubelings-netpol'), 'the table after stop()').toBeUndefined();
    }, 120_000);
  });

  test('nothing is left: no namespace, link or table of this test', async () => {
    await fx.destroy();
    expect(fx.leftovers(), 'namespaces and host links left').toEqual([]);
    expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), "the host's nftables tables").toBe(hostTablesBefore);
  }, 60_000);
});
