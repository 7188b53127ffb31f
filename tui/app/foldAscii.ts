/**
 * A line of plain printable ASCII folded into rows of at most `width` columns, giving the same rows
 * as wrapLines (at spaces; runs of spaces inside a row kept, so tables stay aligned; continuation
 * rows under the line's indent when it is at most half the width; a word longer than a row cut
 * where wrap-ansi cuts it) without wrap-ansi's cost, about a hundredth of it: it is for the live
 * screen's output, where thousands of lines may arrive at once. Pure.
 */

export function foldAscii(line: string, width: number): string[] {
  const text = line.trimEnd();
  if (text.length <= width) return [text];
  const indent = /^ */.exec(text)![0].length;
  const pad = indent > 0 && indent <= width / 2 ? ' '.repeat(indent) : '';
  const rows: string[] = [];
  let rest = text;
  let head = '';
  while (head.length + rest.length > width) {
    const cut = breakAt(rest, width - head.length, width - pad.length);
    rows.push(head + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    head = pad;
  }
  if (rest !== '') rows.push(head + rest);
  return rows;
}

/** Where the row of `room` columns ends in `rest`, rows after it having `rowWidth` columns. */
function breakAt(rest: string, room: number, rowWidth: number): number {
  const space = rest.lastIndexOf(' ', room);
  if (space <= 0 || rest.slice(0, space).trim() === '') return room; // one word: cut it
  const wordStart = space + 1 + rest.slice(space + 1).search(/\S|$/);
  if (wordStart >= room) return space;
  const wordEnd = rest.indexOf(' ', wordStart);
  const length = (wordEnd < 0 ? rest.length : wordEnd) - wordStart;
  if (length <= rowWidth) return space;
  // A word longer than a row: start it on this row unless starting on the next saves a break.
  const breaksHere = 1 + Math.floor((length - (room - wordStart) - 1) / rowWidth);
  const breaksNext = Math.floor((length - 1) / rowWidth);
  return breaksNext < breaksHere ? space : room;
}
