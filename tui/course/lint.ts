/**
 * Advice on a pack that a schema cannot give:
 * - the course must read well in an 80×24 terminal, where prose is wrapped to fit but a code block
 *   or a diagram is shown whole and cut at the edge, so every line inside a fenced block must fit
 *   in CODE_WIDTH columns;
 * - a quiz's right answers must not sit mostly in one position of lesson.yaml: learners see the
 *   choices shuffled, but the file is what an author reads and reviews, and a habit of writing the
 *   right answer second leaks into the wrong ones' wording.
 *
 * These are warnings for instructors (`pack check` prints them); the core pack keeps none (a test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locate, type Pack, type PackIssue } from './load.ts';
import { rightPositions } from './quizOrder.ts';

/** An 80-column terminal, less the lesson screen's margin and the code block's indent. */
export const CODE_WIDTH = 76;

/** Display width of a line: one column per code point (box drawing and arrows included). */
function columns(line: string): number {
  return [...line.replace(/\t/g, '  ')].length;
}

/** Lines of fenced code blocks in a Markdown file that are wider than CODE_WIDTH. */
export function lintPage(file: string): PackIssue[] {
  const issues: PackIssue[] = [];
  let fence: string | undefined;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (marker && (!fence || marker.startsWith(fence))) {
        fence = fence ? undefined : marker;
        return;
      }
      if (fence && columns(line) > CODE_WIDTH) {
        issues.push({
          file,
          line: i + 1,
          column: CODE_WIDTH + 1,
          message: `this code line is ${columns(line)} columns wide: an 80-column terminal cuts it after ${CODE_WIDTH}`,
        });
      }
    });
  return issues;
}

/** Every page of every lesson of the pack. */
export function lintPack(pack: Pack): PackIssue[] {
  return pack.lessons.flatMap((lesson) => lesson.pages.flatMap((page) => lintPage(page.path)));
}

/**
 * Quizzes whose right answers sit mostly in one position as written: more than ceil(n / k) of
 * n questions of at least k choices, which an even spread never needs.
 */
export function lintQuiz(pack: Pack): PackIssue[] {
  const issues: PackIssue[] = [];
  for (const lesson of pack.lessons.filter((l) => l.quiz.length > 1)) {
    const counts = rightPositions(lesson.quiz);
    const fewest = Math.min(...lesson.quiz.map((q) => q.choices.length));
    const most = Math.max(...counts);
    const limit = Math.ceil(lesson.quiz.length / fewest);
    if (most <= limit) continue;
    const file = join(lesson.dir, 'lesson.yaml');
    issues.push({
      file,
      ...locate(file, ['quiz']),
      message:
        `${most} of the ${lesson.quiz.length} right answers are choice ${counts.indexOf(most) + 1}: ` +
        `spread them (at most ${limit} in one position); learners see them shuffled, but readers of the file do not`,
    });
  }
  return issues;
}
