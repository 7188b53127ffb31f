/**
 * The bottom line of every screen: its keys as `key label` pairs, cut to the width.
 */
import { Box, Text } from 'ink';
import React from 'react';
import type { KeyHelp } from './keys.ts';

export function Footer(props: {
  /** The keys to show, in order. */
  keys: KeyHelp[];
  /** The terminal width. */
  width: number;
}) {
  return (
    <Box width={props.width} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        {props.keys.map((k, i) => (
          <Text key={k.keys}>
            {i > 0 ? '  ' : ''}
            <Text bold color="cyan">
              {k.keys}
            </Text>{' '}
            <Text dimColor>{k.label}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
