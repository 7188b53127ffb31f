/**
 * Broken on purpose: a name is checked only when there is no generateName ("the name will be
 * generated"), so a name the registry made from generateName Bad_ passes.
 */
import type { ObjectMetaRules } from '#engine/apiserver/exercises.ts';
import type { ObjectMeta, StatusCause } from '#engine/kube/types.ts';
import { validateObjectMeta as reference } from '../../../../../solutions/apiserver/validation.ts';

export { defaultPodSpec, findUnknownFields, validatePodSpec } from '../../../../../solutions/apiserver/validation.ts';

export function validateObjectMeta(meta: ObjectMeta, rules: ObjectMetaRules): StatusCause[] {
  if (!meta.generateName) return reference(meta, rules);
  return reference({ ...meta, name: 'checked-elsewhere' }, rules);
}
