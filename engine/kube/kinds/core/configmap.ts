/**
 * core/v1 ConfigMap: configuration as string (data) and binary (binaryData) entries.
 * Upstream: pkg/registry/core/configmap (strategy.go).
 */
import { AGE, age, NAME } from '../../printers.ts';
import { f, kept, withMeta } from '../../protobuf.ts';
import { bool, stringMap, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';
import { validateConfigMapData, validateImmutableData } from './config-data.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const CONFIG_MAPS = defineKind({
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
  schema: top({ data: stringMap, binaryData: stringMap, immutable: bool }),
  protobuf: withMeta({ 2: f('data', { map: 'string' }), 3: f('binaryData', { map: 'bytes' }), 4: kept('immutable', 'bool') }),
  strategy: {
    validate: (object) => validateConfigMapData(object),
    validateUpdate: (object, old) => [...validateConfigMapData(object), ...validateImmutableData(object, old)],
  },
  printer: {
    columns: [NAME, ['Data', 'integer'], AGE],
    row: (o, now) => [o.metadata.name ?? '', Object.keys((o as Any).data ?? {}).length + Object.keys((o as Any).binaryData ?? {}).length, age(o, now)],
  },
});
