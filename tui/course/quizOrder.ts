/**
 * The order a learner sees a quiz's choices in. Choices are shuffled per learner, so that the right
 * answer is not always where the lesson's author wrote it, and stably: the same learner (the id kept
 * in progress) sees the same order on every reading and every retake.
 *
 * Invariants:
 * - an order is a permutation of the question's choice indices (lesson.yaml order), so answers are
 *   stored and scored by those indices whatever the learner saw;
 * - the right answers of one lesson are spread over the positions: positions are dealt from shuffled
 *   rounds of every position, so with n questions of k choices no position holds more than
 *   ceil(n / k) right answers, for every learner.
 *
 * Pure; the random numbers come from a small seeded generator (mulberry32 over an FNV-1a hash).
 */
import type { QuizQuestion } from './schema.ts';

/** The index of a question's right choice, in lesson.yaml order. */
export function correctChoice(question: QuizQuestion): number {
  return question.choices.findIndex((c) => c.correct);
}

/**
 * For each question, the choice indices (lesson.yaml order) in the order to show them.
 * `seed` is the learner's id; `lessonId` makes each lesson's deal different.
 */
export function choiceOrders(quiz: readonly QuizQuestion[], seed: string, lessonId: string): number[][] {
  const random = generator(`${seed}/${lessonId}`);
  const widest = Math.max(0, ...quiz.map((q) => q.choices.length));
  let round: number[] = [];
  return quiz.map((question) => {
    const count = question.choices.length;
    // The next position of the current round that this question has; a new round when none is left.
    let at = round.findIndex((p) => p < count);
    if (at < 0) {
      round = shuffle(range(widest), random);
      at = round.findIndex((p) => p < count);
    }
    const position = round.splice(at, 1)[0]!;
    const right = correctChoice(question);
    const others = shuffle(
      range(count).filter((i) => i !== right),
      random,
    );
    return [...others.slice(0, position), right, ...others.slice(position)];
  });
}

/** How many right answers sit at each position, for the orders given (or lesson.yaml's order). */
export function rightPositions(quiz: readonly QuizQuestion[], orders?: readonly number[][]): number[] {
  const counts: number[] = [];
  quiz.forEach((question, i) => {
    const position = orders ? orders[i]!.indexOf(correctChoice(question)) : correctChoice(question);
    counts[position] = (counts[position] ?? 0) + 1;
  });
  return Array.from(counts, (n) => n ?? 0);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A deterministic generator of numbers in [0, 1) from a text seed. */
function generator(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
