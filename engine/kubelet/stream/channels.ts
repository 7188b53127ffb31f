/**
 * The channel protocol of exec and attach over WebSocket (upstream:
 * apimachinery/pkg/util/remotecommand/constants.go and apiserver/pkg/util/wsstream/conn.go):
 * every binary message starts with a channel byte, 0 stdin, 1 stdout, 2 stderr, 3 error (one
 * metav1.Status as JSON, then the end), 4 resize (JSON {Width, Height}); `v5.channel.k8s.io` adds
 * 255, close: the client's [255, 0] says stdin has ended. `v4.channel.k8s.io` is the same without
 * 255 (client-node speaks it). The frames themselves are the `ws` library's.
 *
 * Invariants: output waits (the source is paused) while more than KUBELET_STREAM_HIGH_WATER_BYTES
 * are queued for a slow client; incoming messages wait (the socket is paused) while stdin's
 * consumer is full; a message on an unknown channel or a text message ends the session. Messages
 * that arrive before the command has started (kubectl sends its stdin, and [255, 0], as soon as the
 * upgrade is answered) are kept, in order, and delivered once `receive` is called: none is lost.
 */
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { KUBELET_STREAM_HIGH_WATER_BYTES } from '../../params.ts';

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ChannelProtocol = (typeof CHANNEL_PROTOCOLS)[number];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** The error-channel Status for how a command ended (upstream remotecommand/httpstream.go). */
export function exitStatus(exitCode: number, command: string[]): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${JSON.stringify(command)}, exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** An error-channel Status for a failure that is not an exit code (InternalError, as upstream). */
export function failureStatus(message: string, code = 500, reason = 'InternalError'): object {
  return { metadata: {}, status: 'Failure', message, reason, code, details: { causes: [{ message }] } };
}

/** One WebSocket speaking the channel protocol. */
export class ChannelSocket {
  private queued = 0;
  private readonly paused = new Set<Readable>();
  /** Messages received before `receive` (null once it is called), and their size. */
  private early: { message: Buffer; isBinary: boolean }[] | null = [];
  private earlyBytes = 0;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: ChannelProtocol,
    /** Called on traffic either way (the idle timer). */
    private readonly touch: () => void = () => undefined,
  ) {
    ws.on('message', (message: Buffer, isBinary: boolean) => {
      this.touch();
      if (!this.early) return;
      this.early.push({ message, isBinary });
      this.earlyBytes += message.length;
      if (this.earlyBytes > KUBELET_STREAM_HIGH_WATER_BYTES) ws.pause();
    });
  }

  /** Whether the client has gone (or is going): a session started now has no one to serve. */
  get gone(): boolean {
    return this.ws.readyState !== this.ws.OPEN;
  }

  /** Sends bytes on a channel; pauses `source` while the client is behind. */
  send(channel: number, data: Buffer, source?: Readable): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.touch();
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = channel;
    data.copy(frame, 1);
    this.queued += frame.length;
    if (source && this.queued > KUBELET_STREAM_HIGH_WATER_BYTES && !this.paused.has(source)) {
      this.paused.add(source);
      source.pause();
    }
    this.ws.send(frame, { binary: true }, () => {
      this.queued -= frame.length;
      if (this.queued <= KUBELET_STREAM_HIGH_WATER_BYTES / 2) {
        for (const s of this.paused) s.resume();
        this.paused.clear();
      }
    });
  }

  /** Sends a readable's bytes on a channel; resolves when it has ended. */
  pipeFrom(channel: number, source: Readable): Promise<void> {
    return new Promise((resolve) => {
      source.on('data', (chunk: Buffer) => this.send(channel, chunk, source));
      source.once('end', resolve);
      source.once('close', resolve);
      source.once('error', () => resolve());
    });
  }

  /** Writes the error-channel Status and closes normally. */
  finish(status: object): void {
    this.send(ERROR, Buffer.from(JSON.stringify(status)));
    this.ws.close(1000);
  }

  /**
   * Delivers the client's stdin to `stdin` (ending it on [255, 0] or when the socket closes) and
   * resize messages to `onResize`; any other channel ends the session.
   */
  receive(stdin: Writable | null, onResize?: (size: { Width?: number; Height?: number }) => void): void {
    const endStdin = () => {
      if (stdin && !stdin.writableEnded) stdin.end();
    };
    stdin?.on('error', () => undefined); // the command may exit without reading its stdin
    this.ws.on('close', endStdin);
    if (this.gone) endStdin();
    const handle = (message: Buffer, isBinary: boolean) => {
      if (!isBinary || message.length === 0) return this.ws.close(1003, 'binary messages with a channel byte only');
      const channel = message[0]!;
      const data = message.subarray(1);
      if (channel === STDIN) {
        if (!stdin || stdin.writableEnded || data.length === 0) return;
        if (!stdin.write(data)) {
          this.ws.pause();
          stdin.once('drain', () => this.ws.resume());
        }
      } else if (channel === CLOSE && this.protocol === 'v5.channel.k8s.io') {
        if (data[0] === STDIN) endStdin();
      } else if (channel === RESIZE) {
        try {
          onResize?.(JSON.parse(data.toString('utf8')));
        } catch {
          // a malformed resize is ignored, as upstream's handleResizeEvents logs and goes on
        }
      } else {
        this.ws.close(1003, `unexpected channel ${channel}`);
      }
    };
    const early = this.early ?? [];
    const pausedEarly = this.earlyBytes > KUBELET_STREAM_HIGH_WATER_BYTES;
    this.early = null;
    this.ws.on('message', handle);
    for (const m of early) handle(m.message, m.isBinary);
    if (pausedEarly && !(stdin?.writableNeedDrain ?? false)) this.ws.resume();
  }
}
