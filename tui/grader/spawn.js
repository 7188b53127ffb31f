/**
 * Starts the grader's child process (child.js) and makes sure it never outlives this process.
 * Plain JavaScript so that tui/bin/kubelings.js can start it before tsx is even registered: vitest
 * then loads in the child while the CLI loads in the parent, which takes about half a second off
 * `kubelings check`. runner.ts adopts that child.
 *
 * The child is started through a small shell, `sh -c 'node child.js; exit $?'`, in a session of
 * its own:
 *   - the learner's code then sees the shell as `process.ppid`, so `process.kill(process.ppid)`
 *     ends the shell (the grader notices and says so), not the CLI or the TUI;
 *   - the session, the process group and a marker in the environment (reap.js) let the grader
 *     find and end every process a run started, detached ones included.
 *
 * Invariants: every child started here is ended (with everything its run started) when it exits,
 * when this process exits, and on SIGINT, SIGTERM or SIGHUP, after which the signal does what it
 * would have done (unless the program handles it itself, as `watch` does). If this process is
 * killed outright (SIGKILL), the child notices on its own (child.js) and ends its run.
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endRunProcesses, procInfo, RUN_MARKER } from './reap.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

/**
 * Heap limit of the test worker (where the learner's code runs), in MB: child.js gives it to the
 * worker as resourceLimits. A run that needs more ends at once as "used too much memory" instead
 * of growing for its whole deadline. The core suites on the reference peak far below it.
 * KUBELINGS_GRADE_HEAP_MB overrides it (the grader's own tests use a small one). Not a
 * --max-old-space-size for the whole child: any V8 flag costs node its code cache, about 70 ms of
 * CPU on every check.
 */
const HEAP_MB = 768;

/** The heap limit children get, in MB. */
export function graderHeapLimitMb() {
  return Number(process.env.KUBELINGS_GRADE_HEAP_MB) || HEAP_MB;
}

/** Children started and not yet ended. */
const live = new Set();

/**
 * Forks the child in its own session, with stdout/stderr piped for crash reports and an IPC
 * channel for results. The returned ChildProcess is the launching shell; `kubelingsMarker` is its
 * run marker, and `kubelingsGraderPid` the node process's pid once it said 'ready'.
 * @param {{ find: string, replacement: string }[]} aliases module aliases for packs outside the project
 */
export function spawnGraderChild(aliases = []) {
  // KUBELINGS_GRADER_CHILD lets the grader's own tests stand in a child that misbehaves.
  const script = process.env.KUBELINGS_GRADER_CHILD || join(HERE, 'child.js');
  const marker = randomBytes(8).toString('hex');
  const env = {
    ...process.env,
    KUBELINGS_ROOT: ROOT,
    KUBELINGS_ALIASES: JSON.stringify(aliases),
    KUBELINGS_GRADE_HEAP_MB: String(graderHeapLimitMb()),
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    [RUN_MARKER]: marker,
    // Who to outlive: the child ends its run when this process is gone (pid and start time, as pids are reused).
    KUBELINGS_GRADER_PARENT: `${process.pid}:${procInfo(process.pid)?.start ?? ''}`,
  };
  const options = { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env };
  const child = process.platform === 'win32' ? fork(script, [], { ...options, execArgv: [] }) : spawn('/bin/sh', ['-c', '"$0" "$@"; exit $?', process.execPath, script], options);
  child.kubelingsMarker = marker;
  child.kubelingsStart = procInfo(child.pid)?.start;
  child.kubelingsQuiet = true; // nothing of a run has started yet
  live.add(child);
  guardThisProcess();
  child.once('exit', () => endGraderChild(child));
  // A child adopted after it said 'ready' must not wait for that message again.
  child.on('message', (m) => {
    if (m && m.type === 'ready') {
      child.kubelingsReady = true;
      child.kubelingsGraderPid = m.pid;
    }
  });
  return child;
}

/** Ends a child and every process its runs started (its session, group, marked processes). */
export function endGraderChild(child) {
  live.delete(child);
  if (!child.pid || child.kubelingsEnded) return;
  child.kubelingsEnded = true;
  // Nothing ran since endStrays found nothing: the group (launcher and grader) is all there is.
  if (child.kubelingsQuiet) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  } else endRunProcesses(child.pid, child.kubelingsMarker ?? '', { rootStart: child.kubelingsStart });
  try {
    child.kill('SIGKILL');
  } catch {}
}

/**
 * Ends what a run started but leaves the child itself (and its launcher) running, for a warm
 * child between runs: a learner's background process must not outlive the run that started it.
 */
export function endStrays(child) {
  if (!child.pid) return [];
  const keep = [child.pid, child.kubelingsGraderPid].filter(Boolean);
  const ended = endRunProcesses(child.pid, child.kubelingsMarker ?? '', { keep, rootStart: child.kubelingsStart, group: false });
  child.kubelingsQuiet = ended.length === 0;
  return ended;
}

/** A run starts in the child: what it starts must be looked for again. */
export function markBusy(child) {
  child.kubelingsQuiet = false;
}

let guarding = false;
/** Ends every live child when this process exits or is told to stop by a signal. */
function guardThisProcess() {
  if (guarding) return;
  guarding = true;
  process.on('exit', () => {
    for (const child of [...live]) endGraderChild(child);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const onSignal = () => {
      for (const child of [...live]) endGraderChild(child);
      // Nobody else handles it: let the signal do what it would have done without us.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let prestarted;

/** Starts a child now, for the first SuiteRunner of this process to adopt. */
export function prestartGraderChild() {
  prestarted ??= spawnGraderChild();
  // Don't let an unused child keep the CLI alive (it is ended when the CLI exits).
  prestarted.unref();
  prestarted.channel?.unref();
}

/** Hands over the prestarted child (once), or undefined. */
export function adoptPrestartedChild() {
  const child = prestarted;
  prestarted = undefined;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.ref();
    child.channel?.ref();
    return child;
  }
  return undefined;
}
