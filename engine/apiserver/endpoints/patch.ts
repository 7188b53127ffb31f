/**
 * PATCH (upstream: handlers/patch.go), inside the registry's guaranteed update (when the object
 * changed in between, the patch is applied again to the new one, unless it pins a resourceVersion):
 *
 * - JSON, merge and strategic merge patches: the learner's patch functions (05-patch) applied to
 *   the stored object; the result is type-checked (422 `patch: Invalid value`), pruned of unknown
 *   fields under fieldValidation (field-validation.ts), then goes through the ordinary update,
 *   which records the writer in managedFields (updateManagedFields, as patch.go's patchers do);
 * - server-side apply (application/apply-patch+yaml): the field manager
 *   (engine/apiserver/fieldmanager, `applyManagedFields`) merges the applied configuration into
 *   the stored object by upstream's typed rules, owns the fields for the fieldManager, removes what
 *   it stopped applying and refuses a change to another manager's field (409) unless `force`;
 *   the result goes through the update without being recorded again. An apply to an object that
 *   does not exist creates it (a configuration that names a uid cannot: 409 "uid mismatch").
 *   The learner's applyServerSide (create-or-merge) is the lesson's model of the merge step; the
 *   engine's apply is the whole algorithm (lessons/core/02-apiserver/06-patch.md says so).
 *
 * The query is checked first: 422 on PatchOptions for an apply without fieldManager, `force` on
 * another patch type, a bad dryRun or fieldValidation.
 */
import { conflict, unsupportedMediaType, badRequest, invalid } from '../../kube/errors.ts';
import { groupVersion } from '../../kube/resources.ts';
import { schemaFor } from '../../kube/schema.ts';
import type { KubeObject } from '../../kube/types.ts';
import { APPLY_PATCH, decodeBody, JSON_PATCH, MERGE_PATCH, mediaType, PATCH_TYPES, readBody, requireObject, STRATEGIC_MERGE_PATCH } from '../body.ts';
import { applyManagedFields, managerOrUserAgent } from '../fieldmanager/index.ts';
import { goJSON, goQuote, goValue } from '../fieldmanager/format.ts';
import { TypeMismatchError } from '../../kube/openapi/typed.ts';
import type { StoredScope } from './context.ts';
import { checkKind, checkName, checkTypeMeta, checkTypes, setNamespace, unrecognized, writeQuery, type WriteQuery } from './decode.ts';
import { checkApplyBody, checkPatchedFields, patchBodyProblems } from './field-validation.ts';
import { respondObject, respondPlain } from './respond.ts';

/** Applies a patch of the given type to a document, with the learner's functions. */
function applyPatch(scope: StoredScope, type: string, document: KubeObject, body: unknown): Record<string, unknown> {
  const impl = scope.request.ctx.impl;
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
      patched = impl.applyStrategicMergePatch(document, body, schemaFor(document.apiVersion, document.kind));
      break;
    default:
      throw unsupportedMediaType(type, PATCH_TYPES);
  }
  return requireObject(patched, unrecognized(scope.kind));
}

/** The patched object's types checked: a mistyped field is upstream's 422 on the patch (patch.go). */
function checkPatchedTypes(type: string, patched: KubeObject, patch: unknown): KubeObject {
  try {
    return checkTypes(patched);
  } catch (error) {
    if (!(error instanceof TypeMismatchError)) throw error;
    const shown = type === STRATEGIC_MERGE_PATCH ? goValue(patch) : goJSON(patched);
    throw invalid({ group: '', kind: '' }, '', [{ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(shown)}: ${error.message}`, field: 'patch' }]);
  }
}

/** A patched object whose uid is not the stored one's is refused (the uid precondition). */
function keepUid(scope: StoredScope, object: KubeObject, current: KubeObject): KubeObject {
  if (object.metadata.uid !== undefined && object.metadata.uid !== current.metadata.uid) {
    throw conflict(scope.kind, scope.name, `Precondition failed: UID in precondition: ${object.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  return object;
}

/** Server-side apply of `body` (see the file header). */
async function apply(scope: StoredScope, body: unknown, text: string, query: WriteQuery): Promise<void> {
  const { ctx } = scope.request;
  const { kind } = scope;
  const status = scope.subresource?.serve?.type === 'status';
  const subresource = status ? 'status' : undefined;
  let warnings: string[] = [];
  const applied = (live: KubeObject | undefined): KubeObject => {
    const options = { ...ctx.registry.fieldManagerOptions(kind, subresource, query.fieldManager, ctx.clock.now()), force: query.force };
    const object = applyManagedFields(live, body, options);
    warnings = checkApplyBody(text, query.fieldValidation);
    return checkName(scope, setNamespace(scope, object));
  };
  const result = await ctx.registry.guaranteedUpdate(kind, scope.namespace, scope.name, (current) => keepUid(scope, applied(current), current), {
    subresource,
    dryRun: query.dryRun,
    manager: query.fieldManager,
    applied: true,
    // Server-side apply creates what does not exist yet (not through a subresource).
    createWhenMissing: status
      ? undefined
      : () => {
          const object = applied(undefined);
          if (object.metadata.uid) {
            throw conflict(kind, scope.name, `uid mismatch: the provided object specified uid ${object.metadata.uid}, and no existing object was found`);
          }
          return object;
        },
  });
  respondObject(scope, result.created ? 201 : 200, result.object, warnings.length ? { Warning: warnings } : {});
}

export async function patch(scope: StoredScope): Promise<void> {
  const { ctx, req } = scope.request;
  const { kind } = scope;
  const type = mediaType(req.headers['content-type']);
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type || 'no Content-Type', PATCH_TYPES);
  const query = writeQuery(scope, 'patch', type);
  const raw = await readBody(req, ctx.maxBodyBytes);
  const body = decodeBody(raw, type, unrecognized(kind), PATCH_TYPES);
  const manager = managerOrUserAgent(query.fieldManager, req.headers['user-agent']);

  if (scope.subresource?.serve?.type === 'scale') {
    const patchScale = (current: KubeObject) => checkName(scope, checkTypeMeta(applyPatch(scope, type, current, body), kind, 'Scale', 'autoscaling/v1'));
    const result = await ctx.registry.updateScale(kind, scope.namespace, scope.name, (current) => patchScale(current as unknown as KubeObject), { dryRun: query.dryRun, manager });
    return respondPlain(scope, 200, result);
  }
  if (type === APPLY_PATCH) return apply(scope, body, raw.toString('utf8'), query);

  const bodyProblems = patchBodyProblems(type, raw.toString('utf8'), query.fieldValidation);
  let warnings: string[] = [];
  const result = await ctx.registry.guaranteedUpdate(
    kind,
    scope.namespace,
    scope.name,
    (current) => {
      const patched = checkPatchedTypes(type, checkKind(applyPatch(scope, type, current, body), kind, kind.kind, groupVersion(kind)), body);
      const checked = checkPatchedFields(kind, patched, query.fieldValidation, bodyProblems, type, body);
      warnings = checked.warnings;
      return keepUid(scope, checkName(scope, setNamespace(scope, checked.object)), current);
    },
    { subresource: scope.subresource?.serve?.type === 'status' ? 'status' : undefined, dryRun: query.dryRun, manager },
  );
  respondObject(scope, 200, result.object, warnings.length ? { Warning: warnings } : {});
}
