/**
 * What this machine offers a node, read once at the kubelet's start as cAdvisor's MachineInfo is:
 * cores (os.availableParallelism), memory (os.totalmem), the disk under the kubelet's root
 * (statfs), the kernel and OS for nodeInfo. Pure readers of the machine: no API calls, no state.
 * Capacity is written as the kubelet writes it: cpu in cores, memory and ephemeral-storage in Ki.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, arch, hostname, release, totalmem, type } from 'node:os';
import { KUBELET_MAX_PODS } from '../params.ts';

export interface MachineInfo {
  cores: number;
  memoryBytes: number;
  /** Bytes of the filesystem that holds the kubelet's root (0 when it cannot be read). */
  diskBytes: number;
  machineID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** GOARCH names: amd64, arm64. */
  architecture: string;
  operatingSystem: string;
  hostname: string;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME of /etc/os-release, as the kubelet's osImage. */
function osImage(): string {
  const text = readTrimmed('/etc/os-release');
  const line = text.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  return line ? line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '') : `${type()} ${release()}`;
}

/** node's arch names in Go's GOARCH words. */
function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

export function readMachineInfo(root: string): MachineInfo {
  let diskBytes = 0;
  try {
    const fs = statfsSync(root);
    diskBytes = fs.blocks * fs.bsize;
  } catch {
    diskBytes = 0;
  }
  return {
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    diskBytes,
    machineID: readTrimmed('/etc/machine-id'),
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch(),
    operatingSystem: process.platform === 'win32' ? 'windows' : process.platform,
    hostname: hostname(),
  };
}

/** The node's capacity as the kubelet reports it (cpu cores, memory and disk in Ki, --max-pods). */
export function machineCapacity(machine: MachineInfo, maxPods = KUBELET_MAX_PODS): Record<string, string> {
  return {
    cpu: String(machine.cores),
    memory: `${Math.floor(machine.memoryBytes / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(machine.diskBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    pods: String(maxPods),
  };
}
