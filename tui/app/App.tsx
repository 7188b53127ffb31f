/**
 * The whole TUI as one component: the services and the progress around the shell. main.tsx gives
 * it the real services; tests give a fake grader and probe.
 */
import React from 'react';
import type { Progress } from '../progress.ts';
import type { NavState } from './navigation.ts';
import { ProgressProvider } from './ProgressProvider.tsx';
import { ServicesProvider, type Services } from './services.tsx';
import { Shell } from './Shell.tsx';

export function App(props: {
  services: Services;
  /** Progress as loaded at start. */
  progress: Progress;
  /** Start somewhere other than Home (tests). */
  initial?: NavState;
}) {
  return (
    <ServicesProvider value={props.services}>
      <ProgressProvider course={props.services.course} initial={props.progress}>
        <Shell initial={props.initial} />
      </ProgressProvider>
    </ServicesProvider>
  );
}
