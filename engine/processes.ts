/**
 * Whether a process still runs, and which process it is, for files that name their owner's pid (the
 * etcd data folder's lock, the cluster daemon's pid file, the stub folders of a `pack check`).
 *
 * A pid alone does not name a process: once its owner is gone (a `kill -9`, a crash, a reboot) the
 * system hands the number to the next process that starts. Before trusting or signalling a pid read
 * from a file, compare the identity recorded when the file was written (its start time) with the
 * process that has the pid now, and look at its command line:
 *   - Linux: /proc/PID/stat (field 22, the start time in clock ticks since boot) and /proc/PID/cmdline;
 *   - other Unix systems (macOS, the BSDs): `ps -o lstart= -p PID` and `ps -o command= -p PID`;
 *   - elsewhere (no /proc, no ps): 'unknown', and callers must not signal what they cannot identify.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** True while `pid` runs: signal 0 checks without sending anything (EPERM: it runs as someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What tells one process from a later one that got the same pid. */
export interface ProcessIdentity {
  /** When it started, as this system counts it (Linux: ticks since boot; ps: its lstart text). */
  startTime: string;
  /** Its command line, arguments joined by spaces ('' when the system does not show it). */
  commandLine: string;
}

/** Where identities come from: 'proc' on Linux, 'ps' on other Unix systems, 'none' where neither exists. */
export type IdentitySource = 'proc' | 'ps' | 'none';

let detected: IdentitySource | undefined;

/** The source this system offers (detected once). */
export function identitySource(): IdentitySource {
  if (detected) return detected;
  if (existsSync('/proc/self/stat')) detected = 'proc';
  else {
    try {
      execFileSync('ps', ['-o', 'pid=', '-p', String(process.pid)], { stdio: ['ignore', 'pipe', 'ignore'] });
      detected = 'ps';
    } catch {
      detected = 'none';
    }
  }
  return detected;
}

/**
 * The identity of the process that has `pid` now: undefined when none runs; 'unknown' when this
 * system offers no way to tell (then treat the pid as unverified, never as yours).
 */
export function processIdentity(pid: number, source: IdentitySource = identitySource()): ProcessIdentity | undefined | 'unknown' {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (source === 'proc') return fromProc(pid);
  if (source === 'ps') return fromPs(pid);
  return isProcessAlive(pid) ? 'unknown' : undefined;
}

function fromProc(pid: number): ProcessIdentity | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so count fields after the last ')'.
  // After it come field 3 (state) onwards; the start time is field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = fields[22 - 3];
  // A zombie (Z) or dead (X) process has ended; only its parent has not collected it yet.
  if (startTime === undefined || fields[0] === 'Z' || fields[0] === 'X') return undefined;
  let commandLine = '';
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    // hidden from us (hidepid): the start time still identifies it
  }
  return { startTime, commandLine };
}

function fromPs(pid: number): ProcessIdentity | undefined {
  const ask = (column: string): string | undefined => {
    try {
      return execFileSync('ps', ['-o', `${column}=`, '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined; // ps exits 1 when no process has the pid
    }
  };
  const startTime = ask('lstart');
  if (!startTime) return undefined;
  return { startTime, commandLine: ask('command') ?? '' };
}
