/**
 * The request path, in the order the real apiserver runs it:
 *
 *   routing (RequestInfo) → authentication → authorization → decoding → admission (defaults,
 *   namespace lifecycle, allocators) → validation → storage (the registry) → encoding
 *
 * Each HTTP request is handled by handleRequest(); the learner's functions (routing, registry,
 * validation, list/watch, patch) are called through `ctx.impl`, the component loaded through the door.
 *
 * Invariants:
 * - every response to a failed request is a metav1.Status with the right code; a client's mistake
 *   is a 4xx, never a 5xx; a 500 means a bug in the server (or a learner's stub not written yet,
 *   whose message says which exercise to do);
 * - the body of a create/update/patch goes through the same steps whatever its content type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isNotImplemented } from '../errors.ts';
import type { Clock } from '../etcd/clock.ts';
import { prefixEnd, type KVStore } from '../etcd/kv.ts';
import { collectionPrefix, findResource, groupVersion, hasSubresource, type ResourceInfo } from '../kube/resources.ts';
import { schemaFor } from '../kube/schema.ts';
import type { KubeObject, Service } from '../kube/types.ts';
import type { ObjectsExercises } from '../objects/exercises.ts';
import type { Logger } from '../cluster/logger.ts';
import { deleteNamespace, requireNamespace, SERVICES, type ServiceAllocator } from './admission.ts';
import { authenticate, forbiddenMessage, type AuthorizationAttributes, type Authorizer, type UserInfo } from './auth.ts';
import { APPLY_PATCH, decodeBody, JSON_PATCH, MERGE_PATCH, mediaType, PATCH_TYPES, readBody, requireObject, STRATEGIC_MERGE_PATCH } from './body.ts';
import type { Cacher } from './cacher.ts';
import { decodeStored } from './cacher.ts';
import { aggregatedDiscovery, aggregatedFormat, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { ApiError, badRequest, conflict, futureResourceVersion, internalError, invalid, isApiError, methodNotSupported, noSuchPath, successStatus, unsupportedMediaType } from '../kube/errors.ts';
import type { ApiserverExercises, Registry, RequestInfo } from './exercises.ts';
import { checkSelectableFields, fieldsOf } from './fields.ts';
import { negotiate, send, sendRaw, sendStatus, type Negotiated } from './http.ts';
import { admitPriority } from './priority.ts';
import { openApiDocument, openApiRoot, openApiV2 } from './openapi.ts';
import { defaultObject, prepareForCreate, validateObject } from './strategy.ts';
import { bindPod, podLogs, reviewAccess, scaleOf, updateScale } from './subresources.ts';
import { toTable, type IncludeObject } from './table.ts';
import { serveWatch, type OpenWatches } from './watch.ts';
import { decodeShape } from './shape.ts';

export interface HandlerContext {
  store: KVStore;
  impl: ApiserverExercises;
  objects: ObjectsExercises;
  registry: Registry;
  cacher: Cacher;
  allocator: ServiceAllocator;
  authorizer: Authorizer;
  clock: Clock;
  maxBodyBytes: number;
  watches: OpenWatches;
  /** host:port clients reach this server at. */
  serverAddress(): string;
  log: Logger;
}

type Query = URLSearchParams;
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Answers one HTTP request; never throws. */
export async function handleRequest(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = ctx.clock.now();
  const url = req.url ?? '/';
  const negotiated = negotiate(req);
  try {
    const path = url.split('?')[0]!;
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      sendRaw(res, 200, 'ok', 'text/plain; charset=utf-8');
      return;
    }
    const info = ctx.impl.parseRequestInfo(req.method ?? 'GET', url);
    const user = authenticate(req);
    await authorize(ctx, info, user);
    if (info.isResourceRequest) await resourceRequest(ctx, req, res, info, user, negotiated);
    else nonResourceRequest(ctx, req, res, info.path || path, negotiated);
  } catch (error) {
    sendStatus(res, toStatusError(ctx, error, req).status, negotiated.format);
  } finally {
    ctx.log.debug('HTTP', { verb: req.method, URI: url, latency: `${ctx.clock.now() - started}ms`, userAgent: req.headers['user-agent'], resp: res.statusCode });
  }
}

