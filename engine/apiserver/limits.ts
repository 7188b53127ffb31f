/**
 * Connection and request limits for the apiserver's node:https server, after kube-apiserver's:
 *
 *   what                               upstream (k8s.io/apiserver)                    here (engine/params.ts)
 *   a request's headers                http.Server ReadHeaderTimeout 32 s             APISERVER_HEADER_TIMEOUT_MS
 *     (also: a new connection that       (pkg/server/secure_serving.go)
 *     sends nothing, before or after
 *     its TLS handshake)
 *   an idle keep-alive connection      http.Server IdleTimeout 90 s                   APISERVER_IDLE_TIMEOUT_MS
 *   a request's handling               --request-timeout 1m0s → 504 Timeout Status    APISERVER_REQUEST_TIMEOUT_MS
 *                                        (filters/timeout.go)
 *   requests in flight                 --max-requests-inflight 400,                   APISERVER_MAX_REQUESTS_INFLIGHT,
 *                                      --max-mutating-requests-inflight 200           APISERVER_MAX_MUTATING_REQUESTS_INFLIGHT
 *                                        → 429, Retry-After: 1 (filters/maxinflight.go)
 *   dead peers                         TCP keep-alive every 3 min (secure_serving.go) APISERVER_TCP_KEEPALIVE_MS
 *   open connections                   none (Go accepts until the fd limit)           APISERVER_MAX_CONNECTIONS
 *
 * Long-running requests (watches, and the log, exec, attach, portforward and proxy subresources:
 * kube-apiserver's LongRunningFunc) are exempt from the request timeout and the in-flight limits,
 * as upstream: a watch lasts until its own timeoutSeconds (--min-request-timeout) or its client
 * goes. The in-flight limits count requests by HTTP method (GET and HEAD read; the rest mutate).
 * Upstream lets system:masters past a full in-flight limit; here every request is the admin until
 * the RBAC lesson, so nobody is let past (otherwise the limit would never apply).
 *
 * The cap on open connections has no upstream counterpart: Node keeps a file descriptor per
 * connection, and a daemon at its fd limit can open nothing, not even its WAL. Past the cap a new
 * connection's request gets a 429 Status saying so, as long as the process has more than
 * APISERVER_RESERVED_FDS file descriptors left; past that, connections are refused (closed
 * unanswered: curl says "Empty reply from server"). Over-cap connections that send nothing are
 * closed after the header timeout like any other.
 *
 * Over TLS a connection goes through two stages, and each has its own clock: until its TLS
 * handshake is done, node's tls handshakeTimeout (default 120 s; here the header timeout), then
 * node's http header timeout. A silent TCP connection never reaches the second: without the first
 * it would stay open two minutes. Connections are counted as TCP sockets ('connection', which is
 * what holds a file descriptor); the http side sees the TLS socket over it ('secureConnection').
 * Plain HTTP sent to the port gets the answer of Go's net/http, "Client sent an HTTP request to an
 * HTTPS server.", instead of a bare close.
 *
 * Invariants: a watch is never cut by the idle, header or request timeout; a connection that has
 * sent nothing is closed after the header timeout; every 429 and 504 carries a reason and
 * Retry-After where upstream sends one; counters go back down when a response ends in any way.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../cluster/logger.ts';
import {
  APISERVER_HEADER_TIMEOUT_MS,
  APISERVER_IDLE_TIMEOUT_MS,
  APISERVER_LIMIT_WARNING_EVERY_MS,
  APISERVER_MAX_CONNECTIONS,
  APISERVER_MAX_MUTATING_REQUESTS_INFLIGHT,
  APISERVER_MAX_REQUESTS_INFLIGHT,
  APISERVER_REQUEST_TIMEOUT_MS,
  APISERVER_RESERVED_FDS,
  APISERVER_TCP_KEEPALIVE_MS,
} from '../params.ts';

export interface ConnectionLimitOptions {
  /** Headers must arrive within this (and a silent new connection is closed after it), ms. */
  headerTimeoutMs?: number;
  /** A keep-alive connection with no request is closed after this, ms. */
  idleTimeoutMs?: number;
  /** A request that is not long-running gets 504 after this, ms. */
  requestTimeoutMs?: number;
  /** Reading requests (GET, HEAD) in flight at once, long-running ones not counted; 0: no limit. */
  maxRequestsInFlight?: number;
  /** Mutating requests in flight at once; 0: no limit. */
  maxMutatingRequestsInFlight?: number;
  /** Open connections served; more get a 429 Status. */
  maxConnections?: number;
  /** Open connections past which new ones are refused unanswered (default: the fd limit less APISERVER_RESERVED_FDS). */
  maxOpenConnections?: number;
  /** TCP keep-alive probes start after this long without traffic, ms. */
  tcpKeepAliveMs?: number;
}

