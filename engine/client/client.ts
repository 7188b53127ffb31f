/**
 * KubeClient: a small typed JSON client for the engine's components (the scheduler, hollow nodes,
 * controllers) and tests, over node:http with keep-alive. It speaks to any apiserver the way
 * client-go does: the REST layout, JSON bodies, metav1.Status errors. It speaks https (trusting
 * the cluster's CA, `ca`) to the engine's apiserver, and plain http to anything given as http://.
 *
 *   const client = new KubeClient({ server: 'https://127.0.0.1:6443', ca, token, userAgent: 'kube-scheduler' });
 *   const pod = await client.get<Pod>('pods', 'web-1', { namespace: 'default' });
 *   const pods = await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=web' });
 *   await client.create('pods', pod);                                  // namespace from the object
 *   await client.update('pods', pod);                                  // optimistic: sends its resourceVersion
 *   await client.updateStatus('pods', pod);                            // the status subresource
 *   await client.patch('deployments', 'web', { spec: { replicas: 3 } }, { namespace: 'default', type: 'merge' });
 *   await client.delete('pods', 'web-1', { namespace: 'default', gracePeriodSeconds: 0 });
 *   await client.bind({ namespace: 'default', name: 'web-1' }, 'node-1');  // pods/binding
 *   const w = client.watch<Pod>('pods', { resourceVersion: '42' }, { onEvent, onClose }); w.stop();
 *   const node = client.withToken(nodeToken);                          // another identity, same sockets
 *
 * Resources are named as kubectl names them (`pods`, `po`, `deployments.apps`) or given as a
 * ResourceInfo. Every failure is an ApiError (engine/kube/errors.ts) carrying the server's
 * Status; a network failure is an ApiError with code 0 and reason `ConnectionFailed`.
 * For informers (list + watch with a local cache) see informer.ts.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ApiError } from '../kube/errors.ts';
import { resolveResource, type ResourceInfo } from '../kube/resources.ts';
import type { KubeList, KubeObject, Status, WatchEvent } from '../kube/types.ts';
import { readLines } from '../lines.ts';

export type ResourceRef = string | ResourceInfo;

export interface ClientOptions {
  /** Base URL of the apiserver: https://127.0.0.1:6443. */
  server: string;
  /** The CA certificate (PEM) to trust for an https server (the cluster's CA); the system's CAs otherwise. */
  ca?: string;
  /** Sent as User-Agent (kubectl shows it in audit logs; the apiserver logs it). */
  userAgent?: string;
  /** Bearer token, sent as `Authorization: Bearer <token>` (the engine's apiserver requires one). */
  token?: string;
  /** Per-request timeout for non-watch requests, in ms (default 30 s). */
  timeoutMs?: number;
  /** Most sockets open to the server at once (default 64). */
  maxSockets?: number;
}

