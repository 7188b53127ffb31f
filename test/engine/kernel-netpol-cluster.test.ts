/**
 * NetworkPolicy enforced by `cluster up --network kernel`, end to end (root, Linux, ip, nft,
 * nsenter, br_netfilter; kubectl for the kubectl steps): two real nodes, kubelings/echo pods a0 on
 * node-0 and a1 on node-1, busybox pods b (role=client, node-0: same node as a0, another node than
 * a1) and c (no label, node-1). Each node runs its enforcer component (netpol-enforcer-node-<i>, a
 * process of its own with its own log). Seen from b's own network namespace:
 * - default allow: b reaches a0 and a1 by pod IP;
 * - a deny-all ingress policy in the namespace: b's connections to both time out (dropped, as
 *   upstream's implementations drop), while the node still reaches a1 (the pod is alive: the
 *   failure is the policy's), the table inet kubelings-netpol of each node has the pods' chains,
 *   and `kubectl exec b -- wget` says "download timed out";
 * - an allow (podSelector on b's label, TCP 8080): b reaches both again; c (not selected by the
 *   allow) stays blocked;
 * - policies deleted: everything open again; an egress deny on role=client: b is blocked, c still
 *   reaches a1 (the egress is b's), and deleting it opens b again;
 * - the enforcer killed with SIGKILL: the table stays in force (the kernel holds it) and the
 *   restarted enforcer follows the next change;
 * - `cluster down` leaves no namespace, link, nftables table or relay.
 * Semantics as upstream's e2e test/e2e/network/netpol/network_policy.go ("should support a
 * 'default-deny-ingress' policy", "should enforce policy to allow traffic only from a pod in a
 * different namespace based on PodSelector", "should enforce egress policy ..."), whose probes also
 * count a dropped connection's timeout as blocked.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { autoNetworkMode, clusterTag, listProjectNetns, nodeNetnsName, removeClusterNetworks } from '#engine/cni/netns-layout.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { readComponentsFile } from '#engine/cluster/supervisor.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import { isLive } from '#engine/cri/procfs.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { nftListTable } from '#engine/proxy/kernel/nft.ts';
import { HAS_KUBECTL, kubectlWith } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';
import { expectMachineAsBefore, helperPids, machineSnapshot, sh } from './kernel-harness.ts';

const KERNEL = autoNetworkMode();
const BR_NETFILTER = existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables');
const skip = KERNEL.mode !== 'kernel' ? KERNEL.reason.replace('chosen by auto: ', '') : !BR_NETFILTER ? 'no br_netfilter (modprobe br_netfilter)' : '';
if (skip) console.log(`kernel-mode NetworkPolicy under cluster up skipped: ${skip}`);

const home = tempDir('kubelings-netpol-home-');
const tag = clusterTag(clusterPaths(home).home);
const NS = 'netpol';
// A dropped connection never answers: curl gives up after this, and the probe says 'blocked'.
const CONNECT_TIMEOUT_S = 3;
// A single probe that must be answered gets longer: on a loaded machine an allowed connection
// (ip netns exec, curl, the echo pod's answer) may take more than CONNECT_TIMEOUT_S, and a dropped
// one still reads 'blocked', after this.
const ANSWER_TIMEOUT_S = 20;
// How long a policy change may take to show in the traffic (the enforcer's informers, compile, nft -f) on a loaded machine.
const POLICY_TAKES_MS = 60_000;

const relays = () => helperPids(home, /netns-relay/);

afterAll(async () => {
  if (skip) return;
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
  await removeClusterNetworks(tag);
});

function clientFor(): KubeClient {
  const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
  return new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'kernel-netpol-test' });
}

const echoPod = (name: string, nodeName: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { app: 'a' } },
  spec: {
    nodeName,
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'echo', image: 'kubelings/echo', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 } }],
  },
});
const busyboxPod = (name: string, nodeName: string, labels: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels },
  spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] },
});
const policy = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: NS }, spec }) as KubeObject;

async function readyPod(client: KubeClient, name: string): Promise<Pod> {
  return waitFor(
    `pod ${name} to be Ready`,
    async () => {
      const pod = await client.get<Pod>('pods', name, { namespace: NS });
      return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && pod.status.podIP ? pod : undefined;
    },
    120_000,
  );
}

/** The network namespace of the pod whose address is `podIP` (the runtime's kln-<tag>-n<i>-<id>). */
async function podNetns(node: number, podIP: string): Promise<string> {
  for (const netns of await listProjectNetns(`${nodeNetnsName(tag, node)}-`)) {
    if (sh('ip', ['-n', netns, '-4', '-o', 'addr', 'show']).includes(` ${podIP}/`)) return netns;
  }
  throw new Error(`no namespace of node-${node} has ${podIP}`);
}

