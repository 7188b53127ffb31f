/**
 * The apiserver under load, on loopback, against a bare node:http JSON server measured in the same
 * run with the same load generator:
 *   - GET one pod at 100 connections: req/s (target ≥ 0.30× the bare server's) and p99 latency;
 *   - create pods with the durable store (WAL, fsync before the 201): req/s (target ≥ 0.10×);
 *   - one change delivered to 1,000 pod watchers: p99 from the write to each watcher (≤ 100 ms);
 *   - unknown-field pruning + field validation of one body, against JSON.parse of it (≥ 0.20×);
 *   - managedFields of an update (≥ 0.15×) and a server-side apply (≥ 0.05×) of a Deployment,
 *     against JSON.parse + JSON.stringify of it.
 *
 * Each server runs alone in its own child process (this file, started with
 * KUBELINGS_BENCH_ROLE=apiserver|baseline). The load generator is wrk (Debian package `wrk`;
 * prerequisite: `apt-get install wrk`): one thread, C, epoll, so it costs far less CPU than either
 * server. Without wrk, a Node.js load generator in its own child process (this file with
 * KUBELINGS_BENCH_ROLE=load) stands in, and the figures say so.
 *
 * Run: npm run bench apiserver
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, type Benchmark, type Figure } from './harness.ts';
import { fieldValidationFigure } from './field-validation.ts';
import { fieldManagerFigures } from './field-manager.ts';

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

// ── child roles ───────────────────────────────────────────────────────────────────────────────

async function serveApiserver(durable: boolean): Promise<void> {
  const { createStore } = await import('#engine/etcd/store.ts');
  const { startApiServer } = await import('#engine/apiserver/server.ts');
  const dataDir = durable ? mkdtempSync(join(tmpdir(), 'kubelings-bench-data-')) : undefined;
  const store = await createStore({ dataDir });
  const api = await startApiServer({ store, port: 0 });
  const made = await fetch(`${api.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(POD) });
  if (made.status !== 201) throw new Error(`creating the bench pod: ${made.status} ${await made.text()}`);
  process.stdout.write(`${api.url}\n`);
  process.on('SIGTERM', () => {
    void api.close().then(() => store.close()).then(() => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

/** A bare node:http JSON server: GET answers the pod, POST reads and parses the body and answers it. */
function serveBaseline(): void {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = req.method === 'POST' ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : { ...POD, metadata: { ...POD.metadata, resourceVersion: '2' } };
      const text = JSON.stringify(body);
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** The Node.js load generator: CONNECTIONS keep-alive connections in a closed loop for SECONDS. */
async function generateLoad(url: string, method: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = new URL(url);
  const latencies: number[] = [];
  let counter = 0;
  const end = performance.now() + SECONDS * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const body = method === 'POST' ? JSON.stringify({ ...POD, metadata: { ...POD.metadata, name: `p-${process.pid}-${counter++}` } }) : undefined;
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end(body);
    });
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end) await one();
  }));
  process.stdout.write(`${JSON.stringify({ requests: latencies.length, seconds: SECONDS, p99: percentile(latencies, 99) })}\n`);
  agent.destroy();
}

const role = process.env.KUBELINGS_BENCH_ROLE;
if (role === 'apiserver' || role === 'apiserver-durable') await serveApiserver(role === 'apiserver-durable');
else if (role === 'baseline') serveBaseline();
else if (role === 'load') await generateLoad(process.argv[2]!, process.argv[3]!);

// ── the benchmark ─────────────────────────────────────────────────────────────────────────────

const HAS_WRK = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;

