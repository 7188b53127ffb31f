/**
 * The sentences for runs that went wrong around the tests rather than in them: the exercise
 * changed the grader, killed the grader's process, used too much memory, printed too much, or
 * waits at the top level on a promise that never settles. Each names what happened in the
 * learner's terms and what to look at. Pure functions over RawRun data (runner.ts), used by
 * grade.ts; the grader's tests hold each sentence to a fixture that provokes it.
 */
import { sep } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import { showPath } from './explain.ts';
import type { RawRun } from './runner.ts';

/** The headline of every tamper report; the score is not counted and no pass is recorded. */
export const TAMPERED = 'The exercise changed the grader';

/** The sentence for a run in which the learner's code changed (or read) the grader. */
export function explainTampered(what: readonly string[]): string {
  // Paths inside the project are shown as the learner sees them.
  const list = [...new Set(what.map((w) => w.split(`${ROOT}${sep}`).join('')))];
  return (
    `${TAMPERED}: ${list.slice(0, 3).join('; ')}${list.length > 3 ? `; and ${list.length - 3} more` : ''}. ` +
    'Nothing from this run counts, and no pass is recorded. Grading reads your code; your code must leave the grader alone.'
  );
}

/** The learner's code killed its parent process (the grader's launcher, never the CLI itself). */
export function explainKilledLauncher(testName: string | undefined): string {
  const during = testName ? ` while running "${testName}"` : '';
  return `Your code killed the grader's process (it signalled process.ppid)${during}, so the tests stopped there. ` + 'Your progress is safe. An exercise must never send signals to other processes.';
}

/** The run outgrew the heap limit. */
export function explainOutOfMemory(limitMb: number, testName: string | undefined): string {
  const during = testName ? ` while running "${testName}"` : ' while your files loaded';
  return `Your code used more than ${limitMb} MB of memory${during}, and the grader stopped it. ` + 'Does an array, a map or a string keep growing, in a loop that never ends?';
}

/** The run printed more than the grader keeps. */
export function explainFlood(bytes: number, keptBytes: number, testName: string | undefined): string {
  const during = testName ? ` while running "${testName}"` : '';
  return (
    `Your code printed too much: ${formatBytes(bytes)} of output${during}, and the grader stopped it ` +
    `(only the first ${formatBytes(keptBytes)} are shown). Is a console.log inside a loop that runs many times, or one that never ends?`
  );
}

/** The deadline passed while the suite was loading and nothing was running: an await that never settles. */
export function explainNeverSettles(afterMs: number, file: string | undefined): string {
  const seconds = Math.round(afterMs / 100) / 10;
  return (
    `Did not finish in ${seconds} s while loading ${file ? showPath(file) : 'the suite'}: your file waits at its top level ` +
    'on a promise that never settles. Is there an await outside any function, on something that never comes?'
  );
}

/** The deadline passed while a test waited, using no CPU: a promise that never settles. */
export function explainTestNeverSettles(afterMs: number, testName: string): string {
  const seconds = Math.round(afterMs / 100) / 10;
  return `Did not finish in ${seconds} s while running "${testName}": your code waits on a promise that never settles. Is a promise never resolved, or an await waiting on something that never comes?`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/**
 * The sentence for a run-level incident that concerns this exercise, or undefined when there is
 * none (the usual explanations apply). A changed grader, or a killed launcher, concerns every
 * exercise of the run; the others only the exercise where the run stopped (`here`), `running`
 * being the test it was in.
 */
export function explainIncident(run: RawRun, suite: string, running: string | undefined, here: boolean): string | undefined {
  if (run.tampered && run.tampered.length > 0) return explainTampered(run.tampered);
  if (run.crashed?.killedLauncher) return explainKilledLauncher(running ?? run.crashed.running?.name);
  if (!here) return undefined;
  if (run.flooded) return explainFlood(run.flooded.bytes, run.flooded.keptBytes, running);
  if (run.outOfMemory) return explainOutOfMemory(run.outOfMemory.limitMb, running);
  if (run.timedOut?.idle) return running ? explainTestNeverSettles(run.timedOut.afterMs, running) : explainNeverSettles(run.timedOut.afterMs, suite);
  return undefined;
}
