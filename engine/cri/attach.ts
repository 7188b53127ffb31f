/**
 * Attach: a client joins a running container's own stdin and output (the CRI's Attach, as
 * containerd's ContainerIO.Attach serves it: internal/cri/io/container_io.go).
 *
 * - Output: from the moment of attaching (no history: `kubectl logs` has that), each chunk the
 *   process writes, on stdout and stderr; with the container's `tty`, one stream (stdout), as a
 *   terminal would give it. The streams end when the container has ended and its output is written.
 * - Input: only a container started with `stdin: true` has a stdin pipe; the client's input goes
 *   into it. A client that asks for stdin of a container without one gets no error: its input is
 *   dropped, as containerd drops it. When the client's input ends: with `stdinOnce` (and no tty)
 *   the container's stdin is closed and the output goes on until the container ends (kubectl run
 *   -i); otherwise the session ends there, and the container's stdin stays open for the next one.
 * - The container's `tty` is the container's, not the request's (the kubelet's GetAttach reads it
 *   from the pod spec). With one, the process is on a pseudo-terminal (./terminal.ts) and a
 *   client's resize sets its size.
 * Invariant: a session never ends the container's stdin except through stdinOnce, and it stops
 * receiving output once it has ended (its listener is removed), so a gone client costs nothing.
 */
import { PassThrough, Writable } from 'node:stream';
import type { AttachRequest, AttachSession, TerminalSize } from './api.ts';
import { CriError } from './errors.ts';
import type { LiveContainer, OutputListener } from './process.ts';
import { resizeTerminal } from './terminal.ts';

export function attachContainer(entry: LiveContainer, req: AttachRequest): AttachSession {
  const { record } = entry;
  if (!req.stdin && !req.stdout && !req.stderr) throw new CriError('InvalidArgument', 'one of stdin, stdout, and stderr must be set');
  if (req.tty && req.stderr) throw new CriError('InvalidArgument', 'tty and stderr cannot both be true');
  const exited = entry.exited;
  const attached = entry.attached;
  if (record.state !== 'CONTAINER_RUNNING' || !exited || !attached) throw new CriError('FailedPrecondition', `container is in ${record.state} state`);
  const tty = record.config.tty === true;
  const stdout = req.stdout ? new PassThrough() : null;
  const stderr = req.stderr && !tty ? new PassThrough() : null;
  const listener: OutputListener = (stream, chunk) => {
    const to = stream === 'stdout' || tty ? stdout : stderr;
    if (to && !to.writableEnded) to.write(chunk);
  };
  attached.add(listener);
  let done = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  const detach = () => {
    if (done) return;
    done = true;
    attached.delete(listener);
    stdout?.end();
    stderr?.end();
    resolveEnded();
  };
  void exited.then(detach);

  const target = entry.stdin;
  let stdin: Writable | null = null;
  if (req.stdin && target) {
    stdin = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (done || target.writableEnded || target.destroyed) return callback();
        if (target.write(chunk)) return callback();
        // Wait for the pipe to take more (or to go away), so a fast client cannot fill memory.
        const go = () => {
          target.off('drain', go);
          target.off('close', go);
          callback();
        };
        target.once('drain', go);
        target.once('close', go);
      },
      final(callback) {
        if (record.config.stdinOnce && !tty) {
          if (!target.writableEnded) target.end();
        } else {
          detach();
        }
        callback();
      },
    });
    stdin.on('error', () => undefined);
  }
  const pid = record.pid;
  return { stdin, stdout, stderr, ended, detach, ...(entry.terminal ? { resize: (size: TerminalSize) => resizeTerminal(pid, size) } : {}) };
}
