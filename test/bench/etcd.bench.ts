/**
 * The built-in store (the reference of lesson 01) against etcd 3.4 on this machine, measured in
 * the same run, each with a fresh data dir:
 *
 *   durable puts, 1 writer       target ≥ 0.8× etcd
 *   durable puts, 64 writers     target ≥ 1.0× etcd (group commit)
 *   memory-only puts             target ≥ 50,000/s (absolute, in-process)
 *   one write to 1,000 watchers  p99 delivery latency, target ≤ 1.0× etcd's
 *   the WAL's header checksum    durable puts (64 writers, on tmpfs: no fsync wait, so the CPU
 *                                cost shows) and record encode+decode, each against the same
 *                                with 8-byte headers and no header checksum: target ≥ 0.95×
 *
 * Like with like: both stores run as their own process (ours bundled to plain JavaScript, as etcd
 * is a compiled binary) and are reached by the same client (engine/etcd/remote.ts) over the same
 * protocol, etcd's v3 JSON gateway over HTTP/1.1 with keep-alive, with the same number of
 * concurrent requests. What still differs: etcd's gateway
 * turns each HTTP request into a gRPC call over a loopback connection inside etcd, while ours
 * (engine/etcd/gateway.ts) calls the store directly; etcd runs Raft (a one-member cluster) and
 * commits its bbolt backend every 100 ms, ours applies in memory. Both fsync their WAL before
 * answering. In-process figures of the built-in store (no HTTP at all) are printed for reference.
 *
 *   npm run bench etcd
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { etcdVersion, startEtcd } from '#engine/etcd/etcd-server.ts';
import { prefixEnd, type KVStore } from '#engine/etcd/kv.ts';
import { connectEtcd } from '#engine/etcd/remote.ts';
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import { createStore } from '#engine/etcd/store.ts';
import { crc32, encodeEntry } from '#engine/etcd/wal-entry.ts';
import { loadComponent } from '#engine/impl.ts';
import { ROOT } from '#engine/paths.ts';
import { bundleProgram, etcdComponentIndex } from '../grading/etcd/support/crash.ts';
import { scratchDir } from '../support/scratch.ts';
import { median, percentile, type Benchmark, type Figure } from './harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const SLICES = 6;
const KEYS = 10_000;
const VALUE = 'v'.repeat(256);
const WATCHERS = 1_000;
const FANOUT_WRITES = 40;

/** Puts for `seconds` from `writers` concurrent loops (after a short warm-up); returns puts/s. */
async function putRate(store: KVStore, writers: number, seconds: number): Promise<number> {
  const run = async (ms: number) => {
    let done = 0;
    const until = performance.now() + ms;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < until) {
          await store.put(`/bench/k${Math.floor(Math.random() * KEYS)}`, VALUE);
          done++;
        }
      }),
    );
    return done;
  };
  await run(300);
  const started = performance.now();
  const done = await run(seconds * 1000);
  return done / ((performance.now() - started) / 1000);
}

/** p99 of the time from a put to its arrival at each of `watchers` watchers, in ms. */
async function fanOut(store: KVStore, watchers: number): Promise<number> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const handles = [];
  for (let i = 0; i < watchers; i++) {
    handles.push(
      await store.watch('/fan/', { end: prefixEnd('/fan/') }, (response) => {
        const now = performance.now();
        for (const event of response.events) {
          const at = sentAt.get(event.kv.value);
          if (at !== undefined) latencies.push(now - at);
        }
      }),
    );
  }
  for (let i = 0; i < FANOUT_WRITES; i++) {
    const value = `w${i}`;
    sentAt.set(value, performance.now());
    await store.put('/fan/object', value);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < watchers * FANOUT_WRITES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const h of handles) h.cancel();
  if (latencies.length < watchers * FANOUT_WRITES) throw new Error(`only ${latencies.length} of ${watchers * FANOUT_WRITES} deliveries arrived`);
  return percentile(latencies, 99);
}

/** The record framing before the header checksum (length, CRC-32 of the payload): the baseline. */
function encodeWithoutHeaderChecksum(payload: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + payload.length);
  const view = new DataView(record.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  record.set(payload, 8);
  return record;
}

function decodeWithoutHeaderChecksum(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let records = 0;
  while (offset + 8 <= bytes.length) {
    const end = offset + 8 + view.getUint32(offset, true);
    if (end > bytes.length || crc32(bytes.subarray(offset + 8, end)) !== view.getUint32(offset + 4, true)) break;
    records++;
    offset = end;
  }
  return records;
}

/** Log entries as the store writes them: puts of 256-byte values. */
function benchEntries(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => encodeEntry({ index: i + 1, request: { op: 'put', key: `/bench/k${i % KEYS}`, value: VALUE } }));
}

