/**
 * Can a "see it live" command run yet? The engine's verbs arrive lesson by lesson (`cluster up`
 * with lesson 02), so the live screen asks before offering it: it runs the command's `--help` in a
 * child process and reads the answer. A verb that is not there yet answers with one sentence on
 * stderr (engine/cli.ts), which the screen shows as is.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';

export type ProbeResult = { available: true } | { available: false; reason: string };

export type CommandProbe = (command: string) => Promise<ProbeResult>;

/** `npx kubelings cluster up --impl mine` → ['cluster', 'up', '--impl', 'mine']; others: undefined. */
export function kubelingsArgs(command: string): string[] | undefined {
  const words = command.trim().split(/\s+/);
  const at = words.findIndex((w) => w === 'kubelings');
  if (at < 0 || (at > 0 && words[at - 1] !== 'npx')) return undefined;
  return words.slice(at + 1);
}

export const probeCommand: CommandProbe = (command) => {
  const args = kubelingsArgs(command);
  // Only kubelings' own verbs can be missing; any other program is the learner's to run.
  if (!args || args.length === 0) return Promise.resolve({ available: true });
  return new Promise((resolve) => {
    const bin = join(ROOT, 'tui', 'bin', 'kubelings.js');
    execFile(process.execPath, [bin, args[0]!, '--help'], { cwd: ROOT, timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve({ available: true });
      const reason = stderr.trim().split('\n')[0] || `it stopped with ${error.code ?? error.signal}`;
      resolve({ available: false, reason });
    });
  });
};
