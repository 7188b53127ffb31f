/**
 * The baseline for the scheduler's algorithm figure: SchedulingBasic scheduled by one hand-fused
 * loop, in the same process and run. It does the arithmetic the default profile does for these
 * pods (NodeUnschedulable and NodeResourcesFit filters; LeastAllocated, BalancedAllocation,
 * TaintToleration ×3 after normalising, ImageLocality; selectHost with the same seeded ties), but
 * with no framework: no plugin calls, no verdicts, no score columns, no snapshot. It is the floor
 * that the framework's structure costs against, and it must place every pod where the framework
 * does (the bench compares the two).
 */
import { seededRandom } from '#engine/scheduler/context.ts';

interface FusedNode {
  readonly name: string;
  readonly unschedulable: boolean;
  readonly allocatable: { readonly milliCPU: number; readonly memory: number; readonly pods: number };
  pods: number;
  milliCPU: number;
  memory: number;
}

export interface FusedResult {
  podsPerSecond: number;
  /** node name → pods placed there, warm-up included. */
  placed: Map<string, number>;
}

const MAX = 100;

/** Places warmup + measured pods of (milliCPU, memory) on `nodes` nodes of 4 cpu, 32Gi, 110 pods. */
export function fusedSchedulingBasic(nodes: number, warmup: number, measured: number, pod: { milliCPU: number; memory: number }): FusedResult {
  const list: FusedNode[] = Array.from({ length: nodes }, (_, i) => ({
    name: `node-${i}`,
    unschedulable: false,
    allocatable: { milliCPU: 4000, memory: 32 * 2 ** 30, pods: 110 },
    pods: 0,
    milliCPU: 0,
    memory: 0,
  }));
  const random = seededRandom(1);
  const feasible = new Int32Array(nodes);
  const scheduleOne = (): boolean => {
    let count = 0;
    for (let i = 0; i < nodes; i++) {
      const n = list[i]!;
      if (n.unschedulable || n.pods + 1 > n.allocatable.pods) continue;
      if (pod.milliCPU > n.allocatable.milliCPU - n.milliCPU || pod.memory > n.allocatable.memory - n.memory) continue;
      feasible[count++] = i;
    }
    if (count === 0) return false;
    let best = feasible[0]!;
    if (count > 1) {
      let bestScore = -1;
      let ties = 0;
      for (let k = 0; k < count; k++) {
        const n = list[feasible[k]!]!;
        const cpu = n.allocatable.milliCPU;
        const memory = n.allocatable.memory;
        const leastCPU = Math.trunc(((cpu - (n.milliCPU + pod.milliCPU)) * MAX) / cpu);
        const leastMemory = Math.trunc(((memory - (n.memory + pod.memory)) * MAX) / memory);
        const least = Math.trunc((leastCPU + leastMemory) / 2);
        const cpuFraction = Math.min(1, (n.milliCPU + pod.milliCPU) / cpu);
        const memoryFraction = Math.min(1, (n.memory + pod.memory) / memory);
        const balanced = Math.trunc((1 - Math.abs((cpuFraction - memoryFraction) / 2)) * MAX);
        const score = 3 * MAX + least + balanced; // no taints: TaintToleration normalises to 100 (×3); no images: 0
        if (score > bestScore) {
          bestScore = score;
          best = feasible[k]!;
          ties = 1;
        } else if (score === bestScore) {
          ties++;
          if (random(ties) === 0) best = feasible[k]!;
        }
      }
    }
    const chosen = list[best]!;
    chosen.pods++;
    chosen.milliCPU += pod.milliCPU;
    chosen.memory += pod.memory;
    return true;
  };
  for (let i = 0; i < warmup; i++) scheduleOne();
  const started = performance.now();
  let bound = 0;
  for (let i = 0; i < measured; i++) if (scheduleOne()) bound++;
  const seconds = (performance.now() - started) / 1000;
  return { podsPerSecond: bound / seconds, placed: new Map(list.map((n) => [n.name, n.pods])) };
}
