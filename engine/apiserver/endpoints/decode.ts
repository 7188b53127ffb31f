/**
 * From a request body to an object of the URL's kind (upstream: the handlers' decoding step with
 * its serializer and the strict decoder): decode by Content-Type, check apiVersion and kind
 * against the URL, check the JSON types against upstream's schema of the kind (a 400 as Go's
 * decoder words it; engine/kube/openapi/typed.ts, or engine/kube/schema.ts for a kind upstream's
 * spec lacks), and fill in or check the namespace and name. Also the query parameters every write
 * takes (fieldManager, force, dryRun, fieldValidation), refused with upstream's 422 on
 * CreateOptions, UpdateOptions or PatchOptions. Unknown fields: field-validation.ts.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, invalid, isApiError } from '../../kube/errors.ts';
import { notSupported } from '../../kube/field-errors.ts';
import type { FieldValidationMode } from '../../kube/openapi/field-validation.ts';
import { decodeTyped, TypeMismatchError, typeTree } from '../../kube/openapi/typed.ts';
import { groupVersion, type ResourceInfo } from '../../kube/resources.ts';
import { schemaFor } from '../../kube/schema.ts';
import type { KubeObject, StatusCause } from '../../kube/types.ts';
import { decodeBody, mediaType, readBody, requireObject } from '../body.ts';
import { parseForce, validateWriteOptions } from '../fieldmanager/index.ts';
import { PROTOBUF_CONTENT_TYPE } from '../protobuf.ts';
import { decodeShape } from '../shape.ts';
import type { ApiContext, ResourceScope } from './context.ts';
import type { BodyText } from './field-validation.ts';

/** `the object provided is unrecognized (must be of type Pod)`: the start of a decode error. */
export function unrecognized(kind: Pick<ResourceInfo, 'kind'>): string {
  return `the object provided is unrecognized (must be of type ${kind.kind})`;
}

/** Reads and decodes a request body into an object of `kind` at `apiVersion` (the URL's kind by default). */
export async function readObject(ctx: ApiContext, req: IncomingMessage, info: ResourceInfo, kind = info.kind, apiVersion = groupVersion(info)): Promise<KubeObject> {
  return (await readObjectAndText(ctx, req, info, kind, apiVersion)).object;
}

/** readObject, and the body's text for the strict checks (none for protobuf). */
export async function readObjectAndText(
  ctx: ApiContext,
  req: IncomingMessage,
  info: ResourceInfo,
  kind = info.kind,
  apiVersion = groupVersion(info),
): Promise<{ object: KubeObject; body: BodyText | undefined }> {
  const raw = await readBody(req, ctx.maxBodyBytes);
  const type = mediaType(req.headers['content-type']);
  const body = requireObject(decodeBody(raw, req.headers['content-type'], unrecognized(info)), unrecognized(info));
  const text = type === PROTOBUF_CONTENT_TYPE ? undefined : ({ text: raw.toString('utf8'), format: type === 'application/yaml' ? 'yaml' : 'json' } as const);
  return { object: checkTypeMeta(body, info, kind, apiVersion), body: text };
}

