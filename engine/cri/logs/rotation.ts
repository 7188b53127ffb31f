/**
 * Container log rotation, the kubelet's part (pkg/kubelet/logs/container_log_manager.go), kept
 * beside the runtime so that the later kubelet only starts it: every monitor interval, each running
 * container whose live log has reached the maximum size is rotated. Rotating one log:
 *   1. temporary and superseded files from an interrupted rotation are removed;
 *   2. the oldest rotated files are removed so that, with the live one and the one about to be
 *      made, at most maxFiles remain;
 *   3. rotated files not yet compressed are gzipped (`<log>.<stamp>.gz`);
 *   4. the live log is renamed to `<log>.<YYYYMMDD-HHMMSS>` and the runtime is asked to reopen it
 *      (ReopenContainerLog); if that fails, the rename is undone.
 * The newest rotated file stays uncompressed so that a reader following it can finish.
 *
 * Invariants: at most maxFiles files per container log after a rotation; never more than one
 * rename per log per second (a second rotation in the same second waits for the next pass, where
 * upstream would overwrite); `clean(containerId)` removes the live log and every rotated one.
 */
import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CONTAINER_LOG_MAX_FILES, CONTAINER_LOG_MAX_SIZE_BYTES } from '../../params.ts';
import type { RuntimeService } from '../api.ts';

const COMPRESS_SUFFIX = '.gz';
const TMP_SUFFIX = '.tmp';

export interface LogRotatePolicy {
  /** Rotate once the live log reaches this many bytes. */
  maxSizeBytes: number;
  /** Files kept per container log, the live one included; at least 2. */
  maxFiles: number;
}

type LogRuntime = Pick<RuntimeService, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>;

/** `20060102-150405` in local time, as the kubelet names rotated logs. */
export function rotationStamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

/** The rotated files of `log` (compressed or not, oldest first), without temporaries or superseded ones. */
function rotatedFiles(log: string): { inUse: string[]; unused: string[] } {
  const prefix = `${basename(log)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(log)).filter((n) => n.startsWith(prefix));
  } catch {
    return { inUse: [], unused: [] };
  }
  const all = names.map((n) => join(dirname(log), n));
  const inUse: string[] = [];
  const unused: string[] = [];
  for (const file of all) {
    if (file.endsWith(TMP_SUFFIX) || (!file.endsWith(COMPRESS_SUFFIX) && all.includes(file + COMPRESS_SUFFIX))) unused.push(file);
    else inUse.push(file);
  }
  return { inUse: inUse.sort(), unused };
}

/** Every file of a container log, oldest first, the live one last (the kubelet's GetAllLogs). */
export function allLogFiles(log: string): string[] {
  return [...rotatedFiles(log).inUse, log];
}

async function compress(file: string): Promise<void> {
  const temp = file + TMP_SUFFIX;
  try {
    await pipeline(createReadStream(file), createGzip(), createWriteStream(temp, { mode: 0o640 }));
    renameSync(temp, file + COMPRESS_SUFFIX);
    rmSync(file, { force: true });
  } finally {
    rmSync(temp, { force: true });
  }
}

export class ContainerLogManager {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The last error of a pass, per container (a pass never throws). */
  readonly errors = new Map<string, Error>();

  constructor(
    private readonly runtime: LogRuntime,
    private readonly policy: LogRotatePolicy = { maxSizeBytes: CONTAINER_LOG_MAX_SIZE_BYTES, maxFiles: CONTAINER_LOG_MAX_FILES },
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!Number.isInteger(policy.maxFiles) || policy.maxFiles <= 1) throw new Error(`invalid MaxFiles ${policy.maxFiles}, must be > 1`);
  }

  /** One pass over the running containers (what the kubelet does every monitor interval). */
  async rotateLogs(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      const { containers } = await this.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
      for (const container of containers) {
        try {
          await this.rotateIfNeeded(container.id);
          this.errors.delete(container.id);
        } catch (error) {
          this.errors.set(container.id, error as Error);
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async rotateIfNeeded(id: string): Promise<void> {
    const { status } = await this.runtime.containerStatus({ containerId: id });
    const log = status.logPath;
    let size: number;
    try {
      size = statSync(log).size;
    } catch {
      await this.runtime.reopenContainerLog({ containerId: id });
      size = statSync(log).size;
    }
    if (size < this.policy.maxSizeBytes) return;
    const rotated = `${log}.${rotationStamp(this.now())}`;
    if (existsSync(rotated) || existsSync(rotated + COMPRESS_SUFFIX)) return;
    const { inUse, unused } = rotatedFiles(log);
    for (const file of unused) rmSync(file, { force: true });
    const keep = Math.max(0, this.policy.maxFiles - 2);
    const excess = inUse.length - keep;
    for (const file of inUse.slice(0, Math.max(0, excess))) rmSync(file, { force: true });
    for (const file of inUse.slice(Math.max(0, excess))) if (!file.endsWith(COMPRESS_SUFFIX)) await compress(file);
    renameSync(log, rotated);
    try {
      await this.runtime.reopenContainerLog({ containerId: id });
    } catch (error) {
      renameSync(rotated, log);
      throw error;
    }
  }

  /** Rotates every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.rotateLogs(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Removes every file of the container's log (the kubelet does it when it removes the container). */
  async clean(containerId: string): Promise<void> {
    const { status } = await this.runtime.containerStatus({ containerId });
    for (const file of allLogFiles(status.logPath)) rmSync(file, { force: true });
    for (const file of rotatedFiles(status.logPath).unused) rmSync(file, { force: true });
  }
}
