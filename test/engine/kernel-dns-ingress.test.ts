/**
 * Cluster DNS and Ingress in kernel mode, as a person uses them (root, Linux, ip, nft, nsenter,
 * kubectl): `cluster up --network kernel --nodes 2`; a Deployment `web` (two kubelings/echo pods)
 * behind a ClusterIP Service and a headless one; a busybox pod on node-1 whose `nslookup` finds
 * `web` by its short name (search paths), its full name, `kube-dns.kube-system`, and the headless
 * Service as the pods' own addresses; an unknown name fails. Cluster DNS listens inside every
 * node's namespace at the node's address, and the EndpointSlice kube-system/kube-dns-nodes lists
 * one endpoint per node, as upstream's slice lists the CoreDNS pods (two replicas spread over
 * nodes); kube-proxy on node-1 spreads the ClusterIP's port 53 over both.
 * Then `wget http://web:8080` from the pod reaches a web pod by name (which says its namespace).
 * An Ingress routes two hosts to two Services, `curl -H 'Host: …' http://127.97.0.1:10080/` from
 * this machine, through a node's relay.
 *
 * node-0's kubelet killed: the supervisor starts it again, which makes node-0's namespace anew.
 * While a busybox loop on node-1 looks `web` up through the ClusterIP without pause, the test
 * watches the EndpointSlice and node-1's nftables rules. The window is real when node-0's
 * endpoint turns not ready (cluster DNS says its sockets are no longer in node-0's live
 * namespace), node-0's namespace has another inode, and node-1's rules list node-0's address no
 * more; every lookup during the restart must answer, some of them inside that window; then
 * node-0's endpoint is ready again and node-0's own address answers from node-1 at the first try.
 * `cluster down` leaves no namespace, link, nftables table or helper process.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { autoNetworkMode, clusterTag, kernelNodeIp, nodeNetnsName, removeClusterNetworks } from '#engine/cni/netns-layout.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { readComponentsFile } from '#engine/cluster/supervisor.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import type { EndpointSlice, Pod, Service } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlWith } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';
import { expectMachineAsBefore, helperPids, machineSnapshot, sh } from './kernel-harness.ts';

const KERNEL = autoNetworkMode();
const why = KERNEL.mode !== 'kernel' ? KERNEL.reason : HAS_KUBECTL ? '' : 'kubectl is not installed';
const home = tempDir('kubelings-kernel-dns-');
const tag = clusterTag(clusterPaths(home).home);
const run = promisify(execFile);
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
/** node-1's kube-proxy table (its service and endpoint chains name the endpoints' addresses). */
const node1Rules = async () => (await run('ip', ['netns', 'exec', nodeNetnsName(tag, 1), 'nft', 'list', 'table', 'ip', 'kubelings-proxy'], { encoding: 'utf8', timeout: 30_000 })).stdout;
const helpers = () => helperPids(home, /netns-(relay|listener)/);

afterAll(async () => {
  if (why) return;
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
  await removeClusterNetworks(tag);
});

