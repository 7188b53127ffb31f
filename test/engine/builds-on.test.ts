/**
 * lesson.yaml's `builds_on` decides which earlier exercises a check re-runs, so it must be enough:
 * each exercise of the core pack passes with only what it builds on written (the reference), and
 * every other exercise of its lesson an untouched stub. (The scheduling queue, for one, passes with
 * the filters unwritten: checking it re-runs nothing.) And the schema refuses a builds_on that
 * names an exercise that is not an earlier one of the same lesson.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { buildsOn } from '../../tui/course/dependencies.ts';
import { allExercises, formatIssue, loadPack, PackLoadError } from '../../tui/course/load.ts';
import { gradeLesson, plan } from '../../tui/grader/grade.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';
import { pristineText } from '../../tui/pristine.ts';

const pack = loadPack(CORE_PACK_DIR);
const runner = new SuiteRunner(true);
const scratch = join(ROOT, 'node_modules', '.cache', 'kubelings', `builds-on-${process.pid}`);
afterAll(() => {
  runner.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('each exercise passes with only what it builds on written', () => {
  test.each(allExercises({ packs: [pack], broken: [] }).map((e) => e.id))(
    '%s',
    async (id) => {
      const lesson = pack.lessons.find((l) => l.exercises.some((e) => e.id === id))!;
      const exercise = lesson.exercises.find((e) => e.id === id)!;
      const written = new Set([exercise, ...buildsOn(lesson, exercise)].map((e) => e.id));
      // A folder of its own per exercise: the warm runner keeps modules by path.
      const tree = join(scratch, exercise.localId);
      cpSync(join(pack.solutionsRoot, lesson.component), join(tree, lesson.component), { recursive: true });
      const stubbed = lesson.exercises.filter((e) => !written.has(e.id));
      for (const other of stubbed) writeFileSync(join(tree, other.relativeFile), pristineText(pack, other.relativeFile));
      // A generous deadline: the WAL's crash test alone kills 100 writers, slow on a busy machine.
      const report = await gradeLesson(lesson, [exercise], { regressions: false, runner, seed: 1, deadlineMs: 150_000, env: { KUBELINGS_EXERCISES_PATH: tree } });
      const verdict = report.exercises[0]!;
      const failed = verdict.tests.filter((t) => !t.passed).map((t) => `${t.fullName}: ${t.failure?.message}`);
      expect({ problem: verdict.problem, notWritten: verdict.notWritten, failed }, `${id} with ${stubbed.map((e) => e.localId).join(', ') || 'nothing'} unwritten`).toEqual({
        problem: undefined,
        notWritten: undefined,
        failed: [],
      });
      expect(verdict.ok).toBe(true);
    },
    180_000,
  );
});

describe('what a check re-runs', () => {
  const scheduler = pack.lessons.find((l) => l.id === '03-scheduler')!;
  const named = (id: string) => scheduler.exercises.find((e) => e.localId === id)!;

  test('the queue builds on nothing; scores on the filters; scheduleOne on everything before it', () => {
    const rerun = (id: string) =>
      plan(scheduler, [named(id)])
        .filter((s) => s.role === 'regression')
        .map((s) => s.exercise.localId);
    expect(rerun('04-queue')).toEqual([]);
    expect(rerun('03-scores')).toEqual(['01-filters', '02-taints-and-affinity']);
    expect(rerun('05-schedule-one')).toEqual(['01-filters', '02-taints-and-affinity', '03-scores', '04-queue']);
    expect(
      plan(scheduler, [named('04-queue')], false).map((s) => s.exercise.localId),
      'regressions off',
    ).toEqual(['04-queue']);
  });

  test('the schema refuses builds_on naming a later exercise, or one of another lesson', () => {
    const dir = join(scratch, 'bad-pack');
    cpSync(join(ROOT, 'test', 'engine', 'fixtures', 'grader-pack'), dir, { recursive: true, filter: (src) => !src.includes('variants') });
    const lesson = join(dir, '01-demo', 'lesson.yaml');
    mkdirSync(join(dir, '01-demo'), { recursive: true });
    writeFileSync(
      lesson,
      [
        'id: 01-demo',
        'title: Demo',
        'component: demo',
        'summary: Two exercises.',
        'pages:',
        '  - file: 01-page.md',
        '    title: The page',
        'exercises:',
        '  - id: 01-double',
        '    title: Double',
        '    file: demo/double.ts',
        '    suite: demo/01-double.test.ts',
        '    page: 01-page.md',
        '    task: Double.',
        '    builds_on: [02-later]',
        '    hints:',
        '      - Why?',
        '  - id: 02-later',
        '    title: Later',
        '    file: demo/later.ts',
        '    suite: demo/02-later.test.ts',
        '    page: 01-page.md',
        '    task: Later.',
        '    builds_on: [00-elsewhere]',
        '    hints:',
        '      - Why?',
        '',
      ].join('\n'),
    );
    const error = (() => {
      try {
        loadPack(dir);
      } catch (e) {
        return e as PackLoadError;
      }
      return undefined;
    })();
    expect(error, 'the pack is refused').toBeInstanceOf(PackLoadError);
    expect(error!.issues.map((i) => formatIssue(i).replace(/^.*lesson\.yaml/, 'lesson.yaml'))).toEqual([
      'lesson.yaml:15:17: exercises[0].builds_on[0]: "02-later" does not come before it: an exercise builds only on earlier ones',
      'lesson.yaml:24:17: exercises[1].builds_on[0]: "00-elsewhere" is not an exercise of this lesson: an exercise builds only on earlier ones',
    ]);
  });
});
