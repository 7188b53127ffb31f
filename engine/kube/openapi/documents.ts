/**
 * The OpenAPI documents an apiserver publishes, built from upstream's schemas (spec.ts) for the
 * kinds a caller says it serves:
 * - OpenAPI v3, one document per group/version (`/openapi/v3/apis/apps/v1`), as kube-apiserver
 *   splits them: `components.schemas` holds each served kind and every schema it references (so
 *   `kubectl explain` resolves any field), and `paths` one PATCH operation per kind that names its
 *   group/version/kind and takes `fieldValidation` (what kubectl's query-param verifier looks for
 *   before it sends `fieldValidation=Strict`, cli-runtime `query_param_verifier_v3.go`);
 * - the v3 root (`/openapi/v3`), each document's URL carrying a hash of its content;
 * - OpenAPI v2 (`/openapi/v2`), one Swagger 2.0 document with every served kind, as JSON.
 *
 * Invariants: documents are plain data built once per served-kind list; schema text is upstream's
 * (only `$ref` prefixes are rewritten for Swagger 2.0); a kind with no upstream schema is left out
 * of `components` and listed by `missingKinds()` for the caller to report.
 */
import { createHash } from 'node:crypto';
import { allSchemas, closureOf, definitionOf, refOf, REF_PREFIX, type GroupVersionKind, type Schema } from './spec.ts';

export interface ServedKind extends GroupVersionKind {
  /** Lowercase plural, as in the URL. */
  resource: string;
  namespaced: boolean;
  /** False for create-only kinds (Binding, the access reviews): schema published, no PATCH operation. */
  patchable: boolean;
  /** Kinds spoken by subresources (`autoscaling/v1` Scale for deployments/scale): their schemas ride along. */
  subresourceKinds?: GroupVersionKind[];
}

export interface OpenApiDocuments {
  /** `api/v1`, `apis/apps/v1` → the document's JSON text. */
  v3: Map<string, string>;
  /** The `/openapi/v3` root's JSON text. */
  v3Root: string;
  /** The Swagger 2.0 document's JSON text. */
  v2: string;
  /** Served kinds upstream's spec has no schema for. */
  missing: GroupVersionKind[];
}

const FIELD_VALIDATION_PARAMETERS = [
  { name: 'dryRun', in: 'query', description: 'When present, indicates that modifications should not be persisted.', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldManager', in: 'query', description: 'fieldManager is a name associated with the actor or entity that is making these changes.', schema: { type: 'string', uniqueItems: true } },
  {
    name: 'fieldValidation',
    in: 'query',
    description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
    schema: { type: 'string', uniqueItems: true },
  },
  { name: 'force', in: 'query', description: 'Force is going to "force" Apply requests.', schema: { type: 'boolean', uniqueItems: true } },
];

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise: the document's key and URL tail. */
export function documentPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function hashOf(text: string): string {
  return createHash('sha512').update(text).digest('hex').toUpperCase();
}

function patchPath(k: ServedKind): string {
  const base = `/${documentPath(k.group, k.version)}`;
  return k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}/{name}` : `${base}/${k.resource}/{name}`;
}

function v3Document(kinds: ServedKind[], group: string, version: string, title: string): string {
  const roots: string[] = ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'];
  const paths: Record<string, unknown> = {};
  for (const k of kinds) {
    const def = definitionOf(k);
    if (def) roots.push(def);
    for (const sub of k.subresourceKinds ?? []) {
      const subDef = definitionOf(sub);
      if (subDef) roots.push(subDef);
    }
    if (!k.patchable) continue;
    const body = def ? { content: { '*/*': { schema: { $ref: `${REF_PREFIX}${def}` } } } } : undefined;
    paths[patchPath(k)] = {
      patch: {
        description: `partially update the specified ${k.kind}`,
        operationId: `patch${k.kind}`,
        parameters: FIELD_VALIDATION_PARAMETERS,
        requestBody: { content: { 'application/json-patch+json': {}, 'application/merge-patch+json': {}, 'application/strategic-merge-patch+json': {}, 'application/apply-patch+yaml': {} }, required: true },
        responses: { '200': { description: 'OK', ...(body ?? {}) } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: k.kind },
      },
    };
  }
  const schemas = allSchemas();
  const components: Record<string, Schema> = {};
  for (const name of closureOf(roots)) components[name] = schemas[name]!;
  return JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: title }, paths, components: { schemas: components } });
}

/** Rewrites v3 `$ref`s (and the single-`allOf` wrappers v3 puts around them) for Swagger 2.0. */
function toSwagger2(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(toSwagger2);
  const s = schema as Schema;
  const ref = refOf(s);
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'allOf' && ref) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(REF_PREFIX, '#/definitions/');
    else out[k] = toSwagger2(v);
  }
  if (ref) out.$ref = `#/definitions/${ref}`;
  return out;
}

function v2Document(kinds: ServedKind[], title: string): string {
  const roots = ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'];
  for (const k of kinds) {
    for (const gvk of [k, ...(k.subresourceKinds ?? [])]) {
      const def = definitionOf(gvk);
      if (def) roots.push(def);
    }
  }
  const schemas = allSchemas();
  const definitions: Record<string, unknown> = {};
  for (const name of closureOf(roots)) definitions[name] = toSwagger2(schemas[name]);
  const paths: Record<string, unknown> = {};
  for (const k of kinds.filter((x) => x.patchable)) {
    paths[patchPath(k)] = {
      patch: {
        consumes: ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'],
        produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
        parameters: FIELD_VALIDATION_PARAMETERS.map(({ schema, ...p }) => ({ ...p, type: schema.type, uniqueItems: true })),
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: k.group, version: k.version, kind: k.kind },
      },
    };
  }
  return JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: title }, paths, definitions });
}

/** Builds every document for the served kinds; `title` is the server's gitVersion. */
export function buildOpenApiDocuments(kinds: ServedKind[], title: string): OpenApiDocuments {
  const byGroupVersion = new Map<string, { group: string; version: string; kinds: ServedKind[] }>();
  for (const k of kinds) {
    const key = documentPath(k.group, k.version);
    const entry = byGroupVersion.get(key) ?? { group: k.group, version: k.version, kinds: [] };
    entry.kinds.push(k);
    byGroupVersion.set(key, entry);
  }
  const v3 = new Map<string, string>();
  const rootPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, gv] of byGroupVersion) {
    const text = v3Document(gv.kinds, gv.group, gv.version, title);
    v3.set(key, text);
    rootPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(text)}` };
  }
  const missing = kinds.filter((k) => !definitionOf(k)).map(({ group, version, kind }) => ({ group, version, kind }));
  return { v3, v3Root: JSON.stringify({ paths: rootPaths }), v2: v2Document(kinds, title), missing };
}
