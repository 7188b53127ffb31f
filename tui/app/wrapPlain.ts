/**
 * Plain text (no colours) folded into rows of at most `width` characters at spaces; a word longer
 * than a row is cut. For the home screen and the help: it needs none of wrap-ansi's machinery
 * (whose emoji tables take a noticeable part of the time to the first frame). Pure.
 */

/** Each line of `text` folded to `width`; empty lines stay. */
export function wrapPlain(text: string, width: number): string[] {
  if (text === '') return [];
  return text.split('\n').flatMap((line) => (line.trim() === '' ? [''] : foldWords(line.trim(), width)));
}

/** Each line of `text` folded to `width - indent` and indented by `indent` spaces. */
export function wrapPlainIndented(text: string, width: number, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return wrapPlain(text, width - indent).map((row) => pad + row);
}

/** Words into rows of at most `width` characters. */
export function foldWords(text: string, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(/ +/)) {
    for (let w = word; w.length > 0;) {
      const room = row ? width - row.length - 1 : width;
      if (w.length <= room) {
        row = row ? `${row} ${w}` : w;
        w = '';
      } else if (row) {
        rows.push(row);
        row = '';
      } else {
        rows.push(w.slice(0, width));
        w = w.slice(width);
      }
    }
  }
  rows.push(row);
  return rows;
}
