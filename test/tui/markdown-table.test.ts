/**
 * Tables in lesson pages fit the screen: natural widths when they fit, otherwise the widest
 * columns give way and their cells wrap, and no row is ever wider than the screen.
 */
import { expect, test } from 'vitest';
import { fitColumns, renderTable } from '../../tui/app/markdownTable.ts';

test('columns keep their natural widths when the table fits', () => {
  expect(fitColumns([5, 10, 7], 40)).toEqual([5, 10, 7]);
});

test('when it does not fit, narrow columns keep their width and the wide ones share the rest', () => {
  expect(fitColumns([8, 60, 10], 50)).toEqual([8, 32, 10]);
  expect(fitColumns([40, 40], 50)).toEqual([25, 25]);
});

test('a rendered table is never wider than the screen, and every cell word survives', () => {
  const header = ['rule', 'what it allows', 'used by'];
  const rows = [['DNS-1123 subdomain', 'at most 253: lowercase letters, digits, -, .; starts and ends with a letter or digit', 'most kinds']];
  const lines = renderTable(header, rows, 60);
  expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(60);
  const text = lines.join(' ');
  for (const word of rows[0]!.join(' ').split(' ')) expect(text).toContain(word);
});

test('inline code with a colon inside a lesson table keeps its colon', async () => {
  const { renderMarkdown } = await import('../../tui/app/markdown.ts');
  const rows = renderMarkdown('| field | value |\n|---|---|\n| `restartPolicy: Always` | `etcdserver: requested lease not found` |\n', 78).join('\n');
  expect(rows).toContain('restartPolicy: Always');
  expect(rows).toContain('etcdserver: requested lease not found');
  expect(rows).not.toContain('COLON');
});
