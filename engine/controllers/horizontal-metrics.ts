/**
 * The HPA controller's view of the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics), after
 * upstream's pkg/controller/podautoscaler/metrics/client.go (resourceMetricsClient.GetResourceMetric
 * and getPodMetrics): one list of the namespace's pod metrics by label selector, summed per pod over
 * its containers (or one named container) in milli-units. A pod missing the resource in any
 * container is left out (it then counts as a missing pod).
 *
 * Errors carry upstream's words: "unable to fetch metrics from resource metrics API: ..." and
 * "no metrics returned from resource metrics API".
 */
import type { KubeClient } from '../client/client.ts';
import type { PodMetrics } from './replica-calculator.ts';
import { parseTime } from './pods.ts';

export interface ResourceMetricsSource {
  /** The pods' usage of `resource` in `namespace` matching `selector` (label selector text), and the first sample's time. */
  podMetrics(resource: string, namespace: string, selector: string, container?: string): Promise<{ metrics: PodMetrics; timestampMs: number }>;
}

interface PodMetricsItem {
  metadata?: { name?: string };
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: Record<string, unknown> }[];
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A Go duration as metav1.Duration writes it (`30s`, `1m0s`, `1.5s`) in ms; 0 when unreadable. */
export function goDurationMs(text: unknown): number {
  if (typeof text !== 'string') return 0;
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched += m[0];
  }
  return matched === text ? total : 0;
}

/** Reads PodMetricsList items into per-pod sums (getPodMetrics). */
export function sumPodMetrics(items: PodMetricsItem[], resource: string, milliValue: (q: string) => number, container = ''): PodMetrics {
  const out: PodMetrics = new Map();
  for (const item of items) {
    const containers = (item.containers ?? []).filter((c) => container === '' || c.name === container);
    let missing = containers.length === 0;
    let sum = 0;
    for (const c of containers) {
      const value = c.usage?.[resource];
      if (value === undefined || value === null) {
        missing = true;
        break;
      }
      try {
        sum += milliValue(String(value));
      } catch {
        missing = true;
        break;
      }
    }
    if (!missing && item.metadata?.name) out.set(item.metadata.name, { value: sum, timestampMs: parseTime(item.timestamp) ?? 0, windowMs: goDurationMs(item.window) });
  }
  return out;
}

/** The metrics API as the apiserver serves it (through the aggregation layer). */
export function restResourceMetrics(kube: KubeClient, milliValue: (q: string) => number): ResourceMetricsSource {
  return {
    async podMetrics(resource, namespace, selector, container = '') {
      let list: { items?: PodMetricsItem[] };
      try {
        const query = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
        list = await kube.request<{ items?: PodMetricsItem[] }>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods${query}`);
      } catch (error) {
        throw new Error(`unable to fetch metrics from resource metrics API: ${(error as Error).message}`);
      }
      const items = Array.isArray(list?.items) ? list.items : [];
      if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
      return { metrics: sumPodMetrics(items, resource, milliValue, container), timestampMs: parseTime(items[0]!.timestamp) ?? 0 };
    },
  };
}
