/**
 * Advice on lesson pages that a schema cannot give: the course must read well in an 80×24
 * terminal, where prose is wrapped to fit but a code block or a diagram is shown whole and cut at
 * the edge. So every line inside a fenced block must fit in CODE_WIDTH columns.
 *
 * These are warnings for instructors (`pack check` prints them); the core pack keeps none (a test).
 */
import { readFileSync } from 'node:fs';
import type { Pack, PackIssue } from './load.ts';

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
