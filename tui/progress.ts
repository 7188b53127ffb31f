/**
 * The learner's progress: `.kubelings/progress.json` (git-ignored), versioned JSON.
 *
 * Invariants:
 * - writes are atomic: a temporary file in the same folder, fsync, then rename over the old one, so
 *   a crash mid-write leaves either the old file or the new one, never half of one;
 * - every update is a read-modify-write under `progress.json.lock` (lockfile.ts), so processes
 *   updating at once (the TUI, a `check` in another terminal) never lose each other's changes;
 * - a file that is corrupt, or written by a newer kubelings, is never overwritten or dropped: it is
 *   moved aside (`progress.json.corrupt-<time>` / `.v<N>-<time>`) and the learner is told where;
 * - each entry is validated on its own (progressSchema.ts): a bad one is left out with a warning
 *   (the file as it was is kept as `progress.json.invalid-<hash>`) and the rest kept;
 * - a progress file that cannot be written never stops a command: the caller's work (a grade) is
 *   still shown, with a warning that progress could not be saved;
 * - after each write, `progress.json.sum` holds the SHA-256 of what kubelings wrote, so the grader
 *   can tell its own writes from the learner's code writing the file during a run (tamper.ts);
 * - `completeComponents` is derived from `exercises` and the course each time progress is saved, so
 *   `--impl mine` (engine/impl.ts) can read it without knowing about lesson packs.
 */
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROGRESS_VERSION } from '#engine/params.ts';
import { stateDir } from '#engine/paths.ts';
import type { Course } from './course/load.ts';
import { withFileLock } from './lockfile.ts';
import { validateProgress } from './progressSchema.ts';

export interface ExerciseProgress {
  /** When all its tests last passed (ISO time); absent until they do. */
  passedAt?: string;
  /** How many times it was graded. */
  attempts: number;
  /** How many hints the learner has revealed. */
  hintsRevealed: number;
  /** The learner chose to see the reference before passing. */
  peeked?: boolean;
}

export interface Progress {
  version: number;
  exercises: Record<string, ExerciseProgress>;
  /** Quiz answers per lesson: question id → index of the choice picked. */
  quiz: Record<string, Record<string, number>>;
  /** The last page read per lesson (0-based). */
  pages: Record<string, number>;
  /** Where the learner was, to resume. */
  current?: { lesson: string; screen: 'lesson' | 'quiz' | 'exercise'; exercise?: string };
  /** Components whose exercises all pass (derived; read by `--impl mine`). */
  completeComponents: string[];
  /** A random id for this learner: seeds the order of quiz choices, so it stays the same for them. */
  learner?: string;
}

export function emptyProgress(): Progress {
  return { version: PROGRESS_VERSION, exercises: {}, quiz: {}, pages: {}, completeComponents: [] };
}

export function progressFile(): string {
  return join(stateDir(), 'progress.json');
}

/** The SHA-256 of the last progress kubelings wrote (see the file header). */
export function progressSumFile(): string {
  return `${progressFile()}.sum`;
}

export interface LoadedProgress {
  progress: Progress;
  /** Set when a file was moved aside, entries were left out, or a save failed: say so to the learner. */
  warning?: string;
}

/** Where warnings go: stderr for the CLI; the TUI shows them on screen. */
let warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`);
/** Said once per process: the TUI reloads progress after every grade. */
const warned = new Set<string>();

export function onProgressWarning(handler: (message: string) => void): void {
  warn = handler;
}

function sayOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  warn(message);
}

/**
 * Reads progress; a missing file is a fresh start, a bad one is set aside, bad entries are left
 * out. The warning is both returned and sent to the warning handler, so that no caller can lose it.
 */
export function loadProgress(): LoadedProgress {
  const loaded = readProgress();
  if (loaded.warning) sayOnce(loaded.warning);
  return loaded;
}

function readProgress(): LoadedProgress {
  const file = progressFile();
  if (!existsSync(file)) return { progress: emptyProgress() };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { progress: emptyProgress(), warning: `Your progress file ${file} could not be read (${(error as Error).message}); kubelings carries on without it.` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { progress: emptyProgress(), warning: setAside(file, 'corrupt', `it is not valid JSON (${(error as Error).message})`) };
  }
  const version = (data as { version?: unknown })?.version;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || typeof version !== 'number') {
    return { progress: emptyProgress(), warning: setAside(file, 'corrupt', 'it has no version number') };
  }
  if (version > PROGRESS_VERSION) {
    return {
      progress: emptyProgress(),
      warning: setAside(file, `v${version}`, `it was written by a newer kubelings (format ${version}; this one reads ${PROGRESS_VERSION})`),
    };
  }
  const { progress, dropped } = validateProgress(data as Record<string, unknown>);
  if (dropped.length === 0) return { progress };
  const kept = keepCopy(file, text);
  return {
    progress,
    warning: `Some entries of your progress file were not valid and were left out: ${dropped.join('; ')}. ` + `The rest is kept${kept ? `, and the file as it was is in ${kept}` : ''}.`,
  };
}

/** Copies the file as it is to `<file>.invalid-<hash>` (once per content); the copy's name, or undefined. */
function keepCopy(file: string, text: string): string | undefined {
  const copy = `${file}.invalid-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  try {
    if (!existsSync(copy)) copyFileSync(file, copy);
    return copy;
  } catch {
    return undefined;
  }
}

