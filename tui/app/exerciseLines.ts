/**
 * The exercise screen's scrolled part as rows: the hints revealed so far, then the grading state
 * (not graded yet / grading… / the report exactly as the CLI prints it, through formatReport).
 * Pure: the screen passes what it knows.
 */
import type { ChalkInstance } from 'chalk';
import type { Exercise } from '../course/load.ts';
import { formatReport } from '../grader/format.ts';
import type { GradeReport } from '../grader/grade.ts';
import type { Progress } from '../progress.ts';
import { wrapLines } from './wrapLines.ts';

export interface GradingView {
  grading: boolean;
  report?: GradeReport;
  /** The watcher itself failed (not the learner's code). */
  error?: string;
}

export function hintLines(exercise: Exercise, revealed: number, width: number, c: ChalkInstance): string[] {
  const out: string[] = [];
  exercise.hints.slice(0, revealed).forEach((hint, i) => {
    out.push(...wrapLines(`${c.cyan(`Hint ${i + 1} of ${exercise.hints.length}:`)} ${hint}`, width, true));
  });
  if (revealed >= exercise.hints.length && revealed > 0) out.push(c.dim(`That was the last hint: reread "${exercise.page.title}".`));
  return out.length > 0 ? [...out, ''] : out;
}

export function resultLines(view: GradingView, progress: Progress, width: number, color: boolean, c: ChalkInstance): string[] {
  const out: string[] = [];
  if (view.error) out.push(...wrapLines(c.red(`The grader itself failed: ${view.error}`), width), '');
  if (view.report) {
    const text = formatReport(view.report, { color, progress, hintKey: 'h', hintsShown: true, afterTodo: 'save the file: it is graded again.' });
    out.push(...wrapLines(text, width, true));
  } else if (view.grading) {
    out.push('Grading…');
  } else if (!view.error) {
    out.push(c.dim('Not graded yet: save the file (or press g) to grade it.'));
  }
  return out;
}
