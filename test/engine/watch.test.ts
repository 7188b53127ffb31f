/**
 * Watch mode: one save grades once, whether the editor writes in place or saves by rename (vim,
 * JetBrains), a burst of writes is graded once, and the warm runner reads the new code each time.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import type { GradeReport } from '../../tui/grader/grade.ts';
import { ExerciseWatcher } from '../../tui/grader/watch.ts';

const base = join(ROOT, 'node_modules', '.cache', 'kubelings');
mkdirSync(base, { recursive: true });
const dir = join(mkdtempSync(join(base, 'watch-')), 'pack');
cpSync(join(ROOT, 'test', 'engine', 'fixtures', 'grader-pack'), dir, { recursive: true, filter: (src) => !src.includes('variants') });
afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const pack = loadPack(dir);
const lesson = pack.lessons[0]!;
const exercise = lesson.exercises[0]!;
const solution = readFileSync(exercise.solution, 'utf8');

/** Resolves once `count` reports have arrived (or fails after `ms`). */
function waitFor(reports: GradeReport[], count: number, ms = 30_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (reports.length >= count) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        reject(new Error(`expected ${count} reports within ${ms} ms, got ${reports.length}`));
      }
    }, 25);
  });
}
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('grades at start and once per save, in place or by rename, and sees the new code each time', async () => {
  const reports: GradeReport[] = [];
  const watcher = new ExerciseWatcher(lesson, exercise, { onReport: (r) => reports.push(r) });
  try {
    await watcher.start();
    expect(reports.length, 'reports after start').toBe(1);
    expect(reports[0]!.ok, 'the stub at start').toBe(false);

    // An editor that saves by writing a temporary file and renaming it over the original.
    const temp = `${exercise.file}.swp`;
    writeFileSync(temp, solution);
    renameSync(temp, exercise.file);
    await waitFor(reports, 2);
    await settle(600);
    expect(reports.length, 'reports after one rename-save').toBe(2);
    expect(reports[1]!.ok, 'the solution, saved by rename').toBe(true);

    // A burst of writes in place (an editor's autosave): graded once, with the last content.
    writeFileSync(exercise.file, 'export function double(n: number) { return n; }\n');
    writeFileSync(exercise.file, 'export function double(n: number) { return n + 1; }\n');
    writeFileSync(exercise.file, 'export function double(n: number) { return n + 2; }\n');
    await waitFor(reports, 3);
    await settle(600);
    expect(reports.length, 'reports after a burst of three writes').toBe(3);
    const failure = reports[2]!.exercises[0]!.tests.find((t) => t.title === 'double(-3) is -6')!.failure;
    expect(failure?.kind === 'assertion' && failure.got, 'what the last write returns for double(-3)').toBe('-1');
  } finally {
    await watcher.close();
  }
}, 120_000); // three grading runs in the grader's vitest child, each waited for up to 30 s
