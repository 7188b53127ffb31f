/**
 * Home: "resume where you left off", then every pack and its lessons with progress bars; broken
 * packs and a set-aside progress file as notices below; the chosen lesson's summary at the bottom.
 */
import { Box, Text } from 'ink';
import React from 'react';
import { Footer } from './Footer.tsx';
import { homeRows, isSelectable, windowStart, type HomeRow } from './homeRows.ts';
import { SCREEN_KEYS } from './keys.ts';
import { HomeLine } from './HomeLine.tsx';
import { lessonKey } from './courseLookup.ts';
import { Notice, noticeHeight } from './Notice.tsx';
import { useProgress } from './ProgressProvider.tsx';
import type { ScreenProps } from './screenProps.ts';
import { useServices } from './services.tsx';
import { TitleBar } from './TitleBar.tsx';
import { wrapPlain } from './wrapPlain.ts';
import { useKeys } from './useKeys.ts';
import { useLatestState } from './useLatestState.ts';

/** At most this many rows of the chosen lesson's summary. */
const SUMMARY_ROWS = 5;

export function HomeScreen(props: ScreenProps) {
  const { course, notices } = useServices();
  const { progress } = useProgress();
  const rows = homeRows(course, progress);
  const selectable = rows.flatMap((row, i) => (isSelectable(row) ? [i] : []));
  const [choice, setChoice, currentChoice] = useLatestState(0);
  const selectedAt = (c: number) => selectable[Math.min(c, selectable.length - 1)] ?? -1;
  const selected = selectedAt(choice);

  useKeys((input, key) => {
    if (key.upArrow || input === 'k') setChoice((c) => Math.max(0, c - 1));
    else if (key.downArrow || input === 'j') setChoice((c) => Math.min(selectable.length - 1, c + 1));
    else if (key.return) open(rows[selectedAt(currentChoice())]);
    else if (input === 'q') props.navigate({ type: 'back' });
  }, props.active);
  const open = (row: HomeRow | undefined) => {
    if (row?.kind === 'resume') props.navigate({ type: 'open', route: row.route });
    if (row?.kind === 'lesson') props.navigate({ type: 'open', route: { screen: 'lesson', lesson: lessonKey(row.lesson) } });
  };

  const noticeRows = notices.reduce((n, x) => n + 1 + noticeHeight(x.title, x.details, props.width), 0);
  const row = rows[selected];
  const about = row?.kind === 'lesson' ? row.lesson.summary : row?.kind === 'resume' ? 'Pick up where you left off.' : '';
  const summary = clip(wrapPlain(about.trim(), props.width - 4), SUMMARY_ROWS);
  const listHeight = Math.max(3, props.height - 3 - noticeRows - (summary.length ? summary.length + 1 : 0));
  const start = windowStart(selected, rows.length, listHeight);
  const passed = course.packs.flatMap((p) => p.lessons.flatMap((l) => l.exercises)).filter((e) => progress.exercises[e.id]?.passedAt).length;
  const total = course.packs.reduce((n, p) => n + p.lessons.reduce((m, l) => m + l.exercises.length, 0), 0);

  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar brand crumbs={['learn Kubernetes by building one']} right={`${passed}/${total} exercises passed`} width={props.width} />
      <Box height={1} />
      <Box flexDirection="column" height={listHeight}>
        {rows.slice(start, start + listHeight).map((r, i) => (
          <HomeLine key={start + i} row={r} selected={start + i === selected} width={props.width} />
        ))}
      </Box>
      {notices.map((n, i) => (
        <Box key={i} flexDirection="column" marginTop={1}>
          <Notice title={n.title} details={n.details} width={props.width} />
        </Box>
      ))}
      {summary.length > 0 && (
        <Box flexDirection="column" marginTop={1} paddingLeft={2}>
          {summary.map((line, i) => (
            <Text key={i} dimColor>
              {line}
            </Text>
          ))}
        </Box>
      )}
      <Box flexGrow={1} />
      <Footer keys={SCREEN_KEYS.home} width={props.width} />
    </Box>
  );
}

/** The first `max` rows; the last one ends with … when some were left out. */
function clip(rows: string[], max: number): string[] {
  if (rows.length <= max) return rows;
  return [...rows.slice(0, max - 1), `${rows[max - 1]!.replace(/\s*\S*$/, '')} …`];
}
