/**
 * The request-side rules of field management, for the handlers to call:
 *
 * - validateWriteOptions: the `fieldManager` and `force` query parameters of a create, update or
 *   patch (k8s.io/apimachinery pkg/apis/meta/v1/validation: ValidateCreateOptions,
 *   ValidateUpdateOptions, ValidatePatchOptions), refused with a 422 on CreateOptions,
 *   UpdateOptions or PatchOptions as upstream does:
 *     PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch
 * - managerOrUserAgent: the manager of a write that names none: the user agent up to its first
 *   `/` (`kubectl/v1.32.4 (linux/amd64)` → `kubectl`), without unprintable characters, cut to 128
 *   bytes (k8s.io/apiserver pkg/endpoints/handlers/create.go prefixFromUserAgent);
 * - validateManagedFields: the causes metadata validation adds for client-sent managedFields
 *   (ValidateManagedFields), at `metadata.managedFields[i].…`.
 */
import type { StatusCause } from '../../kube/types.ts';
import { badRequest, invalid } from '../../kube/errors.ts';
import { goQuote, goRune, isPrint } from './format.ts';

/** The longest fieldManager accepted, in bytes (FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** The longest subresource name in a managedFields entry (MaxSubresourceNameLength). */
export const MAX_SUBRESOURCE_NAME_LENGTH = 256;

/** The patch type of server-side apply (kubectl sends JSON under it). */
export const APPLY_PATCH_TYPES = ['application/apply-patch+yaml', 'application/apply-patch+cbor'];

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
export function fieldManagerCauses(fieldManager: string, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`, field });
  }
  let position = 0;
  for (const char of fieldManager) {
    if (!isPrint(char)) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(fieldManager)}: invalid character ${goRune(char)} (at position ${position})`, field });
    }
    position += Buffer.byteLength(char);
  }
  return causes;
}

export interface WriteOptions {
  /** 'create' (POST), 'update' (PUT) or 'patch'. */
  verb: 'create' | 'update' | 'patch';
  /** The `fieldManager` query parameter ('' when absent). */
  fieldManager: string;
  /** For a patch: its content type (without parameters). */
  patchType?: string;
  /** The `force` query parameter as sent; undefined when absent. */
  force?: string;
}

const OPTIONS_KIND = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' } as const;

/**
 * Throws the 422 upstream answers for a write's options: an apply patch without fieldManager,
 * `force` on a patch that is not an apply, a fieldManager over 128 bytes or with an unprintable
 * character.
 */
export function validateWriteOptions(options: WriteOptions): void {
  const causes: StatusCause[] = [];
  if (options.verb === 'patch') {
    if (options.patchType && APPLY_PATCH_TYPES.includes(options.patchType)) {
      if (options.fieldManager === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
    } else if (options.force !== undefined) {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
    }
  }
  causes.push(...fieldManagerCauses(options.fieldManager, 'fieldManager'));
  if (causes.length > 0) throw invalid({ group: 'meta.k8s.io', kind: OPTIONS_KIND[options.verb] }, '', causes);
}

/**
 * The `force` query parameter as the apiserver decodes it (a Go bool: 1, t, T, TRUE, true, True,
 * 0, f, F, FALSE, false, False); undefined when absent. Throws the 400 upstream answers otherwise.
 */
export function parseForce(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`);
}

/** prefixFromUserAgent: the user agent before its first `/`, printable characters only, at most 128 bytes. */
export function prefixFromUserAgent(userAgent: string): string {
  const head = userAgent.split('/')[0];
  let out = '';
  let bytes = 0;
  for (const char of head) {
    if (!isPrint(char)) continue;
    const size = Buffer.byteLength(char);
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** The manager of a non-apply write: its fieldManager, else what its user agent says. */
export function managerOrUserAgent(fieldManager: string, userAgent: string | undefined): string {
  return fieldManager !== '' ? fieldManager : prefixFromUserAgent(userAgent ?? '');
}

/**
 * ValidateManagedFields, for object validation: each entry's operation must be Apply or Update,
 * its fieldsType FieldsV1 (or empty), its manager a valid field manager, its subresource at most
 * 256 bytes. `field` is the path of the list (`metadata.managedFields`).
 */
export function validateManagedFields(entries: unknown, field = 'metadata.managedFields'): StatusCause[] {
  if (!Array.isArray(entries)) return [];
  const causes: StatusCause[] = [];
  entries.forEach((raw, i) => {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const at = `${field}[${i}]`;
    const operation = typeof entry.operation === 'string' ? entry.operation : '';
    if (operation === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value: must not be empty', field: `${at}.operation` });
    else if (operation !== 'Apply' && operation !== 'Update') {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${goQuote(operation)}: supported values: "Apply", "Update"`, field: `${at}.operation` });
    }
    const fieldsType = typeof entry.fieldsType === 'string' ? entry.fieldsType : '';
    if (fieldsType !== '' && fieldsType !== 'FieldsV1') {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(fieldsType)}: must be \`FieldsV1\``, field: `${at}.fieldsType` });
    }
    causes.push(...fieldManagerCauses(typeof entry.manager === 'string' ? entry.manager : '', `${at}.manager`));
    const subresource = typeof entry.subresource === 'string' ? entry.subresource : '';
    if (Buffer.byteLength(subresource) > MAX_SUBRESOURCE_NAME_LENGTH) {
      causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${MAX_SUBRESOURCE_NAME_LENGTH} bytes`, field: `${at}.subresource` });
    }
  });
  return causes;
}
