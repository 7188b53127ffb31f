/**
 * A dim horizontal rule with a label: `── results · grading… ─────────`.
 */
import { Text } from 'ink';
import React from 'react';

export function Rule(props: {
  /** What the part below the rule is. */
  label: string;
  /** Columns available. */
  width: number;
}) {
  const head = `── ${props.label} `;
  return (
    <Text dimColor wrap="truncate-end">
      {head + '─'.repeat(Math.max(0, props.width - head.length))}
    </Text>
  );
}
