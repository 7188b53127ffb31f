/**
 * The "see it live" screen with a fake runner (exact frames at 80×24): the step's commands to
 * choose from, a run's output streaming in under its `$ command` line and its exit status, a
 * never-ending command stopped with x (and by leaving the screen), only one command at a time, an
 * export of KUBECONFIG answered instead of run, and an engine verb that is not there yet reported
 * instead of run. The real runner is tested in live-runner.test.tsx.
 */
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { expectScreen, FakeRunner, fixtureCourse, freshHome, KEY, press, probeSays, renderApp, screen, until } from './helpers.tsx';

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

const lessonAt = [{ screen: 'lesson' as const, lesson: 'fixture/00-tally' }];
const at = [...lessonAt, { screen: 'live' as const, lesson: 'fixture/00-tally' }];
const available = probeSays({ available: true });

/** The live screen with the fake runner, the step's verb available unless told otherwise. */
async function openLive(options: { probe?: Parameters<typeof renderApp>[0]['probe'] } = {}) {
  const runner = new FakeRunner();
  const app = await renderApp({ course: fixtureCourse(), at, runner, probe: options.probe ?? available });
  await until(app, 'Choose a command above');
  return { app, runner };
}

test("the step's commands are a list to choose from; the pane introduces the step", async () => {
  const { app } = await openLive();
  expectScreen(
    app.lastFrame(),
    'live-list',
    screen`
Counting votes › See it live                                         command 1/5
 ❯ $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
   $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.










↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  await press(app.stdin, KEY.down, KEY.down);
  expectScreen(
    await until(app, 'command 3/5'),
    'live-list-chosen',
    screen`
Counting votes › See it live                                         command 3/5
   $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
 ❯ $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.










↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  await press(app.stdin, KEY.down, KEY.down, KEY.down);
  expect(await until(app, 'command 5/5'), 'the last command stays chosen').toContain('❯ $ npx kubelings cluster down');
  app.unmount();
});

test('enter runs the chosen command: its line first, then its output as it streams, then its exit status', async () => {
  const { app, runner } = await openLive();
  await press(app.stdin, KEY.down, KEY.down, KEY.enter);
  expect(runner.last.command, 'the command run').toBe('kubectl get votes');
  runner.last.print('NAME    VOTES\nalice   3\nbo');
  expectScreen(
    await until(app, 'alice'),
    'live-streaming',
    screen`
Counting votes › See it live                                         command 3/5
   $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
 ❯ $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output · running: kubectl get votes ───────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.

 $ kubectl get votes
 NAME    VOTES
 alice   3
 bo




Running… x stops it.
↑↓ choose  enter run  x stop  PgUp/PgDn scroll  ? help  q back
`,
  );
  runner.last.print('b     2\n');
  runner.last.end({ type: 'exited', code: 0 });
  expectScreen(
    await until(app, '✓ exit 0'),
    'live-exit-0',
    screen`
Counting votes › See it live                                         command 3/5
   $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
 ❯ $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.

 $ kubectl get votes
 NAME    VOTES
 alice   3
 bob     2
 ✓ exit 0




↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  app.unmount();
});

test('a failing command shows its error output and ✗ with the exit code; the next run follows it', async () => {
  const { app, runner } = await openLive();
  await press(app.stdin, KEY.down, KEY.down, KEY.enter);
  runner.last.print('error: the server doesn\'t have a resource type "votes"\n');
  runner.last.end({ type: 'exited', code: 1 });
  await until(app, '✗ exit 1');
  await press(app.stdin, KEY.down, KEY.down, KEY.enter);
  runner.last.print('Stopped the control plane (pid 4242).\n');
  runner.last.end({ type: 'exited', code: 0 });
  expectScreen(
    await until(app, '✓ exit 0'),
    'live-two-runs',
    screen`
Counting votes › See it live                                         command 5/5
   $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
   $ kubectl get votes
   $ kubectl get votes -w
 ❯ $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.

 $ kubectl get votes
 error: the server doesn't have a resource type "votes"
 ✗ exit 1

 $ npx kubelings cluster down
 Stopped the control plane (pid 4242).
 ✓ exit 0


↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  app.unmount();
});

test('a command that never ends streams until x stops it; only one command runs at a time', async () => {
  const { app, runner } = await openLive();
  await press(app.stdin, KEY.down, KEY.down, KEY.down, KEY.enter);
  runner.last.print('NAME    VOTES\nalice   3\n');
  await until(app, 'alice');
  runner.last.print('alice   4\n');
  expectScreen(
    await until(app, 'alice   4'),
    'live-watching',
    screen`
Counting votes › See it live                                         command 4/5
   $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
   $ kubectl get votes
 ❯ $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output · running: kubectl get votes -w ────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.

 $ kubectl get votes -w
 NAME    VOTES
 alice   3
 alice   4




Running… x stops it.
↑↓ choose  enter run  x stop  PgUp/PgDn scroll  ? help  q back
`,
  );
  await press(app.stdin, KEY.up, KEY.enter);
  expect(await until(app, 'still running'), 'a second enter').toContain('A command is still running: x stops it first.');
  expect(runner.runs.length, 'commands started').toBe(1);
  await press(app.stdin, 'x');
  expect(runner.last.stopped, 'x stops the command').toBe(true);
  expectScreen(
    await until(app, '■ stopped'),
    'live-stopped',
    screen`
Counting votes › See it live                                         command 3/5
   $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
 ❯ $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.

 $ kubectl get votes -w
 NAME    VOTES
 alice   3
 alice   4
 ■ stopped




↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  await press(app.stdin, 'x');
  expect(await until(app, 'Nothing is running.'), 'x with nothing running').toContain('Nothing is running.');
  app.unmount();
});

test('leaving the screen stops a running command', async () => {
  const { app, runner } = await openLive();
  await press(app.stdin, KEY.down, KEY.down, KEY.down, KEY.enter);
  runner.last.print('NAME    VOTES\n');
  await until(app, 'NAME');
  await press(app.stdin, 'q');
  await until(app, 'page 1/2');
  expect(runner.last.stopped, 'q stops the command').toBe(true);
  app.unmount();
});

test('an export of KUBECONFIG is answered, not run: the TUI sets it for the commands it runs', async () => {
  const { app, runner } = await openLive();
  await press(app.stdin, KEY.down, KEY.enter);
  expectScreen(
    await until(app, 'Not run here'),
    'live-export',
    screen`
Counting votes › See it live                                         command 2/5
   $ npx kubelings cluster up --impl mine
 ❯ $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
   $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 Choose a command above and press enter: it runs here, in the project folder,
 with KUBECONFIG set to your cluster.

 $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
 Not run here: the TUI already sets
 KUBECONFIG=/home/learner/course/.kubelings/kubeconfig for the commands it
 runs. Type this line in your own terminal to use kubectl there.





↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  expect(runner.runs, 'commands run').toEqual([]);
  app.unmount();
});

test('an engine verb that is not there yet is reported, not run', async () => {
  const notYet = { available: false as const, reason: '"cluster up --impl mine" is not available yet: the cluster arrives with lesson 02 (the apiserver).' };
  const probe = (command: string) => Promise.resolve(command.startsWith('npx kubelings cluster') ? notYet : { available: true as const });
  const runner = new FakeRunner();
  const app = await renderApp({ course: fixtureCourse(), at: lessonAt, runner, probe });
  await until(app, 'page 1/2');
  await press(app.stdin, 'l');
  await until(app, '✗ "cluster up');
  await press(app.stdin, KEY.enter);
  expectScreen(
    await until(app, 'Keep the command for later: it runs'),
    'live-not-yet',
    screen`
Counting votes › See it live                                         command 1/5
 ❯ $ npx kubelings cluster up --impl mine
   $ export KUBECONFIG=$PWD/.kubelings/kubeconfig
   $ kubectl get votes
   $ kubectl get votes -w
   $ npx kubelings cluster down
 ── output ────────────────────────────────────────────────────────────────────
 # Count live

 The engine counts the votes of a running cluster.

 ✗ "cluster up --impl mine" is not available yet: the cluster arrives with
   lesson 02 (the apiserver).

 Keep the command for later: this step works once the engine has that verb.

 $ npx kubelings cluster up --impl mine
 ✗ "cluster up --impl mine" is not available yet: the cluster arrives with
   lesson 02 (the apiserver).
 Keep the command for later: it runs once the engine has that verb.



↑↓ choose  enter run  PgUp/PgDn scroll  ? help  q back
`,
  );
  expect(runner.runs, 'commands run').toEqual([]);
  await press(app.stdin, KEY.down, KEY.down, KEY.enter);
  expect(runner.last.command, 'kubectl is not an engine verb: it runs').toBe('kubectl get votes');
  runner.last.end({ type: 'exited', code: 0 });
  await until(app, '✓ exit 0');
  app.unmount();
});

test('the pane follows new output; scrolled up, it stays put; End follows again', async () => {
  const { app, runner } = await openLive();
  const status = (frame: string) => frame.split('\n').at(-2)!;
  await press(app.stdin, KEY.down, KEY.down, KEY.down, KEY.enter);
  runner.last.print(Array.from({ length: 30 }, (_, i) => `event ${i + 1}\n`).join(''));
  expect(status(await until(app, 'event 30')), 'at the bottom').toMatch(/lines 24–38 of 38$/);
  await press(app.stdin, KEY.pageUp);
  expect(status(await until(app, 'lines 10–24')), 'a screen up').toMatch(/lines 10–24 of 38 ↓$/);
  runner.last.print('event 31\n');
  const still = await until(app, 'of 39');
  expect(status(still), 'scrolled up, the view stays put').toMatch(/lines 10–24 of 39 ↓$/);
  await press(app.stdin, KEY.end);
  expect(status(await until(app, 'event 31')), 'End follows again').toMatch(/lines 25–39 of 39$/);
  runner.last.print('event 32\n');
  expect(status(await until(app, 'event 32')), 'following').toMatch(/lines 26–40 of 40$/);
  app.unmount();
});

test('? explains the keys of the live screen', async () => {
  const { app } = await openLive();
  await press(app.stdin, '?');
  expectScreen(
    await until(app, 'Help'),
    'live-help',
    screen`
Help › live screen

  ↑↓         choose a command: the step's own first, then the ones to try
  enter      run it here, in the project folder, with KUBECONFIG set to your
             cluster; its output streams below
  x          stop the running command and everything it started (leaving the
             screen stops it too)
  PgUp/PgDn  scroll the output a screen (also b / space; Home / End: top /
             bottom, where new output is followed)
  ?          show or hide this help
  q          go back (stops a running command)

  Read a lesson, answer its quiz, then fill in the exercise files in your own
  editor: every save is graded. Progress is saved as you go
  (.kubelings/progress.json). The same commands exist outside the TUI: npx
  kubelings --help.







? esc close help
`,
  );
  app.unmount();
});