export interface ObjectOptions {
  /** The namespace; for create/update it defaults to the object's own. */
  namespace?: string;
  /** `status`, `scale`, `binding`, ... */
  subresource?: string;
  dryRun?: boolean;
  fieldManager?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends ObjectOptions {
  type: PatchType;
  /** Server-side apply: take over fields other managers own. */
  force?: boolean;
}

export interface DeleteOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WatchHandlers<T> {
  onEvent(event: WatchEvent<T>): void;
  /** The stream ended: `error` is undefined after a clean end (timeout, server closed it). */
  onClose(error?: ApiError): void;
}

export interface WatchHandle {
  stop(): void;
}

function connectionFailed(message: string): ApiError {
  return new ApiError({ code: 0, reason: 'ConnectionFailed', message });
}

export class KubeClient {
  readonly server: string;
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly options: ClientOptions;
  /** False for a client made by withToken(): the sockets are its parent's to close. */
  private readonly ownsAgent: boolean;
  private readonly send: (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

  constructor(options: ClientOptions, shared?: HttpAgent) {
    this.options = options;
    this.server = options.server.replace(/\/+$/, '');
    this.base = new URL(this.server);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error(`KubeClient speaks https (or http), not ${this.base.protocol}`);
    const tls = this.base.protocol === 'https:';
    this.ownsAgent = shared === undefined;
    const sockets = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
    this.agent = shared ?? (tls ? new HttpsAgent({ ...sockets, ca: options.ca }) : new HttpAgent(sockets));
    this.send = tls ? httpsRequest : httpRequest;
  }

  /**
   * A client for the same server as another user (`token`), sharing this client's sockets (and
   * their limit): one per hollow node costs a token, not a connection pool. Closing it does nothing;
   * closing this client closes both.
   */
  withToken(token: string, userAgent = this.options.userAgent): KubeClient {
    return new KubeClient({ ...this.options, token, userAgent }, this.agent);
  }

  /** Closes idle keep-alive sockets (not those of a client made by withToken()). */
  close(): void {
    if (this.ownsAgent) this.agent.destroy();
  }

  /** The ResourceInfo a name stands for; throws for a resource the engine does not serve. */
  resource(ref: ResourceRef): ResourceInfo {
    if (typeof ref !== 'string') return ref;
    const info = resolveResource(ref);
    if (!info) throw new Error(`the server doesn't have a resource type "${ref}"`);
    return info;
  }

  /** The URL path of a collection or object. */
  path(ref: ResourceRef, options: { namespace?: string; name?: string; subresource?: string } = {}): string {
    const info = this.resource(ref);
    const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    const ns = info.namespaced && options.namespace ? `/namespaces/${encodeURIComponent(options.namespace)}` : '';
    const name = options.name ? `/${encodeURIComponent(options.name)}` : '';
    const sub = options.subresource ? `/${options.subresource}` : '';
    return `${root}${ns}/${info.resource}${name}${sub}`;
  }

  async get<T = KubeObject>(ref: ResourceRef, name: string, options: ObjectOptions = {}): Promise<T> {
    return this.request<T>('GET', this.path(ref, { ...options, name }));
  }

  async list<T = KubeObject>(ref: ResourceRef, options: ListOptions = {}): Promise<KubeList<T & KubeObject>> {
    const query = new URLSearchParams();
    for (const key of ['labelSelector', 'fieldSelector', 'continue', 'resourceVersion'] as const) if (options[key]) query.set(key, options[key]!);
    if (options.limit) query.set('limit', String(options.limit));
    return this.request('GET', `${this.path(ref, { namespace: options.namespace })}${query.size ? `?${query}` : ''}`);
  }

  async create<T extends KubeObject>(ref: ResourceRef, object: T, options: ObjectOptions & { name?: string } = {}): Promise<T> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    const path = this.path(ref, { namespace, name: options.subresource ? (options.name ?? object.metadata?.name) : undefined, subresource: options.subresource });
    return this.request<T>('POST', `${path}${this.writeQuery(options)}`, object);
  }

  async update<T extends KubeObject>(ref: ResourceRef, object: T, options: ObjectOptions = {}): Promise<T> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    const path = this.path(ref, { namespace, name: object.metadata?.name, subresource: options.subresource });
    return this.request<T>('PUT', `${path}${this.writeQuery(options)}`, object);
  }

  /** PUT .../status: only the status is written. */
  async updateStatus<T extends KubeObject>(ref: ResourceRef, object: T, options: Omit<ObjectOptions, 'subresource'> = {}): Promise<T> {
    return this.update(ref, object, { ...options, subresource: 'status' });
  }

  async patch<T = KubeObject>(ref: ResourceRef, name: string, patch: unknown, options: PatchOptions): Promise<T> {
    const query = new URLSearchParams(this.writeQuery(options).slice(1));
    if (options.type === 'apply') {
      if (!query.has('fieldManager')) query.set('fieldManager', this.options.userAgent ?? 'kubelings');
      if (options.force) query.set('force', 'true');
    }
    const path = this.path(ref, { namespace: options.namespace, name, subresource: options.subresource });
    return this.request<T>('PATCH', `${path}${query.size ? `?${query}` : ''}`, patch, PATCH_CONTENT_TYPES[options.type]);
  }

