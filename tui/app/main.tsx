/**
 * `npm start`: opens the course full screen (runFullScreen). Loads the course (from its cache when
 * nothing changed; broken packs become a notice on the home screen, the others load) and the
 * progress, then renders the app with the real grader, probe and command runner.
 *
 * The first frame needs only the home screen: the other screens, Markdown and the grader load after
 * it (screens.ts, useMarkdown, grader.ts), warmed up in the background once the home screen is up.
 */
import React from 'react';
import { KubelingsError } from '#engine/errors.ts';
import { loadProgress } from '../progress.ts';
import { App } from './App.tsx';
import { withLearnerId } from './quizModel.ts';
import { loadCourseCached } from './courseCache.ts';
import { homeNotices } from './homeNotices.ts';
import { preloadScreens } from './screens.ts';
import { editFile } from '../editor.ts';
import { handOverTerminal, runFullScreen } from './fullScreen.tsx';
import { realGrader } from './grader.ts';
import { probeCommand } from './probe.ts';
import { readClusterHealth } from './clusterHealth.ts';
import { shellRunner } from './shellRunner.ts';
import { loadMarkdown } from './useMarkdown.ts';

export async function startTui(options: { packs: string[] }): Promise<number> {
  const course = await loadCourseCached(options.packs);
  // Only a broken pack needs the loader's formatter (and so yaml and zod) before the first frame.
  const { formatIssue } = course.broken.length > 0 ? await import('../course/load.ts') : { formatIssue: () => '' };
  if (course.packs.length === 0) {
    throw new KubelingsError(`No lesson pack could be loaded:\n${course.broken.flatMap((b) => b.issues.map((i) => `  ${formatIssue(i)}`)).join('\n')}`);
  }
  const loaded = loadProgress();
  const { warning } = loaded;
  // A learner id of their own, kept in progress: it seeds the order of the quiz choices.
  const progress = withLearnerId(loaded.progress);
  const color = Boolean(process.stdout.isTTY) && process.env.FORCE_COLOR !== '0' && !process.env.NO_COLOR;
  // After the first frame: load what the other screens need while the learner reads the home screen.
  setTimeout(() => void Promise.all([loadMarkdown(), preloadScreens()]).catch(() => {}), 50).unref();
  const notices = homeNotices(course, warning, formatIssue);
  return runFullScreen(
    <App
      services={{
        course,
        grader: realGrader,
        probe: probeCommand,
        runner: shellRunner,
        color,
        notices,
        edit: (file) => handOverTerminal(() => editFile(file)),
        clusterHealth: () => readClusterHealth(),
      }}
      progress={progress}
    />,
  );
}
