/** rbac.authorization.k8s.io/v1 RoleBinding: grants a role to subjects in one namespace. Upstream: pkg/registry/rbac/rolebinding. */
import { f, rep, withMeta } from '../../protobuf.ts';
import { any, list, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';
import { BINDING_PRINTER, RoleRef, Subject } from './rbac.ts';
import { bindingCauses, defaultSubjects } from './validation.ts';

export const ROLE_BINDINGS = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'rolebindings',
  kind: 'RoleBinding',
  namespaced: true,
  schema: top({ subjects: list(any), roleRef: any }),
  protobuf: withMeta({ 2: rep('subjects', Subject), 3: f('roleRef', RoleRef) }),
  strategy: {
    nameRule: 'path-segment',
    defaults: (o) => defaultSubjects(o),
    validate: (o) => bindingCauses(o, true),
    validateUpdate: (o, old) => bindingCauses(o, true, old),
  },
  printer: BINDING_PRINTER,
});
