/**
 * One choice in the quiz's list (ink-select-input's item component): its rows, cyan when it is
 * the one the cursor is on.
 */
import { Box, Text } from 'ink';
import React from 'react';

export function QuizChoice(props: {
  /** The rendered rows, joined by newlines. */
  label: string;
  isSelected?: boolean;
}) {
  return (
    <Box flexDirection="column">
      {props.label.split('\n').map((row, i) => (
        <Text key={i} color={props.isSelected ? 'cyan' : undefined}>
          {row}
        </Text>
      ))}
    </Box>
  );
}
