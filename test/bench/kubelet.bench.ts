/**
 * `npm run bench kubelet`: real kubelets (each its own process, test/bench/kubelet-node.ts, with
 * upstream's intervals) on a real ProcessRuntime, against an in-process apiserver (TLS, tokens).
 *   - pod start-up latency, created → Running and Ready, as upstream's pod start-up SLO measures it
 *     (the create sent → the watch event that shows Ready=True), for 100 pods on 2 nodes, p50 and
 *     p99; target p99 ≤ 1 s (upstream's SLO is 5 s, p99, image pulls excluded). Pods are busybox
 *     `sleep` (a shell, as upstream's density test uses pause pods: the kubelet is measured, not
 *     the image), created 10 at a time;
 *   - each kubelet's own cpu (user + system, from /proc/<pid>/stat, not its containers') over
 *     SAMPLE_MS with 50 pods running on it, scaled to 100 pods, next to the same kubelet idle
 *     (no pods) measured the same way in the same run as the baseline; and its resident memory;
 *   - exit → restart: a container process killed with SIGKILL → the watch event that shows it
 *     running again (restartCount + 1), median of 10 (a first restart: no back-off), with
 *     upstream's 1 s PLEG relist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { createClusterPki } from '#engine/apiserver/pki.ts';
import { nodeUser } from '#engine/apiserver/auth.ts';
import { startApiServer } from '#engine/apiserver/server.ts';
import { KubeClient } from '#engine/client/client.ts';
import { nodePodCidr } from '#engine/cri/runtime.ts';
import { CONTAINER_ID_ENV } from '#engine/cri/launch.ts';
import { pidsWithEnv } from '#engine/cri/procfs.ts';
import { createStore } from '#engine/etcd/store.ts';
import type { Pod } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';
import { median, percentile, type Benchmark, type Figure } from './harness.ts';
import { scratchDir } from '../support/scratch.ts';

const PODS = 100;
const NODES = 2;
const CREATES_IN_FLIGHT = 10;
const SAMPLE_MS = 20_000;
const RESTARTS = 10;
/** Generous: a stuck run ends with a message, not a hang. */
const PHASE_LIMIT_MS = 5 * 60_000;

