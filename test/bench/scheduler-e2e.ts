/**
 * The end-to-end half of the scheduler benchmark (see scheduler.bench.ts): a cluster in this process.
 */
import type { Figure } from './harness.ts';

export async function endToEnd(_nodeCounts: number[]): Promise<Figure[]> {
  throw new Error('the end-to-end scheduler benchmark waits for engine/cluster (startCluster) to land');
}