/** CPU seconds (user + system, every thread of this process) that `work` takes. */
async function cpuSeconds(work: () => Promise<void> | void): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** Frames `entries`, concatenates them and reads them back `rounds` times. */
function frameAndRead(encode: (p: Uint8Array) => Uint8Array, decode: (b: Uint8Array) => number, entries: Uint8Array[], rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    const framed = entries.map(encode);
    const log = new Uint8Array(framed.reduce((n, r) => n + r.length, 0));
    let offset = 0;
    for (const r of framed) {
      log.set(r, offset);
      offset += r.length;
    }
    if (decode(log) !== entries.length) throw new Error('the records did not read back');
  }
}

/** `count` durable puts from 64 writers on a fresh store in a scratch folder (in memory when it can be). */
async function durablePuts(parts: EtcdExercises, count: number): Promise<void> {
  const path = scratchDir('kubelings-bench-header-');
  const store = await createStore({ dataDir: path, parts });
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < count) await store.put(`/bench/k${next++ % KEYS}`, VALUE);
    }),
  );
  await store.close();
  rmSync(path, { recursive: true, force: true });
}

/**
 * What the WAL's header checksum costs: the component's records against the same without it, in
 * CPU time (the machine is shared: wall time would measure the neighbours), for durable puts (64
 * writers on tmpfs, where fsync is nearly free and the CPU cost is not hidden behind the disk) and
 * for the codec alone. Alternating runs, medians.
 */
async function headerChecksumFigures(parts: EtcdExercises): Promise<Figure[]> {
  const baseline: EtcdExercises = { ...parts, encodeRecord: encodeWithoutHeaderChecksum };
  const where = scratchDir('kubelings-bench-where-');
  rmSync(where, { recursive: true, force: true });
  const PUTS = 20_000;
  const ours: number[] = [];
  const without: number[] = [];
  await durablePuts(parts, PUTS); // warm-up (JIT)
  for (let i = 0; i < SLICES; i++) {
    ours.push(PUTS / (await cpuSeconds(() => durablePuts(parts, PUTS))));
    without.push(PUTS / (await cpuSeconds(() => durablePuts(baseline, PUTS))));
  }
  const entries = benchEntries(1_000);
  const ROUNDS = 20;
  const decode = (bytes: Uint8Array) => parts.decodeRecords(bytes).records.length;
  const codecOurs: number[] = [];
  const codecWithout: number[] = [];
  for (let i = 0; i < SLICES; i++) {
    codecOurs.push((entries.length * ROUNDS) / (await cpuSeconds(() => frameAndRead(parts.encodeRecord, decode, entries, ROUNDS))));
    codecWithout.push((entries.length * ROUNDS) / (await cpuSeconds(() => frameAndRead(encodeWithoutHeaderChecksum, decodeWithoutHeaderChecksum, entries, ROUNDS))));
  }
  return [
    {
      name: 'durable puts with the header checksum, 64 writers, on tmpfs, per CPU second',
      value: median(ours),
      unit: 'puts/CPU-s',
      baseline: { name: '8-byte headers, no header checksum', value: median(without) },
      target: { minRatio: 0.95 },
      note: `${PUTS} puts a run, in ${dirname(where)} (fsync costs next to nothing there, so the framing's CPU cost shows); medians of ${SLICES} alternating runs: ours ${ours.map(Math.round).join(', ')}; without ${without.map(Math.round).join(', ')}`,
    },
    {
      name: 'WAL records framed and read back (encodeRecord + decodeRecords), per CPU second',
      value: median(codecOurs),
      unit: 'records/CPU-s',
      baseline: { name: '8-byte headers, no header checksum', value: median(codecWithout) },
      note: `entries of puts with ${VALUE.length}-byte values (~${entries[0]!.length} bytes); the codec alone, for reference: the write path is the figure above`,
    },
  ];
}

/**
 * The built-in store as its own process behind the JSON gateway, as plain JavaScript bundled with
 * esbuild (what engine/etcd/serve.ts does, without a TypeScript loader at run time: a compiled
 * program, as etcd is; tsx's run-time hooks, source maps on, measurably slow a busy server).
 */
