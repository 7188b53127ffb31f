/**
 * The daemon's log files: each start of the control plane writes a fresh cluster.log, and the logs
 * of the runs before it are kept as cluster.log.1 (the last run), cluster.log.2, ... up to
 * CLUSTER_LOGS_KEPT; older ones are deleted. So the log of a run that was killed or crashed is still
 * there after the next `cluster up`, and a failed start shows only its own lines.
 *
 * Rotate only while no daemon writes the log (cluster up does it just before starting one).
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { CLUSTER_LOGS_KEPT } from '../params.ts';

/** The file that holds the log `generations` runs ago (0: the current run). */
export function logGeneration(file: string, generations: number): string {
  return generations === 0 ? file : `${file}.${generations}`;
}

/** Moves cluster.log to cluster.log.1, .1 to .2, ...; drops what falls past `kept`. */
export function rotateLog(file: string, kept = CLUSTER_LOGS_KEPT): void {
  if (!existsSync(file)) return;
  if (kept <= 0) {
    rmSync(file, { force: true });
    return;
  }
  rmSync(logGeneration(file, kept), { force: true });
  for (let n = kept - 1; n >= 0; n--) {
    const from = logGeneration(file, n);
    if (existsSync(from)) renameSync(from, logGeneration(file, n + 1));
  }
}

/** The last `lines` lines of a file ('' when it cannot be read). */
export function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** The message the daemon logged as its reason for not starting (see daemon.ts), if it logged one. */
export function startFailureIn(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').filter((l) => l.includes(`"${START_FAILED}"`));
  const last = lines.at(-1);
  if (!last) return undefined;
  const match = / error=("(?:[^"\\]|\\.)*"|\S+)/.exec(last);
  if (!match) return undefined;
  try {
    return match[1]!.startsWith('"') ? (JSON.parse(match[1]!) as string) : match[1]!;
  } catch {
    return match[1];
  }
}

/**
 * The warnings and errors in a log, as `component: message` lines (the log holds one run: cluster up
 * shows what recovery cut and kept aside on the terminal, not only in the log).
 */
export function warningsIn(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^[WE]\d{4} \S+ ([^\]]+)\] ("(?:[^"\\]|\\.)*")/.exec(line);
    if (match) found.push(`${match[1]}: ${JSON.parse(match[2]!) as string}`);
  }
  return found;
}

/** The log message daemon.ts writes when the control plane cannot start (with error=...). */
export const START_FAILED = 'the control plane failed to start';
