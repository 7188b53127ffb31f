/**
 * A transcript's lines as rows of the output pane: each line coloured by what it is (the echoed
 * command bold, `✓ exit 0` green, failures red, the TUI's own remarks dim) and wrapped to the
 * pane's width, so that nothing a command prints is cut off (the TUI's own lines wrap under their
 * text after a ✗ or ✓). Pure.
 */
import type { ChalkInstance } from 'chalk';
import type { LineKind, TranscriptLine } from './transcript.ts';
import { wrapLines } from './wrapLines.ts';

export function transcriptRows(lines: TranscriptLine[], width: number, c: ChalkInstance): string[] {
  const style: Record<LineKind, (text: string) => string> = { command: c.bold, output: (t) => t, note: c.dim, good: c.green, bad: c.red };
  // The TUI's own lines (✗ ..., notes) wrap under their text; output keeps only its own indent.
  return lines.flatMap((line) => (line.text === '' ? [''] : wrapLines(style[line.kind](line.text), width, line.kind !== 'output' && line.kind !== 'command')));
}
