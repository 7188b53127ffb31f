/**
 * exec and attach over WebSocket (`kubectl exec`, `kubectl cp`, `kubectl attach`), once the
 * session is upgraded (server.ts): the command runs through the runtime's Exec, its stdout and
 * stderr go out on channels 1 and 2, the client's stdin comes in on channel 0 until [255, 0], and
 * the end is one Status on channel 3 (Success, or NonZeroExitCode with the ExitCode cause kubectl
 * turns into its own exit code), then a normal close. The client going away kills the command.
 *
 * Attach: the runtime's Attach (engine/cri/attach.ts) joins the container's own stdio: its output
 * from now on, on channels 1 and 2 (one stream when the container has a tty), the client's input
 * into its stdin pipe when it was started with `stdin: true` (dropped otherwise, as containerd
 * does), until the container ends or, without stdinOnce, the client's input ends; then Success
 * on channel 3. Resize messages set the size of the container's (or the exec's) terminal.
 */
import type { AttachSession, ExecSession } from '../../cri/api.ts';
import { ChannelSocket, exitStatus, failureStatus, STDERR, STDOUT } from './channels.ts';
import type { StreamRuntime } from './host.ts';

export interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The flags and command of an exec or attach query (upstream: the query of PodExecOptions). */
export function streamFlags(query: URLSearchParams): StreamFlags & { command: string[] } {
  const on = (name: string) => ['true', '1'].includes(query.get(name) ?? '');
  return { stdin: on('stdin'), stdout: on('stdout'), stderr: on('stderr'), tty: on('tty'), command: query.getAll('command') };
}

export async function runExec(runtime: StreamRuntime, channels: ChannelSocket, containerId: string, flags: StreamFlags, command: string[]): Promise<void> {
  let session: ExecSession;
  try {
    session = await runtime.exec({ containerId, cmd: command, stdin: flags.stdin, stdout: flags.stdout, stderr: flags.stderr && !flags.tty, tty: flags.tty });
  } catch (error) {
    channels.finish(failureStatus(`Internal error occurred: error executing command in container: ${(error as Error).message}`));
    return;
  }
  // The client may have gone while the command started: its 'close' has passed, so kill it now.
  if (channels.gone) session.kill();
  else channels.ws.once('close', () => session.kill());
  channels.receive(session.stdin, (size) => session.resize?.(size));
  const outputs: Promise<void>[] = [];
  if (session.stdout) outputs.push(channels.pipeFrom(STDOUT, session.stdout));
  if (session.stderr) outputs.push(channels.pipeFrom(STDERR, session.stderr));
  const { exitCode } = await session.exited;
  await Promise.all(outputs);
  channels.finish(exitStatus(exitCode, command));
}

export async function runAttach(runtime: StreamRuntime, channels: ChannelSocket, containerId: string, flags: StreamFlags): Promise<void> {
  let session: AttachSession;
  try {
    session = await runtime.attach({ containerId, stdin: flags.stdin, stdout: flags.stdout, stderr: flags.stderr && !flags.tty, tty: flags.tty });
  } catch (error) {
    channels.finish(failureStatus(`Internal error occurred: error attaching to container: ${(error as Error).message}`));
    return;
  }
  if (channels.gone) session.detach();
  else channels.ws.once('close', () => session.detach());
  // Resize messages (channel 4) set the container's terminal size; without a terminal they are dropped.
  channels.receive(session.stdin, (size) => session.resize?.(size));
  const outputs: Promise<void>[] = [];
  if (session.stdout) outputs.push(channels.pipeFrom(STDOUT, session.stdout));
  if (session.stderr) outputs.push(channels.pipeFrom(STDERR, session.stderr));
  await session.ended;
  await Promise.all(outputs);
  channels.finish({ metadata: {}, status: 'Success' });
}
