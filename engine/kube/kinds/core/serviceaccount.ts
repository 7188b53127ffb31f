/**
 * core/v1 ServiceAccount: the identity pods run as.
 * Upstream: pkg/registry/core/serviceaccount (strategy.go).
 */
import { age, AGE, NAME } from '../../printers.ts';
import { kept, LocalObjectReference, ObjectReference, rep, withMeta } from '../../protobuf.ts';
import { any, bool, list, obj, str, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SERVICE_ACCOUNTS = defineKind({
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  namespaced: true,
  shortNames: ['sa'],
  schema: top({ secrets: list(any), imagePullSecrets: list(obj({ name: str })), automountServiceAccountToken: bool }),
  protobuf: withMeta({ 2: rep('secrets', ObjectReference), 3: rep('imagePullSecrets', LocalObjectReference), 4: kept('automountServiceAccountToken', 'bool') }),
  printer: {
    columns: [NAME, ['Secrets', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(((o as Any).secrets ?? []).length), age(o, now)],
  },
});
