/**
 * The feedback of lesson 02's suites against deliberately broken apiserver code
 * (test/engine/apiserver-fixtures/<variant>): each common mistake fails the test that names it,
 * and the grader's output says what was done, what was expected, and asks the hint's question.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import { gradeLesson } from '../../tui/grader/grade.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';

const VARIANTS = join(import.meta.dirname, 'apiserver-fixtures');
const lesson = loadPack(CORE_PACK_DIR).lessons.find((l) => l.id === '02-apiserver')!;
const runner = new SuiteRunner(true);
afterAll(() => runner.close());

async function gradeVariant(variant: string, exerciseId: string): Promise<{ out: string; failed: string[] }> {
  const exercise = lesson.exercises.find((e) => e.localId === exerciseId)!;
  const report = await gradeLesson(lesson, [exercise], { runner, regressions: false, seed: 42, env: { KUBELINGS_EXERCISES_PATH: join(VARIANTS, variant) } });
  const verdict = report.exercises.find((e) => e.role === 'target')!;
  return { out: formatReport(report, { color: false }), failed: verdict.tests.filter((t) => !t.passed).map((t) => t.fullName) };
}

describe('lesson 02 names the mistake', () => {
  test('a create that reads before it writes fails only the race test, with the question about txn', async () => {
    const { out, failed } = await gradeVariant('registry-reads-then-writes', '02-registry');
    expect(failed).toEqual(['create > two creates racing for one name: exactly one wins, decided by the store']);
    expect(out).toMatch(/did\s+two creates of configmap race at once\n\s+expected\s+\[\s+\\?"fulfilled\\?",\s+\\?"rejected\\?",\s+\]\n\s+got\s+\[\s+\\?"fulfilled\\?",\s+\\?"fulfilled\\?",/);
    expect(out).toContain('If you read first and write after, can two callers both read "absent"? What can a txn compare?');
  });

  test('a watch stream that drops objects leaving the selector fails the four-cases test, with its question', async () => {
    const { out, failed } = await gradeVariant('watch-forgets-leaving-objects', '04-list-watch');
    expect(failed).toEqual(['what one watcher is sent > a MODIFIED that moves an object into or out of the selector arrives as ADDED or DELETED']);
    expect(out).toMatch(/did\s+web before, db after\n\s+expected\s+\[[\s\S]*?\\?"type\\?": \\?"DELETED\\?"[\s\S]*?\n\s+got\s+\[\]/);
    expect(out).toContain('Check the object before and after the change against the selector: four cases.');
  });
});
