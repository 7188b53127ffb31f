/**
 * The Service network of `kubelings cluster up` in loopback mode, as a person sees it with curl
 * (node's http here) from the host and the real kubectl: two real nodes; three kubelings/echo pods
 * behind a ClusterIP Service answer requests from the host, spread over the three; scaled to zero,
 * a connection is refused at once; a NodePort answers on each node's address; from inside a busybox
 * pod `nslookup` and `wget` reach the Service by its DNS name; an Ingress routes two hosts to two
 * Services through the controller on 127.97.0.1; `cluster down` leaves no process and no listener.
 *
 * Addresses are machine-wide in loopback mode (another test's cluster may hold the kube-dns address
 * or the Ingress controller's for a while): the Services here ask for ClusterIPs and node ports
 * no other test uses, and each check waits, with a generous deadline that says what for, until the
 * answer comes from this cluster's pods.
 * Upstream: test/e2e/network/service.go ("should serve a basic endpoint from pods", "should be able
 * to create a functioning NodePort service"), dns.go, ingress.go.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import type { ComponentsFile } from '#engine/cluster/supervisor.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import { isLive } from '#engine/cri/procfs.ts';
import type { EndpointSlice, Node } from '#engine/kube/types.ts';
import { INGRESS_CONTROLLER_HOST, INGRESS_CONTROLLER_PORT, LOW_PORT_REMAP_OFFSET } from '#engine/params.ts';
import { HAS_KUBECTL, kubectlWith } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';

const home = tempDir('kubelings-services-home-');
afterAll(() => {
  kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
});

/**
 * What one HTTP GET got: the answering pod's name, or the connection error's code (ETIMEDOUT after
 * `timeoutMs`: generous by default, as a request crosses two processes, kube-proxy and the pod, on
 * a loaded machine).
 */
function get(host: string, port: number, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ pod?: string; status?: number; error?: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', headers, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        let pod: string | undefined;
        try {
          pod = (JSON.parse(body) as { pod?: { name?: string } }).pod?.name;
        } catch {
          pod = undefined;
        }
        resolve({ pod, status: res.statusCode, ms: Date.now() - started });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: Date.now() - started }));
  });
}

const WAIT_MS = 180_000;
/**
 * For what answers at a machine-wide address (kube-dns's 127.96.0.10, the Ingress controller's
 * 127.97.0.1): every loopback cluster wants it, and another test file's cluster may hold it for as
 * long as that file runs; this cluster's component takes it once the other lets go.
 */
const SHARED_ADDRESS_WAIT_MS = 360_000;
const CLUSTER_IP = '127.96.203.7';
const API_CLUSTER_IP = '127.96.203.8';
const NODE_PORT = 31871;

