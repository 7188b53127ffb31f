/**
 * Runs hidden suites in a child process (child.js) under a wall-clock deadline.
 *
 * The child is started in its own process group; when the deadline passes, the whole group is
 * killed with SIGKILL, whatever the learner's code is doing (a sync `while (true) {}` blocks a
 * vitest worker, not this process). The result records which test was running when time ran out.
 *
 * A runner can be warm (watch mode): the child stays alive between runs, so a re-run costs only the
 * tests themselves; after a kill the next run starts a fresh child.
 */
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parseImplSpec } from '#engine/impl.ts';
import { CONSOLE_FLOOD_BYTES, CONSOLE_KEEP_BYTES, GRADE_IDLE_WINDOW_MS, GRADE_STARTUP_ALLOWANCE_MS } from '#engine/params.ts';
import { ROOT } from '#engine/paths.ts';
import { cpuBusyness } from './cpu.ts';
import { procInfo } from './reap.js';
import { adoptPrestartedChild, endGraderChild, endStrays, graderHeapLimitMb, markBusy, spawnGraderChild, type GraderChild } from './spawn.js';
import { GRADER_FOLDERS, GraderFiles } from './tamper.ts';

/** An error as the child reports it (a plain copy of vitest's serialized error). */
export interface RawError {
  name?: string;
  message: string;
  expected?: string;
  actual?: string;
  diff?: string;
  stack?: string;
  stacks?: { file: string; line: number; column: number; method: string }[];
  type?: string;
  frame?: string;
  nameOfCause?: string;
  /** The error's cause, one level deep (fast-check puts the failing assertion there). */
  cause?: RawError;
}

export interface ConsoleLine {
  stream: 'stdout' | 'stderr';
  content: string;
}

export interface RawTest {
  id: string;
  file: string;
  /** Full name, suite titles included. */
  name: string;
  /** The test's own title. */
  title: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  errors: RawError[];
  meta: { hint?: string; seed?: number };
  durationMs: number;
  /** What the learner's code printed during this test. */
  console: ConsoleLine[];
}

export interface CollectedTest {
  id: string;
  file: string;
  name: string;
  title: string;
  meta: RawTest['meta'];
}

export interface RawRun {
  /** Every test the suites hold, in order, whether or not it got to run. */
  collected: CollectedTest[];
  tests: RawTest[];
  /** Suite files that failed as a whole (did not load, or a hook failed). */
  moduleErrors: { file: string; errors: RawError[] }[];
  /** Errors thrown outside any test (unhandled rejections, errors in timers). */
  unhandledErrors: RawError[];
  /**
   * Set when the deadline passed and the child was killed. `idle`: the child used (almost) no CPU
   * in the last stretch before the deadline, so it was waiting (a promise that never settles), not
   * spinning in a loop.
   */
  timedOut?: { afterMs: number; running?: { file: string; name: string }; idle?: boolean };
  /** What the learner's code did to the grader during the run (tamper.ts); nothing of the run counts. */
  tampered?: string[];
  /** Set when the run printed more than CONSOLE_FLOOD_BYTES and was stopped. */
  flooded?: { bytes: number; keptBytes: number };
  /** Set when the run outgrew the heap limit (its worker was stopped by V8). */
  outOfMemory?: { limitMb: number };
  /**
   * Set when the child died on its own (for example a learner's process.kill) or never started.
   * `killedLauncher`: the learner's code killed the child's parent (`process.kill(process.ppid)`),
   * which is the launching shell (spawn.js), not the CLI.
   */
  crashed?: {
    code: number | null;
    signal: string | null;
    output: string;
    neverStarted?: boolean;
    killedLauncher?: boolean;
    /** The test that was running when the launcher was killed. */
    running?: { file: string; name: string };
  };
  /** Console output not tied to a test (for example printed while a file loaded). */
  console: ConsoleLine[];
  /** Wall time of the run, in milliseconds. */
  elapsedMs: number;
}

