/**
 * The terminal is restored when the app fails: an uncaught exception (the error is printed and the
 * process ends with 70) and an error while rendering (runFullScreen rejects with it, for the CLI
 * to report). Run in a pseudo-terminal with `script`; skipped, with the reason, where it is absent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';

const hasScript = spawnSync('script', ['--version']).status === 0;
const ENTER = '\x1b[?1049h';
const LEAVE = '\x1b[?1049l';

/** Runs the crash app in a pseudo-terminal; both cases start at once (each is mostly start-up). */
function runInTerminal(how: string): Promise<{ status: number | null; output: string }> {
  const app = join('test', 'tui', 'fixtures', 'crash-app.tsx');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', `node_modules/.bin/tsx ${app} ${how}`, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}
const runs = hasScript ? { timer: runInTerminal('timer'), render: runInTerminal('render') } : undefined;

const skip = hasScript ? '' : '(skipped: the script command is not installed) ';

test.skipIf(!hasScript)(`${skip}an uncaught exception restores the screen, prints the error and exits with 70`, { timeout: 40_000 }, async () => {
  const { status, output } = await runs!.timer;
  expect(status, 'exit code').toBe(70);
  expect(output.indexOf(ENTER), 'entered the alternate screen').toBeGreaterThanOrEqual(0);
  expect(output.indexOf(LEAVE), 'left it afterwards').toBeGreaterThan(output.indexOf(ENTER));
  expect(output.slice(output.indexOf(LEAVE)), 'the error, on the restored screen').toContain('kubelings hit a bug of its own: Error: boom from a timer');
});

test.skipIf(!hasScript)(`${skip}an error while rendering restores the screen and reaches the caller`, { timeout: 40_000 }, async () => {
  const { status, output } = await runs!.render;
  expect(status, 'exit code').toBe(1);
  expect(output.indexOf(LEAVE), 'left the alternate screen').toBeGreaterThan(output.indexOf(ENTER));
  expect(output.slice(output.indexOf(LEAVE)), 'after the screen is restored').toContain('rejected: boom while rendering');
});
