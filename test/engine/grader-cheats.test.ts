/**
 * Grading that learner code cannot fake: the real grader (a warm SuiteRunner, its child, the guard)
 * on fixtures that each hold one cheat, with the function itself left wrong. Every cheat ends as
 * "The exercise changed the grader", no test counts, and nothing the cheat changed stays changed.
 *
 * The cheats of issue 9 (Object.is, expect.extend, reading the suite, rewriting the suite, writing
 * the progress file), a fifth (forging the results on their way out of the test worker), and the
 * neighbours the guard also covers (Array.prototype, Object.prototype, importing the reference,
 * an impostor value). An honest solution is never called a cheat: the last tests grade the
 * reference as learner code.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { stateDir } from '#engine/paths.ts';
import { loadPack, type Lesson } from '../../tui/course/load.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { gradeLesson, type GradeReport } from '../../tui/grader/grade.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';
import { loadCourseCached } from '../../tui/app/courseCache.ts';
import { checkCourseCache, courseCacheStamp, isGenuineCourseCache } from '../../tui/grader/course-cache-check.ts';
import { FIXTURE_PACK, kubelings, packCopy, removeTemps, tempDir } from '../support/cli.ts';

const runner = new SuiteRunner(true);
afterAll(() => {
  runner.close();
  removeTemps();
});

const fixture = loadPack(FIXTURE_PACK).lessons[0]!;

/** Grades 01-double with the learner's code from variants/<name> (read-only cheats). */
function gradeVariant(name: string, lesson: Lesson = fixture): Promise<GradeReport> {
  return gradeLesson(lesson, [lesson.exercises[0]!], {
    runner,
    regressions: false,
    seed: 7,
    env: { KUBELINGS_EXERCISES_PATH: join(FIXTURE_PACK, 'variants', name) },
  });
}

/** Grades 01-double in a copy of the pack whose exercises are variants/<name> (cheats that write). */
async function gradeCopy(name: string): Promise<{ report: GradeReport; dir: string; lesson: Lesson }> {
  const dir = packCopy({ variant: name });
  const lesson = loadPack(dir).lessons[0]!;
  const report = await gradeLesson(lesson, [lesson.exercises[0]!], { runner, regressions: false, seed: 7 });
  return { report, dir, lesson };
}

const text = (report: GradeReport) => formatReport(report, { color: false });

/** The report says the exercise changed the grader, counts nothing, and passes nothing. */
function expectCaught(report: GradeReport, what: RegExp): void {
  const out = text(report);
  expect(out).toMatch(/✗ The exercise changed the grader: /);
  expect(out).toMatch(what);
  // 0/3 when the tests ran; 0/0 when the cheat stopped the suite from loading.
  expect(out).toMatch(/^Score: 0\/[03]( \(no test could run\))?$/m);
  expect(report.ok).toBe(false);
  expect(report.exercises.every((e) => !e.ok && e.passed === 0)).toBe(true);
}

