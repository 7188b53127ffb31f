/**
 * The request-side rules (engine/apiserver/fieldmanager/request.ts), with upstream's messages:
 * - k8s.io/apimachinery pkg/apis/meta/v1/validation/validation_test.go (TestValidPatchOptions,
 *   TestInvalidPatchOptions, TestValidateFieldManagerValid/Invalid, TestValidateManagedFieldsInvalid,
 *   TestValidateMangedFieldsValid), and validation.go for the wording;
 * - k8s.io/apiserver pkg/endpoints/handlers/create_test.go (TestManagerOrUserAgent);
 * - kubernetes test/integration/apiserver/apply/apply_test.go (TestApplyRequiresFieldManager):
 *   the 422 an apply without fieldManager gets, which kubectl prints as
 *   `The PatchOptions "" is invalid: fieldManager: Required value: is required for apply patch`.
 */
import { describe, expect, test } from 'vitest';
import { ApiError } from '#engine/kube/errors.ts';
import { managerOrUserAgent, parseForce, prefixFromUserAgent, validateManagedFields, validateWriteOptions, type WriteOptions } from '#engine/apiserver/fieldmanager/request.ts';

function refusal(options: WriteOptions): ApiError {
  try {
    validateWriteOptions(options);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('query options of a write', () => {
  test('an apply patch without fieldManager: 422 on PatchOptions, as upstream answers (TestApplyRequiresFieldManager)', () => {
    expect(refusal({ verb: 'patch', patchType: 'application/apply-patch+yaml', fieldManager: '' }).status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { name: '', group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
    });
  });

  test.each<WriteOptions>([
    { verb: 'patch', patchType: 'application/apply-patch+yaml', fieldManager: 'kubectl', force: 'true' },
    { verb: 'patch', patchType: 'application/apply-patch+yaml', fieldManager: 'kubectl' },
    { verb: 'patch', patchType: 'application/apply-patch+cbor', fieldManager: 'kubectl' },
    { verb: 'patch', patchType: 'application/merge-patch+json', fieldManager: '' },
    { verb: 'patch', patchType: 'application/strategic-merge-patch+json', fieldManager: 'patcher' },
    { verb: 'create', fieldManager: '' },
    { verb: 'update', fieldManager: 'x'.repeat(128) },
    { verb: 'create', fieldManager: 'kubectl-client-side-apply' },
  ])('%j is accepted (TestValidPatchOptions)', (options) => {
    expect(() => validateWriteOptions(options)).not.toThrow();
  });

  test.each<[WriteOptions, string]>([
    [{ verb: 'patch', patchType: 'application/apply-patch+cbor', fieldManager: '' }, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    [
      { verb: 'patch', patchType: 'application/merge-patch+json', fieldManager: '', force: 'true' },
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    ],
    [
      { verb: 'patch', patchType: 'application/json-patch+json', fieldManager: 'kubectl', force: 'false' },
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    ],
    [{ verb: 'create', fieldManager: 'f'.repeat(129) }, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
    [{ verb: 'update', fieldManager: 'field\nmanager' }, 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "field\\nmanager": invalid character U+000A (at position 5)'],
    [{ verb: 'update', fieldManager: 'é'.repeat(65) }, 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
    [{ verb: 'patch', patchType: 'application/apply-patch+yaml', fieldManager: '' }, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
  ])('%j is refused: %s (TestInvalidPatchOptions, TestValidateFieldManagerInvalid)', (options, message) => {
    const error = refusal(options);
    expect([error.code, error.reason, error.message]).toEqual([422, 'Invalid', message]);
  });

  test('several problems are listed together, as a Go aggregate prints them', () => {
    const error = refusal({ verb: 'patch', patchType: 'application/apply-patch+yaml', fieldManager: `${'x'.repeat(128)}\t` });
    expect(error.message).toBe(
      `PatchOptions.meta.k8s.io "" is invalid: [fieldManager: Too long: may not be more than 128 bytes, fieldManager: Invalid value: "${'x'.repeat(128)}\\t": invalid character U+0009 (at position 128)]`,
    );
  });

  test.each([
    ['true', true],
    ['True', true],
    ['1', true],
    ['t', true],
    ['false', false],
    ['0', false],
    ['F', false],
    [undefined, undefined],
  ])('force=%s reads as %s', (value, expected) => {
    expect(parseForce(value)).toBe(expected);
  });

  test.each(['yes', '', 'TRue'])("force=%j is a 400, as Go's ParseBool refuses it", (value) => {
    expect(() => parseForce(value)).toThrow(`strconv.ParseBool: parsing "${value}": invalid syntax`);
  });
});

describe('the manager of a write that names none (TestManagerOrUserAgent)', () => {
  test.each([
    ['', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36', 'Mozilla'],
    ['', `${'f'.repeat(129)}/Something`, 'f'.repeat(128)],
    ['', '🍔'.repeat(60), '🍔'.repeat(32)],
    ['manager', 'userAgent', 'manager'],
    ['', 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd', 'kubectl'],
    ['', 'node-fetch/1.0', 'node-fetch'],
    ['', 'ku\u0000be\u007fctl\u200b/x', 'kubectl'],
    ['', '', ''],
  ])('manager %j with user agent %j is %j', (manager, userAgent, expected) => {
    expect(managerOrUserAgent(manager, userAgent)).toBe(expected);
  });

  test('a missing user agent gives an empty manager (recorded as "unknown")', () => {
    expect(managerOrUserAgent('', undefined)).toBe('');
    expect(prefixFromUserAgent('/leading-slash')).toBe('');
  });
});

describe('validation of managedFields a client sends (TestValidateManagedFieldsInvalid)', () => {
  const valid = { manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} };

  test('valid entries have no causes (TestValidateMangedFieldsValid)', () => {
    expect(validateManagedFields([valid, { ...valid, operation: 'Apply', fieldsType: '' }])).toEqual([]);
    expect(validateManagedFields(undefined)).toEqual([]);
  });

  test.each([
    [
      { ...valid, fieldsType: 'RandomVersion' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "RandomVersion": must be `FieldsV1`', field: 'metadata.managedFields[0].fieldsType' },
    ],
    [
      { ...valid, operation: 'RandomOperation' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "RandomOperation": supported values: "Apply", "Update"', field: 'metadata.managedFields[0].operation' },
    ],
    [
      { ...valid, operation: undefined },
      { reason: 'FieldValueRequired', message: 'Required value: must not be empty', field: 'metadata.managedFields[0].operation' },
    ],
    [
      { ...valid, manager: 'field\nmanager' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "field\\nmanager": invalid character U+000A (at position 5)', field: 'metadata.managedFields[0].manager' },
    ],
    [
      { ...valid, subresource: 'TooLong'.repeat(37) },
      { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 256 bytes', field: 'metadata.managedFields[0].subresource' },
    ],
  ])('%j', (entry, cause) => {
    expect(validateManagedFields([entry])).toEqual([cause]);
  });

  test('the index of the bad entry is in the field path', () => {
    expect(validateManagedFields([valid, { ...valid, operation: 'X' }]).map((c) => c.field)).toEqual(['metadata.managedFields[1].operation']);
  });
});
