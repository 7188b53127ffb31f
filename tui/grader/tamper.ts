/**
 * The grader's files and the learner's progress, checked around every run from the CLI's side
 * (the learner's code runs in the child and can write any file the learner can).
 *
 * Before a run, the files that make up the grader (the hidden suites' folders, test/support,
 * tui/grader and the engine the suites build on) are noted: each file's identity and times
 * (inode, size, mtime and ctime: ctime changes on every write and cannot be set back), with its
 * content kept in memory. After the run, a file whose stat changed and whose content differs, or
 * that is gone, was changed by the run: it is put back as it was, the changed copy is kept under
 * `.kubelings/tampered-<time>/`, and the run is reported as "the exercise changed the grader".
 *
 * The progress file is checked the same way, except for kubelings' own writes during the run (a
 * `check` in another terminal): those leave `progress.json.sum` naming what they wrote. So are
 * the transform-cache files of the grader's modules (transformCache.js), except for what vitest
 * itself wrote: a changed one is removed, and vitest makes it afresh. A TUI course cache (which
 * says which suite grades which exercise) that changed into anything kubelings would not write is
 * removed too, silently (course-cache-check.ts).
 *
 * Invariants: reading and comparing cost little (one stat per file per run; contents are read
 * once and again only after a change); nothing is ever lost (what is replaced is kept aside).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT, stateDir } from '#engine/paths.ts';
import { progressFile, progressSumFile, sha256, withProgressLock } from '../progress.ts';
import { checkCourseCache, courseCacheStamp } from './course-cache-check.ts';

/** Folders of the grader that every run relies on, besides the suites' own folders. */
export const GRADER_FOLDERS = [join(ROOT, 'test', 'support'), join(ROOT, 'tui', 'grader'), join(ROOT, 'engine')];

/** Files larger than this are not kept in memory (the grader has none; a data file would be). */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

interface Noted {
  stamp: string;
  content: Buffer;
}

function stampOf(stat: Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

function listFiles(root: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(root, name);
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) listFiles(path, out);
    else if (stat.isFile() && stat.size <= MAX_KEPT_BYTES) out.push(path);
  }
}

/** What a run is checked against: the grader's files and the progress file as they were. */
export interface Baseline {
  files: Map<string, string>;
  progress: Buffer | undefined;
  /** The TUI's course cache file's stamp, or 'absent' (course-cache-check.ts). */
  courseCache: string;
  /** The grader's transform-cache files (transformCache.js): cache file → [stamp or 'absent', source, content hash when present]. */
  cache: Map<string, [string, string, string?]>;
  /**
   * Cache files vitest itself read or wrote during the run, with their content's SHA-256;
   * undefined when the child never said (it was stopped or killed before the end of the run).
   */
  cacheWritten?: Record<string, string>;
}

/** The grader's files of one process, kept across runs (a warm runner reads each file once). */
export class GraderFiles {
  private readonly noted = new Map<string, Noted>();

  /** Notes the files under `folders` (and the progress file) before a run. */
  before(folders: readonly string[]): Baseline {
    const files = new Map<string, string>();
    const paths: string[] = [];
    for (const folder of new Set(folders)) listFiles(folder, paths);
    for (const path of paths) {
      try {
        const stamp = stampOf(statSync(path));
        if (this.noted.get(path)?.stamp !== stamp) this.noted.set(path, { stamp, content: readFileSync(path) });
        files.set(path, stamp);
      } catch {
        // Gone meanwhile: nothing to protect.
      }
    }
    return { files, progress: readOrUndefined(progressFile()), courseCache: courseCacheStamp(), cache: new Map() };
  }

  /** Notes the grader's transform-cache files before the worker loads anything ([cache file, source] pairs). */
  noteCache(baseline: Baseline, entries: [string, string][]): void {
    for (const [cacheFile, source] of entries) {
      const stamp = stampOrAbsent(cacheFile);
      const content = stamp === 'absent' ? undefined : readOrUndefined(cacheFile);
      baseline.cache.set(cacheFile, content === undefined ? [stamp, source] : [stamp, source, sha256(content)]);
    }
  }

