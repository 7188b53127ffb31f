/**
 * "See it live": the lesson's `live:` step as a screen. It shows the command and what to try, and
 * says plainly when the engine verb it needs is not there yet (`cluster up` arrives with lesson
 * 02). Running the command from the TUI is left for later.
 */
import { Box } from 'ink';
import React from 'react';
import { findLesson } from './courseLookup.ts';
import { Footer } from './Footer.tsx';
import { SCREEN_KEYS } from './keys.ts';
import { liveMarkdown } from './liveText.ts';
import type { ScreenProps } from './screenProps.ts';
import { ScrollView, scrollStatus } from './ScrollView.tsx';
import { useServices } from './services.tsx';
import { StatusLine } from './StatusLine.tsx';
import { TitleBar } from './TitleBar.tsx';
import { useCommandProbe } from './useCommandProbe.ts';
import { useMarkdown } from './useMarkdown.ts';
import { useScroll } from './useScroll.ts';
import { useKeys } from './useKeys.ts';

export function LiveScreen(props: ScreenProps & { /** The lesson's key, `<pack>/<lesson>`. */ lesson: string }) {
  const lesson = findLesson(useServices().course, props.lesson)!;
  const live = lesson.live!;
  const probe = useCommandProbe(live.command);
  const rows = useMarkdown(liveMarkdown(live, probe), props.width - 2) ?? ['…'];
  const height = props.height - 3;
  const scroll = useScroll(rows.length, height);
  useKeys(
    (input, key) => {
      if (input === 'q' || key.escape) props.navigate({ type: 'back' });
      else scroll.scrollKey(input, key);
    },
    props.active,
  );
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar crumbs={[lesson.title, 'See it live']} width={props.width} />
      <Box paddingLeft={1}>
        <ScrollView lines={rows} offset={scroll.offset} height={height} width={props.width - 2} />
      </Box>
      <StatusLine right={scrollStatus(scroll.offset, height, rows.length)} width={props.width} />
      <Footer keys={SCREEN_KEYS.live} width={props.width} />
    </Box>
  );
}
