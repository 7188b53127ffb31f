/**
 * The real TUI in a real terminal: `node tui/bin/kubelings.js` in tmux at 80×24. The home screen
 * shows the core pack and lesson 00; Enter opens the lesson, l its "see it live" step, where Enter
 * runs the step's command to its exit status; q comes back, q quits; and every way
 * out (q, Ctrl-C, SIGTERM) leaves the alternate screen and shows the cursor again. Skipped, with
 * the reason in the title, where tmux is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `kubelings-smoke-${process.pid}`;
const home = mkdtempSync(join(tmpdir(), 'kubelings-smoke-'));
afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(home, { recursive: true, force: true });
});

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screenOf = (session: string) => tmux('capture-pane', '-p', '-t', session);
const paneFlag = (session: string, flag: string) => tmux('display-message', '-p', '-t', session, `#{${flag}}`).trim();

/** Waits until the pane shows `text` (the first start may build the start-up bundle: allow 60 s on a loaded machine). */
async function waitFor(session: string, text: string, ms = 60_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const screen = screenOf(session);
    if (screen.includes(text)) return screen;
    if (Date.now() - started > ms) throw new Error(`tmux never showed "${text}"; the pane shows:\n${screen}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the TUI in a fresh 80×24 session; the shell around it says how it ended. CI=true as on a
 * CI machine: ink would then draw nothing until exit, and the TUI must still draw every frame.
 */
async function start(session: string): Promise<string> {
  const command = `cd ${ROOT} && echo 'before kubelings' && CI=true KUBELINGS_HOME=${home} node tui/bin/kubelings.js; echo "[kubelings exited $?]"; sleep 120`;
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', command);
  return waitFor(session, 'choose');
}

function expectRestored(session: string, screen: string, code: number): void {
  expect(screen, 'the shell after kubelings').toContain(`[kubelings exited ${code}]`);
  expect(screen, 'the screen from before kubelings is back').toContain('before kubelings');
  expect(paneFlag(session, 'alternate_on'), 'the alternate screen is off').toBe('0');
  expect(paneFlag(session, 'cursor_flag'), 'the cursor is visible').toBe('1');
}

const core = loadPack(CORE_PACK_DIR);
const lesson00 = core.lessons.find((l) => l.id.startsWith('00-'))!;

test.skipIf(!hasTmux)(
  `${hasTmux ? '' : '(skipped: tmux is not installed) '}home shows the core pack and lesson 00; a lesson opens, its live step runs a command, q comes back; q quits and restores the terminal`,
  { timeout: 240_000 },
  async () => {
    const homeScreen = await start('walk');
    expect(homeScreen, 'the core pack').toContain(core.title);
    expect(homeScreen, 'lesson 00').toContain(`00  ${lesson00.title}`);
    expect(paneFlag('walk', 'alternate_on'), 'full screen').toBe('1');
    expect(homeScreen.split('\n').at(-2), 'the footer on the last row').toContain('↑↓ choose');

    tmux('send-keys', '-t', 'walk', 'Enter');
    const lessonScreen = await waitFor('walk', `page 1/${lesson00.pages.length}`);
    expect(lessonScreen.split('\n')[0], 'the lesson title bar').toContain(lesson00.title);

    // See it live: the step's first command really runs, and ends with its exit status.
    tmux('send-keys', '-t', 'walk', 'l');
    await waitFor('walk', 'Choose a command above');
    tmux('send-keys', '-t', 'walk', 'Enter');
    const ran = await waitFor('walk', ' exit ');
    expect(ran, 'the command line echoed').toContain(`$ ${lesson00.live!.command}`);
    expect(ran, 'its exit status').toMatch(/^ [✓✗] exit \d+ *$/m);
    tmux('send-keys', '-t', 'walk', 'q');
    await waitFor('walk', `page 1/${lesson00.pages.length}`);
    tmux('send-keys', '-t', 'walk', 'q');
    await waitFor('walk', '↑↓ choose');
    tmux('send-keys', '-t', 'walk', 'q');
    expectRestored('walk', await waitFor('walk', '[kubelings exited'), 0);
  },
);

test.skipIf(!hasTmux)(`${hasTmux ? '' : '(skipped: tmux is not installed) '}Ctrl-C and SIGTERM also restore the terminal`, { timeout: 240_000 }, async () => {
  const ctrlC = (async () => {
    await start('ctrlc');
    tmux('send-keys', '-t', 'ctrlc', 'Enter');
    await waitFor('ctrlc', 'page 1/');
    tmux('send-keys', '-t', 'ctrlc', 'C-c');
    return waitFor('ctrlc', '[kubelings exited');
  })();
  const term = (async () => {
    await start('term');
    const shell = paneFlag('term', 'pane_pid');
    const node = execFileSync('pgrep', ['-P', shell, 'node'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    process.kill(Number(node), 'SIGTERM');
    return waitFor('term', '[kubelings exited');
  })();
  expectRestored('ctrlc', await ctrlC, 0);
  expectRestored('term', await term, 143);
});
