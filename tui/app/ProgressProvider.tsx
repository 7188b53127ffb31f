/**
 * The learner's progress as React state. Every change goes through `update`, which re-reads the
 * file, applies the change and saves it (updateProgress), so a `check` run in another terminal is
 * never undone; `reload` picks up what someone else wrote (recordReport after a grading run). The
 * file is also watched, so a `check` or a `reset` in another terminal shows here at once.
 */
import { unwatchFile, watchFile } from 'node:fs';
import React, { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { PROGRESS_POLL_MS } from '#engine/params.ts';
import type { Course } from '../course/load.ts';
import { loadProgress, progressFile, updateProgress, type Progress } from '../progress.ts';

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
  const update = useCallback((change: (p: Progress) => void) => setProgress(updateProgress(props.course, change).progress), [props.course]);
  const reload = useCallback(() => {
    const fresh = loadProgress().progress;
    // Only a real change re-renders (the app's own writes come back through the watcher too).
    setProgress((current) => (JSON.stringify(current) === JSON.stringify(fresh) ? current : fresh));
  }, []);
  useEffect(() => {
    const file = progressFile();
    const onChange = () => reload();
    watchFile(file, { interval: PROGRESS_POLL_MS, persistent: false }, onChange);
    return () => unwatchFile(file, onChange);
  }, [reload]);
  const store = useMemo(() => ({ progress, update, reload }), [progress, update, reload]);
  return <ProgressContext.Provider value={store}>{props.children}</ProgressContext.Provider>;
}

export function useProgress(): ProgressStore {
  const store = useContext(ProgressContext);
  if (!store) throw new Error('useProgress() outside <ProgressProvider>');
  return store;
}
