/**
 * One lesson on the home screen: `❯ 00  Kubernetes objects   ███░░░░░░░ 1/3 exercises  quiz 2/5`,
 * the quiz count being the right answers.
 */
import { Box, Text } from 'ink';
import React from 'react';
import type { Lesson } from '../course/load.ts';
import type { LessonCounts } from './homeRows.ts';
import { ProgressBar } from './ProgressBar.tsx';

export function LessonRow(props: {
  lesson: Lesson;
  /** Exercises passed and quiz questions answered right. */
  counts: LessonCounts;
  /** The cursor is on this row. */
  selected: boolean;
  /** Columns available. */
  width: number;
}) {
  const { lesson, counts } = props;
  const number = /^\d+/.exec(lesson.id)?.[0] ?? '';
  const exercises = counts.exercises > 0 ? `${counts.passed}/${counts.exercises} exercises` : 'no exercises';
  const quiz = counts.questions > 0 ? `  quiz ${counts.right}/${counts.questions}` : '';
  return (
    <Box width={props.width} height={1}>
      <Box flexGrow={1} flexShrink={1} overflow="hidden">
        <Text wrap="truncate-end" color={props.selected ? 'cyan' : undefined} bold={props.selected}>
          {props.selected ? '❯ ' : '  '}
          {number.padEnd(4)}
          {lesson.title}
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text>
          {' '}
          <ProgressBar done={counts.passed} total={counts.exercises} /> {exercises.padEnd(15)}
          <Text dimColor>{quiz.padEnd(10)}</Text>
        </Text>
      </Box>
    </Box>
  );
}
