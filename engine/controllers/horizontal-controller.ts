/**
 * The HorizontalPodAutoscaler controller (reference only, not a lesson exercise), after upstream's
 * pkg/controller/podautoscaler/horizontal.go (reconcileAutoscaler, computeReplicasForMetrics,
 * computeStatusForResourceMetricGeneric, setStatus, updateStatusIfNeeded).
 *
 * Each autoscaler is reconciled every HPA_SYNC_PERIOD_MS (a change to it is picked up at the next
 * one, as upstream's fixed-interval queue does): read the target's scale subresource (Deployment,
 * ReplicaSet, StatefulSet, anything with /scale); a target at 0 replicas is left alone
 * (ScalingDisabled); outside min/max it is brought inside; otherwise each metric proposes a count
 * (Resource metrics: cpu/memory averageUtilization of requests, or averageValue, from
 * metrics.k8s.io through replica-calculator.ts), the largest wins, and horizontal-normalize.ts
 * stabilises and limits it. A change is written through /scale with a SuccessfulRescale Event
 * ("New size: 3; reason: cpu resource utilization (percentage of request) above target"), and the
 * status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime, conditions AbleToScale,
 * ScalingActive, ScalingLimited with upstream's reasons and messages) is written when it changed.
 *
 * Pods, Object and External metrics need a custom or external metrics API, which kubelings does not
 * serve: such a metric fails as it does on a cluster without one. Invariants: the informer's
 * object is never mutated; every time comes from the injected clock; a failing autoscaler is
 * retried at the next period, never in a tight loop.
 */
