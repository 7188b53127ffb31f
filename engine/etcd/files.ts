/**
 * File I/O helpers for the durable store (given plumbing, thin on purpose): an append-only log file
 * with fdatasync, durable whole-file writes (temp file, fsync, rename, fsync of the folder), and the
 * data folder's layout.
 *
 * Layout of a data dir:
 *   wal/<first index, 16 hex digits>.wal    log segments; a new one starts after each snapshot
 *   snap/<last index, 16 hex digits>.snap   snapshots; the newest SNAPSHOTS_KEPT are kept
 *   <name>.broken-<time>                    (in wal/ or snap/) bytes recovery or repair cut or set
 *                                           aside: never read again, never removed by the store
 *   format                                  the data dir's format ("kubelings-wal 2"), written once
 *   clean-shutdown                          written by close(), removed by the next open: says where
 *                                           the log ended, so that a log cut short while the store
 *                                           was stopped reads as damage, not as a crash's torn write
 *   lock                                    the pid of the process that has the store open
 *
 * `chunkBytes` (tests only) splits every append into writes of at most that many bytes, so that a
 * process killed mid-append leaves a record cut short on disk, as a crash at the wrong moment does.
 */
import { writeSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat, truncate, mkdir, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { KubelingsError } from '../errors.ts';
import { isProcessAlive } from '../processes.ts';

export const WAL_DIR = 'wal';
export const SNAP_DIR = 'snap';

export function indexName(index: number, extension: string): string {
  return `${index.toString(16).padStart(16, '0')}${extension}`;
}

export function indexOfName(name: string): number {
  return Number.parseInt(name.slice(0, 16), 16);
}

/** An append-only file: append() then sync() makes bytes durable. */
export class AppendFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly chunkBytes: number,
  ) {}

  static async open(path: string, chunkBytes = 0): Promise<AppendFile> {
    return new AppendFile(await open(path, 'a'), path, chunkBytes);
  }

  async append(bytes: Uint8Array): Promise<void> {
    if (this.chunkBytes > 0) {
      for (let offset = 0; offset < bytes.length;) {
        const { bytesWritten } = await this.handle.write(bytes, offset, Math.min(this.chunkBytes, bytes.length - offset));
        offset += bytesWritten;
      }
      return;
    }
    // One write() into the page cache takes microseconds: done in place, it saves a trip through
    // the thread pool (and a wake-up of this thread) per batch. The fsync that follows is the slow
    // part, and it stays off the event loop.
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.handle.fd, bytes, offset, bytes.length - offset);
  }

  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Makes a folder's entries (new, renamed or removed files) durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a whole file so that after a crash it is either complete or absent. */
export async function writeFileDurably(path: string, bytes: Uint8Array, dir: string): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.write(bytes, 0, bytes.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDir(dir);
}

/** Creates the data dir's folders; removes temp files a crash left behind. */
export async function prepareDataDir(dataDir: string): Promise<void> {
  for (const sub of [WAL_DIR, SNAP_DIR]) {
    const dir = join(dataDir, sub);
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) if (name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
  }
}

/** The names of the files of one kind in a folder, sorted (= by index). */
export async function listIndexedFiles(dir: string, extension: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(extension) && /^[0-9a-f]{16}\./.test(n)).sort();
}

/** The files of one kind in a folder, sorted by name (= by index), with their bytes. */
export async function readIndexedFiles(dir: string, extension: string): Promise<{ name: string; index: number; bytes: Uint8Array }[]> {
  const names = await listIndexedFiles(dir, extension);
  return Promise.all(names.map(async (name) => ({ name, index: indexOfName(name), bytes: new Uint8Array(await readFile(join(dir, name))) })));
}

/** The size of a file in bytes. */
export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

/**
 * The name a file's cut or damaged bytes are kept under, next to it: `<name>.broken-<UTC time>`,
 * with `-2`, `-3`, ... when that name is taken (two recoveries in one second).
 */
