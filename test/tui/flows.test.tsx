/**
 * The key flows end to end on the fixture pack: home → lesson → quiz → exercise and back, each q
 * going back one screen and q on Home quitting; the help overlay over a screen that keeps its state.
 */
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { emptyProgress } from '../../tui/progress.ts';
import { FakeGrader, fixtureCourse, freshHome, KEY, press, renderApp, settleUntil, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

const title = (frame: string) => frame.split('\n')[0];

test('home → lesson → quiz → exercise, then q back to each, and q on Home quits', async () => {
  const grader = new FakeGrader();
  // learner-1 sees the quiz's choices in lesson.yaml's order.
  const app = await renderApp({ course: fixtureCourse(), grader, progress: { ...emptyProgress(), learner: 'learner-1' } });
  await until(app, 'Fixture course');
  await press(app.stdin, KEY.enter);
  expect(title(await until(app, 'page 1/2'))).toContain('Counting votes › Why count');
  await press(app.stdin, 't');
  expect(title(await until(app, 'question 1/2'))).toContain('Counting votes › Quiz');
  await press(app.stdin, KEY.down);
  await until(app, '❯ An empty tally');
  await press(app.stdin, KEY.enter);
  await until(app, 'Why:');
  await press(app.stdin, KEY.enter);
  await until(app, 'question 2/2');
  await press(app.stdin, KEY.enter);
  await until(app, 'enter: your score');
  await press(app.stdin, KEY.enter);
  await until(app, 'Score');
  await press(app.stdin, 'e');
  expect(title(await until(app, 'exercise 1/2'))).toContain('Counting votes › 01 Count the votes');
  expect(grader.sessions.length, 'grading started').toBe(1);

  // The quiz was replaced by the exercise: q goes back to the lesson, then Home.
  await press(app.stdin, 'q');
  expect(title(await until(app, 'page 1/2')), 'q from the exercise').toContain('Why count');
  expect(grader.session.closed, 'leaving the exercise closes the grader').toBe(true);
  await press(app.stdin, 'e');
  await until(app, 'exercise 1/2');
  await press(app.stdin, 'q');
  await until(app, 'page 1/2');
  await press(app.stdin, 'q');
  await until(app, 'Fixture course');
  expect(app.exited(), 'back on Home').toBe(false);
  await press(app.stdin, 'q');
  await settleUntil(() => app.exited());
  expect(app.exited(), 'q on Home').toBe(true);
});

test('the help overlay hides the screen without losing it, and ? closes it', async () => {
  const grader = new FakeGrader();
  const app = await renderApp({ course: fixtureCourse(), grader, at: [{ screen: 'lesson', lesson: 'fixture/00-tally' }] });
  await until(app, 'page 1/2');
  await press(app.stdin, 'n');
  await until(app, 'page 2/2');
  await press(app.stdin, '?');
  const help = await until(app, 'Help › lesson screen');
  expect(help, 'the lesson keys').toContain("t   take the lesson's quiz");
  await press(app.stdin, 'n'); // ignored by the hidden lesson
  await press(app.stdin, '?');
  expect(title(await until(app, 'page 2/2')), 'the page survives the help').toContain('How to count');
  app.unmount();
});
