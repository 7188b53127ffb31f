/**
 * Field selectors: which fields of an object a `fieldSelector` may name (every kind supports
 * metadata.name and metadata.namespace; some add their own, listed in resources.ts), and their
 * values as strings (a missing field reads as '', booleans as "true"/"false"), as the real
 * apiserver's per-kind GetAttrs functions give them.
 */
import { badRequest } from '../kube/errors.ts';
import type { FieldRequirement } from './exercises.ts';
import type { ResourceInfo } from '../kube/resources.ts';
import type { KubeObject } from '../kube/types.ts';

function read(object: unknown, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return '';
  return String(value);
}

/** Computed once per object: a change fanned out to a thousand watchers reads them once. */
const memo = new WeakMap<object, Record<string, string>>();

/** The selectable fields of one object, by name (treat the result as read-only). */
export function fieldsOf(info: ResourceInfo, object: KubeObject): Record<string, string> {
  const known = memo.get(object);
  if (known) return known;
  const fields: Record<string, string> = {
    'metadata.name': object.metadata?.name ?? '',
    'metadata.namespace': object.metadata?.namespace ?? '',
  };
  for (const field of info.selectableFields) {
    fields[field] = field === 'source' ? read(object, 'source.component') : read(object, field);
  }
  if (info.resource === 'pods' && fields['spec.hostNetwork'] === '') fields['spec.hostNetwork'] = 'false';
  if (info.resource === 'nodes' && fields['spec.unschedulable'] === '') fields['spec.unschedulable'] = 'false';
  memo.set(object, fields);
  return fields;
}

/** Refuses a selector that names a field this resource cannot select on. */
export function checkSelectableFields(info: ResourceInfo, requirements: FieldRequirement[]): void {
  for (const r of requirements) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !info.selectableFields.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}
