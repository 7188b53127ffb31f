/**
 * The apiserver under load, on loopback, against bare JSON servers measured in the same run with
 * the same load generator. The apiserver serves HTTPS only and wants a bearer token on every
 * request, so the fair baseline is a bare node:https server with the same kind of certificate
 * (one cluster PKI made for the run, ECDSA P-256, served by both); the bare node:http server is
 * measured too, so that what TLS costs is in the figures:
 *   - GET one pod at 100 connections: req/s (target ≥ 0.30× the bare node:https server's), the
 *     same against the bare node:http server (no target: TLS and the token are in it), p99 latency;
 *   - create pods with the durable store (WAL, fsync before the 201): req/s (target ≥ 0.10× the
 *     bare node:https server's);
 *   - one change delivered to 1,000 pod watchers: p99 from the write to each watcher (≤ 100 ms);
 *   - unknown-field pruning + field validation of one body, against JSON.parse of it (≥ 0.20×);
 *   - managedFields of an update (≥ 0.15×) and a server-side apply (≥ 0.05×) of a Deployment,
 *     against JSON.parse + JSON.stringify of it.
 *
 * Each server runs alone in its own child process (this file, started with
 * KUBELINGS_BENCH_ROLE=apiserver|apiserver-durable|baseline|baseline-tls; the PKI and the token
 * in the files named by KUBELINGS_BENCH_PKI). The load generator is wrk (Debian package `wrk`;
 * prerequisite: `apt-get install wrk`): one thread, C, epoll, OpenSSL, keep-alive connections (so
 * a TLS handshake per connection, not per request), and it costs far less CPU than either server.
 * Without wrk, a Node.js load generator in its own child process (this file with
 * KUBELINGS_BENCH_ROLE=load) stands in, and the figures say so.
 *
 * Run: npm run bench apiserver   (quicker: KUBELINGS_BENCH_SECONDS=3 KUBELINGS_BENCH_ROUNDS=1)
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, createServer as createTlsServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, type Benchmark, type Figure } from './harness.ts';
import { fieldValidationFigure } from './field-validation.ts';
import { fieldManagerFigures } from './field-manager.ts';
import { createClusterPki } from '#engine/apiserver/pki.ts';
import { generateToken } from '#engine/apiserver/tokens.ts';

const SELF = fileURLToPath(import.meta.url);
const CONNECTIONS = 100;
const SECONDS = Number(process.env.KUBELINGS_BENCH_SECONDS ?? 6);
const WATCHERS = 1000;
const CHANGES = 30;
const ROUNDS = Number(process.env.KUBELINGS_BENCH_ROUNDS ?? 2);

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'bench', namespace: 'default', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
};

/** The run's credentials: one cluster PKI for every TLS server, and the apiserver's admin token. */
interface Credentials {
  ca: string;
  cert: string;
  key: string;
  token: string;
}

