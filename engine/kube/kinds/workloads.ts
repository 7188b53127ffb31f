/**
 * What the workload kinds share (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob):
 * defaulting their pod template, and validating the selector, the replica counts and the template
 * as pkg/apis/apps/validation and pkg/apis/batch/validation do, with the pod spec itself checked
 * by the learner's validatePodSpec.
 */
import { invalidValue, notSupported, required } from '../field-errors.ts';
import type { KubeObject, LabelSelector, PodSpec, StatusCause, StringMap } from '../types.ts';
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

function selectorIsEmpty(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** A label selector as Go's %v prints a *metav1.LabelSelector in a field error. */
export function showSelector(selector: unknown): string {
  const s = selector as LabelSelector | undefined;
  return `v1.LabelSelector{MatchLabels:${JSON.stringify(s?.matchLabels ?? null)}, MatchExpressions:${JSON.stringify(s?.matchExpressions ?? null)}}`;
}

/** A replica count: a whole number, not negative. */
export function validateReplicas(value: unknown, field: string): StatusCause[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return [invalidValue(field, value, 'must be greater than or equal to 0')];
  return [];
}

/**
 * A workload with a selector and a pod template: the selector is required (except a Job's, which
 * is generated) and must match the template's labels; replicas is not negative; the template's
 * pod spec is valid and its restartPolicy one of `allowedRestart`.
 */
export function validateWorkload(fns: StrategyFunctions, object: Any, allowedRestart: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = object.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const kind = object.kind as string;
  const selector: LabelSelector | undefined = spec.selector;
  const autoSelector = kind === 'Job' && spec.manualSelector !== true;
  if (!autoSelector) {
    if (!selector) causes.push(required('spec.selector'));
    else if (selectorIsEmpty(selector)) causes.push(invalidValue('spec.selector', showSelector(selector), `empty selector is invalid for ${kind.toLowerCase()}`));
  }
  causes.push(...validateReplicas(spec.replicas, 'spec.replicas'));
  const template = spec.template;
  if (!template || typeof template !== 'object') {
    causes.push(required('spec.template'));
    return causes;
  }
  const labels: StringMap = template.metadata?.labels ?? {};
  if (selector && !selectorIsEmpty(selector)) {
    let matches = false;
    try {
      matches = fns.matchesSelector(selector, labels);
    } catch (error) {
      causes.push(invalidValue('spec.selector', showSelector(selector), (error as Error).message));
      matches = true;
    }
    if (!matches) causes.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (!template.spec || typeof template.spec !== 'object') causes.push(required('spec.template.spec'));
  else {
    causes.push(...fns.validatePodSpec(template.spec as PodSpec, 'spec.template.spec'));
    const restart = template.spec.restartPolicy;
    if (restart !== undefined && !allowedRestart.includes(restart)) {
      causes.push(kind === 'Job' ? required('spec.template.spec.restartPolicy', `valid values: ${allowedRestart.map((r) => JSON.stringify(r)).join(', ')}`) : notSupported('spec.template.spec.restartPolicy', restart, allowedRestart));
    }
  }
  return causes;
}

/** The selector of a Deployment, ReplicaSet, StatefulSet or DaemonSet never changes. */
export const IMMUTABLE_SELECTOR = { path: 'spec.selector', show: showSelector };
