/**
 * The apiserver's OpenAPI service: `/openapi/v3` (root + one document per group/version) and
 * `/openapi/v2`, carrying upstream's schemas of every served kind (engine/kube/openapi). With them
 * `kubectl explain` works for every kind and field, and kubectl's query-param verifier finds the
 * PATCH operations that take `fieldValidation`, so `apply`/`create` send `fieldValidation=Strict`.
 *
 * /openapi/v2 is served as JSON to clients that accept JSON. kubectl asks for it only in the
 * gnostic protobuf encoding (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and
 * only where v3 failed it (apply's patcher falls back to v2 when v3 lacks the kind; explain with
 * `--output plaintext-openapiv2`); with every served kind in v3, v2 is never needed, so a
 * protobuf-only Accept gets the 404 kubectl already tolerates there rather than bytes it could not
 * parse.
 *
 * Invariant: the documents are built on first request and never change afterwards (the list of
 * served kinds is fixed at start-up), so the hashes in the v3 root stay valid.
 */
import { KUBERNETES_VERSION } from '../params.ts';
import { RESOURCES } from '../kube/resources.ts';
import { buildOpenApiDocuments, type OpenApiDocuments, type ServedKind } from '../kube/openapi/documents.ts';

let documents: OpenApiDocuments | undefined;

/** The kinds served, as the OpenAPI documents need them (from the resource list). */
export function servedKinds(): ServedKind[] {
  return RESOURCES.map((r) => ({
    group: r.group,
    version: r.version,
    kind: r.kind,
    resource: r.resource,
    namespaced: r.namespaced,
    patchable: r.verbs.includes('patch'),
    subresourceKinds: r.subresources.filter((s) => s.group !== undefined).map((s) => ({ group: s.group!, version: s.version!, kind: s.kind })),
  }));
}

function docs(): OpenApiDocuments {
  documents ??= buildOpenApiDocuments(servedKinds(), KUBERNETES_VERSION.gitVersion);
  return documents;
}

/** GET /openapi/v3. */
export function openApiRoot(): string {
  return docs().v3Root;
}

/** GET /openapi/v3/<api/v1 | apis/group/version>, or undefined. */
export function openApiDocument(path: string): string | undefined {
  return docs().v3.get(path);
}

/**
 * GET /openapi/v2: the Swagger 2.0 document as JSON when the Accept header allows JSON (or is
 * absent); undefined when the client accepts only the protobuf encoding (answer 404).
 */
export function openApiV2(accept: string | undefined): { body: string; contentType: string } | undefined {
  if (accept && !/(^|,)\s*(application\/json|application\/\*|\*\/\*)\s*(;|,|$)/.test(accept)) return undefined;
  return { body: docs().v2, contentType: 'application/json' };
}