/** Makes the run's credentials and writes them where the child processes read them. */
function makeCredentials(): { dir: string; credentials: Credentials } {
  const pki = createClusterPki();
  const credentials = { ca: pki.ca.cert, cert: pki.serving.cert, key: pki.serving.key, token: generateToken() };
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-bench-pki-'));
  writeFileSync(join(dir, 'credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
  return { dir, credentials };
}

/** In a child process: the credentials the parent made. */
function readCredentials(): Credentials {
  const dir = process.env.KUBELINGS_BENCH_PKI;
  if (!dir) throw new Error('KUBELINGS_BENCH_PKI is not set: the child roles are started by the benchmark');
  return JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Credentials;
}

// ── child roles ───────────────────────────────────────────────────────────────────────────────

async function serveApiserver(durable: boolean): Promise<void> {
  const { createStore } = await import('#engine/etcd/store.ts');
  const { startApiServer } = await import('#engine/apiserver/server.ts');
  const dataDir = durable ? mkdtempSync(join(tmpdir(), 'kubelings-bench-data-')) : undefined;
  const store = await createStore({ dataDir });
  const { ca, cert, key, token } = readCredentials();
  const api = await startApiServer({ store, port: 0, tls: { ca, cert, key }, adminToken: token });
  const made = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const body = JSON.stringify(POD);
    const req = request(
      `${api.url}/api/v1/namespaces/default/pods`,
      { method: 'POST', ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (made.status !== 201) throw new Error(`creating the bench pod: ${made.status} ${made.text}`);
  process.stdout.write(`${api.url}\n`);
  process.on('SIGTERM', () => {
    void api
      .close()
      .then(() => store.close())
      .then(() => {
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
  });
}

/**
 * A bare JSON server, node:http or (`tls`) node:https with the run's serving certificate: GET
 * answers the pod, POST reads and parses the body and answers it. No authentication.
 */
function serveBaseline(tls: boolean): void {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = req.method === 'POST' ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : { ...POD, metadata: { ...POD.metadata, resourceVersion: '2' } };
      const text = JSON.stringify(body);
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  };
  const { cert, key } = tls ? readCredentials() : { cert: '', key: '' };
  const server = tls ? createTlsServer({ cert, key }, handle) : createServer(handle);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** The Node.js load generator: CONNECTIONS keep-alive connections in a closed loop for SECONDS (http or https; the token on every request). */
async function generateLoad(url: string, method: string): Promise<void> {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const { ca, token } = readCredentials();
  const agent = tls ? new Agent({ keepAlive: true, maxSockets: CONNECTIONS, ca }) : new HttpAgent({ keepAlive: true, maxSockets: CONNECTIONS });
  const send = tls ? request : httpRequest;
  const latencies: number[] = [];
  let counter = 0;
  const end = performance.now() + SECONDS * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const body = method === 'POST' ? JSON.stringify({ ...POD, metadata: { ...POD.metadata, name: `p-${process.pid}-${counter++}` } }) : undefined;
      const headers = { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) };
      const req = send({ host: target.hostname, port: target.port, path: target.pathname, method, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  process.stdout.write(`${JSON.stringify({ requests: latencies.length, seconds: SECONDS, p99: percentile(latencies, 99) })}\n`);
  agent.destroy();
}

const role = process.env.KUBELINGS_BENCH_ROLE;
if (role === 'apiserver' || role === 'apiserver-durable') await serveApiserver(role === 'apiserver-durable');
else if (role === 'baseline' || role === 'baseline-tls') serveBaseline(role === 'baseline-tls');
else if (role === 'load') await generateLoad(process.argv[2]!, process.argv[3]!);

// ── the benchmark ─────────────────────────────────────────────────────────────────────────────

const HAS_WRK = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;

async function startServer(kind: 'apiserver' | 'apiserver-durable' | 'baseline' | 'baseline-tls', pkiDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF], {
    env: { ...process.env, KUBELINGS_BENCH_ROLE: kind, KUBELINGS_BENCH_PKI: pkiDir, KUBELINGS_IMPL: 'solutions' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => /^https?:\/\//.test(l));
      if (line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`the ${kind} server exited with ${code}`)));
  });
  return { url, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function parseDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
}

const POST_SCRIPT = `
counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"wrk-' .. counter .. '","namespace":"default"},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}'
  return wrk.format(nil, nil, nil, body)
end
`;

interface Load {
  rps: number;
  p99: number;
}

/** Drives `url` with CONNECTIONS connections for SECONDS; GET, or POST of new pods; the bearer token on every request (the bare servers ignore it). */
function load(url: string, method: 'GET' | 'POST', credentials: { dir: string; credentials: Credentials }): Load {
  if (HAS_WRK) {
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-H', `Authorization: Bearer ${credentials.credentials.token}`];
    let dir: string | undefined;
    if (method === 'POST') {
      dir = mkdtempSync(join(tmpdir(), 'kubelings-wrk-'));
      writeFileSync(join(dir, 'post.lua'), POST_SCRIPT);
      args.push('-s', join(dir, 'post.lua'));
    }
    const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' });
    if (dir) rmSync(dir, { recursive: true, force: true });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p99 = parseDuration(/^\s+99%\s+(\S+)\s*$/m.exec(out)?.[1] ?? '');
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    if (non2xx > 0) throw new Error(`wrk saw ${non2xx} non-2xx responses from ${url}:\n${out}`);
    return { rps, p99 };
  }
  const out = execFileSync(process.execPath, ['--import', 'tsx', SELF, url, method], { encoding: 'utf8', env: { ...process.env, KUBELINGS_BENCH_ROLE: 'load', KUBELINGS_BENCH_PKI: credentials.dir } });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { requests: number; seconds: number; p99: number };
  return { rps: result.requests / result.seconds, p99: result.p99 };
}

/** Opens WATCHERS watches, makes CHANGES changes one at a time, and returns every delivery latency (ms). */
async function watchFanOut(url: string, { ca, token }: Credentials): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: WATCHERS + 10, ca });
  const base = new URL(url);
  const call = (method: string, path: string, body?: string, type = 'application/json') =>
    new Promise<string>((resolve, reject) => {
      const headers = { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) } : {}) };
      const req = request({ host: base.hostname, port: base.port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      req.on('error', reject);
      req.end(body);
    });
  const list = JSON.parse(await call('GET', '/api/v1/namespaces/default/pods?limit=1')) as { metadata: { resourceVersion: string } };
  const MODIFIED = Buffer.from('"type":"MODIFIED"');
  let sentAt = 0;
  let expected = 0;
  const latencies: number[] = [];
  const arrivals = new Map<number, number>();
  let waiting: (() => void) | undefined;
  // The watchers are raw TLS sockets speaking just enough HTTP/1.1: a light client, so that the
  // measurement is the server's fan-out rather than a thousand HTTP parsers in this process.
  const sockets: TLSSocket[] = [];
  const path = `/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dbench&resourceVersion=${list.metadata.resourceVersion}`;
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({ host: base.hostname, port: Number(base.port), ca }, () => {
            socket.write(`GET ${path} HTTP/1.1\r\nHost: ${base.host}\r\nAuthorization: Bearer ${token}\r\nAccept: application/json\r\n\r\n`);
          });
          let started = false;
          socket.on('data', (chunk: Buffer) => {
            if (!started) {
              started = true;
              resolve();
            }
            let at = chunk.indexOf(MODIFIED);
            while (at >= 0) {
              const now = performance.now();
              latencies.push(now - sentAt);
              const count = (arrivals.get(expected) ?? 0) + 1;
              arrivals.set(expected, count);
              if (count === WATCHERS) waiting?.();
              at = chunk.indexOf(MODIFIED, at + 1);
            }
          });
          socket.on('error', reject);
          sockets.push(socket);
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < CHANGES; i++) {
    expected = i;
    const done = new Promise<void>((resolve) => (waiting = resolve));
    sentAt = performance.now();
    await call('PATCH', '/api/v1/namespaces/default/pods/bench', JSON.stringify({ metadata: { labels: { round: String(i) } } }), 'application/merge-patch+json');
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    if ((arrivals.get(i) ?? 0) < WATCHERS) throw new Error(`change ${i} reached only ${arrivals.get(i) ?? 0} of ${WATCHERS} watchers in 5 s`);
  }
  for (const socket of sockets) socket.destroy();
  agent.destroy();
  return latencies;
}