/** Numbers for tests and logs. */
export interface LimitStats {
  connections: number;
  readingInFlight: number;
  mutatingInFlight: number;
  refusedConnections: number;
  tooManyRequests: number;
  timedOut: number;
}

/** Subresources kube-apiserver treats as long-running (cmd/kube-apiserver: LongRunningFunc). */
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

/**
 * Is this a long-running request (a watch, proxy, or a log/exec/attach/portforward/proxy
 * subresource)? Read from the URL alone: the learner's routing is never called here.
 */
export function isLongRunning(method: string, url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if ((method === 'GET' || method === 'HEAD') && q >= 0) {
    const watch = new URLSearchParams(url.slice(q + 1)).get('watch');
    if (watch !== null && TRUE_WORDS.has(watch)) return true;
  }
  const segments = path.split('/').filter(Boolean);
  const start = segments[0] === 'api' ? 2 : segments[0] === 'apis' ? 3 : -1;
  if (start < 0) return false;
  const rest = segments.slice(start);
  if (rest[0] === 'watch' || rest[0] === 'proxy') return true;
  // RESOURCE/NAME/SUB, or namespaces/NS/RESOURCE/NAME/SUB.
  const sub = rest[0] === 'namespaces' && rest.length >= 5 ? rest[4] : rest.length >= 3 ? rest[2] : undefined;
  return sub !== undefined && LONG_RUNNING_SUBRESOURCES.has(sub);
}