async function startBuiltIn(bundle: string, dataDir?: string): Promise<{ endpoint: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [bundle, ...(dataDir ? [dataDir] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the built-in store's server exited (${code}) before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Bundles the server: the door's etcd component (the reference here) behind serveGateway. */
async function bundleServer(dir: string): Promise<string> {
  return bundleProgram(
    dir,
    'etcd-server',
    `import parts from ${JSON.stringify(etcdComponentIndex())};
import { createStore } from ${JSON.stringify(join(ROOT, 'engine/etcd/store.ts'))};
import { serveGateway } from ${JSON.stringify(join(ROOT, 'engine/etcd/gateway.ts'))};
const store = await createStore({ dataDir: process.argv[2] || undefined, parts });
const gateway = await serveGateway(store);
process.stdout.write('listening ' + gateway.endpoint + '\\n');
process.once('SIGTERM', async () => { await gateway.close(); await store.close(); process.exit(0); });
`,
  );
}

function fresh(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const bench: Benchmark = {
  name: 'etcd',
  description: 'the built-in store vs etcd 3.4: durable puts (1 and 64 writers), memory-only puts, watch fan-out',
  async run() {
    const figures: Figure[] = [];
    const version = etcdVersion();

    // Memory-only, in-process: the absolute target.
    {
      const store = await createStore();
      const one = await putRate(store, 1, SECONDS);
      const many = await putRate(store, 64, SECONDS / 2);
      await store.close();
      figures.push({ name: 'memory-only puts, in-process, 1 writer', value: one, unit: 'puts/s', target: { min: 50_000 }, note: `${KEYS} keys, 256-byte values, each put awaited` });
      figures.push({ name: 'memory-only puts, in-process, 64 writers', value: many, unit: 'puts/s', note: 'for reference' });
    }

    // Durable, in-process (no HTTP): for reference.
    for (const writers of [1, 64]) {
      const dir = fresh('kubelings-bench-wal-');
      const store = await createStore({ dataDir: dir.path });
      const rate = await putRate(store, writers, SECONDS / 2);
      await store.close();
      dir.remove();
      figures.push({ name: `durable puts, in-process, ${writers} writer${writers > 1 ? 's' : ''}`, value: rate, unit: 'puts/s', note: 'no HTTP; for reference' });
    }

    figures.push(...(await headerChecksumFigures(await loadComponent('etcd'))));

    const bundleDir = fresh('kubelings-bench-bundle-');
    const bundle = await bundleServer(bundleDir.path);

    if (!version) {
      bundleDir.remove();
      figures.push({ name: 'etcd comparisons', value: 0, unit: '', note: 'skipped: no etcd binary on the PATH (apt-get install etcd-server)' });
      return figures;
    }

    // Durable over the same gateway protocol: ours vs etcd, same client, same concurrency.
    for (const writers of [1, 64]) {
      const etcdDir = fresh('kubelings-bench-etcd-');
      const oursDir = fresh('kubelings-bench-ours-');
      const etcd = await startEtcd({ dataDir: etcdDir.path });
      const ours = await startBuiltIn(bundle, oursDir.path);
      try {
        const etcdClient = await connectEtcd(etcd.endpoint);
        const oursClient = await connectEtcd(ours.endpoint);
        // Alternate short runs (etcd, ours, etcd, ours, ...) and compare medians: the machine is
        // shared, and a disk's fsync time drifts.
        // Warm both (JIT, connections, the first WAL file) before measuring.
        await putRate(etcdClient, writers, 1);
        await putRate(oursClient, writers, 1);
        const etcdRates: number[] = [];
        const oursRates: number[] = [];
        for (let i = 0; i < SLICES; i++) {
          etcdRates.push(await putRate(etcdClient, writers, SECONDS / SLICES));
          oursRates.push(await putRate(oursClient, writers, SECONDS / SLICES));
        }
        await etcdClient.close();
        await oursClient.close();
        figures.push({
          name: `durable puts over the JSON gateway, ${writers} writer${writers > 1 ? 's' : ''}`,
          value: median(oursRates),
          unit: 'puts/s',
          baseline: { name: `etcd ${version}`, value: median(etcdRates) },
          target: { minRatio: writers === 1 ? 0.8 : 1.0 },
          note: `both: own process, fresh data dir, fsync before answering, same HTTP client with ${writers} request${writers > 1 ? 's' : ''} in flight; medians of ${SLICES} alternating runs: ours ${oursRates.map(Math.round).join(', ')}; etcd ${etcdRates.map(Math.round).join(', ')}`,
        });
      } finally {
        await ours.stop();
        await etcd.stop();
        etcdDir.remove();
        oursDir.remove();
      }
    }

    // Fan-out: one write, 1,000 watchers (1,000 HTTP watch streams each side).
    {
      const etcd = await startEtcd();
      const ours = await startBuiltIn(bundle);
      try {
        const etcdClient = await connectEtcd(etcd.endpoint);
        const oursClient = await connectEtcd(ours.endpoint);
        const etcdP99 = await fanOut(etcdClient, WATCHERS);
        const oursP99 = await fanOut(oursClient, WATCHERS);
        await etcdClient.close();
        await oursClient.close();
        figures.push({
          name: `one write to ${WATCHERS} watchers, p99 delivery over the gateway`,
          value: oursP99,
          unit: 'ms',
          baseline: { name: `etcd ${version}`, value: etcdP99 },
          target: { maxRatio: 1.0 },
          note: `${FANOUT_WRITES} writes 25 ms apart; latency from put() to each watcher's callback in the client process (which parses ${WATCHERS} streams)`,
        });
      } finally {
        await ours.stop();
        await etcd.stop();
      }
      const store = await createStore();
      const inProcess = await fanOut(store, WATCHERS);
      await store.close();
      figures.push({ name: `one write to ${WATCHERS} watchers, p99 delivery, in-process`, value: inProcess, unit: 'ms', note: 'no HTTP; for reference' });
    }
    bundleDir.remove();
    return figures;
  },
};

export default bench;
