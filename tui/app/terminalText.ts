/**
 * One line of a command's output made safe to draw inside the TUI. Programs write for a terminal:
 * colours, cursor moves, `\r` redraws, tabs. Here:
 * - colours (SGR, `ESC[...m`) are kept when the app shows colours and stripped when it does not,
 *   always the same way; a kept colour is reset at the end of its line, so it never bleeds into
 *   the rows below;
 * - every other escape sequence (cursor moves, clearing, titles) and control character is dropped;
 * - a line redrawn with `\r` (a progress bar) shows its last drawing;
 * - tabs become spaces up to the next multiple of 8 columns.
 * Pure.
 */

/** In one pass, so that no rule eats part of another's match: CSI, OSC, other escapes, controls. */
const SEQUENCE = /(\x1b\[[0-?]*[ -/]*[@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0b-\x1f\x7f]/g;
const SGR = /^\x1b\[[0-9;:]*m$/;
const RESET = '\x1b[0m';

/** A line of output (no `\n` in it) as it should be drawn. */
export function cleanLine(line: string, keepColor: boolean): string {
  const text = lastDrawing(line).replace(SEQUENCE, (match, csi?: string) => (keepColor && csi && SGR.test(csi) ? csi : ''));
  const expanded = expandTabs(text);
  // A colour still open at the end of the line is closed there.
  const last = expanded.match(/\x1b\[[0-9;:]*m/g)?.at(-1);
  return last !== undefined && last !== RESET && last !== '\x1b[m' ? expanded + RESET : expanded;
}

/** What is left of a line after `\r` redraws: the last non-empty drawing (a trailing `\r` of CRLF is not one). */
function lastDrawing(line: string): string {
  const drawings = line.split('\r').filter((d) => d !== '');
  return drawings.at(-1) ?? '';
}

/** Tabs to spaces, counting only visible columns (colour codes take none). */
function expandTabs(text: string): string {
  if (!text.includes('\t')) return text;
  let column = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = /^\x1b\[[0-9;:]*m/.exec(text.slice(i));
    if (code) {
      out += code[0];
      i += code[0].length - 1;
    } else if (text[i] === '\t') {
      const spaces = 8 - (column % 8);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += text[i];
      column += 1;
    }
  }
  return out;
}
