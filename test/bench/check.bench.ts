/**
 * How long a learner waits for a grade, measured as the learner types it: the README's command,
 * `npx kubelings check 00-objects/01-selectors`, at a terminal, just after a save (target ≤ 1.0 s,
 * median), and a re-grade in watch mode (the TUI's exercise screen uses the same watcher) after a
 * save (target ≤ 0.3 s, median).
 *
 * At a terminal a check goes to the warm grader the first one left running (tui/grader/warm.js):
 * the README's command runs under `script`, so that its stdout is a terminal as the learner's is
 * (where `script` is missing, KUBELINGS_WARM_GRADER=1 stands in, and the figure says so). The same
 * command without the warm grader (KUBELINGS_WARM_GRADER=0: what a script or CI gets), the first
 * check at a terminal (it starts the server), and `node tui/bin/kubelings.js check` (no npx, no
 * warm grader) are measured too.
 *
 * The learner's loop: the exercise file is saved with new content (the reference plus a comment
 * that changes every time), then checked, so the grader's on-disk transform cache never holds the
 * learner's file. The file is put back afterwards. The first check after an install (that cache
 * empty) is measured too.
 *
 * Every figure has a wall time and a CPU time (user + system of every process, the grader child,
 * its test worker and the warm server included: cpu-account.ts), each against a baseline measured
 * in the same run, interleaved so that load on a shared machine hits all alike: `node -e ''` and
 * vitest's own CLI on the same suite. On a busy machine wall times grow with the load; CPU times
 * and the ratios do not, much.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import { loadCourse, allLessons } from '../../tui/course/load.ts';
import { ExerciseWatcher } from '../../tui/grader/watch.ts';
import { warmServerPids } from '../../tui/grader/warm.js';
import type { GradeReport } from '../../tui/grader/grade.ts';
import { CpuAccount, type Measured } from './cpu-account.ts';
import { median, type Benchmark, type Figure } from './harness.ts';

const RUNS = 7;
const EXERCISE = '00-objects/01-selectors';

const bench: Benchmark = {
  name: 'check',
  description: 'npx kubelings check of one exercise at a terminal just after a save, whole process (warm grader); without it; a watch-mode re-grade after a save',
  async run() {
    const home = mkdtempSync(join(tmpdir(), 'kubelings-bench-'));
    // The warm servers of this bench listen in a folder of its own, and are ended at its end.
    const sockets = mkdtempSync(join(tmpdir(), 'kubelings-bench-warm-'));
    const env = { ...process.env, KUBELINGS_HOME: home, KUBELINGS_WARM_DIR: sockets };
    const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
    const endServers = async () => {
      for (const pid of warmServerPids(sockets)) process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && warmServerPids(sockets).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    };
    const account = new CpuAccount();
    const exerciseFile = join(ROOT, 'exercises', 'objects', 'selectors.ts');
    const reference = readFileSync(join(ROOT, 'solutions', 'objects', 'selectors.ts'), 'utf8');
    const stub = readFileSync(exerciseFile, 'utf8');
    const putBack = () => writeFileSync(exerciseFile, stub);
    process.once('exit', putBack);
    let saves = 0;
    const save = () => writeFileSync(exerciseFile, `${reference}// save ${process.pid} ${saves++}\n`);
    const run = (command: string, args: string[], extra: Record<string, string> = {}): Measured => {
      const m = account.run(command, args, { cwd: ROOT, env: { ...env, ...extra } });
      if (m.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${m.status} (the saved reference should pass)`);
      return m;
    };
    const kinds = {
      node: () => run(process.execPath, ['-e', '']),
      vitest: () => run(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', `test/grading/objects/01-selectors.test.ts`], { KUBELINGS_IMPL: 'exercises:objects' }),
      // As typed at a terminal: stdout is one (script gives it a pty), so the warm grader serves.
      npx: () => (
        save(),
        script ? run(script, ['-qec', `npx kubelings check ${EXERCISE}`, '/dev/null'], { KUBELINGS_WARM_GRADER: '' }) : run('npx', ['kubelings', 'check', EXERCISE], { KUBELINGS_WARM_GRADER: '1' })
      ),
      npxNoWarm: () => (save(), run('npx', ['kubelings', 'check', EXERCISE], { KUBELINGS_WARM_GRADER: '0' })),
      direct: () => (save(), run(process.execPath, ['tui/bin/kubelings.js', 'check', EXERCISE], { KUBELINGS_WARM_GRADER: '0' })),
    };
    type Kind = keyof typeof kinds;
    const samples: Record<Kind, Measured[]> = { node: [], vitest: [], npx: [], npxNoWarm: [], direct: [] };
    const cold: Measured[] = [];
    const firstAtTerminal: Measured[] = [];
    const rerun: Measured[] = [];
    const load = loadavg()[0]!;
    try {
      // One of each first: disk cache, the start-up bundle, the transform cache, the warm server.
      for (const f of Object.values(kinds)) f();
      for (let i = 0; i < RUNS; i++) for (const kind of Object.keys(kinds) as Kind[]) samples[kind].push(kinds[kind]());
      for (let i = 0; i < 3; i++) {
        await endServers();
        firstAtTerminal.push(kinds.npx());
      }
      await endServers();
      for (let i = 0; i < 3; i++) {
        rmSync(join(ROOT, 'node_modules', '.cache', 'kubelings', 'vitest'), { recursive: true, force: true });
        cold.push(kinds.direct());
      }
      rerun.push(...(await watchReruns(account, exerciseFile, save)));
    } finally {
      putBack();
      await endServers();
      account.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(sockets, { recursive: true, force: true });
    }

    const wall = (ms: Measured[]) => median(ms.map((m) => m.wallMs));
    const cpu = (ms: Measured[]) => (account.available ? median(ms.map((m) => m.cpuMs ?? Number.NaN)) : Number.NaN);
    const nodeWall = { name: "node -e ''", value: wall(samples.node) };
    const nodeCpu = { name: "node -e '' (CPU)", value: cpu(samples.node) };
    const vitestWall = { name: 'vitest run of the suite', value: wall(samples.vitest) };
    const vitestCpu = { name: 'vitest run of the suite (CPU)', value: cpu(samples.vitest) };
    const cpuNote = account.available ? 'user + system of every process, grader child included' : 'CPU not measured: no cgroup could be made here';
    const figures: Figure[] = [
      {
        name: `npx kubelings check ${EXERCISE} at a terminal just after a save (the README's command; the warm grader serves), wall, median of ${RUNS}`,
        value: wall(samples.npx),
        unit: 'ms',
        baseline: nodeWall,
        target: { max: 1000 },
        note: `load average ${load.toFixed(1)} on ${cpus().length} cores when the bench began; ${script ? 'stdout a terminal (script)' : 'no script(1) here: KUBELINGS_WARM_GRADER=1 stands in for the terminal'}`,
      },
      { name: '  the same, CPU', value: cpu(samples.npx), unit: 'ms', baseline: nodeCpu, note: cpuNote },
      { name: '  the same against vitest run of the suite (wall)', value: wall(samples.npx), unit: 'ms', baseline: vitestWall },
      { name: '  the same against vitest run of the suite (CPU)', value: cpu(samples.npx), unit: 'ms', baseline: vitestCpu },
      { name: `  the first check at a terminal (it starts the warm grader), wall, median of ${firstAtTerminal.length}`, value: wall(firstAtTerminal), unit: 'ms', baseline: nodeWall },
      { name: '    the same, CPU', value: cpu(firstAtTerminal), unit: 'ms', baseline: nodeCpu },
      { name: `npx kubelings check ${EXERCISE} without the warm grader (a script, CI), wall`, value: wall(samples.npxNoWarm), unit: 'ms', baseline: nodeWall },
      { name: '  the same, CPU', value: cpu(samples.npxNoWarm), unit: 'ms', baseline: nodeCpu },
      { name: '  the same against vitest run of the suite (wall)', value: wall(samples.npxNoWarm), unit: 'ms', baseline: vitestWall },
      { name: `node tui/bin/kubelings.js check ${EXERCISE} just after a save (no npx, no warm grader), wall`, value: wall(samples.direct), unit: 'ms', baseline: nodeWall },
      { name: '  the same, CPU', value: cpu(samples.direct), unit: 'ms', baseline: nodeCpu },
      { name: '  the same against vitest run of the suite (wall)', value: wall(samples.direct), unit: 'ms', baseline: vitestWall },
      { name: 'the first check after an install (transform cache empty), wall, median of 3', value: wall(cold), unit: 'ms', baseline: nodeWall },
      { name: '  the same, CPU', value: cpu(cold), unit: 'ms', baseline: nodeCpu },
      { name: `vitest run of the same suite (its own CLI), wall`, value: wall(samples.vitest), unit: 'ms', baseline: nodeWall },
      { name: '  the same, CPU', value: cpu(samples.vitest), unit: 'ms', baseline: nodeCpu },
      {
        name: `watch mode (and the TUI's exercise screen): re-grade of ${EXERCISE} after a save, wall, median of ${rerun.length}`,
        value: wall(rerun),
        unit: 'ms',
        baseline: nodeWall,
        target: { max: 300 },
        note: 'from the save being noticed (after the debounce) to the report',
      },
      { name: '  the same, CPU (the watching process and its grader child)', value: cpu(rerun), unit: 'ms', baseline: nodeCpu },
    ];
    return figures.filter((f) => !Number.isNaN(f.value));
  },
};

/**
 * Watch mode as the learner has it: an ExerciseWatcher on the real exercise, a save, and the time
 * from the watcher's re-grade starting (its debounce over) to the report, with the CPU of this
 * process and the grader child meanwhile.
 */
