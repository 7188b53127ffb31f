/**
 * The line above the footer: a message on the left (what just happened, or what to do next) and
 * a position (lines 1–18 of 40) on the right.
 */
import { Box, Text } from 'ink';
import React from 'react';

export function StatusLine(props: {
  /** What just happened or what to do next (cut to fit). */
  message?: string;
  /** Colour of the message: green for good news, yellow for a question or warning. */
  tone?: 'info' | 'good' | 'warn';
  /** A position such as `lines 1–18 of 40`. */
  right?: string;
  /** Columns available. */
  width: number;
}) {
  const color = props.tone === 'good' ? 'green' : props.tone === 'warn' ? 'yellow' : undefined;
  return (
    <Box width={props.width} height={1}>
      <Box flexGrow={1} flexShrink={1} overflow="hidden">
        <Text wrap="truncate-end" color={color}>
          {props.message || ' '}
        </Text>
      </Box>
      {props.right && (
        <Box flexShrink={0}>
          <Text dimColor> {props.right}</Text>
        </Box>
      )}
    </Box>
  );
}
