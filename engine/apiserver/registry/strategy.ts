/**
 * Running a kind's strategy (engine/kube/kinds/types.ts Strategy) the way upstream's
 * rest.BeforeCreate and rest.BeforeUpdate do: what a create starts from, the defaults,
 * PrepareForCreate, Canonicalize, and the field errors, with object metadata checked for every kind by the learner's validateObjectMeta
 * and pod specs by their validatePodSpec (03-validation), both through the loaded component.
 *
 * Pure: every function returns new objects or causes, and never touches storage.
 */
import { canonical } from '../../kube/canonical.ts';
import { invalidShown, invalidValue } from '../../kube/field-errors.ts';
import type { ImmutableField, StoredKind, StrategyFunctions } from '../../kube/kinds/types.ts';
import type { KubeObject, StatusCause } from '../../kube/types.ts';
import { checkDecodableValues } from '../../kube/validation/decode.ts';
import { metadataCauses } from '../../kube/validation/metadata.ts';
import { podSpecCauses } from '../../kube/validation/pod-spec.ts';
import type { ObjectsExercises } from '../../objects/exercises.ts';
import type { ApiserverExercises } from '../exercises.ts';
import { validateManagedFields } from '../fieldmanager/index.ts';
import { keyedListCauses } from './keyed-lists.ts';

/** `a` followed by the causes of `b` that `a` does not already hold (same field and message). */
function mergeCauses(a: StatusCause[], b: StatusCause[]): StatusCause[] {
  const seen = new Set(a.map((c) => `${c.field} ${c.message}`));
  return [...a, ...b.filter((c) => !seen.has(`${c.field} ${c.message}`))];
}

/**
 * The learner's code as kinds call it. A pod spec is checked by the learner's validatePodSpec
 * (03-validation) first, then by the engine for the rest of upstream's ValidatePodSpec
 * (engine/kube/validation/pod-spec.ts: resources with the learner's quantities from lesson 00,
 * probes, env, volumes...).
 */
export function strategyFunctions(
  impl: Pick<ApiserverExercises, 'defaultPodSpec' | 'validatePodSpec'>,
  objects: Pick<ObjectsExercises, 'matchesSelector' | 'parseQuantity' | 'compareQuantities' | 'addQuantities' | 'formatQuantity'>,
): StrategyFunctions {
  const quantities = {
    parse: (text: string) => objects.parseQuantity(text),
    compare: (a: Parameters<ObjectsExercises['compareQuantities']>[0], b: Parameters<ObjectsExercises['compareQuantities']>[1]) => objects.compareQuantities(a, b),
    add: (a: Parameters<ObjectsExercises['addQuantities']>[0], b: Parameters<ObjectsExercises['addQuantities']>[1]) => objects.addQuantities(a, b),
    format: (q: Parameters<ObjectsExercises['formatQuantity']>[0]) => objects.formatQuantity(q),
  };
  return {
    defaultPodSpec: (spec) => impl.defaultPodSpec(spec),
    validatePodSpec: (spec, path) => mergeCauses(impl.validatePodSpec(spec, path), podSpecCauses(spec, path, quantities)),
    matchesSelector: (selector, labels) => objects.matchesSelector(selector, labels),
    quantities,
  };
}

/** What a create starts from: without the client's status when the kind resets it (the status defaults then fill it in). */
export function dropClientStatus(kind: StoredKind, object: KubeObject): KubeObject {
  if (!kind.resetStatusOnCreate || object.status === undefined) return object;
  const next = { ...object };
  delete next.status;
  return next;
}

/** PrepareForCreate: the kind's own changes once the object has its identity. */
export function prepareForCreate(kind: StoredKind, object: KubeObject): KubeObject {
  return kind.strategy.prepareForCreate ? kind.strategy.prepareForCreate(object) : object;
}

/** Canonicalize: the kind's last change before storage. */
export function canonicalize(kind: StoredKind, object: KubeObject): KubeObject {
  return kind.strategy.canonicalize ? kind.strategy.canonicalize(object) : object;
}

/**
 * Kubernetes' defaults for an object of this kind (a new object). First what upstream's decoder
 * refuses inside string values (a quantity `abc`, base64 that is not): 400, before any default.
 */
export function defaultObject(kind: StoredKind, fns: StrategyFunctions, object: KubeObject): KubeObject {
  checkDecodableValues(object);
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
    if (canonical(value) === canonical(at(old, field.path))) continue;
    causes.push(field.show ? invalidShown(field.path, field.show(value), 'field is immutable') : invalidValue(field.path, value, 'field is immutable'));
  }
  return causes;
}

/**
 * Every problem with an object about to be stored: its metadata, then the kind's own checks
 * (create: `old` undefined; update: the stored object, and the immutable fields).
 */
export function validateObject(kind: StoredKind, impl: Pick<ApiserverExercises, 'validateObjectMeta'>, fns: StrategyFunctions, object: KubeObject, old?: KubeObject): StatusCause[] {
  const strategy = kind.strategy;
  const nameRule = strategy.nameRule ?? 'dns1123-subdomain';
  const learner = impl.validateObjectMeta(object.metadata ?? {}, { namespaced: kind.namespaced, nameRule });
  // Upstream's ValidateObjectMeta around the learner's (engine/kube/validation/metadata.ts).
  const causes = metadataCauses(object.metadata, nameRule, learner, !old);
  // ValidateObjectMetaAccessor checks managedFields too (ValidateManagedFields).
  if (object.metadata?.managedFields !== undefined) causes.push(...validateManagedFields(object.metadata.managedFields));
  if (!old) {
    causes.push(...(strategy.validate?.(object, fns) ?? []));
  } else {
    const validateUpdate = strategy.validateUpdate ?? ((o: KubeObject) => strategy.validate?.(o, fns) ?? []);
    causes.push(...validateUpdate(object, old, fns));
    causes.push(...immutableCauses(strategy.immutableFields ?? [], object, old));
  }
  // Keys of keyed lists (keyed-lists.ts), unless a check above already named the field.
  const named = new Set(causes.map((c) => c.field));
  for (const cause of keyedListCauses(object)) if (!named.has(cause.field)) causes.push(cause);
  return causes;
}
