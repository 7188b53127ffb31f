/**
 * `kubelings hint <exercise>`: reveals the next hint of a chain, and repeats the ones already seen.
 */
import { KubelingsError } from '#engine/errors.ts';
import { showPath } from '../grader/explain.ts';
import { exerciseProgress, updateProgress } from '../progress.ts';
import { openCourse, resolveTarget, type CommonOptions } from './context.ts';

export function hintCommand(name: string | undefined, options: CommonOptions): number {
  const course = openCourse(options);
  const target = resolveTarget(course, name, 'hint');
  if (target.kind !== 'exercise') throw new KubelingsError(`Hints belong to exercises: try npx kubelings hint ${target.lesson.exercises[0]?.id ?? `${target.lesson.id}/01-...`}`);
  const { exercise } = target;
  let shown = 0;
  updateProgress(course, (progress) => {
    const p = exerciseProgress(progress, exercise.id);
    p.hintsRevealed = Math.min(exercise.hints.length, p.hintsRevealed + 1);
    shown = p.hintsRevealed;
  });
  const lines = exercise.hints.slice(0, shown).map((h, i) => `Hint ${i + 1} of ${exercise.hints.length}: ${h}`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ exercise: exercise.id, hints: exercise.hints.slice(0, shown), total: exercise.hints.length })}\n`);
    return 0;
  }
  process.stdout.write(`${exercise.id}  ${exercise.title}\n\n${lines.join('\n\n')}\n\n`);
  process.stdout.write(
    shown < exercise.hints.length
      ? `Run the same command again for the next hint.\n`
      : `That was the last hint. Reread ${showPath(exercise.page.path)} ("${exercise.page.title}").\n`,
  );
  return 0;
}
