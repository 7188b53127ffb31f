/**
 * The quiz's arithmetic: which question comes first (the first not yet answered), whether a choice
 * is right, and the score. Pure.
 */
import type { QuizQuestion } from '../course/schema.ts';

export type Answers = Record<string, number>;

export function correctIndex(question: QuizQuestion): number {
  return question.choices.findIndex((c) => c.correct);
}

export function isRight(question: QuizQuestion, choice: number): boolean {
  return correctIndex(question) === choice;
}

/** Index of the first question without an answer; -1 when all are answered. */
export function firstUnanswered(quiz: QuizQuestion[], answers: Answers): number {
  return quiz.findIndex((q) => answers[q.id] === undefined);
}

export function score(quiz: QuizQuestion[], answers: Answers): { right: number; total: number } {
  return { right: quiz.filter((q) => answers[q.id] !== undefined && isRight(q, answers[q.id]!)).length, total: quiz.length };
}
