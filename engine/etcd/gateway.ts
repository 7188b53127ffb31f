/**
 * serveGateway(): any KVStore behind etcd's v3 JSON gateway protocol (the HTTP API etcd serves
 * next to gRPC): POST /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/kv/compaction,
 * /v3/lease/grant, /v3/lease/revoke, /v3/lease/keepalive, /v3/watch (streaming), GET /health.
 *
 * It lets the built-in store run as its own process that other components (or curl) reach the way
 * they reach a real etcd, and RemoteStore (remote.ts) talk to either without knowing which; the
 * benchmark uses it to compare the two over the very same request path.
 *
 * Keys and values are base64, 64-bit integers are strings, errors are
 * {"error": "<etcd's message>", "message": ..., "code": <gRPC code>} with the HTTP status the
 * gateway uses, exactly as etcd 3.4 answers. Only the fields the KVStore interface has are served
 * (no nested txns, no range of comparisons, no sort order, no progress notifications). It binds
 * to 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  FutureRevisionError,
  LeaseExistsError,
  LeaseNotFoundError,
  type Compare,
  type KeyValue,
  type KVStore,
  type RangeOptions,
  type RangeResult,
  type TxnOp,
  type TxnOpResult,
  type WatchEvent,
  type Watcher,
} from './kv.ts';

type Json = Record<string, unknown>;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '');
const int = (value: unknown) => (value === undefined || value === null || value === '' ? 0 : Number(value));

function kvJson(kv: KeyValue): Json {
  const out: Json = { key: b64(kv.key) };
  if (kv.createRevision) out.create_revision = String(kv.createRevision);
  if (kv.modRevision) out.mod_revision = String(kv.modRevision);
  if (kv.version) out.version = String(kv.version);
  if (kv.value) out.value = b64(kv.value);
  if (kv.lease) out.lease = String(kv.lease);
  return out;
}

const header = (revision: number): Json => ({ revision: String(revision) });

function rangeOptions(body: Json): RangeOptions {
  return {
    end: body.range_end ? unb64(body.range_end) : undefined,
    revision: int(body.revision),
    limit: int(body.limit),
    countOnly: body.count_only === true,
    keysOnly: body.keys_only === true,
  };
}

function rangeJson(result: RangeResult): Json {
  const out: Json = { header: header(result.revision) };
  if (result.kvs.length) out.kvs = result.kvs.map(kvJson);
  if (result.more) out.more = true;
  if (result.count) out.count = String(result.count);
  return out;
}

const TARGETS: Record<string, Compare['target']> = { VALUE: 'value', VERSION: 'version', CREATE: 'createRevision', MOD: 'modRevision', LEASE: 'lease' };
const RESULTS: Record<string, Compare['result']> = { EQUAL: '=', NOT_EQUAL: '!=', LESS: '<', GREATER: '>' };

function compareOf(c: Json): Compare {
  const target = TARGETS[String(c.target ?? 'VERSION')] ?? 'version';
  const result = RESULTS[String(c.result ?? 'EQUAL')] ?? '=';
  const key = unb64(c.key);
  if (target === 'value') return { key, target, result, value: unb64(c.value) };
  const field = { version: 'version', createRevision: 'create_revision', modRevision: 'mod_revision', lease: 'lease' }[target];
  return { key, target, result, value: int(c[field]) };
}

function opOf(op: Json): TxnOp {
  if (op.request_put) {
    const p = op.request_put as Json;
    return { type: 'put', key: unb64(p.key), value: unb64(p.value), options: { lease: int(p.lease) || undefined, prevKv: p.prev_kv === true } };
  }
  if (op.request_delete_range) {
    const d = op.request_delete_range as Json;
    return { type: 'delete', key: unb64(d.key), options: { end: d.range_end ? unb64(d.range_end) : undefined, prevKv: d.prev_kv === true } };
  }
  const r = (op.request_range ?? {}) as Json;
  return { type: 'range', key: unb64(r.key), options: rangeOptions(r) };
}

function opJson(result: TxnOpResult): Json {
  if (result.type === 'put') return { response_put: { header: header(result.revision), ...(result.prevKv ? { prev_kv: kvJson(result.prevKv) } : {}) } };
  if (result.type === 'delete') {
    const out: Json = { header: header(result.revision) };
    if (result.deleted) out.deleted = String(result.deleted);
    if (result.prevKvs?.length) out.prev_kvs = result.prevKvs.map(kvJson);
    return { response_delete_range: out };
  }
  return { response_range: rangeJson(result) };
}

function eventJson(event: WatchEvent): Json {
  const out: Json = { kv: kvJson(event.kv) };
  if (event.type === 'DELETE') out.type = 'DELETE';
  if (event.prevKv) out.prev_kv = kvJson(event.prevKv);
  return out;
}

/** etcd's gRPC code and the gateway's HTTP status for an error of the store. */
function errorJson(error: unknown): { status: number; body: Json } {
  const code =
    error instanceof CompactedError || error instanceof FutureRevisionError
      ? 11
      : error instanceof LeaseNotFoundError
        ? 5
        : error instanceof LeaseExistsError
          ? 9
          : error instanceof DuplicateKeyError || error instanceof EmptyKeyError
            ? 3
            : 2;
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.startsWith('etcdserver: ') ? raw : `etcdserver: ${raw}`;
  const status = { 11: 400, 5: 404, 9: 400, 3: 400, 2: 500 }[code]!;
  return { status, body: { error: message, message, code } };
}

