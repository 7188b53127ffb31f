/**
 * One quiz question and its choices (ink-select-input; also 1–9 to pick directly), in the order
 * given (the learner's shuffle); picking one calls `onAnswer` with its index in lesson.yaml.
 * Question and choices are Markdown, wrapped to the width, a long choice continuing under its own
 * text.
 */
import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import React, { useMemo } from 'react';
import type { QuizQuestion as Question } from '../course/schema.ts';
import { QuizChoice } from './QuizChoice.tsx';
import type { Md } from './quizLines.ts';

export function QuizQuestion(props: {
  /** The question and its choices, as in lesson.yaml. */
  question: Question;
  /** The choices' indices in the order to show them. */
  order: number[];
  /** Keys go to the choices only while active. */
  active: boolean;
  onAnswer(choice: number): void;
  /** The Markdown renderer. */
  md: Md;
  /** Columns available. */
  width: number;
}) {
  const { question, md, width } = props;
  // The indicator takes two columns; each label is its rendered rows joined by newlines.
  const items = useMemo(() => props.order.map((i) => ({ key: String(i), label: md(question.choices[i]!.text.trim(), width - 2).join('\n'), value: i })), [question, props.order, md, width]);
  return (
    <Box flexDirection="column" width={width}>
      {md(`**${question.question.trim()}**`, width).map((line, i) => (
        <Text key={i}>{line}</Text>
      ))}
      <Box height={1} />
      <SelectInput items={items} isFocused={props.active} itemComponent={QuizChoice} onSelect={(item) => props.onAnswer(item.value)} />
    </Box>
  );
}
