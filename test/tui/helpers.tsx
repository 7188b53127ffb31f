/**
 * What the TUI tests share: the fixture pack (read-only, or a writable copy for reset), a fresh
 * KUBELINGS_HOME per test, the app rendered at a given size (80×24 by default) through
 * ink-testing-library, a fake grader and a fake command runner whose runs the test drives, fake
 * reports, and key presses.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import React, { useEffect } from 'react';
import { expect } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { formatIssue, loadCourse, loadPack, type Course, type Exercise, type Lesson } from '../../tui/course/load.ts';
import type { GradeReport, TestVerdict } from '../../tui/grader/grade.ts';
import { loadProgress, saveProgress, type Progress } from '../../tui/progress.ts';
import { App } from '../../tui/app/App.tsx';
import type { Grader, GradingHandlers } from '../../tui/app/grader.ts';
import { homeNotices } from '../../tui/app/homeNotices.ts';
import type { NavState, Route } from '../../tui/app/navigation.ts';
import type { CommandProbe, ProbeResult } from '../../tui/app/probe.ts';
import type { ClusterHealth } from '../../tui/app/clusterHealth.ts';
import type { CommandRunner, RunEnd, RunHandlers } from '../../tui/app/commandRunner.ts';
import type { EditOutcome } from '../../tui/editor.ts';

export const FIXTURE_PACK = join(ROOT, 'test', 'tui', 'fixtures', 'pack');
export const BROKEN_PACK = join(ROOT, 'test', 'tui', 'fixtures', 'broken-pack');

/** The fixture pack as the only pack (plus, optionally, the broken one). */
export function fixtureCourse(options: { dir?: string; withBroken?: boolean } = {}): Course {
  if (options.withBroken) {
    const course = loadCourse([BROKEN_PACK]);
    // loadCourse always reads the core pack too: keep only the fixture, so frames never depend on it.
    return { packs: [loadPack(options.dir ?? FIXTURE_PACK)], broken: course.broken.filter((b) => b.dir === BROKEN_PACK) };
  }
  return { packs: [loadPack(options.dir ?? FIXTURE_PACK)], broken: [] };
}

/** A writable copy of the fixture pack inside the project (so #engine resolves); removed by the caller. */
export function copyFixturePack(prefix: string): { dir: string; remove(): void } {
  const base = join(ROOT, 'node_modules', '.cache', 'kubelings');
  mkdirSync(base, { recursive: true });
  const top = mkdtempSync(join(base, `${prefix}-`));
  const dir = join(top, 'pack');
  cpSync(FIXTURE_PACK, dir, { recursive: true });
  return { dir, remove: () => rmSync(top, { recursive: true, force: true }) };
}

/** The random part of a copy's folder name, made fixed so frames compare exactly. */
export function normalise(frame: string | undefined, prefix: string): string {
  return (frame ?? '').replace(new RegExp(`${prefix}-[A-Za-z0-9]{6}`, 'g'), `${prefix}-XXXXXX`);
}

/** Points KUBELINGS_HOME at a fresh folder; returns a function that removes it. */
export function freshHome(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-tui-'));
  const before = process.env.KUBELINGS_HOME;
  process.env.KUBELINGS_HOME = dir;
  return () => {
    process.env.KUBELINGS_HOME = before;
    rmSync(dir, { recursive: true, force: true });
  };
}

export interface FakeSession {
  lesson: Lesson;
  exercise: Exercise;
  handlers: GradingHandlers;
  regrades: number;
  closed: boolean;
}

/** A grader that grades only when the test says so: `grading()` then `report(r)`. */
export class FakeGrader implements Grader {
  sessions: FakeSession[] = [];
  watch(lesson: Lesson, exercise: Exercise, handlers: GradingHandlers) {
    const s: FakeSession = { lesson, exercise, handlers, regrades: 0, closed: false };
    this.sessions.push(s);
    return {
      switchTo: (l: Lesson, e: Exercise) => Object.assign(s, { lesson: l, exercise: e }),
      regrade: () => void (s.regrades += 1),
      close: async () => void (s.closed = true),
    };
  }
  get session(): FakeSession {
    const s = this.sessions.at(-1);
    if (!s) throw new Error('no grading session was started');
    return s;
  }
}

/** A report for one exercise with the given tests. */
export function fakeReport(exercise: Exercise, tests: Partial<TestVerdict>[], extra: { notWritten?: string } = {}): GradeReport {
  const verdicts = tests.map((t, i) => ({ title: `test ${i + 1}`, fullName: t.title ?? `test ${i + 1}`, passed: false, console: [], ...t }));
  const passed = verdicts.filter((t) => t.passed).length;
  const ok = passed === verdicts.length && verdicts.length > 0;
  return {
    impl: `exercises:${exercise.component}`,
    graded: 'exercises',
    seed: 1,
    exercises: [{ exercise, role: 'target', tests: verdicts, passed, total: verdicts.length, ok, notWritten: extra.notWritten }],
    console: [],
    ok,
    elapsedMs: 5,
  };
}

export interface FakeRun {
  command: string;
  handlers: RunHandlers;
  /** stop() was called. */
  stopped: boolean;
  ended: boolean;
  /** Output, as the command would print it. */
  print(text: string): void;
  end(end: RunEnd): void;
}

