/**
 * RemoteStore: the KVStore interface over a real etcd (v3.4+), through its gRPC JSON gateway
 * (the HTTP endpoints /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn,
 * /v3/kv/compaction, /v3/watch, /v3/lease/...). With it the apiserver can keep its data in a real
 * etcd instead of the built-in store, and the tests can hold the built-in store to etcd's answers.
 *
 *   const store = await connectEtcd('http://127.0.0.1:2379');   // or the URLs of every member
 *
 * What the gateway changes, and how this file keeps the interface's semantics:
 * - keys and values travel as base64 (of UTF-8), 64-bit integers as strings;
 * - errors arrive as {"error": "<etcd's message>", "code": N} and are turned back into the
 *   interface's error classes by their message (CompactedError, FutureRevisionError, ...);
 *   a CompactedError from a range does not say the compacted revision: its compactRevision is 0;
 * - a watch from a compacted revision is refused by etcd only after it was created (a later
 *   response with compact_revision); watch() checks the start revision with a range first, so that
 *   it fails up front as the interface says. If compaction happens in between, the watch ends with a
 *   response carrying `compactRevision` instead;
 * - a watch that etcd ends after it was created (etcd stopped, the connection broke, etcd canceled
 *   it) gets one last response with `ended` saying why, so the watcher can start again;
 * - given several members, requests go to one; when it refuses connections (nothing was sent),
 *   to the next (watches start on whichever member requests go to then);
 * - compact() asks etcd for a physical compaction (it answers once the old revisions are gone), so
 *   that what a watch from the compacted revision replays does not depend on timing;
 * - lease ids are chosen here when none is given (etcd's own are random 63-bit integers, which a
 *   JavaScript number cannot hold exactly).
 */
import { randomInt } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import { readLines } from '../lines.ts';
import {
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  FutureRevisionError,
  LeaseExistsError,
  LeaseNotFoundError,
  StoreError,
  type Compare,
  type DeleteOptions,
  type DeleteResult,
  type KeyValue,
  type KVStore,
  type LeaseGrant,
  type PutOptions,
  type PutResult,
  type RangeOptions,
  type RangeResult,
  type TxnOp,
  type TxnOpResult,
  type TxnRequest,
  type TxnResult,
  type WatchEvent,
  type WatchOptions,
  type WatchResponse,
  type Watcher,
} from './kv.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (data: unknown) => (typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : '');
const int = (value: unknown) => (value === undefined || value === null ? 0 : Number(value));

/** An etcd error message, as the interface's error class. */
function storeError(message: string, context: { lease?: number } = {}): StoreError {
  if (message.includes('required revision has been compacted')) return new CompactedError(0);
  if (message.includes('required revision is a future revision')) return new FutureRevisionError();
  if (message.includes('requested lease not found')) return new LeaseNotFoundError(context.lease ?? 0);
  if (message.includes('lease already exists')) return new LeaseExistsError(context.lease ?? 0);
  if (message.includes('duplicate key given in txn request')) return new DuplicateKeyError();
  if (message.includes('key is not provided')) return new EmptyKeyError();
  return new StoreError(`etcd: ${message}`);
}

interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  lease?: string;
}

function keyValue(raw: RawKv): KeyValue {
  return {
    key: unb64(raw.key),
    value: unb64(raw.value),
    createRevision: int(raw.create_revision),
    modRevision: int(raw.mod_revision),
    version: int(raw.version),
    lease: int(raw.lease),
  };
}

interface RawRangeResponse {
  header?: { revision?: string };
  kvs?: RawKv[];
  count?: string;
  more?: boolean;
}

function rangeResult(raw: RawRangeResponse): RangeResult {
  return { kvs: (raw.kvs ?? []).map(keyValue), count: int(raw.count), more: raw.more ?? false, revision: int(raw.header?.revision) };
}

function rangeRequest(key: string, options: RangeOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { key: b64(key) };
  if (options.end) body.range_end = b64(options.end);
  if (options.revision) body.revision = String(options.revision);
  if (options.limit) body.limit = String(options.limit);
  if (options.countOnly) body.count_only = true;
  if (options.keysOnly) body.keys_only = true;
  return body;
}

function putRequest(key: string, value: string, options: PutOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { key: b64(key), value: b64(value) };
  if (options.lease) body.lease = String(options.lease);
  if (options.prevKv) body.prev_kv = true;
  return body;
}

