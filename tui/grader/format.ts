/**
 * A grade report as the CLI prints it: a ✓ or ✗ line per test; under each failure what was done,
 * what was expected, what came back and a hint; the learner's own output kept apart (prefixed `│`);
 * then `Score: N/M` and the next step. The TUI shows the same lines (it calls formatReport too).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Progress } from '../progress.ts';
import { showPath } from './explain.ts';
import type { ExerciseVerdict, GradeReport, TestVerdict } from './grade.ts';

export interface FormatOptions {
  /** Colours (default: when stdout is a terminal). */
  color?: boolean;
  /** For the "next hint" line. */
  progress?: Progress;
  /**
   * Said instead of the next-hint lines (the TUI shows revealed hints itself, so it says which key
   * reveals the next one); the "Reread" pointer stays.
   */
  hintAdvice?: string;
  /**
   * What to do once the TODO is filled in, where that is not running `check` again (the TUI grades
   * on save): replaces the stub's "run: npx kubelings check …".
   */
  afterTodo?: string;
}

const MAX_CONSOLE_LINES = 12;

export function formatReport(report: GradeReport, options: FormatOptions = {}): string {
  const c = new Chalk({ level: (options.color ?? Boolean(process.stdout.isTTY)) ? 1 : 0 });
  const out: string[] = [];
  const targets = report.exercises.filter((e) => e.role === 'target');
  const regressions = report.exercises.filter((e) => e.role === 'regression');

  if (regressions.length > 0) {
    const line = regressions.map((e) => `${e.ok ? c.green('✓') : c.red('✗')} ${e.exercise.localId} ${e.passed}/${e.total}`).join('  ');
    out.push(c.dim(`Earlier exercises, re-run: `) + line);
    for (const broken of regressions.filter((e) => !e.ok)) {
      const passedBefore = Boolean(options.progress?.exercises[broken.exercise.id]?.passedAt);
      out.push(
        '',
        c.yellow(
          passedBefore
            ? `${broken.exercise.id} passed before but fails now: your change must not break it.`
            : `${broken.exercise.id} comes first and does not pass yet: later exercises build on it, so it is re-run with them.`,
        ),
      );
      out.push(...exerciseLines(broken, c, options));
    }
    out.push('');
  }
  for (const verdict of targets) {
    out.push(c.bold(`${verdict.exercise.id}  ${verdict.exercise.title}`) + c.dim(`   (${showPath(verdict.exercise.file)}, impl ${report.impl})`));
    out.push(...exerciseLines(verdict, c, options), '');
  }
  if (report.console.length > 0) {
    out.push(c.dim('Printed while the files loaded:'), ...consoleLines(report.console, c), '');
  }
  out.push(...summary(report, targets, c, options));
  return out.join('\n');
}

/**
 * The stub's own sentence ("select() is not written yet: it is exercise …. Read …, then fill in the
 * TODO and run: …"), its first clause highlighted, its last step fitted to where it is read.
 */
function notWrittenLine(message: string, c: ChalkInstance, options: FormatOptions): string {
  const fitted = options.afterTodo ? message.replace(/ and run: npx kubelings check \S+$/, ` and ${options.afterTodo}`) : message;
  const at = fitted.indexOf(' is not written yet:');
  if (at < 0) return fitted;
  const head = fitted.slice(0, at + ' is not written yet:'.length);
  return `${c.yellow(head)}${fitted.slice(head.length)}`;
}