/** Any error as an ApiError: ours as they are, a stub's NotImplemented and bugs as 500s. */
export function toStatusError(ctx: Pick<HandlerContext, 'log'>, error: unknown, req?: IncomingMessage): ApiError {
  if (error instanceof ApiError) return error;
  if (isNotImplemented(error)) return internalError((error as Error).message);
  ctx.log.error('request failed', { URI: req?.url, error: (error as Error)?.stack ?? String(error) });
  return internalError((error as Error)?.message ?? String(error));
}

async function authorize(ctx: HandlerContext, info: RequestInfo, user: UserInfo): Promise<void> {
  const attributes: AuthorizationAttributes = {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    path: info.path,
  };
  const decision = await ctx.authorizer.authorize(attributes);
  if (!decision.allowed) {
    throw new ApiError({
      code: 403,
      reason: 'Forbidden',
      message: forbiddenMessage(attributes, decision.reason),
      details: { name: info.name, ...(info.apiGroup ? { group: info.apiGroup } : {}), kind: info.resource },
    });
  }
}

function nonResourceRequest(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, path: string, negotiated: Negotiated): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw noSuchPath();
  const parts = path.split('/').filter(Boolean);
  const accept = req.headers.accept;
  if (path === '/version' || path === '/version/') return send(res, 200, versionInfo(), negotiated.format === 'yaml' ? 'yaml' : 'json');
  if (path === '/api' || path === '/apis') {
    const aggregated = aggregatedFormat(accept);
    if (aggregated) return sendRaw(res, 200, JSON.stringify(aggregatedDiscovery(path === '/api', aggregated.apiVersion)), aggregated.contentType);
    return send(res, 200, path === '/api' ? apiVersions(ctx.serverAddress()) : apiGroupList());
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const list = apiResourceList('', parts[1]!);
    if (list) return send(res, 200, list);
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = apiGroupDocument(parts[1]!);
    if (group) return send(res, 200, group);
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const list = apiResourceList(parts[1]!, parts[2]!);
    if (list) return send(res, 200, list);
  }
  if (path === '/openapi/v3' || path === '/openapi/v3/') return sendRaw(res, 200, openApiRoot());
  const v2 = path === '/openapi/v2' || path === '/openapi/v2/' ? openApiV2(accept) : undefined;
  if (v2) return sendRaw(res, 200, v2.body, v2.contentType);
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const doc = openApiDocument(parts.slice(2).join('/'));
    if (doc) return sendRaw(res, 200, doc);
  }
  throw noSuchPath();
}

interface Target {
  info: ResourceInfo;
  /** The request's namespace ('' for cluster-scoped kinds and for lists across every namespace). */
  namespace: string;
  name: string;
  subresource: string;
  query: Query;
  negotiated: Negotiated;
  user: UserInfo;
}

function resolveTarget(info: RequestInfo): ResourceInfo {
  if (info.apiPrefix === 'api' && info.apiGroup !== '') throw noSuchPath();
  const resource = findResource(info.apiGroup, info.apiVersion, info.resource);
  if (!resource || info.parts.length > 3) throw noSuchPath();
  if (resource.namespaced) {
    if (!info.namespace && !['list', 'watch'].includes(info.verb)) throw noSuchPath();
  } else if (info.namespace && resource.resource !== 'namespaces') {
    throw noSuchPath();
  }
  if (info.subresource && !hasSubresource(resource, info.subresource)) throw noSuchPath();
  const verbs = info.subresource ? resource.subresources.find((s) => s.name === info.subresource)!.verbs : resource.verbs;
  if (!verbs.includes(info.verb)) throw methodNotSupported(resource, info.verb || (info.path && 'this method') || 'this method');
  return resource;
}

