/**
 * The `nginx` image: a static web server on the pod's address and container port (80 unless the
 * container declares another), serving /usr/share/nginx/html of the container's folder, which
 * holds the official image's welcome page unless something (a volume) put other files there.
 * Answers as nginx does: GET and HEAD, index.html for a folder, a redirect for a folder without
 * its slash, nginx's own 404/405 pages, the Server header, and an access log line per request on
 * stdout in nginx's combined format. SIGQUIT (the image's stop signal) and SIGTERM end it.
 */
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize } from 'node:path';
import { containerPath, exitOn, listenAddress, serveHttp } from './common.ts';
import { NGINX_50X_HTML, NGINX_INDEX_HTML, nginxErrorPage } from './welcome.ts';

const VERSION = process.env.NGINX_VERSION ?? '1.27.3';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TYPES: Record<string, string> = {
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'application/javascript',
  json: 'application/json',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

const two = (n: number) => String(n).padStart(2, '0');

/** nginx's error-log time: 2024/01/31 12:00:00. */
function errorLogTime(d = new Date()): string {
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** nginx's $time_local: 31/Jan/2024:12:00:00 +0000. */
function accessLogTime(d = new Date()): string {
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function notice(text: string): void {
  process.stderr.write(`${errorLogTime()} [notice] ${process.pid}#${process.pid}: ${text}\n`);
}

const html = containerPath('/usr/share/nginx/html');
if (!existsSync(html)) {
  mkdirSync(html, { recursive: true });
  writeFileSync(join(html, 'index.html'), NGINX_INDEX_HTML);
  writeFileSync(join(html, '50x.html'), NGINX_50X_HTML);
}

function accessLog(req: IncomingMessage, status: number, bytes: number): void {
  const h = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' && v ? v : '-';
  };
  process.stdout.write(
    `${req.socket.remoteAddress ?? '-'} - - [${accessLogTime()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "${h('referer')}" "${h('user-agent')}" "${h('x-forwarded-for')}"\n`,
  );
}

function send(req: IncomingMessage, res: ServerResponse, status: number, text: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { Server: `nginx/${VERSION}`, 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
  accessLog(req, status, Buffer.byteLength(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, '405 Not Allowed', nginxErrorPage('405 Not Allowed', VERSION));
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://nginx').pathname);
  } catch {
    return send(req, res, 400, '400 Bad Request', nginxErrorPage('400 Bad Request', VERSION));
  }
  if (path.includes('\0') || normalize(path) !== path.replace(/\/+/g, '/') || path.split('/').includes('..')) {
    return send(req, res, 400, '400 Bad Request', nginxErrorPage('400 Bad Request', VERSION));
  }
  let file = join(html, path);
  let stats;
  try {
    stats = statSync(file);
    if (stats.isDirectory()) {
      if (!path.endsWith('/')) return send(req, res, 301, '301 Moved Permanently', nginxErrorPage('301 Moved Permanently', VERSION), { Location: `${path}/` });
      file = join(file, 'index.html');
      stats = statSync(file);
    }
  } catch {
    return send(req, res, 404, '404 Not Found', nginxErrorPage('404 Not Found', VERSION));
  }
  const type = TYPES[file.slice(file.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    Server: `nginx/${VERSION}`,
    'Content-Type': type,
    'Content-Length': String(stats.size),
    'Last-Modified': stats.mtime.toUTCString(),
    ETag: `"${Math.floor(stats.mtimeMs / 1000).toString(16)}-${stats.size.toString(16)}"`,
    'Accept-Ranges': 'bytes',
  });
  accessLog(req, 200, stats.size);
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

const address = listenAddress(80);
process.stdout.write('/docker-entrypoint.sh: Configuration complete; ready for start up\n');
const server = await serveHttp(address, handle, 'nginx');
notice(`nginx/${VERSION}`);
if (address.port !== address.containerPort) notice(`kubelings: container port ${address.containerPort} listens on ${address.host}:${address.port} (ports below 1024 are moved: no root)`);
notice('start worker processes');
exitOn(server, ['SIGQUIT', 'SIGTERM', 'SIGINT'], (signal) => {
  notice(`signal ${signal === 'SIGQUIT' ? 3 : signal === 'SIGTERM' ? 15 : 2} (${signal}) received, ${signal === 'SIGQUIT' ? 'shutting down' : 'exiting'}`);
  notice('exit');
});
