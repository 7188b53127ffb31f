/**
 * A Markdown table drawn to fit the screen: columns keep their natural width when the table fits,
 * and otherwise the widest columns give way and their cells wrap at word boundaries, so that no
 * row is ever wider than `width` (a table folded by the terminal is unreadable).
 */
import Table from 'cli-table3';
import { stripAnsi } from './wrapLines.ts';

/** The narrowest a column may become, in characters of content. */
const MIN_COLUMN = 6;

/** Content widths per column that add up to at most `available` (natural widths when they fit). */
export function fitColumns(natural: number[], available: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= available) return natural;
  const widths = natural.map(() => 0);
  let left = Math.max(available, MIN_COLUMN * natural.length);
  let open = natural.map((_, i) => i);
  // Water-filling: every column gets an equal share; a column that needs less gives the rest back.
  while (open.length > 0) {
    const share = Math.floor(left / open.length);
    const satisfied = open.filter((i) => natural[i]! - widths[i]! <= share);
    if (satisfied.length === 0) {
      for (const i of open) widths[i]! += share;
      // Hand out what rounding left over, one column at a time.
      let rest = left - share * open.length;
      for (const i of open) if (rest-- > 0) widths[i]! += 1;
      break;
    }
    for (const i of satisfied) {
      left -= natural[i]! - widths[i]!;
      widths[i] = natural[i]!;
    }
    open = open.filter((i) => !satisfied.includes(i));
  }
  return widths.map((w) => Math.max(MIN_COLUMN, w));
}

/** The rows of a table at most `width` columns wide. Cells may hold ANSI colours. */
export function renderTable(header: string[], rows: string[][], width: number): string[] {
  const columns = header.length;
  const natural = header.map((_, c) => Math.max(...[header, ...rows].map((r) => visibleWidth(r[c] ?? ''))));
  // Each column costs its content, one space of padding either side and one border.
  const content = fitColumns(natural, width - 3 * columns - 1);
  const table = new Table({
    head: header,
    colWidths: content.map((w) => w + 2),
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  table.push(...rows.map((r) => header.map((_, c) => r[c] ?? '')));
  return table.toString().split('\n');
}

function visibleWidth(text: string): number {
  return Math.max(
    0,
    ...stripAnsi(text)
      .split('\n')
      .map((l) => [...l].length),
  );
}