async function resourceRequest(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, request: RequestInfo, user: UserInfo, negotiated: Negotiated): Promise<void> {
  const info = resolveTarget(request);
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  const t: Target = {
    info,
    namespace: info.namespaced ? request.namespace : '',
    name: ['list', 'watch'].includes(request.verb) ? '' : request.name,
    subresource: request.subresource,
    query,
    negotiated,
    user,
  };
  switch (request.verb) {
    case 'get':
      return get(ctx, req, res, t);
    case 'list':
      return list(ctx, res, t);
    case 'watch':
      return watch(ctx, req, res, t);
    case 'create':
      return create(ctx, req, res, t);
    case 'update':
      return update(ctx, req, res, t);
    case 'patch':
      return patch(ctx, req, res, t);
    case 'delete':
      return remove(ctx, req, res, t);
    case 'deletecollection':
      return removeCollection(ctx, req, res, t);
  }
  throw methodNotSupported(info, request.verb || 'this method');
}

function includeObject(query: Query): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function respondObject(ctx: HandlerContext, res: ServerResponse, t: Target, code: number, object: KubeObject, headers: Record<string, string> = {}): void {
  if (t.negotiated.format === 'table' && !t.subresource) {
    const table = toTable(t.info, [object], ctx.clock.now(), { resourceVersion: object.metadata?.resourceVersion, include: includeObject(t.query) });
    return send(res, code, { ...table, apiVersion: t.negotiated.tableVersion }, 'json', headers);
  }
  send(res, code, object, t.negotiated.format === 'yaml' ? 'yaml' : 'json', headers);
}

// ── read ────────────────────────────────────────────────────────────────────────────────────

async function get(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  if (t.subresource === 'log') return podLogs(ctx, req, res, t.namespace, t.name, t.query);
  if (t.subresource === 'exec' || t.subresource === 'attach' || t.subresource === 'portforward') {
    throw badRequest(`${t.subresource} is not served by kubelings yet: it needs a kubelet that runs containers (a later lesson)`);
  }
  const object = await ctx.registry.get(t.info, t.namespace, t.name);
  if (t.subresource === 'scale') return send(res, 200, scaleOf(object), t.negotiated.format === 'yaml' ? 'yaml' : 'json');
  respondObject(ctx, res, t, 200, object);
}

/** The predicate of a list or watch: namespace, label selector and field selector. */
function selectorOf(ctx: HandlerContext, t: Target): (object: KubeObject) => boolean {
  const labelText = t.query.get('labelSelector') ?? '';
  const fieldText = t.query.get('fieldSelector') ?? '';
  let labelSelector;
  try {
    labelSelector = labelText.trim() ? ctx.objects.parseSelector(labelText) : undefined;
  } catch (error) {
    if (isNotImplemented(error)) throw error;
    throw badRequest((error as Error).message);
  }
  const fields = ctx.impl.parseFieldSelector(fieldText);
  checkSelectableFields(t.info, fields);
  const namespace = t.namespace;
  return (object) => {
    if (namespace && object.metadata?.namespace !== namespace) return false;
    if (labelSelector && !ctx.objects.matchesSelector(labelSelector, object.metadata?.labels ?? {})) return false;
    return fields.length === 0 || ctx.impl.matchesFields(fields, fieldsOf(t.info, object));
  };
}

function parseLimit(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`limit: Invalid value: "${text}": must be a whole number`);
  return Number(text);
}

