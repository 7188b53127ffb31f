/**
 * Can a "see it live" command run yet? The engine's verbs (`cluster`, `explain`) arrive lesson by
 * lesson (`cluster up` with lesson 02), so the live screen asks before offering one: it runs the
 * verb's `--help` in a child process and reads the answer. A verb that is not there yet says so in
 * one sentence containing "is not available yet" (engine/cli.ts), which the screen shows as is;
 * any other answer (a --help may well end with a non-zero code) means the verb exists. A verb's
 * answer is asked once and kept (the live screen asks again before running each command).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';

const ENGINE_VERBS = new Set(['cluster', 'explain']);
const NOT_YET = /is not available yet/i;

export type ProbeResult = { available: true } | { available: false; reason: string };

export type CommandProbe = (command: string) => Promise<ProbeResult>;

/** `npx kubelings cluster up --impl mine` → ['cluster', 'up', '--impl', 'mine']; others: undefined. */
export function kubelingsArgs(command: string): string[] | undefined {
  const words = command.trim().split(/\s+/);
  const at = words.findIndex((w) => w === 'kubelings');
  if (at < 0 || (at > 0 && words[at - 1] !== 'npx')) return undefined;
  return words.slice(at + 1);
}

/** A probe that asks the CLI at `bin` (the real one by default), once per verb. */
export function makeProbe(bin = join(ROOT, 'tui', 'bin', 'kubelings.js')): CommandProbe {
  const answers = new Map<string, Promise<ProbeResult>>();
  return (command) => {
    const verb = kubelingsArgs(command)?.[0];
    // Only the engine's verbs arrive later; any other program is the learner's to run.
    if (!verb || !ENGINE_VERBS.has(verb)) return Promise.resolve({ available: true });
    let answer = answers.get(verb);
    if (!answer) answers.set(verb, (answer = askHelp(bin, verb)));
    return answer;
  };
}

function askHelp(bin: string, verb: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, verb, '--help'], { cwd: ROOT, timeout: 10_000 }, (_error, stdout, stderr) => {
      const said = `${stderr}\n${stdout}`.split('\n').find((line) => NOT_YET.test(line));
      resolve(said ? { available: false, reason: said.trim() } : { available: true });
    });
  });
}

export const probeCommand: CommandProbe = makeProbe();
