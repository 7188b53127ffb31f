/**
 * The course cache behind the first frame: used while nothing changed, dropped when a file the
 * loader read changes or disappears, never written for a course with a broken pack.
 */
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { courseInputs, loadCourseCached } from '../../tui/app/courseCache.ts';
import type { Course } from '../../tui/course/load.ts';
import { BROKEN_PACK, copyFixturePack } from './helpers.tsx';

const copy = copyFixturePack('tui-cache');
const file = join(copy.dir, '..', 'course.json');
afterAll(() => copy.remove());

const fixtureTitle = (course: Course) => course.packs.find((p) => p.id === 'fixture')?.lessons[0]?.title;

test('a cached course is used until a file it was read from changes', async () => {
  const first = await loadCourseCached([copy.dir], file);
  expect(fixtureTitle(first), 'loaded').toBe('Counting votes');
  // Mark the cache so that a hit can be told from a fresh load.
  writeFileSync(file, readFileSync(file, 'utf8').replace('"Counting votes"', '"Counting votes (from the cache)"'));
  expect(fixtureTitle(await loadCourseCached([copy.dir], file)), 'nothing changed').toBe('Counting votes (from the cache)');

  const lessonFile = join(copy.dir, '00-tally', 'lesson.yaml');
  writeFileSync(lessonFile, readFileSync(lessonFile, 'utf8').replace('title: Counting votes', 'title: Counting ballots'));
  expect(fixtureTitle(await loadCourseCached([copy.dir], file)), 'after lesson.yaml changed').toBe('Counting ballots');
});

test('a file that disappears invalidates the cache (the pack is then reported broken)', async () => {
  await loadCourseCached([copy.dir], file);
  unlinkSync(join(copy.dir, 'test', 'tally', '02-winner.test.ts'));
  const course = await loadCourseCached([copy.dir], file);
  expect(
    course.broken.map((b) => b.dir),
    'broken packs',
  ).toEqual([copy.dir]);
});

test('every file the loader depends on is watched, and a broken course is not cached', async () => {
  rmSync(file, { force: true });
  const course = await loadCourseCached([BROKEN_PACK], file);
  expect(
    course.broken.map((b) => b.dir),
    'the broken pack',
  ).toContain(BROKEN_PACK);
  expect(existsSync(file), 'no cache written').toBe(false);
  const inputs = courseInputs(course);
  expect(
    inputs.some((f) => f.endsWith(join('tui', 'course', 'schema.ts'))),
    'the schema',
  ).toBe(true);
  expect(
    inputs.some((f) => f.endsWith('pack.yaml')),
    'pack.yaml',
  ).toBe(true);
});
