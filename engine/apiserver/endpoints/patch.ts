/**
 * PATCH (upstream: handlers/patch.go): the learner's patch functions (05-patch) applied to the
 * stored object, then the result through the ordinary update (defaults, admission, validation,
 * optimistic concurrency). The registry reads, patches and writes again when the object changed in
 * between, unless the patch pins a resourceVersion. An apply patch to an object that does not exist
 * creates it.
 */
import { conflict, unsupportedMediaType, badRequest } from '../../kube/errors.ts';
import { groupVersion } from '../../kube/resources.ts';
import { schemaFor } from '../../kube/schema.ts';
import type { KubeObject } from '../../kube/types.ts';
import { APPLY_PATCH, decodeBody, JSON_PATCH, MERGE_PATCH, mediaType, PATCH_TYPES, readBody, requireObject, STRATEGIC_MERGE_PATCH } from '../body.ts';
import type { StoredScope } from './context.ts';
import { checkName, checkTypeMeta, checkUnknownFields, dryRun, setNamespace, unrecognized } from './decode.ts';
import { respondObject, respondPlain } from './respond.ts';


/** Applies a patch of the given type to a document, with the learner's functions. */
function applyPatch(scope: StoredScope, type: string, document: KubeObject, body: unknown): Record<string, unknown> {
  const impl = scope.request.ctx.impl;
  const schema = schemaFor(document.apiVersion, document.kind);
  let patched: unknown;
  switch (type) {
    case MERGE_PATCH:
      patched = impl.applyMergePatch(document, body);
      break;
    case JSON_PATCH:
      patched = impl.applyJsonPatch(document, body);
      break;
    case STRATEGIC_MERGE_PATCH:
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${unrecognized(scope.kind)}: a strategic merge patch must be a JSON object`);
      patched = impl.applyStrategicMergePatch(document, body, schema);
      break;
    case APPLY_PATCH:
      patched = impl.applyServerSide(document, body as KubeObject, schema);
      break;
    default:
      throw unsupportedMediaType(type, PATCH_TYPES);
  }
  return requireObject(patched, unrecognized(scope.kind));
}

export async function patch(scope: StoredScope): Promise<void> {
  const { ctx, req } = scope.request;
  const { kind } = scope;
  const type = mediaType(req.headers['content-type']);
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type || 'no Content-Type', PATCH_TYPES);
  const raw = await readBody(req, ctx.maxBodyBytes);
  const scale = scope.subresource?.serve?.type === 'scale';
  const [bodyKind, bodyVersion] = scale ? ['Scale', 'autoscaling/v1'] : [kind.kind, groupVersion(kind)];
  let body = decodeBody(raw, type, unrecognized(kind), PATCH_TYPES);
  if (type === APPLY_PATCH) body = checkName(scope, setNamespace(scope, checkTypeMeta(requireObject(body, unrecognized(kind)), kind, bodyKind, bodyVersion)));
  const dry = dryRun(scope);

  if (scale) {
    const result = await ctx.registry.updateScale(kind, scope.namespace, scope.name, (current) => checkName(scope, checkTypeMeta(applyPatch(scope, type, current as unknown as KubeObject, body), kind, 'Scale', 'autoscaling/v1')), { dryRun: dry });
    return respondPlain(scope, 200, result);
  }

  let warnings: Record<string, string> = {};
  const result = await ctx.registry.guaranteedUpdate(
    kind,
    scope.namespace,
    scope.name,
    (current) => {
      const object = checkName(scope, setNamespace(scope, checkTypeMeta(applyPatch(scope, type, current, body), kind, kind.kind, groupVersion(kind))));
      if (object.metadata.uid !== undefined && object.metadata.uid !== current.metadata.uid) {
        throw conflict(kind, scope.name, `Precondition failed: UID in precondition: ${object.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      warnings = checkUnknownFields(scope, object);
      return object;
    },
    {
      subresource: scope.subresource?.serve?.type === 'status' ? 'status' : undefined,
      dryRun: dry,
      // Server-side apply creates what does not exist yet (not through a subresource).
      createWhenMissing:
        type === APPLY_PATCH && !scope.subresource
          ? () => {
              const applied = ctx.impl.applyServerSide(undefined, body as KubeObject, schemaFor(groupVersion(kind), kind.kind));
              const object = checkTypeMeta(requireObject(applied, unrecognized(kind)), kind, kind.kind, groupVersion(kind));
              warnings = checkUnknownFields(scope, object);
              return setNamespace(scope, object);
            }
          : undefined,
    },
  );
  respondObject(scope, result.created ? 201 : 200, result.object, warnings);
}
