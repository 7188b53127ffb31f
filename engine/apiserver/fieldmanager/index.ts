/**
 * Server-side apply and field ownership (`metadata.managedFields`), as upstream's apiserver keeps
 * them: sigs.k8s.io/structured-merge-diff (fieldpath, typed, merge), k8s.io/apimachinery
 * pkg/util/managedfields, and the handlers in k8s.io/apiserver pkg/endpoints/handlers.
 *
 * Where the request path calls it (upstream's call sites):
 *
 * - create (handlers/create.go): after the body is decoded and defaulted, before mutating
 *   admission: `obj = updateManagedFields(undefined, obj, {manager: managerOrUserAgent(fieldManager,
 *   userAgent), ...})`, then admission, PrepareForCreate, validation, storage.
 * - update (handlers/update.go): as the first transformer inside the registry's guaranteed update
 *   (so `live` is the stored object of this attempt, re-run on a retry), before mutating admission
 *   and PrepareForUpdate: `updateManagedFields(live, next, …)`; `live` undefined when an update
 *   creates.
 * - patch (handlers/patch.go): JSON, merge and strategic patches are applied to the stored object,
 *   then `updateManagedFields(live, patched, …)`; an apply patch is
 *   `applyManagedFields(live, body, {manager: fieldManager, force, …})` (`live` undefined: create on
 *   apply; a body with a uid then gets upstream's 409 "uid mismatch" from the handler), with the
 *   raw body (SSA refuses unknown fields itself), then the kind's defaulting (upstream defaults
 *   inside the apply); both inside the guaranteed update, before admission.
 * - before any of these, `validateWriteOptions` checks the query (the 422 for an apply without
 *   fieldManager), and object validation adds `validateManagedFields` causes.
 * - `resetFields` is the strategy's GetResetFields for the endpoint (['status'] on the object of
 *   a kind with a status subresource; the status subresource resets what is not status).
 *
 * Types come from a TypeResolver (types.ts): by default `openapiResolver`, over upstream's OpenAPI
 * in engine/kube/openapi/ (kube-openapi pkg/schemaconv's reading of x-kubernetes-list-type,
 * -list-map-keys, -map-type, -patch-strategy/-patch-merge-key, -preserve-unknown-fields and
 * `default`), falling back to `schemaResolver` (engine/kube/schema.ts) for kinds it lacks. A
 * CRD's schema would plug in the same way: `options.resolver`.
 */
export { ApplyConflictError, type Conflict, describeManager } from './conflict.ts';
export {
  ANCIENT_CHANGES,
  applyManagedFields,
  type ApplyOptions,
  BEFORE_FIRST_APPLY,
  DEFAULT_MAX_UPDATE_MANAGERS,
  type FieldManagerOptions,
  KUBECTL_SERVER_SIDE_MANAGER,
  LAST_APPLIED_ANNOTATION,
  MAX_NESTING_DEPTH,
  updateManagedFields,
} from './field-manager.ts';
export { FieldSet, FieldsV1Error } from './fieldset.ts';
export { decodeManagedFields, encodeManagedFields, type ManagedFieldsEntry, ManagedFieldsError } from './managed.ts';
export { elementToString, fieldElement, keyElement, makePath, type Path, type PathElement, pathToString, valueElement } from './path.ts';
export {
  APPLY_PATCH_TYPES,
  FIELD_MANAGER_MAX_LENGTH,
  fieldManagerCauses,
  managerOrUserAgent,
  parseForce,
  prefixFromUserAgent,
  validateManagedFields,
  validateWriteOptions,
  type WriteOptions,
} from './request.ts';
export { openapiResolver } from './openapi-resolver.ts';
export { schemaResolver } from './schema-resolver.ts';
export { compare, merge, removeItems, toFieldSet, validate } from './typed.ts';
export { listType, mapType, scalarType, type TypeNode, type TypeResolver, UNTYPED } from './types.ts';
