/**
 * exec and attach over WebSocket (`kubectl exec`, `kubectl cp`, `kubectl attach`), once the
 * session is upgraded (server.ts): the command runs through the runtime's Exec, its stdout and
 * stderr go out on channels 1 and 2, the client's stdin comes in on channel 0 until [255, 0], and
 * the end is one Status on channel 3 (Success, or NonZeroExitCode with the ExitCode cause kubectl
 * turns into its own exit code), then a normal close. The client going away kills the command.
 *
 * Attach: this runtime keeps no container's stdin or terminal (engine/cri/api.ts), so attach
 * streams the container's output from now on, read from its log file as it grows, until the
 * container stops; an attach that asks for stdin is refused on the error channel, saying so.
 */
import type { ExecSession } from '../../cri/api.ts';
import { readContainerLog } from '../../cri/logs/reader.ts';
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
  channels.ws.once('close', () => session.kill());
  channels.receive(session.stdin);
  const outputs: Promise<void>[] = [];
  if (session.stdout) outputs.push(channels.pipeFrom(STDOUT, session.stdout));
  if (session.stderr) outputs.push(channels.pipeFrom(STDERR, session.stderr));
  const { exitCode } = await session.exited;
  await Promise.all(outputs);
  channels.finish(exitStatus(exitCode, command));
}

export async function runAttach(runtime: StreamRuntime, channels: ChannelSocket, containerId: string, flags: StreamFlags): Promise<void> {
  if (flags.stdin) {
    channels.finish(
      failureStatus(
        'attaching to stdin is not served: the kubelings runtime runs containers without an open stdin (attach without -i streams the output; use kubectl exec -i for input)',
        400,
        'BadRequest',
      ),
    );
    return;
  }
  const abort = new AbortController();
  channels.ws.once('close', () => abort.abort());
  channels.receive(null);
  try {
    const { status } = await runtime.containerStatus({ containerId });
    const isRunning = async () => (await runtime.containerStatus({ containerId }).catch(() => undefined))?.status.state === 'CONTAINER_RUNNING';
    await readContainerLog(
      status.logPath,
      { tail: 0, follow: true, signal: abort.signal },
      (stream, bytes) => {
        if (stream === 'stdout' && flags.stdout) channels.send(STDOUT, bytes);
        if (stream === 'stderr' && (flags.stderr || flags.tty)) channels.send(flags.tty ? STDOUT : STDERR, bytes);
      },
      isRunning,
    );
    channels.finish({ metadata: {}, status: 'Success' });
  } catch (error) {
    channels.finish(failureStatus(`Internal error occurred: error attaching to container: ${(error as Error).message}`));
  }
}
