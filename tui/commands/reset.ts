/**
 * `kubelings reset <exercise> [--yes]`: puts the pristine stub back (from the pack's sealed copy,
 * so git is not needed) after asking, and forgets that the exercise, and those that build on it,
 * passed.
 */
import { createInterface } from 'node:readline/promises';
import { KubelingsError } from '#engine/errors.ts';
import { showPath } from '../grader/explain.ts';
import { isPristine, restore } from '../pristine.ts';
import { recordReset } from './check.ts';
import { openCourse, resolveTarget, type CommonOptions } from './context.ts';

export async function resetCommand(name: string | undefined, options: CommonOptions & { yes: boolean }): Promise<number> {
  const course = openCourse(options);
  const target = resolveTarget(course, name, 'reset');
  if (target.kind !== 'exercise') throw new KubelingsError(`reset takes one exercise, such as ${target.lesson.exercises[0]?.id ?? 'a lesson/exercise id'}.`);
  const { exercise } = target;
  const pack = course.packs.find((p) => p.id === exercise.packId)!;
  const shown = showPath(exercise.file);
  if (isPristine(pack, exercise.relativeFile)) {
    process.stdout.write(`${shown} is already the untouched stub; nothing to do.\n`);
    return 0;
  }
  if (!options.yes) {
    if (!process.stdin.isTTY) throw new KubelingsError(`reset replaces your work in ${shown}: add --yes to confirm.`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`This replaces your work in ${shown} with the original stub. Continue? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('Nothing changed.\n');
      return 1;
    }
  }
  restore(pack, exercise.relativeFile);
  recordReset(course, exercise);
  process.stdout.write(`${shown} is back to the original stub.\n`);
  return 0;
}
