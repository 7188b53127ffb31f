/**
 * End to end: `cluster up --nodes 3 --hollow` in one process (the built-in components: hollow
 * nodes, the scheduler and kube-controller-manager with the reference controllers), driven with the
 * real kubectl as a person would: apply the lesson's nginx Deployment, scale it, roll out a new
 * image with maxUnavailable 0, read `rollout status` and `rollout history`, undo. The outputs checked
 * are upstream's (kubectl's own messages about what the controller wrote: rollout status reads
 * observedGeneration, updatedReplicas, availableReplicas and the Progressing condition, as
 * k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go does).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { kubeconfigFor } from '#engine/cluster/kubeconfig.ts';
import type { Deployment, ReplicaSet } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.log('kubectl is not installed: the kubectl tests of the controller-manager are skipped.');

let cluster: Cluster;
let dir: string;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 120_000 });
  return stdout;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await get();
  }
  return last;
}

const deployment = () => cluster.client.get<Deployment>('deployments', 'nginx-deployment', { namespace: 'default' });
const replicaSets = async () => (await cluster.client.list<ReplicaSet>('replicasets', { namespace: 'default' })).items;

beforeAll(async () => {
  if (!hasKubectl) return;
  dir = mkdtempSync(join(tmpdir(), 'kubelings-ctrl-'));
  cluster = await startCluster({ components: builtinComponents({ nodes: 3, hollow: true }) });
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor({ server: cluster.url, ca: cluster.ca, token: cluster.token }));
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasKubectl)('kube-controller-manager with the real kubectl (needs kubectl)', () => {
  test("kubectl apply of the lesson's nginx Deployment reaches 3/3, through one ReplicaSet named after its pod-template-hash", async () => {
    await kubectl('apply', '-f', join(ROOT, 'lessons/core/02-apiserver/nginx-deployment.yaml'));
    const out = await kubectl('rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s');
    expect(out).toContain('deployment "nginx-deployment" successfully rolled out');
    expect(await kubectl('get', 'deployment', 'nginx-deployment')).toMatch(/nginx-deployment\s+3\/3\s+3\s+3\s/);
    const rss = await replicaSets();
    expect(rss).toHaveLength(1);
    const hash = rss[0]!.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(rss[0]!.metadata.name).toBe(`nginx-deployment-${hash}`);
    expect(rss[0]!.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const d = await deployment();
    expect(d.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
  });

  test('kubectl scale goes through the scale subresource, and the ReplicaSet follows', async () => {
    expect(await kubectl('scale', 'deployment/nginx-deployment', '--replicas=5')).toContain('deployment.apps/nginx-deployment scaled');
    await until('5 available', deployment, (d) => d.status?.availableReplicas === 5 && d.status.replicas === 5);
    expect(await kubectl('get', 'rs')).toMatch(/nginx-deployment-\S+\s+5\s+5\s+5\s/);
    await kubectl('scale', 'deployment/nginx-deployment', '--replicas=3');
    await until('back to 3', deployment, (d) => d.status?.replicas === 3 && d.status.availableReplicas === 3);
  });

  test('kubectl set image with maxUnavailable 0 rolls out one surge pod at a time and never drops below 3 available', async () => {
    await kubectl('patch', 'deployment/nginx-deployment', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}');
    await until('the patch observed', deployment, (d) => d.status?.observedGeneration === d.metadata.generation);
    const seen: { available: number; total: number }[] = [];
    const watch = cluster.client.watch<Deployment>(
      'deployments',
      { namespace: 'default', fieldSelector: 'metadata.name=nginx-deployment' },
      {
        onEvent: (e) => seen.push({ available: e.object.status?.availableReplicas ?? 0, total: e.object.status?.replicas ?? 0 }),
        onClose: () => {},
      },
    );
    try {
      await kubectl('set', 'image', 'deployment/nginx-deployment', 'nginx=nginx:1.16.1');
      const out = await kubectl('rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s');
      expect(out).toContain('deployment "nginx-deployment" successfully rolled out');
    } finally {
      watch.stop();
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(Math.min(...seen.map((s) => s.available)), `availableReplicas in every status written: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(3);
    expect(Math.max(...seen.map((s) => s.total)), 'never more than 3 + maxSurge 1 pods').toBeLessThanOrEqual(4);
    const rows = (await kubectl('get', 'rs', '-o', 'wide')).split('\n');
    expect(rows.find((r) => r.includes('nginx:1.16.1'))).toMatch(/\s3\s+3\s+3\s/);
    expect(rows.find((r) => r.includes('nginx:1.14.2'))).toMatch(/\s0\s+0\s+0\s/);
    const events = await kubectl('describe', 'deployment', 'nginx-deployment');
    expect(events).toMatch(/ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set nginx-deployment-\S+ from 0 to 1/);
    expect(events).toMatch(/Scaled down replica set nginx-deployment-\S+ from 3 to 2/);
  });

  test('kubectl rollout history lists revisions 1 and 2, and --revision=1 shows the old template', async () => {
    expect(await kubectl('rollout', 'history', 'deployment/nginx-deployment')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await kubectl('rollout', 'history', 'deployment/nginx-deployment', '--revision=1')).toMatch(/Image:\s+nginx:1\.14\.2/);
  });

  test("kubectl rollout undo brings back revision 1's ReplicaSet as revision 3, and its pods replace the others", async () => {
    expect(await kubectl('rollout', 'undo', 'deployment/nginx-deployment')).toContain('deployment.apps/nginx-deployment rolled back');
    expect(await kubectl('rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s')).toContain('successfully rolled out');
    expect(await kubectl('rollout', 'history', 'deployment/nginx-deployment')).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    const rss = await replicaSets();
    expect(rss).toHaveLength(2);
    const back = rss.find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1.14.2')!;
    expect(back.spec.replicas).toBe(3);
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    expect((await deployment()).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  test('kubectl rollout pause holds a change back (Progressing Unknown, DeploymentPaused); resume rolls it out', async () => {
    await kubectl('rollout', 'pause', 'deployment/nginx-deployment');
    await kubectl('set', 'image', 'deployment/nginx-deployment', 'nginx=nginx:1.17');
    const paused = await until('the DeploymentPaused condition', deployment, (d) => d.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused') ?? false);
    expect(paused.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    expect(
      (await replicaSets()).some((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1.17'),
      'no ReplicaSet for the paused template',
    ).toBe(false);
    await kubectl('rollout', 'resume', 'deployment/nginx-deployment');
    expect(await kubectl('rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s')).toContain('successfully rolled out');
    expect((await replicaSets()).find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1.17')?.status?.availableReplicas).toBe(3);
  });
});
