/**
 * What the rbac.authorization.k8s.io/v1 kinds share (pkg/registry/rbac/*): names are path
 * segments (`system:controller:x` is fine), their protobuf messages, and their printers.
 */
import { age, AGE, NAME, type Printer } from '../../printers.ts';
import { f, rep, type ProtobufMessage } from '../../protobuf.ts';
import type { KubeObject } from '../../types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const PolicyRule: ProtobufMessage = {
  1: rep('verbs', 'string'),
  2: rep('apiGroups', 'string'),
  3: rep('resources', 'string'),
  4: rep('resourceNames', 'string'),
  5: rep('nonResourceURLs', 'string'),
};
export const Subject: ProtobufMessage = { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') };
export const RoleRef: ProtobufMessage = { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };

/** Roles and ClusterRoles: NAME and CREATED AT. */
export const ROLE_PRINTER: Printer = {
  columns: [NAME, ['Created At', 'string']],
  row: (o: KubeObject) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''],
};

function bindingSubjects(b: Any, kind: string): string {
  const names = (b.subjects ?? []).filter((s: Any) => s.kind === kind).map((s: Any) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name));
  return names.length ? names.join(', ') : '';
}

/** RoleBindings and ClusterRoleBindings: the role, and with `-o wide` the subjects by kind. */
export const BINDING_PRINTER: Printer = {
  columns: [NAME, ['Role', 'string'], AGE, ['Users', 'string', 1], ['Groups', 'string', 1], ['ServiceAccounts', 'string', 1]],
  row: (o, now) => {
    const b = o as Any;
    return [o.metadata.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(o, now), bindingSubjects(b, 'User'), bindingSubjects(b, 'Group'), bindingSubjects(b, 'ServiceAccount')];
  },
};
