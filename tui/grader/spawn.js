/**
 * Starts the grader's child process (child.js). Plain JavaScript so that tui/bin/kubelings.js can
 * start it before tsx is even registered: vitest then loads in the child while the CLI loads in the
 * parent, which takes about half a second off `kubelings check`. runner.ts adopts that child.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

/**
 * Forks the child in its own process group (so a deadline can kill it and everything it started),
 * with stdout/stderr piped for crash reports and an IPC channel for results.
 * @param {{ find: string, replacement: string }[]} aliases module aliases for packs outside the project
 */
export function spawnGraderChild(aliases = []) {
  // KUBELINGS_GRADER_CHILD lets the grader's own tests stand in a child that misbehaves.
  const child = fork(process.env.KUBELINGS_GRADER_CHILD || join(HERE, 'child.js'), [], {
    cwd: ROOT,
    detached: true,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, KUBELINGS_ROOT: ROOT, KUBELINGS_ALIASES: JSON.stringify(aliases), FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  // A child adopted after it said 'ready' must not wait for that message again.
  child.on('message', (m) => {
    if (m && m.type === 'ready') child.kubelingsReady = true;
  });
  return child;
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let prestarted;

/** Starts a child now, for the first SuiteRunner of this process to adopt. */
export function prestartGraderChild() {
  prestarted ??= spawnGraderChild();
  // Don't let an unused child keep the CLI alive, nor outlive it.
  prestarted.unref();
  prestarted.channel?.unref();
  process.once('exit', () => {
    try {
      if (prestarted?.pid) process.kill(-prestarted.pid, 'SIGKILL');
    } catch {}
  });
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
