/**
 * How busy a process was over a stretch of time, to tell a test that spins (`while (true) {}`)
 * from one that waits on a promise that never settles, when the deadline passes.
 *
 * Measured as the time its threads were runnable (running, or ready and waiting for a CPU), from
 * /proc/<pid>/task/<tid>/schedstat: on a loaded machine a spinning thread may get only a fifth of a
 * CPU, but it is runnable all the time; a waiting one almost never is. Without schedstat, CPU time
 * from /proc/<pid>/stat is used instead (a looser measure under load). Without /proc: no answer.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Busyness {
  atMs: number;
  /** Runnable time of all threads, in ns (schedstat), or CPU time in clock ticks (stat). */
  runnable?: number;
  ticks?: number;
  /** Set when compared with an earlier sample: runnable (or CPU) time over wall time, 0 to about 1. */
  fraction?: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

function runnableNs(pid: number): number | undefined {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').trim().split(' ').map(Number);
      total += (run ?? 0) + (wait ?? 0);
    }
    return total;
  } catch {
    return undefined;
  }
}

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** A sample of `pid`; with `since`, also the busy fraction between the two. */
export function cpuBusyness(pid: number | undefined, since?: Busyness): Busyness | undefined {
  if (!pid) return undefined;
  const sample: Busyness = { atMs: performance.now(), runnable: runnableNs(pid), ticks: cpuTicks(pid) };
  if (!since) return sample;
  const wallMs = sample.atMs - since.atMs;
  if (wallMs <= 0) return sample;
  if (sample.runnable !== undefined && since.runnable !== undefined) sample.fraction = (sample.runnable - since.runnable) / 1e6 / wallMs;
  else if (sample.ticks !== undefined && since.ticks !== undefined) sample.fraction = ((sample.ticks - since.ticks) * 1000) / CLOCK_TICKS_PER_SECOND / wallMs;
  return sample;
}
