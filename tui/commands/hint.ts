/**
 * `kubelings hint [exercise]`: reveals the next hint of an exercise's chain (the current exercise,
 * the first not passed, when none is named), and repeats the ones already seen. Revealing is
 * recorded, so "Hint k of n" means the same here, in `check`, in `watch` and in the TUI: the k-th
 * hint, revealed.
 */
import { KubelingsError } from '#engine/errors.ts';
import type { Exercise } from '../course/load.ts';
import { showPath } from '../grader/explain.ts';
import { exerciseProgress, updateProgress, type Progress } from '../progress.ts';
import { exerciseFor, openCourse, resolveTarget, type CommonOptions } from './context.ts';

export function hintCommand(name: string | undefined, options: CommonOptions): number {
  const course = openCourse(options);
  if (name) {
    const target = resolveTarget(course, name, 'hint');
    if (target.kind !== 'exercise') throw new KubelingsError(`Hints belong to exercises: try npx kubelings hint ${target.lesson.exercises[0]?.id ?? `${target.lesson.id}/01-...`}`);
  }
  const exercise = exerciseFor(course, name, 'hint');
  let shown = 0;
  updateProgress(course, (progress) => {
    shown = revealNextHint(progress, exercise);
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ exercise: exercise.id, hints: exercise.hints.slice(0, shown), total: exercise.hints.length })}\n`);
    return 0;
  }
  const lines = exercise.hints.slice(0, shown).map((h, i) => `Hint ${i + 1} of ${exercise.hints.length}: ${h}`);
  process.stdout.write(`${exercise.id}  ${exercise.title}\n\n${lines.join('\n\n')}\n\n`);
  process.stdout.write(
    shown < exercise.hints.length ? `Run the same command again for the next hint.\n` : `That was the last hint. Reread ${showPath(exercise.page.path)} ("${exercise.page.title}").\n`,
  );
  return 0;
}

/** Counts one more hint as revealed (up to the last); returns how many are revealed now. */
export function revealNextHint(progress: Progress, exercise: Exercise): number {
  const p = exerciseProgress(progress, exercise.id);
  p.hintsRevealed = Math.min(exercise.hints.length, p.hintsRevealed + 1);
  return p.hintsRevealed;
}
