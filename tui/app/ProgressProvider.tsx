/**
 * The learner's progress as React state. Every change goes through `update`, which re-reads the
 * file, applies the change and saves it (updateProgress), so a `check` run in another terminal is
 * never undone; `reload` picks up what someone else wrote (recordReport after a grading run).
 */
import React, { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Course } from '../course/load.ts';
import { loadProgress, updateProgress, type Progress } from '../progress.ts';

export interface ProgressStore {
  progress: Progress;
  update(change: (progress: Progress) => void): void;
  reload(): void;
}

const ProgressContext = createContext<ProgressStore | undefined>(undefined);

/** Holds the progress for the whole app. */
export function ProgressProvider(props: {
  /** Used to recompute which components are complete on each save. */
  course: Course;
  /** The progress as loaded at start. */
  initial: Progress;
  children: ReactNode;
}) {
  const [progress, setProgress] = useState(props.initial);
  const update = useCallback(
    (change: (p: Progress) => void) => setProgress(updateProgress(props.course, change).progress),
    [props.course],
  );
  const reload = useCallback(() => setProgress(loadProgress().progress), []);
  const store = useMemo(() => ({ progress, update, reload }), [progress, update, reload]);
  return <ProgressContext.Provider value={store}>{props.children}</ProgressContext.Provider>;
}

export function useProgress(): ProgressStore {
  const store = useContext(ProgressContext);
  if (!store) throw new Error('useProgress() outside <ProgressProvider>');
  return store;
}
