/**
 * The grader against deliberately broken learner code (test/engine/fixtures/grader-pack/variants):
 * every way a learner's code can go wrong ends as one clear sentence, within the deadline, and never
 * as a hang or a runner's stack trace.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadPack } from '../../tui/course/load.ts';
import { gradeLesson, type GradeReport } from '../../tui/grader/grade.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';

const PACK = join(import.meta.dirname, 'fixtures', 'grader-pack');
const pack = loadPack(PACK);
const lesson = pack.lessons[0]!;
const [double, later] = lesson.exercises as [(typeof lesson.exercises)[0], (typeof lesson.exercises)[0]];
const runner = new SuiteRunner(true);
afterAll(() => runner.close());

/** Grades the learner code in variants/<name> (or the stub / reference trees). */
async function grade(variant: string, exercise = double, deadlineMs = 10_000): Promise<GradeReport> {
  const env: Record<string, string> = variant === 'stub' ? {} : { KUBELINGS_EXERCISES_PATH: join(PACK, variant === 'reference' ? 'solutions' : join('variants', variant)) };
  return gradeLesson(lesson, [exercise], { runner, deadlineMs, regressions: false, env, seed: 42 });
}

const text = (report: GradeReport) => formatReport(report, { color: false });

describe('the grader', () => {
  test('the reference passes: Score 3/3 and ok', async () => {
    const report = await grade('reference');
    expect(report.ok).toBe(true);
    expect(text(report)).toContain('Score: 3/3');
    expect(text(report)).toContain('✓ double(2) is 4');
  });

  test('the untouched stub: one "not written yet" paragraph, then what the tests expect, each once; no hint is revealed', async () => {
    const report = await grade('stub');
    const out = text(report);
    expect(report.ok).toBe(false);
    expect(out).toContain('✗ double(2) is 4');
    expect(out).toContain('✗ double(-3) is -6');
    expect(out).toMatch(
      /^ {2}double\(\) is not written yet: this is exercise 01-demo\/01-double\. Read test\/engine\/fixtures\/grader-pack\/01-demo\/01-page\.md, then fill in the TODO and run: npx kubelings check 01-demo\/01-double$/m,
    );
    expect(out.match(/is not written yet/g), 'the paragraph, once').toHaveLength(1);
    expect(out.indexOf('is not written yet'), 'before the expectations').toBeLessThan(out.indexOf('✗ double(2) is 4'));
    expect(out).toContain('Score: 0/3');
    expect(out, 'grading reveals no hint').not.toMatch(/Hint \d+ of/);
  });

  test('a wrong answer shows what was done, what was expected, what came back, and the test hint', async () => {
    const out = text(await grade('wrong'));
    expect(out).toMatch(/✗ double\(-3\) is -6\n\s+did\s+double\(-3\)\n\s+expected\s+-6\n\s+got\s+-1/);
    expect(out).toMatch(/✓ double\(2\) is 4/);
    expect(out).toContain('Score: 1/3');
  });

  test('a sync infinite loop ends within the deadline plus 2 s, naming the test that hung', async () => {
    const started = Date.now();
    const report = await grade('loop', double, 2_000);
    // Without the deadline a sync loop never ends; any bound well below the test's timeout proves the
    // deadline ended it. Generous: stopping and reporting can take seconds on a loaded machine.
    expect(Date.now() - started).toBeLessThan(2_000 + 10_000);
    expect(report.ok).toBe(false);
    expect(text(report)).toMatch(/Did not finish in 2 s while running "double\(2\) is 4": is there an infinite loop/);
  });

  test('a loop at the top level of the file is reported as such', async () => {
    const report = await grade('toplevel-loop', double, 2_000);
    expect(text(report)).toMatch(/Did not finish in 2 s while loading test\/engine\/fixtures\/grader-pack\/test\/demo\/01-double\.test\.ts: is there a loop at the top level/);
  });

  test('process.exit() in the learner code is one sentence, not a crash', async () => {
    const out = text(await grade('exit'));
    expect(out).toContain('Your code called process.exit(3): an exercise must return a value or throw an error, never end the process.');
  });

  test('an unhandled rejection fails the exercise with one sentence naming the error', async () => {
    const report = await grade('reject');
    expect(report.ok).toBe(false);
    expect(text(report)).toContain('Score: 3/3, but the exercise does not pass yet: see the ✗ above.');
    expect(text(report)).toMatch(
      /A promise rejected and nothing caught it: boom from double \(at test\/engine\/fixtures\/grader-pack\/variants\/reject\/demo\/double\.ts:2, in double\(\)\)\. Did you forget an await or a \.catch\(\)\?/,
    );
  });

  test('a thrown error names its type, message, the line in the learner file and the function it is in', async () => {
    const out = text(await grade('throws'));
    // The test is about double(); the bug is in its helper factor(), and that is the one named.
    expect(out).toMatch(
      /Your code threw TypeError: Cannot read properties of undefined \(reading 'times'\) \(at test\/engine\/fixtures\/grader-pack\/variants\/throws\/demo\/double\.ts:8, in factor\(\)\)/,
    );
  });

  test('a syntax error says the file does not compile, with line and column', async () => {
    const out = text(await grade('syntax'));
    expect(out).toMatch(/variants\/syntax\/demo\/double\.ts does not compile: line 3, column 4: Unexpected token\.\n\s*3 \|   \}\}\n\s+\^/);
    expect(out).not.toMatch(/at .*node_modules/);
  });

  test('a process killed mid-test is reported, and the grader survives it', async () => {
    const out = text(await grade('kill'));
    expect(out).toMatch(/The test process was killed by SIGKILL while running "double\(2\) is 4"/);
    expect((await grade('reference')).ok).toBe(true);
  });

  test('an index without a default export gets the sentence that says how to fix it', async () => {
    const out = text(await grade('noexport'));
    expect(out).toMatch(/must export its functions as one default object/);
  });

  test('an async test that never settles is reported as waiting forever, not as a hang', async () => {
    const out = text(await grade('hang', later));
    expect(out).toMatch(/The test waited 5 s and your code never finished: is a promise never resolved/);
  });

  test('a failing property names the smallest random input that fails, and the seed that replays it', async () => {
    const report = await grade('odd');
    const out = text(report);
    expect(out).toMatch(/✗ double\(n\) is n \+ n for any integer\n\s+did\s+double\(6\), for the random input \[6\] \(the smallest failing one, found after \d+ runs?\)\n\s+expected\s+12\n\s+got\s+13/);
    expect(out).toContain('Random inputs came from seed 42: replay them with --seed 42.');
  });

  test("the learner's console output is kept apart from the grader's lines", async () => {
    const report = await grade('console');
    expect(report.ok).toBe(true);
    const test2 = report.exercises[0]!.tests.find((t) => t.title === 'double(2) is 4')!;
    expect(test2.console.map((l) => l.content.trim())).toEqual(['doubling 2']);
  });
});

