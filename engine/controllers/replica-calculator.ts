/**
 * The HPA's replica arithmetic for Resource metrics (cpu, memory), after upstream's
 * pkg/controller/podautoscaler/replica_calculator.go (GetResourceReplicas, GetRawResourceReplicas,
 * groupPods, calculateRequests) and metrics/utilization.go (GetResourceUtilizationRatio,
 * GetMetricUsageRatio). Pure: the pods, their metrics and the time come in; nothing is read or
 * written.
 *
 * The rules, in the order they apply:
 * - pods being deleted or Failed are ignored; Pending pods are unready; pods without a metric are
 *   missing; for cpu a Running pod is also unready when it has no Ready condition or start time,
 *   when within the cpu initialisation period it is not Ready or its sample predates its last
 *   readiness change, and after that period when it is not Ready and turned so within the initial
 *   readiness delay of its start;
 * - the ratio is usage over target from the ready pods alone; within the tolerance of 1.0 nothing
 *   changes; otherwise, with nothing missing and no unready pod pulling a scale-up back, the new
 *   count is ceil(ratio x ready pods);
 * - missing pods count as at the target (at least their request) on a scale-down and as 0 on a
 *   scale-up; unready pods count as 0 on a scale-up; the ratio is computed again, and if it is now
 *   within the tolerance or flips direction, nothing changes; nor when the new count moves the
 *   other way than the ratio says.
 *
 * Invariants: values are integers in milli-units as upstream's int64 MilliValue; utilization is
 * the integer percentage (truncated) upstream reports; every error message is upstream's.
 */
import type { Pod } from '../kube/types.ts';
import { parseTime } from './pods.ts';

/** One pod's metric: the sum over its containers, in milli-units; when it was sampled, over what window. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  /** Now, in ms. */
  now: number;
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  /** A request quantity (`500m`, `1`) in thousandths, rounded up (resource.Quantity.MilliValue). */
  milliValue(quantity: string): number;
}

export interface ResourceReplicas {
  replicas: number;
  /** The integer percentage of the requests in use (utilization targets only). */
  utilization?: number;
  /** The average usage per pod with a metric, in milli-units. */
  rawAverage: number;
  timestampMs: number;
}

export class CalculatorError extends Error {}

/** groupPods: how many pods count as ready, and the names of the unready, missing and ignored ones. */
export function groupPods(pods: Pod[], metrics: PodMetrics, resource: string, options: Pick<CalculatorOptions, 'now' | 'cpuInitializationPeriodMs' | 'initialReadinessDelayMs'>) {
  let readyPodCount = 0;
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = parseTime(pod.status?.startTime);
      let isUnready: boolean;
      if (!condition || start === undefined) {
        isUnready = true;
      } else {
        const transition = parseTime(condition.lastTransitionTime as string | undefined) ?? 0;
        if (start + options.cpuInitializationPeriodMs > options.now) {
          isUnready = condition.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          isUnready = condition.status === 'False' && start + options.initialReadinessDelayMs > transition;
        }
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** calculateRequests: each pod's request of `resource`, summed over its containers (and restartable init containers), in milli-units. */
export function podRequests(pods: Pod[], resource: string, milliValue: (q: string) => number, container = ''): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      if (container !== '' && container !== c.name) continue;
      const request = c.resources?.requests?.[resource];
      if (request === undefined || request === null) throw new CalculatorError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milliValue(String(request));
    }
    requests.set(pod.metadata.name ?? '', sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: usage over requests of the pods that have both, as a ratio to the target. */
export function utilizationRatio(metrics: PodMetrics, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new CalculatorError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** GetMetricUsageRatio: the average usage per pod as a ratio to the target average. */
function usageRatio(metrics: PodMetrics, targetUsage: number): { ratio: number; average: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / targetUsage, average };
}

function selectedMetrics(pods: Pod[], all: PodMetrics, resource: string, options: CalculatorOptions) {
  if (pods.length === 0) throw new CalculatorError('no pods returned by selector while calculating replica count');
  const groups = groupPods(pods, all, resource, options);
  const metrics: PodMetrics = new Map(all);
  for (const name of [...groups.ignored, ...groups.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new CalculatorError('did not receive metrics for targeted pods (pods might be unready)');
  return { ...groups, metrics };
}

/**
 * GetResourceReplicas: the replica count for an averageUtilization target (percent of requests).
 * `metrics` are the pods' metrics by name (from the metrics API), `pods` those the selector matches.
 */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  pods: Pod[],
  all: PodMetrics,
  timestampMs: number,
  options: CalculatorOptions,
  container = '',
): ResourceReplicas {
  const { readyPodCount, unready, missing, metrics } = selectedMetrics(pods, all, resource, options);
  const requests = podRequests(pods, resource, options.milliValue, container);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const scaleUpWithUnready = unready.size > 0 && first.ratio > 1.0;
  const result = (replicas: number) => ({ replicas, utilization: first.utilization, rawAverage: first.rawAverage, timestampMs });
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1.0 - first.ratio) <= options.tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * readyPodCount));
  }
  // Scale-down: a missing pod is taken as using its whole request (or the target, above 100%);
  // scale-up: nothing; exactly at target they stay out.
  for (const name of missing) {
    const request = requests.get(name) ?? 0;
    if (first.ratio < 1.0) metrics.set(name, { value: Math.max(request, Math.trunc((request * targetUtilization) / 100)), timestampMs, windowMs: 0 });
    else if (first.ratio > 1.0) metrics.set(name, { value: 0, timestampMs, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of unready) metrics.set(name, { value: 0, timestampMs, windowMs: 0 });
  const second = utilizationRatio(metrics, requests, targetUtilization);
  if (Math.abs(1.0 - second.ratio) <= options.tolerance || (first.ratio < 1.0 && second.ratio > 1.0) || (first.ratio > 1.0 && second.ratio < 1.0)) return result(currentReplicas);
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1.0 && replicas > currentReplicas) || (second.ratio > 1.0 && replicas < currentReplicas)) return result(currentReplicas);
  return result(replicas);
}

/** GetRawResourceReplicas: the replica count for an averageValue target (milli-units per pod). */
export function rawResourceReplicas(currentReplicas: number, targetAverage: number, resource: string, pods: Pod[], all: PodMetrics, timestampMs: number, options: CalculatorOptions): ResourceReplicas {
  const { readyPodCount, unready, missing, metrics } = selectedMetrics(pods, all, resource, options);
  const first = usageRatio(metrics, targetAverage);
  const result = (replicas: number) => ({ replicas, rawAverage: first.average, timestampMs });
  const scaleUpWithUnready = unready.size > 0 && first.ratio > 1.0;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1.0 - first.ratio) <= options.tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * readyPodCount));
  }
  for (const name of missing) metrics.set(name, { value: first.ratio < 1.0 ? targetAverage : 0, timestampMs, windowMs: 0 });
  if (scaleUpWithUnready) for (const name of unready) metrics.set(name, { value: 0, timestampMs, windowMs: 0 });
  const second = usageRatio(metrics, targetAverage);
  if (Math.abs(1.0 - second.ratio) <= options.tolerance || (first.ratio < 1.0 && second.ratio > 1.0) || (first.ratio > 1.0 && second.ratio < 1.0)) return result(currentReplicas);
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1.0 && replicas > currentReplicas) || (second.ratio > 1.0 && replicas < currentReplicas)) return result(currentReplicas);
  return result(replicas);
}
