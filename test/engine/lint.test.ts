/**
 * Lesson pages read well at 80×24: no line of a code block or diagram is cut at the edge.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { CODE_WIDTH, lintPack, lintPage } from '../../tui/course/lint.ts';
import { formatIssue, loadPack } from '../../tui/course/load.ts';

test('a code line wider than the screen is named with its line; prose is not (it wraps)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'lint-')), 'page.md');
  const wide = 'x'.repeat(CODE_WIDTH + 4);
  writeFileSync(file, `# Title\n\n${'prose '.repeat(40)}\n\n\`\`\`\n${'y'.repeat(CODE_WIDTH)}\n${wide}\n\`\`\`\n`);
  expect(lintPage(file).map((i) => [i.line, i.message])).toEqual([[7, `this code line is ${CODE_WIDTH + 4} columns wide: an 80-column terminal cuts it after ${CODE_WIDTH}`]]);
});

test('every code block and diagram of the core pack fits an 80-column terminal', () => {
  expect(lintPack(loadPack(CORE_PACK_DIR)).map(formatIssue)).toEqual([]);
});
