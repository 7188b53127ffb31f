/**
 * The lesson's quiz: multiple choice, one question at a time. After each answer: right or wrong,
 * why, and the explanation; the answer is saved at once (progress.quiz). At the end, the score.
 * Opening a quiz resumes at the first unanswered question, or shows the score when all are done.
 * The choices come in this learner's own order (quizModel.learnerOrders), the same on every visit.
 */
import { Box } from 'ink';
import React, { useEffect, useMemo, useState } from 'react';
import { findLesson, firstOpenExercise, lessonKey } from './courseLookup.ts';
import { Footer } from './Footer.tsx';
import { QUIZ_STEP_KEYS } from './keys.ts';
import { paint } from './paint.ts';
import { useProgress } from './ProgressProvider.tsx';
import { QuizQuestion } from './QuizQuestion.tsx';
import { feedbackLines, scoreLines } from './quizLines.ts';
import { firstUnanswered, learnerOrders } from './quizModel.ts';
import type { ScreenProps } from './screenProps.ts';
import { ScrollView, scrollStatus } from './ScrollView.tsx';
import { useServices } from './services.tsx';
import { StatusLine } from './StatusLine.tsx';
import { TitleBar } from './TitleBar.tsx';
import { useMarkdownRows } from './useMarkdown.ts';
import { useScroll } from './useScroll.ts';
import { useKeys } from './useKeys.ts';

type Step = { kind: 'question'; index: number } | { kind: 'feedback'; index: number; choice: number } | { kind: 'score' };

export function QuizScreen(props: ScreenProps & { /** The lesson's key, `<pack>/<lesson>`. */ lesson: string }) {
  const { course, color } = useServices();
  const lesson = findLesson(course, props.lesson)!;
  const { progress, update } = useProgress();
  const answers = progress.quiz[lesson.id] ?? {};
  const learner = progress.learner;
  const orders = useMemo(() => learnerOrders(lesson.quiz, learner, lesson.id), [lesson, learner]);
  const [step, setStep] = useState<Step>(() => {
    const first = firstUnanswered(lesson.quiz, answers);
    return first < 0 ? { kind: 'score' } : { kind: 'question', index: first };
  });
  const width = props.width - 2;
  const height = props.height - 3;
  const c = paint(color);
  const md = useMarkdownRows();
  const lines = step.kind === 'feedback' ? feedbackLines(lesson.quiz[step.index]!, step.choice, width, c, md) : step.kind === 'score' ? scoreLines(lesson.quiz, answers, width, c, md) : [];
  const scroll = useScroll(lines.length, height);

  useEffect(() => update((p) => void (p.current = { lesson: lesson.id, screen: 'quiz' })), [lesson, update]);

  const answer = (index: number, choice: number) => {
    update((p) => void ((p.quiz[lesson.id] ??= {})[lesson.quiz[index]!.id] = choice));
    setStep({ kind: 'feedback', index, choice });
    scroll.scrollTo(0);
  };
  const nextStep = (index: number) => {
    const next = lesson.quiz.findIndex((q, i) => i > index && answers[q.id] === undefined);
    setStep(next < 0 ? { kind: 'score' } : { kind: 'question', index: next });
    scroll.scrollTo(0);
  };
  const retake = () => {
    update((p) => void (p.quiz[lesson.id] = {}));
    setStep({ kind: 'question', index: 0 });
  };

  useKeys((input, key) => {
    if (input === 'q' || key.escape) props.navigate({ type: 'back' });
    else if (step.kind === 'feedback' && (key.return || key.rightArrow || input === 'n')) nextStep(step.index);
    else if (step.kind === 'score' && input === 'r') retake();
    else if (step.kind === 'score' && input === 'e' && lesson.exercises.length > 0) {
      const exercise = firstOpenExercise(lesson, (id) => Boolean(progress.exercises[id]?.passedAt))!;
      props.navigate({ type: 'replace', route: { screen: 'exercise', lesson: lessonKey(lesson), exercise: exercise.id } });
    } else if (step.kind !== 'question') scroll.scrollKey(input, key);
  }, props.active);

  const position = step.kind === 'score' ? 'score' : `question ${step.index + 1}/${lesson.quiz.length}`;
  const cue =
    step.kind === 'feedback'
      ? `enter: ${lesson.quiz.some((q, i) => i > step.index && answers[q.id] === undefined) ? 'next question' : 'your score'}`
      : step.kind === 'score'
        ? `r retake the quiz${lesson.exercises.length > 0 ? ' · e start the exercises' : ''}`
        : '';
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar crumbs={[lesson.title, 'Quiz']} right={position} width={props.width} />
      <Box paddingLeft={1} height={height}>
        {step.kind === 'question' ? (
          <QuizQuestion
            key={step.index}
            question={lesson.quiz[step.index]!}
            order={orders[step.index]!}
            active={props.active}
            onAnswer={(choice) => answer(step.index, choice)}
            md={md}
            width={width}
          />
        ) : (
          <ScrollView lines={lines} offset={scroll.offset} height={height} width={width} />
        )}
      </Box>
      <StatusLine message={cue} right={scrollStatus(scroll.offset, height, lines.length)} width={props.width} />
      <Footer keys={QUIZ_STEP_KEYS[step.kind].filter((k) => k.keys !== 'e' || lesson.exercises.length > 0)} width={props.width} />
    </Box>
  );
}