async function list(ctx: HandlerContext, res: ServerResponse, t: Target): Promise<void> {
  if (t.info.virtual) throw methodNotSupported(t.info, 'list');
  const matches = selectorOf(ctx, t);
  const limit = parseLimit(t.query.get('limit'));
  const cont = t.query.get('continue') || undefined;
  const rvText = t.query.get('resourceVersion') ?? '';
  if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a whole number`);
  let revision: number | undefined;
  if (cont) {
    if (rvText !== '' && rvText !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    revision = ctx.impl.decodeContinue(cont).resourceVersion;
  } else if (t.query.get('resourceVersionMatch') === 'Exact' && rvText !== '' && rvText !== '0') {
    revision = Number(rvText);
  }
  const prefix = collectionPrefix(t.info, t.namespace);
  let result;
  try {
    result = await ctx.store.range(prefix, { end: prefixEnd(prefix), revision });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'CompactedError') {
      throw new ApiError({
        code: 410,
        reason: 'Expired',
        message: cont
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.'
          : `too old resource version: ${revision}`,
      });
    }
    if (name === 'FutureRevisionError') throw futureResourceVersion(revision!, await ctx.store.revision());
    throw error;
  }
  const rv = revision ?? result.revision;
  const keyed = [];
  for (const kv of result.kvs) {
    const object = decodeStored(kv);
    if (matches(object)) keyed.push({ key: kv.key.slice(prefix.length), object });
  }
  const page = ctx.impl.paginate(keyed, { limit, continue: cont }, rv);
  const metadata: Any = { resourceVersion: String(rv) };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined && page.continue) metadata.remainingItemCount = page.remainingItemCount;
  if (t.negotiated.format === 'table') {
    const table = toTable(t.info, page.items, ctx.clock.now(), { ...metadata, include: includeObject(t.query) });
    return send(res, 200, { ...table, apiVersion: t.negotiated.tableVersion });
  }
  send(res, 200, { kind: `${t.info.kind}List`, apiVersion: groupVersion(t.info), metadata, items: page.items }, t.negotiated.format === 'yaml' ? 'yaml' : 'json');
}

async function watch(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  if (t.info.virtual) throw methodNotSupported(t.info, 'watch');
  const matches = selectorOf(ctx, t);
  await serveWatch(
    { impl: ctx.impl, cacher: ctx.cacher, watches: ctx.watches, now: () => ctx.clock.now(), onError: (error, where) => ctx.log.error(`${where} failed`, { error: (error as Error)?.message ?? String(error) }) },
    req,
    res,
    { info: t.info, query: t.query, matches, negotiated: t.negotiated, include: includeObject(t.query) },
  );
}

// ── write ───────────────────────────────────────────────────────────────────────────────────

/** `the object provided is unrecognized (must be of type Pod)`: the start of a decode error. */
function unrecognized(info: ResourceInfo): string {
  return `the object provided is unrecognized (must be of type ${info.kind})`;
}

/** Reads and decodes a request body into an object of the target's kind (apiVersion/kind checked). */
async function readObject(ctx: HandlerContext, req: IncomingMessage, info: ResourceInfo, kind = info.kind, apiVersion = groupVersion(info)): Promise<KubeObject> {
  const raw = await readBody(req, ctx.maxBodyBytes);
  const body = requireObject(decodeBody(raw, req.headers['content-type'], unrecognized(info)), unrecognized(info));
  return checkTypeMeta(body, info, kind, apiVersion);
}

function checkTypeMeta(body: Record<string, unknown>, info: ResourceInfo, kind: string, apiVersion: string): KubeObject {
  const gotKind = body.kind;
  const gotVersion = body.apiVersion;
  const version = apiVersion.split('/').pop()!;
  if (gotKind !== undefined && gotKind !== null && typeof gotKind !== 'string') throw badRequest(`${unrecognized(info)}: kind must be a string`);
  if (gotVersion !== undefined && gotVersion !== null && typeof gotVersion !== 'string') throw badRequest(`${unrecognized(info)}: apiVersion must be a string`);
  if (gotKind && gotKind !== kind) {
    throw badRequest(`${gotKind} in version "${String(gotVersion ?? '').split('/').pop()}" cannot be handled as a ${kind}: no kind "${gotKind}" is served at this URL, which takes ${kind}`);
  }
  if (gotVersion && gotVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${gotVersion}) does not match the expected API version (${apiVersion})`);
  }
  const typed = decodeShape({ ...body, apiVersion, kind }, schemaFor(apiVersion, kind), kind, version) as Record<string, unknown>;
  return { ...typed, apiVersion, kind, metadata: (typed.metadata as KubeObject['metadata'] | undefined) ?? {} } as KubeObject;
}

