/**
 * autoscaling/v1 HorizontalPodAutoscaler: the same objects as autoscaling/v2
 * (horizontalpodautoscaler.ts), seen through v1's smaller shape, as `kubectl autoscale` (1.32)
 * writes them. Stored as v2 (`storedAs`): every read converts v2 → v1 and every write v1 → v2.
 *
 * Conversion after upstream's pkg/apis/autoscaling/v1/conversion.go: v1's
 * targetCPUUtilizationPercentage is v2's Resource cpu Utilization metric (and
 * currentCPUUtilizationPercentage its current value); what v1 cannot hold travels in annotations
 * so that a v1 read-modify-write keeps it: `autoscaling.alpha.kubernetes.io/metrics` (the other
 * metrics, in v1's legacy MetricSpec shape), `.../current-metrics` (every current metric),
 * `.../conditions` and `.../behavior`. Writing v1 drops those annotations from the stored object.
 * Validation is v2's, on the converted object, so its field paths are v2's, as upstream's (which
 * validates the internal type) are.
 */
import { f, kept, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { ints, obj, str, strs, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { defaultHpaV2, HORIZONTAL_POD_AUTOSCALERS, HPA_PRINTER, validateHpaStatus, validateHpaV2 } from './horizontalpodautoscaler.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR];

/** What `kubectl autoscale` sends (autoscaling/v1 generated.proto). */
const HorizontalPodAutoscalerSpec: ProtobufMessage = {
  1: f('scaleTargetRef', { 1: f('kind', 'string'), 2: f('name', 'string'), 3: f('apiVersion', 'string') }),
  2: kept('minReplicas', 'int32'),
  3: f('maxReplicas', 'int32'),
  4: kept('targetCPUUtilizationPercentage', 'int32'),
};

const isCpuUtilization = (m: Any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.averageUtilization !== undefined;
const defined = (o: Any): Any => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A v2 MetricSpec in v1's legacy shape (Convert_autoscaling_MetricSpec_To_v1_MetricSpec). */
function metricToV1(m: Any): Any {
  const t = (src: Any) => src?.target ?? {};
  switch (m.type) {
    case 'Resource':
      return { type: m.type, resource: defined({ name: m.resource?.name, targetAverageUtilization: t(m.resource).averageUtilization, targetAverageValue: t(m.resource).averageValue }) };
    case 'ContainerResource':
      return {
        type: m.type,
        containerResource: defined({
          name: m.containerResource?.name,
          container: m.containerResource?.container,
          targetAverageUtilization: t(m.containerResource).averageUtilization,
          targetAverageValue: t(m.containerResource).averageValue,
        }),
      };
    case 'Pods':
      return { type: m.type, pods: defined({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, targetAverageValue: t(m.pods).averageValue }) };
    case 'Object':
      return {
        type: m.type,
        object: defined({
          target: m.object?.describedObject,
          metricName: m.object?.metric?.name,
          selector: m.object?.metric?.selector,
          targetValue: t(m.object).value,
          averageValue: t(m.object).averageValue,
        }),
      };
    case 'External':
      return {
        type: m.type,
        external: defined({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, targetValue: t(m.external).value, targetAverageValue: t(m.external).averageValue }),
      };
  }
  return m;
}

/** A v1 legacy MetricSpec back in v2's shape. */
function metricToV2(m: Any): Any {
  const target = (value: unknown, averageValue: unknown, averageUtilization: unknown) =>
    defined({ type: averageUtilization !== undefined ? 'Utilization' : averageValue !== undefined ? 'AverageValue' : 'Value', value, averageValue, averageUtilization });
  switch (m.type) {
    case 'Resource':
      return { type: m.type, resource: { name: m.resource?.name, target: target(undefined, m.resource?.targetAverageValue, m.resource?.targetAverageUtilization) } };
    case 'ContainerResource':
      return {
        type: m.type,
        containerResource: {
          name: m.containerResource?.name,
          container: m.containerResource?.container,
          target: target(undefined, m.containerResource?.targetAverageValue, m.containerResource?.targetAverageUtilization),
        },
      };
    case 'Pods':
      return { type: m.type, pods: { metric: defined({ name: m.pods?.metricName, selector: m.pods?.selector }), target: target(undefined, m.pods?.targetAverageValue, undefined) } };
    case 'Object':
      return {
        type: m.type,
        object: {
          describedObject: m.object?.target,
          metric: defined({ name: m.object?.metricName, selector: m.object?.selector }),
          target: target(m.object?.targetValue, m.object?.averageValue, undefined),
        },
      };
    case 'External':
      return {
        type: m.type,
        external: { metric: defined({ name: m.external?.metricName, selector: m.external?.metricSelector }), target: target(m.external?.targetValue, m.external?.targetAverageValue, undefined) },
      };
  }
  return m;
}

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  try {
    return annotations[key] === undefined ? undefined : JSON.parse(annotations[key]!);
  } catch {
    return undefined; // a damaged round-trip annotation is dropped, as a failed unmarshal is upstream
  }
}

/** v2 (stored) → v1 (served). */
export function hpaToV1(input: KubeObject): KubeObject {
  const o = input as Any;
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const annotations: Record<string, string> = Object.fromEntries(Object.entries(o.metadata?.annotations ?? {}).filter(([k]) => !ROUND_TRIP.includes(k))) as Record<string, string>;
  const metrics: Any[] = spec.metrics ?? [];
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricToV1);
  if (others.length) annotations[METRICS] = JSON.stringify(others);
  const current: Any[] = status.currentMetrics ?? [];
  if (current.length) annotations[CURRENT_METRICS] = JSON.stringify(current);
  if (spec.behavior) annotations[BEHAVIOR] = JSON.stringify(spec.behavior);
  if ((status.conditions ?? []).length) annotations[CONDITIONS] = JSON.stringify(status.conditions);
  const cpu = metrics.find(isCpuUtilization);
  const cpuNow = current.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current?.averageUtilization;
  const metadata = { ...o.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return {
    ...o,
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: defined({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization }),
    ...(o.status !== undefined
      ? {
          status: defined({
            observedGeneration: status.observedGeneration,
            lastScaleTime: status.lastScaleTime,
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            currentCPUUtilizationPercentage: cpuNow,
          }),
        }
      : {}),
  } as KubeObject;
}

/** v1 (a request) → v2 (stored), with v2's defaults. */
export function hpaToV2(input: KubeObject): KubeObject {
  const o = input as Any;
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const given: Record<string, string> = o.metadata?.annotations ?? {};
  const annotations = Object.fromEntries(Object.entries(given).filter(([k]) => !ROUND_TRIP.includes(k)));
  const metrics: Any[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  const others = parseAnnotation(given, METRICS);
  if (Array.isArray(others)) metrics.push(...others.map((m) => metricToV2(m ?? {})));
  const behavior = parseAnnotation(given, BEHAVIOR);
  const currentMetrics = parseAnnotation(given, CURRENT_METRICS);
  const conditions = parseAnnotation(given, CONDITIONS);
  const metadata = { ...o.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const v2: Any = {
    ...o,
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: metrics.length ? metrics : undefined,
      behavior: behavior && typeof behavior === 'object' ? behavior : undefined,
    }),
  };
  if (o.status !== undefined) {
    v2.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics: Array.isArray(currentMetrics) ? currentMetrics : null,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    });
  }
  return defaultHpaV2(v2 as KubeObject);
}

