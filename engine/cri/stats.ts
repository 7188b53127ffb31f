/**
 * ContainerStats: cpu and memory of a running container, from its cgroup when it has one (as
 * cAdvisor and containerd read them: cpuacct.usage or cpu.stat, the working set as usage minus
 * inactive file pages), else summed over its process group from /proc (Linux; elsewhere no
 * figures). usageNanoCores is the cpu used between this sample and the previous one of the same
 * container, as containerd computes it; the first sample has none. The writable layer is the size
 * of the container's folder.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerStats } from './api.ts';
import type { ContainerCgroup } from './cgroups/driver.ts';
import { nowNs } from './clock.ts';
import { groupMembers, processUsage } from './procfs.ts';
import type { ContainerRecord } from './state.ts';

export interface CpuSample {
  cpuNs: number;
  at: bigint;
}

/** Bytes and inodes under `dir`, stopping after `limit` entries (a huge folder is not walked whole). */
function folderUsage(dir: string, limit = 10_000): { bytes: number; inodes: number } {
  let bytes = 0;
  let inodes = 0;
  const walk = (path: string) => {
    if (inodes >= limit) return;
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      return;
    }
    inodes++;
    bytes += stats.size;
    if (stats.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) walk(join(path, name));
    }
  };
  walk(dir);
  return { bytes, inodes };
}

export function containerStats(input: { record: ContainerRecord; cgroup?: ContainerCgroup; previous?: CpuSample; rootfs: string }): { stats: ContainerStats; sample?: CpuSample } {
  const { record } = input;
  const at = nowNs();
  const attributes = { id: record.id, metadata: record.config.metadata, labels: { ...(record.config.labels ?? {}) }, annotations: { ...(record.config.annotations ?? {}) } };
  const layer = folderUsage(input.rootfs);
  const stats: ContainerStats = { attributes, writableLayer: { timestamp: at, fsId: { mountpoint: input.rootfs }, usedBytes: { value: layer.bytes }, inodesUsed: { value: layer.inodes } } };
  if (record.state !== 'CONTAINER_RUNNING') return { stats };
  let cpuNs: number | undefined;
  if (input.cgroup) {
    const usage = input.cgroup.usage();
    cpuNs = usage.cpuNs;
    stats.memory = {
      timestamp: at,
      ...(usage.workingSet !== undefined ? { workingSetBytes: { value: usage.workingSet } } : {}),
      ...(usage.memoryUsage !== undefined ? { usageBytes: { value: usage.memoryUsage } } : {}),
      ...(usage.rss !== undefined ? { rssBytes: { value: usage.rss } } : {}),
      ...(usage.pageFaults !== undefined ? { pageFaults: { value: usage.pageFaults } } : {}),
      ...(usage.majorPageFaults !== undefined ? { majorPageFaults: { value: usage.majorPageFaults } } : {}),
      ...(usage.limit !== undefined && usage.workingSet !== undefined ? { availableBytes: { value: Math.max(0, usage.limit - usage.workingSet) } } : {}),
    };
  } else {
    const usage = processUsage(groupMembers(record.pid));
    if (usage) {
      cpuNs = usage.cpuNs;
      stats.memory = { timestamp: at, workingSetBytes: { value: usage.rss }, usageBytes: { value: usage.rss }, rssBytes: { value: usage.rss } };
    }
  }
  if (cpuNs === undefined) return { stats };
  stats.cpu = { timestamp: at, usageCoreNanoSeconds: { value: cpuNs } };
  const previous = input.previous;
  if (previous && at > previous.at && cpuNs >= previous.cpuNs) {
    stats.cpu.usageNanoCores = { value: Math.round(((cpuNs - previous.cpuNs) * 1e9) / Number(at - previous.at)) };
  }
  return { stats, sample: { cpuNs, at } };
}
