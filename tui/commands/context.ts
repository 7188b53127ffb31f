/**
 * What every CLI command shares: the parsed options, the course (loaded once, with broken packs
 * reported on stderr and the rest kept), the learner's progress, and what a learner's argument
 * names: the exercise given, or the current one (the first not passed) when none is given.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { KubelingsError } from '#engine/errors.ts';
import { ROOT } from '#engine/paths.ts';
import { allExercises, findTarget, formatIssue, loadCourse, loadPack, type Course, type Exercise, type Target } from '../course/load.ts';
import { loadProgress, type Progress } from '../progress.ts';

export interface CommonOptions {
  /** Extra pack folders from --pack. */
  packs: string[];
  json: boolean;
}

/** Loads the course; a broken pack is reported once on stderr and the others still load. */
export function openCourse(options: CommonOptions, quiet = false): Course {
  const course = loadCourse(options.packs);
  if (!quiet) {
    for (const broken of course.broken) {
      process.stderr.write(`Lesson pack ${broken.dir} could not be loaded; the other packs still work:\n`);
      for (const issue of broken.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    }
  }
  if (course.packs.length === 0) throw new KubelingsError('No lesson pack could be loaded (see above).');
  return course;
}

/** Reads progress (loadProgress tells the learner if a bad file was set aside). */
export function openProgress(): Progress {
  return loadProgress().progress;
}

/** Resolves a learner's argument, turning lookup errors into KubelingsErrors. */
export function resolveTarget(course: Course, name: string | undefined, verb: string): Target {
  if (!name) throw new KubelingsError(`Which exercise? For example: npx kubelings ${verb} 00-objects/01-selectors`);
  try {
    return findTarget(course, name);
  } catch (error) {
    const elsewhere = /^There is no lesson or exercise/.test((error as Error).message) ? packHolding(course, name) : undefined;
    if (!elsewhere) throw new KubelingsError((error as Error).message);
    const dir = shownDir(elsewhere);
    throw new KubelingsError(
      `There is no lesson or exercise "${name}" in the packs loaded, but the lesson pack in ${dir} has it: ` +
        `add --pack ${dir} (for example npx kubelings ${verb} ${name} --pack ${dir}), ` +
        `or export KUBELINGS_PACKS=${dir} to load it every time.`,
    );
  }
}

/** The first exercise not passed yet, in course order; a KubelingsError when all pass. */
export function firstNotPassed(course: Course, progress: Progress = openProgress()): Exercise {
  const next = allExercises(course).find((e) => !progress.exercises[e.id]?.passedAt);
  if (!next) throw new KubelingsError('Every exercise passes. Well done! Try npx kubelings cluster up --impl mine.');
  return next;
}

/**
 * The exercise a verb works on: the one named; for a lesson, its first exercise not passed; with
 * no name, the current exercise (the first not passed in the whole course).
 */
export function exerciseFor(course: Course, name: string | undefined, verb: string): Exercise {
  if (!name) return firstNotPassed(course);
  const target = resolveTarget(course, name, verb);
  if (target.kind === 'exercise') return target.exercise;
  if (target.lesson.exercises.length === 0) throw new KubelingsError(`Lesson ${target.lesson.id} has no exercises.`);
  const progress = openProgress();
  return target.lesson.exercises.find((e) => !progress.exercises[e.id]?.passedAt) ?? target.lesson.exercises[0]!;
}

/**
 * A pack on disk, not loaded now, that holds `name`: an instructor's pack made with `pack new`
 * next to the core pack (lessons/*), in the current folder, or in its lessons/ folder.
 */
function packHolding(course: Course, name: string): string | undefined {
  const loaded = new Set([...course.packs.map((p) => p.dir), ...course.broken.map((b) => b.dir)]);
  const parents = [...new Set([join(ROOT, 'lessons'), process.cwd(), join(process.cwd(), 'lessons')].map((d) => resolve(d)))];
  for (const parent of parents) {
    let names: string[];
    try {
      names = readdirSync(parent).sort();
    } catch {
      continue;
    }
    for (const entry of names) {
      const dir = join(parent, entry);
      if (loaded.has(dir) || !existsSync(join(dir, 'pack.yaml'))) continue;
      try {
        findTarget({ packs: [loadPack(dir)], broken: [] }, name);
        return dir;
      } catch {
        // Not a valid pack, or not this exercise: look further.
      }
    }
  }
  return undefined;
}

/** A folder as the learner would type it from here. */
function shownDir(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}
