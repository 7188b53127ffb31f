/**
 * Progress that survives bad values and concurrency: every entry is validated on its own (a bad
 * one is left out with a warning, the rest kept), updates from several processes at once are
 * serialised by a lock file (none is lost), a lock left by a killed process is taken over, and a
 * progress file that cannot be written never costs the learner their grade.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { FIXTURE_PACK, kubelings, removeTemps, tempDir } from '../support/cli.ts';

afterAll(removeTemps);

/** A state folder holding `progress` as its progress.json. */
function homeWith(progress: unknown): string {
  const home = tempDir('kubelings-home-');
  writeFileSync(join(home, 'progress.json'), typeof progress === 'string' ? progress : JSON.stringify(progress));
  return home;
}

const readProgress = (home: string) => JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
const check = (home: string) => kubelings(['check', '01-demo/01-double', '--pack', FIXTURE_PACK], { home });

describe('bad values', () => {
  test('an exercise recorded as "yes" is left out with a warning; check grades and records as usual', () => {
    const home = homeWith({ version: 1, exercises: { '01-demo/01-double': 'yes', '01-demo/02-later': { attempts: 2, hintsRevealed: 1 } }, quiz: {}, pages: {} });
    const { code, out, err } = check(home);
    expect(err).not.toContain('bug of its own');
    expect(err).toMatch(
      /warning: Some entries of your progress file were not valid and were left out: exercises\."01-demo\/01-double" is "yes", not an exercise record\. The rest is kept, and the file as it was is in .*progress\.json\.invalid-/,
    );
    expect(out).toMatch(/^Score: 0\/3$/m);
    expect(code).toBe(1);
    const saved = readProgress(home);
    expect(saved.exercises['01-demo/01-double']).toEqual({ attempts: 1, hintsRevealed: 0 });
    expect(saved.exercises['01-demo/02-later'], 'the rest is kept').toEqual({ attempts: 2, hintsRevealed: 1 });
    const kept = readdirSync(home).find((f) => f.startsWith('progress.json.invalid-'))!;
    expect(JSON.parse(readFileSync(join(home, kept), 'utf8')).exercises['01-demo/01-double'], 'nothing is lost').toBe('yes');
  });

  test('"attempts": "3" is reset to 0 with a warning, so a check makes it 1, never "31"', () => {
    const home = homeWith({ version: 1, exercises: { '01-demo/01-double': { attempts: '3', hintsRevealed: 0, passedAt: 'not a time' } } });
    const { err } = check(home);
    expect(err).toContain('exercises."01-demo/01-double".attempts is "3", not a whole number: it is 0 again');
    expect(err).toContain('exercises."01-demo/01-double".passedAt is "not a time", not a time');
    expect(readProgress(home).exercises['01-demo/01-double'].attempts).toBe(1);
  });

  test('pages, quiz answers and the place to resume are validated one by one', async () => {
    const home = homeWith({
      version: 1,
      pages: { '00-objects': 'abc', '01-etcd': 2 },
      quiz: { '00-objects': { q1: 1, q2: 'b' }, '01-etcd': 7 },
      current: { lesson: '00-objects', screen: 'somewhere' },
      completeComponents: 'objects',
      extra: 'kept for a newer kubelings',
    });
    const before = process.env.KUBELINGS_HOME;
    process.env.KUBELINGS_HOME = home;
    try {
      const { loadProgress } = await import('../../tui/progress.ts');
      const { progress, warning } = loadProgress();
      expect(progress.pages).toEqual({ '01-etcd': 2 });
      expect(progress.quiz).toEqual({ '00-objects': { q1: 1 } });
      expect(progress.current).toBeUndefined();
      expect(progress.completeComponents).toEqual([]);
      for (const part of [
        'pages."00-objects" is "abc", not a page number',
        'quiz."00-objects"."q2" is "b", not a choice number',
        'quiz."01-etcd" is 7, not a set of answers',
        'current is {"lesson":"00-objects","screen":"somewhe…, not a place in the course',
      ]) {
        expect(warning).toContain(part);
      }
    } finally {
      process.env.KUBELINGS_HOME = before;
    }
  });
});

describe('the TUI with a bad page number', () => {
  test('opening the lesson shows its first page instead of exiting with a bug', async () => {
    const { fixtureCourse, renderApp, until } = await import('./helpers.tsx');
    const { loadMarkdown } = await import('../../tui/app/useMarkdown.ts');
    await loadMarkdown();
    const home = homeWith({ version: 1, pages: { '00-tally': 'abc' }, current: { lesson: '00-tally', screen: 'lesson' } });
    const before = process.env.KUBELINGS_HOME;
    process.env.KUBELINGS_HOME = home;
    try {
      const app = await renderApp({ course: fixtureCourse(), at: [{ screen: 'lesson', lesson: 'fixture/00-tally' }] });
      expect(await until(app, 'page 1/2')).toContain('Counting votes › Why count');
      expect(app.exited()).toBe(false);
      app.unmount();
    } finally {
      process.env.KUBELINGS_HOME = before;
    }
  });
});

describe('a progress file that cannot be written', () => {
  test('check still prints the grade, says progress could not be saved, and exits as the grade says', () => {
    const home = tempDir('kubelings-home-');
    // A folder where the file should be: unwritable even for root, which file modes do not stop.
    mkdirSync(join(home, 'progress.json', 'in-the-way'), { recursive: true });
    const { code, out, err } = check(home);
    expect(out).toMatch(/^Score: 0\/3$/m);
    expect(err).toMatch(/warning: Your progress could not be saved \(.*\)\. Check that .* can be written; the result above still stands\./);
    expect(err).not.toContain('bug of its own');
    expect(code).toBe(1);
  });
});

describe('several processes at once', () => {
  /** Runs `processes` writers at once, each recording `each` attempts; resolves when all are done. */
  function writersAtOnce(home: string, processes: number, each: number): Promise<string[]> {
    const script = join(ROOT, 'test', 'support', 'bump-progress.ts');
    return Promise.all(
      Array.from(
        { length: processes },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', script, 'demo/one', String(each)], {
              cwd: ROOT,
              env: { ...process.env, KUBELINGS_HOME: home },
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let err = '';
            child.stderr.on('data', (c: Buffer) => (err += c.toString()));
            child.on('close', (code) => resolve(code === 0 ? '' : `exit ${code}: ${err}`));
          }),
      ),
    );
  }

  test('four processes recording 25 attempts each record all 100', async () => {
    const home = tempDir('kubelings-home-');
    const failures = await writersAtOnce(home, 4, 25);
    expect(failures.filter(Boolean)).toEqual([]);
    expect(readProgress(home).exercises['demo/one'].attempts).toBe(100);
    expect(existsSync(join(home, 'progress.json.lock')), 'the lock is released').toBe(false);
  }, 60_000);

  test('a lock left by a process that was killed is taken over at once', async () => {
    const home = tempDir('kubelings-home-');
    writeFileSync(join(home, 'progress.json.lock'), '999999999\n'); // no such process
    expect(await writersAtOnce(home, 1, 1)).toEqual(['']);
    expect(readProgress(home).exercises['demo/one'].attempts).toBe(1);
  }, 30_000);

  test('a lock far older than any update is taken over even when its pid is alive again (reused)', async () => {
    const home = tempDir('kubelings-home-');
    const lock = join(home, 'progress.json.lock');
    writeFileSync(lock, `${process.pid}\n`); // alive: this test's own process
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    expect(await writersAtOnce(home, 1, 1)).toEqual(['']);
    expect(readProgress(home).exercises['demo/one'].attempts).toBe(1);
  }, 30_000);
});
