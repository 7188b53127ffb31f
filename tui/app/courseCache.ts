/**
 * The course for the TUI's first frame, from a cache when nothing it was read from has changed:
 * parsing and validating every lesson.yaml is a fifth of the time to the home screen, and on a hit
 * the loader (with yaml and zod) is not even imported.
 *
 * Invariants:
 * - the cache names every file the loader read or looked for (pack.yaml, lesson.yaml, pages,
 *   exercise, reference and suite files, component index files, and the loader's own source)
 *   with its size and mtime; any difference, a missing file included, means load afresh;
 * - a course with a broken pack is never cached, so its notice always tells the current truth;
 * - the cache is only an optimisation: any trouble reading or writing it means loading as usual.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import type { Course } from '../course/load.ts';
import { writeFileAtomic } from '../progress.ts';

export const COURSE_CACHE = join(ROOT, 'node_modules', '.cache', 'kubelings', 'course.json');

/** Where the cache is: COURSE_CACHE, or KUBELINGS_COURSE_CACHE when set (tests keep theirs apart). */
export function courseCacheFile(): string {
  return process.env.KUBELINGS_COURSE_CACHE || COURSE_CACHE;
}
export const FORMAT = 1;
const LOADER = ['load.ts', 'schema.ts', 'confine.ts'].map((f) => join(ROOT, 'tui', 'course', f));

export function stamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** Every file whose content or existence the loader depended on. */
export function courseInputs(course: Course): string[] {
  const files = [...LOADER];
  for (const pack of course.packs) {
    files.push(join(pack.dir, 'pack.yaml'));
    for (const lesson of pack.lessons) {
      files.push(join(lesson.dir, 'lesson.yaml'), ...lesson.pages.map((p) => p.path));
      for (const e of lesson.exercises) files.push(e.file, e.solution, e.suite);
      if (lesson.exercises.length > 0) files.push(...[lesson.exercisesRoot, lesson.solutionsRoot].map((root) => join(root, lesson.component, 'index.ts')));
    }
  }
  return [...new Set(files)];
}

/** What decides which packs load (the loader's packDirs reads the same three things). */
export function packKey(extra: readonly string[]): string {
  return JSON.stringify([CORE_PACK_DIR, process.env.KUBELINGS_PACKS?.split(delimiter) ?? [], extra.map((d) => resolve(d))]);
}

export async function loadCourseCached(extraPackDirs: readonly string[] = [], file = courseCacheFile()): Promise<Course> {
  const dirs = packKey(extraPackDirs);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { format: number; dirs: string; stamps: Record<string, string>; course: Course };
    const same = cached.format === FORMAT && cached.dirs === dirs;
    if (same && Object.entries(cached.stamps).every(([path, was]) => stamp(path) === was)) return cached.course;
  } catch {
    // No cache yet, or not a usable one.
  }
  const { loadCourse } = await import('../course/load.ts');
  const course = loadCourse(extraPackDirs);
  if (course.broken.length === 0) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const stamps = Object.fromEntries(courseInputs(course).map((path) => [path, stamp(path)]));
      writeFileAtomic(file, JSON.stringify({ format: FORMAT, dirs, stamps, course }));
    } catch {
      // A read-only install: load every time.
    }
  }
  return course;
}
