/**
 * File I/O helpers for the durable store (given plumbing, thin on purpose): an append-only log file
 * with fdatasync, durable whole-file writes (temp file, fsync, rename, fsync of the folder), and the
 * data folder's layout.
 *
 * Layout of a data dir:
 *   wal/<first index, 16 hex digits>.wal    log segments; a new one starts after each snapshot
 *   snap/<last index, 16 hex digits>.snap   snapshots; only the newest is kept
 *   lock                                    the pid of the process that has the store open
 *
 * `chunkBytes` (tests only) splits every append into writes of at most that many bytes, so that a
 * process killed mid-append leaves a record cut short on disk, as a crash at the wrong moment does.
 */
import { writeSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, truncate, mkdir, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
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
      for (let offset = 0; offset < bytes.length; ) {
        const { bytesWritten } = await this.handle.write(bytes, offset, Math.min(this.chunkBytes, bytes.length - offset));
        offset += bytesWritten;
      }
      return;
    }
    // One write() into the page cache takes microseconds: done in place, it saves a trip through
    // the thread pool (and a wake-up of this thread) per batch. The fsync that follows is the slow
    // part, and it stays off the event loop.
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.handle.fd, bytes, offset, bytes.length - offset);
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