/** fieldValidation: Strict refuses unknown fields (400), Warn (the default) warns, Ignore ignores. */
function checkUnknownFields(ctx: HandlerContext, t: Target, object: KubeObject): Record<string, string> {
  const mode = t.query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) {
    throw badRequest(`fieldValidation: Invalid value: "${mode}": fieldValidation must be one of "Ignore", "Warn", or "Strict"`);
  }
  if (mode === 'Ignore') return {};
  const unknown = ctx.impl.findUnknownFields(object, schemaFor(object.apiVersion, object.kind));
  if (unknown.length === 0) return {};
  if (mode === 'Strict') {
    const version = object.apiVersion.split('/').pop();
    throw badRequest(`${object.kind} in version "${version}" cannot be handled as a ${object.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
  }
  return { Warning: unknown.map((u) => `299 - "unknown field \\"${u}\\""`).join(', ') };
}

function setNamespace(t: Target, object: KubeObject): KubeObject {
  const meta = { ...object.metadata };
  if (t.info.namespaced) {
    if (meta.namespace && t.namespace && meta.namespace !== t.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = t.namespace || meta.namespace;
  } else {
    delete meta.namespace;
  }
  return { ...object, metadata: meta };
}

function dryRun(t: Target): boolean {
  const v = t.query.getAll('dryRun');
  if (v.some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: "${v.find((d) => d !== 'All')}": supported values: "All"`);
  return v.length > 0;
}

/** Admission, validation and storage of a new object; the object as stored. */
async function createObject(ctx: HandlerContext, t: Target, input: KubeObject): Promise<KubeObject> {
  let object = prepareForCreate(t.info, input);
  object = defaultObject(ctx.impl, t.info, object);
  await requireNamespace(ctx.registry, t.info, object.metadata.namespace, ctx.cacher);
  if (t.info === SERVICES) ctx.allocator.allocate(object as Service, ctx.clock.now());
  admitPriority(ctx, t.info, object);
  const causes = validateObject(ctx.impl, ctx.objects, t.info, object);
  if (causes.length) throw invalid(t.info, object.metadata.name ?? '', causes);
  if (dryRun(t)) return object;
  return ctx.registry.create(t.info, object);
}

async function create(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  if (t.subresource === 'binding' || t.info.resource === 'bindings') {
    const binding = await readObject(ctx, req, t.info, 'Binding', 'v1');
    const status = await bindPod(ctx, t.namespace, t.subresource ? t.name : undefined, binding);
    return send(res, 201, status);
  }
  if (t.info.virtual) {
    const review = await readObject(ctx, req, t.info);
    return send(res, 201, await reviewAccess(ctx, t.info, review, t.user));
  }
  const object = setNamespace(t, await readObject(ctx, req, t.info));
  const warnings = checkUnknownFields(ctx, t, object);
  const created = await createObject(ctx, t, object);
  respondObject(ctx, res, t, 201, created, warnings);
}

