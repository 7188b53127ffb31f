/** rbac.authorization.k8s.io/v1 Role: permissions within one namespace. Upstream: pkg/registry/rbac/role. */
import { rep, withMeta } from '../../protobuf.ts';
import { any, list, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';
import { PolicyRule, ROLE_PRINTER } from './rbac.ts';
import { rulesCauses } from './validation.ts';

export const ROLES = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'roles',
  kind: 'Role',
  namespaced: true,
  schema: top({ rules: list(any) }),
  protobuf: withMeta({ 2: rep('rules', PolicyRule) }),
  strategy: { nameRule: 'path-segment', validate: (o) => rulesCauses((o as { rules?: unknown }).rules, true), validateUpdate: (o) => rulesCauses((o as { rules?: unknown }).rules, true) },
  printer: ROLE_PRINTER,
});
