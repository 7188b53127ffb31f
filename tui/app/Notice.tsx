/**
 * A warning block: a first line marked `!` in yellow, then indented detail lines (wrapped).
 */
import { Box, Text } from 'ink';
import React from 'react';
import { wrapPlain, wrapPlainIndented } from './wrapPlain.ts';

export function Notice(props: {
  /** What happened, one sentence. */
  title: string;
  /** Details, one per line (file:line: message). */
  details?: string[];
  /** Columns available. */
  width: number;
}) {
  const head = wrapPlain(props.title, props.width - 2);
  const details = (props.details ?? []).flatMap((d) => wrapPlainIndented(d, props.width, 4));
  return (
    <Box flexDirection="column" width={props.width}>
      {head.map((line, i) => (
        <Text key={`h${i}`} color="yellow">
          {i === 0 ? '! ' : '  '}
          {line}
        </Text>
      ))}
      {details.map((line, i) => (
        <Text key={`d${i}`}>{line}</Text>
      ))}
    </Box>
  );
}

/** The rows a Notice takes, to plan the layout around it. */
export function noticeHeight(title: string, details: string[], width: number): number {
  return wrapPlain(title, width - 2).length + details.flatMap((d) => wrapPlainIndented(d, width, 4)).length;
}
