/**
 * The `kubelings/echo` image: an HTTP server on the pod's address (port 8080 unless the container
 * declares another) answering every request with a JSON description of it and of the pod that
 * answered: the pod's name, namespace and IP come from POD_NAME, POD_NAMESPACE and POD_IP when
 * the manifest sets them (the downward API), else from HOSTNAME and the runtime's own
 * KUBELINGS_POD_NAMESPACE and address (engine/cri/launch.ts). One log line per request on stdout.
 *
 * `GET /burn?ms=N` first spends N milliseconds of CPU time (default 50, at most 1000) in a busy
 * loop, then answers as any other path, with `burnedCpuMs`: the php-apache of upstream's HPA
 * walkthrough, so that load makes the pod busy. The loop counts the process's own CPU time
 * (process.cpuUsage), not the wall clock, so one request costs the same CPU on a fast or a loaded
 * machine; it gives up after BURN_WALL_LIMIT_MS of wall time so that a starved process answers.
 */
import { hostname } from 'node:os';
import { exitOn, listenAddress, readBody, serveHttp } from './common.ts';

const MAX_BODY = 64 * 1024;
const BURN_DEFAULT_MS = 50;
const BURN_MAX_MS = 1_000;
const BURN_WALL_LIMIT_MS = 10_000;

/** Busy-loops until `ms` of this process's CPU time is spent (or the wall limit passes); the CPU ms spent. */
function burnCpu(ms: number): number {
  const start = process.cpuUsage();
  const wallEnd = Date.now() + BURN_WALL_LIMIT_MS;
  let spent = 0;
  let x = 0;
  while (spent < ms && Date.now() < wallEnd) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(i + x);
    const used = process.cpuUsage(start);
    spent = (used.user + used.system) / 1000;
  }
  return Math.round(spent);
}

/** The CPU milliseconds a /burn request asks for: `ms` bounded to 0..BURN_MAX_MS (default when absent or not a number). */
function burnAsked(url: URL): number {
  const asked = Number(url.searchParams.get('ms') ?? BURN_DEFAULT_MS);
  return Number.isFinite(asked) ? Math.max(0, Math.min(asked, BURN_MAX_MS)) : BURN_DEFAULT_MS;
}
const address = listenAddress(8080);
const pod = {
  name: process.env.POD_NAME ?? process.env.HOSTNAME ?? hostname(),
  namespace: process.env.POD_NAMESPACE ?? process.env.KUBELINGS_POD_NAMESPACE ?? '',
  ip: process.env.POD_IP ?? address.host,
};

const server = await serveHttp(
  address,
  (req, res) => {
    void readBody(req, MAX_BODY).then((body) => {
      const url = new URL(req.url ?? '/', 'http://echo');
      const burned = url.pathname === '/burn' ? { burnedCpuMs: burnCpu(burnAsked(url)) } : {};
      const answer = {
        pod,
        ...burned,
        request: {
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          remoteAddress: req.socket.remoteAddress,
          body: body === undefined ? `(more than ${MAX_BODY} bytes)` : body.toString('utf8'),
        },
      };
      const text = `${JSON.stringify(answer, null, 2)}\n`;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
      process.stdout.write(`${new Date().toISOString()} ${req.socket.remoteAddress} ${req.method} ${req.url} 200\n`);
    });
  },
  'kubelings/echo',
);
process.stdout.write(`kubelings/echo: pod ${pod.namespace ? `${pod.namespace}/` : ''}${pod.name} listening on ${address.host}:${address.port}\n`);
exitOn(server, ['SIGTERM', 'SIGINT'], (signal) => process.stdout.write(`kubelings/echo: ${signal}, stopping\n`));
