/**
 * The kubelet's HTTPS API (upstream pkg/kubelet/server/server.go), on a loopback address with a
 * serving certificate signed by the cluster CA. Every request and every upgrade is authenticated
 * and authorized first (./auth.ts); then the longest mounted prefix that matches the path serves it.
 *
 *   const server = await startKubeletServer({ host, port: 0, tls, nodeName, tokens });
 *   server.mount('/healthz', (req, res) => res.end('ok'));
 *   server.mount('/exec', execHandler, execUpgradeHandler);   // WebSocket endpoints: an upgrade handler
 *   server.port; await server.close();
 *
 * Invariants: a handler sees only authorized requests; a prefix matches the path itself or the path
 * followed by `/` (so /pods does not serve /podsX); a handler that throws answers 500 with the
 * message, never crashes the kubelet; an upgrade nobody mounted is refused and its socket closed;
 * close() ends open connections (streams included).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TokenAuthenticator, UserInfo } from '../apiserver/auth.ts';
import { authorizeKubeletRequest, kubeletApiAdmins, type KubeletAuthorizer } from './auth.ts';

/** What a handler knows about the request besides the request itself. */
export interface KubeletRequestContext {
  user: UserInfo;
  /** The URL path, decoded as received (no query). */
  path: string;
  /** The path after the mount prefix ('' or starting with '/'). */
  rest: string;
  query: URLSearchParams;
}

export type KubeletHandler = (req: IncomingMessage, res: ServerResponse, ctx: KubeletRequestContext) => void | Promise<void>;
export type KubeletUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, ctx: KubeletRequestContext) => void | Promise<void>;

export interface KubeletServerOptions {
  /** A loopback address. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: { cert: string; key: string };
  nodeName: string;
  tokens: TokenAuthenticator;
  authorizer?: KubeletAuthorizer;
}

export interface KubeletServer {
  readonly host: string;
  readonly port: number;
  /** Serves `prefix` (and everything under it) with `handler`, and its upgrades (WebSocket) with `upgrade`. A later mount of the same prefix replaces it. */
  mount(prefix: string, handler: KubeletHandler, upgrade?: KubeletUpgradeHandler): void;
  close(): Promise<void>;
}

interface Mount {
  prefix: string;
  handler: KubeletHandler;
  upgrade?: KubeletUpgradeHandler;
}

/** Answers JSON with `code`. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function refuseUpgrade(socket: Duplex, code: number, text: string): void {
  const reason = code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'Not Found' : 'Internal Server Error';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

export async function startKubeletServer(options: KubeletServerOptions): Promise<KubeletServer> {
  const mounts: Mount[] = [];
  const authorizer = options.authorizer ?? kubeletApiAdmins;
  const sockets = new Set<Duplex>();

  const find = (path: string): Mount | undefined => {
    let best: Mount | undefined;
    for (const m of mounts) {
      const hit = path === m.prefix || path.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`);
      if (hit && (!best || m.prefix.length > best.prefix.length)) best = m;
    }
    return best;
  };

  /** Authenticates, authorizes and routes; the answer to give when refused. */
  const admit = async (req: IncomingMessage): Promise<{ mount: Mount; ctx: KubeletRequestContext } | { code: number; text: string }> => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const path = url.pathname;
    const auth = await authorizeKubeletRequest({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, nodeName: options.nodeName }, options.tokens, authorizer);
    if (!auth.allowed) return { code: auth.code, text: auth.message };
    const mount = find(path);
    if (!mount) return { code: 404, text: '404 page not found' };
    return { mount, ctx: { user: auth.user, path, rest: path.slice(mount.prefix.replace(/\/$/, '').length), query: url.searchParams } };
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    void (async () => {
      try {
        const admitted = await admit(req);
        if ('code' in admitted) return sendText(res, admitted.code, admitted.text);
        await admitted.mount.handler(req, res, admitted.ctx);
      } catch (error) {
        if (!res.headersSent) sendText(res, 500, (error as Error).message);
        else res.destroy();
      }
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      try {
        const admitted = await admit(req);
        if ('code' in admitted) return refuseUpgrade(socket, admitted.code, admitted.text);
        if (!admitted.mount.upgrade) return refuseUpgrade(socket, 404, `${admitted.ctx.path} does not upgrade`);
        await admitted.mount.upgrade(req, socket, head, admitted.ctx);
      } catch (error) {
        refuseUpgrade(socket, 500, (error as Error).message);
      }
    })();
  });
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    host: options.host,
    port,
    mount(prefix, handler, upgrade) {
      const at = mounts.findIndex((m) => m.prefix === prefix);
      const entry: Mount = { prefix, handler, ...(upgrade ? { upgrade } : {}) };
      if (at >= 0) mounts[at] = entry;
      else mounts.push(entry);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections?.();
      }),
  };
}

export { sendText };