async function startServer(kind: 'apiserver' | 'apiserver-durable' | 'baseline'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF], { env: { ...process.env, KUBELINGS_BENCH_ROLE: kind, KUBELINGS_IMPL: 'solutions' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://'));
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

/** Drives `url` with CONNECTIONS connections for SECONDS; GET, or POST of new pods. */
function load(url: string, method: 'GET' | 'POST'): Load {
  if (HAS_WRK) {
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency'];
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
  const out = execFileSync(process.execPath, ['--import', 'tsx', SELF, url, method], { encoding: 'utf8', env: { ...process.env, KUBELINGS_BENCH_ROLE: 'load' } });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { requests: number; seconds: number; p99: number };
  return { rps: result.requests / result.seconds, p99: result.p99 };
}

/** Opens WATCHERS watches, makes CHANGES changes one at a time, and returns every delivery latency (ms). */
async function watchFanOut(url: string): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: WATCHERS + 10 });
  const base = new URL(url);
  const call = (method: string, path: string, body?: string, type = 'application/json') =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: base.hostname, port: base.port, method, path, agent, headers: body ? { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
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
  // The watchers are raw TCP sockets speaking just enough HTTP/1.1: a light client, so that the
  // measurement is the server's fan-out rather than a thousand HTTP parsers in this process.
  const sockets: Socket[] = [];
  const path = `/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dbench&resourceVersion=${list.metadata.resourceVersion}`;
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({ host: base.hostname, port: Number(base.port) }, () => {
            socket.write(`GET ${path} HTTP/1.1\r\nHost: ${base.host}\r\nAccept: application/json\r\n\r\n`);
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
  description: `GET and create against a bare node:http JSON server, and watch fan-out (load: ${HAS_WRK ? 'wrk, 1 thread' : 'a Node.js load generator in a child process; install wrk for less overhead'})`,
  async run() {
    const generator = HAS_WRK ? `wrk -t1 -c${CONNECTIONS} -d${SECONDS}s` : `Node.js load generator, ${CONNECTIONS} connections, ${SECONDS} s`;
    const loadBefore = loadavg()[0]!;
    // Rounds alternate between the bare server and the apiserver, and each keeps its best round,
    // so that load from other processes on a shared machine hurts both alike.
    const best = (a: Load | undefined, b: Load) => (!a || b.rps > a.rps ? b : a);
    let bareGet: Load | undefined;
    let barePost: Load | undefined;
    let get: Load | undefined;
    let create: Load | undefined;
    let latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = await startServer('baseline');
      try {
        if (round === 0) load(`${baseline.url}/api/v1/namespaces/default/pods/bench`, 'GET'); // warm-up
        bareGet = best(bareGet, load(`${baseline.url}/api/v1/namespaces/default/pods/bench`, 'GET'));
        barePost = best(barePost, load(`${baseline.url}/api/v1/namespaces/default/pods`, 'POST'));
      } finally {
        await stop(baseline.child);
      }
      const memory = await startServer('apiserver');
      try {
        load(`${memory.url}/api/v1/namespaces/default/pods/bench`, 'GET'); // warm-up
        get = best(get, load(`${memory.url}/api/v1/namespaces/default/pods/bench`, 'GET'));
        const run = await watchFanOut(memory.url);
        if (latencies.length === 0 || percentile(run, 99) < percentile(latencies, 99)) latencies = run;
      } finally {
        await stop(memory.child);
      }
      const durable = await startServer('apiserver-durable');
      try {
        create = best(create, load(`${durable.url}/api/v1/namespaces/default/pods`, 'POST'));
      } finally {
        await stop(durable.child);
      }
    }
    const machine = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} cores; best of ${ROUNDS} alternating rounds`;
    if (!bareGet || !barePost || !get || !create) throw new Error('no rounds ran');

    const figures: Figure[] = [
      {
        name: `GET one pod, ${CONNECTIONS} connections`,
        value: get.rps,
        unit: 'req/s',
        baseline: { name: 'bare node:http JSON server', value: bareGet.rps },
        target: { minRatio: 0.3 },
        note: `${generator}; p99 ${get.p99.toFixed(1)} ms (bare server: ${bareGet.p99.toFixed(1)} ms); in-memory store; ${machine}`,
      },
      { name: `GET one pod, p99 latency at ${CONNECTIONS} connections`, value: get.p99, unit: 'ms', baseline: { name: 'bare node:http JSON server', value: bareGet.p99 } },
      {
        name: `create pod, durable store, ${CONNECTIONS} connections`,
        value: create.rps,
        unit: 'req/s',
        baseline: { name: 'bare node:http JSON server (reads and parses the body)', value: barePost.rps },
        target: { minRatio: 0.1 },
        note: `${generator}; every 201 after the WAL record is fsync'd (group commit); p99 ${create.p99.toFixed(1)} ms; ${machine}`,
      },
      {
        name: `one change delivered to ${WATCHERS} pod watchers, p99`,
        value: percentile(latencies, 99),
        unit: 'ms',
        target: { max: 100 },
        note: `${CHANGES} changes × ${WATCHERS} watchers (raw TCP clients) per round, the round with the lower p99 kept; from sending the PATCH to each watcher receiving the event; median ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ${machine}`,
      },
    ];
    figures.push(fieldValidationFigure());
    figures.push(...fieldManagerFigures());
    return figures;
  },
};

export default bench;
