/**
 * The commands of a "see it live" step as the live screen offers them: the lesson's `command`
 * first, then each `try` line in order (repeats included: applying a manifest twice is a lesson).
 * A `try` line that only exports KUBECONFIG is answered, not run: the TUI already sets it for every
 * command it runs, and the learner needs the line in their own terminal. Pure.
 */
import type { Lesson } from '../course/load.ts';

/** The commands to choose from, in order. */
export function liveCommands(live: NonNullable<Lesson['live']>): string[] {
  return [live.command, ...live.try];
}

/** Does the step talk to the cluster (kubectl, or the engine's cluster and explain verbs)? */
export function talksToCluster(commands: string[]): boolean {
  return commands.some((c) => /(^|[\s;&|(])kubectl\s|\bkubelings\s+(cluster|explain)\b/.test(c));
}

const KUBECONFIG_EXPORT = /^\s*export\s+KUBECONFIG=("[^"]*"|'[^']*'|\S+)\s*;?\s*$/;

/** `export KUBECONFIG=$PWD/.kubelings/kubeconfig` and nothing else. */
export function isKubeconfigExport(command: string): boolean {
  return KUBECONFIG_EXPORT.test(command);
}

/** The one line shown instead of running an export of KUBECONFIG. */
export function kubeconfigAnswer(kubeconfig: string): string {
  return `Not run here: the TUI already sets KUBECONFIG=${kubeconfig} for the commands it runs. Type this line in your own terminal to use kubectl there.`;
}

/** Rows for the list of commands on a screen of `height` rows: a third of it, 2 to 8 rows. */
export function commandListRows(height: number, count: number): number {
  return Math.min(count, Math.max(2, Math.min(8, Math.floor((height - 4) / 3))));
}
