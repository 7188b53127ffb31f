/**
 * The warm grader (tui/grader/warm.js, warm-server.js) as a learner meets it: `kubelings check`
 * typed again and again after saves, in a copy of the project (its own exercises/ to save into;
 * node_modules shared by a link), with the server's socket in a folder of the test's own.
 *
 * What must hold: a check after the first is served by the server the first left running, grades
 * what was saved in between and prints what the same check prints without it; no check's options
 * stick to the next; a change to the course outside exercises/ brings a fresh server; a server
 * killed outright, a socket folder others can open, a request that is not a check, and a CLI
 * killed mid-check each end as they should, with nothing left running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { warmGraderWanted, warmServerPids } from '../../tui/grader/warm.js';
import { pidsWithCmdline } from '../support/processes.ts';
import { hasTmux, Tmux } from './tmux.ts';

const EXERCISE = '00-objects/01-selectors';
let project = '';
let base = '';
let home = '';
const stub = () => readFileSync(join(ROOT, 'exercises', 'objects', 'selectors.ts'), 'utf8');
const reference = () => readFileSync(join(ROOT, 'solutions', 'objects', 'selectors.ts'), 'utf8');
const save = (text: string) => writeFileSync(join(project, 'exercises', 'objects', 'selectors.ts'), text);

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBELINGS_HOME: home,
    KUBELINGS_IMPL: '',
    KUBELINGS_PACKS: '',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // The copy's sources differ from the project's by path: the start-up bundle (shared through
    // node_modules) stays the project's own.
    KUBELINGS_NO_BUNDLE: '1',
    KUBELINGS_MODULE_CACHE: 'node_modules/.cache/kubelings/vitest-warm-test',
    KUBELINGS_WARM_GRADER: '1',
    KUBELINGS_WARM_DIR: base,
    KUBELINGS_WARM_IDLE_MS: '300000',
    ...extra,
  };
}

function check(args: string[] = [EXERCISE], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(project, 'tui', 'bin', 'kubelings.js'), 'check', ...args], { cwd: project, env: env(extra), encoding: 'utf8', timeout: 110_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Pids of the warm servers listening in this test's socket folder. */
const servers = () => warmServerPids(base);

/** Pids of every process started from the copy's grader (the server's grader child included). */
const copyProcesses = () => pidsWithCmdline((cmd) => cmd.includes(join(project, 'tui')));

async function until(what: string, condition: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function endServers(): void {
  for (const pid of servers()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
}

/** The lines a check's report holds (its ✓/✗ lines, notes and score), without timings. */
const reportLines = (out: string) => out.split('\n').filter((l) => /^\s*(✓|✗)|Score:|passes\.|not written yet/.test(l));

beforeAll(() => {
  const top = mkdtempSync(join(tmpdir(), 'kubelings-warm-'));
  project = join(top, 'project');
  base = join(top, 'sockets');
  home = join(top, 'home');
  mkdirSync(base);
  mkdirSync(home);
  mkdirSync(project);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'engine', 'tui', 'test', 'solutions', 'lessons', 'exercises'])
    cpSync(join(ROOT, entry), join(project, entry), { recursive: true, filter: (src) => !src.includes(`${join('test', 'bench')}`) });
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  save(stub());
});

afterAll(async () => {
  endServers();
  await until('the warm servers of the test to end', () => servers().length === 0 && copyProcesses().length === 0, 30_000).catch(() => {});
  rmSync(join(project, '..'), { recursive: true, force: true });
});

describe('when a check goes through the warm grader', () => {
  test('only check, at a terminal unless told: KUBELINGS_WARM_GRADER=0 never, =1 always; never with a pack or for --help', () => {
    expect(warmGraderWanted(['check', EXERCISE], {}, true)).toBe(true);
    expect(warmGraderWanted(['check'], {}, false)).toBe(false);
    expect(warmGraderWanted(['check'], { KUBELINGS_WARM_GRADER: '1' }, false)).toBe(true);
    expect(warmGraderWanted(['check'], { KUBELINGS_WARM_GRADER: '0' }, true)).toBe(false);
    expect(warmGraderWanted(['check', '--help'], { KUBELINGS_WARM_GRADER: '1' }, true)).toBe(false);
    expect(warmGraderWanted(['check', '--pack', 'p'], { KUBELINGS_WARM_GRADER: '1' }, true)).toBe(false);
    expect(warmGraderWanted(['check', '--pack=p'], { KUBELINGS_WARM_GRADER: '1' }, true)).toBe(false);
    expect(warmGraderWanted(['check'], { KUBELINGS_WARM_GRADER: '1', KUBELINGS_PACKS: '/p' }, true)).toBe(false);
    for (const verb of ['watch', 'reset', 'list', 'hint', 'grade']) expect(warmGraderWanted([verb], { KUBELINGS_WARM_GRADER: '1' }, true), verb).toBe(false);
  });
});

