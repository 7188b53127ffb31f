/**
 * metrics-server's storage (sigs.k8s.io/metrics-server pkg/storage: node_storage.go,
 * pod_storage.go, types.go resourceUsage): the last two points of every node and container, and
 * the usage they give.
 *
 * cpu: from two cumulative samples, (usage2 - usage1) / (t2 - t1), the window being t2 - t1; a
 * container that started after the previous round counts from its start (0 ns then); a container
 * that restarted (a later start time) or whose counter went down starts over. Without a usable
 * previous point the kubelet's own usageNanoCores is taken, over one resolution. memory: the last
 * workingSetBytes.
 *
 * Each round replaces everything: a node that could not be scraped this round (down, slow,
 * garbage) has no metrics until it answers again, and neither have its pods, as in
 * metrics-server. Invariant: a usage is never negative and never from points of different starts.
 */
import type { MetricsPoint, SummaryPoints } from './summary.ts';

export interface Usage {
  timestampMs: number;
  windowMs: number;
  /** cpu in nano-cores. */
  cpu: number;
  /** memory in bytes. */
  memory: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  timestampMs: number;
  windowMs: number;
  containers: { name: string; cpu: number; memory: number }[];
}

interface Stored {
  last: MetricsPoint;
  prev?: MetricsPoint;
}

/** The usage of `last` given the point before it (resourceUsage), or undefined when there is none to compute. */
export function usageOf(stored: Stored, resolutionMs: number): Usage | undefined {
  const { last, prev } = stored;
  if (prev && last.cumulativeCpuNs !== undefined && prev.cumulativeCpuNs !== undefined && last.cumulativeCpuNs >= prev.cumulativeCpuNs && last.timestampMs > prev.timestampMs) {
    const windowMs = last.timestampMs - prev.timestampMs;
    return { timestampMs: last.timestampMs, windowMs, cpu: Math.trunc(((last.cumulativeCpuNs - prev.cumulativeCpuNs) * 1000) / windowMs), memory: last.memoryBytes };
  }
  if (last.nanoCores !== undefined) return { timestampMs: last.timestampMs, windowMs: resolutionMs, cpu: Math.trunc(last.nanoCores), memory: last.memoryBytes };
  return undefined;
}

export class MetricsStorage {
  private nodes = new Map<string, Stored>();
  /** `namespace/pod` → container → points. */
  private pods = new Map<string, { namespace: string; name: string; containers: Map<string, Stored> }>();

  constructor(private readonly resolutionMs: number) {}

  /** One round's summaries, by node name (nodes that failed are absent). */
  store(round: Map<string, SummaryPoints>): void {
    const nodes = new Map<string, Stored>();
    const pods = new Map<string, { namespace: string; name: string; containers: Map<string, Stored> }>();
    for (const [nodeName, points] of round) {
      const earlierNode = this.nodes.get(nodeName);
      if (points.node) nodes.set(nodeName, { last: points.node, prev: previous(earlierNode, points.node) });
      for (const [key, pod] of points.pods) {
        const earlierPod = this.pods.get(key);
        const containers = new Map<string, Stored>();
        for (const [name, p] of pod.containers) {
          let prev = previous(earlierPod?.containers.get(name), p);
          // A container that started since the last round: its cumulative usage counts from its start.
          if (!prev && earlierNode && p.startMs > earlierNode.last.timestampMs && p.startMs < p.timestampMs && p.cumulativeCpuNs !== undefined) {
            prev = { timestampMs: p.startMs, startMs: p.startMs, cumulativeCpuNs: 0, memoryBytes: 0 };
          }
          containers.set(name, { last: p, prev });
        }
        pods.set(key, { namespace: pod.namespace, name: pod.name, containers });
      }
    }
    this.nodes = nodes;
    this.pods = pods;
  }

  node(name: string): Usage | undefined {
    const stored = this.nodes.get(name);
    return stored && usageOf(stored, this.resolutionMs);
  }

  /** A pod's usage when every container of it has one (metrics-server serves a pod whole or not at all). */
  pod(namespace: string, name: string): PodUsage | undefined {
    const stored = this.pods.get(`${namespace}/${name}`);
    if (!stored) return undefined;
    const containers: PodUsage['containers'] = [];
    let timestampMs = 0;
    let windowMs = 0;
    for (const [cname, s] of [...stored.containers].sort(([a], [b]) => a.localeCompare(b))) {
      const usage = usageOf(s, this.resolutionMs);
      if (!usage) return undefined;
      containers.push({ name: cname, cpu: usage.cpu, memory: usage.memory });
      // The pod's time is its newest sample's; its window that sample's.
      if (usage.timestampMs >= timestampMs) {
        timestampMs = usage.timestampMs;
        windowMs = usage.windowMs;
      }
    }
    return { namespace: stored.namespace, name: stored.name, timestampMs, windowMs, containers };
  }

  /** Every pod with metrics, as `namespace/name`. */
  podKeys(): string[] {
    return [...this.pods.keys()];
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }
}

/** The previous point to compute from: the earlier last, unless it is of another start or not older. */
function previous(earlier: Stored | undefined, now: MetricsPoint): MetricsPoint | undefined {
  if (!earlier) return undefined;
  const e = earlier.last;
  if (e.startMs !== now.startMs || e.timestampMs >= now.timestampMs) {
    // Same sample again (the kubelet has not sampled since): keep what we had.
    if (e.startMs === now.startMs && e.timestampMs === now.timestampMs) return earlier.prev;
    return undefined;
  }
  return e;
}
