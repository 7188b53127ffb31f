/**
 * The lesson screen (Markdown pages, page n/N, scrolling, pages read saved). The "see it live"
 * screen it opens with l is tested in live.test.tsx.
 */
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { loadProgress } from '../../tui/progress.ts';
import { expectScreen, fixtureCourse, freshHome, KEY, press, renderApp, screen, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

const at = [{ screen: 'lesson' as const, lesson: 'fixture/00-tally' }];

test('a lesson page: Markdown for the terminal, page n/N, and what comes next', async () => {
  const app = await renderApp({ course: fixtureCourse(), at });
  expectScreen(
    await until(app, 'page 1/2'),
    'lesson-page-1',
    screen`
Counting votes › Why count                                              page 1/2
 # Why count

 Votes arrive one by one. A tally says how many each name got.

   * one vote, one name
   * a name that got no votes is not in the tally















→ next page: How to count
←→ page  ↑↓ scroll  t quiz  e exercises  l live  ? help  q back
`,
  );
  await press(app.stdin, KEY.right);
  expectScreen(
    await until(app, 'page 2/2'),
    'lesson-page-2',
    screen`
Counting votes › How to count                                           page 2/2
 # How to count

 Keep a running total per name:

   const tally: Record<string, number> = {};

 Then add one for each vote.














End of the lesson: t quiz · e exercises · l see it live
←→ page  ↑↓ scroll  t quiz  e exercises  l live  ? help  q back
`,
  );
  app.unmount();
});

test('the furthest page read is saved, and the lesson becomes the place to resume', async () => {
  const app = await renderApp({ course: fixtureCourse(), at });
  await until(app, 'page 1/2');
  await press(app.stdin, 'n');
  await until(app, 'page 2/2');
  await press(app.stdin, 'p');
  await until(app, 'page 1/2');
  const progress = loadProgress().progress;
  expect(progress.pages['00-tally'], 'pages read after 1 → 2 → 1').toBe(1);
  expect(progress.current, 'where to resume').toEqual({ lesson: '00-tally', screen: 'lesson' });
  app.unmount();
});

test('a long page scrolls, and says where in it you are', async () => {
  const app = await renderApp({ course: fixtureCourse(), at, rows: 8 });
  const first = await until(app, 'page 1/2');
  expect(first, 'at 8 rows').toContain('lines 1–5 of 6 ↓');
  await press(app.stdin, KEY.down);
  const second = await until(app, 'lines 2–6 of 6');
  expect(second.split('\n').slice(1, 3), 'the first rows after one ↓').toEqual(['', ' Votes arrive one by one. A tally says how many each name got.']);
  app.unmount();
});
