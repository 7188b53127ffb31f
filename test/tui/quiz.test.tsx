/**
 * The quiz: multiple choice with ink-select-input; after each answer, right or wrong, why, and the
 * explanation; answers saved in progress.quiz; the score at the end; retaking it.
 */
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { withLearnerId } from '../../tui/app/quizModel.ts';
import { emptyProgress, loadProgress } from '../../tui/progress.ts';
import { expectScreen, fixtureCourse, freshHome, KEY, press, renderApp, screen, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

const at = [{ screen: 'quiz' as const, lesson: 'fixture/00-tally' }];
/** Progress of a learner whose shuffle shows the fixture's choices in lesson.yaml's order. */
const inYamlOrder = () => ({ ...emptyProgress(), learner: 'learner-1' });

test('a question, then the feedback on a right answer, saved at once', async () => {
  const app = await renderApp({ course: fixtureCourse(), at, progress: inYamlOrder() });
  expectScreen(
    await until(app, 'question 1/2'),
    'quiz-question',
    screen`
Counting votes › Quiz                                               question 1/2
 What does counting no votes give?

 ❯ An error
   An empty tally


















↑↓ choose  enter answer  ? help  q back
`,
  );
  await press(app.stdin, KEY.down);
  await until(app, '❯ An empty tally');
  await press(app.stdin, KEY.enter);
  expectScreen(
    await until(app, 'Why:'),
    'quiz-right',
    screen`
Counting votes › Quiz                                               question 1/2
 What does counting no votes give?

 ✓ Right: An empty tally
   No names, so no entries.

 Why: A count of nothing is empty, not an error.















enter: next question
enter next  ↑↓ scroll  ? help  q back
`,
  );
  expect(loadProgress().progress.quiz['00-tally'], 'answers saved').toEqual({ empty: 1 });
  app.unmount();
});

test('a wrong answer says why, gives the right one, and the score comes at the end', async () => {
  const app = await renderApp({ course: fixtureCourse(), at, progress: inYamlOrder() });
  await until(app, 'question 1/2');
  await press(app.stdin, KEY.enter); // "An error": wrong
  await until(app, 'Not quite');
  await press(app.stdin, KEY.enter);
  await until(app, 'question 2/2');
  await press(app.stdin, KEY.down);
  await until(app, '❯ The first name in the list');
  await press(app.stdin, KEY.enter); // wrong
  expectScreen(
    await until(app, 'The answer:'),
    'quiz-wrong',
    screen`
Counting votes › Quiz                                               question 2/2
 Two names have three votes each. Who wins?

 ✗ Not quite. You chose: The first name in the list
   Order of arrival decides nothing here.

 The answer: Nobody, it is a tie
   The rules here crown nobody on a tie.

 Why: A tie has no winner in this lesson's rules.












enter: your score
enter next  ↑↓ scroll  ? help  q back
`,
  );
  await press(app.stdin, KEY.enter);
  expectScreen(
    await until(app, 'Score'),
    'quiz-score',
    screen`
Counting votes › Quiz                                                      score
 Score: 0/2
 Reread the explanations of the ones you missed: press r to try again.

 ✗ What does counting no votes give?
 ✗ Two names have three votes each. Who wins?
















r retake the quiz · e start the exercises
r retake  e exercises  ? help  q back
`,
  );
  expect(loadProgress().progress.quiz['00-tally'], 'answers saved').toEqual({ empty: 0, ties: 1 });
  app.unmount();
});

test('a quiz already answered opens on its score; r retakes it from the first question', async () => {
  const progress = inYamlOrder();
  progress.quiz['00-tally'] = { empty: 1, ties: 0 };
  const app = await renderApp({ course: fixtureCourse(), at, progress });
  expect(await until(app, 'Score: 2/2'), 'the score').toContain('Every answer right.');
  await press(app.stdin, 'r');
  await until(app, 'question 1/2');
  expect(loadProgress().progress.quiz['00-tally'], 'answers after r').toEqual({});
  app.unmount();
});

test('a half-answered quiz resumes at the first unanswered question', async () => {
  const progress = inYamlOrder();
  progress.quiz['00-tally'] = { empty: 1 };
  const app = await renderApp({ course: fixtureCourse(), at, progress });
  expect(await until(app, 'question 2/2'), 'opening the quiz').toContain('Who wins?');
  app.unmount();
});

test("choices come in the learner's own order, the same on every visit; answers are kept by choice, not position", async () => {
  // learner-2's shuffle puts "An empty tally" (lesson.yaml's second choice) first.
  const progress = { ...emptyProgress(), learner: 'learner-2' };
  const app = await renderApp({ course: fixtureCourse(), at, progress });
  expect(await until(app, 'question 1/2'), 'the first question').toMatch(/❯ An empty tally\n\s+An error/);
  app.unmount();
  const again = await renderApp({ course: fixtureCourse(), at, progress });
  expect(await until(again, 'question 1/2'), 'a second visit shows the same order').toMatch(/❯ An empty tally\n\s+An error/);
  await press(again.stdin, KEY.enter); // the first choice shown: "An empty tally", the right one
  await until(again, '✓ Right: An empty tally');
  expect(loadProgress().progress.quiz['00-tally'], "the answer saved as lesson.yaml's choice 1").toEqual({ empty: 1 });
  expect(await until(again, 'question 1/2'), 'then the second question').toBeDefined();
  again.unmount();
});

test('a learner without an id gets one of their own, kept in progress and kept from then on', () => {
  expect(loadProgress().progress.learner, 'a fresh progress file').toBeUndefined();
  const id = withLearnerId(loadProgress().progress).learner;
  expect(id, 'an id').toMatch(/^[0-9a-f-]{36}$/);
  expect(loadProgress().progress.learner, 'kept on disk').toBe(id);
  expect(withLearnerId(loadProgress().progress).learner, 'not replaced later').toBe(id);
});
