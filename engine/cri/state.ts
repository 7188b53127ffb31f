/**
 * The runtime's state folder, which outlives the process that owns it (so that a crash leaves
 * enough on disk to kill what it started, and a restart finds its sandboxes and their addresses):
 *
 *   <root>/owner.json                  pid and start time of the owning process (one owner per root)
 *   <root>/runtime-id                  this root's id: the cgroup folder name and the environment
 *                                      marker (KUBELINGS_RUNTIME_ID) of every process it starts
 *   <root>/sandboxes/<id>.json         one record per pod sandbox
 *   <root>/containers/<id>/container.json  one record per container (its pid and start time, its
 *                                      cgroup folders)
 *   <root>/containers/<id>/rootfs/     the container's working folder
 *   <root>/containers/<id>/execs/<pid>.json  one file per exec process while it runs
 *   <root>/cni/<network>/              host-local's address files (engine/cni/host-local.ts)
 *   <root>/pods/<ns>_<name>_<uid>/     container logs when the kubelet gives no log directory
 *
 * Invariants: every record is written to a temporary file and renamed, so a reader sees the old
 * record or the new one, never half of one; a record that cannot be read is moved aside
 * (`*.corrupt`) and named in the warnings, never silently dropped; bigint timestamps are stored as
 * decimal strings.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CniResult } from '../cni/types.ts';
import type { ContainerConfig, ContainerState, ListenAddress, PodSandboxConfig, PodSandboxState } from './api.ts';

export interface OwnerRecord {
  pid: number;
  startTime?: string;
  startedAt: string;
}

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  runtimeHandler: string;
  createdAt: bigint;
  state: PodSandboxState;
  logDirectory: string;
  /** What the CNI plugin's ADD gave (kept after DEL, with `released`). */
  network?: { ip: string; ifName: string; result: CniResult; released: boolean };
  /** Kernel mode: the sandbox's network namespace (under /var/run/netns), while it exists. */
  netns?: string;
}

export interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  /** The built-in image's name (`nginx`). */
  imageName: string;
  imageRef: string;
  imageId: string;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  state: ContainerState;
  exitCode: number;
  reason: string;
  message: string;
  pid: number;
  pidStartTime?: string;
  logPath: string;
  /** The working folder (cwd) inside the container's folder. */
  workDir: string;
  cgroupDirs: string[];
  resourcesEnforced: boolean;
  resourcesReason?: string;
  listen?: ListenAddress;
  warnings: string[];
}

const BIGINT_FIELDS = ['createdAt', 'startedAt', 'finishedAt'] as const;

function encode(record: object): string {
  return JSON.stringify(record, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2);
}

function decode<T>(text: string): T {
  const record = JSON.parse(text) as Record<string, unknown>;
  for (const field of BIGINT_FIELDS) if (typeof record[field] === 'string') record[field] = BigInt(record[field] as string);
  return record as T;
}

/** Writes `text` to `file` through a temporary file and a rename. */
export function writeAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
}

export class RuntimeState {
  readonly warnings: string[] = [];

  constructor(readonly root: string) {
    for (const dir of ['sandboxes', 'containers', 'cni', 'pods']) mkdirSync(join(root, dir), { recursive: true });
  }

  /** This root's id, made on first use. */
  runtimeId(): string {
    const file = join(this.root, 'runtime-id');
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{12}$/.test(id)) return id;
    } catch {
      // made below
    }
    const id = randomBytes(6).toString('hex');
    writeAtomic(file, id);
    return id;
  }

  readOwner(): OwnerRecord | undefined {
    return readOwner(this.root);
  }

  writeOwner(owner: OwnerRecord): void {
    writeAtomic(join(this.root, 'owner.json'), encode(owner));
  }

  removeOwner(): void {
    rmSync(join(this.root, 'owner.json'), { force: true });
  }

  containerDir(id: string): string {
    return join(this.root, 'containers', id);
  }

  saveSandbox(record: SandboxRecord): void {
    writeAtomic(join(this.root, 'sandboxes', `${record.id}.json`), encode(record));
  }

  removeSandbox(id: string): void {
    rmSync(join(this.root, 'sandboxes', `${id}.json`), { force: true });
  }

  saveContainer(record: ContainerRecord): void {
    mkdirSync(this.containerDir(record.id), { recursive: true });
    writeAtomic(join(this.containerDir(record.id), 'container.json'), encode(record));
  }

  removeContainer(id: string): void {
    rmSync(this.containerDir(id), { recursive: true, force: true });
  }

  private aside(file: string, error: unknown): void {
    const corrupt = `${file}.corrupt`;
    try {
      renameSync(file, corrupt);
    } catch {
      // leave it where it is
    }
    this.warnings.push(`unreadable runtime record ${file} (${(error as Error).message}): moved aside to ${corrupt}`);
  }

  loadSandboxes(): SandboxRecord[] {
    const dir = join(this.root, 'sandboxes');
    const out: SandboxRecord[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      try {
        const record = decode<SandboxRecord>(readFileSync(join(dir, name), 'utf8'));
        if (typeof record.id !== 'string' || !record.config?.metadata) throw new Error('not a sandbox record');
        out.push(record);
      } catch (error) {
        this.aside(join(dir, name), error);
      }
    }
    return out;
  }

  loadContainers(): ContainerRecord[] {
    const out: ContainerRecord[] = [];
    for (const name of readdirSync(join(this.root, 'containers'))) {
      const file = join(this.containerDir(name), 'container.json');
      if (!existsSync(file)) continue;
      try {
        const record = decode<ContainerRecord>(readFileSync(file, 'utf8'));
        if (typeof record.id !== 'string' || !record.config?.metadata) throw new Error('not a container record');
        out.push(record);
      } catch (error) {
        this.aside(file, error);
      }
    }
    return out;
  }

  /** The exec processes recorded for a container: pid and start time. */
  execRecords(containerId: string): { pid: number; startTime?: string }[] {
    const dir = join(this.containerDir(containerId), 'execs');
    try {
      return readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => {
          try {
            return JSON.parse(readFileSync(join(dir, n), 'utf8')) as { pid: number; startTime?: string };
          } catch {
            return { pid: Number(n.slice(0, -5)) };
          }
        });
    } catch {
      return [];
    }
  }

  saveExec(containerId: string, pid: number, startTime: string | undefined): void {
    const dir = join(this.containerDir(containerId), 'execs');
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, `${pid}.json`), JSON.stringify({ pid, startTime }));
  }

  removeExec(containerId: string, pid: number): void {
    rmSync(join(this.containerDir(containerId), 'execs', `${pid}.json`), { force: true });
  }
}

/** The owner record of a root, if any (unreadable counts as none). */
export function readOwner(root: string): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(root, 'owner.json'), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}
