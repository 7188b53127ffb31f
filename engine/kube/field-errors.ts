/**
 * Field errors, worded as k8s.io/apimachinery/pkg/util/validation/field words them, so a 422 reads
 * exactly like a real cluster's: `spec.containers[0].image: Required value`,
 * `spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`.
 *
 * Given plumbing for exercise 03-validation: the learner decides which fields are wrong; these
 * build the StatusCause for each. The `field` is a path such as `spec.containers[1].name`.
 */
import type { StatusCause } from './types.ts';

/** A value as Go's validation prints it: strings quoted, numbers and booleans bare. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((v) => typeof v === 'string')) {
    const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** `field: Required value[: detail]`. */
export function required(field: string, detail?: string): StatusCause {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field };
}

/** `field: Invalid value: <value>: detail`. */
export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${showValue(value)}: ${detail}`, field };
}

/** `field: Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${showValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    field,
  };
}

/** `field: Duplicate value: "x"`. */
export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${showValue(value)}`, field };
}

/** `field: Forbidden: detail`. */
export function forbiddenField(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

/** `field: Invalid value: <value>: field is immutable`. */
export function immutable(field: string, value: unknown): StatusCause {
  return invalidValue(field, value, 'field is immutable');
}

/** `field: Invalid value: <shown>: detail`, the value already written as Go's %#v would (`[]string{"a"}`). */
export function invalidShown(field: string, shown: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${detail}`, field };
}

/** `field: Not found: "x"`. */
export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${showValue(value)}`, field };
}

/** `field: Too long: may not be more than N bytes` (field.TooLong: the value is never shown). */
export function tooLong(field: string, maxBytes: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxBytes} bytes`, field };
}

/** `field: Too many: 1001: must have at most 1000 items`. */
export function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

/** `field: Unsupported value: <shown>: supported values: "a", "b"`, the value already written as Go's %#v would. */
export function notSupportedShown(field: string, shown: string, supported: readonly string[]): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${shown}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    field,
  };
}
