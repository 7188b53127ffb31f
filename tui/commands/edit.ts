/**
 * `kubelings edit [exercise]`: opens an exercise's file (the current exercise, the first not
 * passed, when none is named) in the learner's editor (tui/editor.ts).
 */
import { editFile } from '../editor.ts';
import { exerciseFor, openCourse, type CommonOptions } from './context.ts';

export function editCommand(name: string | undefined, options: CommonOptions): number {
  const course = openCourse(options);
  const exercise = exerciseFor(course, name, 'edit');
  const outcome = editFile(exercise.file);
  if (outcome.kind === 'edited') {
    process.stdout.write(`Saved? Grade it with: npx kubelings check ${exercise.id}\n`);
    return 0;
  }
  process.stderr.write(`${outcome.message}\n`);
  return outcome.kind === 'no-editor' ? 2 : 1;
}
