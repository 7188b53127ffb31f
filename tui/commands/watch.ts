/**
 * `kubelings watch [exercise]`: grades the current exercise (the one named, else the first not
 * passed) each time you save, and moves on to the next one when it passes. Keys: h hint, e edit,
 * n next exercise, q quit.
 *
 * The report is wrapped to the terminal's width at word boundaries, as the TUI wraps it (a
 * terminal left to itself cuts words in two), and again when the terminal is resized.
 */
import { allExercises, allLessons, type Course, type Exercise } from '../course/load.ts';
import { showPath } from '../grader/explain.ts';
import { formatReport } from '../grader/format.ts';
import type { GradeReport } from '../grader/grade.ts';
import { ExerciseWatcher } from '../grader/watch.ts';
import { loadProgress, updateProgress } from '../progress.ts';
import { wrapLines } from '../app/wrapLines.ts';
import { recordReport } from './check.ts';
import { exerciseFor, openCourse, openProgress, type CommonOptions } from './context.ts';
import { editFile } from '../editor.ts';
import { revealNextHint } from './hint.ts';

/** The exercise to work on: the one named, else the first that has not passed. */
export function currentExercise(course: Course, name: string | undefined): Exercise {
  return exerciseFor(course, name, 'watch');
}

/** Text wrapped at word boundaries to the terminal's width (as is when not a terminal). */
export function fitToTerminal(text: string, columns: number | undefined): string {
  if (!columns) return text;
  return wrapLines(text, columns, true).join('\n');
}

export async function watchCommand(name: string | undefined, options: CommonOptions & { impl?: string }): Promise<number> {
  const course = openCourse(options);
  let exercise = currentExercise(course, name);
  const lessonOf = (e: Exercise) => allLessons(course).find((l) => l.id === e.lessonId && l.packId === e.packId)!;
  const stdout = process.stdout;
  const print = (text: string) => stdout.write(`${fitToTerminal(text, stdout.isTTY ? stdout.columns : undefined)}\n`);
  const clear = () => stdout.isTTY && stdout.write('\x1b[2J\x1b[H');
  const footer = () => `\nWatching ${showPath(exercise.file)}: save to re-grade.   h hint   e edit   n next   q quit`;

  let last: GradeReport | undefined;
  const show = (report: GradeReport) => {
    clear();
    print(formatReport(report, { progress: openProgress(), hintKey: 'h', afterTodo: 'save the file: it is graded again.' }));
    if (report.ok) {
      const next = allExercises(course).find((e) => !loadProgress().progress.exercises[e.id]?.passedAt);
      if (next) print(`\nNext up: ${next.id} ${next.title}. Press n to start it.`);
    }
    print(footer());
  };

  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const watcher = new ExerciseWatcher(
    lessonOf(exercise),
    exercise,
    {
      onGrading: () => stdout.write(`Grading ${exercise.id}…\n`),
      onReport: (report) => {
        recordReport(course, report);
        last = report;
        show(report);
      },
      onError: (error) => process.stderr.write(`watch: ${error.message}\n`),
    },
    { impl: options.impl },
  );

  const stdin = process.stdin;
  const onKey = (key: string) => {
    if (key === 'q' || key === '\u0003') done();
    else if (key === 'h') {
      let shown = 0;
      updateProgress(course, (p) => void (shown = revealNextHint(p, exercise)));
      print(`\nHint ${shown} of ${exercise.hints.length}: ${exercise.hints[shown - 1]}`);
      if (shown >= exercise.hints.length) print(`That was the last hint. Reread ${showPath(exercise.page.path)} ("${exercise.page.title}").`);
    } else if (key === 'e') {
      stdin.setRawMode?.(false);
      const outcome = editFile(exercise.file);
      stdin.setRawMode?.(true);
      if (outcome.kind !== 'edited') print(`\n${outcome.message}`);
    } else if (key === 'n') {
      const all = allExercises(course);
      const progress = loadProgress().progress;
      const next = all.slice(all.indexOf(exercise) + 1).find((e) => !progress.exercises[e.id]?.passedAt) ?? all[all.indexOf(exercise) + 1];
      if (next) {
        exercise = next;
        void watcher.switchTo(lessonOf(next), next);
      }
    }
  };
  const onResize = () => last && show(last);
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onKey);
    stdout.on('resize', onResize);
  }
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
  await watcher.start();
  await finished;
  if (stdin.isTTY) {
    stdin.setRawMode(false);
    stdin.off('data', onKey);
    stdout.off('resize', onResize);
    stdin.pause();
  }
  await watcher.close();
  return 0;
}
