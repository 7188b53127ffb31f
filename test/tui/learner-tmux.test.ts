/**
 * A learner at a real 80×24 terminal (tmux), on a copy of the fixture pack loaded beside the core
 * pack: the quiz in their own order, scored by right answers on the home screen; hints numbered the
 * same in the report and when revealed; `e` handing the terminal to $EDITOR (the normal screen,
 * cooked mode: the editor reads a typed line) and the TUI drawing itself whole when it exits; and
 * `watch` wrapping its report at word boundaries. Skipped, with the reason in the title, without
 * tmux.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, onTestFinished, test } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '#engine/paths.ts';
import { copyFixturePack } from './helpers.tsx';
import { hasTmux, Tmux } from './tmux.ts';

const skip = hasTmux ? '' : '(skipped: tmux is not installed) ';
const tmux = new Tmux();
const copy = copyFixturePack('tui-tmux');
const work = mkdtempSync(join(tmpdir(), 'kubelings-learner-'));
afterAll(() => {
  tmux.kill();
  copy.remove();
  rmSync(work, { recursive: true, force: true });
});

/** A state folder whose learner id deals the fixture's first question with its right answer first. */
function home(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'progress.json'), `${JSON.stringify({ version: 1, exercises: {}, quiz: {}, pages: {}, completeComponents: [], learner: 'learner-2' })}\n`);
  return dir;
}

/** `kubelings …args` in the fixture copy's context, the shell saying how it ended. */
function kubelingsCommand(state: string, args: string, env = ''): string {
  return `cd ${ROOT} && ${env} CI=true KUBELINGS_HOME=${state} KUBELINGS_PACKS=${copy.dir} node tui/bin/kubelings.js ${args}; echo "[exited $?]"; sleep 120`;
}

/** How many lessons the core pack lists: the fixture's lesson comes after them on the home screen. */
const CORE_LESSONS = (parse(readFileSync(join(ROOT, 'lessons', 'core', 'pack.yaml'), 'utf8')) as { lessons: string[] }).lessons.length;

/** From the home screen to the fixture's first lesson: past every lesson of the core pack. */
async function openFixtureLesson(session: string): Promise<void> {
  await tmux.waitFor(session, '↑↓ choose');
  tmux.keys(session, ...Array<string>(CORE_LESSONS).fill('Down'));
  await tmux.waitFor(session, '❯ 00  Counting votes');
  tmux.keys(session, 'Enter');
  await tmux.waitFor(session, 'page 1/2');
}

/** q from the exercise screen to the lesson, to home, and out; one key at a time, as typed. */
async function quit(session: string): Promise<void> {
  tmux.keys(session, 'q');
  await tmux.waitFor(session, 'page 1/2');
  tmux.keys(session, 'q');
  await tmux.waitFor(session, '↑↓ choose');
  tmux.keys(session, 'q');
  await tmux.waitFor(session, '[exited 0]');
}

test.skipIf(!hasTmux)(`${skip}the quiz comes in the learner's order, and the home screen counts right answers`, { timeout: 240_000 }, async () => {
  tmux.start('quiz', kubelingsCommand(home('quiz'), ''));
  await openFixtureLesson('quiz');
  tmux.keys('quiz', 't');
  const question = await tmux.waitFor('quiz', 'question 1/2');
  expect(question, "learner-2's order: lesson.yaml's second choice first").toMatch(/❯ An empty tally\n\s+An error/);
  tmux.keys('quiz', 'Enter');
  await tmux.waitFor('quiz', '✓ Right: An empty tally');
  tmux.keys('quiz', 'Enter');
  await tmux.waitFor('quiz', 'question 2/2');
  // Pick the choice that is not the right one, wherever this learner sees it.
  const second = tmux.screen('quiz');
  tmux.keys('quiz', /❯ Nobody, it is a tie/.test(second) ? 'Down' : 'Up', 'Enter');
  await tmux.waitFor('quiz', 'Not quite');
  tmux.keys('quiz', 'Enter');
  expect(await tmux.waitFor('quiz', 'Score: 1/2'), 'the score').toContain('✗ Two names have three votes each');
  tmux.keys('quiz', 'q');
  await tmux.waitFor('quiz', 'page 1/2');
  tmux.keys('quiz', 'q');
  expect(await tmux.waitFor('quiz', '↑↓ choose'), 'home: one right answer of two').toMatch(/00 {2}Counting votes .* quiz 1\/2/);
  tmux.keys('quiz', 'q');
  await tmux.waitFor('quiz', '[exited 0]');
});

