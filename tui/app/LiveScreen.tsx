/**
 * "See it live": the lesson's `live:` step, run from here. Above, its commands (the step's own,
 * then the ones to try) to choose from with ↑↓; enter runs the chosen one (useCommandRun: in the
 * project folder, KUBECONFIG set to the learner's cluster) and its output streams into the pane
 * below, which holds the step's introduction and then every run, like a terminal: `$ command`,
 * the output, `✓ exit 0`. One command at a time; x stops it, and leaving the screen does too.
 * The pane follows new output until the learner scrolls up (useTailScroll). The rule above it
 * says whether the cluster runs and names any component process that is not healthy
 * (useClusterHealth), so a learner's stuck scheduler shows while kubectl still answers.
 */
import { Box } from 'ink';
import React, { useMemo, useState } from 'react';
import { healthLine } from './clusterHealth.ts';
import { CommandList } from './CommandList.tsx';
import { findLesson } from './courseLookup.ts';
import { Footer } from './Footer.tsx';
import { SCREEN_KEYS } from './keys.ts';
import { commandListRows, liveCommands } from './liveCommands.ts';
import { liveMarkdown } from './liveText.ts';
import { paint } from './paint.ts';
import { Rule } from './Rule.tsx';
import type { ScreenProps } from './screenProps.ts';
import { ScrollView, scrollStatus } from './ScrollView.tsx';
import { useServices } from './services.tsx';
import { StatusLine } from './StatusLine.tsx';
import { TitleBar } from './TitleBar.tsx';
import { shownLines } from './transcript.ts';
import { transcriptRows } from './transcriptRows.ts';
import { useClusterHealth } from './useClusterHealth.ts';
import { useCommandProbe } from './useCommandProbe.ts';
import { useCommandRun } from './useCommandRun.ts';
import { useKeys } from './useKeys.ts';
import { useLatestState } from './useLatestState.ts';
import { useMarkdown } from './useMarkdown.ts';
import { useTailScroll } from './useTailScroll.ts';

export function LiveScreen(props: ScreenProps & { /** The lesson's key, `<pack>/<lesson>`. */ lesson: string }) {
  const { course, color } = useServices();
  const lesson = findLesson(course, props.lesson)!;
  const live = lesson.live!;
  const commands = useMemo(() => liveCommands(live), [live]);
  const [selected, setSelected, currentSelected] = useLatestState(0);
  const [message, setMessage] = useState<string>();
  const runs = useCommandRun();
  const health = useClusterHealth();
  const width = props.width - 2;
  const probe = useCommandProbe(live.command);
  const intro = useMarkdown(liveMarkdown(live, probe), width) ?? ['…'];
  const output = useMemo(() => transcriptRows(shownLines(runs.transcript, color), width, paint(color)), [runs.transcript, width, color]);
  const rows = output.length > 0 ? [...intro, '', ...output] : intro;
  const listHeight = commandListRows(props.height, commands.length);
  const height = Math.max(1, props.height - 4 - listHeight);
  const scroll = useTailScroll(rows.length, height);

  useKeys((input, key) => {
    setMessage(undefined);
    if (input === 'q' || key.escape) props.navigate({ type: 'back' });
    else if (key.upArrow || key.downArrow) setSelected((s) => Math.max(0, Math.min(commands.length - 1, s + (key.upArrow ? -1 : 1))));
    else if (key.return) {
      if (runs.run(commands[currentSelected()]!)) scroll.follow();
      else setMessage('A command is still running: x stops it first.');
    } else if (input === 'x') {
      if (runs.running === undefined) setMessage('Nothing is running.');
      else runs.stop();
    } else scroll.scrollKey(input, key);
  }, props.active);

  const status = message ?? (runs.running === undefined ? undefined : 'Running… x stops it.');
  const keys = SCREEN_KEYS.live.filter((k) => k.keys !== 'x' || runs.running !== undefined);
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar crumbs={[lesson.title, 'See it live']} right={`command ${selected + 1}/${commands.length}`} width={props.width} />
      <Box flexDirection="column" paddingLeft={1}>
        <CommandList commands={commands} selected={selected} height={listHeight} width={width} />
        <Rule label={[runs.running === undefined ? 'output' : `output · running: ${runs.running}`, health && healthLine(health)].filter(Boolean).join(' · ')} width={width} />
        <ScrollView lines={rows} offset={scroll.offset} height={height} width={width} />
      </Box>
      <StatusLine message={status} tone={message ? 'warn' : 'info'} right={scrollStatus(scroll.offset, height, rows.length)} width={props.width} />
      <Footer keys={keys} width={props.width} />
    </Box>
  );
}
