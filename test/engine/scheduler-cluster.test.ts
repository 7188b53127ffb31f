/**
 * End to end: a cluster with three hollow nodes and the reference scheduler, driven through the
 * apiserver and, where installed, the real kubectl. Pods with node selectors, tolerations and
 * requests land where Kubernetes would put them; an unschedulable pod shows upstream's reason in
 * `kubectl describe pod`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { KubeClient } from '#engine/client/client.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { kubeconfigFor } from '#engine/cluster/kubeconfig.ts';
import { hollowNodesComponent } from '#engine/hollow/component.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { schedulerComponent } from '#engine/scheduler/component.ts';
import type { Node, Pod } from '#engine/scheduler/types.ts';
import { ROOT } from '#engine/paths.ts';
import { ADMIN } from '#engine/apiserver/auth.ts';
import { formatTokenFile } from '#engine/apiserver/token-file.ts';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.log('kubectl is not installed: the kubectl checks of the scheduler are skipped (the API checks still run).');

// Several kubectl processes and scheduling round trips per test: seconds each on a loaded machine.
// Every wait below polls for its condition and names it; these bounds only stop a real hang.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });
const WAIT_MS = 30_000;

let cluster: Cluster;
let client: KubeClient;
let dir: string;
let kubeconfig: string;

/** Runs the real kubectl (asynchronously: the cluster answers from this same process). */
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await get();
  }
  return last;
}

const getPod = (name: string) => client.get('pods', name, { namespace: 'default' }) as Promise<unknown> as Promise<Pod>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelings-sched-'));
  cluster = await startCluster({ components: [...hollowNodesComponent({ nodes: 3, hollow: true }), schedulerComponent()] });
  client = cluster.client;
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor({ server: cluster.url, ca: cluster.ca, token: cluster.token }));
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hollow nodes', () => {
  test('three Ready nodes with the default capacity and labels, and a Lease each in kube-node-lease', async () => {
    const nodes = (await client.list('nodes')).items as unknown as Node[];
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['hollow-node-0', 'hollow-node-1', 'hollow-node-2']);
    for (const n of nodes) {
      expect(n.status?.capacity).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
      expect(n.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': n.metadata.name, 'kubernetes.io/os': 'linux' });
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    }
    const leases = (await client.list('leases', { namespace: 'kube-node-lease' })).items as KubeObject[];
    expect(leases.map((l) => l.metadata.name).sort()).toEqual(['hollow-node-0', 'hollow-node-1', 'hollow-node-2']);
    expect((leases[0]!.spec as { holderIdentity?: string }).holderIdentity).toBe(leases[0]!.metadata.name);
  });
});

