/**
 * Broken on purpose: a port is only checked against the range, so containerPort 0 (or none) reads
 * `Invalid value: 0: must be between 1 and 65535, inclusive` instead of upstream's `Required value`.
 */
import { invalidValue } from '#engine/kube/field-errors.ts';
import type { PodSpec, StatusCause } from '#engine/kube/types.ts';
import { validatePodSpec as reference } from '../../../../../solutions/apiserver/validation.ts';

export { defaultPodSpec, findUnknownFields, validateObjectMeta } from '../../../../../solutions/apiserver/validation.ts';

export function validatePodSpec(spec: PodSpec, path: string): StatusCause[] {
  return reference(spec, path).map((c) => (c.field?.endsWith('.containerPort') && c.reason === 'FieldValueRequired' ? invalidValue(c.field, 0, 'must be between 1 and 65535, inclusive') : c));
}
