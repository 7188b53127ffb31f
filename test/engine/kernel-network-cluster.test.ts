/**
 * Kernel mode end to end, as a person runs it (root, Linux, ip, nft, nsenter; kubectl for the
 * kubectl steps): `cluster up --network kernel --nodes 2` in a temporary project says which mode
 * runs; a kubelings/echo pod on each node gets an address of its node's spec.podCIDR (10.244.i.0/24,
 * inside the cluster's namespaces only); readiness (httpGet) and liveness (httpGet, tcpSocket)
 * probes pass through the node's relay; a busybox pod on node-0 reaches the echo pod of node-1
 * with wget (`kubectl exec`, routed node to node); `kubectl port-forward` and `ip netns exec
 * <node> curl` reach a pod; `cluster down` removes every namespace of the cluster, starts no link
 * or nftables table in the machine's own namespace, and leaves no relay. Then the worst case: the
 * daemon and every component killed with SIGKILL, and `cluster down` still leaves nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { autoNetworkMode, clusterTag, listProjectNetns, NETNS_PREFIX, nodeNetnsName, removeClusterNetworks } from '#engine/cni/netns-layout.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { leftoverComponents } from '#engine/cluster/supervisor.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import { isLive } from '#engine/cri/procfs.ts';
import type { Node, Pod } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlWith } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';
import { expectMachineAsBefore, helperPids, machineSnapshot, sh } from './kernel-harness.ts';

const KERNEL = autoNetworkMode();
const home = tempDir('kubelings-kernel-home-');
// The cluster's tag is the hash of its state folder, as the daemon's clusterPaths() resolves it.
const tag = clusterTag(clusterPaths(home).home);
const relays = () => helperPids(home, /netns-relay/);

afterAll(async () => {
  if (KERNEL.mode !== 'kernel') return;
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
  await removeClusterNetworks(tag);
});

function clientFor(): KubeClient {
  const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
  return new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'kernel-network-test' });
}

const echoPod = (name: string, nodeName: string, liveness: 'httpGet' | 'tcpSocket'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName,
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: 'echo',
        image: 'kubelings/echo',
        ports: [{ containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 },
        // Generous: a probe failing while a loaded machine starts the server must not restart it.
        livenessProbe: { ...(liveness === 'httpGet' ? { httpGet: { path: '/live', port: 8080 } } : { tcpSocket: { port: 8080 } }), periodSeconds: 2, failureThreshold: 30 },
      },
    ],
  },
});

async function readyPod(client: KubeClient, name: string): Promise<Pod> {
  return waitFor(
    `pod ${name} to be Ready (its readiness probe passing through the node's relay)`,
    async () => {
      const pod = await client.get<Pod>('pods', name, { namespace: 'default' });
      return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pod : undefined;
    },
    120_000,
  );
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const n = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return n(ip) >= n(net!) && n(ip) < n(net!) + size;
}

describe.skipIf(KERNEL.mode !== 'kernel')(`kernel mode under cluster up${KERNEL.mode === 'kernel' ? '' : ` (skipped: ${KERNEL.reason})`}`, { timeout: 600_000 }, () => {
  test('two nodes: pod addresses from each podCIDR, probes, pod to pod across nodes, port-forward, and nothing left after cluster down', async () => {
    const before = machineSnapshot();
    const up = kubelings(['cluster', 'up', '--port', '0', '--network', 'kernel', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toContain('Pod network: kernel mode, asked for with --network kernel.');
    expect(up.out).toContain(`ip netns exec ${nodeNetnsName(tag, 0)} curl http://<pod IP>:<port>/`);
    const status = kubelings(['cluster', 'status'], { home });
    expect(status.out).toContain(`Pod network: kernel mode (network namespaces ${NETNS_PREFIX}${tag}-*`);

    const client = clientFor();
    try {
      await client.create<Pod>('pods', echoPod('echo-0', 'node-0', 'httpGet'));
      await client.create<Pod>('pods', echoPod('echo-1', 'node-1', 'tcpSocket'));
      await client.create<Pod>('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client', namespace: 'default' },
        spec: { nodeName: 'node-0', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] },
      });
      const pods = [await readyPod(client, 'echo-0'), await readyPod(client, 'echo-1'), await readyPod(client, 'client')];
      for (const pod of pods) {
        const node = await client.get<Node>('nodes', pod.spec.nodeName!);
        expect(node.spec?.podCIDR).toMatch(/^10\.244\.[01]\.0\/24$/);
        expect(inCidr(pod.status!.podIP!, node.spec!.podCIDR!), `${pod.metadata.name}'s ${pod.status!.podIP} in ${node.spec!.podCIDR}`).toBe(true);
        expect(pod.status?.containerStatuses?.[0]?.restartCount, `${pod.metadata.name} restarts (liveness probes passing)`).toBe(0);
      }
      const target = pods[1]!.status!.podIP!;

      // From a shell, as the README says: inside node-1's namespace (and from node-0's, routed).
      for (const node of [1, 0]) {
        const answer = JSON.parse(sh('ip', ['netns', 'exec', nodeNetnsName(tag, node), 'curl', '-s', '-m', '10', `http://${target}:8080/from-node-${node}`])) as {
          pod: { name: string };
          request: { path: string };
        };
        expect([answer.pod.name, answer.request.path]).toEqual(['echo-1', `/from-node-${node}`]);
      }
      // The machine's own namespace has no route of the pod network, and does not reach the pod
      // (whatever its default route leads to, the echo pod does not answer there).
      expect(
        sh('ip', ['-4', 'route', 'show'])
          .split('\n')
          .filter((r) => r.startsWith('10.244.') || r.startsWith('10.250.')),
      ).toEqual([]);
      let fromMachine = '';
      try {
        fromMachine = sh('curl', ['-s', '-m', '3', '--noproxy', '*', `http://${target}:8080/`]);
      } catch {
        // no answer at all
      }
      expect(fromMachine).not.toContain('"echo-1"');

      if (HAS_KUBECTL) {
        const kubectl = kubectlWith(join(home, 'kubeconfig'));
        try {
          const wget = await kubectl.run(['exec', 'client', '--', 'wget', '-qO-', '-T', '10', `http://${target}:8080/from-client`]);
          expect(wget.code, wget.output).toBe(0);
          const answer = JSON.parse(wget.stdout) as { pod: { name: string }; request: { remoteAddress: string } };
          expect(answer.pod.name).toBe('echo-1');
          expect(answer.request.remoteAddress, 'routed without NAT: the client pod is the source').toBe(pods[2]!.status!.podIP);

          const forward = kubectl.start(['port-forward', 'pod/echo-1', ':8080']);
          const printed = await forward.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/, 60_000);
          const port = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(printed)![1];
          const viaForward = JSON.parse(sh('curl', ['-s', '-m', '20', `http://127.0.0.1:${port}/via-port-forward`])) as { pod: { name: string }; request: { path: string } };
          expect([viaForward.pod.name, viaForward.request.path]).toEqual(['echo-1', '/via-port-forward']);
          forward.child.kill();
        } finally {
          kubectl.cleanup();
        }
      } else console.warn('kubectl is not installed: skipping kubectl exec and port-forward in kernel mode');
    } finally {
      client.close();
    }
    expect(relays().length, 'one relay per node while up').toBe(2);

    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    await expectMachineAsBefore(tag, before);
    expect(relays(), 'relays left').toEqual([]);
  });

  test('after SIGKILL of the daemon and of every component, cluster down still removes every namespace of the cluster', async () => {
    const up = kubelings(['cluster', 'up', '--port', '0', '--network', 'kernel', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    const client = clientFor();
    try {
      await client.delete('pods', 'echo-0', { namespace: 'default' }).catch(() => undefined);
      await readyPod(client, 'echo-1');
    } finally {
      client.close();
    }
    // echo-1 may still read Ready from before the last cluster down while its new sandbox is being made.
    await waitFor('namespaces while up: underlay, 2 nodes and a pod sandbox', async () => (await listProjectNetns(`${NETNS_PREFIX}${tag}-`)).length >= 4);
    const paths = clusterPaths(home);
    const components = leftoverComponents(paths.componentsFile, paths.dataDir);
    const daemon = Number(readFileSync(paths.pidFile, 'utf8').trim().split(/\s+/)[0]);
    for (const pid of [daemon, ...components]) process.kill(pid, 'SIGKILL');
    await waitFor('the daemon and the components to be gone', () => [daemon, ...components].every((p) => !isLive(p)));
    expect((await listProjectNetns(`${NETNS_PREFIX}${tag}-`)).length, 'namespaces no killed kubelet could remove').toBeGreaterThanOrEqual(4);
    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    expect(await listProjectNetns(`${NETNS_PREFIX}${tag}-`), 'namespaces left after kill -9 and cluster down').toEqual([]);
    await waitFor('the relays to end with their kubelets (their stdin closed)', () => relays().length === 0);
  });
});
