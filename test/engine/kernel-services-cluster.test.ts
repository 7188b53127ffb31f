/**
 * Services in kernel mode, end to end, as a person runs them (root, Linux, ip, nft, nsenter,
 * curl; the real kubectl for exec and get): `cluster up --network kernel --nodes 2` runs one
 * nftables kube-proxy per node inside the node's namespace. On it, three kubelings/echo pods behind
 * a ClusterIP Service (in 10.96.0.0/16, kubeadm's range, not loopback's 127.96.0.0/16):
 * - from a busybox pod, repeated wget to the ClusterIP reaches all three pods (echo answers with
 *   its pod's name);
 * - a NodePort answers on both nodes' eth0 (10.250.0.10 and .11) from the underlay namespace;
 * - a LoadBalancer's EXTERNAL-IP (127.112.x.y) answers `curl` from the machine;
 * - a pod reaches itself through its own Service (hairpin on the bridge port, masqueraded: the
 *   echo pod sees the node's gateway as the client, as upstream's hairpin masquerade does);
 * - scaled to 0, the ClusterIP refuses connections at once (kube-proxy's reject for a Service
 *   without endpoints, upstream pkg/proxy/nftables/proxier.go's no-endpoint-services map);
 * - `cluster down` leaves no namespace, link, nftables table or relay of the cluster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { autoNetworkMode, clusterTag, removeClusterNetworks, underlayNetnsName } from '#engine/cni/netns-layout.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import type { EndpointSlice, Pod, Service } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlWith, type Kubectl } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';
import { expectMachineAsBefore, helperPids, machineSnapshot, sh } from './kernel-harness.ts';

const KERNEL = autoNetworkMode();
const HAS_CURL = (() => {
  try {
    sh('curl', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
const SKIP = KERNEL.mode !== 'kernel' ? KERNEL.reason : !HAS_KUBECTL ? 'kubectl is not installed' : !HAS_CURL ? 'curl is not installed (apt-get install curl)' : undefined;

const home = tempDir('kubelings-kernel-svc-home-');
const tag = clusterTag(clusterPaths(home).home);
const relays = () => helperPids(home, /netns-relay/);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  if (SKIP) return;
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
  await removeClusterNetworks(tag);
});

function clientFor(): KubeClient {
  const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
  return new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'kernel-services-test' });
}

const service = (name: string, type: 'ClusterIP' | 'NodePort' | 'LoadBalancer', port: number): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type, selector: { app: 'echo' }, ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }] },
});

/** The pod name an echo answer carries, or the error wget printed. */
function echoName(output: string): string {
  try {
    return (JSON.parse(output) as { pod: { name: string } }).pod.name;
  } catch {
    return `no echo answer: ${output.trim().slice(0, 200)}`;
  }
}

async function execWget(kubectl: Kubectl, pod: string, url: string): Promise<{ code: number; output: string; stdout: string }> {
  return kubectl.run(['exec', pod, '--', 'wget', '-qO-', '-T', '20', url]);
}

