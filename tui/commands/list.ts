/**
 * `kubelings list`: every lesson and exercise with its state (✓ passed, ● tried, ○ not started).
 */
import { exerciseState } from '../progress.ts';
import { openCourse, openProgress, type CommonOptions } from './context.ts';

const MARK = { passed: '✓', attempted: '●', new: '○' } as const;

export function listCommand(options: CommonOptions): number {
  const course = openCourse(options);
  const progress = openProgress();
  if (options.json) {
    const rows = course.packs.flatMap((p) => p.lessons.flatMap((l) => l.exercises.map((e) => ({ pack: p.id, lesson: l.id, id: e.id, title: e.title, state: exerciseState(progress, e.id) }))));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  let passed = 0;
  let total = 0;
  // Titles start in one column, after the longest id of all the packs.
  const idWidth = Math.max(0, ...course.packs.flatMap((p) => p.lessons.flatMap((l) => l.exercises.map((e) => e.id.length))));
  for (const pack of course.packs) {
    process.stdout.write(`${pack.title}  (${pack.id})\n`);
    for (const lesson of pack.lessons) {
      process.stdout.write(`\n  ${lesson.id}  ${lesson.title}\n`);
      for (const exercise of lesson.exercises) {
        const state = exerciseState(progress, exercise.id);
        passed += state === 'passed' ? 1 : 0;
        total += 1;
        process.stdout.write(`    ${MARK[state]} ${exercise.id.padEnd(idWidth + 1)} ${exercise.title}\n`);
      }
    }
    process.stdout.write('\n');
  }
  process.stdout.write(`${passed}/${total} exercises passed.  ✓ passed  ● tried  ○ not started\n`);
  return 0;
}
