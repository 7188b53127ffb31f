/**
 * One row of the home list: the resume entry, a pack's title, a lesson, or a gap.
 */
import { Text } from 'ink';
import React from 'react';
import type { HomeRow } from './homeRows.ts';
import { LessonRow } from './LessonRow.tsx';

export function HomeLine(props: {
  /** What the row shows. */
  row: HomeRow;
  /** The cursor is on this row. */
  selected: boolean;
  /** Columns available. */
  width: number;
}) {
  const { row } = props;
  if (row.kind === 'gap') return <Text> </Text>;
  if (row.kind === 'pack') return <Text bold>{row.title}</Text>;
  if (row.kind === 'lesson') return <LessonRow lesson={row.lesson} counts={row.counts} selected={props.selected} width={props.width} />;
  return (
    <Text color="cyan" bold={props.selected} wrap="truncate-end">
      {props.selected ? '❯ ' : '  '}Resume: {row.label}
    </Text>
  );
}
