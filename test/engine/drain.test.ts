/**
 * `kubectl drain` of a hollow node with the real kubectl, end to end: the cluster of
 * `cluster up --nodes 3 --hollow` in one process (apiserver, scheduler, controller-manager with
 * the ReplicaSet, Deployment and disruption controllers, hollow nodes). kubectl cordons the node,
 * lists its pods, refuses or skips what its filters say (k8s.io/kubectl pkg/drain/filters.go:
 * DaemonSet-managed, local storage, no controller), evicts the rest through pods/eviction
 * (pkg/drain/drain.go evictPods: a 429 is retried every 5 s, printed as "error when evicting
 * pods/... (will retry after 5s): ..."), and waits for each evicted pod to be gone.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import type { KubeObject, Node, Pod, PodDisruptionBudget } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, type Kubectl } from './apiserver-harness.ts';

let cluster: Cluster;
let kubectl: Kubectl;
const NODE = 'hollow-node-0';
/** The DaemonSet's pod on NODE (its name is generated). */
let agent = '';

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await get();
  }
  return last;
}

const pods = async () => (await cluster.client.list<Pod>('pods', { namespace: 'default' })).items;
const onNode = async () => (await pods()).filter((p) => p.spec.nodeName === NODE && !p.metadata.deletionTimestamp);
const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

beforeAll(async () => {
  if (!HAS_KUBECTL) return;
  cluster = await startCluster({ components: builtinComponents({ nodes: 3, hollow: true }) });
  kubectl = kubectlFor({ server: cluster.url, ca: cluster.ca, token: cluster.token });
  // Six web pods over three nodes: the node to drain holds some of them.
  expect((await kubectl.run(['create', 'deployment', 'web', '--image=nginx', '--replicas=6'])).code).toBe(0);
  await until('6 ready web pods, some on the node', pods, (ps) => ps.filter(ready).length === 6 && ps.some((p) => p.spec.nodeName === NODE));
  // A DaemonSet: the controller-manager's DaemonSet controller puts one pod on every node.
  await cluster.client.create<KubeObject>('daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox' }] } } },
  });
  // A pod of no controller, with an emptyDir.
  await cluster.client.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'loner', namespace: 'default' },
    spec: { nodeName: NODE, containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'scratch', emptyDir: {} }] },
  });
  const running = (ps: Pod[]) => ps.filter((p) => p.spec.nodeName === NODE && p.status?.phase === 'Running');
  const onNodeRunning = await until(
    "the node's agent pod and the loner pod Running",
    pods,
    (ps) => running(ps).some((p) => p.metadata.labels?.app === 'agent') && running(ps).some((p) => p.metadata.name === 'loner'),
  );
  agent = running(onNodeRunning).find((p) => p.metadata.labels?.app === 'agent')!.metadata.name!;
}, 60_000);

afterAll(async () => {
  kubectl?.cleanup();
  await cluster?.stop();
});

describe.skipIf(!HAS_KUBECTL)(`kubectl drain of a hollow node ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, () => {
  test('without flags, drain cordons the node and refuses: DaemonSet-managed pods and a pod with local storage', async () => {
    const r = await kubectl.run(['drain', NODE]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`node/${NODE} cordoned`);
    expect(r.stderr).toContain(`error: unable to drain node "${NODE}" due to error: `);
    expect(r.stderr).toContain(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/${agent}`);
    expect(r.stderr).toContain('cannot delete Pods with local storage (use --delete-emptydir-data to override): default/loner');
    const node = await cluster.client.get<Node>('nodes', NODE);
    expect(node.spec?.unschedulable).toBe(true);
    expect((await onNode()).map((p) => p.metadata.name)).toContain('loner');
  });

  test("a blocking PodDisruptionBudget is reported as upstream's 429, retried, and the drain completes once the budget allows", async () => {
    await kubectl.run(['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=6']);
    await until(
      'the budget computed (6 healthy of 6 wanted)',
      () => cluster.client.get<PodDisruptionBudget>('poddisruptionbudgets', 'web', { namespace: 'default' }),
      (b) => b.status?.observedGeneration === 1 && b.status?.currentHealthy === 6,
    );
    const drain = kubectl.start(['drain', NODE, '--ignore-daemonsets', '--force', '--delete-emptydir-data', '--timeout=90s']);
    const blocked = await drain.waitFor(/error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./, 30_000);
    expect(blocked).toContain(`node/${NODE} already cordoned`);
    expect(blocked).toMatch(new RegExp(`Warning: .*ignoring DaemonSet-managed Pods: default/${agent}`));
    expect(blocked).toMatch(/deleting Pods that declare no controller: default\/loner/);
    // Allow one pod down at a time: the drain goes on as the ReplicaSet replaces each pod elsewhere.
    expect((await kubectl.run(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":5}}'])).code).toBe(0);
    const done = await drain.waitFor(`node/${NODE} drained`, 60_000);
    expect(done).toMatch(/pod\/web-[a-z0-9]+-[a-z0-9]+ evicted/);
    expect(done).toContain('pod/loner evicted');
    await until(
      'the drain to exit',
      async () => drain.child.exitCode,
      (c) => c !== null,
      10_000,
    );
    expect(drain.child.exitCode).toBe(0);
    const left = await onNode();
    expect(left.map((p) => p.metadata.name)).toEqual([agent]);
    const all = await pods();
    expect(all.filter((p) => p.metadata.labels?.app === 'web' && !p.metadata.deletionTimestamp).every((p) => p.spec.nodeName !== NODE)).toBe(true);
  }, 120_000);

  test("kubectl get pdb prints the budget's columns, and uncordon makes the node schedulable again", async () => {
    const r = await kubectl.run(['get', 'pdb', 'web']);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    expect(r.stdout.split('\n')[1]).toMatch(/^web\s+5\s+N\/A\s+[01]\s+\d+s$/);
    expect((await kubectl.run(['uncordon', NODE])).stdout).toBe(`node/${NODE} uncordoned\n`);
  });
});
