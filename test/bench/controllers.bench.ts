/**
 * `npm run bench controllers`: a 3,000-replica Deployment on 100 hollow nodes, end to end through
 * the apiserver, against the control plane as `kubelings cluster up --nodes 100 --hollow` runs it
 * (the daemon: durable store in a temporary folder and apiserver; under it one process each for the
 * scheduler, the hollow kubelets and kube-controller-manager with the reference controllers).
 *
 * Baseline, measured in the same run and the same cluster: the apiserver's durable-create rate for
 * pods, 3,000 pods created by a client with 32 creates in flight (the pods are then scheduled and
 * marked Running by the hollow nodes, as the Deployment's are). Figures:
 *   - pods created per second by the ReplicaSet controller for the Deployment, from the Deployment's
 *     create to the 3,000th pod seen by a watch, as a ratio to the baseline (target ≥ 0.5×: the
 *     controller is not the bottleneck);
 *   - seconds from the Deployment's create to 3,000 available replicas;
 *   - the rollout of a new image across the 3,000 with maxUnavailable 10% (maxSurge 25%, the
 *     default), until every replica is updated and available and the old ones are gone;
 *   - the kube-controller-manager process's resident memory at 3,000 pods, and its growth from
 *     before the Deployment; the daemon's (store, apiserver, watch cache) beside it.
 */
import { readFileSync } from 'node:fs';
import { KubeClient } from '#engine/client/client.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import type { Benchmark, Figure } from './harness.ts';
import { startDaemon } from './scheduler-e2e.ts';

const NODES = 100;
const REPLICAS = 3_000;
const CREATES_IN_FLIGHT = 32;
/** Generous: the figures are what matter; a stuck run must still end with a message. */
const PHASE_LIMIT_MS = 15 * 60_000;

function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

function deployment(image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ctrl-perf' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  } as KubeObject;
}

interface DeploymentStatus {
  metadata: { generation?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${PHASE_LIMIT_MS / 60_000} min waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createPodsDirectly(client: KubeClient, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await client.create(
        'pods',
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: `direct-${i}`, namespace: 'baseline', labels: { app: 'direct' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } as KubeObject,
        { namespace: 'baseline' },
      );
    }
  };
  await Promise.all(Array.from({ length: CREATES_IN_FLIGHT }, worker));
  return count / ((performance.now() - started) / 1000);
}

export async function measureControllers(): Promise<Figure[]> {
  const daemon = await startDaemon({ nodes: NODES, hollow: true });
  const client = new KubeClient({ server: daemon.url, ca: daemon.ca, token: daemon.token, userAgent: 'controllers-perf' });
  try {
    for (const name of ['baseline', 'ctrl-perf']) await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    await until(`${NODES} nodes`, async () => (await client.list('nodes')).items.length >= NODES);
    const baseline = await createPodsDirectly(client, REPLICAS);

    const managerPid = daemon.componentPid('kube-controller-manager');
    if (!managerPid) throw new Error('no kube-controller-manager process in components.json');
    const rssBefore = residentBytes(managerPid);
    const daemonRssBefore = residentBytes(daemon.pid);
    const createdAt: number[] = [];
    const watch = client.watch<KubeObject>(
      'pods',
      { namespace: 'ctrl-perf' },
      {
        onEvent: (e) => {
          if (e.type === 'ADDED') createdAt.push(performance.now());
        },
        onClose: () => {},
      },
    );
    const status = () => client.get<DeploymentStatus>('deployments', 'web', { namespace: 'ctrl-perf' });
    const started = performance.now();
    await client.create('deployments', deployment('nginx'), { namespace: 'ctrl-perf' });
    await until(`${REPLICAS} pods of the Deployment`, () => createdAt.length >= REPLICAS);
    const podsPerSecond = REPLICAS / ((createdAt[REPLICAS - 1]! - started) / 1000);
    await until(`${REPLICAS} available replicas`, async () => ((await status()).status?.availableReplicas ?? 0) >= REPLICAS);
    const availableSeconds = (performance.now() - started) / 1000;
    const rssAtFull = residentBytes(managerPid);
    const daemonRssAtFull = residentBytes(daemon.pid);

    const rolloutStarted = performance.now();
    await client.patch('deployments', 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } }, { namespace: 'ctrl-perf', type: 'strategic' });
    await until('the rollout to finish', async () => {
      const d = await status();
      const s = d.status ?? {};
      return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS;
    });
    const rolloutSeconds = (performance.now() - rolloutStarted) / 1000;
    watch.stop();
    const mib = (b: number) => b / 1024 / 1024;
    return [
      {
        name: `pods created by the ReplicaSet controller for a ${REPLICAS.toLocaleString('en-US')}-replica Deployment on ${NODES} hollow nodes`,
        value: podsPerSecond,
        unit: 'pods/s',
        baseline: { name: `durable pod creates by a client (${CREATES_IN_FLIGHT} in flight)`, value: baseline },
        target: { minRatio: 0.5 },
        note: "from the Deployment's create to the last of its pods seen by a watch; the scheduler, hollow nodes and controllers run in processes of their own beside the daemon (store, apiserver)",
      },
      { name: `Deployment create to ${REPLICAS.toLocaleString('en-US')} available replicas`, value: availableSeconds, unit: 's' },
      {
        name: `rollout of a new image across ${REPLICAS.toLocaleString('en-US')} replicas (maxUnavailable 10%, maxSurge 25%)`,
        value: rolloutSeconds,
        unit: 's',
        note: 'until every replica is updated and available and the old ReplicaSet has none',
      },
      {
        name: `kube-controller-manager resident memory at ${REPLICAS.toLocaleString('en-US')} Deployment pods (${REPLICAS.toLocaleString('en-US')} more created directly)`,
        value: mib(rssAtFull),
        unit: 'MiB',
        note: `${mib(rssAtFull - rssBefore).toFixed(0)} MiB more than before the Deployment; its process alone (informers' caches of every pod, workqueues)`,
      },
      {
        name: `daemon resident memory at the same point`,
        value: mib(daemonRssAtFull),
        unit: 'MiB',
        note: `${mib(daemonRssAtFull - daemonRssBefore).toFixed(0)} MiB more than before the Deployment; store, apiserver and watch cache`,
      },
    ];
  } finally {
    client.close();
    await daemon.stop();
  }
}

const bench: Benchmark = {
  name: 'controllers',
  description: `a ${REPLICAS.toLocaleString('en-US')}-replica Deployment on ${NODES} hollow nodes through the apiserver: creation rate vs the apiserver's durable pod creates, time to available, a rollout, memory`,
  run: measureControllers,
};
export default bench;
