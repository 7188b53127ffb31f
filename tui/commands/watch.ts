/**
 * `kubelings watch [exercise]`: grades the current exercise each time you save, and moves on to the
 * next one when it passes. Keys: h hint, n next exercise, q quit.
 */
import { KubelingsError } from '#engine/errors.ts';
import { allExercises, allLessons, type Course, type Exercise } from '../course/load.ts';
import { showPath } from '../grader/explain.ts';
import { formatReport } from '../grader/format.ts';
import { ExerciseWatcher } from '../grader/watch.ts';
import { exerciseProgress, loadProgress, updateProgress } from '../progress.ts';
import { recordReport } from './check.ts';
import { openCourse, openProgress, resolveTarget, type CommonOptions } from './context.ts';

/** The exercise to work on: the one named, else the first that has not passed. */
export function currentExercise(course: Course, name: string | undefined): Exercise {
  if (name) {
    const target = resolveTarget(course, name, 'watch');
    if (target.kind === 'exercise') return target.exercise;
    const progress = loadProgress().progress;
    return target.lesson.exercises.find((e) => !progress.exercises[e.id]?.passedAt) ?? target.lesson.exercises[0]!;
  }
  const progress = loadProgress().progress;
  const all = allExercises(course);
  const next = all.find((e) => !progress.exercises[e.id]?.passedAt);
  if (!next) throw new KubelingsError('Every exercise passes. Well done! Try npx kubelings cluster up --impl mine.');
  return next;
}

export async function watchCommand(name: string | undefined, options: CommonOptions & { impl?: string }): Promise<number> {
  const course = openCourse(options);
  let exercise = currentExercise(course, name);
  const lessonOf = (e: Exercise) => allLessons(course).find((l) => l.id === e.lessonId && l.packId === e.packId)!;
  const clear = () => process.stdout.isTTY && process.stdout.write('\x1b[2J\x1b[H');
  const footer = () => `\nWatching ${showPath(exercise.file)}: save to re-grade.   h hint   n next   q quit\n`;

  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const watcher = new ExerciseWatcher(lessonOf(exercise), exercise, {
    onGrading: () => process.stdout.write(`Grading ${exercise.id}…\n`),
    onReport: (report) => {
      clear();
      recordReport(course, report);
      process.stdout.write(`${formatReport(report, { progress: openProgress() })}\n`);
      if (report.ok) {
        const next = allExercises(course).find((e) => !loadProgress().progress.exercises[e.id]?.passedAt);
        if (next) process.stdout.write(`\nNext up: ${next.id} ${next.title}. Press n to start it.\n`);
      }
      process.stdout.write(footer());
    },
    onError: (error) => process.stderr.write(`watch: ${error.message}\n`),
  }, { impl: options.impl });

  const stdin = process.stdin;
  const onKey = (key: string) => {
    if (key === 'q' || key === '\u0003') done();
    else if (key === 'h') {
      let text = '';
      updateProgress(course, (p) => {
        const e = exerciseProgress(p, exercise.id);
        e.hintsRevealed = Math.min(exercise.hints.length, e.hintsRevealed + 1);
        text = `Hint ${e.hintsRevealed} of ${exercise.hints.length}: ${exercise.hints[e.hintsRevealed - 1]}`;
      });
      process.stdout.write(`\n${text}\n`);
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
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onKey);
  }
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
  await watcher.start();
  await finished;
  if (stdin.isTTY) {
    stdin.setRawMode(false);
    stdin.off('data', onKey);
    stdin.pause();
  }
  await watcher.close();
  return 0;
}
