/**
 * The grader names what went wrong when the learner's code outruns its limits, instead of calling
 * everything an infinite loop: memory that grows without end (the child's heap is capped, and the
 * worker V8 stops is recognised), a flood of console output (only the first CONSOLE_KEEP_BYTES are
 * kept; past CONSOLE_FLOOD_BYTES the run is stopped at once), and a top-level await on a promise
 * that never settles (the child was idle, not spinning, when the deadline passed).
 *
 * Real grading runs on the fixture pack's variants (oom, flood, await; loop for the contrast).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CONSOLE_FLOOD_BYTES, CONSOLE_KEEP_BYTES } from '#engine/params.ts';
import { loadPack } from '../../tui/course/load.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { gradeLesson, type GradeReport } from '../../tui/grader/grade.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';
import { FIXTURE_PACK } from '../support/cli.ts';

const lesson = loadPack(FIXTURE_PACK).lessons[0]!;
const runners: SuiteRunner[] = [];
afterAll(() => runners.forEach((r) => r.close()));

async function grade(variant: string, deadlineMs: number, heapMb?: string): Promise<{ report: GradeReport; out: string; elapsedMs: number }> {
  const before = process.env.KUBELINGS_GRADE_HEAP_MB;
  if (heapMb) process.env.KUBELINGS_GRADE_HEAP_MB = heapMb;
  const runner = new SuiteRunner(true);
  runners.push(runner);
  try {
    const started = Date.now();
    const report = await gradeLesson(lesson, [lesson.exercises[0]!], {
      runner,
      deadlineMs,
      regressions: false,
      seed: 3,
      env: { KUBELINGS_EXERCISES_PATH: join(FIXTURE_PACK, 'variants', variant) },
    });
    return { report, out: formatReport(report, { color: false }), elapsedMs: Date.now() - started };
  } finally {
    if (before === undefined) delete process.env.KUBELINGS_GRADE_HEAP_MB;
    else process.env.KUBELINGS_GRADE_HEAP_MB = before;
  }
}

describe('the grader names', () => {
  test('memory that grows without end: "used more than N MB of memory", not an infinite loop', async () => {
    // A small heap, so that the limit is reached long before the (generous) deadline.
    const { report, out } = await grade('oom', 60_000, '200');
    expect(out).toMatch(/Your code used more than 200 MB of memory while running "double\(2\) is 4", and the grader stopped it\. Does an array, a map or a string keep growing/);
    expect(out).not.toContain('infinite loop');
    expect(report.ok).toBe(false);
  }, 120_000);

  test('a flood of console output: "printed too much", stopped without waiting for the deadline, and only the start kept', async () => {
    const { report, out, elapsedMs } = await grade('flood', 60_000);
    expect(out).toMatch(/Your code printed too much: \d+ MB of output while running "double\(2\) is 4", and the grader stopped it \(only the first 64 KB are shown\)\./);
    expect(out).not.toContain('infinite loop');
    expect(elapsedMs, 'stopped once past the flood limit, long before the 60 s deadline').toBeLessThan(50_000);
    const kept = report.exercises[0]!.tests.flatMap((t) => t.console).reduce((n, l) => n + l.content.length, 0) + report.console.reduce((n, l) => n + l.content.length, 0);
    expect(kept).toBeLessThanOrEqual(CONSOLE_KEEP_BYTES + 2_000);
    expect(CONSOLE_FLOOD_BYTES).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);

  // Deadlines of 10 s: the child's activity is sampled over the last 2 s, well after the suite's
  // modules were transformed and loaded, even on a loaded machine.
  test('a top-level await that never settles: "a promise that never settles", not a loop at the top level', async () => {
    const { out } = await grade('await', 10_000);
    expect(out).toMatch(
      /Did not finish in 10 s while loading test\/engine\/fixtures\/grader-pack\/test\/demo\/01-double\.test\.ts: your file waits at its top level on a promise that never settles\./,
    );
    expect(out).not.toContain('is there a loop at the top level');
  }, 60_000);

  test('and a loop at the top level is still a loop (the child was busy, not waiting)', async () => {
    const { out } = await grade('toplevel-loop', 10_000);
    expect(out).toMatch(/Did not finish in 10 s while loading .*: is there a loop at the top level/);
  }, 60_000);
});
