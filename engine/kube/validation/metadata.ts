/**
 * What upstream's ValidateObjectMeta (apimachinery pkg/api/validation/objectmeta.go, and the core
 * wrapper in pkg/apis/core/validation that adds validateKubeFinalizerName) checks beyond the
 * learner's validateObjectMeta from exercise 03-validation, which covers the name, the namespace,
 * label keys and values and annotation keys:
 *
 * - before it: `metadata.generateName` against the kind's name rule as a prefix (a trailing '-'
 *   allowed), on create only. The name generated from it is the learner's to check, once the
 *   registry has generated it before validation, as upstream's Store.Create does;
 * - after it: the annotations' total size (`metadata.annotations: Too long: may not be more than
 *   262144 bytes`), owner references, and finalizers.
 *
 * Pure; metadata of any JSON shape is read defensively.
 */
import { invalidShown, invalidValue, tooLong } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import type { NameRule } from '../../apiserver/exercises.ts';
import { nameProblems, qualifiedNameProblems } from './formats.ts';
import { goQuote } from './go-values.ts';

/** TotalAnnotationSizeLimitB (upstream's fixed limit, not a tunable): 256 KiB of keys and values together. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

type Any = Record<string, unknown>;

function obj(value: unknown): Any {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Any) : {};
}

/**
 * The core validateFinalizerName, all at `at`: the qualified-name problems
 * (apimachinery ValidateFinalizerName), then, for a name without a '/' that is not a standard
 * finalizer, `name is neither a standard finalizer name nor is it fully qualified`
 * (validateKubeFinalizerName). A Namespace's spec.finalizers are checked with it.
 */
export function finalizerNameCauses(name: string, at: string): StatusCause[] {
  const causes = qualifiedNameProblems(name).map((p) => invalidValue(at, name, p));
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) causes.push(invalidValue(at, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  return causes;
}

/** ValidateObjectMetaAccessor's generateName check (nameFn(generateName, true)). */
export function generateNameCauses(meta: unknown, rule: NameRule): StatusCause[] {
  const generateName = obj(meta).generateName;
  if (typeof generateName !== 'string' || generateName === '') return [];
  return nameProblems(rule, generateName, true).map((p) => invalidValue('metadata.generateName', generateName, p));
}

/** ValidateAnnotationsSize. */
export function annotationsSizeCauses(meta: unknown): StatusCause[] {
  let size = 0;
  for (const [key, value] of Object.entries(obj(obj(meta).annotations))) {
    size += Buffer.byteLength(key) + Buffer.byteLength(typeof value === 'string' ? value : String(value));
  }
  return size > ANNOTATIONS_MAX_BYTES ? [tooLong('metadata.annotations', ANNOTATIONS_MAX_BYTES)] : [];
}

/** ValidateOwnerReferences. */
export function ownerReferencesCauses(meta: unknown): StatusCause[] {
  const refs = obj(meta).ownerReferences;
  if (!Array.isArray(refs)) return [];
  const causes: StatusCause[] = [];
  const at = 'metadata.ownerReferences';
  let controller = '';
  for (const raw of refs) {
    const ref = obj(raw);
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    if (!version) causes.push(invalidValue(`${at}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!kind) causes.push(invalidValue(`${at}.kind`, kind, 'kind must not be empty'));
    if (!ref.name) causes.push(invalidValue(`${at}.name`, typeof ref.name === 'string' ? ref.name : '', 'name must not be empty'));
    if (!ref.uid) causes.push(invalidValue(`${at}.uid`, typeof ref.uid === 'string' ? ref.uid : '', 'uid must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') {
      causes.push(
        invalidShown(
          at,
          `v1.OwnerReference{APIVersion:${goQuote(apiVersion)}, Kind:${goQuote(kind)}, Name:${goQuote(String(ref.name ?? ''))}, ...}`,
          '/v1, Kind=Event is disallowed from being an owner',
        ),
      );
    }
    if (ref.controller === true) {
      const current = `${kind}/${String(ref.name ?? '')}`;
      if (controller) {
        causes.push(invalidShown(at, '[]v1.OwnerReference{...}', `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`));
      } else controller = current;
    }
  }
  return causes;
}

/**
 * ValidateFinalizers (each a qualified name, at `metadata.finalizers`; not both orphan and
 * foregroundDeletion), then the core wrapper's validateKubeFinalizerName for each at its index:
 * the qualified-name problems again, or, for a valid name without a domain that is not a
 * standard finalizer, `name is neither a standard finalizer name nor is it fully qualified`.
 */
export function finalizersCauses(meta: unknown): StatusCause[] {
  const finalizers = obj(meta).finalizers;
  if (!Array.isArray(finalizers)) return [];
  const causes: StatusCause[] = [];
  const names = finalizers.map((f) => (typeof f === 'string' ? f : String(f)));
  for (const name of names) causes.push(...qualifiedNameProblems(name).map((p) => invalidValue('metadata.finalizers', name, p)));
  if (names.includes('orphan') && names.includes('foregroundDeletion')) {
    causes.push(invalidShown('metadata.finalizers', `[]string{${names.map(goQuote).join(', ')}}`, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  names.forEach((name, i) => {
    const at = `metadata.finalizers[${i}]`;
    const problems = qualifiedNameProblems(name);
    if (problems.length) causes.push(...problems.map((p) => invalidValue(at, name, p)));
    else if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) causes.push(invalidValue(at, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return causes;
}

/**
 * Every metadata problem upstream finds, around the learner's: generateName (create only), then
 * the learner's causes, then annotation size, owner references and finalizers. A cause the
 * learner already gave (same field and message) is not repeated.
 */
export function metadataCauses(meta: unknown, rule: NameRule, learner: StatusCause[], create: boolean): StatusCause[] {
  const causes = [...(create ? generateNameCauses(meta, rule) : []), ...learner];
  const seen = new Set(causes.map((c) => `${c.field} ${c.message}`));
  for (const cause of [...annotationsSizeCauses(meta), ...ownerReferencesCauses(meta), ...finalizersCauses(meta)]) {
    const key = `${cause.field} ${cause.message}`;
    if (!seen.has(key)) causes.push(cause);
    seen.add(key);
  }
  return causes;
}
