/**
 * `npm start`: opens the course full screen (runFullScreen). Loads the course (from its cache when
 * nothing changed; broken packs become a notice on the home screen, the others load) and the
 * progress, then renders the app with the real grader and probe.
 *
 * The first frame needs only the home screen: Markdown and the grader load after it (useMarkdown,
 * grader.ts); Markdown is warmed up in the background once the home screen is up.
 */
import React from 'react';
import { KubelingsError } from '#engine/errors.ts';
import { formatIssue } from '../course/load.ts';
import { loadProgress } from '../progress.ts';
import { App } from './App.tsx';
import { loadCourseCached } from './courseCache.ts';
import { runFullScreen } from './fullScreen.tsx';
import { realGrader } from './grader.ts';
import { probeCommand } from './probe.ts';
import { loadMarkdown } from './useMarkdown.ts';

export async function startTui(options: { packs: string[] }): Promise<number> {
  const course = loadCourseCached(options.packs);
  if (course.packs.length === 0) {
    throw new KubelingsError(`No lesson pack could be loaded:\n${course.broken.flatMap((b) => b.issues.map((i) => `  ${formatIssue(i)}`)).join('\n')}`);
  }
  const { progress, warning } = loadProgress();
  const color = Boolean(process.stdout.isTTY) && process.env.FORCE_COLOR !== '0' && !process.env.NO_COLOR;
  setTimeout(() => void loadMarkdown().catch(() => {}), 50).unref();
  return runFullScreen(<App services={{ course, grader: realGrader, probe: probeCommand, color, startupWarning: warning }} progress={progress} />);
}
