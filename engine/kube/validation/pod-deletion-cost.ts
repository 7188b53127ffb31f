/**
 * The `controller.kubernetes.io/pod-deletion-cost` annotation at admission, as upstream's
 * ValidatePodSpecificAnnotations checks it (pkg/apis/core/validation/validation.go) with
 * GetDeletionCostFromPodAnnotations (pkg/apis/core/helper/helpers.go): on a pod and on every pod
 * template, the cost must be a base-10 int32 with an optional leading '-' (no '+', no leading zero
 * but for "0" itself, nothing else around it), or the field error
 * `<at>[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "x": must be a 32bit integer`.
 * An update keeps a cost that was already invalid before it (GetValidationOptionsFromPodSpecAndMeta's
 * AllowInvalidPodDeletionCost), so a pod stored before the check can still change.
 *
 * The ReplicaSet controller reads the cost on its own (the learner's getPodsToDelete). Pure.
 */
import { invalidValue } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** The int32 range, as strconv.ParseInt(v, 10, 32) accepts it. */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function annotationsOf(annotations: unknown): Record<string, unknown> {
  return annotations && typeof annotations === 'object' && !Array.isArray(annotations) ? (annotations as Record<string, unknown>) : {};
}

/** True when there is no cost, or one upstream reads (validFirstDigit checks only the first character, so "-07" is -7). */
export function deletionCostReadable(annotations: unknown): boolean {
  const map = annotationsOf(annotations);
  if (!Object.hasOwn(map, POD_DELETION_COST)) return true;
  const text = map[POD_DELETION_COST];
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]*|-[0-9]+)$/.test(text)) return false;
  const n = Number(text);
  return n >= INT32_MIN && n <= INT32_MAX;
}

/**
 * The cost's field error for the annotations at `at` (`metadata.annotations`,
 * `spec.template.annotations`), none when it reads; `oldAnnotations` (an update) whose cost did not
 * read allow any.
 */
export function deletionCostCauses(annotations: unknown, at: string, oldAnnotations?: unknown): StatusCause[] {
  if (oldAnnotations !== undefined && !deletionCostReadable(oldAnnotations)) return [];
  if (deletionCostReadable(annotations)) return [];
  return [invalidValue(`${at}[${POD_DELETION_COST}]`, annotationsOf(annotations)[POD_DELETION_COST], 'must be a 32bit integer')];
}
