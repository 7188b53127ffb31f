/**
 * What ConfigMaps and Secrets share, after pkg/apis/core/validation (config_maps.go ValidateConfigMap,
 * secrets.go ValidateSecret) and the registries' update checks:
 *
 * - each data (and binaryData) key is a valid config key (IsConfigMapKey), and a ConfigMap key is
 *   not in both maps (`data[k]: Invalid value: "k": duplicate of key present in binaryData`);
 * - the values together hold at most MAX_DATA_BYTES (1 MiB). A ConfigMap reports it at the whole
 *   object (field `[]`, what Go prints for field.NewPath("")), a Secret at `data`; sizes are bytes
 *   (UTF-8 for data, decoded base64 for binaryData and a Secret's data), as Go's len([]byte) counts;
 * - once `immutable` is true, `immutable`, data and binaryData never change (in that order).
 */
import { canonical } from '../../canonical.ts';
import { forbiddenField, invalidValue, tooLong } from '../../field-errors.ts';
import type { StatusCause } from '../../types.ts';
import { configKeyProblems } from '../../validation/formats.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** core.MaxSecretSize (upstream's fixed limit, not a tunable): the most bytes a ConfigMap's or a Secret's values may hold together. */
const MAX_DATA_BYTES = 1024 * 1024;

function entries(map: unknown): [string, unknown][] {
  return map && typeof map === 'object' && !Array.isArray(map) ? Object.entries(map as Record<string, unknown>) : [];
}

function keyCauses(field: string, key: string): StatusCause[] {
  return configKeyProblems(key).map((m) => invalidValue(`${field}[${key}]`, key, m));
}

/** Bytes of a value: UTF-8 text, or what base64 text decodes to. */
function size(value: unknown, base64: boolean): number {
  const text = typeof value === 'string' ? value : '';
  return base64 ? Buffer.from(text, 'base64').length : Buffer.byteLength(text, 'utf8');
}

/** ValidateConfigMap, less the metadata. */
export function validateConfigMapData(object: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  const binary = object.binaryData && typeof object.binaryData === 'object' ? object.binaryData : {};
  let total = 0;
  for (const [key, value] of entries(object.data)) {
    causes.push(...keyCauses('data', key));
    if (Object.hasOwn(binary, key)) causes.push(invalidValue(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    total += size(value, false);
  }
  for (const [key, value] of entries(object.binaryData)) {
    causes.push(...keyCauses('binaryData', key));
    total += size(value, true);
  }
  if (total > MAX_DATA_BYTES) causes.push(tooLong('[]', MAX_DATA_BYTES));
  return causes;
}

/** ValidateSecret's data part: keys, and the decoded values' total size. */
export function validateSecretData(object: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  let total = 0;
  for (const [key, value] of entries(object.data)) {
    causes.push(...keyCauses('data', key));
    total += size(value, true);
  }
  if (total > MAX_DATA_BYTES) causes.push(tooLong('data', MAX_DATA_BYTES));
  return causes;
}

/** Once `immutable` is true, immutable, data and binaryData stay as they are. */
export function validateImmutableData(object: Any, old: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.immutable !== true) return causes;
  if (object.immutable !== true) causes.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
  for (const field of ['data', 'binaryData']) {
    if (canonical(old[field]) !== canonical(object[field])) causes.push(forbiddenField(field, 'field is immutable when `immutable` is set'));
  }
  return causes;
}
