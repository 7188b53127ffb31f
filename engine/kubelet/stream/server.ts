/**
 * The kubelet's streaming endpoints, ready to mount on its HTTPS server behind its authentication:
 *
 *   const streams = createStreamHandlers({ runtime, findContainer });
 *   mountStreamHandlers(kubeletServer, streams);    // a server with mount(prefix, handler, upgrade)
 *   // or, on a bare node:https server:
 *   server.on('request', (req, res) => streams.handleRequest(req, res) || otherRoutes(req, res));
 *   server.on('upgrade', (req, socket, head) => streams.handleUpgrade(req, socket, head) || socket.destroy());
 *   await streams.close();   // at shutdown: every session ends, its command killed
 *
 * Paths, as upstream's pkg/kubelet/server/server.go installs them:
 *   GET  /containerLogs/{namespace}/{pod}/{container}          logs.ts
 *   GET  /exec/{namespace}/{pod}[/{uid}]/{container}?command=… WebSocket, v5/v4.channel.k8s.io
 *   GET  /attach/{namespace}/{pod}[/{uid}]/{container}         WebSocket, v5/v4.channel.k8s.io
 *   GET  /portForward/{namespace}/{pod}[/{uid}]                 WebSocket SPDY/3.1+portforward.k8s.io, or SPDY/3.1
 * A streaming path asked without an upgrade gets 400 (`Upgrade request required`); SPDY for exec and
 * attach gets 400 too (kubectl 1.31+ tries WebSocket first and only falls back on a refusal).
 *
 * Invariants: at most `maxSessions` sessions at once (more: 429); a session idle for
 * `idleTimeoutMs` either way is closed and its command killed; `close()` ends every session.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { KUBELET_MAX_STREAM_SESSIONS, KUBELET_STREAM_IDLE_TIMEOUT_MS, KUBELET_STREAM_MAX_MESSAGE_BYTES } from '../../params.ts';
import { CHANNEL_PROTOCOLS, ChannelSocket, type ChannelProtocol } from './channels.ts';
import { runAttach, runExec, streamFlags } from './exec.ts';
import { lookup, runningContainerId, StreamError, type StreamHost } from './host.ts';
import { serveContainerLogs } from './logs.ts';
import { PORT_FORWARD_PROTOCOLS, portTarget, servePortForward, spdyUpgradeReply } from './portforward.ts';

export interface StreamOptions {
  maxSessions?: number;
  idleTimeoutMs?: number;
}

export interface StreamHandlers {
  /** Serves the request if its path is a streaming one; false otherwise (the caller serves it). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes the upgrade if its path is a streaming one; false otherwise (the caller answers it). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Sessions open now. */
  sessions(): number;
  /** The most sessions that were open at once. */
  peakSessions(): number;
  /** Sessions served so far, by kind and transport. */
  served(): { exec: number; attach: number; portForwardWebSocket: number; portForwardSpdy: number };
  close(): Promise<void>;
}

type Endpoint = 'containerLogs' | 'exec' | 'attach' | 'portForward';

