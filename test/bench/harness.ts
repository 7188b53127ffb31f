/**
 * The benchmark harness. Each `test/bench/<name>.bench.ts` default-exports a Benchmark; `npm run
 * bench [name...]` runs them in turn and prints every figure next to its baseline, measured in the
 * same run, as a ratio, with the target and whether it was met. Results are also written as JSON
 * to .kubelings/bench/latest.json.
 *
 * Speed targets are met here, never in timed unit tests (flaky on shared machines).
 */

export interface Figure {
  /** What was measured, e.g. "durable puts, 64 writers". */
  name: string;
  value: number;
  /** e.g. "ops/s", "ms", "pods/s". */
  unit: string;
  /** The same quantity for the baseline measured in this run (absent for absolute targets). */
  baseline?: { name: string; value: number };
  /**
   * The target: `minRatio` (value/baseline at least), `maxRatio`, `min` or `max` (absolute).
   * Higher-is-better figures use min/minRatio; latencies use max/maxRatio.
   */
  target?: { minRatio?: number; maxRatio?: number; min?: number; max?: number };
  /** Anything a reader needs to interpret the figure (machine, sample size, caveats). */
  note?: string;
}

export interface Benchmark {
  name: string;
  /** One line on what it measures and against what. */
  description: string;
  run(): Promise<Figure[]>;
}

export function ratio(f: Figure): number | undefined {
  return f.baseline && f.baseline.value !== 0 ? f.value / f.baseline.value : undefined;
}

/** True, false, or undefined when the figure has no target. */
export function met(f: Figure): boolean | undefined {
  const t = f.target;
  if (!t) return undefined;
  const r = ratio(f);
  if (t.minRatio !== undefined && (r === undefined || r < t.minRatio)) return false;
  if (t.maxRatio !== undefined && (r === undefined || r > t.maxRatio)) return false;
  if (t.min !== undefined && f.value < t.min) return false;
  if (t.max !== undefined && f.value > t.max) return false;
  return true;
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0-100) of a list of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