function setAside(file: string, tag: string, why: string): string {
  const aside = `${file}.${tag}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    return `Your progress file could not be used because ${why}, and it could not be moved aside (${(error as Error).message}); kubelings carries on without it.`;
  }
  return `Your progress file could not be used because ${why}. It was kept as ${aside}; kubelings starts a fresh one.`;
}

/** Writes progress atomically, recomputing `completeComponents` from the course when given. Throws when it cannot. */
export function saveProgress(progress: Progress, course?: Course): void {
  if (course) progress.completeComponents = completeComponents(progress, course);
  const dir = stateDir();
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(progress, null, 2)}\n`;
  writeFileAtomic(progressFile(), text);
  writeFileAtomic(progressSumFile(), `${sha256(text)}\n`);
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Write to a temporary file in the same folder, flush it to disk, then rename over `file`. */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  // The rename itself must reach the disk too: flush the folder's entry.
  try {
    const dirFd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some platforms cannot open a folder for fsync; the rename is still atomic there.
  }
}

/** Runs `fn` holding the progress lock (for the grader, which compares and restores the file). */
export function withProgressLock<T>(fn: () => T): T {
  mkdirSync(stateDir(), { recursive: true });
  return withFileLock(`${progressFile()}.lock`, fn);
}

/**
 * Re-reads progress, applies `change`, and saves, all under the progress lock: the way to record
 * anything, so that two kubelings processes (the TUI and a `check` in another terminal) do not undo
 * each other's writes. A save that fails (a read-only file, a lock never released) does not throw:
 * the change is applied in memory and the warning says that progress could not be saved.
 */
export function updateProgress(course: Course | undefined, change: (progress: Progress) => void): LoadedProgress {
  let loaded: LoadedProgress | undefined;
  let changeThrew = false;
  try {
    return withProgressLock(() => {
      loaded = loadProgress();
      try {
        change(loaded.progress);
      } catch (error) {
        changeThrew = true;
        throw error;
      }
      saveProgress(loaded.progress, course);
      return loaded;
    });
  } catch (error) {
    if (changeThrew) throw error;
    if (!loaded) {
      loaded = readProgress();
      change(loaded.progress);
    }
    const warning = `Your progress could not be saved (${(error as Error).message}). Check that ${stateDir()} can be written; the result above still stands.`;
    warn(warning);
    return { progress: loaded.progress, warning };
  }
}

/** Components every one of whose exercises has passed. */
export function completeComponents(progress: Progress, course: Course): string[] {
  const byComponent = new Map<string, boolean>();
  for (const pack of course.packs) {
    for (const lesson of pack.lessons) {
      for (const exercise of lesson.exercises) {
        const passed = Boolean(progress.exercises[exercise.id]?.passedAt);
        byComponent.set(lesson.component, (byComponent.get(lesson.component) ?? true) && passed);
      }
    }
  }
  return [...byComponent]
    .filter(([, done]) => done)
    .map(([c]) => c)
    .sort();
}

/** The progress record of one exercise (created on first use). */
export function exerciseProgress(progress: Progress, id: string): ExerciseProgress {
  progress.exercises[id] ??= { attempts: 0, hintsRevealed: 0 };
  return progress.exercises[id];
}

/** The state the list and home screen show. */
export type ExerciseState = 'passed' | 'attempted' | 'new';

export function exerciseState(progress: Progress, id: string): ExerciseState {
  const p = progress.exercises[id];
  if (p?.passedAt) return 'passed';
  return p && p.attempts > 0 ? 'attempted' : 'new';
}
