/**
 * autoscaling/v2 HorizontalPodAutoscaler: keeps a workload's replicas between min and max after
 * its metrics (the controller comes with the kubelet lesson's metrics; here the object is stored,
 * defaulted, validated and printed as upstream does). Also served at autoscaling/v1, converted
 * (horizontalpodautoscaler-v1.ts): `kubectl autoscale` writes v1; everything is stored as v2.
 *
 * Upstream: pkg/apis/autoscaling/v2/defaults.go (minReplicas 1; no metrics means 80% average CPU
 * utilization; a behavior given gets its scale-up and scale-down rules filled in),
 * pkg/apis/autoscaling/validation/validation.go (ValidateHorizontalPodAutoscaler, ...Update,
 * ...StatusUpdate), pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go (generation,
 * status subresource), pkg/printers/internalversion printHorizontalPodAutoscaler and
 * formatHPAMetrics (NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE).
 */
import { forbiddenField, invalidValue, notSupported, required } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { any, int, ints, list, obj, str, strs, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { dns1123Label, nonNegative, pathSegmentName } from '../validate.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** MaxPeriodSeconds and MaxStabilizationWindowSeconds. */
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
/** DefaultCPUUtilization. */
export const DEFAULT_CPU_UTILIZATION = 80;
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const FIELD_OF_TYPE: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

const SCALE_UP_RULES = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const SCALE_DOWN_RULES = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

/** copyHPAScalingRules over the defaults: what the client set wins. */
function fillRules(given: Any | undefined, defaults: Any): Any {
  const rules = structuredClone(defaults);
  if (!given) return rules;
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) if (given[key] !== undefined && given[key] !== null) rules[key] = given[key];
  return rules;
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2). */
export function defaultHpaV2(input: KubeObject): KubeObject {
  const o: Any = { ...input };
  if (!o.spec || typeof o.spec !== 'object' || Array.isArray(o.spec)) return o as KubeObject;
  const spec: Any = { ...o.spec };
  o.spec = spec;
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (spec.behavior && typeof spec.behavior === 'object') {
    spec.behavior = { ...spec.behavior, scaleUp: fillRules(spec.behavior.scaleUp, SCALE_UP_RULES), scaleDown: fillRules(spec.behavior.scaleDown, SCALE_DOWN_RULES) };
  }
  return o as KubeObject;
}

/** Quantity.Sign() of a quantity as written (`500m`, `-1`, `0`): -1, 0 or 1. */
function sign(quantity: unknown): number {
  const text = String(quantity).trim();
  if (text.startsWith('-')) return /[1-9]/.test(text) ? -1 : 0;
  return /^[+]?0*(\.0*)?([eE][-+]?\d+)?[a-zA-Z]*$/.test(text) ? 0 : 1;
}

/** ValidateCrossVersionObjectReference. */
function crossVersionRef(ref: Any | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const key of ['kind', 'name']) {
    const value = ref?.[key];
    if (!value) causes.push(required(`${field}.${key}`));
    else causes.push(...pathSegmentName(String(value)).map((p) => invalidValue(`${field}.${key}`, value, p)));
  }
  return causes;
}

