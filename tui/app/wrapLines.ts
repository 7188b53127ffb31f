/**
 * Text (ANSI colours allowed) as rows of at most `width` columns, so that one entry is one row on
 * screen. Long lines wrap at word boundaries (hard-cut when a word is longer than the row), and
 * continuation rows keep the line's indent; with `hanging`, they also line up under the text after
 * a list bullet or a ✓ / ✗ mark.
 */
import wrapAnsi from 'wrap-ansi';

const ANSI = /^\x1b\[[0-9;]*m/;
const INDENT = /^(\s*(?:(?:[*+\-•✓✗·❯!]|\d+[.)])\s+)?)/;

/** Splits an ANSI string after `count` visible characters (escape codes stay with the head). */
export function splitVisible(line: string, count: number): [string, string] {
  let i = 0;
  let seen = 0;
  while (i < line.length && seen < count) {
    const code = ANSI.exec(line.slice(i));
    if (code) i += code[0].length;
    else {
      i += 1;
      seen += 1;
    }
  }
  // Codes right after the split point still belong to the head's styling.
  for (let code = ANSI.exec(line.slice(i)); code; code = ANSI.exec(line.slice(i))) i += code[0].length;
  return [line.slice(0, i), line.slice(i)];
}

export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** One line wrapped to `width`; continuation rows keep the line's indent (and bullet, if hanging). */
function wrapOne(line: string, width: number, hanging: boolean): string[] {
  const plain = stripAnsi(line);
  const indent = (hanging ? INDENT.exec(plain)?.[1] : /^\s*/.exec(plain)?.[0])?.length ?? 0;
  if (indent === 0 || indent > width / 2) return wrapAnsi(line, Math.max(1, width), { hard: true, trim: indent === 0 }).split('\n');
  const [head, body] = splitVisible(line, indent);
  const rows = wrapAnsi(body, width - indent, { hard: true, trim: true }).split('\n');
  return rows.map((row, i) => (i === 0 ? head : ' '.repeat(indent)) + row);
}

/** Spaces at the end of a row (before any closing escape codes) are dropped. */
function trimEnd(row: string): string {
  return row.replace(/ +((?:\x1b\[[0-9;]*m)*)$/, '$1');
}

export function wrapLines(text: string, width: number, hanging = false): string[] {
  if (text === '') return [];
  return text.split('\n').flatMap((line) => wrapOne(line, width, hanging).map(trimEnd));
}