  async delete<T = KubeObject | Status>(ref: ResourceRef, name: string, options: DeleteOptions = {}): Promise<T> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    return this.request<T>('DELETE', this.path(ref, { namespace: options.namespace, name }), body);
  }

  /** DELETE a collection (every object of a namespace, or those a selector picks): deletecollection. */
  async deleteCollection<T = KubeObject | Status>(ref: ResourceRef, options: Omit<DeleteOptions, 'preconditions'> & { labelSelector?: string } = {}): Promise<T> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    const query = options.labelSelector ? `?${new URLSearchParams({ labelSelector: options.labelSelector })}` : '';
    return this.request<T>('DELETE', `${this.path(ref, { namespace: options.namespace })}${query}`, body);
  }

  /** POST pods/<name>/binding: what a scheduler does to put a pod on a node. */
  async bind(pod: { namespace?: string; name?: string; uid?: string }, nodeName: string): Promise<Status> {
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.name, namespace: pod.namespace, ...(pod.uid ? { uid: pod.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    return this.request<Status>('POST', this.path('pods', { namespace: pod.namespace, name: pod.name, subresource: 'binding' }), binding);
  }

  /**
   * Opens a watch. Events arrive in order through `onEvent`; `onClose` is called once when the
   * stream ends (after stop() too, with no error). An HTTP error before the stream starts (a 410,
   * a 404) is passed to onClose as an ApiError.
   */
  watch<T = KubeObject>(ref: ResourceRef, options: WatchOptions, handlers: WatchHandlers<T>): WatchHandle {
    const query = new URLSearchParams({ watch: 'true' });
    for (const key of ['labelSelector', 'fieldSelector', 'resourceVersion'] as const) if (options[key]) query.set(key, options[key]!);
    if (options.allowWatchBookmarks) query.set('allowWatchBookmarks', 'true');
    if (options.timeoutSeconds !== undefined) query.set('timeoutSeconds', String(options.timeoutSeconds));
    const path = `${this.path(ref, { namespace: options.namespace })}?${query}`;
    let closed = false;
    const close = (error?: ApiError) => {
      if (closed) return;
      closed = true;
      handlers.onClose(error);
    };
    const req = this.send({ host: this.base.hostname, port: this.base.port, path, method: 'GET', agent: this.agent, headers: this.headers() }, (res) => {
      if (res.statusCode !== 200) {
        readAll(res).then(
          (text) => close(toError(res.statusCode ?? 0, text)),
          (e: Error) => close(connectionFailed(e.message)),
        );
        return;
      }
      readLines(res, (line) => {
        if (closed) return false;
        let event: WatchEvent<T>;
        try {
          event = JSON.parse(line) as WatchEvent<T>;
        } catch {
          req.destroy();
          close(connectionFailed(`the watch stream sent a line that is not JSON: ${line.slice(0, 80)}`));
          return false;
        }
        handlers.onEvent(event);
      });
      res.on('end', () => close());
      res.on('error', (e) => close(closed ? undefined : connectionFailed(e.message)));
      res.on('close', () => close());
    });
    req.on('error', (e) => close(connectionFailed(`${path}: ${e.message}`)));
    req.end();
    return {
      stop() {
        if (closed) return;
        closed = true;
        req.destroy();
        handlers.onClose();
      },
    };
  }

  /** One request; the parsed JSON reply, or an ApiError. */
  request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = this.headers();
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    return new Promise<T>((resolve, reject) => {
      const req = this.send({ host: this.base.hostname, port: this.base.port, path, method, agent: this.agent, headers }, (res) => {
        readAll(res).then(
          (text) => {
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              try {
                resolve((text ? JSON.parse(text) : undefined) as T);
              } catch {
                reject(connectionFailed(`${method} ${path}: the reply is not JSON: ${text.slice(0, 80)}`));
              }
            } else reject(toError(code, text));
          },
          (e: Error) => reject(connectionFailed(`${method} ${path}: ${e.message}`)),
        );
      });
      req.setTimeout(this.options.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer in ${this.options.timeoutMs ?? 30_000} ms`)));
      req.on('error', (e) => reject(connectionFailed(`${method} ${path}: ${e.message}`)));
      req.end(payload);
    });
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.options.userAgent ?? 'kubelings-client' };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    return headers;
  }

  private writeQuery(options: ObjectOptions): string {
    const query = new URLSearchParams();
    if (options.dryRun) query.set('dryRun', 'All');
    if (options.fieldManager) query.set('fieldManager', options.fieldManager);
    return query.size ? `?${query}` : '';
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function toError(code: number, text: string): ApiError {
  try {
    const status = JSON.parse(text) as Status;
    if (status && status.kind === 'Status') return new ApiError({ ...status, code: status.code || code });
  } catch {
    // not a Status: fall through
  }
  return new ApiError({ code, reason: 'Unknown', message: `the server answered ${code}: ${text.slice(0, 200)}` });
}

/** `namespace/name` (or `name` for cluster-scoped objects): the key informers and workqueues use. */
export function objectKeyOf(object: { metadata?: { namespace?: string; name?: string } }): string {
  const m = object.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}