async function readyEchoPods(client: KubeClient, n: number): Promise<Pod[]> {
  return waitFor(
    `${n} echo pods to be Ready`,
    async () => {
      const pods = (await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=echo' })).items;
      const ready = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      if (ready.length !== n || pods.length !== n) return (await sleep(500), undefined);
      return ready;
    },
    180_000,
  );
}

async function readyEndpoints(client: KubeClient, serviceName: string): Promise<number> {
  const slices = (await client.list<EndpointSlice>('endpointslices', { namespace: 'default', labelSelector: `kubernetes.io/service-name=${serviceName}` })).items;
  return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
}

describe.skipIf(SKIP !== undefined)(`Services in kernel mode under cluster up${SKIP ? ` (skipped: ${SKIP})` : ''}`, { timeout: 900_000 }, () => {
  test('ClusterIP spreads over three echo pods, NodePort on both nodes, LoadBalancer from the machine, hairpin, reject at zero, nothing left after cluster down', async () => {
    const before = machineSnapshot();
    const up = kubelings(['cluster', 'up', '--port', '0', '--network', 'kernel', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toMatch(/kube-proxy-node-0 +nftables in node-0's network namespace \(kernel mode\)/);
    expect(up.out).toMatch(/kube-proxy-node-1 +nftables in node-1's network namespace \(kernel mode\)/);
    expect(up.out, 'how to reach a NodePort, as cluster up tells it').toContain(`a NodePort on every node's eth0: ip netns exec ${underlayNetnsName(tag)} curl http://10.250.0.10:<nodePort>/`);

    const client = clientFor();
    const kubectl = kubectlWith(join(home, 'kubeconfig'));
    try {
      const kubernetes = await client.get<Service>('services', 'kubernetes', { namespace: 'default' });
      expect(kubernetes.spec?.clusterIP, "the kubernetes Service: the kernel range's first address").toBe('10.96.0.1');

      const created = await kubectl.run(['create', 'deployment', 'echo', '--image=kubelings/echo', '--replicas=3', '--port=8080']);
      expect(created.code, created.output).toBe(0);
      await client.create<Pod>('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client', namespace: 'default' },
        spec: { nodeName: 'node-0', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] },
      });
      const clusterIP = (await client.create<Service>('services', service('echo', 'ClusterIP', 80))).spec!.clusterIP!;
      const nodePort = (await client.create<Service>('services', service('echo-np', 'NodePort', 80))).spec!.ports![0]!.nodePort!;
      await client.create<Service>('services', service('echo-lb', 'LoadBalancer', 8081));
      expect(clusterIP, 'a ClusterIP of the kernel range, 10.96.0.0/16').toMatch(/^10\.96\.\d+\.\d+$/);

      const pods = await readyEchoPods(client, 3);
      const names = pods.map((p) => p.metadata.name!).sort();
      await waitFor(
        'the busybox client to run',
        async () => ((await client.get<Pod>('pods', 'client', { namespace: 'default' })).status?.phase === 'Running' ? true : (await sleep(500), undefined)),
        120_000,
      );
      await waitFor('the echo Service to have 3 ready endpoints', async () => ((await readyEndpoints(client, 'echo')) === 3 ? true : (await sleep(500), undefined)), 120_000);

      // ClusterIP from a pod: every one of the three answers (kube-proxy picks at random; 60 tries
      // miss one of three with odds (2/3)^60, about 3e-11).
      const seen = new Set<string>();
      const answers: string[] = [];
      for (let i = 0; i < 60 && seen.size < 3; i++) {
        const r = await execWget(kubectl, 'client', `http://${clusterIP}/`);
        const name = echoName(r.stdout || r.output);
        answers.push(name);
        if (names.includes(name)) seen.add(name);
        else await sleep(500); // kube-proxy's first sync may still be on its way
      }
      expect([...seen].sort(), `pods that answered on ${clusterIP}:80 (answers: ${answers.join(', ')})`).toEqual(names);

      // NodePort on both nodes' eth0, from the underlay (a host on the nodes' LAN). echo-np is a
      // Service of its own, with its own EndpointSlice: kube-proxy may program it a sync after echo.
      const curlNodePort = (nodeIp: string) => {
        try {
          return echoName(sh('ip', ['netns', 'exec', underlayNetnsName(tag), 'curl', '-s', '-S', '-m', '20', `http://${nodeIp}:${nodePort}/`]));
        } catch (error) {
          return `curl failed: ${(error as Error).message.trim().slice(0, 300)}`;
        }
      };
      for (const nodeIp of ['10.250.0.10', '10.250.0.11']) {
        let name = '';
        await waitFor(
          `${nodeIp}:${nodePort} to answer from an echo pod (echo-np's endpoints in the node's rules)`,
          async () => names.includes((name = curlNodePort(nodeIp))) || (await sleep(500), undefined),
          120_000,
        ).catch((error: Error) => {
          throw new Error(`${error.message}; last answer: ${name}`);
        });
        expect(names, `the pod that answered on ${nodeIp}:${nodePort}`).toContain(name);
      }

      // LoadBalancer: the EXTERNAL-IP kubectl shows answers curl from the machine.
      const external = await waitFor(
        'kubectl get service echo-lb to show an EXTERNAL-IP',
        async () => {
          const r = await kubectl.run(['get', 'service', 'echo-lb', '--no-headers']);
          const ip = /\s(127\.112\.\d+\.\d+)\s/.exec(r.stdout)?.[1];
          return ip ?? (await sleep(500), undefined);
        },
        120_000,
      );
      // The address is written once the load balancer listens; it forwards to echo-lb's NodePort,
      // which kube-proxy may program a sync later (its own EndpointSlice): wait for a first answer.
      const curlLoadBalancer = () => {
        try {
          return echoName(sh('curl', ['-s', '-S', '-m', '20', '--noproxy', '*', `http://${external}:8081/`]));
        } catch (error) {
          return `curl failed: ${(error as Error).message.trim().slice(0, 300)}`;
        }
      };
      let first = '';
      await waitFor(
        `the load balancer ${external}:8081 to answer from an echo pod (echo-lb's NodePort in the nodes' rules)`,
        async () => names.includes((first = curlLoadBalancer())) || (await sleep(500), undefined),
        120_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; last answer: ${first}`);
      });
      for (let i = 0; i < 3; i++) {
        const name = echoName(sh('curl', ['-s', '-m', '20', '--noproxy', '*', `http://${external}:8081/`]));
        expect(names, `the pod that answered on the load balancer ${external}:8081`).toContain(name);
      }

      // Hairpin: with one pod left, the pod reaches itself through its own Service.
      expect((await kubectl.run(['scale', 'deployment', 'echo', '--replicas=1'])).code).toBe(0);
      const [last] = await readyEchoPods(client, 1);
      await waitFor('the echo Service to have 1 endpoint', async () => ((await readyEndpoints(client, 'echo')) === 1 ? true : (await sleep(500), undefined)), 120_000);
      const self = await waitFor(
        `${last!.metadata.name} to reach itself through ${clusterIP}`,
        async () => {
          const r = await execWget(kubectl, last!.metadata.name!, `http://${clusterIP}/`);
          try {
            return JSON.parse(r.stdout) as { pod: { name: string; ip: string }; request: { remoteAddress: string } };
          } catch {
            return (await sleep(1000), undefined);
          }
        },
        120_000,
      );
      expect(self.pod.name, 'a pod through its own Service lands on itself').toBe(last!.metadata.name);
      expect(self.request.remoteAddress, 'hairpin traffic is masqueraded (else the reply would never leave the pod)').not.toBe(self.pod.ip);

      // Scaled to zero: the ClusterIP refuses at once (wget's -T 20 would say "timed out" instead).
      expect((await kubectl.run(['scale', 'deployment', 'echo', '--replicas=0'])).code).toBe(0);
      await waitFor('the echo Service to have no endpoint', async () => ((await readyEndpoints(client, 'echo')) === 0 ? true : (await sleep(500), undefined)), 120_000);
      const refused = await waitFor(
        `a connection to ${clusterIP}:80 to be refused`,
        async () => {
          const r = await execWget(kubectl, 'client', `http://${clusterIP}/`);
          return /refused/i.test(r.output) ? r : (await sleep(1000), undefined);
        },
        120_000,
      );
      expect(refused.code, refused.output).not.toBe(0);
      expect(refused.output).toMatch(/Connection refused/);
    } finally {
      kubectl.cleanup();
      client.close();
    }

    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    await expectMachineAsBefore(tag, before);
    await waitFor("the relays (the kubelets' and the load balancers') to end", () => relays().length === 0);
  });
});
