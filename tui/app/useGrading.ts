/**
 * Grading for the exercise screen: starts the grader's watch session on mount (it grades at once
 * and on every save), moves it when the exercise changes, closes it on unmount. Every report is
 * recorded in progress with recordReport, exactly as `npx kubelings check` does; only reports for
 * the exercise on screen are shown.
 */
import { useEffect, useRef, useState } from 'react';
import type { Exercise, Lesson } from '../course/load.ts';
import { recordReport } from '../commands/check.ts';
import type { GradingView } from './exerciseLines.ts';
import type { GradingSession } from './grader.ts';
import { useProgress } from './ProgressProvider.tsx';
import { useServices } from './services.tsx';

export function useGrading(lesson: Lesson, exercise: Exercise): GradingView & { regrade(): void } {
  const { grader, course } = useServices();
  const { reload } = useProgress();
  const [view, setView] = useState<GradingView>({ grading: false });
  const session = useRef<GradingSession | undefined>(undefined);
  const onScreen = useRef(exercise.id);
  onScreen.current = exercise.id;

  useEffect(() => {
    const s = grader.watch(lesson, exercise, {
      onGrading: () => setView((v) => ({ ...v, grading: true, error: undefined })),
      onReport: (report) => {
        recordReport(course, report);
        reload();
        const mine = report.exercises.some((e) => e.role === 'target' && e.exercise.id === onScreen.current);
        setView((v) => (mine ? { grading: false, report } : { ...v, grading: false }));
      },
      onError: (error) => setView((v) => ({ ...v, grading: false, error: error.message })),
    });
    session.current = s;
    return () => void s.close();
    // One session for the screen's life; exercise changes go through switchTo below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [grader]);

  const shown = useRef(exercise.id);
  useEffect(() => {
    if (shown.current === exercise.id) return;
    shown.current = exercise.id;
    setView({ grading: false });
    session.current?.switchTo(lesson, exercise);
  }, [lesson, exercise]);

  // A report for another exercise (the one before a switch) is never shown, not even for a frame.
  const report = view.report?.exercises.some((e) => e.role === 'target' && e.exercise.id === exercise.id) ? view.report : undefined;
  return { ...view, report, regrade: () => session.current?.regrade() };
}