describe('the test runner itself', () => {
  async function withChild(script: string, startupMs: number) {
    const before = process.env.KUBELINGS_GRADER_CHILD;
    process.env.KUBELINGS_GRADER_CHILD = join(import.meta.dirname, 'fixtures', 'children', script);
    const own = new SuiteRunner();
    try {
      const started = Date.now();
      const run = await own.run({ files: [double.suite], env: {}, deadlineMs: 10_000, startupMs });
      return { run, elapsed: Date.now() - started };
    } finally {
      own.close();
      if (before === undefined) delete process.env.KUBELINGS_GRADER_CHILD;
      else process.env.KUBELINGS_GRADER_CHILD = before;
    }
  }

  test('a runner that never becomes ready is given up on after the start-up allowance', async () => {
    const { run, elapsed } = await withChild('never-ready.js', 1_000);
    // Well below the default allowance (GRADE_STARTUP_ALLOWANCE_MS, 15 s): the 1 s given here ended it.
    expect(elapsed).toBeLessThan(1_000 + 10_000);
    expect(run.crashed?.neverStarted).toBe(true);
    const verdict = (await import('../../tui/grader/grade.ts')).verdictFor(double, 'target', run);
    expect(verdict.problem).toMatch(/^The grader's test runner could not start: the test runner did not start within 1 s\. Is the machine very busy\? Try again\.$/);
  });

  test('a runner that dies while starting says so, with what it printed', async () => {
    const { run } = await withChild('dies-at-start.js', 10_000);
    const verdict = (await import('../../tui/grader/grade.ts')).verdictFor(double, 'target', run);
    expect(verdict.problem).toMatch(/could not start: the grader's test runner stopped before it was ready \(exit 1\): Error: Cannot find package vitest/);
  });
});
