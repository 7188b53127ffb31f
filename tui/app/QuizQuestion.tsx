/**
 * One quiz question and its choices (ink-select-input); picking one calls `onAnswer` with its
 * index.
 */
import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import React, { useMemo } from 'react';
import type { QuizQuestion as Question } from '../course/schema.ts';
import { wrapLines } from './wrapLines.ts';

export function QuizQuestion(props: {
  question: Question;
  /** Keys go to the choices only while active. */
  active: boolean;
  onAnswer(choice: number): void;
  width: number;
}) {
  const items = useMemo(() => props.question.choices.map((choice, i) => ({ key: String(i), label: choice.text, value: i })), [props.question]);
  return (
    <Box flexDirection="column" width={props.width}>
      {wrapLines(props.question.question.trim(), props.width).map((line, i) => (
        <Text key={i} bold>
          {line}
        </Text>
      ))}
      <Box height={1} />
      <SelectInput items={items} isFocused={props.active} onSelect={(item) => props.onAnswer(item.value)} />
    </Box>
  );
}