  /**
   * Compares with the baseline after a run; puts back what changed and says what it was. Call it
   * once the run's processes are all ended.
   */
  after(baseline: Baseline): string[] {
    const changed: string[] = [];
    let aside: string | undefined;
    const keepAside = (path: string, content: Buffer) => {
      aside ??= join(stateDir(), `tampered-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const copy = join(aside, relative(ROOT, path).startsWith('..') ? path.replace(/^\/+/, '') : relative(ROOT, path));
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, content);
    };
    for (const [path, stamp] of baseline.files) {
      let now: string | undefined;
      try {
        now = stampOf(statSync(path));
      } catch {
        now = undefined;
      }
      if (now === stamp) continue;
      const was = this.noted.get(path)!.content;
      const current = now === undefined ? undefined : readOrUndefined(path);
      if (current !== undefined && current.equals(was)) continue;
      if (current !== undefined) keepAside(path, current);
      writeBytes(path, was);
      this.noted.set(path, { stamp: stampOf(statSync(path)), content: was });
      changed.push(
        `it ${current === undefined ? 'deleted' : 'rewrote'} ${describe(path)} (put back as it was${current === undefined ? '' : `; the changed copy is in ${relative(ROOT, aside!) || aside}`})`,
      );
    }
    for (const [cacheFile, [stamp, source, before]] of baseline.cache) {
      const now = stampOrAbsent(cacheFile);
      if (now === stamp || now === 'absent') continue;
      const current = readOrUndefined(cacheFile);
      const known = baseline.cacheWritten?.[cacheFile];
      const hash = current === undefined ? undefined : sha256(current);
      if (hash !== undefined && known === hash) continue; // what this run's vitest read or wrote
      // The same bytes written again (another check or test run's vitest, whose cache file names
      // hash the module's source: a legitimate rewrite has the same content) change nothing.
      if (hash !== undefined && hash === before) continue;
      // Not known to be vitest's: never trusted again. Tampering when the child said what it used
      // and this is something else, or when a file this run did not touch changed (one that only
      // appeared may be another kubelings process's fresh entry; a run stopped early says nothing).
      rmSync(cacheFile, { force: true });
      if (baseline.cacheWritten === undefined || (known === undefined && stamp === 'absent')) continue;
      if (current !== undefined) keepAside(cacheFile, current);
      changed.push(`it rewrote the transform cache's copy of ${describe(source)} (removed: the next check transforms it afresh)`);
    }
    const progress = this.checkProgress(baseline.progress, keepAside);
    if (progress) changed.push(progress);
    checkCourseCache(baseline.courseCache); // a forged course cache is removed, silently (course-cache-check.ts)
    return changed;
  }

  /** The progress file may change during a run only by kubelings' own (summed) writes. */
  private checkProgress(before: Buffer | undefined, keepAside: (path: string, content: Buffer) => void): string | undefined {
    const file = progressFile();
    try {
      return withProgressLock(() => {
        const now = readOrUndefined(file);
        if (now === undefined ? before === undefined : before !== undefined && now.equals(before)) return undefined;
        if (now !== undefined && readOrUndefined(progressSumFile())?.toString('utf8').trim() === sha256(now)) return undefined;
        if (now !== undefined) keepAside(file, now);
        if (before === undefined) rmSync(file, { force: true });
        else writeBytes(file, before);
        return `it ${now === undefined ? 'deleted' : 'wrote'} your progress file ${describe(file)} (put back as it was)`;
      });
    } catch {
      return undefined; // the lock could not be had: a progress update is under way, not the run
    }
  }
}

function stampOrAbsent(path: string): string {
  try {
    return stampOf(statSync(path));
  } catch {
    return 'absent';
  }
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes bytes back atomically (a temporary file, then rename over the path). */
function writeBytes(path: string, content: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.restore-${process.pid}-${Date.now()}`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

function describe(path: string): string {
  const rel = relative(ROOT, path);
  const shown = rel.startsWith('..') ? path : rel;
  if (/\.test\.tsx?$/.test(path)) return `the hidden suite ${shown}`;
  return shown;
}