import type { KubeClient } from '../client/client.ts';
import { isApiError } from '../kube/errors.ts';
import { findResource, findResourceForKind } from '../kube/resources.ts';
import type { KubeObject, Pod } from '../kube/types.ts';
import { CONTROLLER_WORKERS, HPA_CPU_INITIALIZATION_PERIOD_MS, HPA_DOWNSCALE_STABILIZATION_MS, HPA_INITIAL_READINESS_DELAY_MS, HPA_SYNC_PERIOD_MS, HPA_TOLERANCE } from '../params.ts';
import type { EventRecorder } from '../scheduler/component.ts';
import type { SyncResult } from './exercises.ts';
import { restResourceMetrics, type ResourceMetricsSource } from './horizontal-metrics.ts';
import { HpaRecommender, setCondition, type Behavior, type HpaCondition } from './horizontal-normalize.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import { formatTime, objectKeyOf } from './pods.ts';
import { rawResourceReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface HpaStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas: number;
  currentMetrics?: Any[];
  conditions?: HpaCondition[];
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: Any[];
    behavior?: Behavior;
  };
  status?: HpaStatus;
}

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export interface HpaTunables {
  syncPeriodMs: number;
  tolerance: number;
  downscaleStabilizationMs: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export interface HorizontalControllerDeps extends Pick<ControllerDeps, 'controllers' | 'objects' | 'informers' | 'clock' | 'logger' | 'workers'> {
  /** Scale reads and writes, status writes and the metrics API go straight to the apiserver. */
  kube: KubeClient;
  /** Events under the source `horizontal-pod-autoscaler`, as upstream's controller records them. */
  recorder: EventRecorder;
  /** Where pod metrics come from (default: metrics.k8s.io through `kube`). */
  metrics?: ResourceMetricsSource;
  tunables?: Partial<HpaTunables>;
}

/** One metric's outcome: a proposal and its status, or why it failed (ScalingActive's reason and the error). */
type MetricOutcome = { replicas: number; name: string; status: Any; timestampMs: number } | { error: Error; reason: string };

/** autoscaling/v2: the version that holds every metric (a bare `horizontalpodautoscalers` resolves to v1). */
export const HPA_V2 = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;

const withKind = (hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler => ({ ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' });

export function newHorizontalController(deps: HorizontalControllerDeps): { workers: QueueWorkers; reconciled(): number } {
  const { controllers, objects, informers, clock, kube, recorder } = deps;
  const tunables: HpaTunables = {
    syncPeriodMs: HPA_SYNC_PERIOD_MS,
    tolerance: HPA_TOLERANCE,
    downscaleStabilizationMs: HPA_DOWNSCALE_STABILIZATION_MS,
    cpuInitializationPeriodMs: HPA_CPU_INITIALIZATION_PERIOD_MS,
    initialReadinessDelayMs: HPA_INITIAL_READINESS_DELAY_MS,
    ...deps.tunables,
  };
  const milliValue = (q: string) => objects.milliValue(objects.parseQuantity(q));
  const metricsSource = deps.metrics ?? restResourceMetrics(kube, milliValue);
  const hpas = informers.forResource<HorizontalPodAutoscaler>(HPA_V2);
  const pods = informers.forResource<Pod>('pods');
  const recommender = new HpaRecommender(tunables.downscaleStabilizationMs);
  const event = (hpa: HorizontalPodAutoscaler, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.record(withKind(hpa), type, reason, message, reason);

  /** The pods of the namespace the scale's selector matches. */
  const podsFor = (namespace: string, selector: Any): Pod[] => pods.lister.byIndex(NAMESPACE_INDEX, namespace).filter((p) => objects.matchesSelector(selector, p.metadata.labels ?? {}));

  /** computeStatusForResourceMetricGeneric (Resource metrics). */
  async function resourceMetric(spec: Any, namespace: string, current: number, podList: Pod[], selectorText: string): Promise<MetricOutcome> {
    const source = spec.resource ?? {};
    const resource = String(source.name ?? '');
    const target = source.target ?? {};
    const options: CalculatorOptions = {
      now: clock.now(),
      tolerance: tunables.tolerance,
      cpuInitializationPeriodMs: tunables.cpuInitializationPeriodMs,
      initialReadinessDelayMs: tunables.initialReadinessDelayMs,
      milliValue,
    };
    const fetch = async () => {
      try {
        return await metricsSource.podMetrics(resource, namespace, selectorText);
      } catch (error) {
        throw new Error(`unable to get metrics for resource ${resource}: ${(error as Error).message}`);
      }
    };
    if (target.averageValue !== undefined && target.averageValue !== null) {
      try {
        const { metrics, timestampMs } = await fetch();
        const r = rawResourceReplicas(current, milliValue(String(target.averageValue)), resource, podList, metrics, timestampMs, options);
        return { replicas: r.replicas, name: `${resource} resource`, timestampMs, status: { type: 'Resource', resource: { name: resource, current: { averageValue: milliQuantity(r.rawAverage) } } } };
      } catch (error) {
        return { error: new Error(`failed to get ${resource} usage: ${(error as Error).message}`), reason: 'FailedGetResourceMetric' };
      }
    }
    if (typeof target.averageUtilization !== 'number') {
      return { error: new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set'), reason: 'FailedGetResourceMetric' };
    }
    try {
      const { metrics, timestampMs } = await fetch();
      const r = resourceReplicas(current, target.averageUtilization, resource, podList, metrics, timestampMs, options);
      return {
        replicas: r.replicas,
        name: `${resource} resource utilization (percentage of request)`,
        timestampMs,
        status: { type: 'Resource', resource: { name: resource, current: { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) } } },
      };
    } catch (error) {
      return { error: new Error(`failed to get ${resource} utilization: ${(error as Error).message}`), reason: 'FailedGetResourceMetric' };
    }
  }

  /** A Quantity of `milli` thousandths, as resource.NewMilliQuantity(v, DecimalSI) prints it. */
  const milliQuantity = (milli: number): string => objects.formatQuantity(objects.parseQuantity(`${milli}m`));

  /** A metric kubelings has no API for (Pods, Object, External, ContainerResource): fails as without a custom metrics API. */
  function unservedMetric(spec: Any): MetricOutcome {
    const type = String(spec.type ?? '');
    const name = spec.pods?.metric?.name ?? spec.object?.metric?.name ?? spec.external?.metric?.name ?? spec.containerResource?.name ?? '';
    const api = type === 'External' ? 'no external metrics API (external.metrics.k8s.io) registered' : 'no custom metrics API (custom.metrics.k8s.io) registered';
    return { error: new Error(`unable to get metric ${name}: ${api}`), reason: `FailedGet${type}Metric` };
  }

  /** computeReplicasForMetrics: the largest proposal, or -1 with the error when the selector is unusable or too many metrics failed. */
  async function computeReplicasForMetrics(hpa: HorizontalPodAutoscaler, scale: Scale, conditions: HpaCondition[]) {
    const now = clock.now();
    const namespace = hpa.metadata.namespace ?? '';
    const specs = hpa.spec.metrics ?? [];
    const selectorText = scale.status?.selector ?? '';
    if (!selectorText) {
      event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      return {
        replicas: -1,
        name: '',
        statuses: [] as Any[],
        conditions: setCondition(conditions, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector", now),
        error: new Error('selector is required'),
      };
    }
    let selector: Any;
    try {
      selector = objects.parseSelector(selectorText);
    } catch (error) {
      const message = `couldn't convert selector into a corresponding internal selector object: ${(error as Error).message}`;
      event(hpa, 'Warning', 'InvalidSelector', message);
      return { replicas: -1, name: '', statuses: [] as Any[], conditions: setCondition(conditions, 'ScalingActive', 'False', 'InvalidSelector', message, now), error: new Error(message) };
    }
    const current = scale.spec?.replicas ?? 0;
    const podList = podsFor(namespace, selector);
    const statuses: Any[] = [];
    let replicas = 0;
    let name = '';
    let invalid = 0;
    let firstError: { error: Error; reason: string } | undefined;
    for (const spec of specs) {
      const outcome = spec.type === 'Resource' ? await resourceMetric(spec, namespace, current, podList, selectorText) : unservedMetric(spec);
      if ('error' in outcome) {
        statuses.push({ type: '' });
        event(hpa, 'Warning', outcome.reason, outcome.error.message);
        firstError ??= outcome;
        invalid++;
        continue;
      }
      statuses.push(outcome.status);
      if (replicas === 0 || outcome.replicas > replicas) {
        replicas = outcome.replicas;
        name = outcome.name;
      }
    }
    if (invalid >= specs.length || (invalid > 0 && replicas < current)) {
      const error = new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError?.error.message ?? 'no metrics'}`);
      const reason = firstError?.reason ?? 'FailedGetResourceMetric';
      const message = `the HPA was unable to compute the replica count: ${firstError?.error.message ?? 'no metrics'}`;
      return { replicas: -1, name: '', statuses, conditions: setCondition(conditions, 'ScalingActive', 'False', reason, message, now), error };
    }
    const next = setCondition(conditions, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${name}`, now);
    return { replicas, name, statuses, conditions: next, error: firstError?.error };
  }

  /** reconcileAutoscaler. */
  async function reconcile(key: string, shared: HorizontalPodAutoscaler): Promise<void> {
    const hpa = structuredClone(shared);
    const original = structuredClone(hpa.status ?? { desiredReplicas: 0 });
    const namespace = hpa.metadata.namespace ?? '';
    let conditions: HpaCondition[] = [...(hpa.status?.conditions ?? [])];
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;
    const writeStatus = async (status: HpaStatus) => {
      if (JSON.stringify(comparable(original)) === JSON.stringify(comparable(status))) return;
      try {
        await kube.updateStatus(HPA_V2, withKind({ ...hpa, status }));
      } catch (error) {
        // A conflict or a deleted autoscaler: the next period reads it afresh.
        if (isApiError(error, 'Conflict') || isApiError(error, 'NotFound')) return;
        event(hpa, 'Warning', 'FailedUpdateStatus', (error as Error).message);
        throw new Error(`failed to update status for ${hpa.metadata.name}: ${(error as Error).message}`);
      }
    };
    const statusWith = (current: number, desired: number, metrics: Any[] | undefined, rescaled: boolean): HpaStatus => ({
      ...(rescaled ? { lastScaleTime: formatTime(clock.now()) } : hpa.status?.lastScaleTime ? { lastScaleTime: hpa.status.lastScaleTime } : {}),
      ...(current ? { currentReplicas: current } : {}),
      desiredReplicas: desired,
      ...(metrics && metrics.length ? { currentMetrics: metrics } : {}),
      conditions,
    });

    // The target's scale, through the scale subresource of its kind.
    const kind = findResourceForKind(ref.apiVersion ?? '', ref.kind);
    let scale: Scale;
    try {
      if (!kind) {
        const group = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion ?? '').split('/')[0] : '';
        throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
      }
      scale = await kube.get<Scale>(kind, ref.name, { namespace, subresource: 'scale' });
    } catch (error) {
      const message = (error as Error).message;
      event(hpa, 'Warning', 'FailedGetScale', message);
      conditions = setCondition(conditions, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`, clock.now());
      await writeStatus({ ...original, conditions });
      throw new Error(`failed to query scale subresource for ${reference}: ${message}`);
    }
    conditions = setCondition(conditions, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale", clock.now());
    const current = scale.spec?.replicas ?? 0;
    recommender.recordInitial(key, current, clock.now());
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let metricStatuses: Any[] | undefined;
    if (current === 0 && min !== 0) {
      rescale = false;
      conditions = setCondition(conditions, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', clock.now());
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const computed = await computeReplicasForMetrics(hpa, scale, conditions);
      conditions = computed.conditions;
      metricStatuses = computed.statuses;
      if (computed.error && computed.replicas === -1) {
        await writeStatus(statusWith(current, hpa.status?.desiredReplicas ?? 0, metricStatuses, false));
        event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error.message);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error.message}`);
      }
      let metricName = '';
      if (computed.replicas > desired) {
        desired = computed.replicas;
        metricName = computed.name;
      }
      if (desired > current) reason = `${metricName} above target`;
      if (desired < current) reason = 'All metrics below target';
      const normalized = hpa.spec.behavior
        ? recommender.normalizeWithBehavior(key, conditions, hpa.spec.behavior, current, desired, min, max, clock.now())
        : recommender.normalize(key, conditions, current, desired, min, max, clock.now());
      conditions = normalized.conditions;
      desired = normalized.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      try {
        await kube.update<Scale>(kind!, { ...scale, spec: { ...scale.spec, replicas: desired } }, { namespace, subresource: 'scale' });
      } catch (error) {
        const message = (error as Error).message;
        event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${message}`);
        conditions = setCondition(conditions, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message}`, clock.now());
        await writeStatus(statusWith(current, hpa.status?.desiredReplicas ?? 0, metricStatuses, false));
        throw new Error(`failed to rescale ${reference}: ${message}`);
      }
      conditions = setCondition(conditions, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`, clock.now());
      event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      recommender.storeScaleEvent(key, hpa.spec.behavior, current, desired, clock.now());
      deps.logger.info('Successfully rescaled', { hpa: key, currentReplicas: current, desiredReplicas: desired, reason });
    } else {
      desired = current;
    }
    await writeStatus(statusWith(current, desired, metricStatuses, rescale));
  }

  let reconciled = 0;
  async function sync(key: string): Promise<SyncResult | void> {
    const hpa = hpas.lister.get(key);
    if (!hpa) {
      recommender.forget(key);
      return;
    }
    try {
      await reconcile(key, hpa);
    } catch (error) {
      deps.logger.warn(`horizontal-pod-autoscaler ${key}: ${(error as Error).message}`);
    } finally {
      reconciled++;
    }
    return { requeueAfterMs: tunables.syncPeriodMs };
  }

  const queue = controllers.newWorkQueue({ now: () => clock.now() });
  const workers = new QueueWorkers(queue, sync, { name: 'horizontalpodautoscaling', workers: deps.workers ?? CONTROLLER_WORKERS, clock, logger: deps.logger });
  // enqueueHPA: a fixed-interval limiter, so a new or changed autoscaler is looked at within a period, not at once.
  hpas.on('add', (hpa) => workers.enqueueAfter(objectKeyOf(hpa), tunables.syncPeriodMs));
  hpas.on('update', (_old, hpa) => workers.enqueueAfter(objectKeyOf(hpa), tunables.syncPeriodMs));
  hpas.on('delete', (hpa) => recommender.forget(objectKeyOf(hpa)));
  return { workers, reconciled: () => reconciled };
}

/** What updateStatusIfNeeded compares (the status without fields the apiserver may fill in). */
function comparable(status: HpaStatus): unknown {
  return {
    lastScaleTime: status.lastScaleTime,
    currentReplicas: status.currentReplicas ?? 0,
    desiredReplicas: status.desiredReplicas ?? 0,
    currentMetrics: status.currentMetrics ?? [],
    conditions: status.conditions ?? [],
  };
}
