/**
 * `npm run bench scheduler`: after kube-scheduler's scheduler_perf SchedulingBasic
 * (test/integration/scheduler_perf/config/performance-config.yaml): N nodes of 4 cpu, 32Gi, 110
 * pods; 1,000 pods to warm up; then pods bound per second over 5,000 more, each requesting 100m cpu
 * and 500Mi memory (pod-default.yaml).
 *
 * "algorithm": the reference scheduler in process, no API: scheduleOne with a bind that confirms
 *   at once, as the informer would. Target ≥ 5,000 pods/s at 5,000 nodes scoring every node.
 * "end to end": a cluster (apiserver, scheduler, hollow nodes) in this process; pods created through
 *   the API; throughput counts pods seen bound by a watch. Target ≥ 270 pods/s at 5,000 nodes
 *   (upstream's CI floor for SchedulingBasic at 5,000 nodes).
 *
 * KUBELINGS_BENCH_SCHEDULER=algorithm|e2e runs one half.
 */
import { loadComponent } from '#engine/impl.ts';
import { assembleScheduler } from '#engine/scheduler/context.ts';
import type { Node, Pod } from '#engine/scheduler/types.ts';
import type { Benchmark, Figure } from './harness.ts';
import { fusedSchedulingBasic, type FusedResult } from './scheduler-fused.ts';

const WARMUP = 1_000;
const MEASURED = 5_000;

export function perfNode(i: number): Node {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: { capacity: { cpu: '4', memory: '32Gi', pods: '110' }, allocatable: { cpu: '4', memory: '32Gi', pods: '110' } },
  };
}

export function perfPod(i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'sched-perf' },
    spec: {
      containers: [
        { name: 'pause', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } },
      ],
    },
  };
}

async function algorithm(nodes: number, percentage: number): Promise<{ podsPerSecond: number; cpuPodsPerSecond: number; bound: number; nodesPerPod: number; placed: Map<string, number> }> {
  const s = await loadComponent('scheduler');
  const placed = new Map<string, number>();
  const sched = assembleScheduler(s, {
    now: () => performance.now(),
    percentageOfNodesToScore: percentage,
    bind: (pod, nodeName) => {
      placed.set(nodeName, (placed.get(nodeName) ?? 0) + 1);
      sched.cache.addPod({ ...pod, pod: { ...pod.pod, spec: { ...pod.pod.spec, nodeName } } });
      return Promise.resolve();
    },
  });
  for (let i = 0; i < nodes; i++) sched.cache.addNode(perfNode(i));
  const run = async (from: number, count: number) => {
    for (let i = from; i < from + count; i++) sched.queue.add(sched.podInfo(perfPod(i)));
    let bound = 0;
    for (let out = s.scheduleOne(sched.ctx); out; out = s.scheduleOne(sched.ctx)) if (out.nodeName) bound++;
    await Promise.resolve();
    return bound;
  };
  await run(0, WARMUP);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const bound = await run(WARMUP, MEASURED);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const nodesPerPod = s.numFeasibleNodesToFind(percentage, nodes);
  return { podsPerSecond: bound / seconds, cpuPodsPerSecond: bound / ((used.user + used.system) / 1e6), bound, nodesPerPod, placed };
}

/**
 * The hand-fused loop on the same cluster and pods (scheduler-fused.ts); it must have placed every
 * pod on the node the framework chose, or it is not a baseline for the same work.
 */
function fusedBaseline(nodes: number, framework: Map<string, number>): FusedResult {
  const requests = { milliCPU: 100, memory: 500 * 2 ** 20 }; // perfPod's requests
  const fused = fusedSchedulingBasic(nodes, WARMUP, MEASURED, requests);
  for (const [name, count] of fused.placed) {
    if ((framework.get(name) ?? 0) !== count) throw new Error(`the fused baseline placed ${count} pods on ${name}, the framework ${framework.get(name) ?? 0}`);
  }
  return fused;
}

const bench: Benchmark = {
  name: 'scheduler',
  description: 'SchedulingBasic after scheduler_perf: pods bound per second over 5,000 pods after 1,000 to warm up',
  async run() {
    const which = process.env.KUBELINGS_BENCH_SCHEDULER ?? 'all';
    const figures: Figure[] = [];
    if (which === 'all' || which === 'algorithm') {
      for (const nodes of [1_000, 5_000]) {
        for (const percentage of [100, 0]) {
          const r = await algorithm(nodes, percentage);
          const everyNode = percentage === 100;
          const fused = everyNode ? fusedBaseline(nodes, r.placed) : undefined;
          figures.push({
            name: `algorithm, ${nodes.toLocaleString('en-US')} nodes, ${percentage === 100 ? 'scoring every node' : 'adaptive sampling (percentageOfNodesToScore 0)'}`,
            value: r.podsPerSecond,
            unit: 'pods/s',
            ...(fused ? { baseline: { name: 'one hand-fused loop, no framework', value: fused.podsPerSecond } } : {}),
            ...(nodes === 5_000 && everyNode ? { target: { min: 5_000 } } : {}),
            note: `${r.bound} of ${MEASURED} bound; ${Math.round(r.cpuPodsPerSecond)} pods per CPU-second; ${Math.round(1e9 / r.podsPerSecond / r.nodesPerPod)} ns per node filtered and scored (${r.nodesPerPod.toLocaleString('en-US')} a pod); reference plugins, in process, bind confirmed at once; one thread`,
          });
        }
      }
    }
    if (which === 'all' || which === 'e2e') {
      const { endToEnd } = await import('./scheduler-e2e.ts');
      figures.push(...(await endToEnd([1_000, 5_000])));
    }
    return figures;
  },
};

export default bench;