/** validateMetricTarget. */
function metricTarget(t: Any | undefined, field: string): StatusCause[] {
  const target = t ?? {};
  const causes: StatusCause[] = [];
  if (!target.type) causes.push(required(`${field}.type`, 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(target.type)) causes.push(invalidValue(`${field}.type`, target.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  if (target.value !== undefined && target.value !== null && sign(target.value) !== 1) causes.push(invalidValue(`${field}.value`, target.value, 'must be positive'));
  if (target.averageValue !== undefined && target.averageValue !== null && sign(target.averageValue) !== 1) causes.push(invalidValue(`${field}.averageValue`, target.averageValue, 'must be positive'));
  if (typeof target.averageUtilization === 'number' && target.averageUtilization < 1) causes.push(invalidValue(`${field}.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
  return causes;
}

/** validateMetricIdentifier. */
function metricIdentifier(id: Any | undefined, field: string): StatusCause[] {
  const name = id?.name;
  if (!name) return [required(`${field}.name`, 'must specify a metric name')];
  return pathSegmentName(String(name)).map((p) => invalidValue(`${field}.name`, name, p));
}

const has = (v: unknown): boolean => v !== undefined && v !== null;

/** The source of one metric type (validateObjectSource, validatePodsSource, ...). */
function metricSource(type: string, src: Any, field: string): StatusCause[] {
  const target = src.target ?? {};
  const causes: StatusCause[] = [];
  switch (type) {
    case 'object':
      causes.push(...crossVersionRef(src.describedObject, `${field}.describedObject`), ...metricIdentifier(src.metric, `${field}.metric`), ...metricTarget(src.target, `${field}.target`));
      if (!has(target.value) && !has(target.averageValue)) causes.push(required(`${field}.target.averageValue`, 'must set either a target value or averageValue'));
      break;
    case 'external':
      causes.push(...metricIdentifier(src.metric, `${field}.metric`), ...metricTarget(src.target, `${field}.target`));
      if (!has(target.value) && !has(target.averageValue)) causes.push(required(`${field}.target.averageValue`, 'must set either a target value for metric or a per-pod target'));
      if (has(target.value) && has(target.averageValue)) causes.push(forbiddenField(`${field}.target.value`, 'may not set both a target value for metric and a per-pod target'));
      break;
    case 'pods':
      causes.push(...metricIdentifier(src.metric, `${field}.metric`), ...metricTarget(src.target, `${field}.target`));
      if (!has(target.averageValue)) causes.push(required(`${field}.target.averageValue`, 'must specify a positive target averageValue'));
      break;
    case 'containerResource':
    case 'resource':
      if (!src.name) causes.push(required(`${field}.name`, 'must specify a resource name'));
      if (type === 'containerResource') {
        if (!src.container) causes.push(required(`${field}.container`, 'must specify a container'));
        else causes.push(...dns1123Label(String(src.container)).map((p) => invalidValue(`${field}.container`, src.container, p)));
      }
      causes.push(...metricTarget(src.target, `${field}.target`));
      if (!has(target.averageUtilization) && !has(target.averageValue)) causes.push(required(`${field}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
      if (has(target.averageUtilization) && has(target.averageValue)) causes.push(forbiddenField(`${field}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
      break;
  }
  return causes;
}

/** validateMetricSpec. */
function metricSpec(spec: Any, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec.type) causes.push(required(`${field}.type`, 'must specify a metric source type'));
  if (!METRIC_SOURCE_TYPES.includes(spec.type)) causes.push(notSupported(`${field}.type`, spec.type ?? '', METRIC_SOURCE_TYPES));
  const present: string[] = [];
  for (const key of ['object', 'external', 'pods', 'resource', 'containerResource']) {
    if (!has(spec[key])) continue;
    present.push(key);
    if (present.length === 1) causes.push(...metricSource(key, spec[key], `${field}.${key}`));
  }
  const expected = FIELD_OF_TYPE[spec.type];
  if (expected) {
    if (!has(spec[expected])) causes.push(required(`${field}.${expected}`, 'must populate information for the given metric source'));
  } else {
    causes.push(notSupported(`${field}.type`, spec.type ?? '', METRIC_SOURCE_TYPES));
  }
  if (present.length !== 1) for (const key of present.filter((k) => k !== expected)) causes.push(forbiddenField(`${field}.${key}`, 'must populate the given metric source only'));
  return causes;
}

/** validateScalingRules. */
function scalingRules(rules: Any | undefined, field: string): StatusCause[] {
  if (!rules) return [];
  const causes: StatusCause[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (typeof window === 'number' && window < 0) causes.push(invalidValue(`${field}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'));
  if (typeof window === 'number' && window > MAX_STABILIZATION_WINDOW_SECONDS)
    causes.push(invalidValue(`${field}.stabilizationWindowSeconds`, window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (has(rules.selectPolicy) && !SELECT_POLICIES.includes(rules.selectPolicy)) causes.push(notSupported(`${field}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES));
  const policies: Any[] = rules.policies ?? [];
  if (policies.length === 0) causes.push(required(`${field}.policies`, 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const at = `${field}.policies[${i}]`;
    if (!POLICY_TYPES.includes(p.type)) causes.push(notSupported(`${at}.type`, p.type ?? '', POLICY_TYPES));
    if (!(p.value > 0)) causes.push(invalidValue(`${at}.value`, p.value ?? 0, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) causes.push(invalidValue(`${at}.periodSeconds`, p.periodSeconds ?? 0, 'must be greater than zero'));
    if (p.periodSeconds > MAX_PERIOD_SECONDS) causes.push(invalidValue(`${at}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return causes;
}

/** validateHorizontalPodAutoscalerSpec; `minReplicasLowerBound` 1 (HPAScaleToZero is off in 1.32) unless the stored object had 0. */
export function validateHpaV2(hpa: Any, minReplicasLowerBound = 1): StatusCause[] {
  const spec = hpa.spec ?? {};
  const causes: StatusCause[] = [];
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < minReplicasLowerBound)
    causes.push(invalidValue('spec.minReplicas', spec.minReplicas, `must be greater than or equal to ${minReplicasLowerBound}`));
  const max = spec.maxReplicas ?? 0;
  if (max < 1) causes.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof spec.minReplicas === 'number' && max < spec.minReplicas) causes.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  causes.push(...crossVersionRef(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  const metrics: Any[] = spec.metrics ?? [];
  metrics.forEach((m, i) => causes.push(...metricSpec(m ?? {}, `spec.metrics[${i}]`)));
  if (spec.minReplicas === 0 && !metrics.some((m) => m?.type === 'Object' || m?.type === 'External')) {
    causes.push(forbiddenField('spec.metrics', 'must specify at least one Object or External metric to support scaling to zero replicas'));
  }
  if (spec.behavior) causes.push(...scalingRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'), ...scalingRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  return causes;
}

/** ValidateHorizontalPodAutoscalerStatusUpdate. */
export function validateHpaStatus(hpa: Any): StatusCause[] {
  return [...nonNegative(hpa.status?.currentReplicas, 'status.currentReplicas'), ...nonNegative(hpa.status?.desiredReplicas, 'status.desiredReplicas')];
}

/** One metric of formatHPAMetrics: `<current>/<target>`, `cpu: 12%/80%`. */
function formatMetric(spec: Any, status: Any | undefined): string {
  const unknown = '<unknown>';
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = spec[key]?.target ?? {};
      const current = status?.[key]?.current;
      if (has(target.averageValue)) return `${current && has(current.averageValue) ? current.averageValue : unknown}/${target.averageValue} (avg)`;
      return `${status?.[key] ? (current?.value ?? '0') : unknown}/${target.value ?? '0'}`;
    }
    case 'Pods':
      return `${status?.pods ? (status.pods.current?.averageValue ?? '0') : unknown}/${spec.pods?.target?.averageValue ?? '0'}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const src = spec[key] ?? {};
      const target = src.target ?? {};
      const current = status?.[key];
      if (has(target.averageValue)) return `${src.name}: ${current ? (current.current?.averageValue ?? '0') : unknown}/${target.averageValue}`;
      const now = current && has(current.current?.averageUtilization) ? `${current.current.averageUtilization}%` : unknown;
      return `${src.name}: ${now}/${has(target.averageUtilization) ? `${target.averageUtilization}%` : '<auto>'}`;
    }
  }
  return '<unknown type>';
}

/** formatHPAMetrics: the first two, then `+ N more...`; `<none>` without metrics. */
export function formatHpaMetrics(specs: Any[] | undefined, statuses: Any[] | undefined): string {
  if (!specs?.length) return '<none>';
  const all = specs.map((s, i) => formatMetric(s ?? {}, statuses?.[i]));
  return all.length > 2 ? `${all.slice(0, 2).join(', ')} + ${all.length - 2} more...` : all.join(', ');
}

const rulesSchema = obj({ stabilizationWindowSeconds: int, selectPolicy: str, policies: list(obj({ type: str, value: int, periodSeconds: int })) });
const metricSchema = obj({ type: str, resource: any, pods: any, object: any, external: any, containerResource: any });

export const HPA_PRINTER = {
  columns: [NAME, ['Reference', 'string'], ['Targets', 'string'], ['MinPods', 'string'], ['MaxPods', 'string'], ['Replicas', 'string'], AGE] as [string, 'string'][],
  row: (o: KubeObject, now: number) => {
    const h = o as Any;
    const ref = h.spec?.scaleTargetRef ?? {};
    return [
      o.metadata.name ?? '',
      `${ref.kind ?? ''}/${ref.name ?? ''}`,
      formatHpaMetrics(h.spec?.metrics, h.status?.currentMetrics),
      h.spec?.minReplicas !== undefined ? String(h.spec.minReplicas) : '<unset>',
      h.spec?.maxReplicas ?? 0,
      h.status?.currentReplicas ?? 0,
      age(o, now),
    ];
  },
};

export const HORIZONTAL_POD_AUTOSCALERS = defineKind({
  group: 'autoscaling',
  version: 'v2',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: [statusSubresource('HorizontalPodAutoscaler')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({
      scaleTargetRef: obj(strs('kind', 'name', 'apiVersion')),
      ...ints('minReplicas', 'maxReplicas'),
      metrics: list(metricSchema),
      behavior: obj({ scaleUp: rulesSchema, scaleDown: rulesSchema }),
    }),
    status: obj({ ...ints('observedGeneration', 'currentReplicas', 'desiredReplicas'), lastScaleTime: str, currentMetrics: list(any), conditions: list(any, 'type') }),
  }),
  strategy: {
    // PrepareForCreate: an empty status, which v2 writes as {currentMetrics: null, desiredReplicas: 0}.
    prepareForCreate: (o) => ({ ...o, status: { currentMetrics: null, desiredReplicas: 0 } }),
    defaults: (o) => defaultHpaV2(o),
    validate: (o) => validateHpaV2(o),
    validateUpdate: (o, old) => validateHpaV2(o, (old as Any).spec?.minReplicas === 0 ? 0 : 1),
    validateStatusUpdate: (o) => validateHpaStatus(o),
  },
  printer: HPA_PRINTER,
});
