/**
 * The runtime's cgroups: one folder per runtime (`kubelings-<runtime id>`) under the runtime's own
 * cgroup, and one per container inside it, in each v1 controller used (cpu, cpuacct, memory) or
 * once in the v2 hierarchy. The container's process joins its cgroup before its program runs (see
 * joinCommand), so that nothing it forks escapes the limits.
 *
 * Invariants:
 * - a folder is removed only once its cgroup.procs is empty (the kernel refuses otherwise);
 * - killAll() kills every process listed in the container's cgroup, including any that left its
 *   process group (setsid), and waits until the list is empty;
 * - when the hierarchy cannot be used (a v2 parent holding processes cannot delegate its
 *   controllers, a read-only mount…), the driver says why and the runtime reports the limits as
 *   not enforced; it never pretends.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CGROUP_CPU_PERIOD_US } from '../../params.ts';
import type { LinuxContainerResources } from '../api.ts';
import type { CgroupDriverName, CgroupLayout } from './detect.ts';
import { v1Writes, v2Writes } from './values.ts';

export interface CgroupUsage {
  cpuNs?: number;
  memoryUsage?: number;
  workingSet?: number;
  rss?: number;
  pageFaults?: number;
  majorPageFaults?: number;
  limit?: number;
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
function readKeyed(file: string): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [key, value] = line.trim().split(/\s+/);
      if (key && value !== undefined && Number.isFinite(Number(value))) out.set(key, Number(value));
    }
  } catch {
    // absent: no values
  }
  return out;
}

/** The pids listed in the cgroup.procs of these folders. */
export function cgroupPids(dirs: string[]): number[] {
  const out = new Set<number>();
  for (const dir of dirs) {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line.trim()) out.add(Number(line));
    } catch {
      // gone
    }
  }
  return [...out];
}

/** The folder and every cgroup folder below it, deepest first. */
function cgroupTree(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) out.push(...cgroupTree(join(dir, entry.name)));
  } catch {
    return [];
  }
  out.push(dir);
  return out;
}

/**
 * SIGKILLs every process in the folders and the cgroups below them until none is left (or the
 * deadline passes); then removes the folders, deepest first.
 */
export async function killCgroupDirs(roots: string[], deadlineMs = 10_000): Promise<{ removed: string[]; left: string[] }> {
  const dirs = [...new Set(roots.flatMap(cgroupTree))];
  const until = Date.now() + deadlineMs;
  for (;;) {
    const pids = cgroupPids(dirs);
    if (pids.length === 0 || Date.now() > until) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(20);
  }
  const removed: string[] = [];
  const left: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    try {
      rmdirSync(dir);
      removed.push(dir);
    } catch {
      left.push(dir);
    }
  }
  return { removed, left };
}

/** One container's cgroup. */
export class ContainerCgroup {
  constructor(
    readonly driver: Exclude<CgroupDriverName, 'none'>,
    /** Folders: v1 one per controller (cpu, cpuacct, memory, deduplicated), v2 one. */
    readonly dirs: string[],
    private readonly byController: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'unified', string>>,
  ) {}

  /** The cgroup.procs files the process writes its pid into to join. */
  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  /** How many times the kernel's OOM killer killed a process of this cgroup. */
  oomKills(): number {
    if (this.driver === 'cgroupv1') return readKeyed(join(this.byController.memory!, 'memory.oom_control')).get('oom_kill') ?? 0;
    return readKeyed(join(this.byController.unified!, 'memory.events')).get('oom_kill') ?? 0;
  }

  usage(): CgroupUsage {
    if (this.driver === 'cgroupv1') {
      const memory = this.byController.memory!;
      const stat = readKeyed(join(memory, 'memory.stat'));
      const usage = readNumber(join(memory, 'memory.usage_in_bytes'));
      const inactive = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
      const limit = readNumber(join(memory, 'memory.limit_in_bytes'));
      return {
        cpuNs: readNumber(join(this.byController.cpuacct ?? this.byController.cpu!, 'cpuacct.usage')),
        memoryUsage: usage,
        workingSet: usage === undefined ? undefined : Math.max(0, usage - inactive),
        rss: stat.get('total_rss') ?? stat.get('rss'),
        pageFaults: stat.get('total_pgfault') ?? stat.get('pgfault'),
        majorPageFaults: stat.get('total_pgmajfault') ?? stat.get('pgmajfault'),
        ...(limit !== undefined && limit < 2 ** 62 ? { limit } : {}),
      };
    }
    const dir = this.byController.unified!;
    const stat = readKeyed(join(dir, 'memory.stat'));
    const usage = readNumber(join(dir, 'memory.current'));
    const usec = readKeyed(join(dir, 'cpu.stat')).get('usage_usec');
    const limit = readNumber(join(dir, 'memory.max'));
    return {
      cpuNs: usec === undefined ? undefined : usec * 1000,
      memoryUsage: usage,
      workingSet: usage === undefined ? undefined : Math.max(0, usage - (stat.get('inactive_file') ?? 0)),
      rss: stat.get('anon'),
      pageFaults: stat.get('pgfault'),
      majorPageFaults: stat.get('pgmajfault'),
      ...(limit !== undefined ? { limit } : {}),
    };
  }

