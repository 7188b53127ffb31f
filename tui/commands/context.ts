/**
 * What every CLI command shares: the parsed options, the course (loaded once, with broken packs
 * reported on stderr and the rest kept), and the learner's progress.
 */
import { KubelingsError } from '#engine/errors.ts';
import { findTarget, formatIssue, loadCourse, type Course, type Target } from '../course/load.ts';
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
    throw new KubelingsError((error as Error).message);
  }
}
