/**
 * The live screen's commands, one row each (`❯ $ kubectl get pods`), the chosen one marked and
 * bold; a window of `height` rows that keeps the chosen one in view. Rows wider than the screen
 * are cut: the output pane shows a command whole when it runs.
 */
import { Box, Text } from 'ink';
import React from 'react';
import { windowStart } from './homeRows.ts';

export function CommandList(props: {
  /** The commands, in order. */
  commands: string[];
  /** Index of the chosen one. */
  selected: number;
  /** Rows to fill. */
  height: number;
  /** Columns available. */
  width: number;
}) {
  const start = windowStart(props.selected, props.commands.length, props.height);
  const shown = props.commands.slice(start, start + props.height);
  return (
    <Box flexDirection="column" width={props.width} height={props.height} overflow="hidden">
      {shown.map((command, i) => {
        const chosen = start + i === props.selected;
        return (
          <Text key={start + i} wrap="truncate-end" bold={chosen} color={chosen ? 'cyan' : undefined}>
            {chosen ? '❯ ' : '  '}$ {command}
          </Text>
        );
      })}
    </Box>
  );
}
