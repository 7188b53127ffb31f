/**
 * Runs an ink app full screen: the alternate screen buffer while it runs, and the learner's own
 * screen back afterwards, whatever the way out:
 * - q on Home or Ctrl-C: ink exits; the screen is restored; 0;
 * - SIGTERM / SIGHUP: the app is unmounted, the screen restored; 128 + the signal's number;
 * - an error thrown while rendering: ink unmounts, the screen is restored, the error is rethrown
 *   (the CLI prints it as a kubelings bug);
 * - an uncaught exception or rejection elsewhere: the screen is restored, the error printed, 70.
 * Restoring is idempotent and synchronous (writeSync), so it also runs from process 'exit'.
 *
 * `handOverTerminal` lends the terminal to another program (the learner's editor): it leaves the
 * alternate screen and raw mode, runs the program synchronously (so ink draws nothing meanwhile),
 * then takes the terminal back and has ink draw its next frame whole.
 */
import { render } from 'ink';
import { writeSync } from 'node:fs';
import type { ReactElement } from 'react';

const ENTER = '\x1b[?1049h\x1b[H\x1b[2J';
/** Show the cursor, reset colours, leave the alternate screen. */
const LEAVE = '\x1b[?25h\x1b[0m\x1b[?1049l';
const SIGNALS = { SIGTERM: 15, SIGHUP: 1 } as const;
/** Hide the cursor again: ink hid it once and believes it still is. */
const HIDE_CURSOR = '\x1b[?25l';

/** The app on screen now, and its terminal: what handOverTerminal gives away and takes back. */
let onScreen: { app: { clear(): void }; stdout: NodeJS.WriteStream; fd: number } | undefined;

/**
 * Runs `program` with the terminal all its own (cooked mode, the learner's normal screen), then
 * gives it back to the app. Without a full-screen app on a terminal, just runs it.
 */
export function handOverTerminal<T>(program: () => T): T {
  const screen = onScreen;
  const stdin = process.stdin;
  if (!screen) return program();
  writeSync(screen.fd, LEAVE);
  const wasRaw = stdin.isTTY && stdin.isRaw;
  if (wasRaw) stdin.setRawMode(false);
  try {
    return program();
  } finally {
    if (wasRaw) stdin.setRawMode(true);
    writeSync(screen.fd, ENTER + HIDE_CURSOR);
    // Ink keeps its last frame and writes only when the next one differs: forget it, so the next
    // render draws everything on the fresh screen.
    screen.app.clear();
  }
}

export async function runFullScreen(element: ReactElement, stdout: NodeJS.WriteStream = process.stdout): Promise<number> {
  const tty = Boolean(stdout.isTTY);
  let restored = !tty;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      writeSync((stdout as { fd?: number }).fd ?? 1, LEAVE);
    } catch {
      // The terminal is gone (SIGHUP): nothing left to restore.
    }
  };
  let signalled: keyof typeof SIGNALS | undefined;
  const onSignal = (signal: keyof typeof SIGNALS) => () => {
    signalled = signal;
    app.unmount();
  };
  const handlers = Object.fromEntries(Object.keys(SIGNALS).map((s) => [s, onSignal(s as keyof typeof SIGNALS)]));
  const crash = (error: unknown) => {
    restore();
    process.stderr.write(`kubelings hit a bug of its own: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(70);
  };
  if (tty) stdout.write(ENTER);
  process.on('exit', restore);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const app = render(element, { stdout, exitOnCtrlC: true, patchConsole: true });
  if (tty) onScreen = { app, stdout, fd: (stdout as { fd?: number }).fd ?? 1 };
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  try {
    await app.waitUntilExit();
  } finally {
    onScreen = undefined;
    restore();
    process.off('exit', restore);
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
  }
  const code = signalled ? 128 + SIGNALS[signalled] : 0;
  // Background work (the grader's watcher) closes on its own; never let it hold the process long.
  setTimeout(() => process.exit(code), 1_000).unref();
  return code;
}
