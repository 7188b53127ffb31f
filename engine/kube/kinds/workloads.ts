/**
 * What the workload kinds share (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob):
 * defaulting their pod template, and the pieces of pkg/apis/apps/validation and
 * pkg/apis/batch/validation they have in common: the selector (required, valid, not empty, the
 * template's labels matching it) and ValidatePodTemplateSpec (the template's labels and
 * annotations, then its pod spec through the learner's validatePodSpec and the engine's rest).
 * Each kind file adds its own rules (strategy, replicas, restartPolicy...).
 */
import { forbiddenField, invalidShown, invalidValue, notSupported, required } from '../field-errors.ts';
import type { KubeObject, LabelSelector, PodSpec, StatusCause, StringMap } from '../types.ts';
import { goLabelSelector, goStringMap } from '../validation/go-values.ts';
import { annotationsSizeCauses } from '../validation/metadata.ts';
import { deletionCostCauses } from '../validation/pod-deletion-cost.ts';
import { qualifiedNameProblems } from '../validation/formats.ts';
import { labelsCauses, labelSelectorCauses, selectorConvertible, selectorEmpty } from '../validation/selectors.ts';
import type { StrategyFunctions } from './types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A pod template with the pod spec defaults filled in (a new object). */
export function defaultTemplate<T>(fns: StrategyFunctions, template: T): T {
  if (!template || typeof template !== 'object') return template;
  const spec = (template as Any).spec;
  return { ...template, spec: spec && typeof spec === 'object' ? fns.defaultPodSpec(spec as PodSpec) : spec };
}

/** A copy of the object with a copy of its spec to default, or undefined when it has no object spec. */
export function withSpecCopy(input: KubeObject): { object: Any; spec: Any | undefined } {
  const object: Any = { ...input };
  const spec: Any | undefined = object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? { ...object.spec } : undefined;
  if (spec) object.spec = spec;
  return { object, spec };
}

/** A label selector as Go's %v prints a *metav1.LabelSelector in a field error. */
export function showSelector(selector: unknown): string {
  return goLabelSelector(selector);
}

/** ValidateNonnegativeField on an optional integer. */
export function nonNegative(value: unknown, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'number' && value < 0 ? [invalidValue(field, value, 'must be greater than or equal to 0')] : [];
}

/** A replica count (kept for the kinds that call it by this name). */
export const validateReplicas = nonNegative;

/** ValidateAnnotations: keys (lowercased) are qualified names, and all of them fit in 256 KiB. */
export function annotationsCauses(annotations: unknown, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const map = annotations && typeof annotations === 'object' && !Array.isArray(annotations) ? (annotations as Record<string, unknown>) : {};
  for (const key of Object.keys(map)) causes.push(...qualifiedNameProblems(key.toLowerCase()).map((m) => invalidValue(at, key, m)));
  causes.push(...annotationsSizeCauses({ annotations: map }).map((c) => ({ ...c, field: at })));
  return causes;
}

/**
 * ValidatePodTemplateSpec at `at` (`spec.template`): labels and annotations (at `spec.template.labels`
 * and `spec.template.annotations`, upstream's paths), the pod-deletion-cost annotation
 * (ValidatePodSpecificAnnotations), then the pod spec at `spec.template.spec`. Simplified: upstream
 * lets an update keep a template's cost that was already invalid; here every write checks it.
 * With `podSpec: false` (StatefulSet) the pod spec is left to the pods made from it, as upstream
 * leaves it.
 */
export function templateCauses(fns: StrategyFunctions, template: Any, at: string, podSpec = true): StatusCause[] {
  const meta: Any = template.metadata && typeof template.metadata === 'object' ? template.metadata : {};
  const causes = [...labelsCauses(meta.labels, `${at}.labels`), ...annotationsCauses(meta.annotations, `${at}.annotations`), ...deletionCostCauses(meta.annotations, `${at}.annotations`)];
  if (podSpec) {
    const spec = template.spec && typeof template.spec === 'object' && !Array.isArray(template.spec) ? template.spec : { containers: [] };
    causes.push(...fns.validatePodSpec(spec as PodSpec, `${at}.spec`));
  }
  return causes;
}

export interface SelectorRules {
  /** The name in `empty selector is invalid for <noun>`. */
  noun: string;
  /** What the selector field says when LabelSelectorAsSelector fails (`invalid label selector`; '' for StatefulSet). */
  conversionDetail: string;
}

/** True when the template's labels satisfy the selector (the learner's matchesSelector; a refusal counts as a mismatch). */
function matches(fns: StrategyFunctions, selector: LabelSelector, labels: StringMap): boolean {
  try {
    return fns.matchesSelector(selector, labels);
  } catch {
    return false;
  }
}

/**
 * The selector of a Deployment, ReplicaSet or StatefulSet and the template it must select:
 * required, valid, not empty; when it converts, the template's labels must match it and
 * `validateTemplate` runs; when it does not, upstream never looks at the template.
 */
export function selectorAndTemplateCauses(fns: StrategyFunctions, spec: Any, rules: SelectorRules, validateTemplate: () => StatusCause[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const selector = spec.selector;
  if (selector === undefined || selector === null) causes.push(required('spec.selector'));
  else {
    causes.push(...labelSelectorCauses(selector, 'spec.selector'));
    if (selectorEmpty(selector)) causes.push(invalidShown('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${rules.noun}`));
  }
  if (!selectorConvertible(selector)) {
    causes.push(invalidShown('spec.selector', goLabelSelector(selector), rules.conversionDetail));
    return causes;
  }
  const template: Any = spec.template && typeof spec.template === 'object' ? spec.template : {};
  const labels = template.metadata?.labels;
  if (selector && !selectorEmpty(selector) && !matches(fns, selector, labels ?? {})) {
    causes.push(invalidShown('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  causes.push(...validateTemplate());
  return causes;
}

/** A template's restartPolicy must be Always, and activeDeadlineSeconds unset (`in <Kind> is not Supported`). */
export function alwaysRestartCauses(template: Any, owner: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec: Any = template?.spec && typeof template.spec === 'object' ? template.spec : {};
  const restart = spec.restartPolicy ?? '';
  if (restart !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    causes.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return causes;
}

/** The selector of a Deployment, ReplicaSet, StatefulSet or DaemonSet never changes (its value shown as Go's *metav1.LabelSelector). */
export const IMMUTABLE_SELECTOR = { path: 'spec.selector', show: showSelector };
