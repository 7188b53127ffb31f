/**
 * A window of `height` lines onto a longer text, starting at `offset`. Lines are given already
 * wrapped to the width (wrapLines), so one entry is one row; anything wider is cut. Always takes
 * exactly `height` rows, so the layout around it never jumps.
 */
import { Box, Text } from 'ink';
import React from 'react';

export function ScrollView(props: {
  /** One row each, already wrapped. */
  lines: string[];
  /** The first line shown. */
  offset: number;
  /** Rows to fill. */
  height: number;
  /** Columns available. */
  width: number;
}) {
  const shown = props.lines.slice(props.offset, props.offset + props.height);
  while (shown.length < props.height) shown.push('');
  return (
    <Box flexDirection="column" width={props.width} height={props.height} overflow="hidden">
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}

/** `lines 1–18 of 40`, or '' when everything fits. */
export function scrollStatus(offset: number, height: number, total: number): string {
  if (total <= height) return '';
  const last = Math.min(total, offset + height);
  return `lines ${offset + 1}–${last} of ${total}${last < total ? ' ↓' : ''}`;
}
