/**
 * What the screens need from outside React, given once at the top: the course, the grader (the
 * real one runs ExerciseWatcher; tests inject a fake so frames are deterministic), a probe that
 * tells whether a "see it live" command can run yet, the runner that runs it (shellRunner.ts;
 * tests inject a fake with scripted output), and the editor that opens an exercise's file (the
 * real one hands the terminal over to $VISUAL / $EDITOR and takes it back; tests fake it).
 */
import React, { createContext, useContext, type ReactNode } from 'react';
import type { Course } from '../course/load.ts';
import type { EditOutcome } from '../editor.ts';
import type { ClusterHealth } from './clusterHealth.ts';
import type { CommandRunner } from './commandRunner.ts';
import type { Grader } from './grader.ts';
import type { HomeNotice } from './homeNotices.ts';
import type { CommandProbe } from './probe.ts';

export interface Services {
  course: Course;
  grader: Grader;
  probe: CommandProbe;
  /** Runs the live screen's commands. */
  runner: CommandRunner;
  /** Colours in text the app builds itself (grade reports). */
  color: boolean;
  /** Shown on the home screen: a progress file set aside, broken packs (homeNotices). */
  notices: HomeNotice[];
  /** Opens a file in the learner's editor and returns when the editor exits. */
  edit(file: string): EditOutcome;
  /** Reads the cluster's health for the live screen (clusterHealth.ts); absent: the screen shows none. */
  clusterHealth?: () => ClusterHealth;
}

const ServicesContext = createContext<Services | undefined>(undefined);

/** Gives every screen the services. */
export function ServicesProvider(props: {
  /** The course, the grader, the probe, the runner. */
  value: Services;
  children: ReactNode;
}) {
  return <ServicesContext.Provider value={props.value}>{props.children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() outside <ServicesProvider>');
  return services;
}
