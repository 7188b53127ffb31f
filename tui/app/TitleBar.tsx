/**
 * The top line of every screen: where you are (`Kubernetes objects › Labels`) on the left, and a
 * short status (page n/N, question n/N, passed) on the right. Home shows the name `kubelings`.
 */
import { Box, Text } from 'ink';
import React from 'react';

export function TitleBar(props: {
  /** From the outermost to the current place. */
  crumbs: string[];
  /** Start with `kubelings` (the home screen). */
  brand?: boolean;
  /** Right-aligned status, such as `page 2/3`. */
  right?: string;
  /** The terminal width. */
  width: number;
}) {
  const right = props.right ? ` ${props.right}` : '';
  return (
    <Box width={props.width} height={1}>
      <Box flexGrow={1} flexShrink={1} overflow="hidden">
        <Text wrap="truncate-end">
          {props.brand && (
            <Text bold color="cyan">
              kubelings
            </Text>
          )}
          {props.crumbs.map((c, i) => (
            <Text key={c}>
              {(i > 0 || props.brand) && <Text dimColor> › </Text>}
              <Text bold>{c}</Text>
            </Text>
          ))}
        </Text>
      </Box>
      {right && (
        <Box flexShrink={0}>
          <Text dimColor>{right}</Text>
        </Box>
      )}
    </Box>
  );
}