interface NodeProcess {
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssBytesOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${PHASE_LIMIT_MS / 60_000} min waiting for ${what}`);
    await sleep(20);
  }
}

async function startNode(config: Record<string, string>): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/bench/kubelet-node.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.write(`${JSON.stringify(config)}\n`);
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => l.startsWith('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the kubelet of ${config.nodeName} exited with ${code} before it was ready`)));
  });
  return {
    name: config.nodeName!,
    child,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

const bench: Benchmark = {
  name: 'kubelet',
  description: `pod start-up latency for ${PODS} pods on ${NODES} real kubelets, the kubelet's cpu and memory per 100 running pods, exit → restart`,
  async run(): Promise<Figure[]> {
    const pki = createClusterPki();
    const store = await createStore({});
    const api = await startApiServer({ store, port: 0, tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert } });
    const client = new KubeClient({ server: api.url, ca: api.ca, token: api.adminToken, userAgent: 'kubelet-bench' });
    const dir = scratchDir('kubelings-kubelet-bench-');
    const nodes: NodeProcess[] = [];
    try {
      for (let i = 0; i < NODES; i++) {
        const nodeName = `bench-node-${i}`;
        nodes.push(
          await startNode({
            server: api.url,
            ca: api.ca,
            token: api.issueToken(nodeUser(nodeName)),
            adminToken: api.adminToken,
            caKey: pki.ca.key,
            nodeName,
            root: join(dir, nodeName),
            podCidr: nodePodCidr(4094 - i),
          }),
        );
      }
      await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubelet-perf' } });

      // Idle baseline: each kubelet with no pods.
      const idle = nodes.map((n) => cpuMsOf(n.child.pid!));
      await sleep(SAMPLE_MS);
      const idleCpuMs = nodes.map((n, i) => cpuMsOf(n.child.pid!) - idle[i]!);

      // Start-up latency.
      const createdAt = new Map<string, number>();
      const readyAt = new Map<string, number>();
      const pods = new Map<string, Pod>();
      const watch = client.watch<Pod>(
        'pods',
        { namespace: 'kubelet-perf' },
        {
          onEvent: (e) => {
            const pod = e.object as Pod;
            pods.set(pod.metadata.name!, pod);
            if (ready(pod) && !readyAt.has(pod.metadata.name!)) readyAt.set(pod.metadata.name!, performance.now());
          },
          onClose: () => {},
        },
      );
      const names = Array.from({ length: PODS }, (_, i) => `sleep-${i}`);
      let next = 0;
      const creator = async () => {
        while (next < names.length) {
          const i = next++;
          const name = names[i]!;
          createdAt.set(name, performance.now());
          await client.create<Pod>('pods', {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace: 'kubelet-perf' },
            spec: { nodeName: nodes[i % NODES]!.name, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] },
          });
        }
      };
      await Promise.all(Array.from({ length: CREATES_IN_FLIGHT }, creator));
      await until(`${PODS} pods Running and Ready`, () => readyAt.size >= PODS);
      const latencies = names.map((n) => readyAt.get(n)! - createdAt.get(n)!);

      // Cpu and memory with the pods running.
      const busy = nodes.map((n) => cpuMsOf(n.child.pid!));
      await sleep(SAMPLE_MS);
      const busyCpuMs = nodes.map((n, i) => cpuMsOf(n.child.pid!) - busy[i]!);
      const perHundred = (ms: number[]) => (ms.reduce((a, b) => a + b, 0) / nodes.length / SAMPLE_MS) * 100 * (100 / (PODS / NODES));
      const rss = nodes.map((n) => rssBytesOf(n.child.pid!));

      // Exit → restart.
      const restarts: number[] = [];
      for (const name of names.slice(0, RESTARTS)) {
        const pod = pods.get(name)!;
        const id = (pod.status?.containerStatuses?.[0] as { containerID?: string } | undefined)?.containerID?.replace('kubelings://', '');
        if (!id) continue;
        // The container's main process: the oldest process whose environment names the container.
        const pid = pidsWithEnv(CONTAINER_ID_ENV, id).sort((a, b) => a - b)[0];
        if (!pid) continue;
        const before = pod.status?.containerStatuses?.[0]?.restartCount ?? 0;
        const killedAt = performance.now();
        process.kill(pid, 'SIGKILL');
        await until(`${name} to run again`, () => {
          const now = pods.get(name)?.status?.containerStatuses?.[0];
          return (now?.restartCount ?? 0) > before && now?.state?.running !== undefined;
        });
        restarts.push(performance.now() - killedAt);
      }
      watch.stop();

      const idlePerNode = perHundred(idleCpuMs) / (100 / (PODS / NODES));
      return [
        { name: `pod start-up latency p50, created → Running and Ready (${PODS} pods, ${NODES} nodes)`, value: percentile(latencies, 50), unit: 'ms' },
        {
          name: `pod start-up latency p99`,
          value: percentile(latencies, 99),
          unit: 'ms',
          target: { max: 1000 },
          note: `max ${Math.round(Math.max(...latencies))} ms; ${CREATES_IN_FLIGHT} creates in flight; busybox sleep pods; load average ${loadavg()[0]!.toFixed(1)} at the end`,
        },
        {
          name: 'kubelet cpu per 100 running pods',
          value: perHundred(busyCpuMs),
          unit: '% of a core',
          baseline: { name: 'the same kubelet idle (0 pods)', value: idlePerNode },
          note: `measured ${SAMPLE_MS / 1000} s over ${PODS / NODES} pods per kubelet and scaled to 100; the kubelet process only (its containers are separate processes)`,
        },
        { name: 'kubelet resident memory with 50 pods', value: median(rss) / (1024 * 1024), unit: 'MiB', note: `per kubelet process, median of ${NODES}` },
        {
          name: 'exit → restart (SIGKILL → running again, first restart)',
          value: median(restarts),
          unit: 'ms',
          note: `median of ${restarts.length}; max ${Math.round(Math.max(...restarts))} ms; PLEG relist every 1 s as upstream`,
        },
      ];
    } finally {
      for (const n of nodes) await n.stop().catch(() => undefined);
      client.close();
      await api.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
