/**
 * The scheduler lesson as a learner met it: a queue whose schedulingCycle() returns 999, checked
 * with --impl mine before the lesson is complete, was graded against the reference and printed
 * "Score: 16/16 ✓ passes"; and a busy loop in the queue's pop() was blamed on a selectHost test,
 * with the suites the run never reached listed as "The suite holds no tests". Each is run here on
 * a copy of the reference with the learner's bug in it.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { gradeLesson, type GradeOptions } from '../../tui/grader/grade.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';

const pack = loadPack(CORE_PACK_DIR);
const lesson = pack.lessons.find((l) => l.id === '03-scheduler')!;
const queue = lesson.exercises.find((e) => e.localId === '04-queue')!;
const scheduleOne = lesson.exercises.find((e) => e.localId === '05-schedule-one')!;
const runner = new SuiteRunner(true);
const scratch = join(ROOT, 'node_modules', '.cache', 'kubelings', `honest-${process.pid}`);
afterAll(() => {
  runner.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The reference scheduler with one method of the queue's PriorityQueue class changed. */
function withQueueBug(name: string, method: string, body: string): string {
  const tree = join(scratch, name);
  cpSync(join(pack.solutionsRoot, 'scheduler'), join(tree, 'scheduler'), { recursive: true });
  const file = join(tree, 'scheduler', 'queue.ts');
  const source = readFileSync(file, 'utf8');
  const at = source.indexOf(`  ${method} {`, source.indexOf('class PriorityQueue'));
  expect(at, `${method} in the reference queue`).toBeGreaterThan(0);
  const open = source.indexOf('\n', at) + 1;
  writeFileSync(file, `${source.slice(0, open)}    ${body}\n${source.slice(open)}`);
  return tree;
}

const grade = (targets = [queue], tree: string, options: GradeOptions = {}) => gradeLesson(lesson, targets, { runner, seed: 1, ...options, env: { KUBELINGS_EXERCISES_PATH: tree, ...options.env } });

describe('--impl mine', () => {
  test("with a broken queue, before the lesson is complete: the learner's queue is graded and no pass is printed", async () => {
    const tree = withQueueBug('cycle-999', 'schedulingCycle(): number', 'return 999;');
    const report = await grade([queue], tree, { impl: 'mine' });
    const out = formatReport(report, { color: false });
    expect(report.graded, 'whose queue was graded').toBe('exercises');
    expect(report.ok).toBe(false);
    expect(out).toContain('(exercises/scheduler/queue.ts; impl exercises:scheduler)');
    expect(out).not.toMatch(/impl solutions|✓ 03-scheduler\/04-queue passes|The reference passes/);
    const score = /^Score: (\d+)\/(\d+)/m.exec(out)!;
    expect(Number(score[1]), out).toBeLessThan(Number(score[2]));
  });
});

describe('the watchdog', () => {
  test('a busy loop in pop() is blamed on the test that ran it, and suites never reached say so', async () => {
    // pop() spins while the active queue is empty: the first test to pop an empty queue hangs.
    const tree = withQueueBug('spin', 'pop(): QueuedPodInfo | undefined', 'while (this.active.size === 0) {}');
    // scheduleOne builds on 01-04, so five suites run; a generous deadline for a busy machine.
    const report = await grade([scheduleOne], tree, { deadlineMs: 10_000 });
    const out = formatReport(report, { color: false });
    const hung = report.exercises.flatMap((e) => e.tests.filter((t) => t.failure?.message === 'did not finish (see below)').map((t) => `${e.exercise.localId}: ${t.fullName}`));
    // vitest picks the order of the files; either of these pops an empty queue first.
    const popsEmpty = ['04-queue: the active queue > pods come out oldest first', '05-schedule-one: scheduleOne > an empty queue: nothing to do, undefined'];
    expect(hung, out).toHaveLength(1);
    expect(popsEmpty, out).toContain(hung[0]);
    const name = hung[0]!.replace(/^[^:]+: /, '');
    expect(out, 'the deadline sentence names the same test').toMatch(new RegExp(`Did not finish in 50 s while running "${name.replace(/[().*+?[\]^$|\\]/g, '\\$&')}"`));
    expect(out, 'the test the issue saw blamed').not.toMatch(/while running "selectHost/);
    expect(out, 'suites the run never reached').not.toContain('The suite holds no tests');
    for (const verdict of report.exercises.filter((e) => e.tests.every((t) => t.failure?.message === 'not run: the run stopped before it'))) {
      expect(verdict.problem, `${verdict.exercise.localId}, never reached`).toMatch(/^Not graded: the run was stopped/);
    }
  }, 240_000);
});
