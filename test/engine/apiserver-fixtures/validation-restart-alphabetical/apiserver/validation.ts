/**
 * Broken on purpose: restartPolicy's supported values listed alphabetically ("Always", "Never",
 * "OnFailure"), as for protocols, where upstream lists them as declared: "Always", "OnFailure", "Never".
 */
import { notSupported } from '#engine/kube/field-errors.ts';
import type { PodSpec, StatusCause } from '#engine/kube/types.ts';
import { validatePodSpec as reference } from '../../../../../solutions/apiserver/validation.ts';

export { defaultPodSpec, findUnknownFields, validateObjectMeta } from '../../../../../solutions/apiserver/validation.ts';

export function validatePodSpec(spec: PodSpec, path: string): StatusCause[] {
  return reference(spec, path).map((c) => (c.field === `${path}.restartPolicy` && c.reason === 'FieldValueNotSupported' ? notSupported(c.field, spec.restartPolicy, ['Always', 'Never', 'OnFailure']) : c));
}
