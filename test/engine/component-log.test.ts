/**
 * A component process's log is bounded within a run (logs/NAME.log, engine/cluster/bounded-log.ts):
 * past the limit the file becomes NAME.log.old (one kept) and a new one begins, cut at a line's
 * end; nothing between the two files is lost or doubled; a line longer than the limit is cut where
 * the file is full; a failed rotation is reported once and never throws at the supervisor. Then a
 * real component process that logs ~100 KB under a Supervisor with a 20 KB bound.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BoundedLog, overflowFile } from '#engine/cluster/bounded-log.ts';
import { startCluster } from '#engine/cluster/cluster.ts';
import { createLogger } from '#engine/cluster/logger.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { Supervisor } from '#engine/cluster/supervisor.ts';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

test("past the limit the log moves to NAME.log.old at a line's end; the two files hold the newest output, in order, nothing lost at the cut", () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-blog-'));
  const file = join(dir, 'c.log');
  try {
    const log = new BoundedLog(file, 100);
    const lines = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'y'.repeat(i % 7)}\n`);
    const all = Buffer.from(lines.join(''));
    // Chunks as a pipe gives them: cut anywhere, mid-line included.
    for (let at = 0, step = 1; at < all.length; at += step, step = ((step * 7) % 23) + 1) log.write(all.subarray(at, Math.min(at + step, all.length)));
    log.close();
    const current = read(file);
    const old = read(overflowFile(file));
    expect(old.length, 'a rotation happened').toBeGreaterThan(0);
    const longest = Math.max(...lines.map((l) => l.length));
    for (const [what, text] of [
      ['c.log', current],
      ['c.log.old', old],
    ] as const) {
      expect(Buffer.byteLength(text), `${what}: at most the limit plus the rest of one line`).toBeLessThanOrEqual(100 + longest);
      expect(text.endsWith('\n'), `${what} ends at a line's end`).toBe(true);
    }
    expect(all.toString().endsWith(old + current), 'the two files are the newest output, in order, nothing lost or doubled at the cut').toBe(true);
    expect(current.split('\n').filter(Boolean).pop()).toBe(lines[39]!.trimEnd());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reopened in the same run (a restarted component), the size already written counts; a line longer than the limit is cut where the file is full', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-blog-'));
  const file = join(dir, 'c.log');
  try {
    const first = new BoundedLog(file, 50);
    first.write(Buffer.from(`${'a'.repeat(39)}\n`));
    first.close();
    const again = new BoundedLog(file, 50);
    again.write(Buffer.from(`${'b'.repeat(19)}\n`)); // 40 + 20 > 50: rotated before
    expect(read(overflowFile(file))).toBe(`${'a'.repeat(39)}\n`);
    expect(read(file)).toBe(`${'b'.repeat(19)}\n`);
    const long = 'z'.repeat(180);
    for (let i = 0; i < long.length; i += 30) again.write(Buffer.from(long.slice(i, i + 30))); // no newline at all
    again.write(Buffer.from('\n'));
    again.close();
    expect(statSync(file).size, 'the endless line was cut: the file holds at most the limit plus one chunk').toBeLessThanOrEqual(50 + 30);
    expect(read(overflowFile(file)) + read(file)).toMatch(/z+\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile: the logs folder removed under it: the failure is reported once, nothing throws, writes go on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-blog-'));
  const problems: string[] = [];
  const log = new BoundedLog(join(dir, 'c.log'), 10, (p) => void problems.push(p));
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < 50; i++) expect(() => log.write(Buffer.from('a line past the limit\n'))).not.toThrow();
  log.close();
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^cannot rotate .*c\.log: ENOENT/);
});

test('a component process that logs ~100 KB under a 20 KB bound: logs/chatty.log and .old stay bounded and end with its last lines, stderr included', { timeout: 120_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'kubelings-chatty-'));
  const cluster = await startCluster();
  const paths = clusterPaths(home);
  const supervisor = new Supervisor({
    server: cluster.url,
    ca: cluster.ca,
    issueToken: (u) => cluster.apiserver.issueToken(u),
    dataDir: join(home, 'data'),
    flags: { lines: 1000 },
    paths,
    logger: createLogger(undefined),
    logMaxBytes: 20_000,
    // Its stderr marker is written as it stops: on a loaded machine 4 s may pass before it gets to.
    stopTimeoutMs: 60_000,
    env: { KUBELINGS_HOME: home },
  });
  try {
    await supervisor.start([{ name: 'chatty', module: 'test/engine/fixtures/components/chatty.ts', factory: 'components', user: { username: 'chatty', groups: [] } }]);
    expect(supervisor.states()[0]?.phase, 'started (waited for its ready)').toBe('running');
    const log = join(paths.logsDir, 'chatty.log');
    // Up to a pipe's worth (64 KB) of its stdout may still be unread when it says ready; a stderr
    // line written now could be read before that and rotated away behind it. So the stop (and
    // its stderr marker) waits until the log has its last stdout line.
    for (const until = Date.now() + 60_000; !read(log).includes('"chatty done"');) {
      if (Date.now() > until) throw new Error(`waited 60 s for "chatty done" in chatty.log; it ends: ${read(log).slice(-300)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await supervisor.stop(); // waits for its pipes to close: everything it wrote is in the files
    const current = read(log);
    const old = read(overflowFile(log));
    for (const [what, text] of [
      ['chatty.log', current],
      ['chatty.log.old', old],
    ] as const)
      expect(Buffer.byteLength(text), what).toBeLessThanOrEqual(20_000 + 200);
    expect(Buffer.byteLength(old), 'the old file was filled with whole lines up to the bound').toBeGreaterThan(20_000 - 200);
    expect(old + current, 'stderr goes to the same log').toContain('chatty on stderr\n');
    expect(current).toMatch(/"chatty done"\n[^]*"stopping" why=SIGTERM\n/);
    const numbers = (old + current)
      .split('\n')
      .flatMap((l) => /n=(\d{6})/.exec(l)?.[1] ?? [])
      .map(Number);
    expect(numbers.at(-1)).toBe(999);
    expect(numbers, 'the newest lines, in order, none lost at the cut').toEqual(Array.from({ length: numbers.length }, (_, i) => 1000 - numbers.length + i));
  } finally {
    await supervisor.stop();
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
