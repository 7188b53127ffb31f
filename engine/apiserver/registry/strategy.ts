/**
 * Running a kind's strategy (engine/kube/kinds/types.ts Strategy) the way upstream's
 * rest.BeforeCreate and rest.BeforeUpdate do: what a create starts from, the defaults, and the
 * field errors, with object metadata checked for every kind by the learner's validateObjectMeta
 * and pod specs by their validatePodSpec (03-validation), both through the loaded component.
 *
 * Pure: every function returns new objects or causes, and never touches storage.
 */
import { canonical } from '../../kube/canonical.ts';
import { invalidValue } from '../../kube/field-errors.ts';
import type { ImmutableField, StoredKind, StrategyFunctions } from '../../kube/kinds/types.ts';
import type { KubeObject, StatusCause } from '../../kube/types.ts';
import type { ObjectsExercises } from '../../objects/exercises.ts';
import type { ApiserverExercises } from '../exercises.ts';

/** The learner's code as kinds call it. */
export function strategyFunctions(impl: Pick<ApiserverExercises, 'defaultPodSpec' | 'validatePodSpec'>, objects: Pick<ObjectsExercises, 'matchesSelector'>): StrategyFunctions {
  return {
    defaultPodSpec: (spec) => impl.defaultPodSpec(spec),
    validatePodSpec: (spec, path) => impl.validatePodSpec(spec, path),
    matchesSelector: (selector, labels) => objects.matchesSelector(selector, labels),
  };
}

/** PrepareForCreate: the kind's own, or the client's status dropped when the kind resets it. */
export function prepareForCreate(kind: StoredKind, object: KubeObject): KubeObject {
  if (kind.strategy.prepareForCreate) return kind.strategy.prepareForCreate(object);
  if (!kind.resetStatusOnCreate) return object;
  const next = { ...object };
  delete next.status;
  return next;
}

/** Kubernetes' defaults for an object of this kind (a new object). */
export function defaultObject(kind: StoredKind, fns: StrategyFunctions, object: KubeObject): KubeObject {
  return kind.strategy.defaults ? kind.strategy.defaults({ ...object }, fns) : object;
}

function at(object: unknown, path: string): unknown {
  let value = object;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function immutableCauses(fields: ImmutableField[], object: KubeObject, old: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of fields) {
    const value = at(object, field.path);
    if (canonical(value) !== canonical(at(old, field.path))) causes.push(invalidValue(field.path, field.show ? field.show(value) : value, 'field is immutable'));
  }
  return causes;
}

/**
 * Every problem with an object about to be stored: its metadata, then the kind's own checks
 * (create: `old` undefined; update: the stored object, and the immutable fields).
 */
export function validateObject(
  kind: StoredKind,
  impl: Pick<ApiserverExercises, 'validateObjectMeta'>,
  fns: StrategyFunctions,
  object: KubeObject,
  old?: KubeObject,
): StatusCause[] {
  const strategy = kind.strategy;
  const causes = impl.validateObjectMeta(object.metadata ?? {}, { namespaced: kind.namespaced, nameRule: strategy.nameRule ?? 'dns1123-subdomain' });
  if (!old) {
    causes.push(...(strategy.validate?.(object, fns) ?? []));
    return causes;
  }
  const validateUpdate = strategy.validateUpdate ?? ((o: KubeObject) => strategy.validate?.(o, fns) ?? []);
  causes.push(...validateUpdate(object, old, fns));
  causes.push(...immutableCauses(strategy.immutableFields ?? [], object, old));
  return causes;
}