describe('placement through the apiserver', () => {
  beforeAll(async () => {
    await client.patch('nodes', 'hollow-node-1', { metadata: { labels: { disktype: 'ssd' } } }, { type: 'merge' });
    await client.patch('nodes', 'hollow-node-2', { metadata: { labels: { accelerator: 'gpu' } }, spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }, { type: 'merge' });
    // The scheduler must have the changes before the pods arrive. Its node informer gets them in
    // order, so once a pod that wants the gpu node is refused for its taint (set by the second patch),
    // it has both. That canary goes before the demo's pods come.
    await client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'canary', namespace: 'default' },
      spec: { nodeSelector: { accelerator: 'gpu' }, containers: [{ name: 'c', image: 'busybox' }] },
    } as KubeObject);
    await until(
      'the scheduler to see the label and the taint (the canary pod refused for the taint)',
      () => getPod('canary'),
      (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && (c.message ?? '').includes('untolerated taint')) ?? false,
    );
    await client.delete('pods', 'canary', { namespace: 'default', gracePeriodSeconds: 0 });
    if (hasKubectl) await kubectl('apply', '-f', join(ROOT, 'lessons/core/03-scheduler/demo.yaml'));
    else {
      const { parseAllDocuments } = await import('yaml');
      const text = (await import('node:fs')).readFileSync(join(ROOT, 'lessons/core/03-scheduler/demo.yaml'), 'utf8');
      for (const doc of parseAllDocuments(text)) await client.create('pods', { ...(doc.toJSON() as KubeObject), metadata: { ...(doc.toJSON() as KubeObject).metadata, namespace: 'default' } });
    }
  });

  test('a nodeSelector picks the labelled node; a toleration and selector reach the tainted node; DoesNotExist avoids them both', async () => {
    const placed: Record<string, string | undefined> = {};
    for (const name of ['web-ssd', 'gpu-job', 'api'])
      placed[name] = (
        await until(
          `${name} to be bound`,
          () => getPod(name),
          (p) => Boolean(p.spec.nodeName),
        )
      ).spec.nodeName;
    expect(placed).toEqual({ 'web-ssd': 'hollow-node-1', 'gpu-job': 'hollow-node-2', api: 'hollow-node-0' });
  });

  test("hollow nodes mark their pods Running with an IP from the node's podCIDR", async () => {
    const pod = await until(
      'web-ssd to be Running',
      () => getPod('web-ssd'),
      (p) => p.status?.phase === 'Running',
    );
    expect(pod.status?.podIP).toMatch(/^127\.128\.1\.\d+$/);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  test("a pod too big for every node gets PodScheduled=False with upstream's message", async () => {
    const pod = await until(
      'too-big to be reported unschedulable',
      () => getPod('too-big'),
      (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false,
    );
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message:
        '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    });
  });

  test.skipIf(!hasKubectl)('kubectl get pods -o wide shows where each pod went (needs kubectl)', async () => {
    await until(
      'web-ssd to be Running',
      () => getPod('web-ssd'),
      (p) => p.status?.phase === 'Running',
    );
    const out = await kubectl('get', 'pods', '-o', 'wide');
    expect(out).toMatch(/web-ssd\s+1\/1\s+Running\s+0\s+\S+\s+127\.128\.1\.\d+\s+hollow-node-1/);
    expect(out).toMatch(/too-big\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
  });

  test.skipIf(!hasKubectl)('kubectl describe pod shows the FailedScheduling event from default-scheduler (needs kubectl)', async () => {
    const out = await until(
      'the FailedScheduling event',
      () => kubectl('describe', 'pod', 'too-big'),
      (text) => text.includes('FailedScheduling'),
    );
    expect(out).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\./);
    const ok = await until(
      'the Scheduled event',
      () => kubectl('describe', 'pod', 'web-ssd'),
      (text) => text.includes('Scheduled'),
    );
    expect(ok).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/web-ssd to hollow-node-1/);
  });

  test("npx kubelings explain pod shows each node's verdict and the scores", async () => {
    await until(
      'web-ssd to be bound',
      () => getPod('web-ssd'),
      (p) => Boolean(p.spec.nodeName),
    );
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'cluster.json'), JSON.stringify({ pid: process.pid, url: cluster.url, port: 0, impl: 'solutions', dataDir: '', startedAt: new Date().toISOString() }));
    // The credentials `cluster up` keeps beside it: the admin's token and the cluster CA.
    writeFileSync(join(home, 'tokens.csv'), formatTokenFile([{ token: cluster.token, user: ADMIN }]), { mode: 0o600 });
    mkdirSync(join(home, 'pki'), { recursive: true });
    writeFileSync(join(home, 'pki', 'ca.crt'), cluster.ca);
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'tui', 'bin', 'kubelings.js'), 'explain', 'pod', 'web-ssd'], {
      env: { ...process.env, KUBELINGS_HOME: home },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(stdout).toContain('Pod default/web-ssd: requests cpu 500m, memory 256Mi; bound to hollow-node-1');
    expect(stdout).toContain("hollow-node-0  ✗ NodeAffinity: node(s) didn't match Pod's node affinity/selector");
    expect(stdout).toMatch(/hollow-node-1 {2}✓ fits {3}score \d+ = TaintToleration 300 \(×3\)/);
    expect(stdout).toContain('hollow-node-2  ✗ TaintToleration: node(s) had untolerated taint {dedicated: gpu}');
  });

  test('a node freed of its taint lets a waiting pod in (an event moves it back)', async () => {
    await client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'wants-gpu', namespace: 'default' },
      spec: { nodeSelector: { accelerator: 'gpu' }, containers: [{ name: 'c', image: 'busybox' }] },
    } as KubeObject);
    await until(
      'wants-gpu to be reported unschedulable',
      () => getPod('wants-gpu'),
      (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false,
    );
    await client.patch('nodes', 'hollow-node-2', { spec: { taints: null } }, { type: 'merge' });
    const pod = await until(
      'wants-gpu to be bound after the taint went',
      () => getPod('wants-gpu'),
      (p) => Boolean(p.spec.nodeName),
      15_000,
    );
    expect(pod.spec.nodeName).toBe('hollow-node-2');
  });

  test('deleting a pod on a hollow node completes (its kubelet confirms the deletion)', async () => {
    await client.delete('pods', 'api', { namespace: 'default' });
    await until(
      'api to be gone',
      async () => (await client.list('pods', { namespace: 'default' })).items.map((p) => p.metadata.name),
      (names) => !names.includes('api'),
    );
  });
});
