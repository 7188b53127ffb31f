/**
 * For the progress tests: one process that records `count` grading attempts of exercise `id`, each
 * a separate updateProgress (read, change, write under the lock), as `check` does. Several of
 * these run at once to prove that no update is lost. Usage: bump-progress.ts <id> <count>
 */
import { exerciseProgress, updateProgress } from '../../tui/progress.ts';

const [id = 'demo/one', count = '1'] = process.argv.slice(2);
for (let i = 0; i < Number(count); i++) {
  const { warning } = updateProgress(undefined, (progress) => {
    exerciseProgress(progress, id).attempts += 1;
  });
  if (warning) {
    process.stderr.write(`${warning}\n`);
    process.exit(1);
  }
}
