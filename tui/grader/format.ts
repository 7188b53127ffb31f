/**
 * A grade report as the CLI prints it: a ✓ or ✗ line per test; under each failure what was done,
 * what was expected, what came back and a hint; the learner's own output kept apart (prefixed `│`);
 * then `Score: N/M` and the next step. The TUI shows the same lines (it calls formatReport too).
 *
 * What it promises the learner:
 * - a pass is announced only for their own code: when the reference was graded, it says so;
 * - an exercise not written yet gets one paragraph naming what to write, then the expectations,
 *   each once (no "got: not written yet" under every test);
 * - an earlier exercise re-run because this one builds on it takes a line or two, never its
 *   whole report, and never lends its hint;
 * - "Hint k of n" is always a hint the learner has revealed (`hint`, h): grading reveals none.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import type { Progress } from '../progress.ts';
import { showPath } from './explain.ts';
import type { ExerciseVerdict, GradeReport, TestVerdict } from './grade.ts';

export interface FormatOptions {
  /** Colours (default: when stdout is a terminal). */
  color?: boolean;
  /** For the hint lines and "passed before". */
  progress?: Progress;
  /** How to reveal the next hint where that is a key (watch and the TUI: "h"), instead of the command. */
  hintKey?: string;
  /** The revealed hints are on screen already (the TUI lists them above the results). */
  hintsShown?: boolean;
  /**
   * What to do once the TODO is filled in, where that is not running `check` again (the TUI and
   * watch grade on save): replaces the stub's "run: npx kubelings check …".
   */
  afterTodo?: string;
}

const MAX_CONSOLE_LINES = 12;
/** Failing test titles named for an earlier exercise that fails now. */
const MAX_REGRESSION_TITLES = 2;

export function formatReport(report: GradeReport, options: FormatOptions = {}): string {
  const c = new Chalk({ level: (options.color ?? Boolean(process.stdout.isTTY)) ? 1 : 0 });
  const out: string[] = [];
  const targets = report.exercises.filter((e) => e.role === 'target');
  const regressions = report.exercises.filter((e) => e.role === 'regression');
  const reference = report.graded === 'solutions';

  if (regressions.length > 0) {
    const names = targets.map((t) => t.exercise.localId).join(', ');
    const line = regressions.map((e) => `${e.ok ? c.green('✓') : c.red('✗')} ${e.exercise.localId} ${e.passed}/${e.total}`).join('  ');
    out.push(c.dim(`Re-run, since ${names} build${targets.length === 1 ? 's' : ''} on ${regressions.length === 1 ? 'it' : 'them'}: `) + line);
    for (const broken of regressions.filter((e) => !e.ok)) out.push(...regressionLines(broken, names, c, options));
    out.push('');
  }
  for (const verdict of targets) {
    const file = reference ? `the reference ${showPath(verdict.exercise.solution)}, not your file` : showPath(verdict.exercise.file);
    out.push(c.bold(`${verdict.exercise.id}  ${verdict.exercise.title}`) + c.dim(`   (${file}; impl ${report.impl})`));
    out.push(...exerciseLines(verdict, c, options), '');
  }
  if (report.console.length > 0) {
    out.push(c.dim('Printed while the files loaded:'), ...consoleLines(report.console, c), '');
  }
  out.push(...summary(report, targets, regressions, c, options));
  return out.join('\n');
}

/** An earlier exercise that fails when re-run: a line or two, and where to see the rest. */
function regressionLines(broken: ExerciseVerdict, builtBy: string, c: ChalkInstance, options: FormatOptions): string[] {
  const id = broken.exercise.id;
  const see = `npx kubelings check ${id}`;
  const passedBefore = Boolean(options.progress?.exercises[id]?.passedAt);
  const failing = broken.tests.filter((t) => !t.passed);
  let what: string;
  if (broken.notWritten && failing.every(isStubFailure)) what = `is not written yet`;
  else if (broken.problem && broken.total === 0) what = `cannot run: ${broken.problem}`;
  else {
    const titles = failing
      .slice(0, MAX_REGRESSION_TITLES)
      .map((t) => `"${t.fullName}"`)
      .join(', ');
    const more = failing.length > MAX_REGRESSION_TITLES ? ', …' : '';
    what = `fails ${failing.length} of ${broken.total} test${broken.total === 1 ? '' : 's'}${titles ? ` (${titles}${more})` : ''}`;
    if (broken.problem) what += `; ${broken.problem.split('\n')[0]}`;
  }
  const advice = passedBefore ? `It passed before: your change broke it. See why: ${see}` : `Finish it first: ${see}`;
  return [c.yellow(`  ✗ ${id} ${what}, and ${builtBy} call${builtBy.includes(',') ? '' : 's'} its code.`), c.dim(`    ${advice}`)];
}

