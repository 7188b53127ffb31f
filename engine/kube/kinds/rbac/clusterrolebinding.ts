/** rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a cluster role cluster-wide. Upstream: pkg/registry/rbac/clusterrolebinding. */
import { f, rep, withMeta } from '../../protobuf.ts';
import { any, list, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';
import { BINDING_PRINTER, RoleRef, Subject } from './rbac.ts';
import { bindingCauses, defaultSubjects } from './validation.ts';

export const CLUSTER_ROLE_BINDINGS = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'clusterrolebindings',
  kind: 'ClusterRoleBinding',
  namespaced: false,
  schema: top({ subjects: list(any), roleRef: any }),
  protobuf: withMeta({ 2: rep('subjects', Subject), 3: f('roleRef', RoleRef) }),
  strategy: {
    nameRule: 'path-segment',
    defaults: (o) => defaultSubjects(o),
    validate: (o) => bindingCauses(o, false),
    validateUpdate: (o, old) => bindingCauses(o, false, old),
  },
  printer: BINDING_PRINTER,
});