test.skipIf(!hasTmux)(`${skip}hints: the report offers hint 1, h reveals hint 1, then the report offers hint 2`, { timeout: 240_000 }, async () => {
  // A count() written wrong: it forgets repeated names.
  const file = join(copy.dir, 'exercises', 'tally', 'count.ts');
  const stub = readFileSync(file, 'utf8');
  writeFileSync(file, 'export function count(votes: string[]): Record<string, number> {\n  return Object.fromEntries(votes.map((v) => [v, 1]));\n}\n');
  tmux.start('hints', kubelingsCommand(home('hints'), ''));
  await openFixtureLesson('hints');
  tmux.keys('hints', 'e');
  expect(await tmux.waitFor('hints', 'Score: 1/2'), 'graded').toContain('h reveals hint 1 of 3.');
  try {
    tmux.keys('hints', 'h');
    const after = await tmux.waitFor('hints', 'Hint 1 of 3: What should an empty list give?');
    expect(after, 'after h').not.toContain('Hint 2 of 3:');
    expect(after.match(/✓ no votes give an empty tally/g), 'each row drawn once').toHaveLength(1);
    tmux.keys('hints', 'End'); // the report's last lines, under the hint
    expect(await tmux.waitFor('hints', 'Score: 1/2'), 'after h, at the end of the report').toContain('h reveals hint 2 of 3.');
    await quit('hints');
  } finally {
    writeFileSync(file, stub);
  }
});

test.skipIf(!hasTmux)(`${skip}e hands the terminal to $EDITOR and the TUI comes back whole when it exits`, { timeout: 240_000 }, async () => {
  // An "editor" that shows itself, reads a line the learner types (cooked mode: the TUI let go of
  // the terminal), appends it to the file, and exits. At a short path (not under TMPDIR, which npm
  // test sets to a folder of its own), so that "Back from <editor>. Every save is graded." fits the
  // 80-column status line whole.
  const editorDir = mkdtempSync('/tmp/kl-ed-');
  onTestFinished(() => rmSync(editorDir, { recursive: true, force: true }));
  const editor = join(editorDir, 'ed');
  writeFileSync(editor, '#!/bin/sh\nprintf "LINE EDITOR on %s\\ntype a line: " "$1"\nread line\necho "// $line" >> "$1"\n');
  chmodSync(editor, 0o755);
  const file = join(copy.dir, 'exercises', 'tally', 'count.ts');
  const before = readFileSync(file, 'utf8');
  tmux.start('edit', kubelingsCommand(home('edit'), '', `EDITOR=${editor} VISUAL=`));
  await openFixtureLesson('edit');
  tmux.keys('edit', 'e');
  await tmux.waitFor('edit', 'exercise 1/2');
  tmux.keys('edit', 'e');
  const editing = await tmux.waitFor('edit', 'type a line:');
  expect(editing.replace(/\n/g, ''), 'the editor has the screen').toContain(`LINE EDITOR on ${file}`);
  expect(tmux.flag('edit', 'alternate_on'), 'the TUI left the alternate screen').toBe('0');
  tmux.literal('edit', 'written in the editor');
  tmux.keys('edit', 'Enter');
  const back = await tmux.waitFor('edit', 'Back from');
  expect(tmux.flag('edit', 'alternate_on'), 'the TUI is full screen again').toBe('1');
  const rows = back.split('\n');
  expect(rows[0], 'the title bar, redrawn').toContain('Counting votes › 01 Count the votes');
  expect(back, 'the status line').toContain(`Back from ${editor}. Every save is graded.`);
  expect(rows.filter((r) => r.trim()).at(-1), 'the footer').toMatch(/↑↓ scroll {2}h hint {2}e edit/);
  expect(back, 'nothing of the editor left on screen').not.toContain('LINE EDITOR');
  expect(readFileSync(file, 'utf8'), 'the file').toBe(`${before}// written in the editor\n`);
  // The save is graded, and the keys work again.
  await tmux.waitFor('edit', /Score: \d\/2/);
  await quit('edit');
  writeFileSync(file, before);
});

test.skipIf(!hasTmux)(`${skip}watch wraps its report at word boundaries, and h numbers hints as the report does`, { timeout: 240_000 }, async () => {
  tmux.start('watch', kubelingsCommand(home('watch'), 'watch 00-tally/01-count'), 60, 40);
  const screen = await tmux.waitFor('watch', 'Watching');
  const text = screen
    .split('\n')
    .map((l) => l.trim())
    .join(' ');
  // Each row ends at a word boundary: joined back with spaces, the sentence reads whole.
  expect(text).toContain('count() is not written yet: this is exercise 00-tally/01-count.');
  expect(text).toContain('then fill in the TODO and save the file: it is graded again.');
  expect(
    screen.split('\n').every((l) => l.length <= 60),
    'no row wider than the pane',
  ).toBe(true);
  tmux.keys('watch', 'h');
  expect(await tmux.waitFor('watch', 'Hint 1 of 3:'), 'the first h').toContain('Hint 1 of 3: What should an empty list give?');
  tmux.keys('watch', 'h');
  await tmux.waitFor('watch', 'Hint 2 of 3:');
  tmux.keys('watch', 'q');
  await tmux.waitFor('watch', '[exited 0]');
  expect(existsSync(join(work, 'watch', 'progress.json'))).toBe(true);
  expect(JSON.parse(readFileSync(join(work, 'watch', 'progress.json'), 'utf8')).exercises['00-tally/01-count'].hintsRevealed, 'revealed').toBe(2);
});
