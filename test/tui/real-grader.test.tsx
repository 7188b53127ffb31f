/**
 * The exercise screen with the real grader (ExerciseWatcher, the warm test runner, chokidar) on a
 * copy of the fixture pack: the stub is graded at once and fails; saving the reference into the
 * file grades it again and it passes; the pass is recorded in progress as `check` records it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { realGrader } from '../../tui/app/grader.ts';
import { loadProgress } from '../../tui/progress.ts';
import { copyFixturePack, fixtureCourse, freshHome, renderApp, settle } from './helpers.tsx';

const copy = copyFixturePack('tui-grader');
afterAll(() => copy.remove());
let removeHome: () => void;
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

/** Like until(), with the time a real grading run needs. */
async function waitFor(app: { lastFrame(): string | undefined }, text: string, ms = 90_000): Promise<string> {
  const started = Date.now();
  while (!(app.lastFrame() ?? '').includes(text)) {
    if (Date.now() - started > ms) throw new Error(`the screen never showed "${text}"; it shows:\n${app.lastFrame()}`);
    await settle(50);
  }
  return app.lastFrame()!;
}

test('the stub fails at once; saving the reference re-grades and passes, and the pass is recorded', { timeout: 240_000 }, async () => {
  const course = fixtureCourse({ dir: copy.dir });
  const exercise = course.packs[0]!.lessons[0]!.exercises[0]!;
  const app = await renderApp({ course, grader: realGrader, at: [{ screen: 'exercise', lesson: 'fixture/00-tally', exercise: exercise.id }] });
  try {
    const failed = await waitFor(app, 'Score: 0/2');
    expect(failed, 'the untouched stub').toContain('✗ each name gets one per vote');
    const prose = failed.replace(/\s+/g, ' ');
    expect(prose, 'the stub says it is not written').toMatch(/\w+\(\) is not written yet: this is exercise /);
    // The stub names its page from the pack's folder; the learner is given a path that opens.
    const page = /Read (\S+), then fill in/.exec(prose)?.[1];
    expect(page && existsSync(join(ROOT, page)), `${page} opens from the project root`).toBe(true);
    expect(prose, 'and that saving grades it (not to run check)').toContain('then fill in the TODO and save the file: it is graded again.');
    expect(prose).not.toContain('npx kubelings check');
    expect(loadProgress().progress.exercises[exercise.id], 'the attempt is recorded').toEqual({ attempts: 1, hintsRevealed: 0 });

    writeFileSync(exercise.file, readFileSync(exercise.solution, 'utf8'));
    const passed = await waitFor(app, '✓ Passed!');
    expect(passed, 'after saving the reference').toContain('Score: 2/2');
    expect(loadProgress().progress.exercises[exercise.id]?.passedAt, 'the pass is recorded').toEqual(expect.any(String));
  } finally {
    app.unmount();
    await settle(200); // the watcher closes its runner's child process
  }
});
