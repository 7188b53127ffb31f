/**
 * A minimal OpenAPI v3 service: the root (`/openapi/v3`) lists one document per group/version, and
 * each document has one PATCH operation per kind, tagged with its group/version/kind and the
 * `fieldValidation` query parameter. That is exactly what kubectl looks for to conclude that the
 * server validates fields itself, so `kubectl apply` and `create` send `fieldValidation=Strict`
 * instead of failing with "failed to download openapi". There are no schemas: for strategic merge
 * patches kubectl falls back to its compiled-in types (kubectl-wire.md §3). /openapi/v2 stays a 404.
 */
import { createHash } from 'node:crypto';
import { KUBERNETES_VERSION } from '../params.ts';
import { groupVersions, RESOURCES } from '../kube/resources.ts';

function pathOf(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const PARAMETERS = [
  { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
];

function document(group: string, version: string): unknown {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES) {
    if (r.group !== group || r.version !== version || r.virtual) continue;
    const base = `/${pathOf(group, version)}`;
    const path = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}/{name}` : `${base}/${r.resource}/{name}`;
    paths[path] = {
      patch: {
        'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
        'x-kubernetes-action': 'patch',
        parameters: PARAMETERS,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }, paths, components: { schemas: {} } };
}

const documents = new Map<string, string>();
for (const gv of groupVersions()) documents.set(pathOf(gv.group, gv.version), JSON.stringify(document(gv.group, gv.version)));
const HASH = createHash('sha256').update([...documents.values()].join('\n')).digest('hex').slice(0, 32).toUpperCase();

/** GET /openapi/v3. */
export function openApiRoot(): string {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of documents.keys()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${HASH}` };
  return JSON.stringify({ paths });
}

/** GET /openapi/v3/<api/v1 | apis/group/version>, or undefined. */
export function openApiDocument(path: string): string | undefined {
  return documents.get(path);
}