function checkName(t: Target, object: KubeObject): KubeObject {
  const name = object.metadata.name;
  if (name && name !== t.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${t.name})`);
  return { ...object, metadata: { ...object.metadata, name: t.name } };
}

/** Admission, validation and storage of a changed object (main resource or status). */
async function updateObject(ctx: HandlerContext, t: Target, input: KubeObject, current: KubeObject): Promise<KubeObject> {
  let object = defaultObject(ctx.impl, t.info, input);
  if (t.subresource === 'status') {
    if (dryRun(t)) return object;
    return ctx.registry.update(t.info, object, { subresource: 'status' });
  }
  if (t.info === SERVICES) ctx.allocator.allocate(object as Service, ctx.clock.now(), current as Service);
  const causes = validateObject(ctx.impl, ctx.objects, t.info, object, current);
  if (causes.length) throw invalid(t.info, object.metadata.name ?? '', causes);
  if (dryRun(t)) return object;
  object = { ...object };
  return ctx.registry.update(t.info, object);
}

async function update(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  if (t.subresource === 'scale') {
    const scale = await readObject(ctx, req, t.info, 'Scale', 'autoscaling/v1');
    return send(res, 200, await updateScale(ctx, t.info, t.namespace, t.name, checkName(t, scale), (next, current) => updateObject(ctx, { ...t, subresource: '' }, next, current)));
  }
  const object = checkName(t, setNamespace(t, await readObject(ctx, req, t.info)));
  const warnings = checkUnknownFields(ctx, t, object);
  const current = await ctx.registry.get(t.info, t.namespace, t.name);
  const updated = await updateObject(ctx, t, object, current);
  respondObject(ctx, res, t, 200, updated, warnings);
}

/** Applies a patch of the given type to a document. */
function applyPatch(ctx: HandlerContext, type: string, document: KubeObject, body: unknown, info: ResourceInfo): unknown {
  const schema = schemaFor(document.apiVersion, document.kind);
  switch (type) {
    case MERGE_PATCH:
      return ctx.impl.applyMergePatch(document, body);
    case JSON_PATCH:
      return ctx.impl.applyJsonPatch(document, body);
    case STRATEGIC_MERGE_PATCH:
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${unrecognized(info)}: a strategic merge patch must be a JSON object`);
      return ctx.impl.applyStrategicMergePatch(document, body, schema);
    case APPLY_PATCH:
      return ctx.impl.applyServerSide(document, body as KubeObject, schema);
  }
  throw unsupportedMediaType(type, PATCH_TYPES);
}

/** How many times a patch is re-applied when the object changed under it (the real patcher: 5). */
const PATCH_RETRIES = 5;

