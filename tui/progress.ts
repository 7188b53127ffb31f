/**
 * The learner's progress: `.kubelings/progress.json` (git-ignored), versioned JSON.
 *
 * Invariants:
 * - writes are atomic: a temporary file in the same folder, fsync, then rename over the old one, so
 *   a crash mid-write leaves either the old file or the new one, never half of one;
 * - a file that is corrupt, or written by a newer kubelings, is never overwritten or dropped: it is
 *   moved aside (`progress.json.corrupt-<time>` / `.v<N>-<time>`) and the learner is told where;
 * - `completeComponents` is derived from `exercises` and the course each time progress is saved, so
 *   `--impl mine` (engine/impl.ts) can read it without knowing about lesson packs.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROGRESS_VERSION } from '#engine/params.ts';
import { stateDir } from '#engine/paths.ts';
import type { Course } from './course/load.ts';

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

export interface LoadedProgress {
  progress: Progress;
  /** Set when a file was moved aside: say so to the learner. */
  warning?: string;
}

/** Where warnings about a set-aside file go: stderr for the CLI; the TUI shows them on screen. */
let warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`);

export function onProgressWarning(handler: (message: string) => void): void {
  warn = handler;
}

/**
 * Reads progress; a missing file is a fresh start, a bad one is set aside and the warning both
 * returned and sent to the warning handler, so that no caller can lose it.
 */
export function loadProgress(): LoadedProgress {
  const loaded = readProgress();
  if (loaded.warning) warn(loaded.warning);
  return loaded;
}

function readProgress(): LoadedProgress {
  const file = progressFile();
  if (!existsSync(file)) return { progress: emptyProgress() };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { progress: emptyProgress(), warning: setAside(file, 'corrupt', `it is not valid JSON (${(error as Error).message})`) };
  }
  const version = (data as { version?: unknown })?.version;
  if (typeof data !== 'object' || data === null || typeof version !== 'number') {
    return { progress: emptyProgress(), warning: setAside(file, 'corrupt', 'it has no version number') };
  }
  if (version > PROGRESS_VERSION) {
    return {
      progress: emptyProgress(),
      warning: setAside(file, `v${version}`, `it was written by a newer kubelings (format ${version}; this one reads ${PROGRESS_VERSION})`),
    };
  }
  const d = data as Partial<Progress>;
  return {
    progress: {
      version: PROGRESS_VERSION,
      exercises: isRecord(d.exercises) ? (d.exercises as Progress['exercises']) : {},
      quiz: isRecord(d.quiz) ? (d.quiz as Progress['quiz']) : {},
      pages: isRecord(d.pages) ? (d.pages as Progress['pages']) : {},
      current: d.current,
      completeComponents: Array.isArray(d.completeComponents) ? d.completeComponents : [],
      ...(typeof d.learner === 'string' ? { learner: d.learner } : {}),
    },
  };
}

function isRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setAside(file: string, tag: string, why: string): string {
  const aside = `${file}.${tag}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  return `Your progress file could not be used because ${why}. It was kept as ${aside}; kubelings starts a fresh one.`;
}

/** Writes progress atomically, recomputing `completeComponents` from the course when given. */
export function saveProgress(progress: Progress, course?: Course): void {
  if (course) progress.completeComponents = completeComponents(progress, course);
  const dir = stateDir();
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(progressFile(), `${JSON.stringify(progress, null, 2)}\n`);
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

/**
 * Re-reads progress, applies `change`, and saves: the way to record anything, so that two
 * kubelings processes (the TUI and a `check` in another terminal) do not undo each other's writes.
 */
export function updateProgress(course: Course | undefined, change: (progress: Progress) => void): LoadedProgress {
  const loaded = loadProgress();
  change(loaded.progress);
  saveProgress(loaded.progress, course);
  return loaded;
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
  return [...byComponent].filter(([, done]) => done).map(([c]) => c).sort();
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
