/**
 * What the runtime asks the operating system about processes: whether a pid is still the process
 * it started (pid plus start time, so that a reused pid is never killed), the members of a process
 * group, the processes carrying the runtime's marker in their environment, and cpu and memory use.
 * Linux reads /proc; other systems ask `ps`. A zombie counts as gone.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const linux = process.platform === 'linux';

export interface ProcStat {
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks of user and system cpu time. */
  utime: number;
  stime: number;
  /** Clock ticks since boot at which it started (an identity together with the pid). */
  startTime: string;
}

/** /proc/<pid>/stat, or undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  if (!linux) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), utime: Number(fields[11]), stime: Number(fields[12]), startTime: fields[19]! };
}

/** The start time of `pid` (an opaque string), or undefined when it does not run. */
export function processStartTime(pid: number): string | undefined {
  if (linux) return procStat(pid)?.startTime;
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** True while `pid` runs (not a zombie) and, when given, is the process that started at `startTime`. */
export function isLive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (linux) {
    const stat = procStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
    return startTime === undefined || stat.startTime === startTime;
  }
  return startTime === undefined || processStartTime(pid) === startTime;
}

/** Sends `signal` to `pid`; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to every process of group `pgid`; false when the group is empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function allPids(): number[] {
  if (!linux) return [];
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** The live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  if (linux)
    return allPids().filter((pid) => {
      const stat = procStat(pid);
      return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
    });
  try {
    return execFileSync('ps', ['-axo', 'pid=,pgid=,stat='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => Number(f[1]) === pgid && !f[2]?.startsWith('Z'))
      .map((f) => Number(f[0]));
  } catch {
    return [];
  }
}

/** Linux: the live processes whose environment holds `name=value` (empty elsewhere). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      return (environ.indexOf(needle) === 0 || environ.indexOf(Buffer.concat([Buffer.from('\0'), needle])) >= 0) && isLive(pid);
    } catch {
      return false;
    }
  });
}

/** Linux: cpu nanoseconds and resident bytes summed over `pids` (clock ticks at 100 per second). */
export function processUsage(pids: number[]): { cpuNs: number; rss: number } | undefined {
  if (!linux) return undefined;
  let cpuNs = 0;
  let rss = 0;
  for (const pid of pids) {
    const stat = procStat(pid);
    if (!stat) continue;
    cpuNs += (stat.utime + stat.stime) * 10_000_000;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) rss += Number(match[1]) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return { cpuNs, rss };
}
