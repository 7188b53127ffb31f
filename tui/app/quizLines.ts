/**
 * The quiz's feedback and score pages as rows: after an answer, right or wrong, why that choice is
 * right or wrong, the right answer when it was missed, and the question's explanation; at the end,
 * the score and a line per question. Pure: texts go through `md` (the Markdown renderer, so
 * `code` and **bold** in a lesson.yaml show as such), colours through `c`.
 */
import type { ChalkInstance } from 'chalk';
import type { QuizQuestion } from '../course/schema.ts';
import { correctIndex, isRight, type Answers } from './quizModel.ts';
import { wrapLines } from './wrapLines.ts';

export type Md = (text: string, width: number) => string[];

export function feedbackLines(question: QuizQuestion, choice: number, width: number, c: ChalkInstance, md: Md): string[] {
  const picked = question.choices[choice]!;
  const right = isRight(question, choice);
  const indented = (text: string) => md(text.trim(), width - 2).map((row) => `  ${row}`);
  const out = [...md(`**${question.question.trim()}**`, width), ''];
  out.push(...md(right ? `✓ Right: ${picked.text}` : `✗ Not quite. You chose: ${picked.text}`, width).map((row) => (right ? c.green(row) : c.red(row))));
  if (picked.why) out.push(...indented(picked.why));
  if (!right) {
    const answer = question.choices[correctIndex(question)]!;
    out.push('', ...md(`The answer: ${answer.text}`, width).map((row) => c.green(row)));
    if (answer.why) out.push(...indented(answer.why));
  }
  out.push('', ...md(`**Why:** ${question.explanation.trim()}`, width));
  return out;
}

export function scoreLines(quiz: QuizQuestion[], answers: Answers, width: number, c: ChalkInstance, md: Md): string[] {
  const right = quiz.filter((q) => answers[q.id] !== undefined && isRight(q, answers[q.id]!)).length;
  const verdict = right === quiz.length ? 'Every answer right.' : 'Reread the explanations of the ones you missed: press r to try again.';
  const out = [c.bold(`Score: ${right}/${quiz.length}`), ...wrapLines(verdict, width), ''];
  for (const q of quiz) {
    const answer = answers[q.id];
    const mark = answer === undefined ? c.dim('·') : isRight(q, answer) ? c.green('✓') : c.red('✗');
    const [first = '', ...rest] = md(q.question.trim(), width - 2);
    out.push(`${mark} ${first}`, ...rest.map((row) => `  ${row}`));
  }
  return out;
}
