/**
 * How long a learner waits for a grade: `kubelings check` of one exercise as a whole process
 * (target ≤ 1.0 s, median), and a re-run in watch mode with the runner warm (target ≤ 0.3 s).
 * Baselines measured in the same run: a bare `node -e ''`, and vitest's own CLI on the same suite.
 *
 * The timed check is the learner's loop: the exercise file is saved with new content (the
 * reference plus a comment that changes every time), then checked, so the grader's on-disk
 * transform cache never holds the learner's file. The file is put back afterwards. The first check
 * after an install, with that cache empty, is measured too.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import { gradeLesson } from '../../tui/grader/grade.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';
import { median, type Benchmark } from './harness.ts';

const RUNS = 7;

function wall(command: string, args: string[], env: Record<string, string> = {}): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, ...env } });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function medianOf(runs: number, f: () => number): number {
  f(); // warm the disk cache and tsx's transform cache
  return median(Array.from({ length: runs }, f));
}

const bench: Benchmark = {
  name: 'check',
  description: 'kubelings check of one exercise, whole process; watch-mode re-run with a warm runner',
  async run() {
    const home = mkdtempSync(join(tmpdir(), 'kubelings-bench-'));
    const env = { KUBELINGS_HOME: home };
    const node = medianOf(RUNS, () => wall(process.execPath, ['-e', '']));
    const exerciseFile = join(ROOT, 'exercises', 'objects', 'selectors.ts');
    const stub = readFileSync(exerciseFile, 'utf8');
    const putBack = () => writeFileSync(exerciseFile, stub);
    process.once('exit', putBack);
    let saves = 0;
    const checkAfterSave = () => {
      writeFileSync(exerciseFile, `${readFileSync(join(ROOT, 'solutions', 'objects', 'selectors.ts'), 'utf8')}// save ${Date.now()} ${saves++}\n`);
      return wall(process.execPath, ['tui/bin/kubelings.js', 'check', '00-objects/01-selectors'], env);
    };
    let check: number;
    let cold: number;
    try {
      check = medianOf(RUNS, checkAfterSave);
      cold = medianOf(3, () => {
        rmSync(join(ROOT, 'node_modules', '.cache', 'kubelings', 'vitest'), { recursive: true, force: true });
        return checkAfterSave();
      });
    } finally {
      putBack();
    }
    const npx = medianOf(3, () => wall('npx', ['kubelings', 'check', '00-objects/01-selectors', '--impl', 'solutions'], env));
    const vitestCli = medianOf(3, () =>
      wall(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', 'test/grading/objects/01-selectors.test.ts'], { KUBELINGS_IMPL: 'solutions' }),
    );

    // Watch mode: a warm runner re-grading after a save (the file invalidated, as the watcher does).
    const base = join(ROOT, 'node_modules', '.cache', 'kubelings');
    mkdirSync(base, { recursive: true });
    const dir = join(mkdtempSync(join(base, 'bench-')), 'pack');
    cpSync(join(ROOT, 'test', 'engine', 'fixtures', 'grader-pack'), dir, { recursive: true, filter: (s) => !s.includes('variants') });
    const pack = loadPack(dir);
    const lesson = pack.lessons[0]!;
    const exercise = lesson.exercises[0]!;
    const runner = new SuiteRunner(true);
    const rerun: number[] = [];
    try {
      await gradeLesson(lesson, [exercise], { runner });
      for (let i = 0; i < 10; i++) {
        writeFileSync(exercise.file, `${readFileSync(exercise.solution, 'utf8')}// save ${i}\n`);
        const started = performance.now();
        runner.invalidate([exercise.file]);
        const report = await gradeLesson(lesson, [exercise], { runner });
        rerun.push(performance.now() - started);
        if (!report.ok) throw new Error('the re-graded solution should pass');
      }
    } finally {
      runner.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
    return [
      {
        name: 'check 00-objects/01-selectors just after a save (node tui/bin/kubelings.js), median of 7',
        value: check,
        unit: 'ms',
        baseline: { name: "node -e ''", value: node },
        target: { max: 1000 },
      },
      {
        name: 'the first check after an install (transform cache empty), median of 3',
        value: cold,
        unit: 'ms',
        baseline: { name: "node -e ''", value: node },
        note: 'every module of the suite transformed afresh',
      },
      { name: 'the same through npx kubelings, median of 3', value: npx, unit: 'ms', baseline: { name: "node -e ''", value: node }, note: 'npx itself adds its own start-up' },
      { name: 'vitest run of the same suite (its own CLI), median of 3', value: vitestCli, unit: 'ms', note: 'for comparison: the grader on top of vitest' },
      { name: 'watch mode: re-grade after a save, warm runner, median of 10', value: median(rerun), unit: 'ms', target: { max: 300 } },
    ];
  },
};

export default bench;