export async function brokenName(dir: string, name: string, now: number): Promise<string> {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const taken = new Set(await readdir(dir));
  let candidate = `${name}.broken-${stamp}`;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}.broken-${stamp}-${n}`;
  return candidate;
}

/**
 * Keeps the bytes of `dir/name` from byte `from` to its end in a new file (see brokenName), durably,
 * before anything cuts them. Returns the new file's name and how many bytes it holds.
 */
export async function keepAside(dir: string, name: string, from: number, now: number): Promise<{ name: string; bytes: number }> {
  const bytes = new Uint8Array(await readFile(join(dir, name))).subarray(from);
  const kept = await brokenName(dir, name, now);
  await writeFileDurably(join(dir, kept), bytes, dir);
  return { name: kept, bytes: bytes.length };
}

/** Moves a whole file aside (see brokenName), durably; returns its new name. */
export async function moveAside(dir: string, name: string, now: number): Promise<string> {
  const kept = await brokenName(dir, name, now);
  await rename(join(dir, name), join(dir, kept));
  await syncDir(dir);
  return kept;
}

export async function truncateFile(path: string, length: number): Promise<void> {
  await truncate(path, length);
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function removeFiles(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) await rm(join(dir, name), { force: true });
  if (names.length > 0) await syncDir(dir);
}

/** Where the log ended when the store was last closed cleanly (the `clean-shutdown` file). */
export interface CleanShutdown {
  /** The last segment's name. */
  segment: string;
  /** Its length in bytes. */
  length: number;
  /** The index of the last log entry (0: none was ever written). */
  lastIndex: number;
}

export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown';

export async function writeCleanShutdown(dataDir: string, marker: CleanShutdown): Promise<void> {
  await writeFileDurably(join(dataDir, CLEAN_SHUTDOWN_FILE), new TextEncoder().encode(`${JSON.stringify(marker)}\n`), dataDir);
}

/**
 * The clean-shutdown record, if the store was closed cleanly since it last ran; `'unreadable'`
 * when the file is there but is not one.
 */
export async function readCleanShutdown(dataDir: string): Promise<CleanShutdown | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, CLEAN_SHUTDOWN_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<CleanShutdown>;
    if (typeof value.segment === 'string' && Number.isSafeInteger(value.length) && Number.isSafeInteger(value.lastIndex)) return value as CleanShutdown;
  } catch {
    // fall through
  }
  return 'unreadable';
}

export async function removeCleanShutdown(dataDir: string): Promise<void> {
  await removeFiles(dataDir, [CLEAN_SHUTDOWN_FILE]);
}

/** The format this code writes: 12-byte record headers with their own checksum. */
export const DATA_FORMAT = 'kubelings-wal 2';
const FORMAT_FILE = 'format';

/**
 * Checks (or, for a new data dir, records) the data dir's format. A data dir with log or snapshot
 * files and no format file was written by an older kubelings, whose records this code cannot read:
 * refused with what to do, rather than read as damage.
 */
export async function checkDataFormat(dataDir: string): Promise<void> {
  const file = join(dataDir, FORMAT_FILE);
  let found: string | undefined;
  try {
    found = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (found === DATA_FORMAT) return;
  if (found === undefined) {
    const used = (await listIndexedFiles(join(dataDir, WAL_DIR), '.wal')).length + (await listIndexedFiles(join(dataDir, SNAP_DIR), '.snap')).length > 0;
    if (!used) {
      await writeFileDurably(file, new TextEncoder().encode(`${DATA_FORMAT}\n`), dataDir);
      return;
    }
  }
  throw new KubelingsError(
    `${dataDir} was written by ${found === undefined ? 'an older version of kubelings' : `another format ("${found}")`}, whose log this version cannot read ` +
      `(it expects "${DATA_FORMAT}"). Move the folder away to start with an empty store (mv ${dataDir} ${dataDir}.old); nothing in it was changed.`,
  );
}

/**
 * Takes the data dir for this process: two stores writing one log would corrupt it. A lock left
 * by a process that no longer runs (killed) is taken over. Returns the function that releases it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) {
        throw new Error(`${dataDir} is in use by ${owner === process.pid ? 'another store in this process' : `process ${owner}`}: one store per data dir`);
      }
      await rm(file, { force: true }); // left by a process that is gone
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
