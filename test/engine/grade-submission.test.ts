/**
 * `kubelings grade --submission DIR`, as a classroom CI job runs it: the real command on a
 * learner's tree (a folder that mirrors the project), reading the JUnit XML and JSON it writes.
 * Only the exercise files are taken from the submission; a changed suite in it, a link out of
 * it, or a cheat in an exercise change nothing but the learner's own grade.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { FIXTURE_PACK, kubelings, removeTemps, tempDir } from '../support/cli.ts';

afterAll(removeTemps);

const PACK_IN_PROJECT = relative(ROOT, FIXTURE_PACK);

/** A submission holding `files` (paths relative to the project) with the given content. */
function submission(files: Record<string, string>): string {
  const dir = tempDir('submission-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const reference = (file: string) => readFileSync(join(FIXTURE_PACK, 'solutions', 'demo', file), 'utf8');
const exercisePath = (file: string) => join(PACK_IN_PROJECT, 'exercises', 'demo', file);

function grade(dir: string, extra: string[] = []) {
  const out = join(tempDir('grade-out-'), 'report');
  const result = kubelings(['grade', '--submission', dir, '--out', out, '--seed', '5', ...extra], { timeoutMs: 600_000 });
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  return { ...result, junit: () => read('junit.xml'), json: () => JSON.parse(read('grade.json')) };
}

describe('grade --submission on a pack', () => {
  test('grades the exercise files found, the stub for the others; writes JUnit XML and JSON; exit 1 unless all pass', () => {
    const dir = submission({ [exercisePath('double.ts')]: reference('double.ts') });
    const { code, out, junit, json } = grade(dir, ['--pack', FIXTURE_PACK]);
    expect(out).toMatch(/^✓ 01-demo\/01-double\s+3\/3$/m);
    expect(out).toMatch(/^✗ 01-demo\/02-later\s+0\/1\s+not written$/m);
    expect(out).toMatch(/1\/2 exercises pass \(seed 5\)\. Wrote .*junit\.xml and .*grade\.json\./);
    expect(code).toBe(1);
    const summary = json();
    expect(summary).toMatchObject({ passed: 1, total: 2, seed: 5 });
    expect(summary.exercises[1].file.skipped).toBe('not in the submission: graded as the untouched stub');
    const xml = junit();
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="kubelings" tests="\d+" failures="\d+">/);
    expect(xml).toContain('<testcase classname="01-demo/01-double" name="double(2) is 4"></testcase>');
    expect(xml).toMatch(/<testcase classname="01-demo\/02-later" name="later\(7\) resolves with 7">\n\s+<failure message="later\(\) is not written yet/);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
  }, 120_000);

  test('everything passing exits 0; the suite in the submission is never used', () => {
    const dir = submission({
      [exercisePath('double.ts')]: reference('double.ts'),
      [exercisePath('later.ts')]: reference('later.ts'),
      // A "suite" that would fail everything: the grader's own suite is used instead.
      [join(PACK_IN_PROJECT, 'test', 'demo', '01-double.test.ts')]: "import { test } from 'vitest';\ntest('x', () => { throw new Error('from the submission'); });\n",
    });
    const { code, json } = grade(dir, ['--pack', FIXTURE_PACK]);
    expect(json()).toMatchObject({ passed: 2, total: 2 });
    expect(code).toBe(0);
  }, 120_000);

  test('a link to a file outside the submission is refused and the stub graded instead', () => {
    const dir = submission({});
    const secret = join(tempDir('secret-'), 'secret.ts');
    writeFileSync(secret, 'export const secret = "the instructor\'s";\n');
    mkdirSync(dirname(join(dir, exercisePath('double.ts'))), { recursive: true });
    symlinkSync(secret, join(dir, exercisePath('double.ts')));
    const { json, junit } = grade(dir, ['--pack', FIXTURE_PACK]);
    expect(json().exercises[0].file.skipped).toBe('a link to a file outside the submission: refused, graded as the untouched stub');
    expect(junit()).not.toContain("the instructor's");
  }, 120_000);

  test('a cheat in the submission is reported in the JUnit failure, and counts nothing', () => {
    const dir = submission({ [exercisePath('double.ts')]: readFileSync(join(FIXTURE_PACK, 'variants', 'cheat-object-is', 'demo', 'double.ts'), 'utf8') });
    const { json, junit } = grade(dir, ['--pack', FIXTURE_PACK]);
    expect(json().exercises[0]).toMatchObject({ ok: false, passed: 0 });
    expect(junit()).toMatch(/<testcase classname="01-demo\/01-double" name="the exercise as a whole">\n\s+<failure message="The exercise changed the grader: it replaced Object\.is\./);
  }, 120_000);
});

describe('grade --deadline', () => {
  test('takes seconds per exercise: anything else is refused before grading, with exit 2', () => {
    for (const bad of ['0', '-5', 'ten', '99999']) {
      const { code, out, err } = kubelings(['grade', '--submission', tempDir('submission-'), '--deadline', bad]);
      expect(out + err).toContain(`--deadline takes seconds per exercise (more than 0, at most 3600), not "${bad}".`);
      expect(code).toBe(2);
    }
  }, 120_000);
});

describe('grade --submission on the core pack', () => {
  test("the reference, handed in as a learner's tree, passes every exercise, with no word about the grader", () => {
    const dir = submission({});
    cpSync(join(ROOT, 'solutions'), join(dir, 'exercises'), { recursive: true });
    // 05-wal's suite kills 100 writer processes: on a loaded machine it needs more than the default 10 s.
    const { code, out, json, junit } = grade(dir, ['--deadline', '300']);
    const summary = json();
    expect(summary.passed, out).toBe(summary.total);
    expect(summary.total).toBeGreaterThanOrEqual(19);
    expect(junit()).not.toContain('changed the grader');
    expect(code).toBe(0);
  }, 600_000);
});
