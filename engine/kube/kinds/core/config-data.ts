/**
 * What ConfigMaps and Secrets share: their data keys (pkg/apis/core/validation ValidateConfigMap
 * and ValidateSecret: each key a valid config key, no key in both data and binaryData) and the
 * `immutable` flag, after which data, binaryData and the flag itself never change.
 */
import { canonical } from '../../canonical.ts';
import { duplicate, forbiddenField, invalidValue } from '../../field-errors.ts';
import type { StatusCause } from '../../types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Every data and binaryData key is a valid config key, and none is in both. */
export function validateDataKeys(object: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const field of ['data', 'binaryData']) {
    for (const key of Object.keys(object[field] ?? {})) {
      if (!CONFIG_KEY.test(key) || key.length > 253) {
        causes.push(invalidValue(`${field}[${key}]`, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      }
      if (seen.has(key)) causes.push(duplicate(`${field}[${key}]`, key));
      seen.add(key);
    }
  }
  return causes;
}

/** Once `immutable` is true, data, binaryData and immutable stay as they are. */
export function validateImmutableData(object: Any, old: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.immutable === true) {
    for (const field of ['data', 'binaryData', 'immutable']) {
      if (canonical(old[field]) !== canonical(object[field])) causes.push(forbiddenField(field, 'field is immutable when `immutable` is set'));
    }
  }
  return causes;
}
