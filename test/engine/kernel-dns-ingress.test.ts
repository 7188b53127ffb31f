/**
 * Cluster DNS and Ingress in kernel mode, as a person uses them (root, Linux, ip, nft, nsenter,
 * kubectl): `cluster up --network kernel --nodes 2`; a Deployment `web` (two kubelings/echo pods)
 * behind a ClusterIP Service and a headless one; a busybox pod on node-1 whose `nslookup` finds
 * `web` by its short name (search paths), its full name, `kube-dns.kube-system`, and the headless
 * Service as the pods' own addresses; an unknown name fails. Cluster DNS listens inside node-0's
 * namespace, and the EndpointSlice kube-system/kube-dns-node-0 points kube-dns there, as
 * upstream's point at the CoreDNS pods (kube-proxy DNATs the ClusterIP's port 53 to it).
 * Then `wget http://web:8080` from the pod reaches a web pod by name. An Ingress routes two hosts
 * to two Services, `curl -H 'Host: …' http://127.97.0.1:10080/` from this machine, through a
 * node's relay. node-0's kubelet killed and started again makes a new namespace for node-0, and
 * cluster DNS binds again there. `cluster down` leaves no namespace, link, nftables table or helper process.
 *
 * While kernel mode's ClusterIPs are still loopback addresses (127.96.0.0/16: no kube-proxy
 * carries them inside the pod namespaces yet), the pod is told the kube-dns endpoint by hand
 * (its own KUBELINGS_DNS_NAMESERVERS wins over the kubelet's) and fetches through the headless
 * name; once the range is routable, the pod uses the resolver the kubelet gives it, the ClusterIP,
 * and `wget http://web:8080` goes through it. The test says which way it went.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { autoNetworkMode, clusterTag, kernelNodeIp, listProjectNetns, NETNS_PREFIX, nodeNetnsName, removeClusterNetworks } from '#engine/cni/netns-layout.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { readComponentsFile } from '#engine/cluster/supervisor.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import { pidsWithEnv } from '#engine/cri/procfs.ts';
import type { EndpointSlice, Pod, Service } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlWith } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';

const KERNEL = autoNetworkMode();
const why = KERNEL.mode !== 'kernel' ? KERNEL.reason : HAS_KUBECTL ? '' : 'kubectl is not installed';
const home = tempDir('kubelings-kernel-dns-');
const tag = clusterTag(clusterPaths(home).home);
const sh = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8', timeout: 30_000 });
const rootLinks = () =>
  new Set(
    sh('ip', ['-o', 'link', 'show'])
      .split('\n')
      .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
      .filter(Boolean),
  );
const rootTables = () => sh('nft', ['list', 'tables']).trim().split('\n').filter(Boolean);
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
const logTail = (component: string) => {
  try {
    return readFileSync(join(clusterPaths(home).logsDir, `${component}.log`), 'utf8')
      .split('\n')
      .slice(-30)
      .join('\n');
  } catch (error) {
    return (error as Error).message;
  }
};
const helpers = () => pidsWithEnv('KUBELINGS_HOME', home).filter((pid) => /netns-(relay|listener)/.test(cmdline(pid)));

afterAll(async () => {
  if (why) return;
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
  await removeClusterNetworks(tag);
});

const MANIFESTS = (clientEnv: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: echo, image: kubelings/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: alpha, labels: {app: alpha}}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers: [{name: echo, image: kubelings/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: beta, labels: {app: beta}}
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 1
  containers: [{name: echo, image: kubelings/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: alpha}
spec: {selector: {app: alpha}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: beta}
spec: {selector: {app: beta}, ports: [{port: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: two-hosts}
spec:
  rules:
  - host: a.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}]}
  - host: b.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: beta, port: {number: 8080}}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'exec sleep 3600']${clientEnv}
`;

function clientFor(): KubeClient {
  const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
  return new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'kernel-dns-test' });
}

/** The addresses nslookup printed after the Name: line. */
const nslookupAddresses = (out: string) =>
  [
    ...out
      .split(/^Name:/m)
      .slice(1)
      .join('')
      .matchAll(/^Address: (\S+)$/gm),
  ]
    .map((m) => m[1]!)
    .sort();