/** The process's open-file limit (Linux: /proc/self/limits), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const limit = Number(soft);
    return Number.isInteger(limit) && limit > 0 ? limit : undefined;
  } catch {
    return undefined;
  }
}

/** The TCP socket under a server-side TLS socket (node keeps it as `_parent`; not in its types). */
function tcpSocketOf(socket: TLSSocket): Socket | undefined {
  const parent = (socket as TLSSocket & { _parent?: unknown })._parent;
  return parent && typeof (parent as Socket).write === 'function' ? (parent as Socket) : undefined;
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/**
 * The limits of one server. Use: `const limits = new ConnectionLimits(options, log)`, create the
 * server with `limits.serverOptions`, call `limits.attach(server)` before any other listener, and
 * hand every request to `limits.serve(req, res, () => handleRequest(...))`.
 */
export class ConnectionLimits {
  readonly headerTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxRequestsInFlight: number;
  readonly maxMutatingRequestsInFlight: number;
  readonly maxConnections: number;
  readonly maxOpenConnections: number;
  readonly tcpKeepAliveMs: number;
  private readonly overCap = new WeakSet<Socket>();
  private readonly stats: LimitStats = { connections: 0, readingInFlight: 0, mutatingInFlight: 0, refusedConnections: 0, tooManyRequests: 0, timedOut: 0 };
  /** When each kind of limit warning was last logged (each kind is throttled on its own, so a 429 warning never hides a refusal). */
  private readonly lastWarning = new Map<'refused' | 'over-cap', number>();

  constructor(
    options: ConnectionLimitOptions = {},
    private readonly log?: Logger,
  ) {
    this.headerTimeoutMs = options.headerTimeoutMs ?? APISERVER_HEADER_TIMEOUT_MS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? APISERVER_IDLE_TIMEOUT_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? APISERVER_REQUEST_TIMEOUT_MS;
    this.maxRequestsInFlight = options.maxRequestsInFlight ?? APISERVER_MAX_REQUESTS_INFLIGHT;
    this.maxMutatingRequestsInFlight = options.maxMutatingRequestsInFlight ?? APISERVER_MAX_MUTATING_REQUESTS_INFLIGHT;
    const wanted = options.maxConnections ?? APISERVER_MAX_CONNECTIONS;
    const fds = openFileLimit();
    this.maxOpenConnections = Math.max(1, options.maxOpenConnections ?? (fds === undefined ? 2 * wanted : fds - APISERVER_RESERVED_FDS));
    this.maxConnections = Math.min(wanted, this.maxOpenConnections);
    this.tcpKeepAliveMs = options.tcpKeepAliveMs ?? APISERVER_TCP_KEEPALIVE_MS;
  }

  /** Options for createServer(): node's own handshake, header, body and keep-alive timeouts. */
  get serverOptions(): ServerOptions {
    return {
      // A new connection must finish its TLS handshake within the header timeout (node's default
      // is 120 s): a connection that sends nothing at all is closed here, not by the http timeouts.
      // Go does the same: net/http's tlsHandshakeTimeout() is the least of ReadHeaderTimeout,
      // ReadTimeout and WriteTimeout, so 32 s in kube-apiserver.
      handshakeTimeout: this.headerTimeoutMs,
      // A slow request (headers trickling in) is cut by node's own check, every interval below.
      headersTimeout: this.headerTimeoutMs,
      // The whole request (headers and body) must arrive within the request timeout.
      requestTimeout: Math.max(this.requestTimeoutMs, this.headerTimeoutMs),
      keepAliveTimeout: this.idleTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(this.headerTimeoutMs, 30_000) / 4),
    };
  }

  /** Counts connections, closes silent ones, and answers or refuses those past the cap. */
  attach(server: Server): void {
    server.maxConnections = this.maxOpenConnections;
    server.on('drop', () => {
      this.stats.refusedConnections++;
      this.warn('refused', `refusing connections: ${this.maxOpenConnections} are open, as many as the process's file descriptors allow`);
    });
    server.on('connection', (socket: Socket) => {
      this.stats.connections++;
      socket.once('close', () => this.stats.connections--);
      socket.setKeepAlive(true, this.tcpKeepAliveMs);
      if (this.stats.connections > this.maxConnections) {
        this.overCap.add(socket);
        this.warn('over-cap', `answering 429 to new connections: ${this.stats.connections} are open, the limit is ${this.maxConnections}`);
      }
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      // Until its first request's headers arrive; node's http 'timeout' handling destroys the socket.
      socket.setTimeout(this.headerTimeoutMs);
      const tcp = tcpSocketOf(socket);
      if (tcp && this.overCap.has(tcp)) this.overCap.add(socket);
    });
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      // Plain HTTP on the TLS port (OpenSSL saw GET, POST, HEAD or PUT where a ClientHello goes):
      // the answer of Go's net/http ((*conn).serve, tlsRecordHeaderLooksLikeHTTP), written in clear
      // on the TCP socket under the failed TLS one. Every other handshake failure is just closed.
      const tcp = tcpSocketOf(socket);
      if (error.code === 'ERR_SSL_HTTP_REQUEST' && tcp?.writable) tcp.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
      else tcp?.destroy();
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      // Headers (or the whole request) too slow: close, as Go's ReadHeaderTimeout does.
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.destroy();
    });
  }

  /** Runs `handle` for this request unless a limit answers it first. */
  serve(req: IncomingMessage, res: ServerResponse, handle: () => unknown): void {
    const socket = req.socket;
    socket.setTimeout(0); // headers are in: from here the request's own limits apply
    if (this.overCap.has(socket)) {
      this.stats.tooManyRequests++;
      res.shouldKeepAlive = false;
      const text = statusBody(429, 'TooManyRequests', `Too many open connections: the apiserver serves at most ${this.maxConnections} at once. Close idle ones, or try again later.`, {
        retryAfterSeconds: 1,
      });
      res.writeHead(429, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Retry-After': '1', Connection: 'close' });
      res.end(text);
      return;
    }
    const method = req.method ?? 'GET';
    if (isLongRunning(method, req.url ?? '/')) {
      void handle();
      return;
    }
    const mutating = method !== 'GET' && method !== 'HEAD';
    const limit = mutating ? this.maxMutatingRequestsInFlight : this.maxRequestsInFlight;
    const counter = mutating ? 'mutatingInFlight' : 'readingInFlight';
    if (limit > 0 && this.stats[counter] >= limit) {
      this.stats.tooManyRequests++;
      // Upstream's answer word for word: plain text, Retry-After: 1 (filters/maxinflight.go).
      const text = 'Too many requests, please try again later.\n';
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text), 'Retry-After': '1' });
      res.end(text);
      return;
    }
    this.stats[counter]++;
    const timer = setTimeout(() => this.timeOut(res), this.requestTimeoutMs);
    res.once('close', () => {
      clearTimeout(timer);
      this.stats[counter]--;
    });
    void handle();
  }

  /** A snapshot of the counters. */
  current(): LimitStats {
    return { ...this.stats };
  }

  /**
   * The 504 of upstream's timeout filter: `Timeout: request did not complete within the allotted
   * timeout`. The handler may still finish later: what it writes then is dropped (Go's handler gets
   * http.ErrHandlerTimeout). If it had already started its answer, the connection is cut instead.
   */
  private timeOut(res: ServerResponse): void {
    if (res.writableEnded || res.destroyed) return;
    this.stats.timedOut++;
    this.log?.warn('request timed out', { URI: res.req?.url, afterMs: this.requestTimeoutMs });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = statusBody(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', {});
    res.shouldKeepAlive = false;
    res.writeHead(504, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    const late = res as unknown as Record<string, unknown>;
    late.setHeader = () => res;
    late.writeHead = () => res;
    late.write = () => true;
    late.end = () => res;
    late.flushHeaders = () => undefined;
  }

  private warn(kind: 'refused' | 'over-cap', message: string): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(kind) ?? 0) < APISERVER_LIMIT_WARNING_EVERY_MS) return;
    this.lastWarning.set(kind, now);
    this.log?.warn(message);
  }
}
