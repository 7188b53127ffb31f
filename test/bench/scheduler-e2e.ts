/**
 * The end-to-end half of the scheduler benchmark (see scheduler.bench.ts): SchedulingBasic through
 * the apiserver, against the control plane exactly as `kubelings cluster up --nodes N --hollow`
 * runs it: a daemon process holding the store (durable, in a temporary folder), the apiserver, the
 * reference scheduler (default adaptive percentageOfNodesToScore, as scheduler_perf runs it) and N
 * nodes (4 cpu, 32Gi, 110 pods): once as static Node objects, as scheduler_perf creates them (no
 * kubelet: the target applies here), once as hollow kubelets (Leases renewed every 10 s, pods marked
 * Running: one more write per pod and N/10 writes a second on top). This process creates
 * the pods, 32 creates in flight, as scheduler_perf's client does. Pods bound per second = pods seen
 * bound by a watch / time from the first create of the measured batch to the last binding seen.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '#engine/client/client.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { readCaCert } from '#engine/cluster/pki-files.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';
import type { Figure } from './harness.ts';
import { perfPod } from './scheduler.bench.ts';

const WARMUP = 1_000;
const MEASURED = 5_000;
const CREATES_IN_FLIGHT = 32;

async function createPods(client: KubeClient, from: number, count: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < from + count) {
      const i = next++;
      await client.create('pods', perfPod(i) as unknown as KubeObject, { namespace: 'sched-perf' });
    }
  };
  await Promise.all(Array.from({ length: CREATES_IN_FLIGHT }, worker));
}

/** Starts `cluster up`'s daemon with these component flags; resolves with its URL, its CA and admin token, its pid, its components' pids and a stop(). */
export async function startDaemon(
  flags: Record<string, unknown>,
): Promise<{ url: string; ca: string; token: string; pid: number; componentPid(name: string): number | undefined; stop(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'kubelings-bench-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'engine', 'cluster', 'daemon.ts'), '--port', '0', '--data-dir', join(home, 'data'), '--flags', JSON.stringify(flags), '--log-level', 'warn'],
    {
      env: { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: 'solutions' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const stateFile = join(home, 'cluster.json');
  const deadline = Date.now() + 300_000;
  while (!existsSync(stateFile)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the control plane did not start (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { url } = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string };
  const paths = clusterPaths(home);
  return {
    url,
    ca: readCaCert(paths.pkiDir),
    token: readAdminToken(paths.tokenFile),
    pid: child.pid!,
    // Each component runs in a process of its own under the daemon (engine/cluster/supervisor.ts).
    componentPid: (name) => (JSON.parse(readFileSync(join(home, 'components.json'), 'utf8')) as { components: { name: string; pid?: number }[] }).components.find((c) => c.name === name)?.pid,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function measureEndToEnd(nodes: number, hollow: true | 'static'): Promise<{ podsPerSecond: number; bound: number; setupSeconds: number }> {
  const setupStarted = performance.now();
  const daemon = await startDaemon({ nodes, hollow, nodeMemory: '32Gi' });
  const client = new KubeClient({ server: daemon.url, ca: daemon.ca, token: daemon.token, userAgent: 'scheduler-perf' });
  try {
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sched-perf' } });
    const boundAt: number[] = [];
    const seen = new Set<string>();
    const watch = client.watch<KubeObject>(
      'pods',
      { namespace: 'sched-perf' },
      {
        onEvent: (e) => {
          const pod = e.object as KubeObject & { spec?: { nodeName?: string } };
          if (pod?.spec?.nodeName && !seen.has(pod.metadata.name!)) {
            seen.add(pod.metadata.name!);
            boundAt.push(performance.now());
          }
        },
        onClose: () => {},
      },
    );
    const waitBound = async (n: number, limitMs: number) => {
      const deadline = performance.now() + limitMs;
      while (seen.size < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await createPods(client, 0, WARMUP);
    await waitBound(WARMUP, 120_000);
    const started = performance.now();
    await createPods(client, WARMUP, MEASURED);
    await waitBound(WARMUP + MEASURED, 300_000);
    watch.stop();
    const measured = boundAt.slice(WARMUP);
    const last = measured.length ? measured[measured.length - 1]! : performance.now();
    return { podsPerSecond: measured.length / ((last - started) / 1000), bound: measured.length, setupSeconds };
  } finally {
    client.close();
    await daemon.stop();
  }
}

export async function endToEnd(nodeCounts: number[]): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const nodes of nodeCounts) {
    for (const hollow of ['static', true] as const) {
      const r = await measureEndToEnd(nodes, hollow);
      const what = hollow === 'static' ? 'static nodes as scheduler_perf creates them (--hollow static)' : 'hollow kubelets renewing Leases and marking pods Running (--hollow)';
      figures.push({
        name: `end to end through the apiserver, ${nodes.toLocaleString('en-US')} ${what}`,
        value: r.podsPerSecond,
        unit: 'pods/s',
        ...(nodes === 5_000 && hollow === 'static' ? { target: { min: 270 } } : {}),
        note: `${r.bound} of ${MEASURED} bound; store, apiserver, scheduler and hollow nodes in one daemon process (one thread), pods created from a second process; ${r.setupSeconds.toFixed(1)} s to start and register the nodes`,
      });
    }
  }
  return figures;
}