describe.skipIf(!HAS_KUBECTL)('the Service network under cluster up (loopback mode, real kubectl)', { timeout: 1_500_000 }, () => {
  test('ClusterIP spread, refused at zero, NodePort on each node, DNS from a pod, Ingress by host; nothing left after cluster down', async () => {
    const up = kubelings(['cluster', 'up', '--port', '0', '--nodes', '2'], { home, timeoutMs: 180_000 });
    expect(up.code, up.out + up.err).toBe(0);
    const network = ['kube-proxy-node-0', 'kube-proxy-node-1', 'cluster-dns', 'ingress-controller'];
    for (const name of network) expect(up.out, `cluster up lists ${name}`).toMatch(new RegExp(`${name}\\s+pid \\d+`));
    // Under load cluster up may return before every component says it started: wait, as cluster status would show it.
    await waitFor(
      'the four network components to be running (components.json)',
      () => {
        const rows = (JSON.parse(readFileSync(join(home, 'components.json'), 'utf8')) as ComponentsFile).components;
        return network.every((name) => rows.find((r) => r.name === name)?.phase === 'running');
      },
      WAIT_MS,
    );
    const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
    const client = new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'services-cluster-test' });
    const kubectl = kubectlWith(join(home, 'kubeconfig'));
    const run = async (...args: string[]) => {
      const r = await kubectl.run(args);
      expect(r.code, `kubectl ${args.join(' ')}: ${r.output}`).toBe(0);
      return r.stdout;
    };
    try {
      // kube-dns and the IngressClass, made by their components.
      expect(await run('get', 'service', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[*].port}/{.spec.ports[*].protocol}')).toBe('127.96.0.10 53 53/UDP TCP');
      expect(await run('get', 'ingressclass', 'kubelings', '-o', 'jsonpath={.spec.controller}')).toBe('kubelings.dev/ingress-controller');

      await run('create', 'deployment', 'svcweb', '--image=kubelings/echo', '--replicas=3');
      // A NodePort Service (which has a ClusterIP too), at addresses no other test asks for.
      const manifest = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'svcweb' },
        spec: { type: 'NodePort', clusterIP: CLUSTER_IP, selector: { app: 'svcweb' }, ports: [{ port: 80, targetPort: 8080, nodePort: NODE_PORT }] },
      };
      const applied = await kubectl.run(['apply', '-f', '-'], JSON.stringify(manifest));
      expect(applied.code, applied.output).toBe(0);
      const clusterIP = (await run('get', 'service', 'svcweb', '-o', 'jsonpath={.spec.clusterIP}')).trim();
      const pods = await waitFor(
        'three svcweb pods ready in the EndpointSlice',
        async () => {
          // Only ready endpoints: a slice lists a starting pod too, with conditions.ready false, and kube-proxy skips it.
          const slices = await client.list<EndpointSlice>('endpointslices', { namespace: 'default', labelSelector: 'kubernetes.io/service-name=svcweb' });
          const names = slices.items
            .flatMap((s) => s.endpoints ?? [])
            .filter((e) => e.conditions?.ready === true)
            .map((e) => e.targetRef?.name ?? '');
          return names.length === 3 ? names.sort() : undefined;
        },
        WAIT_MS,
      );

      // From the host: the ClusterIP answers, and 60 requests reach all three pods. kube-proxy
      // takes the slice a sync after the API has it, so the 60 start once each pod has answered
      // once (a proxy that sends every request to one pod never gets there and fails here).
      await waitFor(`svcweb's ClusterIP ${clusterIP}:80 to answer from a svcweb pod`, async () => pods.includes((await get(clusterIP, 80)).pod ?? ''), WAIT_MS);
      const early = new Set<string>();
      await waitFor(
        `each of the three svcweb pods to answer on ${clusterIP}:80`,
        async () => {
          const r = await get(clusterIP, 80);
          if (r.pod) early.add(r.pod);
          if (early.size < 3) throw new Error(`answered so far: ${[...early].join(', ')}; this time ${r.pod ?? r.error ?? r.status}`);
          return true;
        },
        WAIT_MS,
      );
      const seen = new Map<string, number>();
      for (let i = 0; i < 60; i++) {
        const r = await get(clusterIP, 80);
        expect(r.error, `request ${i} to ${clusterIP}:80`).toBeUndefined();
        seen.set(r.pod!, (seen.get(r.pod!) ?? 0) + 1);
      }
      // kube-proxy picks at random: 60 tries miss one of three with odds 3·(2/3)^60, about 1e-10.
      expect([...seen.keys()].sort(), `pods that answered 60 requests to the ClusterIP (counts ${JSON.stringify([...seen])})`).toEqual(pods);

      // The NodePort answers on each node's InternalIP.
      const nodes = await client.list<Node>('nodes');
      const nodeIPs = nodes.items.map((n) => (n.status?.addresses as { type: string; address: string }[]).find((a) => a.type === 'InternalIP')!.address);
      expect(nodeIPs.length, 'real nodes').toBe(2);
      for (const ip of nodeIPs) await waitFor(`node port ${ip}:${NODE_PORT} to answer from a svcweb pod`, async () => pods.includes((await get(ip, NODE_PORT)).pod ?? ''), WAIT_MS);

      // From inside a pod, by DNS name: busybox's nslookup and wget use the pod's DNS settings.
      await run('run', 'dnsclient', '--image=busybox', '--restart=Never', '--', 'sleep', '3600');
      await run('wait', '--for=condition=Ready', 'pod/dnsclient', '--timeout=180s');
      const env = await run('exec', 'dnsclient', '--', 'sh', '-c', 'echo $SVCWEB_SERVICE_HOST:$SVCWEB_SERVICE_PORT $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT');
      expect(env.trim(), 'service environment variables in the pod').toBe(`${clusterIP}:80 127.96.0.1:443`);
      const lookup = await waitFor(
        'nslookup svcweb from the pod to answer with its ClusterIP (the kube-dns address may be held by another test cluster for a while)',
        async () => {
          const r = await kubectl.run(['exec', 'dnsclient', '--', 'nslookup', 'svcweb']);
          return r.code === 0 && r.stdout.includes(clusterIP) ? r.stdout : undefined;
        },
        SHARED_ADDRESS_WAIT_MS,
      );
      expect(lookup, 'nslookup svcweb').toMatch(/^Server:\s+127\.96\.0\.10\nAddress:\s+127\.96\.0\.10:\d+\n\nName:\s+svcweb\.default\.svc\.cluster\.local\nAddress: /);
      const body = await run('exec', 'dnsclient', '--', 'wget', '-qO-', 'http://svcweb.default.svc.cluster.local');
      expect(pods, `wget -qO- http://svcweb.default.svc.cluster.local answered ${body.slice(0, 200)}`).toContain((JSON.parse(body) as { pod: { name: string } }).pod.name);
      const missing = await kubectl.run(['exec', 'dnsclient', '--', 'nslookup', 'no-such-service']);
      expect([missing.code, missing.stdout.includes("** server can't find no-such-service: NXDOMAIN")], `nslookup of a missing name: ${missing.output}`).toEqual([1, true]);

      // An Ingress routes two hosts to two Services.
      await run('create', 'deployment', 'svcapi', '--image=kubelings/echo', '--replicas=1');
      // At a ClusterIP of its own too: allocated, it would be 127.96.0.11, the first address every
      // cluster allocates, and another test's kube-proxy may hold 127.96.0.11:80 (cloud-kubectl's web).
      await run('expose', 'deployment', 'svcapi', '--port=80', '--target-port=8080', `--cluster-ip=${API_CLUSTER_IP}`);
      await run('create', 'ingress', 'two-hosts', '--rule=web.services.test/*=svcweb:80', '--rule=api.services.test/*=svcapi:80');
      // The documented address: 127.97.0.1:10080 whether or not this user may bind port 80.
      const port = INGRESS_CONTROLLER_PORT + LOW_PORT_REMAP_OFFSET;
      await waitFor(
        `web.services.test through ${INGRESS_CONTROLLER_HOST}:${port} to reach a svcweb pod`,
        async () => pods.includes((await get(INGRESS_CONTROLLER_HOST, port, { host: 'web.services.test' })).pod ?? ''),
        SHARED_ADDRESS_WAIT_MS,
      );
      await waitFor(
        `api.services.test through ${INGRESS_CONTROLLER_HOST}:${port} to reach the svcapi pod`,
        async () => /^svcapi-/.test((await get(INGRESS_CONTROLLER_HOST, port, { host: 'api.services.test' })).pod ?? ''),
        SHARED_ADDRESS_WAIT_MS,
      );
      expect(await run('get', 'ingress', 'two-hosts', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).toBe(INGRESS_CONTROLLER_HOST);

      // Scaled to zero: refused at once (no listener), not left to time out.
      await run('scale', 'deployment', 'svcweb', '--replicas=0');
      const refused = await waitFor(
        `a connection to ${clusterIP}:80 to be refused once svcweb has no endpoint`,
        async () => {
          const r = await get(clusterIP, 80, {}, 5_000);
          return r.error === 'ECONNREFUSED' ? r : undefined;
        },
        WAIT_MS,
      );
      expect(refused.ms, 'refused at once, not after a timeout (5 s)').toBeLessThan(4_000);
    } finally {
      client.close();
    }

    const rows = (JSON.parse(readFileSync(join(home, 'components.json'), 'utf8')) as ComponentsFile).components.filter((r) => /^(kube-proxy|cluster-dns|ingress)/.test(r.name));
    expect(
      rows.map((r) => [r.name, typeof r.pid]),
      'the network components in components.json',
    ).toEqual([
      ['kube-proxy-node-0', 'number'],
      ['kube-proxy-node-1', 'number'],
      ['cluster-dns', 'number'],
      ['ingress-controller', 'number'],
    ]);
    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    const left = rows.filter((r) => isLive(r.pid!));
    expect(left, 'network component processes left after cluster down').toEqual([]);
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: CLUSTER_IP, port: 80 }, () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    expect(listening, 'a listener left on the ClusterIP after cluster down').toBe(false);
  });
});
