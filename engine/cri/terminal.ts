/**
 * A pseudo-terminal for a container or an exec with `tty: true`, without a native module: the
 * process runs under util-linux script(1) (`script -q -f -e -c "exec …" /dev/null`), which opens a
 * pty pair, runs the command with the terminal side as its stdin, stdout and stderr (so isatty()
 * is true, a shell prompts, the line discipline echoes input and writes \r\n), and copies between
 * its own stdin/stdout pipes (ours) and the pty. Its exit code is the command's (-e). The terminal
 * starts at 0×0 until the client's first resize, which sets it with `stty -F <pty> rows R cols C`
 * (the kernel then sends SIGWINCH to the terminal's foreground process group).
 *
 * Differences from a runtime's own pty, said where they show: the container's main process is
 * script; on SIGTERM it gives the command SIGTERM and, 2 s later, SIGKILL (a longer grace period
 * is cut short), and other stop signals reach script, not the command; SHELL is /bin/sh (script
 * runs the command through it); argv[0] is the executable's path. Without script(1) on the
 * machine, `terminalArgv` answers undefined and the caller runs the process on pipes, saying so.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { TERMINAL_RESIZE_RETRY_MS, TERMINAL_RESIZE_WAIT_MS } from '../params.ts';
import { findExecutable } from './launch.ts';

const SEARCH_PATH = '/usr/bin:/bin:/usr/local/bin';

let scriptPath: string | undefined | null = null;

/** script(1), when the machine has it. */
function script(): string | undefined {
  if (scriptPath === null) scriptPath = findExecutable('script', SEARCH_PATH, '/');
  return scriptPath;
}

/** Whether processes can be given a pseudo-terminal here. */
export function terminalAvailable(): boolean {
  return script() !== undefined;
}

/** One word for `sh -c`, quoted so that nothing in it is expanded. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The argv that runs `argv` on a new pseudo-terminal, or undefined when script(1) is missing. */
export function terminalArgv(argv: string[]): string[] | undefined {
  const file = script();
  if (!file) return undefined;
  return [file, '-q', '-f', '-e', '-c', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'];
}

/** The environment a terminal's process gets: SHELL for script(1), TERM as containerd's WithTTY sets it. */
export function terminalEnv(env: Record<string, string>): Record<string, string> {
  return { ...env, SHELL: '/bin/sh', TERM: env.TERM || 'xterm' };
}

/** The parent pid in /proc/<pid>/stat, or undefined. */
function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The pty device of the process under script `scriptPid` (its child's stdin), or undefined. */
export function terminalDevice(scriptPid: number): string | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (parentOf(pid) !== scriptPid) continue;
    try {
      const device = readlinkSync(`/proc/${pid}/fd/0`);
      if (device.startsWith('/dev/pts/')) return device;
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

/** The size each terminal was last asked for, so that a late retry never undoes a newer resize. */
const wanted = new Map<number, string>();

/**
 * Sets the terminal's size (a client's resize message); ignores sizes that make no sense. The
 * first resize of a session can come before script(1) has started the command: the pty is
 * looked for again for up to TERMINAL_RESIZE_WAIT_MS.
 */
export function resizeTerminal(scriptPid: number, size: { Width?: number; Height?: number }): void {
  const cols = Number(size.Width);
  const rows = Number(size.Height);
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0 || cols > 10_000 || rows > 10_000) return;
  const key = `${rows}x${cols}`;
  wanted.set(scriptPid, key);
  const until = Date.now() + TERMINAL_RESIZE_WAIT_MS;
  const attempt = () => {
    if (wanted.get(scriptPid) !== key) return;
    const device = terminalDevice(scriptPid);
    if (!device) {
      if (Date.now() < until) setTimeout(attempt, TERMINAL_RESIZE_RETRY_MS).unref();
      else wanted.delete(scriptPid);
      return;
    }
    execFile('stty', ['-F', device, 'rows', String(rows), 'cols', String(cols)], () => {
      if (wanted.get(scriptPid) === key) wanted.delete(scriptPid);
    });
  };
  attempt();
}
