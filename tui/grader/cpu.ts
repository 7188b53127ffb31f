/**
 * How busy a process was over a stretch of time, to tell a test that spins (`while (true) {}`)
 * from one that waits on a promise that never settles, when the deadline passes.
 *
 * Measured as the time its busiest thread was runnable (running, or ready and waiting for a CPU),
 * from /proc/<pid>/task/<tid>/schedstat: on a loaded machine a spinning thread may get only a fifth
 * of a CPU, but it is runnable all the time; a waiting thread is runnable only for its timers'
 * brief wake-ups (which, on a loaded machine, can each wait a while for a CPU: hence the busiest
 * single thread, not the sum). Without schedstat, CPU time from /proc/<pid>/stat is used instead
 * (a looser measure under load). Without /proc: no answer.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Busyness {
  atMs: number;
  /** Runnable time of each thread, in ns (schedstat). */
  runnable?: Map<string, number>;
  /** CPU time of the whole process in clock ticks (stat). */
  ticks?: number;
  /** Set when compared with an earlier sample: the busiest thread's runnable time (or the process's CPU time) over wall time, 0 to about 1. */
  fraction?: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

function runnableNs(pid: number): Map<string, number> | undefined {
  try {
    const threads = new Map<string, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').trim().split(' ').map(Number);
        threads.set(tid, (run ?? 0) + (wait ?? 0));
      } catch {
        // The thread ended meanwhile.
      }
    }
    return threads.size > 0 ? threads : undefined;
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
  if (sample.runnable !== undefined && since.runnable !== undefined) {
    let busiest = 0;
    for (const [tid, now] of sample.runnable) busiest = Math.max(busiest, now - (since.runnable.get(tid) ?? now));
    sample.fraction = busiest / 1e6 / wallMs;
  } else if (sample.ticks !== undefined && since.ticks !== undefined) sample.fraction = ((sample.ticks - since.ticks) * 1000) / CLOCK_TICKS_PER_SECOND / wallMs;
  return sample;
}