describe('the warm grader', () => {
  // Each test starts with no server: the ones before it must not be counted or reused.
  beforeEach(async () => {
    endServers();
    await until('the servers of the test before to end', () => servers().length === 0 && copyProcesses().length === 0);
  });

  test('a check after the first is served by the server the first left, grades what was saved in between, and prints what a check without it prints', async () => {
    save(stub());
    const first = check();
    expect(first.code, first.out + first.err).toBe(1);
    expect(first.out).toContain('Score: 0/8');
    const [server] = servers();
    expect(server, 'a warm server listens after the first check').toBeDefined();

    save(`${reference()}\n// saved\n`);
    const second = check();
    expect(second.code, second.out + second.err).toBe(0);
    expect(second.out).toContain(`✓ ${EXERCISE} passes.`);
    save(stub());
    const third = check();
    expect(third.code, third.out + third.err).toBe(1);
    expect(third.out).toContain('Score: 0/8');
    expect(servers(), 'the same server served all three').toEqual([server]);

    const cold = check([EXERCISE], { KUBELINGS_WARM_GRADER: '0' });
    expect(cold.code).toBe(third.code);
    expect(reportLines(third.out)).toEqual(reportLines(cold.out));
    expect(reportLines(third.out).length).toBeGreaterThan(8);
    expect(third.err).toBe(cold.err);
  });

  test('an option of one check (--impl) does not stick to the next one', () => {
    save(stub());
    const reference = check([EXERCISE, '--impl', 'solutions']);
    expect(reference.code, reference.out + reference.err).toBe(0);
    const [server] = servers();
    const mine = check();
    expect(mine.code, 'the next check grades the learner stub again').toBe(1);
    expect(mine.out).toContain('impl exercises:objects');
    expect(servers()).toEqual([server]);
  });

  test('two checks at once are both answered, one after the other', async () => {
    save(stub());
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(project, 'tui', 'bin', 'kubelings.js'), 'check', EXERCISE], { cwd: project, env: env() });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    for (const r of [a, b]) {
      expect(r.code).toBe(1);
      expect(r.out).toContain('Score: 0/8');
    }
  });

  test('a change to the course outside exercises/ ends the server; a fresh one grades', async () => {
    save(stub());
    expect(check().code).toBe(1);
    const [before] = servers();
    appendFileSync(join(project, 'lessons', 'core', '00-objects', '03-labels-and-selectors.md'), '\n');
    save(reference());
    const after = check();
    expect(after.code, after.out + after.err).toBe(0);
    await until('the stale server to end', () => !servers().includes(before!));
    const now = servers();
    expect(now).toHaveLength(1);
    expect(now[0], 'a fresh server').not.toBe(before);
  });

  test('a server killed outright leaves its socket behind; the next check starts another and grades', async () => {
    save(stub());
    expect(check().code).toBe(1);
    const [server] = servers();
    process.kill(server!, 'SIGKILL');
    await until('the killed server to be gone', () => !servers().includes(server!));
    expect(
      readdirSync(join(base, `kubelings-${process.getuid!()}`)).some((f) => f.endsWith('.sock')),
      'its socket file is still there',
    ).toBe(true);
    const next = check();
    expect(next.code, next.out + next.err).toBe(1);
    expect(next.out).toContain('Score: 0/8');
    expect(next.err).toBe('');
    expect(servers()).toHaveLength(1);
  });

  test('a request that is not a check is refused without effect, and the server goes on serving', async () => {
    save(reference());
    expect(check().code).toBe(0);
    const folder = join(base, `kubelings-${process.getuid!()}`);
    const socket = join(
      folder,
      readdirSync(folder).find((f) => f.endsWith('.sock'))!,
    );
    const ask = (line: string) =>
      new Promise<string>((resolve) => {
        const s = connect(socket);
        let got = '';
        s.on('data', (d) => (got += d));
        s.on('error', () => resolve(got));
        s.on('close', () => resolve(got));
        s.write(line);
      });
    expect(await ask(`${JSON.stringify({ protocol: 1, argv: ['reset', EXERCISE, '--yes'] })}\n`)).toBe('');
    expect(await ask('not json\n')).toBe('');
    expect(await ask(`${JSON.stringify({ protocol: 99, argv: ['check'] })}\n`)).toBe('');
    expect(await ask('x'.repeat(70 * 1024))).toBe('');
    expect(readFileSync(join(project, 'exercises', 'objects', 'selectors.ts'), 'utf8'), 'reset never ran').toBe(reference());
    const next = check();
    expect(next.code).toBe(0);
    expect(servers()).toHaveLength(1);
  });

  test('a CLI killed mid-check (Ctrl-C) ends the server and everything the run started', async () => {
    const marks = mkdtempSync(join(tmpdir(), 'kubelings-warm-marks-'));
    save(stub());
    expect(check([EXERCISE], { TMPDIR: marks }).code).toBe(1);
    expect(servers()).toHaveLength(1);
    // A learner's loop that never ends: the check would run until its deadline.
    const looping = stub().replace(/export function matchLabels\(([^)]*)\)[^{]*\{/, (m) => `${m}\n  while (true) {}\n`);
    expect(looping).toContain('while (true)');
    save(looping);
    const child = spawn(process.execPath, [join(project, 'tui', 'bin', 'kubelings.js'), 'check', EXERCISE], { cwd: project, env: env({ TMPDIR: marks }) });
    // The run began: the suites note each test as it starts, in a folder under TMPDIR (grade.ts).
    await until('the hung test to start', () => readdirSync(marks).some((d) => existsSync(join(marks, d, 'running.json'))));
    child.kill('SIGINT');
    await until('the server and its grader child to end', () => servers().length === 0 && copyProcesses().length === 0);
    rmSync(marks, { recursive: true, force: true });
    save(stub());
  });

  test('a server ends by itself once no check came for KUBELINGS_WARM_IDLE_MS, with its socket, even with a connection open that sent nothing', async () => {
    save(stub());
    expect(check([EXERCISE], { KUBELINGS_WARM_IDLE_MS: '1500' }).code).toBe(1);
    expect(servers()).toHaveLength(1);
    // A connection that never sends its check does not keep the server alive.
    const folder0 = join(base, `kubelings-${process.getuid!()}`);
    const silent = connect(
      join(
        folder0,
        readdirSync(folder0).find((f) => f.endsWith('.sock'))!,
      ),
    );
    silent.on('error', () => undefined);
    await until('the idle server to end', () => servers().length === 0 && copyProcesses().length === 0);
    silent.destroy();
    const folder = join(base, `kubelings-${process.getuid!()}`);
    expect(readdirSync(folder).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });

  test('a socket folder that other users can open, or that is theirs, is not used: the check runs as without it and says why', () => {
    const open = mkdtempSync(join(tmpdir(), 'kubelings-warm-open-'));
    const folder = join(open, `kubelings-${process.getuid!()}`);
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    save(stub());
    const r = check([EXERCISE], { KUBELINGS_WARM_DIR: open });
    expect(r.code).toBe(1);
    expect(r.out).toContain('Score: 0/8');
    expect(r.err).toContain(`checking without the warm grader: ${folder} can be opened by other users (mode 777)`);
    expect(readdirSync(folder)).toEqual([]);
    if (process.getuid!() === 0) {
      chmodSync(folder, 0o700);
      chownSync(folder, 65534, 65534);
      const theirs = check([EXERCISE], { KUBELINGS_WARM_DIR: open });
      expect(theirs.code).toBe(1);
      expect(theirs.err).toContain(`${folder} belongs to another user`);
    }
    rmSync(open, { recursive: true, force: true });
  });

  test.skipIf(!hasTmux)(`${hasTmux ? '' : '(skipped: tmux is not installed) '}at a real terminal, with nothing set, the first check starts the server and the second is served by it`, async () => {
    save(stub());
    const tmux = new Tmux();
    try {
      const vars = Object.entries(env({ KUBELINGS_WARM_GRADER: '' }))
        .filter(([name, value]) => name.startsWith('KUBELINGS_') && value)
        .map(([name, value]) => `${name}='${value}'`)
        .join(' ');
      const check = `node tui/bin/kubelings.js check ${EXERCISE}`;
      tmux.start('learner', `cd '${project}' && unset KUBELINGS_WARM_GRADER; export ${vars}; ${check}; echo "[first $?]"; read next; ${check}; echo "[second $?]"; sleep 120`, 100, 40);
      await tmux.waitFor('learner', '[first 1]');
      const [server] = servers();
      expect(server, 'the first check at a terminal left a server').toBeDefined();
      tmux.keys('learner', 'Enter');
      const screen = await tmux.waitFor('learner', '[second 1]');
      expect(screen.match(/Score: 0\/8/g)).toHaveLength(2);
      expect(servers(), 'the second check went to the same server').toEqual([server]);
    } finally {
      tmux.kill();
    }
  });
});
