/**
 * The exercise screen with a fake grader (so frames are exact): before grading, grading…, the
 * report as formatReport prints it, hints one at a time, reset with a y/n, the reference after
 * passing or after "show me anyway", the next exercise; every report recorded like the CLI does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import type { EditOutcome } from '../../tui/editor.ts';
import { emptyProgress, loadProgress } from '../../tui/progress.ts';
import { copyFixturePack, expectScreen, FakeGrader, fakeReport, fixtureCourse, freshHome, normalise, press, renderApp, screen, settle, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

const at = [{ screen: 'exercise' as const, lesson: 'fixture/00-tally', exercise: '00-tally/01-count' }];
const course = fixtureCourse();
const count = course.packs[0]!.lessons[0]!.exercises[0]!;

/** The report of count() with its first test failing on an assertion. */
const failing = () =>
  fakeReport(count, [
    {
      title: 'each name gets one per vote',
      hint: 'Where is the running total?',
      failure: { kind: 'assertion', did: "count(['ann', 'bob', 'ann'])", expected: '{ ann: 2, bob: 1 }', got: '{}', message: 'expected {} to equal { ann: 2, bob: 1 }' },
    },
    { title: 'no votes give an empty tally', passed: true },
  ]);
const passing = () =>
  fakeReport(count, [
    { title: 'each name gets one per vote', passed: true },
    { title: 'no votes give an empty tally', passed: true },
  ]);

test('before grading: the task, the file to edit, and an empty results panel', async () => {
  const grader = new FakeGrader();
  const app = await renderApp({ course, grader, at });
  expectScreen(
    await until(app, 'exercise 1/2'),
    'exercise-before',
    screen`
Counting votes › 01 Count the votes                                 exercise 1/2
 Write count(votes): how many votes each name got.
 Your file: test/tui/fixtures/pack/exercises/tally/count.ts
 ── results ───────────────────────────────────────────────────────────────────
 Not graded yet: save the file (or press g) to grade it.

















Watching your file: every save grades it again.
↑↓ scroll  h hint  e edit  r reset  s solution  n/p next/prev  ? help  q back
`,
  );
  expect(grader.session.exercise.id, 'the exercise being watched').toBe('00-tally/01-count');
  expect(loadProgress().progress.current, 'where to resume').toEqual({ lesson: '00-tally', screen: 'exercise', exercise: '00-tally/01-count' });
  app.unmount();
  await settle();
  expect(grader.session.closed, 'the grader is closed with the screen').toBe(true);
});

test('grading…, then the report as the CLI prints it, recorded in progress', async () => {
  const grader = new FakeGrader();
  const app = await renderApp({ course, grader, at });
  await until(app, 'exercise 1/2');
  grader.session.handlers.onGrading();
  expectScreen(
    await until(app, 'Grading…'),
    'exercise-grading',
    screen`
Counting votes › 01 Count the votes                                 exercise 1/2
 Write count(votes): how many votes each name got.
 Your file: test/tui/fixtures/pack/exercises/tally/count.ts
 ── results · grading… ────────────────────────────────────────────────────────
 Grading…

















Watching your file: every save grades it again.
↑↓ scroll  h hint  e edit  r reset  s solution  n/p next/prev  ? help  q back
`,
  );
  grader.session.handlers.onReport(failing());
  expectScreen(
    await until(app, 'Score: 1/2'),
    'exercise-report',
    screen`
Counting votes › 01 Count the votes                                 exercise 1/2
 Write count(votes): how many votes each name got.
 Your file: test/tui/fixtures/pack/exercises/tally/count.ts
 ── results ───────────────────────────────────────────────────────────────────
 00-tally/01-count  Count the votes
 (test/tui/fixtures/pack/exercises/tally/count.ts; impl exercises:tally)
   ✗ each name gets one per vote
       did      count(['ann', 'bob', 'ann'])
       expected { ann: 2, bob: 1 }
       got      {}
       hint     Where is the running total?
   ✓ no votes give an empty tally

 Score: 1/2
 h reveals hint 1 of 3.   Reread: test/tui/fixtures/pack/00-tally/02-how.md







Watching your file: every save grades it again.
↑↓ scroll  h hint  e edit  r reset  s solution  n/p next/prev  ? help  q back
`,
  );
  expect(loadProgress().progress.exercises['00-tally/01-count'], 'recorded like npx kubelings check').toEqual({ attempts: 1, hintsRevealed: 0 });
  await press(app.stdin, 'g');
  expect(grader.session.regrades, 'g grades again').toBe(1);
  app.unmount();
});

