/**
 * End to end, lesson 04's later controllers with the real kubectl, as a learner drives them.
 *
 * First on `npx kubelings cluster up --port 0 --nodes 3 --hollow --impl solutions`, the background
 * control plane itself (a temporary KUBELINGS_HOME, stopped with `cluster down`): deleting a
 * Deployment removes its ReplicaSets and pods (the garbage collector), --cascade=orphan leaves them
 * without owner references, `kubectl delete namespace` goes through Terminating and is gone (the
 * namespace controller), a DaemonSet runs one pod per node and follows a node's labels, a
 * StatefulSet comes up web-0, web-1, web-2 each after the previous is Ready, a Job whose pods carry
 * kubelings.dev/complete-after completes, a failing one stops at its backoffLimit, and a CronJob
 * makes Jobs on its schedule.
 *
 * Then a node's heartbeats stopping: the same built-in components and flags as
 * `cluster up --nodes 3 --hollow --node-lease-duration-seconds 4 --node-monitor-grace-period 20s
 * --node-monitor-period 500ms`, started in this process so that the hollow nodes' pause() is an
 * in-process call (the same through `kubelings node stop` on `cluster up`: cluster-processes.test.ts): the node becomes Unknown
 * (kubectl: NotReady) and tainted, and its pods are evicted after their tolerationSeconds and made
 * again elsewhere. What kubectl prints is upstream's. Deadlines are generous and say what they
 * wait for.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { kubeconfigFor } from '#engine/cluster/kubeconfig.ts';
import type { RunningHollowNodes } from '#engine/hollow/component.ts';
import type { CronJob, Job, KubeObject, Node, Pod, ReplicaSet, WatchEvent } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';
import { parse as parseYaml } from 'yaml';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.log('kubectl is not installed: the kubectl tests of garbage collection, namespaces, DaemonSets, StatefulSets, node lifecycle, Jobs and CronJobs are skipped.');

const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
let client: KubeClient;
let dir: string;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 120_000 });
  return stdout;
}
/** `npx kubelings ARGS` with KUBELINGS_HOME=home: its exit code and what it printed. */
function kubelings(home: string, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0, output: stdout + stderr });
    });
  });
}
async function apply(yaml: string): Promise<string> {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return kubectl('apply', '-f', file);
}
async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await get();
  }
  return last;
}
const list = async <T extends KubeObject>(resource: string, namespace = 'default', labelSelector?: string) => (await client.list<T>(resource, { namespace, labelSelector })).items;