describe('the cheats of issue 9', () => {
  test('Object.is = () => true: reported, and toBe still compares with the real Object.is', async () => {
    const report = await gradeVariant('cheat-object-is');
    expectCaught(report, /it replaced Object\.is/);
  });

  test('expect.extend({ toBe() { … pass: true } }): reported', async () => {
    const report = await gradeVariant('cheat-expect-extend');
    expectCaught(report, /it (replaced expect\(…\)\.toBe|imports the test framework)/);
  });

  test('reading the hidden suite to answer from it: reported', async () => {
    const report = await gradeVariant('cheat-read-suite');
    expectCaught(report, /it read the grader's file .*test\/demo\/01-double\.test\.ts/);
  });

  test('rewriting the hidden suite: reported, the suite put back, and the next run fails honestly', async () => {
    const { report, dir, lesson } = await gradeCopy('cheat-rewrite-suite');
    const suite = join(dir, 'test', 'demo', '01-double.test.ts');
    const original = readFileSync(join(FIXTURE_PACK, 'test', 'demo', '01-double.test.ts'), 'utf8');
    expectCaught(report, /it rewrote the hidden suite .*01-double\.test\.ts \(put back as it was; the changed copy is in /);
    expect(readFileSync(suite, 'utf8'), 'the suite is as it was').toBe(original);
    const again = await gradeLesson(lesson, [lesson.exercises[0]!], { runner, regressions: false, seed: 7 });
    expect(again.exercises[0]!.passed, 'the second run passes nothing either').toBe(0);
    expect(readFileSync(suite, 'utf8')).toBe(original);
  });

  test('writing the progress file: reported, and the file put back as it was', async () => {
    const file = join(stateDir(), 'progress.json');
    const before = JSON.stringify({ version: 1, exercises: { 'other/one': { attempts: 2, hintsRevealed: 0 } }, quiz: {}, pages: {}, completeComponents: [] });
    writeFileSync(file, before);
    try {
      const report = await gradeVariant('cheat-write-progress');
      expectCaught(report, /it wrote your progress file .*progress\.json \(put back as it was\)/);
      expect(readFileSync(file, 'utf8')).toBe(before);
    } finally {
      rmSync(file, { force: true });
    }
  });

  test("rewriting the TUI's course cache (which suite grades which exercise): the forged cache is removed, so it never takes effect", async () => {
    const file = join(tempDir('course-cache-'), 'course.json');
    const was = process.env.KUBELINGS_COURSE_CACHE;
    process.env.KUBELINGS_COURSE_CACHE = file;
    try {
      // A genuine cache, as the TUI writes it at start-up.
      await loadCourseCached();
      expect(isGenuineCourseCache(readFileSync(file, 'utf8')), 'the cache the TUI wrote is recognised as genuine').toBe(true);
      const report = await gradeLesson(fixture, [fixture.exercises[0]!], {
        runner,
        regressions: false,
        seed: 7,
        env: { KUBELINGS_EXERCISES_PATH: join(FIXTURE_PACK, 'variants', 'cheat-course-cache'), KUBELINGS_COURSE_CACHE: file },
      });
      // Removed silently: a kubelings started meanwhile could also have written one that no longer
      // matches (course-cache-check.ts), and an honest run must never be called a cheat for that.
      expect(report.exercises[0]!.passed, 'the wrong function still fails').toBe(0);
      expect(existsSync(file), 'the forged cache is gone').toBe(false);
    } finally {
      if (was === undefined) delete process.env.KUBELINGS_COURSE_CACHE;
      else process.env.KUBELINGS_COURSE_CACHE = was;
    }
  });

  test('a genuine course cache written during a run (kubelings started in another terminal) is kept; anything else is removed', async () => {
    const file = join(tempDir('course-cache-'), 'course.json');
    const before = courseCacheStamp(file);
    await loadCourseCached([], file);
    expect(checkCourseCache(before, file)).toBe(false);
    expect(existsSync(file), 'the genuine cache stays').toBe(true);
    const withPack = join(tempDir('course-cache-'), 'course.json');
    await loadCourseCached([FIXTURE_PACK], withPack);
    expect(checkCourseCache('absent', withPack), 'one written by a kubelings started with --pack').toBe(false);
    expect(existsSync(withPack)).toBe(true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"format":1', '"format":1 '));
    expect(checkCourseCache(before, file), 'one byte more is not what kubelings writes').toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  test('through `kubelings check`, the progress written by the cheat records no pass', () => {
    const dir = packCopy({ variant: 'cheat-write-progress' });
    const { code, out, home } = kubelings(['check', '01-demo/01-double', '--pack', dir]);
    expect(out).toMatch(/The exercise changed the grader: it wrote your progress file/);
    expect(code).toBe(1);
    const progress = JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
    expect(progress.exercises['01-demo/01-double']).toEqual({ attempts: 1, hintsRevealed: 0 });
    expect(progress.exercises['01-demo/02-later'], 'the other exercise the cheat marked as passed').toBeUndefined();
    const list = kubelings(['list', '--pack', dir], { home });
    expect(list.out).not.toMatch(/✓.*01-demo/);
  }, 60_000);
});

describe('a fifth cheat: forging the results', () => {
  test('results rewritten from failed to passed on their way out of the test worker: reported', async () => {
    const report = await gradeVariant('cheat-forge-results');
    expectCaught(report, /the pass of "double\(2\) is 4" did not come from the grader's own check/);
  });
});

describe('a sixth: poisoning the transform cache', () => {
  test('rewriting the cached copy of the suite: reported, the copy removed, and the next run fails honestly', async () => {
    const { report, lesson } = await gradeCopy('cheat-poison-cache');
    expectCaught(report, /it rewrote the transform cache's copy of the hidden suite .*01-double\.test\.ts \(removed: the next check transforms it afresh\)/);
    const again = await gradeLesson(lesson, [lesson.exercises[0]!], { runner: new SuiteRunner(), regressions: false, seed: 7 });
    expect(again.exercises[0]!.passed, 'a fresh child after the cheat ran: still nothing passes').toBe(0);
  });
});

describe('what else the guard covers', () => {
  test('replacing a method of Array.prototype: reported', async () => {
    expectCaught(await gradeVariant('cheat-array-prototype'), /it replaced Array\.prototype\.some/);
  });

  test('adding asymmetricMatch to Object.prototype: reported', async () => {
    expectCaught(await gradeVariant('cheat-object-prototype'), /it added Object\.prototype\.asymmetricMatch/);
  });

  test('handing in the reference solution: reported', async () => {
    expectCaught(await gradeVariant('cheat-import-reference'), /it loads the reference solution .*solutions\/demo\/double\.ts/);
  });

  test('returning an object that claims to equal anything: reported', async () => {
    expectCaught(await gradeVariant('cheat-impostor'), /it returned an object with an asymmetricMatch, which claims to equal anything/);
  });
});

describe('random cases are drawn at grading time', () => {
  /** The inputs double() received in one grading run with `seed` (undefined: the run picks one). */
  async function inputsOf(seed: number | undefined): Promise<string> {
    const file = join(tempDir('inputs-'), 'inputs');
    writeFileSync(file, '');
    process.env.KUBELINGS_TEST_INPUTS = file;
    try {
      const report = await gradeLesson(fixture, [fixture.exercises[0]!], {
        runner: new SuiteRunner(),
        regressions: false,
        seed,
        env: { KUBELINGS_EXERCISES_PATH: join(FIXTURE_PACK, 'variants', 'record-inputs') },
      });
      expect(report.ok).toBe(true);
    } finally {
      delete process.env.KUBELINGS_TEST_INPUTS;
    }
    return readFileSync(file, 'utf8');
  }

  test('each run draws new ones, so a table of answers read from the suite cannot cover them; --seed replays a run exactly', async () => {
    const [first, second] = [await inputsOf(undefined), await inputsOf(undefined)];
    expect(first.split('\n').length, 'the randomised test ran').toBeGreaterThan(50);
    expect(first, 'two runs without a seed').not.toBe(second);
    expect(await inputsOf(1234), 'the same seed twice').toBe(await inputsOf(1234));
  }, 120_000);
});

describe('honest code is never called a cheat', () => {
  test('the reference, graded as learner code, passes without a word about the grader', async () => {
    const dir = packCopy();
    const lesson = loadPack(dir).lessons[0]!;
    for (const exercise of lesson.exercises) writeFileSync(exercise.file, readFileSync(exercise.solution, 'utf8'));
    const report = await gradeLesson(lesson, lesson.exercises, { runner, seed: 7 });
    expect(text(report)).not.toContain('changed the grader');
    expect(report.ok).toBe(true);
    expect(existsSync(join(stateDir(), 'progress.json'))).toBe(false);
  });
});
