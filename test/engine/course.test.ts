/**
 * The lesson-pack schema: every mistake an instructor can make is reported with its file and line,
 * and the core pack itself is valid.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { findTarget, formatIssue, loadCourse, loadPack, PackLoadError } from '../../tui/course/load.ts';

const FIXTURE = join(ROOT, 'test', 'engine', 'fixtures', 'grader-pack');

/** A copy of the fixture pack with lesson.yaml edited by `edit`; returns the issues it loads with. */
function issuesAfter(edit: (text: string) => string): string[] {
  const dir = join(mkdtempSync(join(tmpdir(), 'course-')), 'pack');
  cpSync(FIXTURE, dir, { recursive: true, filter: (s) => !s.includes('variants') });
  const file = join(dir, '01-demo', 'lesson.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  try {
    loadPack(dir);
    return [];
  } catch (error) {
    if (!(error instanceof PackLoadError)) throw error;
    return error.issues.map((i) => formatIssue({ ...i, file: i.file.replace(dir, 'PACK') }));
  }
}

describe('lesson.yaml validation', () => {
  test('the core pack loads without issues', () => {
    expect(() => loadPack(CORE_PACK_DIR)).not.toThrow();
  });

  test('an unknown key is an error, so a typo never passes silently', () => {
    const issues = issuesAfter((t) => t.replace('summary:', 'sumary:'));
    expect(issues).toEqual(['PACK/01-demo/lesson.yaml:1:1: summary: is required', 'PACK/01-demo/lesson.yaml:4:1: unknown key "sumary": is it misspelled?']);
  });

  test('a page that does not exist is named with its line', () => {
    const issues = issuesAfter((t) => t.replace('  - file: 01-page.md', '  - file: 02-missing.md').replace(/page: 01-page\.md/g, 'page: 02-missing.md'));
    expect(issues).toContainEqual(expect.stringMatching(/^PACK\/01-demo\/lesson\.yaml:6:\d+: page 02-missing\.md does not exist/));
  });

  test('an exercise page that is not one of the lesson pages is refused', () => {
    const issues = issuesAfter((t) => t.replace('    page: 01-page.md\n    task: Return twice n.', '    page: elsewhere.md\n    task: Return twice n.'));
    expect(issues).toContainEqual(expect.stringMatching(/exercises\[0\]\.page: "elsewhere\.md" is not one of this lesson's pages/));
  });

  test('a quiz question needs exactly one correct choice', () => {
    const issues = issuesAfter((t) => `${t}quiz:\n  - id: q1\n    question: Which?\n    choices:\n      - text: a\n      - text: b\n    explanation: Because.\n`);
    expect(issues).toContainEqual(expect.stringMatching(/quiz\[0\]\.choices: must mark exactly one choice "correct: true" \(found 0\)/));
  });

  test('two exercises with one id are refused', () => {
    const issues = issuesAfter((t) => t.replace('  - id: 02-later', '  - id: 01-double'));
    expect(issues).toContainEqual(expect.stringMatching(/exercises\[1\]\.id: "01-double" is used twice/));
  });

  test('a lesson id that differs from its folder is refused', () => {
    const issues = issuesAfter((t) => t.replace('id: 01-demo', 'id: 01-other'));
    expect(issues).toContainEqual(expect.stringMatching(/lesson\.yaml:1:\d+: id "01-other" must match its folder name "01-demo"/));
  });

  test('a missing suite file is named', () => {
    const issues = issuesAfter((t) => t.replace('suite: demo/01-double.test.ts', 'suite: demo/01-missing.test.ts'));
    expect(issues).toContainEqual(expect.stringMatching(/hidden suite .*01-missing\.test\.ts does not exist/));
  });
});

describe('findTarget', () => {
  const course = loadCourse([FIXTURE]);

  test('finds an exercise by its full id, its pack-qualified id, or its own id when unambiguous', () => {
    for (const name of ['01-demo/01-double', 'grader-fixture/01-demo/01-double', '01-double']) {
      const target = findTarget(course, name);
      expect(target.kind === 'exercise' && target.exercise.id).toBe('01-demo/01-double');
    }
  });

  test('finds a lesson by id', () => {
    expect(findTarget(course, '01-demo').kind).toBe('lesson');
  });

  test('an unknown name suggests close ones', () => {
    expect(() => findTarget(course, '01-demo/01-doubel')).toThrow(/There is no lesson or exercise "01-demo\/01-doubel"\./);
  });
});