test('hints come one at a time, are recorded, and the last one says what to reread', async () => {
  const grader = new FakeGrader();
  const app = await renderApp({ course, grader, at });
  await until(app, 'exercise 1/2');
  grader.session.handlers.onReport(failing());
  await until(app, 'Score: 1/2');
  await press(app.stdin, 'h');
  expectScreen(
    await until(app, 'Hint 1 of 3'),
    'exercise-hint',
    screen`
Counting votes › 01 Count the votes                                 exercise 1/2
 Write count(votes): how many votes each name got.
 Your file: test/tui/fixtures/pack/exercises/tally/count.ts
 ── results ───────────────────────────────────────────────────────────────────
 Hint 1 of 3: What should an empty list give?

 00-tally/01-count  Count the votes
 (test/tui/fixtures/pack/exercises/tally/count.ts; impl exercises:tally)
   ✗ each name gets one per vote
       did      count(['ann', 'bob', 'ann'])
       expected { ann: 2, bob: 1 }
       got      {}
       hint     Where is the running total?
   ✓ no votes give an empty tally

 Score: 1/2
 h reveals hint 2 of 3.   Reread: test/tui/fixtures/pack/00-tally/02-how.md





Watching your file: every save grades it again.
↑↓ scroll  h hint  e edit  r reset  s solution  n/p next/prev  ? help  q back
`,
  );
  expect(loadProgress().progress.exercises['00-tally/01-count']?.hintsRevealed, 'hints revealed').toBe(1);
  await press(app.stdin, 'h', 'h', 'h');
  const frame = await until(app, 'Hint 3 of 3');
  expect(frame, 'after the last hint').toContain('That is every hint (3). Reread "How to count"');
  expect(loadProgress().progress.exercises['00-tally/01-count']?.hintsRevealed, 'never more than there are').toBe(3);
  app.unmount();
});

test('reset asks first: n keeps the work, y restores the stub and forgets the pass, and the pass of what builds on it', async () => {
  const copy = copyFixturePack('tui-reset');
  try {
    const local = fixtureCourse({ dir: copy.dir });
    const file = local.packs[0]!.lessons[0]!.exercises[0]!.file;
    const stub = readFileSync(file, 'utf8');
    const progress = emptyProgress();
    progress.exercises['00-tally/01-count'] = { attempts: 1, hintsRevealed: 0, passedAt: '2025-01-01T00:00:00.000Z' };
    progress.exercises['00-tally/02-winner'] = { attempts: 1, hintsRevealed: 0, passedAt: '2025-01-01T00:00:00.000Z' };
    const app = await renderApp({ course: local, at, progress });
    await until(app, 'exercise 1/2');
    await press(app.stdin, 'r');
    expect(await until(app, 'nothing to reset'), 'r on the untouched stub').toContain('is already the untouched stub');

    writeFileSync(file, '// my work\n');
    await press(app.stdin, 'r');
    expectScreen(
      normalise(await until(app, '(y/n)'), 'tui-reset'),
      'exercise-reset-confirm',
      screen`
Counting votes › 01 Count the votes                      exercise 1/2 · ✓ passed
 Write count(votes): how many votes each name got.
 Your file: node_modules/.cache/kubelings/tui-reset-XXXXXX/pack/exercises/tall…
 ── results ───────────────────────────────────────────────────────────────────
 Not graded yet: save the file (or press g) to grade it.

















Throw away your work in count.ts and restore the stub? (y/n)
y yes  n no
`,
    );
    await press(app.stdin, 'n');
    await until(app, 'Nothing changed.');
    expect(readFileSync(file, 'utf8'), 'after n').toBe('// my work\n');

    await press(app.stdin, 'r');
    await until(app, '(y/n)');
    await press(app.stdin, 'y');
    expect(await until(app, 'back to the original stub'), 'after y').toContain('\ncount.ts is back to the original stub.');
    expect(readFileSync(file, 'utf8'), 'the file after y').toBe(stub);
    expect(loadProgress().progress.exercises['00-tally/01-count']?.passedAt, 'the pass is forgotten').toBeUndefined();
    // winner() calls count(), now a stub again: its pass is forgotten too, and the screens agree.
    expect(loadProgress().progress.exercises['00-tally/02-winner']?.passedAt, 'the pass of 02, which builds on 01').toBeUndefined();
    await press(app.stdin, 'n');
    expect((await until(app, 'exercise 2/2')).split('\n')[0], "02's title bar").not.toContain('passed');
    app.unmount();
  } finally {
    copy.remove();
  }
});

