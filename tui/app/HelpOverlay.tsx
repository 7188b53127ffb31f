/**
 * The help overlay (`?`): the keys of the screen underneath, each with a sentence, and a few words
 * on how the course works. Shown in place of the screen, which stays mounted (and keeps grading).
 */
import { Box, Text } from 'ink';
import React from 'react';
import { Footer } from './Footer.tsx';
import { HELP_KEYS, SCREEN_KEYS } from './keys.ts';
import type { ScreenName } from './navigation.ts';
import { TitleBar } from './TitleBar.tsx';
import { wrapPlain } from './wrapPlain.ts';
import { useKeys } from './useKeys.ts';

const ABOUT =
  'Read a lesson, answer its quiz, then fill in the exercise files in your own editor: every save is graded. ' +
  'Progress is saved as you go (.kubelings/progress.json). The same commands exist outside the TUI: npx kubelings --help.';

export function HelpOverlay(props: {
  /** The screen whose keys to explain. */
  screen: ScreenName;
  /** The terminal's size. */
  width: number;
  height: number;
  /** Called on ?, q or esc. */
  onClose(): void;
}) {
  useKeys((input, key) => {
    if (input === '?' || input === 'q' || key.escape) props.onClose();
  });
  const keys = SCREEN_KEYS[props.screen];
  const pad = Math.max(...keys.map((k) => k.keys.length)) + 2;
  const rows = keys.flatMap((k) => wrapPlain(k.help, props.width - 4 - pad).map((line, i) => ({ key: i === 0 ? k.keys : '', line })));
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <TitleBar crumbs={['Help', `${props.screen} screen`]} width={props.width} />
      <Box flexDirection="column" paddingLeft={2} paddingTop={1} flexGrow={1}>
        {rows.map((r, i) => (
          <Text key={i}>
            <Text bold color="cyan">
              {r.key.padEnd(pad)}
            </Text>
            {r.line}
          </Text>
        ))}
        <Box height={1} />
        {wrapPlain(ABOUT, props.width - 4).map((line, i) => (
          <Text key={`a${i}`} dimColor>
            {line}
          </Text>
        ))}
      </Box>
      <Footer keys={HELP_KEYS} width={props.width} />
    </Box>
  );
}
