/**
 * The frame around the screens: it fills the terminal (and follows resizes), keeps the navigation
 * stack, shows the screen on top, and lays the help overlay over it with `?`. The screen stays
 * mounted under the overlay (hidden), so a grading run or a scroll position survives a look at
 * the help. Leaving Home (q) or Ctrl-C ends the app.
 */
import { Box, Text, useApp } from 'ink';
import React, { Suspense, useEffect, useReducer } from 'react';
import { HelpOverlay } from './HelpOverlay.tsx';
import { HomeScreen } from './HomeScreen.tsx';
import { currentRoute, initialNav, navigate, type NavState, type Route } from './navigation.ts';
import type { ScreenProps } from './screenProps.ts';
import { ExerciseScreen, LessonScreen, LiveScreen, QuizScreen } from './screens.ts';
import { useTerminalSize } from './useTerminalSize.ts';
import { useKeys } from './useKeys.ts';

export function Shell(props: {
  /** Where to start (tests start deeper; the app starts at Home). */
  initial?: NavState;
}) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [nav, dispatch] = useReducer(navigate, props.initial ?? initialNav);
  const route = currentRoute(nav);
  useEffect(() => {
    if (nav.quit) exit();
  }, [nav.quit, exit]);
  useKeys((input) => {
    if (input === '?' && !nav.help) dispatch({ type: 'help', open: true });
  });
  const screen: ScreenProps = { width: columns, height: rows, active: !nav.help, navigate: dispatch };
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Box display={nav.help ? 'none' : 'flex'}>
        <Suspense fallback={<Text dimColor>…</Text>}>
          <CurrentScreen key={`${nav.stack.length}:${JSON.stringify(route)}`} route={route} {...screen} />
        </Suspense>
      </Box>
      {nav.help && <HelpOverlay screen={route.screen} width={columns} height={rows} onClose={() => dispatch({ type: 'help', open: false })} />}
    </Box>
  );
}

/** The screen a route names. */
function CurrentScreen(props: ScreenProps & { route: Route }) {
  const { route } = props;
  switch (route.screen) {
    case 'home':
      return <HomeScreen {...props} />;
    case 'lesson':
      return <LessonScreen {...props} lesson={route.lesson} />;
    case 'live':
      return <LiveScreen {...props} lesson={route.lesson} />;
    case 'quiz':
      return <QuizScreen {...props} lesson={route.lesson} />;
    case 'exercise':
      return <ExerciseScreen {...props} lesson={route.lesson} exercise={route.exercise} />;
  }
}
