/**
 * policy/v1 PodDisruptionBudget: how many pods of a set voluntary disruptions (evictions, `kubectl
 * drain`) may take down at once. The disruption controller (engine/controllers/
 * disruption-controller.ts) writes its status; the pods/eviction subresource (core/pod-eviction.ts)
 * reads it and decrements status.disruptionsAllowed.
 *
 * Upstream: pkg/registry/policy/poddisruptionbudget/strategy.go (a create drops the status and
 * starts at generation 1; a spec change bumps the generation; the status subresource keeps the
 * spec), pkg/apis/policy/validation/validation.go (ValidatePodDisruptionBudgetSpec,
 * ValidatePodDisruptionBudgetStatusUpdate), pkg/printers/internalversion printPodDisruptionBudget
 * (NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE). policy/v1 has no defaults.
 */
import { invalidValue, notSupported } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { f, kept, LabelSelector, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { any, intOrString, labelSelector as selectorSchema, list, obj, str, stringMap, top, ints } from '../../schema-nodes.ts';
import type { MetaCondition, PodDisruptionBudget, StatusCause } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { conditions, intOrPercent, invalidGo, labelSelector, nonNegative } from '../validate.ts';

const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

/** What `kubectl create poddisruptionbudget` sends (policy/v1 generated.proto). */
const PodDisruptionBudgetSpec: ProtobufMessage = {
  1: f('minAvailable', 'intOrString'),
  2: f('selector', LabelSelector),
  3: f('maxUnavailable', 'intOrString'),
  4: kept('unhealthyPodEvictionPolicy', 'string'),
};

/**
 * The spec as Go's %#v prints the internal type in the "cannot be both set" error. Upstream prints
 * the pointers' addresses, which differ on every request; ours are fixed placeholders of the same
 * shape.
 */
function goSpec(spec: NonNullable<PodDisruptionBudget['spec']>): string {
  const pointer = (type: string, set: boolean, at: number) => `(*${type})(${set ? `0xc0000${(0x1a000 + at * 0x20).toString(16)}` : 'nil'})`;
  return (
    `policy.PodDisruptionBudgetSpec{MinAvailable:${pointer('intstr.IntOrString', spec.minAvailable !== undefined, 0)}, ` +
    `Selector:${pointer('v1.LabelSelector', spec.selector !== undefined, 1)}, MaxUnavailable:${pointer('intstr.IntOrString', spec.maxUnavailable !== undefined, 2)}, ` +
    `UnhealthyPodEvictionPolicy:${pointer('policy.UnhealthyPodEvictionPolicyType', spec.unhealthyPodEvictionPolicy !== undefined, 3)}}`
  );
}

/** ValidatePodDisruptionBudgetSpec. */
export function validatePdbSpec(pdb: PodDisruptionBudget): StatusCause[] {
  const spec = pdb.spec ?? {};
  const causes: StatusCause[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) causes.push(invalidGo('spec', goSpec(spec), 'minAvailable and maxUnavailable cannot be both set'));
  causes.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'));
  causes.push(...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  causes.push(...labelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !UNHEALTHY_POD_EVICTION_POLICIES.includes(policy)) causes.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, UNHEALTHY_POD_EVICTION_POLICIES));
  return causes;
}

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1): the conditions, and no negative count. */
export function validatePdbStatus(pdb: PodDisruptionBudget): StatusCause[] {
  const status = pdb.status ?? {};
  const causes = conditions(status.conditions, 'status.conditions');
  for (const field of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) causes.push(...nonNegative(status[field], `status.${field}`));
  if (status.observedGeneration !== undefined && status.observedGeneration < 0) causes.push(invalidValue('status.observedGeneration', status.observedGeneration, 'must be greater than or equal to 0'));
  return causes;
}

/** RFC 3339 in whole seconds. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** UpdateDisruptionAllowedCondition: DisruptionAllowed True (SufficientPods) or False (InsufficientPods). */
export function disruptionAllowedCondition(conditions: MetaCondition[] | undefined, allowed: number, observedGeneration: number, now: number): MetaCondition[] {
  const wanted = allowed > 0 ? { status: 'True' as const, reason: 'SufficientPods' } : { status: 'False' as const, reason: 'InsufficientPods' };
  return setCondition(conditions, { type: 'DisruptionAllowed', ...wanted, message: '', observedGeneration }, now);
}

/** meta.SetStatusCondition: the condition replaced, its transition time moved only when the status changes. */
export function setCondition(conditions: MetaCondition[] | undefined, wanted: Omit<MetaCondition, 'lastTransitionTime'>, now: number): MetaCondition[] {
  const list = [...(conditions ?? [])];
  const at = list.findIndex((c) => c.type === wanted.type);
  if (at < 0) return [...list, { ...wanted, lastTransitionTime: rfc3339(now) }];
  const old = list[at]!;
  list[at] = { ...old, ...wanted, lastTransitionTime: old.status === wanted.status ? old.lastTransitionTime : rfc3339(now) };
  return list;
}

const show = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));

export const POD_DISRUPTION_BUDGETS = defineKind<PodDisruptionBudget>({
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  kind: 'PodDisruptionBudget',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: [statusSubresource('PodDisruptionBudget')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({ minAvailable: intOrString, maxUnavailable: intOrString, selector: selectorSchema, unhealthyPodEvictionPolicy: str }),
    status: obj({ ...ints('observedGeneration', 'disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'), disruptedPods: stringMap, conditions: list(any, 'type') }),
  }),
  protobuf: withMeta({ 2: f('spec', PodDisruptionBudgetSpec) }),
  strategy: {
    // PrepareForCreate: an empty status (its counts are not omitempty in policy/v1).
    prepareForCreate: (o) => ({ ...o, status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } }),
    validate: validatePdbSpec,
    validateStatusUpdate: validatePdbStatus,
  },
  printer: {
    columns: [NAME, ['Min Available', 'string'], ['Max Unavailable', 'string'], ['Allowed Disruptions', 'integer'], AGE],
    row: (o, now) => [o.metadata.name ?? '', show(o.spec?.minAvailable), show(o.spec?.maxUnavailable), o.status?.disruptionsAllowed ?? 0, age(o, now)],
  },
});