describe.skipIf(!hasKubectl)("lesson 04's controllers on `kubelings cluster up --nodes 3 --hollow --impl solutions`, with the real kubectl (needs kubectl)", () => {
  let home: string;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'kubelings-lifecycle-home-'));
    dir = home;
    const up = await kubelings(home, 'cluster', 'up', '--port', '0', '--nodes', '3', '--hollow', '--impl', 'solutions');
    expect(up.code, up.output).toBe(0);
    expect(up.output).toMatch(/The control plane is up at https:\/\/127\.0\.0\.1:\d+ \(pid \d+, code: solutions\)/);
    kubeconfig = join(home, 'kubeconfig');
    const config = parseYaml(readFileSync(kubeconfig, 'utf8'));
    client = new KubeClient({
      server: config.clusters[0].cluster.server,
      ca: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8'),
      token: config.users[0].user.token,
    });
    await until(
      'the three hollow nodes registered',
      async () => (await client.list<Node>('nodes')).items.length,
      (n) => n === 3,
    );
  }, 120_000);
  afterAll(async () => {
    client?.close();
    if (home && existsSync(join(home, 'cluster.pid'))) {
      const down = await kubelings(home, 'cluster', 'down');
      expect(down.output).toMatch(/^Stopped the control plane/);
    }
    if (home) rmSync(home, { recursive: true, force: true });
  }, 60_000);

  const nginx = join(ROOT, 'lessons/core/02-apiserver/nginx-deployment.yaml');
  const readyDeployment = async () => {
    await kubectl('apply', '-f', nginx);
    expect(await kubectl('rollout', 'status', 'deployment/nginx-deployment', '--timeout=60s')).toContain('successfully rolled out');
  };

  test('kubectl delete deployment: its ReplicaSet and pods are collected', async () => {
    await readyDeployment();
    expect((await list<ReplicaSet>('replicasets')).length).toBe(1);
    expect(await kubectl('delete', 'deployment', 'nginx-deployment')).toBe('deployment.apps "nginx-deployment" deleted\n');
    await until(
      'no ReplicaSet and no pod left',
      async () => [(await list('replicasets')).length, (await list('pods')).length],
      ([rs, pods]) => rs === 0 && pods === 0,
      60_000,
    );
  }, 120_000);

  test('kubectl delete deployment --cascade=orphan: the ReplicaSet and its pods stay, the ReplicaSet without owner references', async () => {
    await readyDeployment();
    expect(await kubectl('delete', 'deployment', 'nginx-deployment', '--cascade=orphan')).toBe('deployment.apps "nginx-deployment" deleted\n');
    const rss = await list<ReplicaSet>('replicasets');
    expect(rss).toHaveLength(1);
    expect(rss[0]!.metadata.ownerReferences ?? []).toEqual([]);
    const pods = await list<Pod>('pods');
    expect(pods.filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(3);
    expect(pods.every((p) => p.metadata.ownerReferences?.[0]?.name === rss[0]!.metadata.name)).toBe(true);
    await kubectl('delete', 'rs', rss[0]!.metadata.name!);
    await until(
      'the orphaned pods collected with their ReplicaSet',
      () => list('pods'),
      (p) => p.length === 0,
      60_000,
    );
  }, 120_000);

  test('kubectl delete namespace: Terminating while its content goes, then gone', async () => {
    await kubectl('create', 'namespace', 'team-a');
    await kubectl('-n', 'team-a', 'apply', '-f', nginx);
    await kubectl('-n', 'team-a', 'create', 'configmap', 'settings', '--from-literal=a=b');
    await until(
      "team-a's pods Running",
      () => list<Pod>('pods', 'team-a'),
      (p) => p.length === 3 && p.every((x) => x.status?.phase === 'Running'),
      60_000,
    );
    expect(await kubectl('delete', 'namespace', 'team-a', '--wait=false')).toBe('namespace "team-a" deleted\n');
    expect(await kubectl('get', 'namespace', 'team-a')).toMatch(/team-a\s+Terminating\s/);
    // kubectl waits for the namespace to be gone, as it does on a real cluster.
    await kubectl('wait', '--for=delete', 'namespace/team-a', '--timeout=90s');
    expect((await list('configmaps', 'team-a')).length).toBe(0);
  }, 150_000);

  test('a DaemonSet runs one pod on each node, and leaves a node whose labels stop matching', async () => {
    await apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {pool: main}
      containers: [{name: agent, image: fluentd:1}]
`);
    for (const n of ['hollow-node-0', 'hollow-node-1', 'hollow-node-2']) await kubectl('label', 'node', n, 'pool=main');
    const pods = await until(
      'three running daemon pods',
      () => list<Pod>('pods', 'default', 'app=agent'),
      (p) => p.filter((x) => x.status?.phase === 'Running').length === 3,
      60_000,
    );
    expect(new Set(pods.map((p) => p.spec.nodeName))).toEqual(new Set(['hollow-node-0', 'hollow-node-1', 'hollow-node-2']));
    await until(
      'kubectl get daemonset: 3 desired, current, ready, up to date, available',
      () => kubectl('get', 'daemonset', 'agent'),
      (out) => /agent\s+3\s+3\s+3\s+3\s+3\s+pool=main\s/.test(out),
    );
    await kubectl('label', 'node', 'hollow-node-2', 'pool=spare', '--overwrite');
    await until(
      'the pod on hollow-node-2 gone',
      () => list<Pod>('pods', 'default', 'app=agent'),
      (p) => p.length === 2 && !p.some((x) => x.spec.nodeName === 'hollow-node-2'),
      60_000,
    );
    await kubectl('delete', 'daemonset', 'agent');
  }, 150_000);

  test('a StatefulSet comes up in order: web-1 only once web-0 is Ready, then web-2', async () => {
    const seen: string[] = [];
    const watch = client.watch<Pod>(
      'pods',
      { namespace: 'default', labelSelector: 'app=web' },
      {
        onEvent: (e: WatchEvent<Pod>) => {
          const ready = e.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (e.type === 'ADDED') seen.push(`added ${e.object.metadata.name}`);
          if (ready && !seen.includes(`ready ${e.object.metadata.name}`)) seen.push(`ready ${e.object.metadata.name}`);
        },
        onClose: () => {},
      },
    );
    try {
      await apply(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx:1.14.2}]}
`);
      expect(await kubectl('rollout', 'status', 'statefulset/web', '--timeout=60s')).toContain('partitioned roll out complete: 3 new pods have been updated');
    } finally {
      watch.stop();
    }
    expect(seen).toEqual(['added web-0', 'ready web-0', 'added web-1', 'ready web-1', 'added web-2', 'ready web-2']);
    expect(await kubectl('get', 'controllerrevisions')).toMatch(/web-\S+\s+statefulset\.apps\/web\s+1\s/);
    await kubectl('delete', 'statefulset', 'web');
    await until(
      "web's pods collected",
      () => list('pods', 'default', 'app=web'),
      (p) => p.length === 0,
      60_000,
    );
  }, 120_000);

  test('a Job runs its pods to completion; one that keeps failing stops at its backoffLimit', async () => {
    await apply(`apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  completions: 2
  template:
    metadata: {annotations: {kubelings.dev/complete-after: 1s}}
    spec: {restartPolicy: Never, containers: [{name: pi, image: perl:5.34}]}
`);
    await kubectl('wait', '--for=condition=complete', 'job/pi', '--timeout=60s');
    const job = await client.get<Job>('jobs', 'pi', { namespace: 'default' });
    expect(job.status?.succeeded).toBe(2);
    expect(job.status?.conditions?.map((c) => `${c.type} ${c.reason}`)).toEqual(['SuccessCriteriaMet CompletionsReached', 'Complete CompletionsReached']);
    await apply(`apiVersion: batch/v1
kind: Job
metadata: {name: flaky}
spec:
  backoffLimit: 1
  template:
    metadata: {annotations: {kubelings.dev/fail-after: 500ms}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`);
    await kubectl('wait', '--for=condition=failed', 'job/flaky', '--timeout=90s');
    const failed = await client.get<Job>('jobs', 'flaky', { namespace: 'default' });
    expect(failed.status?.failed).toBe(2);
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    await kubectl('delete', 'job', 'pi', 'flaky');
  }, 150_000);

  test('a CronJob makes a Job at each minute its schedule names, and keeps its history', async () => {
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "* * * * *"
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {kubelings.dev/complete-after: 1s}}
        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`);
    const jobs = await until(
      'a Job from the CronJob, completed',
      () => list<Job>('jobs'),
      (j) => j.some((x) => x.metadata.name?.startsWith('tick-') && x.status?.conditions?.some((c) => c.type === 'Complete')),
      90_000,
    );
    const job = jobs.find((x) => x.metadata.name?.startsWith('tick-'))!;
    expect(Number(job.metadata.name!.slice('tick-'.length)) * 60_000, 'the Job is named after its schedule time in minutes').toBe(
      Date.parse(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? ''),
    );
    const cj = await until(
      'lastScheduleTime and lastSuccessfulTime',
      () => client.get<CronJob>('cronjobs', 'tick', { namespace: 'default' }),
      (c) => Boolean(c.status?.lastScheduleTime && c.status.lastSuccessfulTime),
      30_000,
    );
    expect(cj.status?.lastScheduleTime).toBe(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    expect(await kubectl('get', 'cronjob', 'tick')).toMatch(/^tick\s+\* \* \* \* \*\s+<none>\s+False\s+\d+\s+\S+\s+\S+$/m);
    await kubectl('delete', 'cronjob', 'tick');
  }, 150_000);
});

describe.skipIf(!hasKubectl)('a node whose heartbeats stop, on the built-in components of `cluster up --nodes 3 --hollow` with short node timings, with the real kubectl (needs kubectl)', () => {
  let cluster: Cluster;
  let hollow: RunningHollowNodes | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelings-lifecycle-'));
    // Short timings, with room for a loaded machine: the hollow nodes' heartbeats share this process
    // with the test, and with a grace period of 3 s a node whose lease renewals lagged went Unknown
    // and was tainted during the rollout (seen: one node, and in a full run two, so that all 6 pods
    // landed on the one left and 'the 6 pods run on more than one node' failed).
    const flags = { nodes: 3, hollow: true, 'node-lease-duration-seconds': 4, 'node-monitor-grace-period': '20s', 'node-monitor-period': '500ms' };
    // The components `cluster up` runs for these flags; the hollow nodes' handle is kept to pause one.
    const components = builtinComponents(flags).map((c) =>
      c.name !== 'hollow-nodes'
        ? c
        : {
            name: c.name,
            async start(ctx: Parameters<typeof c.start>[0]) {
              hollow = (await c.start(ctx)) as RunningHollowNodes;
              return hollow;
            },
          },
    );
    cluster = await startCluster({ components, flags });
    client = cluster.client;
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor({ server: cluster.url, ca: cluster.ca, token: cluster.token }), { mode: 0o600 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a node whose heartbeats stop: Unknown, tainted, its pods evicted after tolerationSeconds and made again elsewhere', async () => {
    // On a loaded machine the pods could otherwise all land on the first node to register.
    await until(
      'the 3 hollow nodes registered, Ready and untainted',
      async () => (await client.list<Node>('nodes')).items,
      (nodes) =>
        nodes.filter((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'))).length === 3,
      60_000,
    );
    await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: fragile}
spec:
  replicas: 6
  selector: {matchLabels: {app: fragile}}
  template:
    metadata: {labels: {app: fragile}}
    spec:
      containers: [{name: c, image: nginx:1.14.2}]
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
`);
    expect(await kubectl('rollout', 'status', 'deployment/fragile', '--timeout=60s')).toContain('successfully rolled out');
    const placed = await list<Pod>('pods', 'default', 'app=fragile');
    const counts = new Map<string, number>();
    for (const p of placed) counts.set(p.spec.nodeName!, (counts.get(p.spec.nodeName!) ?? 0) + 1);
    const dead = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const victims = placed.filter((p) => p.spec.nodeName === dead).map((p) => p.metadata.name!);
    expect(counts.size, `nodes the 6 pods run on: ${JSON.stringify([...counts])}`).toBeGreaterThan(1);
    hollow!.pause(dead);
    try {
      const node = await until(
        `${dead} Unknown and tainted`,
        () => client.get<Node>('nodes', dead),
        (n) => (n.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'),
        60_000,
      );
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
      expect(await kubectl('get', 'node', dead)).toMatch(new RegExp(`${dead}\\s+NotReady\\s`));
      await until(
        'its pods evicted, and 6 fragile pods Running on the other nodes',
        () => list<Pod>('pods', 'default', 'app=fragile'),
        (pods) => {
          const evicted = victims.every((v) => pods.find((p) => p.metadata.name === v)?.metadata.deletionTimestamp);
          const running = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.spec.nodeName !== dead);
          return evicted && running.length === 6;
        },
        60_000,
      );
      const events = await kubectl('get', 'events', '--field-selector', 'reason=TaintManagerEviction');
      expect(events).toContain('Marking for deletion Pod default/');
    } finally {
      hollow!.resume(dead);
    }
    await until(
      `${dead} Ready again, untainted`,
      () => client.get<Node>('nodes', dead),
      (n) => !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')) && n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
      60_000,
    );
    await kubectl('delete', 'deployment', 'fragile');
  }, 300_000); // the node's grace period (20 s) and every wait, on a loaded machine
});
