/**
 * /stats/summary: the kubelet's Summary API (upstream k8s.io/kubelet/pkg/apis/stats/v1alpha1,
 * statsapi.Summary), built from the runtime's ListContainerStats (engine/cri/stats.ts: cgroups, or
 * /proc per process group) and, for the node, /proc/stat and /proc/meminfo as cAdvisor reads the
 * root cgroup. Field names and units are upstream's: usageNanoCores (cores × 1e9 averaged since
 * the previous sample), usageCoreNanoSeconds (cumulative), workingSetBytes; times RFC 3339.
 *
 * A pod's figures are the sums of its containers'; a figure no container reports is left out,
 * as the kubelet leaves out a nil pointer. The first sample of a container has no usageNanoCores.
 */
import { readFileSync } from 'node:fs';
import type { ContainerStats, RuntimeService } from '../cri/api.ts';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../cri/pod/configs.ts';

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface ContainerSummary {
  name: string;
  startTime: string;
  cpu?: CpuStats;
  memory?: MemoryStats;
}

export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerSummary[];
  cpu?: CpuStats;
  memory?: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu?: CpuStats; memory?: MemoryStats };
  pods: PodSummary[];
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nsToIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/** Total cpu time of the machine (user+nice+system+irq+softirq+steal), in ns; undefined off Linux. */
function machineCpuNs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const ticks = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    return ticks * 1e7; // USER_HZ is 100 on every Linux the course runs on
  } catch {
    return undefined;
  }
}

/** MemTotal - MemAvailable as the working set, as cAdvisor's root cgroup roughly reports it; undefined off Linux. */
function machineMemory(): { total: number; available: number } | undefined {
  try {
    const text = readFileSync('/proc/meminfo', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const total = kb('MemTotal');
    const available = kb('MemAvailable');
    return Number.isFinite(total) && Number.isFinite(available) ? { total, available } : undefined;
  } catch {
    return undefined;
  }
}

function add(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : a + b;
}

function sumCpu(list: (CpuStats | undefined)[], time: string): CpuStats | undefined {
  const present = list.filter((c): c is CpuStats => c !== undefined);
  if (present.length === 0) return undefined;
  const out: CpuStats = { time };
  for (const c of present) {
    const nano = add(out.usageNanoCores, c.usageNanoCores);
    const total = add(out.usageCoreNanoSeconds, c.usageCoreNanoSeconds);
    if (nano !== undefined) out.usageNanoCores = nano;
    if (total !== undefined) out.usageCoreNanoSeconds = total;
  }
  return out;
}

function sumMemory(list: (MemoryStats | undefined)[], time: string): MemoryStats | undefined {
  const present = list.filter((m): m is MemoryStats => m !== undefined);
  if (present.length === 0) return undefined;
  const out: MemoryStats = { time };
  for (const m of present) {
    for (const key of ['usageBytes', 'workingSetBytes', 'rssBytes', 'pageFaults', 'majorPageFaults'] as const) {
      const v = add(out[key], m[key]);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

function containerCpu(stats: ContainerStats): CpuStats | undefined {
  if (!stats.cpu) return undefined;
  return {
    time: nsToIso(stats.cpu.timestamp),
    ...(stats.cpu.usageNanoCores ? { usageNanoCores: stats.cpu.usageNanoCores.value } : {}),
    ...(stats.cpu.usageCoreNanoSeconds ? { usageCoreNanoSeconds: stats.cpu.usageCoreNanoSeconds.value } : {}),
  };
}

function containerMemory(stats: ContainerStats): MemoryStats | undefined {
  const m = stats.memory;
  if (!m) return undefined;
  return {
    time: nsToIso(m.timestamp),
    ...(m.availableBytes ? { availableBytes: m.availableBytes.value } : {}),
    ...(m.usageBytes ? { usageBytes: m.usageBytes.value } : {}),
    ...(m.workingSetBytes ? { workingSetBytes: m.workingSetBytes.value } : {}),
    ...(m.rssBytes ? { rssBytes: m.rssBytes.value } : {}),
    ...(m.pageFaults ? { pageFaults: m.pageFaults.value } : {}),
    ...(m.majorPageFaults ? { majorPageFaults: m.majorPageFaults.value } : {}),
  };
}

/** Builds summaries; keeps the node's previous cpu sample for usageNanoCores. */
export class SummaryProvider {
  private lastNodeCpu?: { cpuNs: number; at: number };

  constructor(
    private readonly runtime: RuntimeService,
    private readonly nodeName: string,
    private readonly startedAt: number,
    /** When each pod started (the pod's status.startTime), by uid. */
    private readonly podStartTime: (uid: string) => string | undefined,
  ) {}

  async summary(): Promise<Summary> {
    const now = Date.now();
    const time = rfc3339(now);
    const node: Summary['node'] = { nodeName: this.nodeName, startTime: rfc3339(this.startedAt) };
    const cpuNs = machineCpuNs();
    if (cpuNs !== undefined) {
      node.cpu = { time, usageCoreNanoSeconds: cpuNs };
      const last = this.lastNodeCpu;
      if (last && now > last.at && cpuNs >= last.cpuNs) node.cpu.usageNanoCores = Math.round(((cpuNs - last.cpuNs) * 1e6) / (now - last.at));
      this.lastNodeCpu = { cpuNs, at: now };
    }
    const memory = machineMemory();
    if (memory) node.memory = { time, availableBytes: memory.available, usageBytes: memory.total - memory.available, workingSetBytes: memory.total - memory.available };

    const { stats } = await this.runtime.listContainerStats({});
    const { containers } = await this.runtime.listContainers({});
    const startedAt = new Map<string, bigint>();
    for (const c of containers) startedAt.set(c.id, c.createdAt);
    const pods = new Map<string, PodSummary>();
    for (const s of stats) {
      const labels = s.attributes.labels;
      const uid = labels[LABEL_POD_UID];
      if (!uid) continue;
      let pod = pods.get(uid);
      if (!pod) {
        pod = { podRef: { name: labels[LABEL_POD_NAME] ?? '', namespace: labels[LABEL_POD_NAMESPACE] ?? '', uid }, startTime: this.podStartTime(uid) ?? time, containers: [] };
        pods.set(uid, pod);
      }
      const cpu = containerCpu(s);
      const mem = containerMemory(s);
      pod.containers.push({
        name: labels[LABEL_CONTAINER_NAME] ?? s.attributes.metadata.name,
        startTime: startedAt.has(s.attributes.id) ? nsToIso(startedAt.get(s.attributes.id)!).replace(/\.\d{3}Z$/, 'Z') : time,
        ...(cpu ? { cpu } : {}),
        ...(mem ? { memory: mem } : {}),
      });
    }
    for (const pod of pods.values()) {
      const cpu = sumCpu(
        pod.containers.map((c) => c.cpu),
        time,
      );
      const mem = sumMemory(
        pod.containers.map((c) => c.memory),
        time,
      );
      if (cpu) pod.cpu = cpu;
      if (mem) pod.memory = mem;
      pod.containers.sort((a, b) => a.name.localeCompare(b.name));
    }
    return { node, pods: [...pods.values()] };
  }
}