function readBody(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      // A watch request may keep its body open: one JSON object is enough.
      if (req.url === '/v3/watch') {
        try {
          resolve(JSON.parse(text) as Json);
        } catch {
          // not whole yet
        }
      }
    });
    req.on('end', () => {
      try {
        resolve(text ? (JSON.parse(text) as Json) : {});
      } catch {
        reject(new Error('the request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface Gateway {
  endpoint: string;
  close(): Promise<void>;
}

export async function serveGateway(store: KVStore, options: { host?: string; port?: number } = {}): Promise<Gateway> {
  const watchers = new Set<Watcher>();
  const unary: Record<string, (body: Json) => Promise<Json>> = {
    '/v3/kv/range': async (b) => rangeJson(await store.range(unb64(b.key), rangeOptions(b))),
    '/v3/kv/put': async (b) => {
      const r = await store.put(unb64(b.key), unb64(b.value), { lease: int(b.lease) || undefined, prevKv: b.prev_kv === true });
      return { header: header(r.revision), ...(r.prevKv ? { prev_kv: kvJson(r.prevKv) } : {}) };
    },
    '/v3/kv/deleterange': async (b) => {
      const r = await store.delete(unb64(b.key), { end: b.range_end ? unb64(b.range_end) : undefined, prevKv: b.prev_kv === true });
      const out: Json = { header: header(r.revision) };
      if (r.deleted) out.deleted = String(r.deleted);
      if (r.prevKvs?.length) out.prev_kvs = r.prevKvs.map(kvJson);
      return out;
    },
    '/v3/kv/txn': async (b) => {
      const r = await store.txn({
        compare: ((b.compare as Json[] | undefined) ?? []).map(compareOf),
        success: ((b.success as Json[] | undefined) ?? []).map(opOf),
        failure: ((b.failure as Json[] | undefined) ?? []).map(opOf),
      });
      const out: Json = { header: header(r.revision) };
      if (r.succeeded) out.succeeded = true;
      if (r.responses.length) out.responses = r.responses.map(opJson);
      return out;
    },
    '/v3/kv/compaction': async (b) => {
      await store.compact(int(b.revision));
      return { header: header(await store.revision()) };
    },
    '/v3/lease/grant': async (b) => {
      const g = await store.leaseGrant(int(b.TTL), int(b.ID) || undefined);
      return { header: header(await store.revision()), ID: String(g.id), TTL: String(g.ttl) };
    },
    '/v3/lease/revoke': async (b) => {
      await store.leaseRevoke(int(b.ID));
      return { header: header(await store.revision()) };
    },
    '/v3/lease/keepalive': async (b) => {
      // etcd answers a keep-alive of an unknown lease with TTL 0, inside the stream's "result".
      const g = await store.leaseKeepAlive(int(b.ID)).catch((error: unknown) => {
        if (error instanceof LeaseNotFoundError) return { id: int(b.ID), ttl: 0 };
        throw error;
      });
      return { result: { header: header(await store.revision()), ID: String(g.id), ...(g.ttl ? { TTL: String(g.ttl) } : {}) } };
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/health') return send(res, 200, { health: 'true' });
      if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed', message: 'method not allowed', code: 12 });
      let body: Json;
      try {
        body = await readBody(req);
      } catch (error) {
        return send(res, 400, { error: (error as Error).message, message: (error as Error).message, code: 3 });
      }
      if (req.url === '/v3/watch') return serveWatch(body, res);
      const handler = unary[req.url ?? ''];
      if (!handler) return send(res, 404, { error: 'Not Found', message: 'Not Found', code: 5 });
      try {
        send(res, 200, await handler(body));
      } catch (error) {
        const { status, body: errorBody } = errorJson(error);
        send(res, status, errorBody);
      }
    })();
  });

  async function serveWatch(body: Json, res: ServerResponse): Promise<void> {
    const create = (body.create_request ?? {}) as Json;
    res.writeHead(200, { 'content-type': 'application/json' });
    const write = (result: Json) => res.write(`${JSON.stringify({ result })}\n`);
    let watcher: Watcher | undefined;
    res.on('close', () => {
      if (watcher) {
        watcher.cancel();
        watchers.delete(watcher);
      }
    });
    // etcd says "created" first; history the store sends before that waits for it.
    let created = false;
    const early: Json[] = [];
    try {
      watcher = await store.watch(
        unb64(create.key),
        { end: create.range_end ? unb64(create.range_end) : undefined, startRevision: int(create.start_revision), prevKv: create.prev_kv === true },
        (response) => {
          const result = { header: header(response.revision), events: response.events.map(eventJson) };
          if (created) write(result);
          else early.push(result);
        },
      );
      if (res.destroyed) watcher.cancel();
      else watchers.add(watcher);
      write({ header: header(await store.revision()), created: true });
      created = true;
      for (const result of early.splice(0)) write(result);
    } catch (error) {
      if (error instanceof CompactedError) {
        write({ header: header(await store.revision()), created: true });
        write({ header: {}, canceled: true, compact_revision: String(error.compactRevision) });
      } else {
        res.write(`${JSON.stringify({ error: { message: (error as Error).message } })}\n`);
      }
      res.end();
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${address.address}:${address.port}`,
    async close() {
      for (const w of watchers) w.cancel();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