function deleteRequest(key: string, options: DeleteOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { key: b64(key) };
  if (options.end) body.range_end = b64(options.end);
  if (options.prevKv) body.prev_kv = true;
  return body;
}

const TARGETS = { value: 'VALUE', version: 'VERSION', createRevision: 'CREATE', modRevision: 'MOD', lease: 'LEASE' } as const;
const FIELDS = { value: 'value', version: 'version', createRevision: 'create_revision', modRevision: 'mod_revision', lease: 'lease' } as const;
const RESULTS = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' } as const;

function compareRequest(c: Compare): Record<string, unknown> {
  return {
    key: b64(c.key),
    target: TARGETS[c.target],
    result: RESULTS[c.result],
    [FIELDS[c.target]]: c.target === 'value' ? b64(c.value) : String(c.value),
  };
}

function opRequest(op: TxnOp): Record<string, unknown> {
  if (op.type === 'put') return { request_put: putRequest(op.key, op.value, op.options) };
  if (op.type === 'delete') return { request_delete_range: deleteRequest(op.key, op.options) };
  return { request_range: rangeRequest(op.key, op.options) };
}

interface RawOpResponse {
  response_put?: { header?: { revision?: string }; prev_kv?: RawKv };
  response_delete_range?: { header?: { revision?: string }; deleted?: string; prev_kvs?: RawKv[] };
  response_range?: RawRangeResponse;
}

function opResult(raw: RawOpResponse, op: TxnOp): TxnOpResult {
  if (raw.response_put) {
    const result: TxnOpResult = { type: 'put', revision: int(raw.response_put.header?.revision) };
    if (raw.response_put.prev_kv) result.prevKv = keyValue(raw.response_put.prev_kv);
    return result;
  }
  if (raw.response_delete_range) {
    const d = raw.response_delete_range;
    const result: TxnOpResult = { type: 'delete', revision: int(d.header?.revision), deleted: int(d.deleted) };
    if (op.type === 'delete' && op.options?.prevKv) result.prevKvs = (d.prev_kvs ?? []).map(keyValue);
    return result;
  }
  return { type: 'range', ...rangeResult(raw.response_range ?? {}) };
}

interface RawEvent {
  type?: 'PUT' | 'DELETE';
  kv?: RawKv;
  prev_kv?: RawKv;
}

function watchEvent(raw: RawEvent): WatchEvent {
  const event: WatchEvent = { type: raw.type === 'DELETE' ? 'DELETE' : 'PUT', kv: keyValue(raw.kv ?? {}) };
  if (raw.prev_kv) event.prevKv = keyValue(raw.prev_kv);
  return event;
}

export class RemoteStore implements KVStore {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  /** Open watches, canceled by close() (which, as cancel() does, ends them without a last response). */
  private readonly watches = new Set<Watcher>();
  private closed = false;
  private readonly endpoints: string[];
  /** Which of `endpoints` requests go to; moves on when one refuses connections. */
  private current = 0;

  /**
   * @param endpoints the client URLs of etcd's members, e.g. http://127.0.0.1:2379 (as
   *   kube-apiserver's --etcd-servers): requests go to one; when it refuses connections (the request
   *   was never sent), to the next
   */
  constructor(endpoints: string | string[]) {
    this.endpoints = typeof endpoints === 'string' ? [endpoints] : [...endpoints];
    if (this.endpoints.length === 0) throw new StoreError('no etcd endpoint given');
  }

  /** The member requests go to now. */
  get endpoint(): string {
    return this.endpoints[this.current]!;
  }

  /** POSTs to the current member; when it refuses the connection, tries the others in turn. */
  private async call<T>(path: string, body: Record<string, unknown>, context: { lease?: number } = {}): Promise<T> {
    for (let tried = 1; ; tried++) {
      try {
        return await this.callOnce<T>(path, body, context);
      } catch (error) {
        if (!(error instanceof RefusedError) || tried >= this.endpoints.length) throw error;
        this.current = (this.current + 1) % this.endpoints.length;
      }
    }
  }