test('e opens the file in the editor and says so when it is back; with no editor, how to set one', async () => {
  const opened: string[] = [];
  let outcome: EditOutcome = { kind: 'edited', editor: 'nano' };
  const app = await renderApp({ course, at, edit: (file) => (opened.push(file), outcome) });
  await until(app, 'exercise 1/2');
  await press(app.stdin, 'e');
  expect(await until(app, 'Back from nano'), 'after the editor').toContain('Back from nano. Every save is graded.');
  expect(opened, 'the file opened').toEqual([count.file]);
  outcome = { kind: 'no-editor', message: 'No editor to open count.ts with: set one, for example export EDITOR=nano.' };
  await press(app.stdin, 'e');
  expect(await until(app, 'No editor'), 'without an editor').toContain('No editor to open count.ts with: set one, for example export EDITOR=nano.');
  await press(app.stdin, '?');
  expect(await until(app, 'Help'), 'the help overlay lists e, and g that the footer has no room for').toMatch(/e\s+open the file in your editor[\s\S]*g\s+grade now/);
  app.unmount();
});

test('the reference: asked for before passing, recorded as peeked; straight away after passing', async () => {
  const app = await renderApp({ course, at });
  await until(app, 'exercise 1/2');
  await press(app.stdin, 's');
  expectScreen(
    await until(app, '(y/n)'),
    'exercise-peek-confirm',
    screen`
Counting votes › 01 Count the votes                                 exercise 1/2
 Write count(votes): how many votes each name got.
 Your file: test/tui/fixtures/pack/exercises/tally/count.ts
 ── results ───────────────────────────────────────────────────────────────────
 Not graded yet: save the file (or press g) to grade it.

















Not passed yet. Show the reference anyway? (y/n)
y yes  n no
`,
  );
  await press(app.stdin, 'n');
  await until(app, 'Nothing changed.');
  expect(loadProgress().progress.exercises['00-tally/01-count']?.peeked, 'after n').toBeUndefined();
  await press(app.stdin, 's', 'y');
  expectScreen(
    await until(app, 'reference:'),
    'exercise-reference',
    screen`
Counting votes › 01 Count the votes                                 exercise 1/2
 ── reference: test/tui/fixtures/pack/solutions/tally/count.ts ────────────────
   /** How many votes each name got. */
   export function count(votes: string[]): Record<string, number> {
     const tally: Record<string, number> = {};
     for (const vote of votes) tally[vote] = (tally[vote] ?? 0) + 1;
     return tally;
   }














The reference solution: compare it with yours.
↑↓ scroll  s your results  ? help  q back
`,
  );
  expect(loadProgress().progress.exercises['00-tally/01-count']?.peeked, 'after y').toBe(true);
  await press(app.stdin, 's');
  await until(app, '── results');
  app.unmount();

  const progress = emptyProgress();
  progress.exercises['00-tally/01-count'] = { attempts: 1, hintsRevealed: 0, passedAt: '2025-01-01T00:00:00.000Z' };
  const after = await renderApp({ course, at, progress });
  await until(after, 'exercise 1/2 · ✓ passed');
  await press(after.stdin, 's');
  expect(await until(after, 'reference:'), 'after passing: no question asked').toContain('for (const vote of votes)');
  expect(loadProgress().progress.exercises['00-tally/01-count']?.peeked, 'not a peek').toBeUndefined();
  after.unmount();
});

test('a task too long for its place shows its start, and t shows it whole', async () => {
  const long = fixtureCourse();
  const exercise = long.packs[0]!.lessons[0]!.exercises[0]!;
  exercise.task = Array.from({ length: 8 }, (_, i) => `- step ${i + 1} of the task`).join('\n');
  const app = await renderApp({ course: long, at });
  const start = await until(app, 't: the whole task');
  expect(start, 'the first rows').toContain('* step 4 of the task');
  expect(start, 'not the last').not.toContain('step 8');
  expect(start.split('\n').at(-1), 'the footer offers t').toContain('t task');
  await press(app.stdin, 't');
  const whole = await until(app, '── the task');
  expect(whole, 'the whole task').toContain('* step 8 of the task');
  await press(app.stdin, 't');
  await until(app, '── results');
  app.unmount();
});

test('a pass is recorded and offers the next exercise; n moves the same grader to it', async () => {
  const grader = new FakeGrader();
  const app = await renderApp({ course, grader, at });
  await until(app, 'exercise 1/2');
  grader.session.handlers.onReport(passing());
  expect(await until(app, '✓ Passed!'), 'after a passing report').toContain('✓ Passed! n: next exercise (00-tally/02-winner)');
  expect(loadProgress().progress.exercises['00-tally/01-count']?.passedAt, 'recorded as passed').toEqual(expect.any(String));
  await press(app.stdin, 'n');
  const next = await until(app, 'exercise 2/2');
  expect(next.split('\n')[0], 'the title').toContain('Counting votes › 02 Find the winner');
  expect(next, 'results are cleared').toContain('Not graded yet');
  expect([grader.sessions.length, grader.session.exercise.id], 'one session, moved').toEqual([1, '00-tally/02-winner']);
  await press(app.stdin, 'n');
  expect(await until(app, 'last exercise'), 'n on the last exercise').toContain('This is the last exercise of the course.');
  app.unmount();
});
