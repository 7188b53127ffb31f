/**
 * core/v1 Secret: like a ConfigMap, with data base64-encoded and a type.
 * Upstream: pkg/registry/core/secret (strategy.go), pkg/apis/core/v1/defaults.go; the type rules
 * in engine/kube/validation/secret.ts.
 */
import { immutable, invalidValue } from '../../field-errors.ts';
import { AGE, age, NAME } from '../../printers.ts';
import { f, kept, withMeta } from '../../protobuf.ts';
import { bool, str, stringMap, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause, StringMap } from '../../types.ts';
import { defineKind, fieldsAt } from '../define.ts';
import { secretTypeCauses } from '../../validation/secret.ts';
import { validateImmutableData, validateSecretData } from './config-data.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function validateBase64(object: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(object.data ?? {})) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
      causes.push(invalidValue(`data[${key}]`, '<secret contents redacted>', 'must be base64-encoded data'));
    }
  }
  return causes;
}

export const SECRETS = defineKind({
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  namespaced: true,
  fields: fieldsAt('type'),
  schema: top({ data: stringMap, stringData: stringMap, type: str, immutable: bool }),
  protobuf: withMeta({ 2: f('data', { map: 'bytes' }), 3: f('type', 'string'), 4: f('stringData', { map: 'string' }), 5: kept('immutable', 'bool') }),
  strategy: {
    defaults(input) {
      const object: Any = { ...input };
      object.type ??= 'Opaque';
      if (object.stringData && typeof object.stringData === 'object') {
        const data: Any = { ...(object.data ?? {}) };
        for (const [k, v] of Object.entries(object.stringData as StringMap)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        object.data = data;
        delete object.stringData;
      }
      return object as KubeObject;
    },
    validate: (object) => [...validateSecretData(object), ...secretTypeCauses(object), ...validateBase64(object)],
    // ValidateSecretUpdate: the type, the immutable data, then the Secret as on create.
    validateUpdate: (object, old) => [
      ...((old as Any).type !== object.type ? [immutable('type', object.type)] : []),
      ...validateImmutableData(object, old),
      ...validateSecretData(object),
      ...secretTypeCauses(object),
      ...validateBase64(object),
    ],
  },
  printer: {
    columns: [NAME, ['Type', 'string'], ['Data', 'integer'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).type ?? 'Opaque', Object.keys((o as Any).data ?? {}).length, age(o, now)],
  },
});