/** A runner whose commands print and end only when the test says so; stop() ends a run as stopped. */
export class FakeRunner implements CommandRunner {
  readonly kubeconfig = '/home/learner/course/.kubelings/kubeconfig';
  runs: FakeRun[] = [];
  run(command: string, handlers: RunHandlers) {
    const r: FakeRun = {
      command,
      handlers,
      stopped: false,
      ended: false,
      print: (text) => handlers.onOutput(text),
      end: (end) => {
        if (r.ended) throw new Error(`"${command}" has ended already`);
        r.ended = true;
        handlers.onEnd(end);
      },
    };
    this.runs.push(r);
    return {
      stop: () => {
        r.stopped = true;
        if (!r.ended) r.end({ type: 'stopped' });
      },
    };
  }
  get last(): FakeRun {
    const r = this.runs.at(-1);
    if (!r) throw new Error('no command was run');
    return r;
  }
}

export const probeSays =
  (result: ProbeResult): CommandProbe =>
  () =>
    Promise.resolve(result);

/**
 * Renders the app at `columns`×`rows` (ink-testing-library's stdout is 100 wide and has no rows)
 * and waits for the first frame at that size.
 */
export async function renderApp(options: {
  course: Course;
  grader?: Grader;
  probe?: CommandProbe;
  runner?: CommandRunner;
  progress?: Progress;
  /** Routes to start on, Home first. */
  at?: Route[];
  columns?: number;
  rows?: number;
  startupWarning?: string;
  /** Stands in for the learner's editor (default: a fake that says it edited). */
  edit?: (file: string) => EditOutcome;
  /** The cluster's health as the live screen reads it (default: none, and the screen shows none). */
  clusterHealth?: () => ClusterHealth;
}) {
  // The app reads and writes progress on disk (updateProgress): start it from what the test gives.
  if (options.progress) saveProgress(options.progress);
  const initial: NavState | undefined = options.at ? { stack: [{ screen: 'home' }, ...options.at], help: false, quit: false } : undefined;
  let unmounted = false;
  const app = render(
    <Lifecycle onUnmount={() => (unmounted = true)}>
      <App
        services={{
          course: options.course,
          grader: options.grader ?? new FakeGrader(),
          probe: options.probe ?? probeSays({ available: false, reason: 'not available yet: the cluster arrives with lesson 02.' }),
          runner: options.runner ?? new FakeRunner(),
          color: false,
          notices: homeNotices(options.course, options.startupWarning, formatIssue),
          edit: options.edit ?? (() => ({ kind: 'edited', editor: 'fake-editor' })),
          clusterHealth: options.clusterHealth,
        }}
        progress={loadProgress().progress}
        initial={initial}
      />
    </Lifecycle>,
  );
  const columns = options.columns ?? 80;
  resize(app.stdout, columns, options.rows ?? 24);
  const started = Date.now();
  while (!(app.lastFrame() ?? '').split('\n').every((line) => line.length <= columns)) {
    if (Date.now() - started > SCREEN_WAIT_MS) throw new Error(`no frame at ${columns} columns:\n${app.lastFrame()}`);
    await settle(5);
  }
  return Object.assign(app, { exited: () => unmounted });
}

/** Calls `onUnmount` when the app is torn down (ink exits on q from Home, or Ctrl-C). */
function Lifecycle(props: { onUnmount(): void; children: React.ReactNode }) {
  useEffect(() => props.onUnmount, [props.onUnmount]);
  return <>{props.children}</>;
}

/** Gives the fake stdout a size and tells the app, as a terminal does on resize. */
export function resize(stdout: NodeJS.EventEmitter, columns: number, rows: number): void {
  Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  stdout.emit('resize');
}

/** Lets ink and React finish what a key press or an event started. */
export const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long a test waits for a screen to show something: returns as soon as it does. Generous: on a
 * loaded machine (load average 20 on 2 cores) a first frame took more than 3 s.
 */
export const SCREEN_WAIT_MS = 15_000;

/**
 * Lets the app work until `done()` holds (up to SCREEN_WAIT_MS), instead of a fixed pause that a
 * loaded machine can outlast; the assertion after it says what is wrong if it never holds.
 */
export async function settleUntil(done: () => boolean): Promise<void> {
  const started = Date.now();
  while (!done() && Date.now() - started < SCREEN_WAIT_MS) await settle(10);
}

/** Waits (up to SCREEN_WAIT_MS) until the frame shows `text`: a screen has mounted and listens to keys. */
export async function until(app: { lastFrame(): string | undefined }, text: string): Promise<string> {
  const started = Date.now();
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (frame.includes(text)) {
      await settle(); // its effects (key handlers) run right after the frame
      const settled = app.lastFrame() ?? '';
      if (settled.includes(text)) return settled;
    }
    if (Date.now() - started > SCREEN_WAIT_MS) throw new Error(`the screen never showed "${text}"; it shows:\n${frame}`);
    await settle(10);
  }
}

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  escape: '\u001B',
  end: '\u001B[F',
  home: '\u001B[H',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
};

/** Types keys one at a time, letting the app settle after each. */
export async function press(stdin: { write(data: string): void }, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    stdin.write(key);
    await settle();
  }
}

/** A template literal for an exact frame: the first and last newline are dropped. */
export function screen(strings: TemplateStringsArray): string {
  return strings[0]!.replace(/^\n/, '').replace(/\n$/, '');
}

/**
 * Compares a frame with the expected one, exactly. With KUBELINGS_FRAMES_DIR set, a frame that
 * differs is also written to that folder as <name>.txt, to review and paste on purpose.
 */
export function expectScreen(frame: string | undefined, name: string, expected: string): void {
  const dir = process.env.KUBELINGS_FRAMES_DIR;
  if (dir && frame !== expected) writeFileSync(join(dir, `${name}.txt`), frame ?? '');
  expect(frame, `the ${name} screen`).toBe(expected);
}