/** Checks a decoded body's apiVersion and kind against the expected ones, and its field types against the schema (400). */
export function checkTypeMeta(body: Record<string, unknown>, info: ResourceInfo, kind: string, apiVersion: string): KubeObject {
  const checked = checkKind(body, info, kind, apiVersion);
  try {
    return checkTypes(checked);
  } catch (error) {
    if (!(error instanceof TypeMismatchError)) throw error;
    const version = apiVersion.split('/').pop()!;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${error.message}`);
  }
}

/** The body's apiVersion and kind checked against the expected ones, and filled in. */
export function checkKind(body: Record<string, unknown>, info: ResourceInfo, kind: string, apiVersion: string): KubeObject {
  const gotKind = body.kind;
  const gotVersion = body.apiVersion;
  if (gotKind !== undefined && gotKind !== null && typeof gotKind !== 'string') throw badRequest(`${unrecognized(info)}: kind must be a string`);
  if (gotVersion !== undefined && gotVersion !== null && typeof gotVersion !== 'string') throw badRequest(`${unrecognized(info)}: apiVersion must be a string`);
  if (gotKind && gotKind !== kind) {
    throw badRequest(
      `${gotKind} in version "${String(gotVersion ?? '')
        .split('/')
        .pop()}" cannot be handled as a ${kind}: no kind "${gotKind}" is served at this URL, which takes ${kind}`,
    );
  }
  if (gotVersion && gotVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${gotVersion}) does not match the expected API version (${apiVersion})`);
  }
  return { ...body, apiVersion, kind } as KubeObject;
}

/**
 * The object's field types checked against upstream's schema of its kind (engine/kube/schema.ts
 * for a kind upstream's spec lacks), nulls dropped; throws TypeMismatchError with Go's words.
 */
export function checkTypes(object: KubeObject): KubeObject {
  const slash = object.apiVersion.indexOf('/');
  const gvk = { group: slash < 0 ? '' : object.apiVersion.slice(0, slash), version: object.apiVersion.slice(slash + 1), kind: object.kind };
  let typed: Record<string, unknown>;
  if (typeTree(gvk)) typed = decodeTyped(gvk, object) as Record<string, unknown>;
  else {
    try {
      typed = decodeShape(object, schemaFor(object.apiVersion, object.kind), object.kind, gvk.version) as Record<string, unknown>;
    } catch (error) {
      // decodeShape words its own 400; keep only Go's part.
      if (isApiError(error)) throw new TypeMismatchError(error.message.slice(error.message.indexOf('json: ')));
      throw error;
    }
  }
  return typed.metadata ? (typed as KubeObject) : ({ ...typed, metadata: {} } as KubeObject);
}

/** The query of a create, update or patch (metav1.CreateOptions, UpdateOptions, PatchOptions). */
export interface WriteQuery {
  /** '' when absent. */
  fieldManager: string;
  dryRun: boolean;
  fieldValidation: FieldValidationMode;
  /** For an apply: take fields other managers own. */
  force: boolean;
}

const OPTIONS_KIND = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions', delete: 'DeleteOptions' } as const;

/** ValidateDryRun: every value must be `All` (`dryRun: Unsupported value: []string{"X"}: supported values: "All"`). */
function dryRunCauses(values: string[]): StatusCause[] {
  if (values.every((v) => v === 'All')) return [];
  const shown = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  return [{ reason: 'FieldValueNotSupported', message: `Unsupported value: ${shown}: supported values: "All"`, field: 'dryRun' }];
}

/**
 * Reads and checks a write's query as upstream's handlers do: a `force` that is not a Go bool is a
 * 400 (decoding the parameters); then ValidateCreateOptions / ValidateUpdateOptions /
 * ValidatePatchOptions: fieldManager (required for apply, at most 128 printable bytes), force
 * (apply only), dryRun (`All` only), fieldValidation, all causes in one 422.
 */
export function writeQuery(scope: ResourceScope, verb: 'create' | 'update' | 'patch', patchType?: string): WriteQuery {
  const query = scope.query;
  const fieldManager = query.get('fieldManager') ?? '';
  const forceText = query.get('force') ?? undefined;
  const force = parseForce(forceText) ?? false;
  const causes: StatusCause[] = [];
  try {
    validateWriteOptions({ verb, fieldManager, patchType, force: forceText });
  } catch (error) {
    if (!isApiError(error, 'Invalid')) throw error;
    causes.push(...(error.status.details?.causes ?? []));
  }
  const dryRun = query.getAll('dryRun');
  causes.push(...dryRunCauses(dryRun));
  const fieldValidation = query.get('fieldValidation') ?? '';
  if (!['', 'Ignore', 'Strict', 'Warn'].includes(fieldValidation)) causes.push(notSupported('fieldValidation', fieldValidation, ['', 'Ignore', 'Strict', 'Warn']));
  if (causes.length) throw invalid({ group: 'meta.k8s.io', kind: OPTIONS_KIND[verb] }, '', causes);
  return { fieldManager, dryRun: dryRun.length > 0, fieldValidation: (fieldValidation || 'Warn') as FieldValidationMode, force };
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

/** dryRun=All (the only value), or not: a 422 on the verb's options for any other value (a delete's: DeleteOptions). */
export function dryRun(scope: ResourceScope): boolean {
  const values = scope.query.getAll('dryRun');
  const causes = dryRunCauses(values);
  if (causes.length) {
    const verb = scope.request.info.verb;
    const kind = verb === 'create' || verb === 'update' || verb === 'patch' ? OPTIONS_KIND[verb] : OPTIONS_KIND.delete;
    throw invalid({ group: 'meta.k8s.io', kind }, '', causes);
  }
  return values.length > 0;
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
