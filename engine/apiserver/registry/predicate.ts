/**
 * Which objects a list, watch or deletecollection wants (upstream's storage.SelectionPredicate):
 * its label selector (parsed by the learner's objects component, lesson 00) and its field
 * selector (parsed and matched by the learner's 04-list-watch functions), over the fields the
 * kind lets a selector name (every kind: metadata.name and metadata.namespace; some more, each
 * read as its definition says, as the kind's GetAttrs does upstream).
 */
import { badRequest } from '../../kube/errors.ts';
import type { StoredKind } from '../../kube/kinds/types.ts';
import type { KubeObject } from '../../kube/types.ts';
import type { ObjectsExercises } from '../../objects/exercises.ts';
import { isNotImplemented } from '../../errors.ts';
import type { ApiserverExercises, FieldRequirement } from '../exercises.ts';

/** Computed once per object: a change fanned out to a thousand watchers reads them once. */
const memo = new WeakMap<object, Record<string, string>>();

/** The selectable fields of one object, by name (treat the result as read-only). */
export function fieldsOf(kind: StoredKind, object: KubeObject): Record<string, string> {
  const known = memo.get(object);
  if (known) return known;
  const fields: Record<string, string> = {
    'metadata.name': object.metadata?.name ?? '',
    'metadata.namespace': object.metadata?.namespace ?? '',
  };
  for (const [name, read] of Object.entries(kind.fields)) fields[name] = read(object);
  memo.set(object, fields);
  return fields;
}

/** Refuses a selector that names a field this kind cannot select on. */
export function checkSelectableFields(kind: StoredKind, requirements: FieldRequirement[]): void {
  for (const r of requirements) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !(r.field in kind.fields)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

/** The predicate of a label selector and a field selector; 400 when either is malformed. */
export function predicate(
  kind: StoredKind,
  impl: Pick<ApiserverExercises, 'parseFieldSelector' | 'matchesFields'>,
  objects: Pick<ObjectsExercises, 'parseSelector' | 'matchesSelector'>,
  selectors: Selectors,
): (object: KubeObject) => boolean {
  const labelText = selectors.labelSelector ?? '';
  let labelSelector;
  try {
    labelSelector = labelText.trim() ? objects.parseSelector(labelText) : undefined;
  } catch (error) {
    if (isNotImplemented(error)) throw error;
    throw badRequest((error as Error).message);
  }
  const fields = impl.parseFieldSelector(selectors.fieldSelector ?? '');
  checkSelectableFields(kind, fields);
  return (object) => {
    if (labelSelector && !objects.matchesSelector(labelSelector, object.metadata?.labels ?? {})) return false;
    return fields.length === 0 || impl.matchesFields(fields, fieldsOf(kind, object));
  };
}
