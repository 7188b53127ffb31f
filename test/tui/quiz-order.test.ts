/**
 * Quiz choices in each learner's own order: every order a permutation of the choices, the same for
 * one learner every time, different between learners, and the right answers spread over the
 * positions, both as each learner sees them and in lesson.yaml as written (where, before this, the
 * right answer was the second choice in 20 of 24 questions).
 */
import { describe, expect, test } from 'vitest';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { formatIssue, loadPack, type Lesson } from '../../tui/course/load.ts';
import { lintQuiz } from '../../tui/course/lint.ts';
import { choiceOrders, correctChoice, rightPositions } from '../../tui/course/quizOrder.ts';
import type { QuizQuestion } from '../../tui/course/schema.ts';
import { FIXTURE_PACK } from './helpers.tsx';

const core = loadPack(CORE_PACK_DIR);
const quizzes = [...core.lessons, ...loadPack(FIXTURE_PACK).lessons].filter((l) => l.quiz.length > 0);
const learners = Array.from({ length: 300 }, (_, i) => `learner-${i}`);

/** No position may hold more right answers than an even spread needs: ceil(n / k). */
function limitFor(quiz: readonly QuizQuestion[]): number {
  return Math.ceil(quiz.length / Math.min(...quiz.map((q) => q.choices.length)));
}

describe('in lesson.yaml as written', () => {
  test.each(core.lessons.filter((l) => l.quiz.length > 0).map((l) => [l.id, l] as [string, Lesson]))('%s: no position holds most of the right answers', (_id, lesson) => {
    const counts = rightPositions(lesson.quiz);
    expect(Math.max(...counts), `right answers per position: ${counts.join(', ')}`).toBeLessThanOrEqual(limitFor(lesson.quiz));
  });

  test('pack check says so when a quiz is lopsided; the core pack draws no such warning', () => {
    expect(lintQuiz(core).map(formatIssue), 'the core pack').toEqual([]);
    const lesson = core.lessons.find((l) => l.quiz.length >= 4)!;
    // The same lesson with every right answer moved to the second place.
    const lopsided = lesson.quiz.map((q) => {
      const others = q.choices.filter((c) => !c.correct);
      return { ...q, choices: [others[0]!, q.choices[correctChoice(q)]!, ...others.slice(1)] };
    });
    const issues = lintQuiz({ ...core, lessons: [{ ...lesson, quiz: lopsided }] });
    expect(
      issues.map((i) => i.message),
      'a quiz with every right answer second',
    ).toEqual([expect.stringMatching(new RegExp(`^${lesson.quiz.length} of the ${lesson.quiz.length} right answers are choice 2: spread them`))]);
    expect(issues[0]!.file).toBe(`${lesson.dir}/lesson.yaml`);
  });
});

describe('as each learner sees them', () => {
  test.each(quizzes.map((l) => [`${l.packId}/${l.id}`, l] as [string, Lesson]))('%s: every order is a permutation, and the right answers are spread for every learner', (_id, lesson) => {
    for (const learner of learners) {
      const orders = choiceOrders(lesson.quiz, learner, lesson.id);
      orders.forEach((order, i) => {
        expect([...order].sort(), `${learner}, question ${i + 1}: a permutation`).toEqual(lesson.quiz[i]!.choices.map((_, j) => j));
      });
      const counts = rightPositions(lesson.quiz, orders);
      expect(Math.max(...counts), `${learner}: right answers per position ${counts.join(', ')}`).toBeLessThanOrEqual(limitFor(lesson.quiz));
    }
  });

  test('one learner gets the same order every time; learners differ; lessons are dealt apart', () => {
    const lesson = core.lessons.find((l) => l.quiz.length >= 4)!;
    expect(choiceOrders(lesson.quiz, 'ann', lesson.id), 'twice for one learner').toEqual(choiceOrders(lesson.quiz, 'ann', lesson.id));
    const distinct = new Set(learners.map((l) => JSON.stringify(choiceOrders(lesson.quiz, l, lesson.id))));
    expect(distinct.size, 'different orders among 300 learners').toBeGreaterThan(100);
    const differ = learners.filter((l) => JSON.stringify(choiceOrders(lesson.quiz, l, 'one-lesson')) !== JSON.stringify(choiceOrders(lesson.quiz, l, 'another'))).length;
    expect(differ, 'learners whose deal differs between two lesson ids').toBeGreaterThan(100);
  });

  test('each position gets the right answer about as often as any other, over many learners', () => {
    const lesson = core.lessons.find((l) => l.quiz.length >= 4 && l.quiz.every((q) => q.choices.length === 3))!;
    const first = lesson.quiz[0]!;
    const seen = [0, 0, 0];
    for (const learner of learners) seen[choiceOrders(lesson.quiz, learner, lesson.id)[0]!.indexOf(correctChoice(first))]! += 1;
    // 300 deals over 3 places: each between a fifth and a half (an even deal gives a third).
    for (const [place, n] of seen.entries()) expect(n, `first question's right answer at place ${place + 1}`).toBeGreaterThan(60);
    for (const [place, n] of seen.entries()) expect(n, `first question's right answer at place ${place + 1}`).toBeLessThan(150);
  });
});
