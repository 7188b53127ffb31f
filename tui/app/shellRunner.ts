/**
 * The real CommandRunner: `sh -c COMMAND` in the project root, with KUBECONFIG set to the
 * learner's cluster (`<stateDir>/kubeconfig`, where `cluster up` writes it), stdin closed, and
 * stderr joined to stdout so the two arrive in the order written (the outer shell runs
 * `exec sh -c "$1" 2>&1`: the command itself runs exactly as typed, in the same process).
 *
 * Each command gets a process group of its own (detached), so that stop() reaches everything it
 * started: SIGTERM to the group, SIGKILL LIVE_STOP_GRACE_MS later if anything of it is left, and
 * the end is reported once the group is gone. Groups still running when the TUI exits are killed
 * then (process 'exit'). `cluster up` puts its daemon in a session of its own, so the cluster
 * stays up after `cluster up` returns, as it should; `cluster down` stops it.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_STOP_GRACE_MS } from '#engine/params.ts';
import { ROOT, stateDir } from '#engine/paths.ts';
import type { CommandRunner, RunEnd, RunHandlers, RunningCommand } from './commandRunner.ts';

/** Process groups of commands still running, killed if the TUI exits first. */
const running = new Set<number>();
let exitHookInstalled = false;

/** Sends `signal` to the group; false when no process of it is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Is any process of the group still alive? A zombie is not: where nothing reaps orphans promptly
 * (a container's init), the group's dead children linger as zombies, and `kill(-pgid, 0)` still
 * finds them; /proc tells them apart (Linux). Called only while a command is being stopped.
 */
function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = readdirSync('/proc');
  } catch {
    return true; // no /proc: believe kill()
  }
  return pids.some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
      return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
    } catch {
      return false; // not a process, or it ended while we looked
    }
  });
}

function killLeftoversOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of running) signalGroup(pgid, 'SIGKILL');
  });
}

export interface ShellRunnerOptions {
  /** Where commands run (the project root). */
  cwd?: string;
  /** The kubeconfig for KUBECONFIG (read at each run: KUBELINGS_HOME may change in tests). */
  kubeconfig?: () => string;
  /** SIGTERM to SIGKILL, in ms. */
  graceMs?: number;
}

export function makeShellRunner(options: ShellRunnerOptions = {}): CommandRunner {
  const kubeconfig = options.kubeconfig ?? (() => join(stateDir(), 'kubeconfig'));
  return {
    get kubeconfig() {
      return kubeconfig();
    },
    run: (command, handlers) => runInGroup(command, handlers, options.cwd ?? ROOT, kubeconfig(), options.graceMs ?? LIVE_STOP_GRACE_MS),
  };
}

function runInGroup(command: string, handlers: RunHandlers, cwd: string, kubeconfig: string, graceMs: number): RunningCommand {
  const child = spawn('sh', ['-c', 'exec sh -c "$1" 2>&1', 'sh', command], {
    cwd,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let ended = false;
  let stopping = false;
  let closed = false;
  const finish = (end: RunEnd) => {
    if (ended) return;
    ended = true;
    if (child.pid) running.delete(child.pid);
    handlers.onEnd(end);
  };
  child.on('error', (error) => finish({ type: 'failed', message: error.message }));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => !ended && handlers.onOutput(text));
  child.on('close', (code, signal) => {
    closed = true;
    if (!stopping) finish(code !== null ? { type: 'exited', code } : { type: 'killed', signal: signal ?? 'a signal' });
  });
  const pgid = child.pid;
  if (pgid === undefined) return { stop: () => {} }; // 'error' reports why
  running.add(pgid);
  killLeftoversOnExit();

  const stop = () => {
    if (ended || stopping) return;
    stopping = true;
    signalGroup(pgid, 'SIGTERM');
    const killAt = Date.now() + graceMs;
    // Without /proc, orphaned zombies look alive: after SIGKILL, wait one more grace at most.
    const giveUpAt = killAt + graceMs;
    const check = () => {
      const left = groupAlive(pgid);
      if (left && Date.now() >= killAt) signalGroup(pgid, 'SIGKILL');
      // Once the group is gone, its last output is still read before the end is reported.
      if ((left || !closed) && Date.now() < giveUpAt) return void setTimeout(check, 50);
      // A pipe still held open by a process that left the group is closed here.
      if (!closed) child.stdout.destroy();
      finish({ type: 'stopped' });
    };
    setTimeout(check, 20);
  };
  return { stop };
}

export const shellRunner: CommandRunner = makeShellRunner();
