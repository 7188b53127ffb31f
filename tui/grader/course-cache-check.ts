/**
 * The TUI's course cache (tui/app/courseCache.ts) as the grader guards it. The cache tells the TUI
 * which suite grades which exercise, so a learner's code that rewrote it could have the next start
 * grade an exercise with some other, easier suite. Learner code runs in the grader's child and can
 * write any file the learner can; so a cache that changed during a run is kept only when it is
 * exactly what kubelings itself would write now for the packs it names (another kubelings started
 * in a second terminal meanwhile), and removed otherwise: the TUI then reads the lessons afresh.
 * The removal is silent (see checkCourseCache): a forged cache never takes effect, whoever wrote it.
 *
 * Invariant: the check never trusts what the file says about itself; it compares with a fresh load.
 */
import { readFileSync, rmSync } from 'node:fs';
import { delimiter } from 'node:path';
import { courseCacheFile, courseInputs, FORMAT, packKey, stamp } from '../app/courseCache.ts';
import { loadCourse } from '../course/load.ts';

/** The cache file's identity before a run ('absent' when there is none). */
export function courseCacheStamp(file = courseCacheFile()): string {
  const s = stamp(file);
  return s === 'missing' ? 'absent' : s;
}

/**
 * True when `text` is byte for byte what loadCourseCached() would write now for the packs it names
 * (its `dirs`: the core pack, KUBELINGS_PACKS and the extra folders of the kubelings that wrote it).
 */
export function isGenuineCourseCache(text: string): boolean {
  try {
    const cached = JSON.parse(text) as { format?: unknown; dirs?: unknown };
    if (cached.format !== FORMAT || typeof cached.dirs !== 'string') return false;
    const [core, envPacks, extra] = JSON.parse(cached.dirs) as [unknown, unknown, unknown];
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((d) => typeof d === 'string');
    if (typeof core !== 'string' || !strings(envPacks) || !strings(extra)) return false;
    const course = withPacksEnv(envPacks, () => (packKey(extra) === cached.dirs ? loadCourse(extra) : undefined));
    if (!course || course.broken.length > 0) return false; // kubelings never caches a broken course
    const stamps = Object.fromEntries(courseInputs(course).map((path) => [path, stamp(path)]));
    return JSON.stringify({ format: FORMAT, dirs: cached.dirs, stamps, course }) === text;
  } catch {
    return false;
  }
}

/** Runs `load` with KUBELINGS_PACKS as the writer had it (the loader and packKey read it). */
function withPacksEnv<T>(envPacks: string[], load: () => T): T {
  const was = process.env.KUBELINGS_PACKS;
  if (envPacks.length === 0) delete process.env.KUBELINGS_PACKS;
  else process.env.KUBELINGS_PACKS = envPacks.join(delimiter);
  try {
    return load();
  } finally {
    if (was === undefined) delete process.env.KUBELINGS_PACKS;
    else process.env.KUBELINGS_PACKS = was;
  }
}

/**
 * After a run: a cache that changed and is not a genuine one is removed, without a word. Without a
 * word because a kubelings started meanwhile in another terminal may write one whose inputs change
 * again before this check reads them (a pack being edited): that is not the learner's code, and a
 * run must never be called a cheat for it. Removed because then the forged cache is gone whoever
 * wrote it: the next start reads the lessons afresh. Returns true when it removed one.
 */
export function checkCourseCache(before: string, file = courseCacheFile()): boolean {
  const now = courseCacheStamp(file);
  if (now === before || now === 'absent') return false;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  if (isGenuineCourseCache(text)) return false;
  rmSync(file, { force: true });
  return true;
}