/** One stub sentence, parsed: `what() is not written yet: it is exercise E. Read P, then … run: C`. */
interface StubSentence {
  what: string;
  exercise: string;
  page: string;
  raw: string;
}

const STUB = /^(.+?) is not written yet: it is exercise (\S+)\. Read (\S+), then fill in the TODO and run: npx kubelings check \S+$/;

function parseStub(message: string): StubSentence | undefined {
  const m = STUB.exec(message.trim());
  return m ? { what: m[1]!, exercise: m[2]!, page: m[3]!, raw: message } : undefined;
}

/** "a()", "a() and b()", "a(), b() and c()". */
function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * The one paragraph for code not written yet: every function the tests met as a stub, grouped by
 * the exercise it belongs to, the page to read, and the next step.
 */
function notWrittenLines(verdict: ExerciseVerdict, c: ChalkInstance, options: FormatOptions): string[] {
  const messages = [
    ...verdict.tests.flatMap((t) => (t.failure?.kind === 'not-written' ? [t.failure.message] : t.failure?.kind === 'assertion' && t.failure.notWritten ? [t.failure.notWritten] : [])),
    ...(verdict.notWritten ? [verdict.notWritten] : []),
  ];
  const parsed = messages.map(parseStub);
  if (parsed.some((p) => !p)) {
    // A stub worded otherwise (an instructor's own): its sentence as it is.
    const fitted = options.afterTodo ? verdict.notWritten!.replace(/ and run: npx kubelings check \S+$/, ` and ${options.afterTodo}`) : verdict.notWritten!;
    return [`  ${c.yellow(fitted)}`];
  }
  const byExercise = new Map<string, StubSentence[]>();
  for (const p of parsed as StubSentence[]) byExercise.set(p.exercise, [...(byExercise.get(p.exercise) ?? []), p]);
  const out: string[] = [];
  for (const [exercise, stubs] of byExercise) {
    const names = [...new Set(stubs.map((s) => s.what))];
    const verb = names.length === 1 ? 'is' : 'are';
    const own = exercise === verdict.exercise.id;
    const head = `${listOf(names)} ${verb} not written yet:`;
    const next = own
      ? `this is exercise ${exercise}. Read ${pageToRead(stubs[0]!.page, verdict)}, then fill in the TODO${names.length === 1 ? '' : 's'} and ${options.afterTodo ?? `run: npx kubelings check ${exercise}`}`
      : `${names.length === 1 ? 'it belongs' : 'they belong'} to exercise ${exercise}, which this one builds on. Write ${names.length === 1 ? 'it' : 'them'} first: npx kubelings check ${exercise}`;
    out.push(`  ${c.yellow(head)} ${next}`);
  }
  return out;
}

/**
 * The page a stub names, as a path that opens from the project root: a pack's stub may name it from
 * the pack's folder (`01-lesson/01-why.md`); the lesson's own page when the one named is not found.
 */
function pageToRead(page: string, verdict: ExerciseVerdict): string {
  const lessonDir = dirname(verdict.exercise.page.path);
  for (const candidate of [join(ROOT, page), join(dirname(lessonDir), page), join(lessonDir, page)]) {
    if (existsSync(candidate)) return showPath(candidate);
  }
  return showPath(verdict.exercise.page.path);
}

function exerciseLines(verdict: ExerciseVerdict, c: ChalkInstance, options: FormatOptions): string[] {
  const out: string[] = [];
  const stubbed = verdict.notWritten !== undefined;
  if (stubbed) out.push(...notWrittenLines(verdict, c, options), '', c.dim('  What the tests expect:'));
  for (const test of verdict.tests) out.push(...testLines(test, c));
  if (verdict.problem) out.push('', `  ${c.red('✗')} ${verdict.problem}`);
  if (verdict.tests.length === 0 && !verdict.problem && !stubbed) out.push(`  ${c.red('✗')} The suite holds no tests.`);
  // A seed helps only where random inputs reached the learner's code: not for a stub not written yet.
  const replayable = verdict.tests.filter((t) => !t.passed && t.seed !== undefined && !isStubFailure(t));
  const seeds = [...new Set(replayable.map((t) => t.seed))];
  if (seeds.length > 0) out.push(c.dim(`  Random inputs came from seed ${seeds.join(', ')}: replay them with --seed ${seeds[0]}.`));
  return out;
}

/** The test failed only because it met a stub that is not written yet. */
function isStubFailure(test: TestVerdict): boolean {
  const f = test.failure;
  return f?.kind === 'not-written' || (f?.kind === 'assertion' && f.notWritten !== undefined);
}

