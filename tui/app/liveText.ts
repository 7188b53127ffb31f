/**
 * The introduction of a "see it live" step, shown in the output pane before anything runs and kept
 * above the output: what the learner will see, whether the step's command can run yet, and how to
 * run it from here. Pure, so the wording is tested apart from the screen.
 */
import type { Lesson } from '../course/load.ts';
import { liveCommands, talksToCluster } from './liveCommands.ts';
import type { ProbeResult } from './probe.ts';

export function liveMarkdown(live: NonNullable<Lesson['live']>, probe: ProbeResult | undefined): string {
  const parts = [`# ${live.title}`, live.text.trim()];
  if (!probe) parts.push('*Checking whether it can run yet…*');
  else if (probe.available)
    parts.push(`Choose a command above and press enter: it runs here, in the project folder${talksToCluster(liveCommands(live)) ? ', with `KUBECONFIG` set to your cluster' : ''}.`);
  else parts.push(`✗ ${probe.reason}`, 'Keep the command for later: this step works once the engine has that verb.');
  return `${parts.join('\n\n')}\n`;
}
