/**
 * Reading a kubelet's /stats/summary (upstream k8s.io/kubelet/pkg/apis/stats/v1alpha1,
 * statsapi.Summary) into metrics points, as metrics-server's summary decoder does
 * (sigs.k8s.io/metrics-server pkg/scraper/client/summary/decode.go): the node's and each
 * container's cpu (usageCoreNanoSeconds, cumulative; or usageNanoCores, the kubelet's own
 * average) and memory (workingSetBytes), with the sample time and the start time.
 *
 * A node without cpu or memory is left out; a pod with a container lacking either is left out
 * whole (its usage would be wrong); a container reporting zero cpu and zero memory is a stopped
 * one and is skipped. Anything that is not a summary at all (not an object, no node) is a
 * SummaryError: the caller skips that node for this round.
 */

/** One sample: when, since when the thing ran, and what it used. */
export interface MetricsPoint {
  timestampMs: number;
  startMs: number;
  /** Cumulative cpu time in ns (usageCoreNanoSeconds), when reported. */
  cumulativeCpuNs?: number;
  /** The kubelet's own cpu rate in nano-cores (usageNanoCores), when reported. */
  nanoCores?: number;
  /** workingSetBytes. */
  memoryBytes: number;
}

export interface PodPoints {
  namespace: string;
  name: string;
  containers: Map<string, MetricsPoint>;
}

export interface SummaryPoints {
  node?: MetricsPoint;
  /** By `namespace/name`. */
  pods: Map<string, PodPoints>;
}

export class SummaryError extends Error {}

type Any = Record<string, unknown>;

const isObject = (v: unknown): v is Any => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const time = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
};

/** One node's or container's point; undefined when cpu or memory is missing. */
function point(entity: Any): MetricsPoint | undefined {
  const cpu = isObject(entity.cpu) ? entity.cpu : undefined;
  const memory = isObject(entity.memory) ? entity.memory : undefined;
  const cumulativeCpuNs = count(cpu?.usageCoreNanoSeconds);
  const nanoCores = count(cpu?.usageNanoCores);
  const memoryBytes = count(memory?.workingSetBytes);
  const timestampMs = time(cpu?.time) ?? time(memory?.time);
  if ((cumulativeCpuNs === undefined && nanoCores === undefined) || memoryBytes === undefined || timestampMs === undefined) return undefined;
  return { timestampMs, startMs: time(entity.startTime) ?? 0, ...(cumulativeCpuNs !== undefined ? { cumulativeCpuNs } : {}), ...(nanoCores !== undefined ? { nanoCores } : {}), memoryBytes };
}

/** decodeBatch: the points of one node's summary. */
export function decodeSummary(summary: unknown): SummaryPoints {
  if (!isObject(summary) || !isObject(summary.node)) throw new SummaryError('not a stats summary (no node)');
  const out: SummaryPoints = { pods: new Map() };
  const node = point(summary.node);
  if (node) out.node = node;
  const pods = Array.isArray(summary.pods) ? summary.pods : [];
  for (const pod of pods) {
    if (!isObject(pod) || !isObject(pod.podRef)) continue;
    const namespace = pod.podRef.namespace;
    const name = pod.podRef.name;
    if (typeof namespace !== 'string' || typeof name !== 'string' || !namespace || !name) continue;
    const containers = new Map<string, MetricsPoint>();
    let complete = true;
    for (const c of Array.isArray(pod.containers) ? pod.containers : []) {
      if (!isObject(c) || typeof c.name !== 'string' || !c.name) continue;
      const p = point(c);
      if (!p) {
        complete = false;
        break;
      }
      // A stopped container reports nothing used: it is not part of the pod's usage.
      if ((p.cumulativeCpuNs ?? p.nanoCores ?? 0) === 0 && p.memoryBytes === 0) continue;
      containers.set(c.name, p);
    }
    if (complete && containers.size > 0) out.pods.set(`${namespace}/${name}`, { namespace, name, containers });
  }
  return out;
}