function exerciseLines(verdict: ExerciseVerdict, c: ChalkInstance, options: FormatOptions): string[] {
  const out: string[] = [];
  for (const test of verdict.tests) out.push(...testLines(test, c, verdict.notWritten !== undefined));
  if (verdict.notWritten) out.push('', `  ${notWrittenLine(verdict.notWritten, c, options)}`);
  if (verdict.problem) out.push('', `  ${c.red('✗')} ${verdict.problem}`);
  if (verdict.tests.length === 0 && !verdict.problem && !verdict.notWritten) out.push(`  ${c.red('✗')} The suite holds no tests.`);
  // A seed helps only where random inputs reached the learner's code: not for a stub not written yet.
  const replayable = verdict.tests.filter((t) => !t.passed && t.seed !== undefined && t.failure?.kind !== 'not-written');
  const seeds = [...new Set(replayable.map((t) => t.seed))];
  if (seeds.length > 0) out.push(c.dim(`  Random inputs came from seed ${seeds.join(', ')}: replay them with --seed ${seeds[0]}.`));
  void options;
  return out;
}

function testLines(test: TestVerdict, c: ChalkInstance, allNotWritten: boolean): string[] {
  if (test.passed) return [`  ${c.green('✓')} ${test.fullName}`];
  const out = [`  ${c.red('✗')} ${test.fullName}`];
  const f = test.failure;
  const field = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    const [first, ...rest] = value.split('\n');
    out.push(`      ${c.dim(name.padEnd(9))}${first}`, ...rest.map((l) => `      ${' '.repeat(9)}${l}`));
  };
  if (f?.kind === 'assertion') {
    field('did', f.did);
    if (f.expected !== undefined || f.got !== undefined) {
      field('expected', f.expected);
      field('got', f.got);
    } else {
      field('failed', f.message);
    }
  } else if (f?.kind === 'problem') {
    field('problem', f.message);
  } else if (f?.kind === 'not-written' && !allNotWritten) {
    field('problem', f.message);
  }
  if (f?.kind !== 'not-written') field('hint', test.hint);
  if (test.console.length > 0) out.push(`      ${c.dim('your output:')}`, ...consoleLines(test.console, c).map((l) => `    ${l}`));
  return out;
}

function consoleLines(lines: { stream: string; content: string }[], c: ChalkInstance): string[] {
  const text = lines.map((l) => l.content).join('').replace(/\n$/, '').split('\n');
  const shown = text.slice(0, MAX_CONSOLE_LINES).map((l) => `  ${c.dim('│')} ${l}`);
  if (text.length > MAX_CONSOLE_LINES) shown.push(`  ${c.dim(`│ … ${text.length - MAX_CONSOLE_LINES} more lines`)}`);
  return shown;
}

function summary(report: GradeReport, targets: ExerciseVerdict[], c: ChalkInstance, options: FormatOptions): string[] {
  const passed = targets.reduce((n, e) => n + e.passed, 0);
  const total = targets.reduce((n, e) => n + e.total, 0);
  const allTestsPassed = total > 0 && passed === total;
  const targetProblem = targets.some((e) => !e.ok);
  const note =
    total === 0
      ? ' (no test could run)'
      : allTestsPassed && targetProblem
        ? ', but the exercise does not pass yet: see the ✗ above.'
        : allTestsPassed && !report.ok
          ? ', but an earlier exercise of this lesson fails (see above).'
          : '';
  const out = [`${c.bold('Score:')} ${passed}/${total}${note}`];
  if (report.ok) {
    out.push(c.green(`✓ ${targets.map((t) => t.exercise.id).join(', ')} ${targets.length > 1 ? 'pass' : 'passes'}.`));
    return out;
  }
  const first = targets.find((e) => !e.ok) ?? report.exercises.find((e) => !e.ok);
  if (first && options.hintAdvice !== undefined) {
    out.push(c.dim(`${options.hintAdvice}   Reread: ${showPath(first.exercise.page.path)}`));
  } else if (first) {
    const revealed = options.progress?.exercises[first.exercise.id]?.hintsRevealed ?? 0;
    const hints = first.exercise.hints;
    const next = Math.min(revealed, hints.length - 1);
    out.push(`${c.cyan(`Hint ${next + 1} of ${hints.length}:`)} ${hints[next]}`);
    out.push(c.dim(`More: npx kubelings hint ${first.exercise.id}   Reread: ${showPath(first.exercise.page.path)}`));
  }
  return out;
}
