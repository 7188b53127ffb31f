/**
 * The TUI's time to first frame: from starting the process to the home screen appearing, the whole
 * process (`node tui/bin/kubelings.js`) in a pseudo-terminal of 80×24 made by `script`, median of
 * several runs. Measured in the same run, interleaved so that load on the machine hits all alike:
 * `node -e` start-up (the baseline), a bare ink "hello" app (what ink alone costs), the TUI from
 * its start-up bundle (what `npm start` does), the first start after a source change (the bundle is
 * rebuilt first), and the TUI through tsx without the bundle (KUBELINGS_NO_BUNDLE=1).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import { median, type Benchmark, type Figure } from './harness.ts';

const RUNS = 9;
const SLOW_RUNS = 3;
const MANIFEST = join(ROOT, 'node_modules', '.cache', 'kubelings', 'tui', 'manifest.json');
/** Clock ticks per second in /proc/<pid>/stat. */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Run {
  /** Wall time from spawning to the marker, in milliseconds. */
  wallMs: number;
  /** CPU time (user + system) the program had used by then, in milliseconds (Linux only). */
  cpuMs?: number;
}

/** CPU time used so far by the program `script` runs (its only child), from /proc. */
function cpuOfChild(scriptPid: number): number | undefined {
  try {
    const child = execFileSync('pgrep', ['-P', String(scriptPid)], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
    const fields = readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return undefined;
  }
}

/** Spawns `command` in an 80×24 pseudo-terminal and times it until its output shows `marker`. */
function timeToOutput(command: string, marker: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${command}`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const cpuMs = error ? undefined : cpuOfChild(child.pid!);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      child.once('close', () => (error ? reject(error) : resolve({ wallMs, cpuMs })));
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Colours and cursor moves split the text; look for it in what a person would read.
      if (plain(output).includes(marker)) finish();
    });
    child.on('exit', () => finish(plain(output).includes(marker) ? undefined : new Error(`${command} ended without showing "${marker}":\n${output.slice(0, 2000)}`)));
    const timer = setTimeout(() => finish(new Error(`${command} did not show "${marker}" within 60 s`)), 60_000);
  });
}

function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

const benchmark: Benchmark = {
  name: 'tui',
  description: "time to the home screen's first frame, whole process in a pseudo-terminal, vs node start-up and a bare ink app",
  async run(): Promise<Figure[]> {
    if (spawnSync('script', ['--version']).status !== 0) throw new Error('the `script` command (util-linux) is needed to give the TUI a terminal');
    const home = mkdtempSync(join(tmpdir(), 'kubelings-bench-tui-'));
    const env = { KUBELINGS_HOME: home };
    const tui = 'node tui/bin/kubelings.js';
    const firstFrame = '↑↓ choose';
    const node: Run[] = [];
    const ink: Run[] = [];
    const bundled: Run[] = [];
    const rebuilt: Run[] = [];
    const tsx: Run[] = [];
    const load = loadavg()[0]!;
    try {
      await timeToOutput(tui, firstFrame, env); // make sure the bundle exists before timing it
      for (let i = 0; i < RUNS; i++) {
        // It stays up (like the others) so that its CPU time can be read when the text appears.
        node.push(await timeToOutput(`node -e "process.stdout.write('node is up'); setTimeout(() => {}, 60000)"`, 'node is up'));
        ink.push(await timeToOutput('node test/bench/fixtures/ink-hello.mjs', 'hello from ink'));
        bundled.push(await timeToOutput(tui, firstFrame, env));
        if (i < SLOW_RUNS) {
          tsx.push(await timeToOutput(tui, firstFrame, { ...env, KUBELINGS_NO_BUNDLE: '1' }));
          rmSync(MANIFEST, { force: true });
          rebuilt.push(await timeToOutput(tui, firstFrame, env));
        }
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const wall = (runs: Run[]) => median(runs.map((r) => r.wallMs));
    const cpu = (runs: Run[]) => median(runs.map((r) => r.cpuMs ?? Number.NaN));
    const baseline = { name: "node -e ''", value: wall(node) };
    const cpuBaseline = { name: "node -e ''", value: cpu(node) };
    const fastest = (runs: Run[]) => Math.min(...runs.map((r) => r.wallMs)).toFixed(0);
    const note =
      `${RUNS} runs each (${SLOW_RUNS} for the slow variants), interleaved; load average ${load.toFixed(1)} at the start, ` +
      `${loadavg()[0]!.toFixed(1)} at the end; fastest run ${fastest(bundled)} ms (node -e '' ${fastest(node)} ms, bare ink ${fastest(ink)} ms)`;
    return [
      { name: 'npm start: first frame of the home screen (start-up bundle)', value: wall(bundled), unit: 'ms', baseline, target: { max: 500 }, note },
      { name: 'a bare ink "hello" app: first frame', value: wall(ink), unit: 'ms', baseline },
      { name: 'first start after a source change (bundle rebuilt first)', value: wall(rebuilt), unit: 'ms', baseline },
      { name: 'without the bundle (tsx, KUBELINGS_NO_BUNDLE=1)', value: wall(tsx), unit: 'ms', baseline },
      {
        name: 'CPU time used until the first frame, npm start',
        value: cpu(bundled),
        unit: 'ms',
        baseline: cpuBaseline,
        note: `user + system, from /proc; less sensitive to other load than wall time. A bare ink app: ${cpu(ink).toFixed(0)} ms; without the bundle: ${cpu(tsx).toFixed(0)} ms`,
      },
    ];
  },
};

export default benchmark;
