/**
 * Re-grades an exercise each time the learner saves, as rustlings' watch mode does.
 *
 * Robust to editors that save by writing a temporary file and renaming it over the original (vim,
 * JetBrains): chokidar reports those as change or unlink+add, and every event only (re)starts a
 * short debounce timer, so one save grades once. The test runner stays warm between runs: only the
 * changed files are read again.
 */
import { watch, type FSWatcher } from 'chokidar';
import { dirname } from 'node:path';
import { WATCH_DEBOUNCE_MS } from '#engine/params.ts';
import type { Exercise, Lesson } from '../course/load.ts';
import { gradeLesson, type GradeOptions, type GradeReport } from './grade.ts';
import { SuiteRunner } from './runner.ts';

export interface WatchHandlers {
  /** A grading run began (after a save, or at the start). */
  onGrading?: (changed: string[]) => void;
  /** A grading run finished. */
  onReport: (report: GradeReport) => void;
  /** Something went wrong outside the learner's code (the watcher itself). */
  onError?: (error: Error) => void;
}

export class ExerciseWatcher {
  private readonly runner = new SuiteRunner(true);
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private changed = new Set<string>();
  private grading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private lesson: Lesson,
    private exercise: Exercise,
    private readonly handlers: WatchHandlers,
    private readonly options: Omit<GradeOptions, 'runner'> = {},
  ) {
    this.runner.prepare();
  }

  /** Starts watching the component's folder and grades once straight away. */
  async start(): Promise<void> {
    this.watchFolder();
    await this.regrade([]);
  }

  /** Switches to another exercise (after a pass, or the learner's choice) and grades it. */
  async switchTo(lesson: Lesson, exercise: Exercise): Promise<void> {
    const folderChanged = dirname(exercise.file) !== dirname(this.exercise.file);
    this.lesson = lesson;
    this.exercise = exercise;
    if (folderChanged) {
      await this.watcher?.close();
      this.watchFolder();
    }
    await this.regrade([]);
  }

  /** Grades now (also what a save triggers, after the debounce). */
  regrade(changed: string[]): Promise<void> {
    this.grading = this.grading.then(async () => {
      if (this.closed) return;
      if (changed.length > 0) this.runner.invalidate(changed);
      this.handlers.onGrading?.(changed);
      try {
        const report = await gradeLesson(this.lesson, [this.exercise], { ...this.options, runner: this.runner });
        if (!this.closed) this.handlers.onReport(report);
      } catch (error) {
        this.handlers.onError?.(error as Error);
      }
    });
    return this.grading;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.watcher?.close();
    this.runner.close();
  }

  private watchFolder(): void {
    // The whole component folder: an exercise may import a sibling file the learner also edits.
    this.watcher = watch(dirname(this.exercise.file), { ignoreInitial: true, atomic: true });
    const onEvent = (path: string) => {
      if (!path.endsWith('.ts')) return;
      this.changed.add(path);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        const files = [...this.changed];
        this.changed.clear();
        void this.regrade(files);
      }, WATCH_DEBOUNCE_MS);
    };
    this.watcher.on('add', onEvent).on('change', onEvent).on('unlink', onEvent);
    this.watcher.on('error', (error) => this.handlers.onError?.(error as Error));
  }
}