export const HORIZONTAL_POD_AUTOSCALERS_V1 = defineKind({
  group: 'autoscaling',
  version: 'v1',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: [statusSubresource('HorizontalPodAutoscaler')],
  generation: true,
  resetStatusOnCreate: true,
  storedAs: { kind: HORIZONTAL_POD_AUTOSCALERS, toStored: hpaToV2, fromStored: hpaToV1 },
  schema: top({
    spec: obj({ scaleTargetRef: obj(strs('kind', 'name', 'apiVersion')), ...ints('minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage') }),
    status: obj({ ...ints('observedGeneration', 'currentReplicas', 'desiredReplicas', 'currentCPUUtilizationPercentage'), lastScaleTime: str }),
  }),
  protobuf: withMeta({ 2: f('spec', HorizontalPodAutoscalerSpec) }),
  strategy: {
    prepareForCreate: (o) => ({ ...o, status: { currentReplicas: 0, desiredReplicas: 0 } }),
    // SetDefaults_HorizontalPodAutoscaler (autoscaling/v1): minReplicas 1.
    defaults(input) {
      const o: Any = { ...input };
      if (o.spec && typeof o.spec === 'object' && !Array.isArray(o.spec)) o.spec = { minReplicas: 1, ...o.spec };
      return o as KubeObject;
    },
    validate: (o) => validateHpaV2(hpaToV2(o)),
    validateUpdate: (o, old) => validateHpaV2(hpaToV2(o), (old as Any).spec?.minReplicas === 0 ? 0 : 1),
    validateStatusUpdate: (o) => validateHpaStatus(o),
  },
  printer: { columns: HPA_PRINTER.columns, row: (o, now) => HPA_PRINTER.row(hpaToV2(o), now) },
});
