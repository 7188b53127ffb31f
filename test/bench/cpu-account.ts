/**
 * CPU time of a command and of everything it starts, for benchmarks: user + system time of every
 * process, including those that leave the command's process tree (a grader child in a session of
 * its own, killed and reaped by init, never shows in the command's rusage).
 *
 * It uses a cgroup of its own (`kubelings-bench-<pid>`): cgroup v1's cpuacct controller
 * (cpuacct.usage, ns) or the v2 hierarchy (cpu.stat usage_usec). The command joins it through a
 * shell (`echo $$ > cgroup.procs; exec …`) before it runs, so nothing it forks escapes. Where no
 * cgroup can be made (not root, not Linux, read-only mount) `cpuMs` is undefined: the bench then
 * says so, and never reports a partial figure as the whole.
 *
 * Invariant: the cgroup is removed by close(); it holds no process by then (commands have ended).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Measured {
  wallMs: number;
  /** User + system CPU of the command and everything it started, in ms (undefined: not measurable here). */
  cpuMs?: number;
  status: number | null;
}

export class CpuAccount {
  private readonly dir: string | undefined;
  private readonly usageFile: string | undefined;
  private readonly v2: boolean;

  constructor() {
    const name = `kubelings-bench-${process.pid}`;
    const candidates: [string, string, boolean][] = [
      ['/sys/fs/cgroup/cpuacct', 'cpuacct.usage', false],
      ['/sys/fs/cgroup/unified', 'cpu.stat', true],
      ['/sys/fs/cgroup', 'cpu.stat', true],
    ];
    let made: [string, string, boolean] | undefined;
    for (const [root, file, v2] of candidates) {
      if (!existsSync(join(root, v2 ? 'cgroup.procs' : file))) continue;
      try {
        const dir = join(root, name);
        mkdirSync(dir);
        if (!existsSync(join(dir, file))) {
          rmdirSync(dir);
          continue;
        }
        made = [dir, join(dir, file), v2];
        break;
      } catch {
        // Not writable here: try the next.
      }
    }
    this.dir = made?.[0];
    this.usageFile = made?.[1];
    this.v2 = made?.[2] ?? false;
  }

  /** True when CPU time can be measured. */
  get available(): boolean {
    return this.dir !== undefined;
  }

  /** CPU used so far by the cgroup's processes, in ms. */
  usageMs(): number | undefined {
    if (!this.usageFile) return undefined;
    try {
      const text = readFileSync(this.usageFile, 'utf8');
      if (!this.v2) return Number(text.trim()) / 1e6;
      const us = /usage_usec (\d+)/.exec(text)?.[1];
      return us === undefined ? undefined : Number(us) / 1000;
    } catch {
      return undefined;
    }
  }

  /** Runs `command args` to its end inside the cgroup; wall time, and CPU of all its processes. */
  run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Measured {
    const before = this.usageMs();
    const started = process.hrtime.bigint();
    const result = this.dir
      ? spawnSync('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.dir, command, ...args], { ...options, stdio: 'ignore' })
      : spawnSync(command, args, { ...options, stdio: 'ignore' });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const after = this.usageMs();
    return { wallMs, cpuMs: before !== undefined && after !== undefined ? after - before : undefined, status: result.status };
  }

  /**
   * Puts this process in the cgroup for the length of `f` (and the children it starts meanwhile),
   * then back where it was: the CPU of in-process work plus its children, such as a warm runner's.
   */
  async within<T>(f: () => Promise<T>): Promise<T> {
    if (!this.dir) return f();
    const own = ownCgroupProcs(this.v2);
    writeFileSync(join(this.dir, 'cgroup.procs'), String(process.pid));
    try {
      return await f();
    } finally {
      if (own) writeFileSync(own, String(process.pid));
    }
  }

  /** Removes the cgroup (waiting briefly for processes that are still ending). */
  close(): void {
    if (!this.dir) return;
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(this.dir);
        return;
      } catch {
        spawnSync('sleep', ['0.1']);
      }
    }
  }
}

/** This process's own cgroup.procs file, to come back to after within(). */
function ownCgroupProcs(v2: boolean): string | undefined {
  try {
    const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    const line = lines.find((l) => (v2 ? l.startsWith('0::') : l.split(':')[1]?.split(',').includes('cpuacct')));
    const path = line?.split(':').slice(2).join(':');
    if (path === undefined) return undefined;
    const root = v2 ? (existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup') : '/sys/fs/cgroup/cpuacct';
    return join(root, path, 'cgroup.procs');
  } catch {
    return undefined;
  }
}