  pids(): number[] {
    return cgroupPids(this.dirs);
  }

  /** Kills every process in the cgroup and removes its folders. */
  async destroy(): Promise<{ left: string[] }> {
    return killCgroupDirs(this.dirs);
  }
}

export class CgroupDriver {
  readonly driver: CgroupDriverName;
  readonly reason: string | undefined;
  /** The runtime's own folders (parents of the containers'). */
  readonly baseDirs: string[];
  private readonly base: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'unified', string>>;

  constructor(layout: CgroupLayout, groupName: string) {
    let driver = layout.driver;
    let reason = layout.reason;
    const base: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'unified', string>> = {};
    try {
      if (driver === 'cgroupv1') {
        for (const [controller, own] of Object.entries(layout.own) as ['cpu' | 'cpuacct' | 'memory', string][]) {
          base[controller] = join(own, groupName);
          mkdirSync(base[controller]!, { recursive: true });
        }
      } else if (driver === 'cgroupv2') {
        const own = layout.own.unified!;
        const available = readFileSync(join(own, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
        const missing = ['cpu', 'memory'].filter((c) => !available.includes(c));
        if (missing.length > 0)
          throw new Error(`cgroup v2: ${own} does not offer the ${missing.join(' and ')} controller${missing.length > 1 ? 's' : ''} (its cgroup.controllers: "${available.join(' ')}")`);
        try {
          writeFileSync(join(own, 'cgroup.subtree_control'), '+cpu +memory');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new Error(
            code === 'EBUSY'
              ? `cgroup v2: the runtime's own cgroup ${own} holds processes, so it cannot hand the cpu and memory controllers to child cgroups (the no-internal-processes rule); start the node under a delegated cgroup (e.g. systemd-run --scope -p Delegate=yes)`
              : `cgroup v2: cannot enable cpu and memory in ${own}: ${(error as Error).message}`,
          );
        }
        base.unified = join(own, groupName);
        mkdirSync(base.unified, { recursive: true });
        writeFileSync(join(base.unified, 'cgroup.subtree_control'), '+cpu +memory');
      }
    } catch (error) {
      for (const dir of Object.values(base)) killCgroupDirs([dir]).catch(() => undefined);
      driver = 'none';
      reason = `${(error as Error).message}: cpu and memory limits are not enforced`;
      for (const key of Object.keys(base)) delete base[key as keyof typeof base];
    }
    this.driver = driver;
    this.reason = reason;
    this.base = base;
    this.baseDirs = [...new Set(Object.values(base))];
  }

  get enforced(): boolean {
    return this.driver !== 'none';
  }

  /** Creates the container's cgroup with its limits; throws a sentence when the kernel refuses. */
  create(containerId: string, resources: LinuxContainerResources): ContainerCgroup {
    if (this.driver === 'none') throw new Error(this.reason ?? 'cgroups are not available');
    const byController: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'unified', string>> = {};
    for (const [controller, dir] of Object.entries(this.base) as ['cpu' | 'cpuacct' | 'memory' | 'unified', string][]) byController[controller] = join(dir, containerId);
    const dirs = [...new Set(Object.values(byController))];
    for (const dir of dirs) mkdirSync(dir, { recursive: true });
    const cgroup = new ContainerCgroup(this.driver, dirs, byController);
    const writes = this.driver === 'cgroupv1' ? v1Writes(resources) : v2Writes(resources, CGROUP_CPU_PERIOD_US);
    try {
      for (const write of writes) {
        const dir = this.driver === 'cgroupv1' ? byController[write.controller as 'cpu' | 'memory']! : byController.unified!;
        const file = join(dir, write.file);
        // Swap accounting may be off (no memsw / swap.max file): then swap cannot stretch the limit anyway.
        if ((write.file === 'memory.memsw.limit_in_bytes' || write.file === 'memory.swap.max') && !existsSync(file)) continue;
        try {
          writeFileSync(file, write.value);
        } catch (error) {
          throw new Error(`cannot set ${write.file} to ${write.value} in ${dir}: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      void cgroup.destroy();
      throw error;
    }
    return cgroup;
  }

  /** Removes the runtime's own folders (once its containers' are gone). */
  async removeBase(): Promise<void> {
    await killCgroupDirs(this.baseDirs);
  }
}

/**
 * The command that joins the cgroups (writing its own pid into each cgroup.procs) and then execs
 * `argv`: the process is inside its limits before the program's first instruction. Exit code 125
 * (and a line on stderr) when joining fails.
 */
export function joinCommand(procsFiles: string[], argv: string[]): string[] {
  const script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return ['/bin/sh', '-c', script, 'kubelings-cgroup-join', ...procsFiles, '--', ...argv];
}
