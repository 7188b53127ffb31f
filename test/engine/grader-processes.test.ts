/**
 * No orphans: whatever ends a grading run (Ctrl-C, SIGTERM, SIGHUP or a `kill -9` of the CLI, the
 * end of the run itself), the grader's child and every process the learner's code started, even
 * detached ones, end with it. And learner code that kills its parent process stops only the
 * grader's launcher: the CLI survives, says so, and keeps the learner's progress.
 *
 * Real processes throughout: the real `kubelings check` on a copy of the fixture pack holding a
 * variant as the learner's code, and /proc to see what still runs. Deadlines are generous and
 * name what they wait for.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import { gradeLesson } from '../../tui/grader/grade.ts';
import { formatReport } from '../../tui/grader/format.ts';
import { SuiteRunner } from '../../tui/grader/runner.ts';
import { kubelings, packCopy, removeTemps, startKubelings, tempDir, waitFor } from '../support/cli.ts';

afterAll(removeTemps);

const linux = process.platform === 'linux';

/** What /proc says of a process: parent, state, CPU ticks used; undefined once it is gone. */
function proc(pid: number): { ppid: number; state: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** Still running (a zombie, dead but not yet reaped, counts as gone). */
function running(pid: number): boolean {
  const p = proc(pid);
  return p !== undefined && p.state !== 'Z';
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every process below `pid`, children first. */
function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  for (const child of childrenOf(pid)) out.push(child, ...descendantsOf(child));
  return out;
}

/**
 * Waits until one of the CLI's descendants spins (its CPU time grows by 0.5 s: the looping test
 * runs), and returns every descendant the CLI has then: the grader child and whatever runs it.
 */
async function spinningGrader(cliPid: number): Promise<{ spinning: number; all: number[] }> {
  const ticks = new Map<number, number>();
  let spinning = 0;
  await waitFor(
    'a process of the grading run to spin in the looping test (its CPU time to grow by 0.5 s)',
    () => {
      for (const pid of descendantsOf(cliPid)) {
        const now = proc(pid)?.ticks ?? 0;
        if (!ticks.has(pid)) ticks.set(pid, now);
        else if (now - ticks.get(pid)! >= 50) spinning = pid;
      }
      return spinning > 0;
    },
    60_000,
    250,
  );
  return { spinning, all: descendantsOf(cliPid) };
}

describe.skipIf(!linux)('ending the CLI ends the grader child (a test spins in while (true) {})', () => {
  for (const how of ['Ctrl-C (SIGINT to the job)', 'SIGTERM', 'SIGHUP', 'kill -9'] as const) {
    test(`${how}: the grader child and its launcher end too`, async () => {
      const dir = packCopy({ variant: 'loop' });
      const cli = startKubelings(['check', '01-demo/01-double', '--pack', dir], tempDir('kubelings-home-'));
      const { spinning, all } = await spinningGrader(cli.pid!);
      if (how.startsWith('Ctrl-C')) process.kill(-cli.pid!, 'SIGINT');
      else process.kill(cli.pid!, how === 'kill -9' ? 'SIGKILL' : how);
      await waitFor(`the CLI to exit after ${how}`, () => cli.exitCode !== null || cli.signalCode !== null, 20_000);
      await waitFor(`the spinning grader child (pid ${spinning}) and every process the CLI had started (${all.join(', ')}) to be gone`, () => all.every((pid) => !running(pid)), 20_000);
      if (how !== 'kill -9') expect(cli.signalCode, 'the CLI still ends as the signal says').toBe(how.startsWith('Ctrl-C') ? 'SIGINT' : how);
    }, 120_000);
  }
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe.skipIf(!linux)('Ctrl-C in a real terminal', () => {
  test.skipIf(!hasTmux)(
    `${hasTmux ? '' : '(skipped: tmux is not installed) '}Ctrl-C typed in tmux while a test spins ends check and the grader child`,
    async () => {
      const socket = `kubelings-ctrl-c-${process.pid}`;
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
      const dir = packCopy({ variant: 'loop' });
      const home = tempDir('kubelings-home-');
      try {
        const command = `cd ${ROOT} && KUBELINGS_HOME=${home} node tui/bin/kubelings.js check 01-demo/01-double --pack ${dir}; echo "[check exited $?]"; sleep 60`;
        tmux('new-session', '-d', '-s', 'check', '-x', '100', '-y', '30', command);
        const shell = Number(tmux('display-message', '-p', '-t', 'check', '#{pane_pid}').trim());
        let cli = 0;
        await waitFor('the shell in tmux to start kubelings check', () => (cli = childrenOf(shell)[0] ?? 0) > 0, 30_000);
        const { spinning, all } = await spinningGrader(cli);
        tmux('send-keys', '-t', 'check', 'C-c');
        // The shell in the pane ends with it (it saw its job die of SIGINT), and the pane with it.
        await waitFor(`kubelings check (pid ${cli}) to end on Ctrl-C`, () => !running(cli), 20_000);
        await waitFor(`the spinning grader child (pid ${spinning}) and every process check had started (${all.join(', ')}) to be gone`, () => all.every((pid) => !running(pid)), 20_000);
      } finally {
        spawnSync('tmux', ['-L', socket, 'kill-server']);
      }
    },
    120_000,
  );
});

describe.skipIf(!linux)('processes the learner code starts', () => {
  test('detached ones (one with an empty environment) end with the run of `check`', async () => {
    const dir = packCopy({ variant: 'detached' });
    const pidFile = join(tempDir('pids-'), 'pids');
    const { code, out } = kubelings(['check', '01-demo/01-double', '--pack', dir], { env: { KUBELINGS_TEST_PIDFILE: pidFile } });
    expect(out, 'graded as usual').toMatch(/^Score: 3\/3$/m);
    expect(code).toBe(0);
    const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    await waitFor(`the detached processes ${pids.join(', ')} to be ended`, () => pids.every((pid) => !running(pid)), 20_000);
  }, 90_000);

  test('a warm runner (watch, the TUI) ends them after each run and stays ready for the next', async () => {
    const dir = packCopy({ variant: 'detached' });
    const lesson = loadPack(dir).lessons[0]!;
    const pidFile = join(tempDir('pids-'), 'pids');
    process.env.KUBELINGS_TEST_PIDFILE = pidFile;
    const runner = new SuiteRunner(true);
    try {
      const first = await gradeLesson(lesson, [lesson.exercises[0]!], { runner, regressions: false });
      expect(first.ok).toBe(true);
      const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
      await waitFor(`the detached processes ${pids.join(', ')} to be ended after the run`, () => pids.every((pid) => !running(pid)), 20_000);
      const second = await gradeLesson(lesson, [lesson.exercises[0]!], { runner, regressions: false });
      expect(second.ok, 'the warm runner grades again').toBe(true);
    } finally {
      runner.close();
      delete process.env.KUBELINGS_TEST_PIDFILE;
    }
  }, 90_000);
});

describe.skipIf(!linux)('learner code that kills its parent process', () => {
  test('ends only the launcher: check says so, exits as a failed grade, and records progress', () => {
    const dir = packCopy({ variant: 'kill-parent' });
    const { code, out, err, home } = kubelings(['check', '01-demo/01-double', '--pack', dir]);
    expect(err).not.toContain('bug of its own');
    // Whether it names the test depends on whether the launcher's end or the last result came first.
    expect(out).toMatch(/Your code killed the grader's process \(it signalled process\.ppid\)( while running "double\(2\) is 4")?, so the tests stopped there\. Your progress is safe\./);
    expect(out).not.toMatch(/^✓ .* passes\.$/m);
    expect(code).toBe(1);
    const progress = JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
    expect(progress.exercises['01-demo/01-double']).toEqual({ attempts: 1, hintsRevealed: 0 });
  }, 60_000);

  test('a warm runner survives it and grades the next run', async () => {
    const dir = packCopy({ variant: 'kill-parent' });
    const lesson = loadPack(dir).lessons[0]!;
    const runner = new SuiteRunner(true);
    try {
      const report = await gradeLesson(lesson, [lesson.exercises[0]!], { runner, regressions: false });
      expect(formatReport(report, { color: false })).toContain("Your code killed the grader's process");
      const again = await gradeLesson(lesson, [lesson.exercises[1]!], { runner, regressions: false });
      expect(again.exercises[0]!.total, 'the next run happens').toBe(1);
    } finally {
      runner.close();
    }
  }, 60_000);
});
