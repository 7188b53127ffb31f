/**
 * The live screen's output pane as data, like a terminal's scrollback: each run is its command
 * line (`$ kubectl get pods`), what it printed, and how it ended (`✓ exit 0`), runs separated by
 * a blank line. Pure: every change returns a new transcript.
 *
 * Invariants: at most `max` lines are kept (the oldest are dropped and counted in `dropped`);
 * output that does not end in a newline yet waits in `partial` and is shown as a line of its own
 * until the rest arrives; a run's end first turns what is left in `partial` into a line.
 */
import { LIVE_OUTPUT_MAX_LINES } from '#engine/params.ts';
import type { RunEnd } from './commandRunner.ts';
import { cleanLine } from './terminalText.ts';

/** What a line is, for its colour: the echoed command, output, a remark of the TUI's, good or bad news. */
export type LineKind = 'command' | 'output' | 'note' | 'good' | 'bad';

export interface TranscriptLine {
  kind: LineKind;
  /** Ready to draw (cleanLine), possibly longer than the pane is wide. */
  text: string;
}

export interface Transcript {
  lines: TranscriptLine[];
  /** Raw output after the last newline of the running command. */
  partial: string;
  /** Lines dropped from the top to stay within the limit. */
  dropped: number;
}

export const emptyTranscript: Transcript = { lines: [], partial: '', dropped: 0 };

/** Starts a run: a blank line after the previous one, then `$ command`. */
export function echoCommand(t: Transcript, command: string, max = LIVE_OUTPUT_MAX_LINES): Transcript {
  const gap: TranscriptLine[] = t.lines.length > 0 || t.dropped > 0 ? [{ kind: 'output', text: '' }] : [];
  return push(t, [...gap, { kind: 'command', text: `$ ${command}` }], '', max);
}

/** A piece of the running command's output (any length, any split). */
export function addOutput(t: Transcript, chunk: string, keepColor: boolean, max = LIVE_OUTPUT_MAX_LINES): Transcript {
  const pieces = (t.partial + chunk).split('\n');
  const partial = pieces.pop()!;
  return push(
    t,
    pieces.map((p) => ({ kind: 'output' as const, text: cleanLine(p, keepColor) })),
    partial,
    max,
  );
}

/** A line of the TUI's own (a command it answers instead of running). */
export function addNote(t: Transcript, kind: 'note' | 'bad', text: string, max = LIVE_OUTPUT_MAX_LINES): Transcript {
  return push(t, [{ kind, text }], t.partial, max);
}

/** Ends the run: the rest of its output, then how it ended. */
export function endRun(t: Transcript, end: RunEnd, keepColor: boolean, max = LIVE_OUTPUT_MAX_LINES): Transcript {
  const rest: TranscriptLine[] = t.partial === '' ? [] : [{ kind: 'output', text: cleanLine(t.partial, keepColor) }];
  return push(t, [...rest, endLine(end)], '', max);
}

/** `✓ exit 0`, `✗ exit 1`, `■ stopped`, ... */
export function endLine(end: RunEnd): TranscriptLine {
  switch (end.type) {
    case 'exited':
      return end.code === 0 ? { kind: 'good', text: '✓ exit 0' } : { kind: 'bad', text: `✗ exit ${end.code}` };
    case 'stopped':
      return { kind: 'note', text: '■ stopped' };
    case 'killed':
      return { kind: 'bad', text: `✗ ended by ${end.signal}` };
    case 'failed':
      return { kind: 'bad', text: `✗ could not run it: ${end.message}` };
  }
}

/** The lines to show: a word on dropped lines, the lines, and the partial line. */
export function shownLines(t: Transcript, keepColor: boolean): TranscriptLine[] {
  const head: TranscriptLine[] = t.dropped > 0 ? [{ kind: 'note', text: `… ${t.dropped.toLocaleString('en-US')} earlier lines not kept` }] : [];
  const tail: TranscriptLine[] = t.partial === '' ? [] : [{ kind: 'output', text: cleanLine(t.partial, keepColor) }];
  return [...head, ...t.lines, ...tail];
}

function push(t: Transcript, added: TranscriptLine[], partial: string, max: number): Transcript {
  const lines = t.lines.concat(added);
  const over = Math.max(0, lines.length - max);
  return { lines: over > 0 ? lines.slice(over) : lines, partial, dropped: t.dropped + over };
}