/** A server that routes by path prefix, with an upgrade handler per prefix (engine/kubelet/server.ts's mount). */
export interface PrefixMountable {
  mount(prefix: string, handler: (req: IncomingMessage, res: ServerResponse) => void, upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void;
}

/** Mounts /containerLogs, /exec, /attach and /portForward on `server`. */
export function mountStreamHandlers(server: PrefixMountable, streams: StreamHandlers): void {
  for (const prefix of ['/containerLogs', '/exec', '/attach', '/portForward']) {
    server.mount(
      prefix,
      (req, res) => {
        if (!streams.handleRequest(req, res)) res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      },
      (req, socket, head) => {
        if (!streams.handleUpgrade(req, socket, head)) socket.destroy();
      },
    );
  }
}

/** `/exec/ns/pod/c?x` → { endpoint: 'exec', parts: [ns, pod, c] }; undefined for other paths. */
export function parseStreamPath(url: string): { endpoint: Endpoint; parts: string[]; query: URLSearchParams } | undefined {
  const parsed = new URL(url, 'http://kubelet');
  const segments = parsed.pathname.split('/').slice(1);
  const endpoint = segments[0] as Endpoint;
  if (!['containerLogs', 'exec', 'attach', 'portForward'].includes(endpoint)) return undefined;
  let parts: string[];
  try {
    parts = segments.slice(1).map((s) => decodeURIComponent(s));
  } catch {
    parts = [];
  }
  return { endpoint, parts, query: parsed.searchParams };
}

/** An HTTP answer written straight to an upgrade's socket (nothing else is on it yet). */
function refuseUpgrade(socket: Duplex, code: number, message: string): void {
  const body = `${message}\n`;
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function createStreamHandlers(host: StreamHost, options: StreamOptions = {}): StreamHandlers {
  const maxSessions = options.maxSessions ?? KUBELET_MAX_STREAM_SESSIONS;
  const idleTimeoutMs = options.idleTimeoutMs ?? KUBELET_STREAM_IDLE_TIMEOUT_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: KUBELET_STREAM_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  // The subprotocol is chosen here, not by ws: `SPDY/3.1+portforward.k8s.io` has a `/`, which ws's
  // RFC 6455 token check refuses, so the offer is taken off the request and the answer put back.
  const chosen = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, req) => {
    const protocol = chosen.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const served = { exec: 0, attach: 0, portForwardWebSocket: 0, portForwardSpdy: 0 };
  const open = new Set<WebSocket>();
  const raw = new Set<Duplex>();
  let pending = 0;
  let peak = 0;
  const counted = () => {
    peak = Math.max(peak, open.size + raw.size);
  };

  /** An idle timer for a session; returns the function that resets it. */
  const idleTimer = (end: () => void): { touch: () => void; stop: () => void } => {
    const timer = setTimeout(end, idleTimeoutMs);
    return {
      touch: () => timer.refresh(),
      stop: () => clearTimeout(timer),
    };
  };

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string, run: (ws: WebSocket) => void) => {
    chosen.set(req, protocol);
    delete req.headers['sec-websocket-protocol'];
    wss.handleUpgrade(req, socket, head, (ws) => {
      open.add(ws);
      counted();
      ws.once('close', () => open.delete(ws));
      run(ws);
    });
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer, endpoint: Endpoint, parts: string[], query: URLSearchParams) => {
    const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const offered = offeredProtocols(req);
    if (endpoint === 'portForward') {
      const [namespace, podName] = parts;
      if (!namespace || !podName || parts.length > 3) throw new StreamError(400, 'the path must be /portForward/{namespace}/{pod}');
      const found = await lookup(host, namespace, podName);
      const target = await portTarget(host.runtime, found);
      if (!target.podIP) throw new StreamError(400, `pod "${podName}" has no address yet: its sandbox is not ready`);
      const wanted = websocket ? offered.find((p) => (PORT_FORWARD_PROTOCOLS as readonly string[]).includes(p)) : undefined;
      if (websocket && !wanted) throw new StreamError(400, `unsupported WebSocket subprotocols [${offered.join(' ')}]: the kubelet forwards ports over ${PORT_FORWARD_PROTOCOLS.join(', ')}`);
      if (wanted) {
        accept(req, socket, head, wanted, (ws) => {
          served.portForwardWebSocket++;
          const idle = idleTimer(() => ws.terminate());
          ws.once('close', idle.stop);
          servePortForward({ kind: 'websocket', ws }, target, found, idle.touch);
        });
        return;
      }
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') throw new StreamError(400, 'Upgrade request required');
      socket.write(spdyUpgradeReply());
      served.portForwardSpdy++;
      raw.add(socket);
      counted();
      socket.once('close', () => raw.delete(socket));
      const idle = idleTimer(() => socket.destroy());
      socket.once('close', idle.stop);
      if (head.length > 0) socket.unshift(head);
      servePortForward({ kind: 'raw', socket }, target, found, idle.touch);
      return;
    }
    // /exec/{ns}/{pod}/{container} or /exec/{ns}/{pod}/{uid}/{container}
    const [namespace, podName] = parts;
    const containerName = parts[parts.length - 1];
    if (!namespace || !podName || (parts.length !== 3 && parts.length !== 4) || !containerName) throw new StreamError(400, `the path must be /${endpoint}/{namespace}/{pod}/{container}`);
    const flags = streamFlags(query);
    if (!flags.stdin && !flags.stdout && !flags.stderr) throw new StreamError(400, 'you must specify at least 1 of stdin, stdout, stderr');
    if (endpoint === 'exec' && flags.command.length === 0) throw new StreamError(400, 'you must specify at least one command for the container');
    const found = await lookup(host, namespace, podName, containerName);
    if (parts.length === 4 && found.pod.metadata.uid && parts[2] !== found.pod.metadata.uid) throw new StreamError(404, `pod "${podName}" with uid ${parts[2]} does not exist`);
    const containerId = runningContainerId(found);
    if (!websocket) throw new StreamError(400, `${endpoint} is served over WebSocket only (${CHANNEL_PROTOCOLS.join(', ')}); this kubelet does not speak SPDY for it`);
    const protocol = offered.find((p) => (CHANNEL_PROTOCOLS as readonly string[]).includes(p)) as ChannelProtocol | undefined;
    if (!protocol) throw new StreamError(400, `unsupported WebSocket subprotocols [${offered.join(' ')}]: the kubelet speaks ${CHANNEL_PROTOCOLS.join(', ')}`);
    accept(req, socket, head, protocol, (ws) => {
      served[endpoint === 'exec' ? 'exec' : 'attach']++;
      const idle = idleTimer(() => ws.terminate());
      ws.once('close', idle.stop);
      const channels = new ChannelSocket(ws, protocol, idle.touch);
      const run = endpoint === 'exec' ? runExec(host.runtime, channels, containerId, flags, flags.command) : runAttach(host.runtime, channels, containerId, flags);
      run.catch(() => ws.terminate());
    });
  };

  return {
    handleRequest(req, res) {
      const route = parseStreamPath(req.url ?? '/');
      if (!route) return false;
      if (route.endpoint === 'containerLogs') {
        void serveContainerLogs(host, req, res, route.parts);
        return true;
      }
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Upgrade request required\n');
      return true;
    },
    handleUpgrade(req, socket, head) {
      const route = parseStreamPath(req.url ?? '/');
      if (!route || route.endpoint === 'containerLogs') return false;
      socket.on('error', () => socket.destroy());
      if (open.size + raw.size + pending >= maxSessions) {
        refuseUpgrade(socket, 429, `too many streaming sessions: this kubelet serves at most ${maxSessions} at once`);
        return true;
      }
      pending++;
      upgrade(req, socket, head, route.endpoint, route.parts, route.query)
        .catch((error) => refuseUpgrade(socket, error instanceof StreamError ? error.code : 500, (error as Error).message))
        .finally(() => pending--);
      return true;
    },
    sessions: () => open.size + raw.size,
    peakSessions: () => peak,
    served: () => ({ ...served }),
    async close() {
      for (const ws of open) ws.terminate();
      for (const socket of raw) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
