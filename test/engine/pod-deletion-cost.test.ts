/**
 * The pod-deletion-cost annotation at admission (engine/kube/validation/pod-deletion-cost.ts), as
 * kubernetes pkg/apis/core/helper/helpers.go GetDeletionCostFromPodAnnotations reads it
 * (validFirstDigit, then strconv.ParseInt(v, 10, 32)) and pkg/apis/core/validation/validation.go
 * ValidatePodSpecificAnnotations refuses it; the update rule is GetValidationOptionsFromPodSpecAndMeta's
 * AllowInvalidPodDeletionCost (pkg/api/pod/util.go). The apiserver's answers are rows of
 * apiserver-validation-upstream.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { deletionCostCauses, deletionCostReadable, POD_DELETION_COST } from '#engine/kube/validation/pod-deletion-cost.ts';

const cost = (text: unknown) => ({ [POD_DELETION_COST]: text });

describe('which costs read', () => {
  test.each(['0', '1', '-1', '100', '-100', '2147483647', '-2147483648', '-0', '-07'])('%j reads', (text) => {
    expect(deletionCostReadable(cost(text))).toBe(true);
  });

  test.each(['', '-', '+5', '007', '00', ' 5', '5 ', '1e3', '0x10', '0b11', '5.0', '1_000', '2147483648', '-2147483649', '99999999999999999999', 'abc', '５'])('%j does not', (text) => {
    expect(deletionCostReadable(cost(text))).toBe(false);
  });

  test('no annotations, or no cost among them, is fine; a value that is not a string is not', () => {
    expect(deletionCostReadable(undefined)).toBe(true);
    expect(deletionCostReadable({ other: 'x' })).toBe(true);
    expect(deletionCostReadable(cost(5))).toBe(false);
  });
});

describe('the field error', () => {
  test('at the given path, with the value quoted', () => {
    expect(deletionCostCauses(cost('1e3'), 'metadata.annotations')).toEqual([
      { reason: 'FieldValueInvalid', field: `metadata.annotations[${POD_DELETION_COST}]`, message: 'Invalid value: "1e3": must be a 32bit integer' },
    ]);
    expect(deletionCostCauses(cost('12'), 'metadata.annotations')).toEqual([]);
  });

  test('an update may keep, or change, a cost that did not read before it; one that read must stay readable', () => {
    expect(deletionCostCauses(cost('still bad'), 'metadata.annotations', cost('bad'))).toEqual([]);
    expect(deletionCostCauses(cost('1e3'), 'metadata.annotations', cost('3'))).toHaveLength(1);
    expect(deletionCostCauses(cost('1e3'), 'metadata.annotations', {})).toHaveLength(1);
  });
});
