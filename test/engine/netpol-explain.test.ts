/**
 * `npx kubelings explain netpol` against a running cluster (an apiserver in this process, found
 * through a cluster.json as `cluster up` writes it): the policies of the namespace and the pods
 * each selects, each pod's isolation, and for one pod the decisions of the cni component's
 * evaluatePolicies port by port; it says plainly that loopback mode does not enforce them, and
 * that kernel mode does. Semantics as upstream's NetworkPolicy (pkg/apis/networking/types.go).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADMIN } from '#engine/apiserver/auth.ts';
import { formatTokenFile } from '#engine/apiserver/token-file.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';

let cluster: Cluster;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'kubelings-netpol-explain-'));
  const pods: [string, Record<string, string>, string][] = [
    ['client', { role: 'client' }, '127.64.0.10'],
    ['web', { app: 'web' }, '127.64.0.11'],
    ['other', { app: 'other' }, '127.64.0.12'],
    ['plain', { app: 'plain' }, '127.64.0.13'],
  ];
  for (const [name, labels, ip] of pods) {
    // plain's port has no name: explain still tries it (the ports a pod serves are what a reader asks about).
    const ports = name === 'plain' ? [{ containerPort: 9090 }] : [{ name: 'http', containerPort: 8080 }];
    const made = await cluster.client.create<Pod>(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels },
        spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'kubelings/echo', ports }] },
      },
      { namespace: 'default' },
    );
    await cluster.client.updateStatus<Pod>('pods', { ...made, status: { phase: 'Running', podIP: ip } }, { namespace: 'default' });
  }
  const policy = (name: string, spec: object) =>
    cluster.client.create<KubeObject>('networkpolicies', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'default' }, spec } as KubeObject, {
      namespace: 'default',
    });
  await policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
  await policy('allow-client', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function explain(network: string | undefined, ...args: string[]): Promise<string> {
  const home = join(dir, `home-${network ?? 'none'}`);
  mkdirSync(join(home, 'pki'), { recursive: true });
  writeFileSync(
    join(home, 'cluster.json'),
    JSON.stringify({ pid: process.pid, url: cluster.url, port: 0, impl: 'solutions', dataDir: '', startedAt: new Date().toISOString(), ...(network ? { flags: { network } } : {}) }),
  );
  writeFileSync(join(home, 'tokens.csv'), formatTokenFile([{ token: cluster.token, user: ADMIN }]), { mode: 0o600 });
  writeFileSync(join(home, 'pki', 'ca.crt'), cluster.ca);
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'tui', 'bin', 'kubelings.js'), 'explain', 'netpol', ...args], {
    env: { ...process.env, KUBELINGS_HOME: home },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout;
}

test('loopback mode: the policies, whom they select, and the decisions for one pod, said to be not enforced', async () => {
  const out = await explain(undefined, 'web', '-n', 'default');
  expect(out).toContain('NetworkPolicy is not enforced in loopback mode');
  expect(out).toContain('  default/allow-client  Ingress  selects web\n');
  expect(out).toContain('  default/deny-all  Ingress  selects client, other, plain, web\n');
  expect(out).toMatch(/ {2}web +127\.64\.0\.11 +ingress isolated \(allow-client, deny-all\); egress open/);
  expect(out).toMatch(/ {2}other +127\.64\.0\.12 +ingress isolated \(deny-all\); egress open/);
  const to = out.slice(out.indexOf('Who may connect to default/web'), out.indexOf('Whom default/web may connect to'));
  expect(to, 'who may connect to web').toMatch(/default\/client +tcp\/8080 +✓ allowed by default\/allow-client/);
  expect(to, 'who may connect to web').toMatch(/default\/other +tcp\/8080 +✗ denied \(web's ingress\)/);
  const from = out.slice(out.indexOf('Whom default/web may connect to'));
  expect(from, 'whom web may reach').toMatch(/default\/client +tcp\/8080 +✗ denied \(client's ingress\)/);
}, 90_000);

test("a pod's unnamed container ports are tried too, next to the ports the policies name", async () => {
  const out = await explain(undefined, 'plain', '-n', 'default');
  const to = out.slice(out.indexOf('Who may connect to default/plain'), out.indexOf('Whom default/plain may connect to'));
  expect(to).toMatch(/default\/client +tcp\/8080 +✗ denied \(plain's ingress\)/);
  expect(to).toMatch(/default\/client +tcp\/9090 +✗ denied \(plain's ingress\)/);
}, 90_000);

test('kernel mode: said to be enforced (cluster up runs an enforcer per node); a pod that is not there is named', async () => {
  const out = await explain('kernel', 'nope');
  expect(out).toContain('Network mode: kernel. These policies are enforced: each node loads them into nftables');
  expect(out).not.toContain('not enforced');
  expect(out).toContain('pods "nope" not found (or it has no address yet).');
}, 90_000);
