/**
 * A bar of `width` cells, `done` of `total` filled: `███░░░░░░░`. An empty total shows a dim rule.
 */
import { Text } from 'ink';
import React from 'react';

export function ProgressBar(props: {
  /** Exercises passed. */
  done: number;
  /** Exercises in all (0: a dim rule instead of a bar). */
  total: number;
  /** Cells, default 10. */
  width?: number;
}) {
  const width = props.width ?? 10;
  if (props.total === 0) return <Text dimColor>{'·'.repeat(width)}</Text>;
  const filled = Math.round((Math.min(props.done, props.total) / props.total) * width);
  return (
    <Text>
      <Text color={props.done >= props.total ? 'green' : 'cyan'}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
    </Text>
  );
}
