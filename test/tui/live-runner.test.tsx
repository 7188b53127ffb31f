/**
 * The real command runner (shellRunner.ts), on its own and behind the live screen: `sh -c` in the
 * project root with KUBECONFIG set to the learner's cluster, stdout and stderr in the order
 * written, the exit code; and stop() ending the command's whole process group, SIGKILL included
 * for processes that ignore SIGTERM, so that no process is left. Process groups are read from
 * /proc (Linux); elsewhere those checks are skipped with the reason in the title.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { ROOT, stateDir } from '#engine/paths.ts';
import type { RunEnd } from '../../tui/app/commandRunner.ts';
import { makeProbe } from '../../tui/app/probe.ts';
import { makeShellRunner } from '../../tui/app/shellRunner.ts';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { fixtureCourse, freshHome, KEY, press, renderApp, SCREEN_WAIT_MS, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

const hasProc = existsSync('/proc/self/stat');
const skipNoProc = hasProc ? '' : '(skipped: no /proc to read process groups from) ';

/** Processes of group `pgid` that are still alive (zombies waiting to be reaped are not). */
function aliveInGroup(pgid: number): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === pgid && state !== 'Z' ? [pid] : [];
      } catch {
        return []; // it ended while we looked
      }
    });
}

/** Waits (up to SCREEN_WAIT_MS) until the frame matches `pattern`. */
async function untilMatch(app: { lastFrame(): string | undefined }, pattern: RegExp): Promise<string> {
  const started = Date.now();
  while (!pattern.test(app.lastFrame() ?? '')) {
    if (Date.now() - started > SCREEN_WAIT_MS) throw new Error(`the screen never matched ${pattern}; it shows:\n${app.lastFrame()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return app.lastFrame()!;
}

/** Runs `command` with the real runner; `stopWhen` (seeing that output) calls stop(). */
function runReal(command: string, options: { graceMs?: number; stopWhen?: RegExp } = {}): Promise<{ output: string; end: RunEnd; ms: number }> {
  const runner = makeShellRunner({ graceMs: options.graceMs });
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    let stopAsked = false;
    const running = runner.run(command, {
      onOutput: (text) => {
        output += text;
        if (options.stopWhen?.test(output) && !stopAsked) {
          stopAsked = true;
          running.stop();
        }
      },
      onEnd: (end) => resolve({ output, end, ms: Date.now() - started }),
    });
  });
}

test('a command runs with sh in the project root, KUBECONFIG set, stdout and stderr in order, and its exit code', async () => {
  const { output, end } = await runReal('pwd; echo "$KUBECONFIG"; echo to-stderr >&2; echo after; exit 3');
  expect(output, 'what it printed').toBe(`${ROOT}\n${join(stateDir(), 'kubeconfig')}\nto-stderr\nafter\n`);
  expect(end, 'how it ended').toEqual({ type: 'exited', code: 3 });
});

test("a command that cannot be parsed says so in the shell's words", async () => {
  const { output, end } = await runReal('if then');
  expect(output, 'what sh said').toBe('sh: 1: Syntax error: "then" unexpected\n');
  expect(end, 'how it ended').toEqual({ type: 'exited', code: 2 });
});

test.skipIf(!hasProc)(`${skipNoProc}stop() ends the command and what it started in the background: no process is left`, async () => {
  const { output, end } = await runReal('echo "group $$"; sleep 300 & node -e "setInterval(() => console.log(\'tick\'), 50)"', { stopWhen: /tick/ });
  const pgid = Number(/group (\d+)/.exec(output)![1]);
  expect(end, 'how it ended').toEqual({ type: 'stopped' });
  expect(aliveInGroup(pgid), `processes left in group ${pgid}`).toEqual([]);
});

test.skipIf(!hasProc)(`${skipNoProc}processes that ignore SIGTERM get SIGKILL after the grace period`, async () => {
  const { output, end, ms } = await runReal('trap "" TERM; echo "group $$"; sleep 300 & node -e "setInterval(() => console.log(\'tick\'), 50)"', {
    graceMs: 300,
    stopWhen: /tick/,
  });
  const pgid = Number(/group (\d+)/.exec(output)![1]);
  expect(end, 'how it ended').toEqual({ type: 'stopped' });
  expect(ms, 'it took the grace period, then SIGKILL').toBeGreaterThanOrEqual(300);
  expect(aliveInGroup(pgid), `processes left in group ${pgid}`).toEqual([]);
});

test.skipIf(!hasProc)(`${skipNoProc}on the live screen: a command's output appears, and x (or leaving the screen) really ends a long-running one`, async () => {
  const course = fixtureCourse();
  course.packs[0]!.lessons[0]!.live = {
    title: 'Harmless',
    text: 'Two harmless commands.',
    command: 'echo "hello from $KUBECONFIG"',
    try: ['echo "group $$"; node -e "setInterval(() => console.log(\'tick\'), 100)"'],
  };
  const at = [{ screen: 'live' as const, lesson: 'fixture/00-tally' }];
  const app = await renderApp({ course, at, runner: makeShellRunner(), probe: makeProbe() });
  await until(app, 'Choose a command above');
  await press(app.stdin, KEY.enter);
  const done = await until(app, '✓ exit 0');
  expect(done, 'its output, after its command line').toContain(` $ echo "hello from $KUBECONFIG"\n hello from ${join(stateDir(), 'kubeconfig')}\n ✓ exit 0`);

  await press(app.stdin, KEY.down, KEY.enter);
  const ticking = await untilMatch(app, /^ tick$/m);
  const pgid = Number(/^ group (\d+)$/m.exec(ticking)![1]);
  expect(aliveInGroup(pgid).length, 'the command runs').toBeGreaterThan(0);
  await press(app.stdin, 'x');
  await until(app, '■ stopped');
  expect(aliveInGroup(pgid), `processes left in group ${pgid}`).toEqual([]);

  await press(app.stdin, KEY.enter);
  const again = await untilMatch(app, /■ stopped[\s\S]*^ group (\d+)$/m);
  const second = Number(/■ stopped[\s\S]*^ group (\d+)$/m.exec(again)![1]);
  await press(app.stdin, 'q');
  await until(app, 'enter open');
  for (const started = Date.now(); aliveInGroup(second).length > 0 && Date.now() - started < SCREEN_WAIT_MS;) await new Promise((r) => setTimeout(r, 50));
  expect(aliveInGroup(second), `after leaving the screen, processes left in group ${second}`).toEqual([]);
  app.unmount();
});
