/**
 * The daemon's pid file (cluster.pid), and the check that the pid it names is still this project's
 * control plane before anyone trusts or signals it.
 *
 *   12345                 line 1: the pid (so `kill $(head -1 cluster.pid)` still works by hand)
 *   start-time: 98765     the process's start time when the file was written (see processes.ts)
 *
 * After a `kill -9` of the daemon the file stays, and the system may give the pid to any other
 * program. So a pid counts as the daemon only when the process that has it now started at the
 * recorded time and runs engine/cluster/daemon.ts on this project's data folder. A file without a
 * start time (written by an older kubelings) is judged by the command line alone. Where the system
 * cannot say which process has a pid (no /proc and no ps), the pid is 'unverified': never signalled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { processIdentity, type IdentitySource, type ProcessIdentity } from '../processes.ts';

/** What cluster.pid holds. */
export interface DaemonRecord {
  pid: number;
  /** The start time processIdentity() gave when the daemon was started; absent in old files. */
  startTime?: string;
}

/** What runs under the pid a pid file names. */
export type DaemonCheck =
  /** No pid file, or nothing runs under its pid any more. */
  | { state: 'none'; record?: DaemonRecord }
  /** This project's control plane, verified. */
  | { state: 'ours'; record: DaemonRecord; identity: ProcessIdentity }
  /** Another program has the pid now: the file is stale (the daemon was killed and the pid reused). */
  | { state: 'stranger'; record: DaemonRecord; identity: ProcessIdentity; why: string }
  /** Something runs under the pid and this system cannot tell what. */
  | { state: 'unverified'; record: DaemonRecord };

/** The script every daemon runs; its command line names it. */
export const DAEMON_SCRIPT = 'engine/cluster/daemon.ts';

export function readDaemonRecord(file: string): DaemonRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [first = '', ...rest] = text.split('\n');
  const pid = Number(first.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const record: DaemonRecord = { pid };
  for (const line of rest) {
    const match = /^start-time:\s*(.+)$/.exec(line.trim());
    if (match) record.startTime = match[1]!.trim();
  }
  return record;
}

/** Records `pid` and its start time, as it is now (call right after starting the daemon). */
export function writeDaemonRecord(file: string, pid: number, source?: IdentitySource): DaemonRecord {
  const identity = processIdentity(pid, source);
  const record: DaemonRecord = { pid, ...(identity && identity !== 'unknown' ? { startTime: identity.startTime } : {}) };
  writeFileSync(file, `${pid}\n${record.startTime ? `start-time: ${record.startTime}\n` : ''}`);
  return record;
}

/** Does `identity` look like the daemon serving `dataDir`? */
export function looksLikeDaemon(identity: ProcessIdentity, dataDir: string): boolean {
  const line = identity.commandLine.replaceAll('\\', '/');
  return line.includes(DAEMON_SCRIPT) && line.includes(`--data-dir ${dataDir.replaceAll('\\', '/')}`);
}

/** Judges the pid `record` names (see the file header). */
export function checkDaemon(record: DaemonRecord | undefined, dataDir: string, source?: IdentitySource): DaemonCheck {
  if (!record) return { state: 'none' };
  const identity = processIdentity(record.pid, source);
  if (identity === undefined) return { state: 'none', record };
  if (identity === 'unknown') return { state: 'unverified', record };
  if (record.startTime !== undefined && identity.startTime !== record.startTime) {
    const what = identity.commandLine ? `it runs "${shorten(identity.commandLine)}"` : 'it started after the control plane did';
    return { state: 'stranger', record, identity, why: what };
  }
  if (identity.commandLine && !looksLikeDaemon(identity, dataDir)) {
    return { state: 'stranger', record, identity, why: `it runs "${shorten(identity.commandLine)}"` };
  }
  if (!identity.commandLine && record.startTime === undefined) return { state: 'unverified', record };
  return { state: 'ours', record, identity };
}

/** True while the process `check` verified still has its pid (same start time): safe to signal. */
export function stillTheSame(check: Extract<DaemonCheck, { state: 'ours' }>, source?: IdentitySource): boolean {
  const now = processIdentity(check.record.pid, source);
  return now !== undefined && now !== 'unknown' && now.startTime === check.identity.startTime;
}

function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