async function patch(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const type = mediaType(req.headers['content-type']);
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type || 'no Content-Type', PATCH_TYPES);
  const raw = await readBody(req, ctx.maxBodyBytes);
  let body = decodeBody(raw, type, unrecognized(t.info), PATCH_TYPES);
  if (type === APPLY_PATCH) {
    const applied = checkName(t, setNamespace(t, checkTypeMeta(requireObject(body, unrecognized(t.info)), t.info, t.subresource === 'scale' ? 'Scale' : t.info.kind, t.subresource === 'scale' ? 'autoscaling/v1' : groupVersion(t.info))));
    body = applied;
  }
  for (let attempt = 0; ; attempt++) {
    let current: KubeObject;
    try {
      current = await ctx.registry.get(t.info, t.namespace, t.name);
    } catch (error) {
      if (type === APPLY_PATCH && !t.subresource && isApiError(error, 'NotFound')) {
        const applied = ctx.impl.applyServerSide(undefined, body as KubeObject, schemaFor(groupVersion(t.info), t.info.kind));
        const object = checkTypeMeta(requireObject(applied, unrecognized(t.info)), t.info, t.info.kind, groupVersion(t.info));
        const warnings = checkUnknownFields(ctx, t, object);
        const created = await createObject(ctx, t, setNamespace(t, object));
        return respondObject(ctx, res, t, 201, created, warnings);
      }
      throw error;
    }
    const document: KubeObject = t.subresource === 'scale' ? (scaleOf(current) as unknown as KubeObject) : current;
    const patched = requireObject(applyPatch(ctx, type, document, body, t.info), unrecognized(t.info));
    const pinned = typeof (patched.metadata as Any)?.resourceVersion === 'string' && (patched.metadata as Any).resourceVersion !== current.metadata.resourceVersion;
    try {
      if (t.subresource === 'scale') {
        const scale = checkTypeMeta(patched, t.info, 'Scale', 'autoscaling/v1');
        const result = await updateScale(ctx, t.info, t.namespace, t.name, checkName(t, scale), (next, cur) => updateObject(ctx, { ...t, subresource: '' }, next, cur));
        return send(res, 200, result);
      }
      const object = checkName(t, setNamespace(t, checkTypeMeta(patched, t.info, t.info.kind, groupVersion(t.info))));
      if (object.metadata.uid !== undefined && object.metadata.uid !== current.metadata.uid) {
        throw conflict(t.info, t.name, `Precondition failed: UID in precondition: ${object.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (!pinned) object.metadata = { ...object.metadata, resourceVersion: current.metadata.resourceVersion };
      const warnings = checkUnknownFields(ctx, t, object);
      const updated = await updateObject(ctx, t, object, current);
      return respondObject(ctx, res, t, 200, updated, warnings);
    } catch (error) {
      if (!pinned && isApiError(error, 'Conflict') && attempt < PATCH_RETRIES && /has been modified/.test((error as ApiError).message)) continue;
      throw error;
    }
  }
}

interface DeleteBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

async function readDeleteOptions(ctx: HandlerContext, req: IncomingMessage, t: Target): Promise<DeleteBody> {
  const raw = await readBody(req, ctx.maxBodyBytes);
  let options: DeleteBody = {};
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const body = decodeBody(raw, req.headers['content-type'], 'the DeleteOptions provided are unrecognized');
    if (body !== null) options = requireObject(body, 'the DeleteOptions provided are unrecognized') as DeleteBody;
  }
  const grace = t.query.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = Number(grace);
  if (options.gracePeriodSeconds !== undefined && (!Number.isInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0)) {
    throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(options.gracePeriodSeconds)}: must be a whole number >= 0`);
  }
  const policy = t.query.get('propagationPolicy') ?? options.propagationPolicy;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (options.preconditions !== undefined && (typeof options.preconditions !== 'object' || options.preconditions === null)) {
    throw badRequest('preconditions must be an object with uid and/or resourceVersion');
  }
  return options;
}

async function remove(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const options = await readDeleteOptions(ctx, req, t);
  if (t.info.resource === 'namespaces' && t.info.group === '') {
    if (dryRun(t) || options.dryRun?.length) return respondObject(ctx, res, t, 200, await ctx.registry.get(t.info, undefined, t.name));
    return respondObject(ctx, res, t, 200, await deleteNamespace(ctx.store, ctx.registry, t.name));
  }
  if (dryRun(t) || options.dryRun?.length) return respondObject(ctx, res, t, 200, await ctx.registry.get(t.info, t.namespace, t.name));
  const result = await ctx.registry.delete(t.info, t.namespace, t.name, { gracePeriodSeconds: options.gracePeriodSeconds, preconditions: options.preconditions });
  if (!result.deleted) return respondObject(ctx, res, t, 202, result.object);
  if (t.info.resource === 'pods') return respondObject(ctx, res, t, 200, result.object);
  send(res, 200, successStatus(t.info, t.name, result.object.metadata.uid));
}

async function removeCollection(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const options = await readDeleteOptions(ctx, req, t);
  const matches = selectorOf(ctx, t);
  const prefix = collectionPrefix(t.info, t.namespace);
  const result = await ctx.store.range(prefix, { end: prefixEnd(prefix) });
  const deleted: KubeObject[] = [];
  for (const kv of result.kvs) {
    const object = decodeStored(kv);
    if (!matches(object)) continue;
    try {
      const r = await ctx.registry.delete(t.info, object.metadata.namespace, object.metadata.name!, { gracePeriodSeconds: options.gracePeriodSeconds });
      deleted.push(r.object);
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  send(res, 200, { kind: `${t.info.kind}List`, apiVersion: groupVersion(t.info), metadata: { resourceVersion: String(result.revision) }, items: deleted });
}