  /** POSTs a JSON body to a gateway path; resolves with the parsed answer or rejects with a StoreError. */
  private callOnce<T>(path: string, body: Record<string, unknown>, context: { lease?: number } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('the store is closed'));
    const url = new URL(path, this.endpoint);
    const payload = JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            reject(new StoreError(`etcd answered ${path} with something that is not JSON (HTTP ${res.statusCode}): ${text.slice(0, 200)}`));
            return;
          }
          // Streaming endpoints (keep-alive) wrap their answer in "result".
          const answer = (parsed.result ?? parsed) as Record<string, unknown>;
          // Unary errors are {"error": "<message>", "code": N}; streaming ones {"error": {"message": ...}};
          // a lease grant carries its own "error" field (empty when all went well).
          const rawError = parsed.error ?? answer.error;
          const message = typeof rawError === 'string' ? rawError : (rawError as { message?: string } | undefined)?.message;
          if (message) {
            reject(storeError(message, context));
            return;
          }
          if (res.statusCode && res.statusCode >= 400) {
            reject(new StoreError(`etcd answered ${path} with HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            return;
          }
          resolve(answer as T);
        });
        res.on('error', reject);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const message = `cannot reach etcd at ${url.origin}: ${error.message}`;
        reject(error.code === 'ECONNREFUSED' ? new RefusedError(message) : new StoreError(message));
      });
      req.end(payload);
    });
  }

  async revision(): Promise<number> {
    const raw = await this.call<RawRangeResponse>('/v3/kv/range', { key: b64('\0'), count_only: true });
    return int(raw.header?.revision);
  }

  async range(key: string, options?: RangeOptions): Promise<RangeResult> {
    return rangeResult(await this.call<RawRangeResponse>('/v3/kv/range', rangeRequest(key, options)));
  }

  async put(key: string, value: string, options?: PutOptions): Promise<PutResult> {
    const raw = await this.call<{ header?: { revision?: string }; prev_kv?: RawKv }>('/v3/kv/put', putRequest(key, value, options), { lease: options?.lease });
    const result: PutResult = { revision: int(raw.header?.revision) };
    if (raw.prev_kv) result.prevKv = keyValue(raw.prev_kv);
    return result;
  }

  async delete(key: string, options?: DeleteOptions): Promise<DeleteResult> {
    const raw = await this.call<{ header?: { revision?: string }; deleted?: string; prev_kvs?: RawKv[] }>('/v3/kv/deleterange', deleteRequest(key, options));
    const result: DeleteResult = { revision: int(raw.header?.revision), deleted: int(raw.deleted) };
    if (options?.prevKv) result.prevKvs = (raw.prev_kvs ?? []).map(keyValue);
    return result;
  }

  async txn(request_: TxnRequest): Promise<TxnResult> {
    const raw = await this.call<{ header?: { revision?: string }; succeeded?: boolean; responses?: RawOpResponse[] }>('/v3/kv/txn', {
      compare: request_.compare.map(compareRequest),
      success: request_.success.map(opRequest),
      failure: request_.failure.map(opRequest),
    });
    const succeeded = raw.succeeded ?? false;
    const ops = succeeded ? request_.success : request_.failure;
    return { succeeded, revision: int(raw.header?.revision), responses: (raw.responses ?? []).map((r, i) => opResult(r, ops[i]!)) };
  }

  async compact(revision: number): Promise<void> {
    // physical: answer once the compacted revisions are really gone, as the built-in store's
    // compact() does. Without it etcd answers at once and removes them in the background, so a
    // watch from the compacted revision could still, for a moment, replay a delete made there.
    await this.call('/v3/kv/compaction', { revision: String(revision), physical: true });
  }

  async leaseGrant(ttlSeconds: number, id?: number): Promise<LeaseGrant> {
    const chosen = id || randomInt(1, 2 ** 47);
    const raw = await this.call<{ ID?: string; TTL?: string }>('/v3/lease/grant', { TTL: String(ttlSeconds), ID: String(chosen) }, { lease: chosen });
    return { id: int(raw.ID), ttl: int(raw.TTL) };
  }

  async leaseRevoke(id: number): Promise<void> {
    await this.call('/v3/lease/revoke', { ID: String(id) }, { lease: id });
  }

  async leaseKeepAlive(id: number): Promise<LeaseGrant> {
    const raw = await this.call<{ ID?: string; TTL?: string }>('/v3/lease/keepalive', { ID: String(id) }, { lease: id });
    // etcd answers a keep-alive of an unknown or expired lease with TTL 0 rather than an error.
    if (int(raw.TTL) <= 0) throw new LeaseNotFoundError(id);
    return { id: int(raw.ID), ttl: int(raw.TTL) };
  }

  async watch(key: string, options: WatchOptions, onResponse: (response: WatchResponse) => void): Promise<Watcher> {
    if (this.closed) throw new StoreError('the store is closed');
    if (options.startRevision && options.startRevision > 0) {
      // etcd accepts the watch and cancels it a moment later; the interface fails up front.
      try {
        await this.range(key, { end: options.end, revision: options.startRevision, countOnly: true });
      } catch (error) {
        if (!(error instanceof FutureRevisionError)) throw error; // a watch from the future is fine
      }
    }
    const create: Record<string, unknown> = { key: b64(key) };
    if (options.end) create.range_end = b64(options.end);
    if (options.startRevision) create.start_revision = String(options.startRevision);
    if (options.prevKv) create.prev_kv = true;
    const payload = JSON.stringify({ create_request: create });

    return new Promise<Watcher>((resolve, reject) => {
      let canceled = false;
      let created = false;
      /** After creation, tells the watcher once that its watch is over (unless it canceled it). */
      const endWith = (response: WatchResponse) => {
        if (canceled) return;
        watcher.cancel();
        onResponse(response);
      };
      const req = request(new URL('/v3/watch', this.endpoint), { method: 'POST', headers: { 'content-type': 'application/json' } });
      const watcher: Watcher = {
        cancel: () => {
          if (canceled) return;
          canceled = true;
          this.watches.delete(watcher);
          req.destroy();
        },
      };
      this.watches.add(watcher);
      req.on('response', (res: IncomingMessage) => {
        // The gateway streams one JSON object per message, separated by newlines.
        readLines(res, (line) => {
          if (canceled) return false;
          let message: { result?: { header?: { revision?: string }; created?: boolean; canceled?: boolean; compact_revision?: string; events?: RawEvent[] }; error?: { message?: string } };
          try {
            message = JSON.parse(line);
          } catch {
            return; // not a message: skip the line
          }
          if (message.error) {
            if (!created) {
              reject(storeError(message.error.message ?? 'watch failed'));
              watcher.cancel();
            } else {
              endWith({ events: [], revision: 0, ended: `etcd ended the watch: ${message.error.message ?? 'no reason given'}` });
            }
            return false;
          }
          const result = message.result ?? {};
          if (result.created && !created) {
            created = true;
            resolve(watcher);
          }
          const revision = int(result.header?.revision);
          if (result.compact_revision && int(result.compact_revision) > 0) {
            if (!created) {
              reject(new CompactedError(int(result.compact_revision)));
              watcher.cancel();
            } else {
              endWith({ events: [], revision, compactRevision: int(result.compact_revision) });
            }
            return false;
          }
          if (result.events && result.events.length > 0) onResponse({ events: result.events.map(watchEvent), revision });
          if (result.canceled && created) {
            endWith({ events: [], revision, ended: 'etcd canceled the watch' });
            return false;
          }
        });
        res.on('error', () => {});
        res.on('close', () => {
          if (!created && !canceled) reject(new StoreError(`etcd at ${this.endpoint} closed the watch before creating it`));
        });
        // The stream ends only when etcd goes away or the connection breaks: say so once.
        res.on('close', () => {
          if (created) endWith({ events: [], revision: 0, ended: `the watch stream from etcd at ${this.endpoint} ended` });
        });
      });
      req.on('error', (error) => {
        if (!created && !canceled) reject(new StoreError(`cannot reach etcd at ${this.endpoint}: ${error.message}`));
        else if (created) endWith({ events: [], revision: 0, ended: `lost etcd at ${this.endpoint}: ${error.message}` });
      });
      // Ending the request body is fine: etcd keeps the watch stream open until it is canceled.
      req.end(payload);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watcher of [...this.watches]) watcher.cancel();
    this.agent.destroy();
  }
}

/** A member refused the connection: the request was never sent, so another member may take it. */
class RefusedError extends StoreError {}

/**
 * Connects to an etcd at `endpoints` (one URL, e.g. http://127.0.0.1:2379, or the members of a
 * cluster) and checks that one of them answers.
 */
export async function connectEtcd(endpoints: string | string[]): Promise<RemoteStore> {
  const store = new RemoteStore(endpoints);
  try {
    await store.revision();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
