/**
 * An exercise: the task (Markdown), the file to edit, and the results of grading it, re-graded on
 * every save. The file opens in the learner's editor (e; the TUI comes back when it exits). Hints
 * one at a time (h, recorded), reset to the stub after a y/n (r), the reference after passing or
 * after an explicit "show me anyway" (s, recorded as `peeked`), and the next or previous exercise
 * (n / p) on the same warm grader.
 */
import { Box } from 'ink';
import React, { useEffect, useMemo } from 'react';
import { showPath } from '../grader/explain.ts';
import { findLesson, stepExercise } from './courseLookup.ts';
import { hintLines, resultLines } from './exerciseLines.ts';
import { Footer } from './Footer.tsx';
import { CONFIRM_KEYS, REFERENCE_KEYS, SCREEN_KEYS, TASK_KEYS } from './keys.ts';
import { paint } from './paint.ts';
import { useProgress } from './ProgressProvider.tsx';
import { readText } from './readText.ts';
import { Rule } from './Rule.tsx';
import type { ScreenProps } from './screenProps.ts';
import { ScrollView, scrollStatus } from './ScrollView.tsx';
import { useServices } from './services.tsx';
import { StatusLine } from './StatusLine.tsx';
import { TitleBar } from './TitleBar.tsx';
import { useExerciseActions } from './useExerciseActions.ts';
import { useGrading } from './useGrading.ts';
import { useMarkdown } from './useMarkdown.ts';
import { useScroll } from './useScroll.ts';
import { useKeys } from './useKeys.ts';
import { useLatestState } from './useLatestState.ts';

/** Rows of the task shown above the results; a longer task is a key away (t). */
const TASK_ROWS = 5;

const MODE_STATUS = {
  results: 'Watching your file: every save grades it again.',
  reference: 'The reference solution: compare it with yours.',
  task: 'The whole task.',
};

export function ExerciseScreen(props: ScreenProps & { /** The lesson's key, `<pack>/<lesson>`. */ lesson: string; /** The exercise to open first. */ exercise: string }) {
  const { course, color, edit } = useServices();
  const [at, setAt, currentAt] = useLatestState(() => {
    const lesson = findLesson(course, props.lesson)!;
    return { lesson, exercise: lesson.exercises.find((e) => e.id === props.exercise)! };
  });
  const { lesson, exercise } = at;
  const { progress, update } = useProgress();
  const mine = progress.exercises[exercise.id];
  const grading = useGrading(lesson, exercise);
  const actions = useExerciseActions(exercise, course);
  const width = props.width - 2;
  const c = paint(color);

  const task = useMarkdown(exercise.task, width) ?? ['…'];
  const taskCut = task.length > TASK_ROWS;
  const taskRows = taskCut ? [...task.slice(0, TASK_ROWS - 1), c.dim('… t: the whole task')] : task;
  const solution = useMemo(() => (actions.mode === 'reference' ? readText(exercise.solution) : undefined), [actions.mode, exercise]);
  const reference = useMarkdown(solution, width, 'ts');
  // Formatting and wrapping a long report is done once per report, not on every key.
  const { report, error } = grading;
  const results = useMemo(() => resultLines({ grading: grading.grading, report, error }, progress, width, color, c), [grading.grading, report, error, progress, width, color, c]);
  const lines = actions.mode === 'reference' ? (reference ?? ['…']) : actions.mode === 'task' ? task : [...hintLines(exercise, mine?.hintsRevealed ?? 0, width, c), ...results];
  const fixed = actions.mode === 'results' ? taskRows.length + 2 : 1;
  const height = Math.max(3, props.height - 3 - fixed);
  const scroll = useScroll(lines.length, height);

  useEffect(() => {
    update((p) => void (p.current = { lesson: lesson.id, screen: 'exercise', exercise: exercise.id }));
  }, [lesson, exercise, update]);

  const move = (step: 1 | -1) => {
    const next = stepExercise(course, currentAt().exercise, step);
    if (!next) return actions.say(step > 0 ? 'This is the last exercise of the course.' : 'This is the first exercise.');
    setAt(next);
    actions.reset();
    scroll.scrollTo(0);
  };

  useKeys((input, key) => {
    if (actions.confirm) return actions.answer(input, key);
    actions.say(undefined);
    if (input === 'q') return props.navigate({ type: 'back' });
    if (actions.mode !== 'results' && (input === (actions.mode === 'task' ? 't' : 's') || key.escape)) return actions.showResults();
    if (scroll.scrollKey(input, key) || actions.mode !== 'results') return;
    if (input === 'h') {
      actions.revealHint();
      scroll.scrollTo(0);
    } else if (input === 'e') {
      const outcome = edit(exercise.file);
      if (outcome.kind === 'edited') actions.say(`Back from ${outcome.editor}. Every save is graded.`);
      else actions.say(outcome.message, 'warn');
    } else if (input === 'g') grading.regrade();
    else if (input === 'r') actions.askReset();
    else if (input === 's') actions.askReference(Boolean(mine?.passedAt || mine?.peeked));
    else if (input === 't' && taskCut) {
      actions.showTask();
      scroll.scrollTo(0);
    } else if (input === 'n') move(1);
    else if (input === 'p') move(-1);
  }, props.active);

  const next = stepExercise(course, exercise, 1);
  const passedNow = grading.report?.ok && !grading.grading;
  const message =
    actions.message ??
    (passedNow
      ? { text: `✓ Passed! ${next ? `n: next exercise (${next.exercise.id})` : 'That was the last exercise.'}`, tone: 'good' as const }
      : { text: MODE_STATUS[actions.mode], tone: 'info' as const });
  const keys = actions.confirm
    ? CONFIRM_KEYS
    : actions.mode === 'reference'
      ? REFERENCE_KEYS
      : actions.mode === 'task'
        ? TASK_KEYS
        : SCREEN_KEYS.exercise.filter((k) => !k.helpOnly && (k.keys !== 't' || taskCut));
  const state = mine?.passedAt ? ' · ✓ passed' : '';
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar
        crumbs={[lesson.title, `${/^\d+/.exec(exercise.localId)?.[0] ?? exercise.localId} ${exercise.title}`]}
        right={`exercise ${exercise.number}/${lesson.exercises.length}${state}`}
        width={props.width}
      />
      <Box flexDirection="column" paddingLeft={1}>
        {actions.mode === 'results' && <ScrollView lines={taskRows} offset={0} height={taskRows.length} width={width} />}
        {actions.mode === 'results' && <ScrollView lines={[`Your file: ${c.bold(showPath(exercise.file))}`]} offset={0} height={1} width={width} />}
        <Rule
          label={actions.mode === 'reference' ? `reference: ${showPath(exercise.solution)}` : actions.mode === 'task' ? 'the task' : `results${grading.grading ? ' · grading…' : ''}`}
          width={width}
        />
        <ScrollView lines={lines} offset={scroll.offset} height={height} width={width} />
      </Box>
      <StatusLine message={message.text} tone={message.tone} right={actions.confirm ? undefined : scrollStatus(scroll.offset, height, lines.length)} width={props.width} />
      <Footer keys={keys} width={props.width} />
    </Box>
  );
}
