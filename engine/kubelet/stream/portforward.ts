/**
 * port-forward (`kubectl port-forward`), as the kubelet serves it (upstream
 * pkg/kubelet/cri/streaming/portforward/httpstream.go, and for kubectl 1.31+'s WebSocket tunnel
 * apimachinery/pkg/util/httpstream/wsstream and client-go tools/portforward/tunneling_connection.go):
 * a SPDY/3.1 session (spdy.ts), over a WebSocket whose subprotocol is
 * `SPDY/3.1+portforward.k8s.io` and whose binary messages carry the SPDY bytes as they are, or
 * over the raw socket of a plain `Upgrade: SPDY/3.1` (kubectl's fallback).
 *
 * For each local connection kubectl opens two streams with the same `requestID` header: an
 * `error` stream and a `data` stream, each with the `port` header. Every stream gets a SYN_REPLY at
 * once; when both of a pair are there, the kubelet connects to the pod's address on that port (a
 * built-in image's port below 1024 is the port it really listens on, see engine/cri/ports.ts) and
 * copies bytes both ways; a failed connect is written on the error stream in upstream's words
 * (`error forwarding port P to pod NAME, uid UID: …`). A FIN from kubectl half-closes the
 * connection to the pod; the pod's end sends FIN. PINGs are answered.
 */
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { PodDialer } from '../../cri/api.ts';
import type { WebSocket } from 'ws';
import type { FoundContainer, StreamRuntime } from './host.ts';
import { controlFrame, dataFrame, FLAG_FIN, FrameReader, GOAWAY, HeaderCodec, PING, RST_PROTOCOL_ERROR, RST_STREAM, SYN_REPLY, SYN_STREAM, uint32s, type Frame } from './spdy.ts';

export const PORT_FORWARD_PROTOCOLS = ['SPDY/3.1+portforward.k8s.io'] as const;

export type PortForwardTransport = { kind: 'websocket'; ws: WebSocket } | { kind: 'raw'; socket: Duplex };

/** The 101 answer to a plain SPDY upgrade. */
export function spdyUpgradeReply(): string {
  return 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n';
}

/** Where the pod is reached: its address, and the port a container really listens on for a port asked. */
export interface PortTarget {
  podIP: string;
  /** Port asked → port bound (built-in images remapped below 1024); unlisted ports are used as asked. */
  ports: Map<number, number>;
  /** Kernel mode: connects through the node's relay (the runtime's dialPod). */
  dial?: PodDialer | undefined;
}

/** The pod's address and its built-in containers' listen ports, from the runtime. */
export async function portTarget(runtime: StreamRuntime, found: FoundContainer): Promise<PortTarget> {
  const pod = found.pod;
  const { items } = await runtime.listPodSandbox({ filter: { state: { state: 'SANDBOX_READY' } } });
  const sandbox = items.find((s) => s.metadata.uid === pod.metadata.uid && s.metadata.name === pod.metadata.name && s.metadata.namespace === pod.metadata.namespace);
  const ports = new Map<number, number>();
  let podIP = pod.status?.podIP ?? '';
  if (sandbox) {
    const status = await runtime.podSandboxStatus({ podSandboxId: sandbox.id });
    podIP = status.status.network?.ip ?? podIP;
    for (const c of status.containersStatuses) {
      const listen = c.kubelings.listen;
      if (c.state === 'CONTAINER_RUNNING' && listen) ports.set(listen.containerPort, listen.port);
    }
  }
  return { podIP, ports, dial: (runtime as { dialPod?: PodDialer }).dialPod };
}

/**
 * A stream to `host:port` through `dial` (kernel mode's relay), usable at once as a socket is:
 * bytes written before the relay connects wait for it; its failure is the stream's 'error'.
 */
export function relayedSocket(dial: PodDialer, host: string, port: number): Duplex {
  let inner: Socket | undefined;
  const connected = dial(host, port);
  const stream = new Duplex({
    read() {
      inner?.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      connected.then((socket) => socket.write(chunk, () => callback()), callback);
    },
    final(callback) {
      connected.then(
        (socket) => {
          socket.end();
          callback();
        },
        () => callback(),
      );
    },
    destroy(error, callback) {
      inner?.destroy();
      callback(error);
    },
  });
  connected.then(
    (socket) => {
      inner = socket;
      if (stream.destroyed) return socket.destroy();
      socket.on('data', (chunk: Buffer) => {
        if (!stream.push(chunk)) socket.pause();
      });
      socket.on('end', () => stream.push(null));
      socket.on('error', (error) => stream.destroy(error));
      socket.on('close', () => (stream.readableEnded ? stream.destroy() : stream.once('end', () => stream.destroy())));
      socket.resume();
    },
    (error: Error) => stream.destroy(error),
  );
  return stream;
}