const bench: Benchmark = {
  name: 'apiserver',
  description: `GET and create against bare node:https and node:http JSON servers, and watch fan-out (load: ${HAS_WRK ? 'wrk, 1 thread' : 'a Node.js load generator in a child process; install wrk for less overhead'})`,
  async run() {
    const generator = HAS_WRK ? `wrk -t1 -c${CONNECTIONS} -d${SECONDS}s` : `Node.js load generator, ${CONNECTIONS} connections, ${SECONDS} s`;
    const loadBefore = loadavg()[0]!;
    const credentials = makeCredentials();
    const pod = (url: string) => `${url}/api/v1/namespaces/default/pods/bench`;
    const pods = (url: string) => `${url}/api/v1/namespaces/default/pods`;
    // Rounds alternate between the bare servers and the apiserver, and each keeps its best round,
    // so that load from other processes on a shared machine hurts all alike.
    const best = (a: Load | undefined, b: Load) => (!a || b.rps > a.rps ? b : a);
    let bareGet: Load | undefined;
    let barePost: Load | undefined;
    let tlsGet: Load | undefined;
    let tlsPost: Load | undefined;
    let get: Load | undefined;
    let create: Load | undefined;
    let latencies: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const baseline = await startServer('baseline', credentials.dir);
        try {
          if (round === 0) load(pod(baseline.url), 'GET', credentials); // warm-up
          bareGet = best(bareGet, load(pod(baseline.url), 'GET', credentials));
          barePost = best(barePost, load(pods(baseline.url), 'POST', credentials));
        } finally {
          await stop(baseline.child);
        }
        const baselineTls = await startServer('baseline-tls', credentials.dir);
        try {
          if (round === 0) load(pod(baselineTls.url), 'GET', credentials); // warm-up
          tlsGet = best(tlsGet, load(pod(baselineTls.url), 'GET', credentials));
          tlsPost = best(tlsPost, load(pods(baselineTls.url), 'POST', credentials));
        } finally {
          await stop(baselineTls.child);
        }
        const memory = await startServer('apiserver', credentials.dir);
        try {
          load(pod(memory.url), 'GET', credentials); // warm-up
          get = best(get, load(pod(memory.url), 'GET', credentials));
          const run = await watchFanOut(memory.url, credentials.credentials);
          if (latencies.length === 0 || percentile(run, 99) < percentile(latencies, 99)) latencies = run;
        } finally {
          await stop(memory.child);
        }
        const durable = await startServer('apiserver-durable', credentials.dir);
        try {
          create = best(create, load(pods(durable.url), 'POST', credentials));
        } finally {
          await stop(durable.child);
        }
      }
    } finally {
      rmSync(credentials.dir, { recursive: true, force: true });
    }
    const machine = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} cores; best of ${ROUNDS} alternating rounds`;
    if (!bareGet || !barePost || !tlsGet || !tlsPost || !get || !create) throw new Error('no rounds ran');

    const figures: Figure[] = [
      {
        name: `GET one pod, ${CONNECTIONS} connections`,
        value: get.rps,
        unit: 'req/s',
        baseline: { name: 'bare node:https JSON server, same certificate', value: tlsGet.rps },
        target: { minRatio: 0.3 },
        note: `${generator}; HTTPS and a bearer token on each request, keep-alive; p99 ${get.p99.toFixed(1)} ms (bare node:https server: ${tlsGet.p99.toFixed(1)} ms); in-memory store; ${machine}`,
      },
      {
        name: `GET one pod, ${CONNECTIONS} connections, against plain http`,
        value: get.rps,
        unit: 'req/s',
        baseline: { name: 'bare node:http JSON server', value: bareGet.rps },
        note: `no target: the apiserver serves HTTPS only, so this ratio includes what TLS costs (bare node:https / bare node:http = ${(tlsGet.rps / bareGet.rps).toFixed(2)}×); p99 of the bare node:http server ${bareGet.p99.toFixed(1)} ms`,
      },
      { name: `GET one pod, p99 latency at ${CONNECTIONS} connections`, value: get.p99, unit: 'ms', baseline: { name: 'bare node:https JSON server', value: tlsGet.p99 } },
      {
        name: `create pod, durable store, ${CONNECTIONS} connections`,
        value: create.rps,
        unit: 'req/s',
        baseline: { name: 'bare node:https JSON server (reads and parses the body)', value: tlsPost.rps },
        target: { minRatio: 0.1 },
        note: `${generator}; every 201 after the WAL record is fsync'd (group commit); p99 ${create.p99.toFixed(1)} ms; bare node:http server ${Math.round(barePost.rps)} req/s (${(create.rps / barePost.rps).toFixed(2)}×); ${machine}`,
      },
      {
        name: `one change delivered to ${WATCHERS} pod watchers, p99`,
        value: percentile(latencies, 99),
        unit: 'ms',
        target: { max: 100 },
        note: `${CHANGES} changes × ${WATCHERS} watchers (raw TLS clients) per round, the round with the lower p99 kept; from sending the PATCH to each watcher receiving the event; median ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ${machine}`,
      },
    ];
    figures.push(fieldValidationFigure());
    figures.push(...fieldManagerFigures());
    return figures;
  },
};

export default bench;
