/**
 * The home screen: packs and lessons with progress bars, "resume where you left off", a broken
 * pack shown as a notice while the others load, the help overlay, 80×24 and resizing.
 */
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { emptyProgress } from '../../tui/progress.ts';
import { expectScreen, fixtureCourse, freshHome, KEY, press, renderApp, resize, screen, settleUntil, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

test('Home at 80×24: lessons with their progress, and a broken pack as a notice', async () => {
  const app = await renderApp({ course: fixtureCourse({ withBroken: true }) });
  expectScreen(
    await until(app, 'Fixture course'),
    'home',
    screen`
kubelings › learn Kubernetes by building one                0/2 exercises passed

Fixture course
❯ 00  Counting votes                        ░░░░░░░░░░ 0/2 exercises    quiz 0/2
  01  A lesson with only a page             ·········· no exercises











! The lesson pack in test/tui/fixtures/broken-pack could not be loaded; the
  other packs still work:
    test/tui/fixtures/broken-pack/pack.yaml:3:10: version: expected number,
    received string

  Count the votes of a small election, then find the winner. A lesson that
  exists for the TUI's tests.
↑↓ choose  enter open  ? help  q quit
`,
  );
  app.unmount();
});

test('Home shows progress bars and offers to resume where the learner left off', async () => {
  const progress = emptyProgress();
  progress.exercises['00-tally/01-count'] = { attempts: 3, hintsRevealed: 1, passedAt: '2025-01-01T00:00:00.000Z' };
  // One right answer and one wrong one: the quiz counts as 1/2, not 2/2.
  progress.quiz['00-tally'] = { empty: 1, ties: 1 };
  progress.current = { lesson: '00-tally', screen: 'exercise', exercise: '00-tally/02-winner' };
  const app = await renderApp({ course: fixtureCourse(), progress });
  expectScreen(
    await until(app, 'Resume'),
    'home-resume',
    screen`
kubelings › learn Kubernetes by building one                1/2 exercises passed

❯ Resume: Counting votes › exercise 02-winner

Fixture course
  00  Counting votes                        █████░░░░░ 1/2 exercises    quiz 1/2
  01  A lesson with only a page             ·········· no exercises















  Pick up where you left off.
↑↓ choose  enter open  ? help  q quit
`,
  );
  await press(app.stdin, KEY.enter);
  const frame = await until(app, 'exercise 2/2');
  expect(frame.split('\n')[0], 'enter on "Resume"').toContain('Counting votes › 02 Find the winner');
  app.unmount();
});

test('keys that arrive together ("↓ ↓ enter" in one read) are each handled in turn', async () => {
  const app = await renderApp({ course: fixtureCourse() });
  await until(app, 'Fixture course');
  app.stdin.write(`${KEY.down}${KEY.down}${KEY.enter}`);
  expect((await until(app, 'page 1/1')).split('\n')[0], 'the lesson opened').toContain('A lesson with only a page');
  app.unmount();
});

test('the help overlay lists the keys of the screen under it, and esc closes it', async () => {
  const app = await renderApp({ course: fixtureCourse() });
  await until(app, 'Fixture course');
  await press(app.stdin, '?');
  expectScreen(
    await until(app, 'Help'),
    'help-home',
    screen`
Help › home screen

  ↑↓     move between lessons
  enter  open the lesson (or resume where you left off)
  ?      show or hide this help
  q      leave kubelings (your progress is saved as you go)

  Read a lesson, answer its quiz, then fill in the exercise files in your own
  editor: every save is graded. Progress is saved as you go
  (.kubelings/progress.json). The same commands exist outside the TUI: npx
  kubelings --help.












? esc close help
`,
  );
  await press(app.stdin, KEY.escape);
  await until(app, 'Fixture course');
  app.unmount();
});

test('the layout follows the terminal when it is resized', async () => {
  const app = await renderApp({ course: fixtureCourse(), columns: 80, rows: 24 });
  await until(app, 'Fixture course');
  resize(app.stdout, 60, 12);
  await settleUntil(() => app.lastFrame()!.split('\n').length === 12);
  const small = app.lastFrame()!.split('\n');
  expect(small.length, 'rows at 60×12').toBe(12);
  expect(Math.max(...small.map((l) => l.length)), 'widest row at 60×12').toBeLessThanOrEqual(60);
  expect(small.at(-1), 'the footer stays on the last row').toContain('↑↓ choose');
  resize(app.stdout, 120, 30);
  await settleUntil(() => app.lastFrame()!.split('\n').length === 30);
  const big = app.lastFrame()!.split('\n');
  expect(big.length, 'rows at 120×30').toBe(30);
  expect(big[0]!.length, 'the title bar spans 120 columns').toBe(120);
  app.unmount();
});

test('q on Home quits the app', async () => {
  const app = await renderApp({ course: fixtureCourse() });
  await until(app, 'Fixture course');
  expect(app.exited(), 'before q').toBe(false);
  await press(app.stdin, 'q');
  await settleUntil(() => app.exited());
  expect(app.exited(), 'after q on Home').toBe(true);
});
