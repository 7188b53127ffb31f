/** rbac.authorization.k8s.io/v1 ClusterRole: permissions cluster-wide. Upstream: pkg/registry/rbac/clusterrole. */
import { rep, withMeta } from '../../protobuf.ts';
import { any, list, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';
import { PolicyRule, ROLE_PRINTER } from './rbac.ts';
import { rulesCauses } from './validation.ts';

export const CLUSTER_ROLES = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'clusterroles',
  kind: 'ClusterRole',
  namespaced: false,
  schema: top({ rules: list(any), aggregationRule: any }),
  protobuf: withMeta({ 2: rep('rules', PolicyRule) }),
  strategy: { nameRule: 'path-segment', validate: (o) => rulesCauses((o as { rules?: unknown }).rules, false), validateUpdate: (o) => rulesCauses((o as { rules?: unknown }).rules, false) },
  printer: ROLE_PRINTER,
});