function testLines(test: TestVerdict, c: ChalkInstance): string[] {
  if (test.passed) return [`  ${c.green('✓')} ${test.fullName}`];
  const out = [`  ${c.red('✗')} ${test.fullName}`];
  const f = test.failure;
  const field = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    const [first, ...rest] = value.split('\n');
    out.push(`      ${c.dim(name.padEnd(9))}${first}`, ...rest.map((l) => `      ${' '.repeat(9)}${l}`));
  };
  // What a stub "gave back" is its not-written sentence, said once above the tests: here only
  // what was done and what is expected.
  const stub = isStubFailure(test);
  if (f?.kind === 'assertion') {
    field('did', f.did);
    if (f.expected !== undefined || f.got !== undefined) {
      field('expected', f.expected);
      if (!f.notWritten) field('got', f.got);
    } else {
      field('failed', f.message);
    }
  } else if (f?.kind === 'problem') {
    field('problem', f.message);
  }
  if (!stub) field('hint', test.hint);
  if (test.console.length > 0) out.push(`      ${c.dim('your output:')}`, ...consoleLines(test.console, c).map((l) => `    ${l}`));
  return out;
}

function consoleLines(lines: { stream: string; content: string }[], c: ChalkInstance): string[] {
  const text = lines
    .map((l) => l.content)
    .join('')
    .replace(/\n$/, '')
    .split('\n');
  const shown = text.slice(0, MAX_CONSOLE_LINES).map((l) => `  ${c.dim('│')} ${l}`);
  if (text.length > MAX_CONSOLE_LINES) shown.push(`  ${c.dim(`│ … ${text.length - MAX_CONSOLE_LINES} more lines`)}`);
  return shown;
}

function summary(report: GradeReport, targets: ExerciseVerdict[], regressions: ExerciseVerdict[], c: ChalkInstance, options: FormatOptions): string[] {
  const passed = targets.reduce((n, e) => n + e.passed, 0);
  const total = targets.reduce((n, e) => n + e.total, 0);
  const allTestsPassed = total > 0 && passed === total;
  const targetProblem = targets.some((e) => !e.ok);
  const brokenBelow = regressions.filter((e) => !e.ok);
  const note =
    total === 0
      ? ' (no test could run)'
      : allTestsPassed && targetProblem
        ? ', but the exercise does not pass yet: see the ✗ above.'
        : allTestsPassed && brokenBelow.length > 0
          ? `, but ${listOf(brokenBelow.map((e) => e.exercise.localId))}, which it builds on, ${brokenBelow.length === 1 ? 'fails' : 'fail'} (see above).`
          : '';
  const out = [`${c.bold('Score:')} ${passed}/${total}${note}`];
  const ids = targets.map((t) => t.exercise.id).join(', ');
  if (report.graded === 'solutions') {
    // Never a pass for code that was not graded: the learner's file was not even loaded.
    out.push(
      report.ok
        ? c.cyan(`The reference passes (${ids}). Your own file was not graded: leave out --impl to grade it.`)
        : c.red(`The reference fails (${ids}): that is a bug in the course, please report it.`),
    );
    return out;
  }
  if (report.ok) {
    out.push(c.green(`✓ ${ids} ${targets.length > 1 ? 'pass' : 'passes'}.`));
    return out;
  }
  const first = targets.find((e) => !e.ok);
  if (!first) {
    // The exercise itself passes; what fails is code it builds on, with its own hints.
    out.push(c.dim(`Fix ${brokenBelow[0]!.exercise.id} first: npx kubelings check ${brokenBelow[0]!.exercise.id}`));
    return out;
  }
  out.push(...hintLines(first, c, options));
  return out;
}

/** The last hint revealed (never a new one: revealing is the learner's choice) and how to get more. */
function hintLines(verdict: ExerciseVerdict, c: ChalkInstance, options: FormatOptions): string[] {
  const exercise = verdict.exercise;
  const hints = exercise.hints;
  const revealed = Math.min(options.progress?.exercises[exercise.id]?.hintsRevealed ?? 0, hints.length);
  const reread = `Reread: ${showPath(exercise.page.path)}`;
  const unwritten = verdict.notWritten !== undefined && verdict.passed === 0;
  const next =
    revealed >= hints.length
      ? undefined
      : options.hintKey
        ? `${options.hintKey} reveals hint ${revealed + 1} of ${hints.length}.`
        : `${revealed === 0 ? 'Stuck? ' : 'Next hint: '}npx kubelings hint ${exercise.id}${revealed === 0 ? ` shows hint 1 of ${hints.length}.` : ''}`;
  const out: string[] = [];
  // The TUI lists the revealed hints above the results; the CLI repeats the last one here.
  if (revealed > 0 && !options.hintsShown) out.push(`${c.cyan(`Hint ${revealed} of ${hints.length}:`)} ${hints[revealed - 1]}`);
  if (unwritten && revealed === 0) return out;
  out.push(c.dim(next ? `${next}   ${reread}` : `That was every hint. ${reread}`));
  return out;
}
