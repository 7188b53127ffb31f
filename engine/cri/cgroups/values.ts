/**
 * From a container's resources to cgroup files, as the kubelet and runc compute them:
 * - the kubelet (pkg/kubelet/cm/helpers_linux.go) turns requests.cpu into cpu shares (1024 per
 *   cpu, at least 2) and limits.cpu into a CFS quota over a 100 ms period (at least 1 ms);
 *   limits.memory is the memory limit (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go);
 * - runc writes them to cgroup v1 (cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us,
 *   memory.limit_in_bytes, and memory.memsw.limit_in_bytes equal to it so that swap does not stretch
 *   the limit) or to cgroup v2 (cpu.weight from the shares by runc's linear map, cpu.max
 *   "<quota> <period>", memory.max, memory.swap.max 0), plus any `unified` entries as given.
 * Pure functions: no file is touched here.
 */
import type { LinuxContainerResources } from '../api.ts';

export const MIN_SHARES = 2;
export const MAX_SHARES = 262_144;
export const SHARES_PER_CPU = 1024;
export const MIN_QUOTA_PERIOD_US = 1000;

/** The kubelet's MilliCPUToShares. */
export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu <= 0) return MIN_SHARES;
  const shares = Math.floor((milliCpu * SHARES_PER_CPU) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** The kubelet's MilliCPUToQuota: 0 (no quota) for no limit. */
export function milliCpuToQuota(milliCpu: number, periodUs: number): number {
  if (milliCpu <= 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD_US, Math.floor((milliCpu * periodUs) / 1000));
}

/** runc's ConvertCPUSharesToCgroupV2Value: shares 2..262144 onto weight 1..10000. */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262_142);
}

export interface CgroupWrite {
  /** The v1 controller whose folder holds the file (unused for v2). */
  controller: 'cpu' | 'memory' | '';
  file: string;
  value: string;
}

/** The v1 files to write, in order (the memory limit before memsw, which may not be lower). */
export function v1Writes(resources: LinuxContainerResources): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  if (resources.cpuShares) out.push({ controller: 'cpu', file: 'cpu.shares', value: String(resources.cpuShares) });
  if (resources.cpuPeriod) out.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(resources.cpuPeriod) });
  if (resources.cpuQuota) out.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(resources.cpuQuota) });
  if (resources.memoryLimitInBytes) {
    out.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(resources.memoryLimitInBytes) });
    out.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(resources.memoryLimitInBytes) });
  }
  return out;
}

/** The v2 files to write, in order. */
export function v2Writes(resources: LinuxContainerResources, defaultPeriodUs: number): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  if (resources.cpuShares) out.push({ controller: '', file: 'cpu.weight', value: String(sharesToWeight(resources.cpuShares)) });
  if (resources.cpuQuota || resources.cpuPeriod) {
    const quota = resources.cpuQuota && resources.cpuQuota > 0 ? String(resources.cpuQuota) : 'max';
    out.push({ controller: '', file: 'cpu.max', value: `${quota} ${resources.cpuPeriod || defaultPeriodUs}` });
  }
  if (resources.memoryLimitInBytes) {
    out.push({ controller: '', file: 'memory.max', value: String(resources.memoryLimitInBytes) });
    out.push({ controller: '', file: 'memory.swap.max', value: '0' });
  }
  for (const [file, value] of Object.entries(resources.unified ?? {})) out.push({ controller: '', file, value });
  return out;
}
