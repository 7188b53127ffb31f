/**
 * A learner's submission, assembled for grading: a pristine copy of a pack's exercises (its sealed
 * stubs, pristine.ts) with only the exercise files the pack names taken from the learner's tree.
 * Nothing else of the submission is used: not its suites, its engine, its progress, nor any other
 * file, so what the learner changed outside their exercises cannot change the grade.
 *
 * The submission mirrors the project: `<submission>/exercises/objects/selectors.ts` for the core
 * pack, `<submission>/lessons/my-pack/exercises/…` for a pack inside the project, and, for a pack
 * elsewhere, the path inside the pack (`<submission>/exercises/…`).
 *
 * Invariants: a file is taken only when it is a regular file inside the submission (links are
 * followed and must stay inside it, so a submission cannot make the grader read /etc/shadow) and
 * no larger than SUBMISSION_FILE_MAX_BYTES; otherwise the stub stays and the reason is noted.
 */
import { copyFileSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SUBMISSION_FILE_MAX_BYTES } from '#engine/params.ts';
import { ROOT } from '#engine/paths.ts';
import { isBelow } from './course/confine.ts';
import type { Pack } from './course/load.ts';
import { extractPristine } from './pristine.ts';

export interface AssembledPack {
  pack: Pack;
  /** The pristine exercises with the submitted files in place; remove it with removeExtracted. */
  exercisesDir: string;
  /** Per exercise id: where its file came from, or why the stub stayed. */
  files: Record<string, { from?: string; skipped?: string }>;
}

/** Where the submission holds an exercise file (see the file header). */
export function submittedPath(submission: string, pack: Pack, exerciseFile: string): string {
  const inProject = relative(ROOT, exerciseFile);
  return join(submission, inProject.startsWith('..') ? relative(pack.dir, exerciseFile) : inProject);
}

export function assemblePack(pack: Pack, submission: string): AssembledPack {
  const exercisesDir = extractPristine(pack);
  const files: AssembledPack['files'] = {};
  const root = realpathSync(submission);
  for (const lesson of pack.lessons) {
    for (const exercise of lesson.exercises) {
      const source = submittedPath(submission, pack, exercise.file);
      const target = join(exercisesDir, exercise.relativeFile);
      const checked = usable(source, root);
      if ('why' in checked) {
        files[exercise.id] = { skipped: checked.why };
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(checked.real, target);
      files[exercise.id] = { from: source };
    }
  }
  return { pack, exercisesDir, files };
}

/** The real path of a submitted file that can be used, or why it cannot. */
function usable(source: string, root: string): { real: string } | { why: string } {
  try {
    lstatSync(source);
  } catch {
    return { why: 'not in the submission: graded as the untouched stub' };
  }
  let real: string;
  try {
    real = realpathSync(source);
  } catch {
    return { why: 'a link to nothing: graded as the untouched stub' };
  }
  if (!isBelow(real, root)) return { why: 'a link to a file outside the submission: refused, graded as the untouched stub' };
  const stat = statSync(real);
  if (!stat.isFile()) return { why: 'not a regular file: graded as the untouched stub' };
  if (stat.size > SUBMISSION_FILE_MAX_BYTES) return { why: `larger than ${SUBMISSION_FILE_MAX_BYTES / 1024} KB: refused, graded as the untouched stub` };
  return { real };
}
