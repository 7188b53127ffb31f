/**
 * The exercise screen with the real grader when the learner's code turns on the grader itself: it
 * kills its parent process. The TUI stays up, says what happened, and the learner's progress is
 * kept (the attempt recorded, no pass).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { realGrader } from '../../tui/app/grader.ts';
import { loadProgress } from '../../tui/progress.ts';
import { copyFixturePack, fixtureCourse, freshHome, renderApp, settle } from './helpers.tsx';

const copy = copyFixturePack('tui-incidents');
afterAll(() => copy.remove());
let removeHome: () => void;
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

async function waitFor(app: { lastFrame(): string | undefined }, text: string, ms = 90_000): Promise<string> {
  const started = Date.now();
  while (!(app.lastFrame() ?? '').replace(/\s+/g, ' ').includes(text)) {
    if (Date.now() - started > ms) throw new Error(`the screen never showed "${text}" within ${ms / 1000} s; it shows:\n${app.lastFrame()}`);
    await settle(50);
  }
  return app.lastFrame()!;
}

test('code that kills its parent process is reported on screen; the TUI and the progress survive', { timeout: 240_000 }, async () => {
  const course = fixtureCourse({ dir: copy.dir });
  const exercise = course.packs[0]!.lessons[0]!.exercises[0]!;
  writeFileSync(exercise.file, `export function count(votes: string[]): Record<string, number> {\n  process.kill(process.ppid, 'SIGKILL');\n  return {};\n}\n`);
  const app = await renderApp({ course, grader: realGrader, at: [{ screen: 'exercise', lesson: 'fixture/00-tally', exercise: exercise.id }], rows: 40 });
  try {
    await waitFor(app, "Your code killed the grader's process");
    expect(app.exited(), 'the TUI is still running').toBe(false);
    expect(loadProgress().progress.exercises[exercise.id], 'the attempt is recorded, no pass').toEqual({ attempts: 1, hintsRevealed: 0 });
  } finally {
    app.unmount();
    await settle(200);
  }
});