interface Pair {
  error?: number;
  data?: number;
  port: number;
  socket?: Duplex;
}

/** Runs one port-forward session until either side ends it. */
export function servePortForward(transport: PortForwardTransport, target: PortTarget, found: FoundContainer, touch: () => void): void {
  const reader = new FrameReader();
  const codec = new HeaderCodec();
  const pairs = new Map<string, Pair>();
  const streams = new Map<number, string>(); // stream id → request id
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const send = (bytes: Buffer) => {
    if (closed) return;
    touch();
    if (transport.kind === 'websocket') transport.ws.send(bytes, { binary: true });
    else transport.socket.write(bytes);
  };
  const end = () => {
    if (closed) return;
    closed = true;
    codec.close();
    for (const pair of pairs.values()) pair.socket?.destroy();
    pairs.clear();
    if (transport.kind === 'websocket') transport.ws.close(1000);
    else transport.socket.destroy();
  };
  const reset = (streamId: number, status: number) => send(controlFrame(RST_STREAM, 0, uint32s(streamId, status)));
  const podLabel = `${found.pod.metadata.name}, uid ${found.pod.metadata.uid ?? ''}`;

  const start = (requestId: string, pair: Pair) => {
    const port = target.ports.get(pair.port) ?? pair.port;
    const socket = target.dial ? relayedSocket(target.dial, target.podIP, port) : connect({ host: target.podIP, port });
    pair.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += 32 * 1024) send(dataFrame(pair.data!, 0, chunk.subarray(at, at + 32 * 1024)));
    });
    socket.on('end', () => send(dataFrame(pair.data!, FLAG_FIN, Buffer.alloc(0))));
    socket.on('error', (error) => {
      send(dataFrame(pair.error!, FLAG_FIN, Buffer.from(`error forwarding port ${pair.port} to pod ${podLabel}: failed to connect to ${target.podIP}:${port}: ${error.message}`)));
      send(dataFrame(pair.data!, FLAG_FIN, Buffer.alloc(0)));
    });
    socket.on('close', () => {
      if (pairs.get(requestId) === pair) pairs.delete(requestId);
      streams.delete(pair.data!);
      streams.delete(pair.error!);
    });
  };

  const handle = async (frame: Frame) => {
    if (!frame.control) {
      const requestId = streams.get(frame.streamId);
      const pair = requestId === undefined ? undefined : pairs.get(requestId);
      if (!pair) return;
      if (frame.streamId === pair.data && pair.socket) {
        if (frame.data.length > 0) pair.socket.write(frame.data);
        if (frame.flags & FLAG_FIN) pair.socket.end();
      }
      return;
    }
    switch (frame.type) {
      case SYN_STREAM: {
        const streamId = frame.data.readUInt32BE(0) & 0x7fffffff;
        const headers = await codec.decode(frame.data.subarray(10));
        send(controlFrame(SYN_REPLY, 0, Buffer.concat([uint32s(streamId), await codec.encode({})])));
        const type = headers.streamtype;
        const port = Number(headers.port);
        const requestId = headers.requestid ?? '';
        if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port < 1 || port > 65535) {
          reset(streamId, RST_PROTOCOL_ERROR);
          return;
        }
        const pair = pairs.get(requestId) ?? { port };
        pairs.set(requestId, pair);
        streams.set(streamId, requestId);
        pair[type] = streamId;
        if (pair.error !== undefined && pair.data !== undefined && !pair.socket) start(requestId, pair);
        return;
      }
      case RST_STREAM: {
        const streamId = frame.data.readUInt32BE(0) & 0x7fffffff;
        const requestId = streams.get(streamId);
        const pair = requestId === undefined ? undefined : pairs.get(requestId);
        pair?.socket?.destroy();
        if (requestId !== undefined) pairs.delete(requestId);
        return;
      }
      case PING:
        send(controlFrame(PING, 0, frame.data));
        return;
      case GOAWAY:
        end();
        return;
      default:
        // SETTINGS, HEADERS, WINDOW_UPDATE: nothing to do (no flow control on either side).
        return;
    }
  };

  const receive = (chunk: Buffer) => {
    if (closed) return;
    touch();
    let frames: Frame[];
    try {
      frames = reader.push(chunk);
    } catch {
      end();
      return;
    }
    for (const frame of frames) chain = chain.then(() => handle(frame)).catch(() => end());
  };

  if (transport.kind === 'websocket') {
    transport.ws.on('message', (message: Buffer, isBinary: boolean) => (isBinary ? receive(message) : end()));
    transport.ws.on('close', end);
    transport.ws.on('error', end);
  } else {
    transport.socket.on('data', receive);
    transport.socket.on('close', end);
    transport.socket.on('error', end);
  }
}
