/**
 * Code blocks folded to the width before they are highlighted, the way a person would fold them:
 * a trailing comment continues on the next row under its own `#` or `//`; any other long line
 * continues two spaces deeper than it started. Lines that fit are left alone, and so is a block
 * drawn in columns (a diagram or a table: box-drawing characters, or text aligned with runs of
 * spaces): folding one of its lines would break the drawing, so its rows are cut at the edge
 * instead (the screen says so). Pure.
 */

import { foldWords } from './wrapPlain.ts';

const COMMENT = /\s(#|\/\/)\s/;
const DRAWING = /[─│┌┐└┘├┤┬┴┼▲▼◀▶►◄═║╔╗╚╝┊]|\+--|--\+/;
/** Two runs of text with three or more spaces between them, not before a comment. */
const COLUMNS = /\S {3,}(?!#|\/\/)\S/;

export function wrapCode(text: string, width: number): string {
  const lines = text.split('\n');
  if (isDrawing(lines)) return text;
  return lines.flatMap((line) => foldLine(line, Math.max(20, width))).join('\n');
}

/** True when the block is laid out in columns (a diagram or a table). */
export function isDrawing(lines: string[]): boolean {
  return lines.some((line) => DRAWING.test(line) || COLUMNS.test(line.trim()));
}

function foldLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const comment = COMMENT.exec(line);
  const at = comment ? comment.index + 1 : -1;
  if (comment && at <= width - 16 && line.slice(0, at).trimEnd().length > 0) {
    const lead = `${' '.repeat(at)}${comment[1]} `;
    const words = foldWords(line.slice(at + comment[1]!.length + 1).trim(), width - lead.length);
    return [line.slice(0, at) + comment[1] + ' ' + words[0], ...words.slice(1).map((w) => lead + w)];
  }
  const indent = /^\s*/.exec(line)![0].length;
  const deeper = ' '.repeat(Math.min(indent + 2, Math.floor(width / 2)));
  const [first, ...rest] = foldWords(line.slice(indent), width - indent);
  return [
    ' '.repeat(indent) + first,
    ...foldWords(rest.join(' '), width - deeper.length)
      .filter(Boolean)
      .map((r) => deeper + r),
  ];
}
