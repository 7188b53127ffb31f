/**
 * A transcript's lines as rows of the output pane: each line coloured by what it is (the echoed
 * command bold, `✓ exit 0` green, failures red, the TUI's own remarks dim) and wrapped to the
 * pane's width, so that nothing a command prints is cut off (the TUI's own lines wrap under their
 * text after a ✗ or ✓).
 *
 * Wrapping (wrap-ansi) costs about a third of a millisecond per line, too much to redo for
 * thousands of lines on every chunk of a streaming command: a line is wrapped once per width and
 * remembered (transcript lines are immutable and shared between transcripts), and plain ASCII
 * output (most of what kubectl prints) is folded by foldAscii, a hundred times faster.
 */
import type { ChalkInstance } from 'chalk';
import { foldAscii } from './foldAscii.ts';
import type { LineKind, TranscriptLine } from './transcript.ts';
import { wrapLines } from './wrapLines.ts';

const wrapped = new WeakMap<TranscriptLine, { width: number; c: ChalkInstance; rows: string[] }>();
const PLAIN = /^[\x20-\x7e]*$/;

export function transcriptRows(lines: TranscriptLine[], width: number, c: ChalkInstance): string[] {
  return lines.flatMap((line) => {
    const known = wrapped.get(line);
    if (known && known.width === width && known.c === c) return known.rows;
    const rows = lineRows(line, width, c);
    wrapped.set(line, { width, c, rows });
    return rows;
  });
}

function lineRows(line: TranscriptLine, width: number, c: ChalkInstance): string[] {
  if (line.text === '') return [''];
  if (line.kind === 'output' && PLAIN.test(line.text)) return foldAscii(line.text, width);
  const style: Record<LineKind, (text: string) => string> = { command: c.bold, output: (t) => t, note: c.dim, good: c.green, bad: c.red };
  return wrapLines(style[line.kind](line.text), width, line.kind !== 'output' && line.kind !== 'command');
}