describe.skipIf(why !== '')(`cluster DNS and Ingress in kernel mode${why ? ` (skipped: ${why})` : ''}`, { timeout: 600_000 }, () => {
  test('a pod finds Services by name (short, full, other namespace, headless), reaches one by name; an Ingress routes two hosts; nothing left after cluster down', async () => {
    const linksBefore = rootLinks();
    const tablesBefore = rootTables();
    const up = kubelings(['cluster', 'up', '--port', '0', '--network', 'kernel', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toContain('Pod network: kernel mode');

    const client = clientFor();
    const kubectl = kubectlWith(join(home, 'kubeconfig'));
    try {
      // cluster DNS points kube-dns at node-0's address once it listens in node-0's namespace
      const slice = await waitFor(
        'cluster DNS to listen in node-0 and write the EndpointSlice kube-system/kube-dns-node-0',
        async () => client.get<EndpointSlice>('endpointslices', 'kube-dns-node-0', { namespace: 'kube-system' }).catch(() => undefined),
        120_000,
      );
      expect(slice.metadata.labels?.['kubernetes.io/service-name']).toBe('kube-dns');
      expect(slice.endpoints.map((e) => e.addresses[0])).toEqual([kernelNodeIp(0)]);
      expect((slice.ports ?? []).map((p) => `${p.name}/${p.protocol}/${p.port}`).sort()).toEqual(['dns-tcp/TCP/53', 'dns/UDP/53']);
      const kubeDns = await client.get<Service>('services', 'kube-dns', { namespace: 'kube-system' });
      const viaClusterIP = !kubeDns.spec?.clusterIP?.startsWith('127.');
      if (!viaClusterIP)
        console.warn(
          `kube-dns's ClusterIP ${kubeDns.spec?.clusterIP} is a loopback address no pod namespace reaches: the client pod is told the endpoint ${kernelNodeIp(0)}:53 instead, and fetches by the headless name`,
        );
      const clientEnv = viaClusterIP ? '' : `\n    env: [{name: KUBELINGS_DNS_NAMESERVERS, value: "${kernelNodeIp(0)}:53"}]`;

      const applied = await kubectl.run(['apply', '-f', '-'], MANIFESTS(clientEnv));
      expect(applied.code, applied.output).toBe(0);
      const ready = await waitFor(
        'the two web pods, alpha, beta and the client to be Ready',
        async () => {
          const pods = (await client.list<Pod>('pods', { namespace: 'default' })).items;
          const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          return pods.length === 5 && pods.every(isReady) ? pods : undefined;
        },
        240_000,
      );
      const webIPs = ready
        .filter((p) => p.metadata.labels?.app === 'web')
        .map((p) => p.status!.podIP!)
        .sort();
      const webService = await client.get<Service>('services', 'web', { namespace: 'default' });

      const exec = (args: string[]) => kubectl.run(['exec', 'client', '--', ...args]);
      const short = await exec(['nslookup', 'web']);
      expect(short.code, short.output).toBe(0);
      expect(short.stdout).toContain('Name:\tweb.default.svc.cluster.local');
      expect(nslookupAddresses(short.stdout)).toEqual([webService.spec!.clusterIP!]);
      if (viaClusterIP) expect(short.stdout).toContain(`Server:\t\t${kubeDns.spec!.clusterIP}`);
      const full = await exec(['nslookup', 'web.default.svc.cluster.local']);
      expect(nslookupAddresses(full.stdout), full.output).toEqual([webService.spec!.clusterIP!]);
      const other = await exec(['nslookup', 'kube-dns.kube-system']);
      expect(nslookupAddresses(other.stdout), other.output).toEqual([kubeDns.spec!.clusterIP!]);
      const headless = await waitFor('the headless Service to list both web pods', async () => {
        const r = await exec(['nslookup', 'web-headless']);
        return JSON.stringify(nslookupAddresses(r.stdout)) === JSON.stringify(webIPs) ? r : undefined;
      });
      expect(nslookupAddresses(headless.stdout)).toEqual(webIPs);
      const unknown = await exec(['nslookup', 'nothing-here']);
      expect(unknown.code, unknown.output).not.toBe(0);
      expect(unknown.output).toMatch(/NXDOMAIN|can't find/);

      const name = viaClusterIP ? 'web' : 'web-headless';
      // kube-proxy rejects a ClusterIP until its EndpointSlice reached the node's rules (a sync after the pods are Ready).
      const fetched = await waitFor(`wget http://${name}:8080 to answer once kube-proxy has the endpoints`, async () => {
        const r = await exec(['wget', '-qO-', '-T', '10', `http://${name}:8080/by-name`]);
        return r.code === 0 || !/Connection refused/.test(r.output) ? r : undefined;
      });
      expect(fetched.code, fetched.output).toBe(0);
      const answer = JSON.parse(fetched.stdout) as { pod: { ip: string }; request: { path: string } };
      expect(answer.request.path).toBe('/by-name');
      expect(webIPs).toContain(answer.pod.ip);

      // the Ingress, from this machine: two hosts, two Services, each on another node
      for (const [host, pod] of [
        ['a.example', 'alpha'],
        ['b.example', 'beta'],
      ] as const) {
        // What the Ingress answered last is in the error, and the controller's log after it.
        const body = await waitFor(
          `the Ingress to route ${host} to ${pod}`,
          () => {
            let out = '';
            try {
              out = sh('curl', ['-s', '-S', '-m', '10', '--noproxy', '*', '-H', `Host: ${host}`, `http://127.97.0.1:10080/via-ingress`]);
            } catch (error) {
              throw new Error(`curl: ${(error as Error).message}`);
            }
            let answer: { pod?: { name: string }; request: { path: string; headers: Record<string, string> } } | undefined;
            try {
              answer = JSON.parse(out) as typeof answer;
            } catch {
              throw new Error(`the Ingress answered ${JSON.stringify(out.slice(0, 300))}`);
            }
            if (answer?.pod?.name !== pod) throw new Error(`answered by ${answer?.pod?.name}`);
            return { ...answer, pod: answer.pod };
          },
          120_000,
        ).catch((error: Error) => {
          throw new Error(`${error.message}\ningress-controller.log ends:\n${logTail('ingress-controller')}`);
        });
        expect([body.pod.name, body.request.path, body.request.headers['x-forwarded-host']]).toEqual([pod, '/via-ingress', host]);
      }
      expect(sh('curl', ['-s', '-m', '10', '--noproxy', '*', '-H', 'Host: c.example', 'http://127.97.0.1:10080/'])).toBe('default backend - 404\n');

      // node-0's kubelet killed: the supervisor starts it again, which makes node-0's namespace
      // anew; cluster DNS notices that its sockets are in the old one and binds in the new one.
      const inode = () => {
        try {
          return statSync(`/run/netns/${nodeNetnsName(tag, 0)}`).ino;
        } catch {
          return undefined;
        }
      };
      const before = inode();
      const kubelet0 = readComponentsFile(clusterPaths(home).componentsFile)?.components.find((c) => c.name === 'kubelet-node-0')?.pid;
      expect(kubelet0, 'the pid of kubelet-node-0 in components.json').toBeGreaterThan(0);
      process.kill(kubelet0!, 'SIGKILL');
      await waitFor("node-0's namespace to be made again by its restarted kubelet", () => inode() !== undefined && inode() !== before, 180_000);
      const again = await waitFor(
        'nslookup web to answer again (cluster DNS bound in the new namespace of node-0)',
        async () => {
          const r = await exec(['nslookup', 'web']);
          return r.code === 0 ? r : undefined;
        },
        180_000,
      );
      expect(nslookupAddresses(again.stdout)).toEqual([webService.spec!.clusterIP!]);
    } finally {
      kubectl.cleanup();
      client.close();
    }

    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    expect(await listProjectNetns(`${NETNS_PREFIX}${tag}-`), 'namespaces left by cluster down').toEqual([]);
    expect(
      [...rootLinks()].filter((l) => !linksBefore.has(l)),
      "links added to the machine's namespace",
    ).toEqual([]);
    expect(
      rootTables().filter((t) => !tablesBefore.includes(t)),
      "nftables tables added to the machine's namespace",
    ).toEqual([]);
    await waitFor('the relays and listener helpers to end', () => helpers().length === 0);
  });
});
