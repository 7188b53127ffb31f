/**
 * A lesson's pages, one at a time: Markdown rendered for the terminal, scrolled with the arrows,
 * page n/N. The furthest page read is saved (progress.pages) and the lesson becomes the place to
 * resume. From here: the quiz (t), the exercises (e) and the "see it live" step (l).
 */
import { Box } from 'ink';
import React, { useEffect, useMemo, useState } from 'react';
import { findLesson, firstOpenExercise, lessonKey } from './courseLookup.ts';
import { Footer } from './Footer.tsx';
import { SCREEN_KEYS } from './keys.ts';
import { useProgress } from './ProgressProvider.tsx';
import { readText } from './readText.ts';
import type { ScreenProps } from './screenProps.ts';
import { ScrollView, scrollStatus } from './ScrollView.tsx';
import { useServices } from './services.tsx';
import { StatusLine } from './StatusLine.tsx';
import { TitleBar } from './TitleBar.tsx';
import { useMarkdown } from './useMarkdown.ts';
import { useScroll } from './useScroll.ts';
import { stripAnsi } from './wrapLines.ts';
import { useKeys } from './useKeys.ts';
import { useLatestState } from './useLatestState.ts';

export function LessonScreen(props: ScreenProps & { /** The lesson's key, `<pack>/<lesson>`. */ lesson: string }) {
  const lesson = findLesson(useServices().course, props.lesson)!;
  const { progress, update } = useProgress();
  const [page, setPage, currentPage] = useLatestState(() => Math.min(progress.pages[lesson.id] ?? 0, lesson.pages.length - 1));
  const text = useMemo(() => readText(lesson.pages[page]!.path), [lesson, page]);
  const rows = useMarkdown(text, props.width - 2) ?? ['…'];
  const height = props.height - 3;
  const scroll = useScroll(rows.length, height);
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    update((p) => {
      p.pages[lesson.id] = Math.max(p.pages[lesson.id] ?? 0, page);
      p.current = { lesson: lesson.id, screen: 'lesson' };
    });
  }, [lesson, page, update]);

  const turn = (step: number) => {
    const to = currentPage() + step;
    if (to < 0 || to >= lesson.pages.length) return;
    setPage(to);
    scroll.scrollTo(0);
  };
  const go = (what: 'quiz' | 'exercise' | 'live') => {
    const key = lessonKey(lesson);
    const exercise = firstOpenExercise(lesson, (id) => Boolean(progress.exercises[id]?.passedAt));
    if (what === 'quiz' && lesson.quiz.length === 0) setMessage('This lesson has no quiz.');
    else if (what === 'exercise' && !exercise) setMessage('This lesson has no exercises.');
    else if (what === 'live' && !lesson.live) setMessage('This lesson has no "see it live" step.');
    else if (what === 'exercise') props.navigate({ type: 'open', route: { screen: 'exercise', lesson: key, exercise: exercise!.id } });
    else props.navigate({ type: 'open', route: { screen: what, lesson: key } });
  };

  useKeys((input, key) => {
    setMessage(undefined);
    if (key.leftArrow || input === 'p') turn(-1);
    else if (key.rightArrow || input === 'n') turn(1);
    else if (input === 't') go('quiz');
    else if (input === 'e') go('exercise');
    else if (input === 'l') go('live');
    else if (input === 'q') props.navigate({ type: 'back' });
    else scroll.scrollKey(input, key);
  }, props.active);

  const atEnd = scroll.offset + height >= rows.length;
  const last = page === lesson.pages.length - 1;
  const next = [lesson.quiz.length > 0 && 't quiz', lesson.exercises.length > 0 && 'e exercises', lesson.live && 'l see it live'].filter(Boolean).join(' · ');
  const end = !last ? `→ next page: ${lesson.pages[page + 1]!.title}` : next ? `End of the lesson: ${next}` : 'End of the lesson.';
  const cut = rows.slice(scroll.offset, scroll.offset + height).some((row) => stripAnsi(row).length > props.width - 2);
  const cue = atEnd ? end : cut ? 'Some lines are cut at the edge: a wider terminal shows them whole.' : '';
  const keys = SCREEN_KEYS.lesson.filter((k) => (k.keys !== 't' || lesson.quiz.length) && (k.keys !== 'e' || lesson.exercises.length) && (k.keys !== 'l' || lesson.live));

  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar crumbs={[lesson.title, lesson.pages[page]!.title]} right={`page ${page + 1}/${lesson.pages.length}`} width={props.width} />
      <Box paddingLeft={1}>
        <ScrollView lines={rows} offset={scroll.offset} height={height} width={props.width - 2} />
      </Box>
      <StatusLine message={message ?? cue} tone={message ? 'warn' : 'info'} right={scrollStatus(scroll.offset, height, rows.length)} width={props.width} />
      <Footer keys={keys} width={props.width} />
    </Box>
  );
}
