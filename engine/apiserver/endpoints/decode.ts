/**
 * From a request body to an object of the URL's kind (upstream: the handlers' decoding step with
 * its serializer and the strict decoder): decode by Content-Type, check apiVersion and kind
 * against the URL, check the JSON types against the kind's schema (a 400 as Go's decoder words
 * it), find unknown fields (fieldValidation), and fill in or check the namespace and name.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../../kube/errors.ts';
import { groupVersion, type ResourceInfo } from '../../kube/resources.ts';
import { schemaFor } from '../../kube/schema.ts';
import type { KubeObject } from '../../kube/types.ts';
import { decodeBody, readBody, requireObject } from '../body.ts';
import { decodeShape } from '../shape.ts';
import type { ApiContext, ResourceScope } from './context.ts';

/** `the object provided is unrecognized (must be of type Pod)`: the start of a decode error. */
export function unrecognized(kind: Pick<ResourceInfo, 'kind'>): string {
  return `the object provided is unrecognized (must be of type ${kind.kind})`;
}

/** Reads and decodes a request body into an object of `kind` at `apiVersion` (the URL's kind by default). */
export async function readObject(ctx: ApiContext, req: IncomingMessage, info: ResourceInfo, kind = info.kind, apiVersion = groupVersion(info)): Promise<KubeObject> {
  const raw = await readBody(req, ctx.maxBodyBytes);
  const body = requireObject(decodeBody(raw, req.headers['content-type'], unrecognized(info)), unrecognized(info));
  return checkTypeMeta(body, info, kind, apiVersion);
}

/** Checks a decoded body's apiVersion and kind against the expected ones, and its field types against the schema. */
export function checkTypeMeta(body: Record<string, unknown>, info: ResourceInfo, kind: string, apiVersion: string): KubeObject {
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

/** fieldValidation: Strict refuses unknown fields (400), Warn (the default) warns, Ignore ignores. The Warning headers to send. */
export function checkUnknownFields(scope: ResourceScope, object: KubeObject): Record<string, string> {
  const mode = scope.query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) {
    throw badRequest(`fieldValidation: Invalid value: "${mode}": fieldValidation must be one of "Ignore", "Warn", or "Strict"`);
  }
  if (mode === 'Ignore') return {};
  const unknown = scope.request.ctx.impl.findUnknownFields(object, schemaFor(object.apiVersion, object.kind));
  if (unknown.length === 0) return {};
  if (mode === 'Strict') {
    const version = object.apiVersion.split('/').pop();
    throw badRequest(`${object.kind} in version "${version}" cannot be handled as a ${object.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
  }
  return { Warning: unknown.map((u) => `299 - "unknown field \\"${u}\\""`).join(', ') };
}

/** The object in the URL's namespace (400 when it names another); no namespace on cluster-scoped kinds. */
export function setNamespace(scope: ResourceScope, object: KubeObject): KubeObject {
  const meta = { ...object.metadata };
  if (scope.kind.namespaced) {
    if (meta.namespace && scope.namespace && meta.namespace !== scope.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = scope.namespace || meta.namespace;
  } else {
    delete meta.namespace;
  }
  return { ...object, metadata: meta };
}

/** The object with the URL's name (400 when it names another). */
export function checkName(scope: ResourceScope, object: KubeObject): KubeObject {
  const name = object.metadata.name;
  if (name && name !== scope.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${scope.name})`);
  return { ...object, metadata: { ...object.metadata, name: scope.name } };
}

/** dryRun=All (the only value), or not. */
export function dryRun(scope: ResourceScope): boolean {
  const v = scope.query.getAll('dryRun');
  if (v.some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: "${v.find((d) => d !== 'All')}": supported values: "All"`);
  return v.length > 0;
}

/**
 * A resourceVersion parameter: '' or a whole number. 400 for anything else, and for a number too
 * large to be a revision (upstream: strconv.ParseUint's "value out of range"; ours stops at 2^53).
 */
export function checkResourceVersion(text: string): void {
  if (text === '') return;
  if (!/^\d+$/.test(text)) throw badRequest(`resourceVersion: Invalid value: "${text}": must be a whole number`);
  if (!Number.isSafeInteger(Number(text))) throw badRequest(`resourceVersion: Invalid value: "${text}": strconv.ParseUint: parsing "${text}": value out of range`);
}
