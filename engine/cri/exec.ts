/**
 * ExecSync and Exec: a command run "in" a running container, which here means with the
 * container's environment and working folder, in its cgroup when it has one, in a process group of
 * its own (so that a timeout or the container's end kills all of it). The executable is looked up
 * on the container's PATH (but `tar` and `test` are the built-in applets over the container's
 * folder, for `kubectl cp`: engine/images/applets.ts); a missing one fails as runc's exec fails.
 * ExecSync keeps at most EXEC_SYNC_MAX_OUTPUT_BYTES of each stream (the CRI's cap) and, with a
 * timeout, kills the command when it passes and fails with DeadlineExceeded (the kubelet counts an
 * exec probe that times out as failed). Exec hands back the streams; with `tty`, the command runs
 * on a pseudo-terminal (./terminal.ts: stderr comes on stdout, as the CRI says) whose size the
 * client's resize messages set; without script(1) on the machine, on pipes (a warning says so).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import { EXEC_SYNC_MAX_OUTPUT_BYTES } from '../params.ts';
import type { ExecRequest, ExecSession, ExecSyncRequest, ExecSyncResponse, TerminalSize } from './api.ts';
import { joinCommand } from './cgroups/driver.ts';
import { CriError } from './errors.ts';
import { findExecutable } from './launch.ts';
import { signalGroup } from './procfs.ts';
import { resizeTerminal, terminalArgv, terminalEnv } from './terminal.ts';

export interface ExecContext {
  env: Record<string, string>;
  cwd: string;
  /** The container's cgroup.procs files, when it has a cgroup. */
  procsFiles?: string[];
  /** Kernel mode: wraps the argv so that it starts in the pod's network namespace. */
  wrap?: (argv: string[]) => string[];
  /** Called with each exec process once started (the runtime records it for cleanup). */
  track(child: ChildProcess): void;
  /** The argv prefix of a built-in applet that runs `command` (engine/images/applets.ts: tar, test), if any. */
  applet?(command: string): string[] | undefined;
}

function startCommand(ctx: ExecContext, cmd: string[], stdin: boolean, tty = false): { child: ChildProcess; terminal: boolean } {
  if (!Array.isArray(cmd) || cmd.length === 0 || !cmd[0]) throw new CriError('InvalidArgument', 'exec needs a command');
  const applet = ctx.applet?.(cmd[0]);
  const file = applet ? applet[0] : findExecutable(cmd[0], ctx.env.PATH ?? '', ctx.cwd);
  if (!file)
    throw new CriError('Unknown', `failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd[0]}": executable file not found in $PATH`);
  let argv = applet ? [...applet, ...cmd.slice(1)] : [file, ...cmd.slice(1)];
  const onTerminal = tty ? terminalArgv(argv) : undefined;
  if (onTerminal) argv = onTerminal;
  if (ctx.procsFiles) argv = joinCommand(ctx.procsFiles, argv);
  if (ctx.wrap) argv = ctx.wrap(argv);
  // On a terminal, stdin is always a pipe (left unwritten without -i): an empty one would type an end-of-file.
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ctx.cwd,
    env: onTerminal ? terminalEnv(ctx.env) : ctx.env,
    detached: true,
    stdio: [stdin || onTerminal ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(onTerminal ? {} : { argv0: cmd[0] }),
  });
  ctx.track(child);
  return { child, terminal: Boolean(onTerminal) };
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (osConstants.signals[signal ?? 'SIGKILL'] ?? 9);
}

export async function runExecSync(ctx: ExecContext, req: ExecSyncRequest): Promise<ExecSyncResponse> {
  const { child } = startCommand(ctx, req.cmd, false);
  const collect = (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size >= EXEC_SYNC_MAX_OUTPUT_BYTES) return;
      const part = chunk.subarray(0, EXEC_SYNC_MAX_OUTPUT_BYTES - size);
      chunks.push(part);
      size += part.length;
    });
    return chunks;
  };
  const stdout = collect(child.stdout!);
  const stderr = collect(child.stderr!);
  let timedOut = false;
  const timer =
    req.timeout && req.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          if (child.pid) signalGroup(child.pid, 'SIGKILL');
        }, req.timeout * 1000)
      : undefined;
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new CriError('DeadlineExceeded', `command ${JSON.stringify(req.cmd)} timed out after ${req.timeout} s`);
  return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: exitCodeOf(code, signal) };
}

export async function runExec(ctx: ExecContext, req: ExecRequest): Promise<ExecSession> {
  if (!req.stdin && !req.stdout && !req.stderr) throw new CriError('InvalidArgument', 'one of stdin, stdout, and stderr must be true');
  if (req.tty && req.stderr) throw new CriError('InvalidArgument', 'tty and stderr cannot both be true');
  const { child, terminal } = startCommand(ctx, req.cmd, Boolean(req.stdin), Boolean(req.tty));
  const warnings =
    req.tty && !terminal ? ['no pseudo-terminal: script(1) (util-linux) is not installed, so the command runs with pipes and programs that need a terminal (vi, top) will not draw'] : [];
  child.stdin?.on('error', () => undefined);
  let stdout: Readable | null = req.stdout ? child.stdout : null;
  if (req.tty) {
    // One stream, as a terminal gives: stdout and stderr interleaved as they come.
    const merged = new PassThrough();
    let open = 2;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(merged, { end: false });
      stream.once('end', () => --open === 0 && merged.end());
    }
    stdout = merged;
  } else {
    if (!req.stderr) child.stderr!.resume();
    if (!req.stdout) child.stdout!.resume();
  }
  const exited = new Promise<{ exitCode: number }>((resolve) => {
    child.once('error', () => resolve({ exitCode: 126 }));
    child.once('close', (code, signal) => resolve({ exitCode: exitCodeOf(code, signal) }));
  });
  return {
    stdin: req.stdin ? child.stdin : null,
    stdout,
    stderr: req.stderr && !req.tty ? child.stderr : null,
    exited,
    kill: () => {
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
    },
    ...(terminal && child.pid ? { resize: (size: TerminalSize) => resizeTerminal(child.pid!, size) } : {}),
    warnings,
  };
}