async function watchReruns(account: CpuAccount, exerciseFile: string, save: () => void): Promise<Measured[]> {
  const course = loadCourse();
  const lesson = allLessons(course).find((l) => l.exercises.some((e) => e.id === EXERCISE))!;
  const exercise = lesson.exercises.find((e) => e.id === EXERCISE)!;
  if (exercise.file !== exerciseFile) throw new Error(`the bench expects ${EXERCISE} in ${exerciseFile}`);
  return account.within(async () => {
    let started = 0;
    let cpuAtStart: number | undefined;
    let onReport: ((r: GradeReport) => void) | undefined;
    const watcher = new ExerciseWatcher(lesson, exercise, {
      onGrading: () => {
        started = performance.now();
        cpuAtStart = account.usageMs();
      },
      onReport: (r) => onReport?.(r),
      onError: (e) => {
        throw e;
      },
    });
    const next = () => new Promise<GradeReport>((resolve) => (onReport = resolve));
    const out: Measured[] = [];
    try {
      save();
      const first = next();
      await watcher.start();
      await first;
      for (let i = 0; i < 11; i++) {
        const report = next();
        save();
        const r = await report;
        const cpuAtEnd = account.usageMs();
        if (!r.ok) throw new Error('the re-graded reference should pass');
        if (i > 0) out.push({ wallMs: performance.now() - started, cpuMs: cpuAtStart !== undefined && cpuAtEnd !== undefined ? cpuAtEnd - cpuAtStart : undefined, status: 0 });
      }
    } finally {
      await watcher.close();
    }
    return out;
  });
}

export default bench;