/** What `curl http://ip:8080/` from namespace `netns` gets within `timeoutS`: the answering pod's name, 'blocked' (timed out), or the error. */
function reach(netns: string, ip: string, timeoutS = CONNECT_TIMEOUT_S): Promise<string> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', netns, 'curl', '-s', '--noproxy', '*', '-m', String(timeoutS), `http://${ip}:8080/netpol`], { encoding: 'utf8', timeout: 60_000 }, (error, stdout) => {
      if (!error) {
        try {
          return resolve((JSON.parse(stdout) as { pod: { name: string } }).pod.name);
        } catch {
          return resolve(`not echo: ${stdout.slice(0, 100)}`);
        }
      }
      const code = (error as { code?: unknown }).code;
      resolve(code === 28 ? 'blocked' : `curl exit ${String(code)}`);
    });
  });
}

describe.skipIf(skip !== '')(`NetworkPolicy enforced by cluster up in kernel mode${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 900_000 }, () => {
  test('deny-all blocks pod to pod on one node and across nodes, an allow opens it for the selected peer, egress deny blocks the source, and nothing is left after cluster down', async () => {
    const before = machineSnapshot();
    const up = kubelings(['cluster', 'up', '--port', '0', '--network', 'kernel', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    const paths = clusterPaths(home);
    await waitFor(
      'both enforcers to run',
      () => {
        const running = (readComponentsFile(paths.componentsFile)?.components ?? []).filter((c) => c.name.startsWith('netpol-enforcer-node-') && c.phase === 'running');
        return running.length === 2;
      },
      120_000,
    );
    const status = kubelings(['cluster', 'status'], { home });
    expect(status.out).toMatch(/netpol-enforcer-node-0 +NetworkPolicy in nftables for node-0 \(kernel mode\)/);

    const client = clientFor();
    const kubectl = HAS_KUBECTL ? kubectlWith(join(home, 'kubeconfig')) : undefined;
    if (!kubectl) console.warn('kubectl is not installed: skipping the kubectl exec steps of the NetworkPolicy test');
    try {
      await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
      await client.create<Pod>('pods', echoPod('a0', 'node-0'), { namespace: NS });
      await client.create<Pod>('pods', echoPod('a1', 'node-1'), { namespace: NS });
      await client.create<Pod>('pods', busyboxPod('b', 'node-0', { role: 'client' }), { namespace: NS });
      await client.create<Pod>('pods', busyboxPod('c', 'node-1', {}), { namespace: NS });
      const [a0, a1, b, c] = [await readyPod(client, 'a0'), await readyPod(client, 'a1'), await readyPod(client, 'b'), await readyPod(client, 'c')];
      const [ipA0, ipA1] = [a0.status!.podIP!, a1.status!.podIP!];
      const nsB = await podNetns(0, b.status!.podIP!);
      const nsC = await podNetns(1, c.status!.podIP!);
      const fromB = async () => [await reach(nsB, ipA0), await reach(nsB, ipA1)];
      const fromC = () => reach(nsC, ipA1);
      /** c -> a1 where it must answer (a single probe, not a wait): a drop still reads 'blocked'. */
      const fromCAnswered = () => reach(nsC, ipA1, ANSWER_TIMEOUT_S);
      const until = (what: string, probe: () => Promise<string[] | string>, want: string[] | string) =>
        waitFor(what, async () => JSON.stringify(await probe()) === JSON.stringify(want), POLICY_TAKES_MS).catch(async (error: Error) => {
          throw new Error(`${error.message}; last seen ${JSON.stringify(await probe())}`);
        });

      // Default allow: same node (a0) and across nodes (a1).
      await until('b to reach a0 and a1 (no policy yet)', fromB, ['a0', 'a1']);
      expect(await fromCAnswered()).toBe('a1');

      // Deny all ingress in the namespace: dropped, so the connections time out.
      const denied = Date.now();
      await client.create('networkpolicies', policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }), { namespace: NS });
      await until('deny-all to block b -> a0 and b -> a1', fromB, ['blocked', 'blocked']);
      console.log(`deny-all in force (seen from b) ${Date.now() - denied} ms after it was created (probes every few hundred ms)`);
      expect(await fromC(), 'c -> a1 (same node)').toBe('blocked');
      // The failure is the policy's: the pods still answer their node (its own traffic is not forwarded), and each node's table isolates its own pods.
      expect(JSON.parse(sh('ip', ['netns', 'exec', nodeNetnsName(tag, 1), 'curl', '-s', '-m', '10', `http://${ipA1}:8080/`])).pod.name).toBe('a1');
      const table0 = nftListTable(nodeNetnsName(tag, 0), 'inet', 'kubelings-netpol') ?? '';
      const table1 = nftListTable(nodeNetnsName(tag, 1), 'inet', 'kubelings-netpol') ?? '';
      expect(table0).toContain(`ip daddr ${ipA0} jump ingress-${ipA0.replaceAll('.', '-')}`);
      expect(table0, 'node-0 holds the rules of its own pods only').not.toContain(ipA1);
      expect(table1).toContain(`ip daddr ${ipA1} jump ingress-${ipA1.replaceAll('.', '-')}`);
      if (kubectl) {
        const wget = await kubectl.run(['exec', '-n', NS, 'b', '--', 'wget', '-qO-', '-T', String(CONNECT_TIMEOUT_S), `http://${ipA1}:8080/`]);
        expect(wget.code, wget.output).not.toBe(0);
        expect(wget.output).toContain('wget: download timed out');
      }

      // Allow role=client on TCP 8080 to app=a: b is open again, c (not selected) stays blocked.
      await client.create(
        'networkpolicies',
        policy('allow-client', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
        { namespace: NS },
      );
      await until('the allow to open b -> a0 and b -> a1', fromB, ['a0', 'a1']);
      expect(await fromC(), 'c is not role=client').toBe('blocked');
      if (kubectl) {
        const wget = await kubectl.run(['exec', '-n', NS, 'b', '--', 'wget', '-qO-', '-T', String(ANSWER_TIMEOUT_S), `http://${ipA1}:8080/from-b`]);
        expect(wget.code, wget.output).toBe(0);
        expect(JSON.parse(wget.stdout).request.remoteAddress, 'routed without NAT: b is the source the policy matched').toBe(b.status!.podIP);
      }

      // The enforcer killed: the table stays (the kernel holds it); its restart follows the next change.
      const enforcer1 = readComponentsFile(paths.componentsFile)!.components.find((x) => x.name === 'netpol-enforcer-node-1')!;
      process.kill(enforcer1.pid!, 'SIGKILL');
      await waitFor('the killed enforcer to be gone', () => !isLive(enforcer1.pid!));
      expect(await fromC(), 'still blocked with its enforcer dead').toBe('blocked');
      await client.delete('networkpolicies', 'allow-client', { namespace: NS });
      await client.delete('networkpolicies', 'deny-all', { namespace: NS });
      await until('b to reach both again once the policies are deleted (node-1 by its restarted enforcer)', fromB, ['a0', 'a1']);
      await until('c to reach a1 again', fromC, 'a1');

      // Egress deny for role=client: b cannot leave; c still reaches a1, so the drop is b's egress.
      await client.create('networkpolicies', policy('client-egress', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] }), { namespace: NS });
      await until('the egress deny to block b', fromB, ['blocked', 'blocked']);
      expect(await fromCAnswered()).toBe('a1');
      await client.delete('networkpolicies', 'client-egress', { namespace: NS });
      await until('b to reach both again once the egress deny is deleted', fromB, ['a0', 'a1']);
    } finally {
      kubectl?.cleanup();
      client.close();
    }
    expect(readFileSync(join(paths.logsDir, 'netpol-enforcer-node-1.log'), 'utf8')).toContain('loaded table inet kubelings-netpol');

    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    await expectMachineAsBefore(tag, before);
    expect(relays(), 'relays left').toEqual([]);
  });
});