const MANIFESTS = `
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
    command: [sh, -c, 'exec sleep 3600']
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

describe.skipIf(why !== '')(`cluster DNS and Ingress in kernel mode${why ? ` (skipped: ${why})` : ''}`, { timeout: 1_200_000 }, () => {
  test('a pod finds Services by name (short, full, other namespace, headless), reaches one by name; an Ingress routes two hosts; nothing left after cluster down', async () => {
    const before = machineSnapshot();
    const up = kubelings(['cluster', 'up', '--port', '0', '--network', 'kernel', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toContain('Pod network: kernel mode');

    const client = clientFor();
    const kubectl = kubectlWith(join(home, 'kubeconfig'));
    try {
      // cluster DNS points kube-dns at every node's address once it listens in that node's namespace
      const dnsNodes = [
        { addresses: [kernelNodeIp(0)], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-0' },
        { addresses: [kernelNodeIp(1)], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' },
      ];
      const slice = await waitFor(
        'cluster DNS to listen in both nodes and write the EndpointSlice kube-system/kube-dns-nodes with both ready',
        async () => {
          const found = await client.get<EndpointSlice>('endpointslices', 'kube-dns-nodes', { namespace: 'kube-system' }).catch(() => undefined);
          return found && JSON.stringify(found.endpoints) === JSON.stringify(dnsNodes) ? found : undefined;
        },
        120_000,
      );
      expect(slice.metadata.labels?.['kubernetes.io/service-name']).toBe('kube-dns');
      expect((slice.ports ?? []).map((p) => `${p.name}/${p.protocol}/${p.port}`).sort()).toEqual(['dns-tcp/TCP/53', 'dns/UDP/53']);
      const kubeDns = await client.get<Service>('services', 'kube-dns', { namespace: 'kube-system' });
      expect(kubeDns.spec?.clusterIP, "kube-dns's ClusterIP is in kernel mode's range, which pod namespaces reach").toMatch(/^10\.96\./);
      // kube-proxy on node-1 spreads the ClusterIP's port 53 over both nodes
      await waitFor("node-1's kube-proxy rules to send kube-dns to both nodes", async () => {
        const rules = await node1Rules();
        return rules.includes(`dns__${kernelNodeIp(0)}/53`) && rules.includes(`dns__${kernelNodeIp(1)}/53`);
      });

      const applied = await kubectl.run(['apply', '-f', '-'], MANIFESTS);
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
      expect(short.stdout).toContain(`Server:\t\t${kubeDns.spec!.clusterIP}`);
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

      const name = 'web';
      // kube-proxy rejects a ClusterIP until its EndpointSlice reached the node's rules (a sync after the pods are Ready).
      const fetched = await waitFor(`wget http://${name}:8080 to answer once kube-proxy has the endpoints`, async () => {
        const r = await exec(['wget', '-qO-', '-T', '10', `http://${name}:8080/by-name`]);
        return r.code === 0 || !/Connection refused/.test(r.output) ? r : undefined;
      });
      expect(fetched.code, fetched.output).toBe(0);
      const answer = JSON.parse(fetched.stdout) as { pod: { ip: string; namespace: string }; request: { path: string } };
      expect(answer.request.path).toBe('/by-name');
      expect(webIPs).toContain(answer.pod.ip);
      expect(answer.pod.namespace, 'the echo pod says which namespace it runs in').toBe('default');

      // the Ingress, from this machine: two hosts, two Services, each on another node
      for (const [host, pod] of [
        ['a.example', 'alpha'],
        ['b.example', 'beta'],
      ] as const) {
        // What the Ingress answered last is in the error, and the controller's log after it.
        // 127.97.0.1:10080 is machine-wide: another test file's cluster (loopback mode) may hold it,
        // answering its own 404, for as long as that file runs; this cluster's controller takes it
        // once the other lets go, so the wait is that long.
        const body = await waitFor(
          `the Ingress to route ${host} to ${pod}`,
          () => {
            let out = '';
            try {
              out = sh('curl', ['-s', '-S', '-m', '10', '--noproxy', '*', '-H', `Host: ${host}`, `http://127.97.0.1:10080/via-ingress`]);
            } catch (error) {
              throw new Error(`curl: ${(error as Error).message}`);
            }
            let answer: { pod?: { name: string; namespace: string }; request: { path: string; headers: Record<string, string> } } | undefined;
            try {
              answer = JSON.parse(out) as typeof answer;
            } catch {
              throw new Error(`the Ingress answered ${JSON.stringify(out.slice(0, 300))}`);
            }
            if (answer?.pod?.name !== pod) throw new Error(`answered by ${answer?.pod?.name}`);
            return { ...answer, pod: answer.pod };
          },
          360_000,
        ).catch((error: Error) => {
          throw new Error(`${error.message}\ningress-controller.log ends:\n${logTail('ingress-controller')}`);
        });
        expect([body.pod.name, body.pod.namespace, body.request.path, body.request.headers['x-forwarded-host']]).toEqual([pod, 'default', '/via-ingress', host]);
      }
      expect(sh('curl', ['-s', '-m', '10', '--noproxy', '*', '-H', 'Host: c.example', 'http://127.97.0.1:10080/'])).toBe('default backend - 404\n');

      // node-0's kubelet killed: the supervisor starts it again, which makes node-0's namespace anew
      // (its cluster DNS sockets were in the old one). Meanwhile a loop in the client pod on node-1
      // looks web up through the ClusterIP without pause, and another asks node-0's address itself.
      const inode = () => {
        try {
          return statSync(`/run/netns/${nodeNetnsName(tag, 0)}`).ino;
        } catch {
          return undefined;
        }
      };
      const stopFile = `/tmp/kubelings-dns-probe-${process.pid}-${tag}`;
      rmSync(stopFile, { force: true });
      const lookup = (label: string, args: string) =>
        `while [ ! -e ${stopFile} ]; do t=$(date +%s.%N); if nslookup ${args} >/dev/null 2>&1; then r=ok; else r=fail; fi; echo "${label} $t $(date +%s.%N) $r"; done`;
      const prober = kubectl.start(['exec', 'client', '--', 'sh', '-c', `(${lookup('direct', `web ${kernelNodeIp(0)}`)}) & ${lookup('clusterip', 'web')}; wait; echo probes-done`]);
      await prober.waitFor(/^clusterip \S+ \S+ ok$/m, 60_000);

      // What the slice says about node-0 (and node-1), and what node-1's rules do, as it happens.
      const sliceSeen: { at: number; node0: boolean | undefined; node1: boolean | undefined }[] = [];
      const readyOf = (s: EndpointSlice, node: string) => s.endpoints.find((e) => e.nodeName === node)?.conditions.ready;
      const sliceWatch = client.watch<EndpointSlice>(
        'endpointslices',
        { namespace: 'kube-system' },
        {
          onEvent: (event) => {
            if ((event.type === 'ADDED' || event.type === 'MODIFIED') && event.object.metadata.name === 'kube-dns-nodes')
              sliceSeen.push({ at: Date.now(), node0: readyOf(event.object, 'node-0'), node1: readyOf(event.object, 'node-1') });
          },
          onClose: () => undefined,
        },
      );
      // When node-0's namespace went (the first /run/netns event for its name after the kill: its removal).
      const netnsEvents: number[] = [];
      const netnsWatch = watch('/run/netns', (_event, file) => {
        if (file === nodeNetnsName(tag, 0)) netnsEvents.push(Date.now());
      });
      const rulesSeen: { at: number; node0: boolean }[] = [];
      let watching = true;
      const rulesLoop = (async () => {
        while (watching) {
          const rules = await node1Rules().catch(() => '');
          if (rules) rulesSeen.push({ at: Date.now(), node0: rules.includes(`dns__${kernelNodeIp(0)}/53`) });
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      const before = inode();
      const kubelet0 = readComponentsFile(clusterPaths(home).componentsFile)?.components.find((c) => c.name === 'kubelet-node-0')?.pid;
      expect(kubelet0, 'the pid of kubelet-node-0 in components.json').toBeGreaterThan(0);
      const killedAt = Date.now();
      let window: { from: number; to: number };
      try {
        process.kill(kubelet0!, 'SIGKILL');
        await waitFor("node-0's namespace to be made again by its restarted kubelet", () => inode() !== undefined && inode() !== before, 180_000);
        window = await waitFor(
          "node-0's endpoint of kube-dns to turn not ready, then ready again (cluster DNS bound in node-0's new namespace)",
          () => {
            const from = sliceSeen.find((e) => e.at >= killedAt && e.node0 === false)?.at;
            const to = from === undefined ? undefined : sliceSeen.find((e) => e.at > from && e.node0 === true)?.at;
            return to === undefined ? undefined : { from: from!, to };
          },
          180_000,
        );
        await new Promise((r) => setTimeout(r, 3_000)); // lookups after node-0 came back count too
      } finally {
        writeFileSync(stopFile, '');
        watching = false;
        await rulesLoop;
        sliceWatch.stop();
        netnsWatch.close();
      }
      const probes = (await prober.waitFor('probes-done', 60_000).finally(() => rmSync(stopFile, { force: true })))
        .split('\n')
        .map((line) => /^(clusterip|direct) (\S+) (\S+) (ok|fail)$/.exec(line))
        .filter((m) => m !== null)
        .map((m) => ({ via: m[1]!, start: Number(m[2]) * 1000, end: Number(m[3]) * 1000, ok: m[4] === 'ok' }));
      const clusterIP = probes.filter((p) => p.via === 'clusterip' && p.end >= killedAt);
      const gone = netnsEvents.find((at) => at >= killedAt);
      const leftOut = rulesSeen.find((r) => r.at >= window.from && !r.node0)?.at;
      // kube-proxy's reaction time: from node-0's namespace going to node-1's rules without it, a
      // query may still be sent to node-0 (as upstream, until kube-proxy has synced); those are
      // counted, not required to answer. Every other lookup must answer.
      const inLag = (p: { start: number; end: number }) => gone !== undefined && leftOut !== undefined && p.end >= gone && p.start <= leftOut;
      // Sent while node-1's rules had left node-0 out and before node-0 was back: routed to node-1
      // alone (it may end after the window; asking for one wholly inside it made the pass depend
      // on how a short window and the lookups' cadence happened to line up).
      const inWindow = clusterIP.filter((p) => leftOut !== undefined && p.start >= leftOut && p.start <= window.to);
      const direct = probes.filter((p) => p.via === 'direct' && p.end >= window.from && p.start <= window.to);
      const story =
        `node-0's namespace removed ${gone === undefined ? '(not seen)' : `${window.from - gone} ms before`} its endpoint was seen not ready, for ${window.to - window.from} ms; ` +
        `node-1's rules without node-0 ${leftOut === undefined ? 'never seen' : `${leftOut - window.from} ms after that`}; ` +
        `${clusterIP.length} lookups through the ClusterIP since the kill: ${clusterIP.filter((p) => !p.ok).length} failed, ${clusterIP.filter(inLag).length} in kube-proxy's reaction time (${clusterIP.filter((p) => inLag(p) && !p.ok).length} of them failed), ` +
        `${inWindow.length} sent inside the window once node-1's rules had left node-0 out (${inWindow.filter((p) => p.ok).length} answered); ` +
        `${direct.length} lookups at ${kernelNodeIp(0)} itself during the window (${direct.filter((p) => !p.ok).length} failed)`;
      console.info(`node-0's kubelet restart, seen from node-1: ${story}`);
      // The window was real: cluster DNS itself said node-0's sockets were not in its live namespace
      // (node-1's stayed ready), the namespace is another one, and node-1's kube-proxy left node-0 out.
      expect(
        sliceSeen.filter((e) => e.at >= killedAt).every((e) => e.node1 === true),
        `node-1's endpoint stayed ready: ${JSON.stringify(sliceSeen)}`,
      ).toBe(true);
      expect(inode()).not.toBe(before);
      expect(gone, `the removal of node-0's namespace seen in /run/netns (${story})`).toBeDefined();
      expect(leftOut, `node-1's rules left node-0's address out after its endpoint turned not ready (${story})`).toBeDefined();
      // Names resolved from node-1 all along, inside the window too.
      expect(inWindow.length, story).toBeGreaterThan(0);
      expect(
        clusterIP.filter((p) => !p.ok && !inLag(p)),
        story,
      ).toEqual([]);
      // node-0 is back: its endpoint ready, and its own address answers from node-1 at the first try
      // (a node made anew keeps its MAC, so node-1 does not keep sending to a stale one).
      const slice0 = await client.get<EndpointSlice>('endpointslices', 'kube-dns-nodes', { namespace: 'kube-system' });
      expect(slice0.endpoints).toEqual(dnsNodes);
      const atNode0 = await exec(['nslookup', 'web', kernelNodeIp(0)]);
      expect(atNode0.code, atNode0.output).toBe(0);
      expect(nslookupAddresses(atNode0.stdout)).toEqual([webService.spec!.clusterIP!]);
    } finally {
      kubectl.cleanup();
      client.close();
    }

    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    await expectMachineAsBefore(tag, before);
    await waitFor('the relays and listener helpers to end', () => helpers().length === 0);
  });
});
