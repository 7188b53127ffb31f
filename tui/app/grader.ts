/**
 * The grader as the exercise screen sees it: `watch` starts grading one exercise at once and again
 * on every save, reporting through handlers; `switchTo` moves to another exercise keeping the test
 * runner warm; `close` stops everything (the runner's child process included).
 *
 * `realGrader` wraps ExerciseWatcher (tui/grader/watch.ts), imported on first use so that the home
 * screen never waits for chokidar or the runner. Tests pass a fake instead.
 */
import type { Exercise, Lesson } from '../course/load.ts';
import type { GradeReport } from '../grader/grade.ts';

export interface GradingHandlers {
  /** A run began (at the start, after a save, or on request). */
  onGrading(): void;
  onReport(report: GradeReport): void;
  /** The watcher itself failed (not the learner's code). */
  onError(error: Error): void;
}

export interface GradingSession {
  switchTo(lesson: Lesson, exercise: Exercise): void;
  /** Grade again now, without a save. */
  regrade(): void;
  close(): Promise<void>;
}

export interface Grader {
  watch(lesson: Lesson, exercise: Exercise, handlers: GradingHandlers): GradingSession;
}

export const realGrader: Grader = {
  watch(lesson, exercise, handlers) {
    const watcher = import('../grader/watch.ts').then(({ ExerciseWatcher }) => {
      const w = new ExerciseWatcher(lesson, exercise, { onGrading: () => handlers.onGrading(), onReport: handlers.onReport, onError: handlers.onError });
      w.start().catch(handlers.onError);
      return w;
    });
    watcher.catch(handlers.onError);
    return {
      switchTo: (l, e) => void watcher.then((w) => w.switchTo(l, e)).catch(handlers.onError),
      regrade: () => void watcher.then((w) => w.regrade([])).catch(handlers.onError),
      close: () =>
        watcher.then(
          (w) => w.close(),
          () => undefined,
        ),
    };
  },
};