export interface RunOptions {
  /** Absolute paths of the suite files, run in this order. */
  files: string[];
  /** Environment for the suites (KUBELINGS_IMPL and friends). Keep it the same across warm runs. */
  env: Record<string, string>;
  /** Kill the child when the run takes longer than this. */
  deadlineMs: number;
  /** Module aliases for suites outside the repository (packs elsewhere on disk). */
  aliases?: { find: string; replacement: string }[];
  /** How long the test runner may take to start (default GRADE_STARTUP_ALLOWANCE_MS). */
  startupMs?: number;
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'collected'; file: string; tests: Omit<CollectedTest, 'file'>[] }
  | { type: 'test-start'; id: string; file: string; name: string }
  | ({ type: 'test-result' } & Omit<RawTest, 'console'>)
  | { type: 'console'; taskId?: string; stream: 'stdout' | 'stderr'; content: string }
  | { type: 'module-end'; file: string; state: string; errors: RawError[] }
  | { type: 'run-end'; reason: string; unhandledErrors: RawError[] }
  | { type: 'tampered'; what: string[] }
  | { type: 'grader-cache'; entries: [string, string][] }
  | { type: 'grader-cache-written'; written: Record<string, string>; available: boolean }
  | { type: 'flooded'; bytes: number; keptBytes: number }
  | { type: 'out-of-memory'; limitMb?: number }
  | { type: 'done' }
  | { type: 'fatal'; error: RawError };

/** A child whose busiest thread was runnable less than this share of the time before the deadline was waiting, not spinning. */
const IDLE_BELOW = 0.5;

/** What the guard in the child needs for a run (see integrity.js and test/support/guard.js). */
export interface GuardSettings {
  /** The folders of the suites run. */
  suites: string[];
  /** Folders the learner's code must not read or import: the suites, the grader, graded references. */
  readProtected: string[];
  /** Folders of the learner's code. */
  learner: string[];
  /** The reference of each component graded from the learner's code: never loaded in such a run. */
  referenceOfGraded: string[];
  keepBytes: number;
  floodBytes: number;
}

export class SuiteRunner {
  private child: GraderChild | undefined;
  private ready: Promise<void> | undefined;
  private output = '';
  private aliasesKey = '';
  /** Bytes the child wrote to stdout/stderr during the current run, and what to do past the limit. */
  private rawBytes = 0;
  private onFlood: (() => void) | undefined;
  private readonly graderFiles = new GraderFiles();

  /** @param warm keep the child alive between runs (watch mode). */
  constructor(private readonly warm = false) {}

