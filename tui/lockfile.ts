/**
 * A lock file that serialises short read-modify-write sections across processes (the TUI, a
 * `check` in another terminal, a `watch`): `withFileLock(lock, fn)` runs `fn` while it holds
 * `<lock>`, created with O_EXCL so that exactly one process can create it.
 *
 * Invariants:
 * - the lock file holds its owner's pid; a lock whose owner is gone (killed mid-update) or that is
 *   older than LOCK_STALE_MS (no section lasts that long) is stale and taken over;
 * - a take-over renames the stale file away first and checks that what it renamed is the stale
 *   lock it judged, so two processes taking over at once do not both win;
 * - waiting is synchronous and bounded (LOCK_WAIT_MS): a lock that cannot be had is an error the
 *   caller reports, never a hang.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { LOCK_STALE_MS, LOCK_WAIT_MS } from '#engine/params.ts';
import { isProcessAlive } from '#engine/processes.ts';

export class LockTimeout extends Error {
  constructor(lock: string, holder: string) {
    super(`${lock} stayed locked for ${LOCK_WAIT_MS / 1000} s (held by ${holder || 'an unknown process'})`);
    this.name = 'LockTimeout';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Runs `fn` holding `lock`; throws LockTimeout when the lock cannot be had in LOCK_WAIT_MS. */
export function withFileLock<T>(lock: string, fn: () => T): T {
  acquire(lock);
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // Taken over as stale while we held it (we were very slow): nothing of ours to remove.
    }
  }
}

function acquire(lock: string): void {
  const started = Date.now();
  let pause = 1;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(lock);
    if (holder && isStale(holder)) takeOver(lock, holder);
    else if (Date.now() - started > LOCK_WAIT_MS) throw new LockTimeout(lock, holder?.text.trim() ?? '');
    else {
      sleepSync(pause);
      pause = Math.min(pause * 2, 20);
    }
  }
}

interface Holder {
  text: string;
  pid: number;
  mtimeMs: number;
  ino: number;
}

function readHolder(lock: string): Holder | undefined {
  try {
    const stat = statSync(lock);
    const text = readFileSync(lock, 'utf8');
    return { text, pid: Number.parseInt(text, 10), mtimeMs: stat.mtimeMs, ino: stat.ino };
  } catch {
    return undefined; // released meanwhile: try again at once
  }
}

function isStale(holder: Holder): boolean {
  // A lock just created may not hold its pid yet: only its age can make it stale.
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return Date.now() - holder.mtimeMs > LOCK_STALE_MS;
  return !isProcessAlive(holder.pid) || Date.now() - holder.mtimeMs > LOCK_STALE_MS;
}

/** Moves a stale lock away; puts it back if what moved was a fresh lock taken meanwhile. */
function takeOver(lock: string, stale: Holder): void {
  const aside = `${lock}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else took it over first
  }
  let moved: number | undefined;
  try {
    moved = statSync(aside).ino;
  } catch {}
  if (moved !== stale.ino) {
    // Not the lock we judged stale: hand it back, unless yet another lock exists by now.
    try {
      linkSync(aside, lock);
    } catch {}
    try {
      unlinkSync(aside);
    } catch {}
    return;
  }
  try {
    unlinkSync(aside);
  } catch {}
}
