/**
 * The quiz's feedback and score pages as rows: after an answer, right or wrong, why that choice is
 * right or wrong, the right answer when it was missed, and the question's explanation; at the end,
 * the score and a line per question. Pure (colours through `paint`).
 */
import type { ChalkInstance } from 'chalk';
import type { QuizQuestion } from '../course/schema.ts';
import { correctIndex, isRight, type Answers } from './quizModel.ts';
import { wrapIndented, wrapLines } from './wrapLines.ts';

export function feedbackLines(question: QuizQuestion, choice: number, width: number, c: ChalkInstance): string[] {
  const picked = question.choices[choice]!;
  const right = isRight(question, choice);
  const out = [...wrapLines(c.bold(question.question), width), ''];
  out.push(...wrapLines(right ? c.green(`✓ Right: ${picked.text}`) : c.red(`✗ Not quite: you chose "${picked.text}".`), width, true));
  if (picked.why) out.push(...wrapIndented(picked.why, width, 2));
  if (!right) {
    const answer = question.choices[correctIndex(question)]!;
    out.push('', ...wrapLines(c.green(`The answer: ${answer.text}`), width));
    if (answer.why) out.push(...wrapIndented(answer.why, width, 2));
  }
  out.push('', ...wrapLines(`${c.bold('Why:')} ${question.explanation.trim()}`, width));
  return out;
}

export function scoreLines(quiz: QuizQuestion[], answers: Answers, width: number, c: ChalkInstance): string[] {
  const right = quiz.filter((q) => answers[q.id] !== undefined && isRight(q, answers[q.id]!)).length;
  const verdict = right === quiz.length ? 'Every answer right.' : 'Reread the explanations of the ones you missed: press r to try again.';
  const out = [c.bold(`Score: ${right}/${quiz.length}`), ...wrapLines(verdict, width), ''];
  for (const q of quiz) {
    const answer = answers[q.id];
    const mark = answer === undefined ? c.dim('·') : isRight(q, answer) ? c.green('✓') : c.red('✗');
    out.push(...wrapLines(`${mark} ${q.question}`, width, true));
  }
  return out;
}