  /** Starts the child ahead of the first run, so that vitest loads while the caller works. */
  prepare(aliases: RunOptions['aliases'] = []): void {
    const key = JSON.stringify(aliases);
    if (this.child && this.aliasesKey === key) return;
    if (this.child) this.kill();
    this.aliasesKey = key;
    this.output = '';
    const child = (aliases.length === 0 ? adoptPrestartedChild() : undefined) ?? spawnGraderChild(aliases);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
      // Output written around vitest's console capture still counts towards a flood.
      this.rawBytes += chunk.length;
      if (this.rawBytes > CONSOLE_FLOOD_BYTES) this.onFlood?.();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      if (child.kubelingsReady) return resolve();
      const onMessage = (m: ChildMessage) => {
        if (m.type === 'ready') {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => reject(new Error(`the grader's test runner stopped before it was ready (exit ${code}):\n${this.output}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    this.ready.catch(() => {});
  }

  /** Runs the suites and gathers every result; never throws for anything the learner's code does. */
  async run(options: RunOptions): Promise<RawRun> {
    this.prepare(options.aliases);
    const child = this.child!;
    const started = Date.now();
    const run: RawRun = { collected: [], tests: [], moduleErrors: [], unhandledErrors: [], console: [], elapsedMs: 0 };
    const guard = guardSettings(options);
    const baseline = this.graderFiles.before([...suiteFolders(options.files), ...GRADER_FOLDERS]);
    this.rawBytes = 0;
    const running = new Map<string, { file: string; name: string }>();
    let lastStarted: { file: string; name: string } | undefined;
    const consoleByTest = new Map<string, ConsoleLine[]>();

    // The runner itself must come up in bounded time too: a machine under load can be slow, but a
    // child that never says "ready" must not hang the learner's terminal.
    let startupTimer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ready,
        new Promise((_, reject) => {
          const allowance = options.startupMs ?? GRADE_STARTUP_ALLOWANCE_MS;
          startupTimer = setTimeout(() => reject(new Error(`the test runner did not start within ${allowance / 1000} s`)), allowance);
        }),
      ]);
    } catch (error) {
      this.kill();
      run.crashed = { code: child.exitCode, signal: child.signalCode, output: `${(error as Error).message}\n${this.output}`, neverStarted: true };
      run.elapsedMs = Date.now() - started;
      return run;
    } finally {
      clearTimeout(startupTimer);
    }

    let idleTimer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onMessage = (m: ChildMessage) => {
        switch (m.type) {
          case 'collected':
            run.collected.push(...m.tests.map((t) => ({ ...t, file: m.file })));
            break;
          case 'test-start':
            running.set(m.id, { file: m.file, name: m.name });
            lastStarted = { file: m.file, name: m.name };
            break;
          case 'test-result': {
            running.delete(m.id);
            const { type: _type, ...test } = m;
            run.tests.push({ ...test, console: [] });
            break;
          }
          case 'console': {
            const line = { stream: m.stream, content: m.content };
            if (m.taskId) consoleByTest.set(m.taskId, [...(consoleByTest.get(m.taskId) ?? []), line]);
            else run.console.push(line);
            break;
          }
          case 'module-end':
            if (m.errors.length > 0) run.moduleErrors.push({ file: m.file, errors: m.errors });
            break;
          case 'run-end':
            run.unhandledErrors.push(...m.unhandledErrors);
            break;
          case 'tampered':
            run.tampered = [...(run.tampered ?? []), ...m.what];
            break;
          case 'grader-cache':
            // Noted before the worker loads anything: only then may it go on.
            this.graderFiles.noteCache(baseline, m.entries);
            if (child.connected) child.send({ type: 'grader-cache-noted' });
            break;
          case 'grader-cache-written':
            baseline.cacheWritten = m.written;
            break;
          case 'flooded':
            run.flooded ??= { bytes: m.bytes, keptBytes: m.keptBytes };
            stop();
            break;
          case 'out-of-memory':
            run.outOfMemory = { limitMb: m.limitMb ?? 0 };
            break;
          case 'fatal':
            run.moduleErrors.push({ file: options.files[0] ?? '', errors: [m.error] });
            finish();
            break;
          case 'done':
            finish();
            break;
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.child = undefined;
        run.crashed = { ...describeExit(code, signal, this.output), running: [...running.values()].at(-1) ?? lastStarted };
        endGraderChild(child);
        finish();
      };
      const stop = () => {
        child.off('exit', onExit);
        this.kill();
        finish();
      };
      this.onFlood = () => {
        run.flooded ??= { bytes: this.rawBytes, keptBytes: CONSOLE_KEEP_BYTES };
        stop();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      // Shortly before the deadline, note how busy the child is: at the deadline, a child that used
      // no CPU meanwhile was waiting (a promise that never settles), not spinning in a loop.
      const window = Math.min(GRADE_IDLE_WINDOW_MS, options.deadlineMs / 2);
      let busySince: ReturnType<typeof cpuBusyness> | undefined;
      idleTimer = setTimeout(() => (busySince = cpuBusyness(child.kubelingsGraderPid)), options.deadlineMs - window);
      timer = setTimeout(() => {
        const current = [...running.values()].at(-1);
        const busy = busySince && cpuBusyness(child.kubelingsGraderPid, busySince);
        run.timedOut = { afterMs: options.deadlineMs, running: current, idle: busy !== undefined && busy.fraction !== undefined && busy.fraction < IDLE_BELOW };
        // Still growing towards the heap limit when time ran out: that, not a loop, is the story.
        const limitMb = graderHeapLimitMb();
        if ((residentMb(child.kubelingsGraderPid) ?? 0) > limitMb * 0.8) run.outOfMemory = { limitMb };
        stop();
      }, options.deadlineMs);
      markBusy(child);
      child.send({ type: 'run', files: options.files, env: options.env, guard });
    });
    clearTimeout(idleTimer);
    this.onFlood = undefined;

    // Console lines can arrive after their test's result; attach them now. Lines whose task is not
    // a test (a suite file loading) stay with the run.
    for (const [taskId, lines] of consoleByTest) {
      const test = run.tests.find((t) => t.id === taskId);
      if (test) test.console.push(...lines);
      else run.console.push(...lines);
    }
    // The learner's code may kill the launcher and still let the run finish: results can arrive
    // before the launcher's exit does. A dead launcher voids the run all the same.
    if (!run.crashed && !run.timedOut && this.child === child && launcherDied(child)) {
      run.crashed = { code: null, signal: child.signalCode ?? 'SIGKILL', output: this.output, killedLauncher: true };
      this.kill();
    }
    if (!this.warm) this.close();
    // A warm child stays, but nothing the learner's code started may outlive the run.
    else if (this.child) endStrays(this.child);
    // Only once nothing of the run can write any more: did it change the grader's files?
    const changed = this.graderFiles.after(baseline);
    if (changed.length > 0) run.tampered = [...(run.tampered ?? []), ...changed];
    run.elapsedMs = Date.now() - started;
    return run;
  }

  /** Tells a warm child that files changed, so the next run reads them afresh. */
  invalidate(files: string[]): void {
    if (this.child?.connected) this.child.send({ type: 'invalidate', files });
  }

  /** Stops the child and every process its runs started, at once. */
  kill(): void {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child) endGraderChild(child);
  }

  /** Ends the child (politely when it is idle; the group is killed in any case). */
  close(): void {
    this.kill();
  }
}

/**
 * How the child ended, as the launching shell reports it: a shell killed by a signal was killed
 * directly (the learner's code signalling `process.ppid`); a shell that exits with 128 + N reports
 * that node died of signal N.
 */
function describeExit(code: number | null, signal: string | null, output: string): NonNullable<RawRun['crashed']> {
  if (signal) return { code, signal, output, killedLauncher: process.platform !== 'win32' };
  if (code !== null && code > 128) {
    const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return { code: null, signal: name, output };
  }
  return { code, signal, output };
}

/** True when the launching shell is gone or dead (a zombie not yet reaped counts), even if Node has not said so yet. */
function launcherDied(child: GraderChild): boolean {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  if (!child.pid || process.platform === 'win32') return false;
  const info = procInfo(child.pid);
  if (!info) return existsSync('/proc/self');
  try {
    return readFileSync(`/proc/${child.pid}/stat`, 'latin1').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

/** The folders holding the suites' files: the suites root of each pack (`<root>/<component>/<suite>`). */
function suiteFolders(files: readonly string[]): string[] {
  return [...new Set(files.map((f) => dirname(dirname(f))))];
}

/** The roots of a tree as the run's environment names them (engine/impl.ts treeRoots, for that environment). */
function treeRootsIn(env: Record<string, string>, tree: 'exercises' | 'solutions'): string[] {
  const variable = tree === 'exercises' ? 'KUBELINGS_EXERCISES_PATH' : 'KUBELINGS_SOLUTIONS_PATH';
  return [...(env[variable] ?? '').split(delimiter).filter(Boolean), join(ROOT, tree)];
}

/**
 * Set to '1' in RunOptions.env (GradeOptions.env) when the code graded is built on the reference
 * on purpose (the grader's own feedback tests); then loading the reference is not tampering.
 */
export const REFERENCE_ALLOWED = 'KUBELINGS_GRADE_REFERENCE_ALLOWED';

/** What the guard protects in this run. */
function guardSettings(options: RunOptions): GuardSettings {
  const learner = treeRootsIn(options.env, 'exercises');
  const references = treeRootsIn(options.env, 'solutions');
  let graded: string[] = [];
  try {
    const choice = parseImplSpec(options.env.KUBELINGS_IMPL || 'solutions', []);
    const named = Object.entries(choice.overrides)
      .filter(([, tree]) => tree === 'exercises')
      .map(([c]) => c);
    graded = choice.default === 'exercises' ? ['*'] : named;
  } catch {
    graded = [];
  }
  // A tree named as the learner's (tests of the grader grade the reference as if a learner wrote it) is theirs.
  const isLearners = (folder: string) => learner.some((root) => folder === root || folder.startsWith(`${root}/`) || root.startsWith(`${folder}/`));
  // The feedback tests grade "the reference with one mistake": variants built on the reference
  // itself. Only a caller of the grader can say so (the CLI never does), never the learner's code.
  const referenceAllowed = options.env[REFERENCE_ALLOWED] === '1';
  const referenceOfGraded = referenceAllowed ? [] : (graded.includes('*') ? references : references.flatMap((root) => graded.map((c) => join(root, c)))).filter((f) => !isLearners(f));
  return {
    suites: suiteFolders(options.files),
    readProtected: [...suiteFolders(options.files), join(ROOT, 'test', 'support'), join(ROOT, 'tui', 'grader'), ...referenceOfGraded],
    learner,
    referenceOfGraded,
    keepBytes: CONSOLE_KEEP_BYTES,
    floodBytes: CONSOLE_FLOOD_BYTES,
  };
}

/** Resident memory of a process in MB (from /proc), or undefined. */
function residentMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
