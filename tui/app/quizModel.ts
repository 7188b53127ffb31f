/**
 * The quiz's arithmetic: which question comes first (the first not yet answered), whether a choice
 * is right, the score (right answers, not answered ones), and the order this learner sees the
 * choices in (tui/course/quizOrder.ts). Answers are choice indices in lesson.yaml order. Pure, but
 * for withLearnerId, which gives a learner their id once, in the progress file.
 */
import { choiceOrders, correctChoice } from '../course/quizOrder.ts';
import type { QuizQuestion } from '../course/schema.ts';
import { randomUUID } from 'node:crypto';
import { updateProgress, type Progress } from '../progress.ts';

export type Answers = Record<string, number>;

export const correctIndex = correctChoice;

export function isRight(question: QuizQuestion, choice: number): boolean {
  return correctIndex(question) === choice;
}

/** Index of the first question without an answer; -1 when all are answered. */
export function firstUnanswered(quiz: QuizQuestion[], answers: Answers): number {
  return quiz.findIndex((q) => answers[q.id] === undefined);
}

export function score(quiz: QuizQuestion[], answers: Answers): { right: number; answered: number; total: number } {
  const answered = quiz.filter((q) => answers[q.id] !== undefined);
  return { right: answered.filter((q) => isRight(q, answers[q.id]!)).length, answered: answered.length, total: quiz.length };
}

/** The order of each question's choices for the learner whose progress this is. */
export function learnerOrders(quiz: QuizQuestion[], learner: string | undefined, lessonId: string): number[][] {
  return choiceOrders(quiz, learner ?? '', lessonId);
}

/** The progress, with a learner id of their own (made and saved the first time): it seeds their shuffle. */
export function withLearnerId(progress: Progress): Progress {
  if (progress.learner) return progress;
  return updateProgress(undefined, (p) => void (p.learner ??= randomUUID())).progress;
}
