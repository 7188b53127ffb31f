/**
 * The learner's and instructor's verbs, run as a person runs them: the real `kubelings` command in a
 * child process, with its own state folder, reading what it prints and its exit code.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { FIXTURE, kubelings, packCopy, tempDir } from './cli-harness.ts';

// Each test runs the CLI in a child process (up to 60 s each, in cli-harness.ts), and most grade a
// suite in the grader's own vitest child: several seconds, more on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

describe('check', () => {
  test('on the untouched stub of 00-objects/01-selectors: the "not written yet" paragraph, ✗ lines, Score 0/N, exit 1', () => {
    const { code, out } = kubelings(['check', '00-objects/01-selectors']);
    expect(out).toMatch(/^ {2}matchLabels\(\) is not written yet: this is exercise 00-objects\/01-selectors\. Read lessons\/core\/00-objects\/\S+\.md/m);
    expect(out).toMatch(/^ {2}✗ /m);
    expect(out).toMatch(/^Score: 0\/\d+$/m);
    expect(code).toBe(1);
  });

  test('with --impl solutions: Score N/N and exit 0', () => {
    const { code, out } = kubelings(['check', '00-objects/01-selectors', '--impl', 'solutions']);
    const score = /^Score: (\d+)\/(\d+)$/m.exec(out);
    expect(score, out).not.toBeNull();
    expect(score![1]).toBe(score![2]);
    expect(code).toBe(0);
  });

  test('--json gives the report as data', () => {
    const { code, out } = kubelings(['check', '01-demo/01-double', '--pack', FIXTURE, '--json', '--seed', '7']);
    const reports = JSON.parse(out) as { seed: number; ok: boolean; exercises: { id: string; passed: number; total: number }[] }[];
    expect(reports[0]!.seed).toBe(7);
    expect(reports[0]!.ok).toBe(false);
    expect(reports[0]!.exercises.map((e) => [e.id, e.passed, e.total])).toEqual([['01-demo/01-double', 0, 3]]);
    expect(code).toBe(1);
  });

  test('grading an exercise re-runs the one it builds on, briefly: its state, never its tests or its hint', () => {
    const pack = packCopy(true);
    writeFileSync(join(pack, 'exercises', 'demo', 'later.ts'), readFileSync(join(pack, 'solutions', 'demo', 'later.ts')));
    const { code, out } = kubelings(['check', '01-demo/02-later', '--pack', pack]);
    expect(out).toContain('Re-run, since 02-later builds on it: ✗ 01-double 0/3');
    expect(out).toContain('✗ 01-demo/01-double is not written yet, and 02-later calls its code.');
    expect(out).toContain('Finish it first: npx kubelings check 01-demo/01-double');
    expect(out, "01-double's own tests").not.toContain('double(2) is 4');
    expect(out, "01-double's hint").not.toContain('What is n plus n?');
    expect(out).toMatch(/^Score: 1\/1, but 01-double, which it builds on, fails \(see above\)\.$/m);
    expect(code).toBe(1);
  });

  test('an exercise that builds on nothing re-runs nothing', () => {
    const { out } = kubelings(['check', '01-demo/01-double', '--pack', FIXTURE]);
    expect(out).not.toContain('Re-run');
    expect(out).not.toContain('02-later');
  });

  test('an unknown exercise gets one sentence and exit 2', () => {
    const { code, err } = kubelings(['check', '00-objects/99-nope']);
    expect(err.trim()).toMatch(/^There is no lesson or exercise "00-objects\/99-nope"\./);
    expect(code).toBe(2);
  });

  test('a passing check is recorded, and list shows it', () => {
    const pack = packCopy(true);
    writeFileSync(join(pack, 'exercises', 'demo', 'double.ts'), readFileSync(join(pack, 'solutions', 'demo', 'double.ts')));
    const first = kubelings(['check', '01-demo/01-double', '--pack', pack]);
    expect(first.code).toBe(0);
    const { out } = kubelings(['list', '--pack', pack], { home: first.home });
    expect(out).toMatch(/✓ 01-demo\/01-double\s+Double a number/);
    expect(out).toMatch(/○ 01-demo\/02-later\s+Resolve later/);
    // Titles line up in one column, after the longest id (here, the core pack's longest).
    const starts = out
      .split('\n')
      .filter((l) => /^ {4}[✓●○] /.test(l))
      .map((l) => /^ {4}[✓●○] \S+\s+/.exec(l)![0].length);
    expect(new Set(starts).size, `the columns where titles start: ${[...new Set(starts)].join(', ')}`).toBe(1);
    const progress = JSON.parse(readFileSync(join(first.home, 'progress.json'), 'utf8'));
    expect(progress.version).toBe(1);
    expect(progress.exercises['01-demo/01-double'].passedAt).toMatch(/^\d{4}-/);
  });
});

describe('hint', () => {
  test('reveals the chain one hint at a time, then points at the page', () => {
    const first = kubelings(['hint', '01-demo/01-double', '--pack', FIXTURE]);
    expect(first.out).toContain('Hint 1 of 2: What is n plus n?');
    expect(first.out).not.toContain('Hint 2 of 2');
    const second = kubelings(['hint', '01-demo/01-double', '--pack', FIXTURE], { home: first.home });
    expect(second.out).toContain('Hint 1 of 2: What is n plus n?');
    expect(second.out).toContain('Hint 2 of 2: Reread "The page".');
    expect(second.out).toContain('That was the last hint. Reread test/engine/fixtures/grader-pack/01-demo/01-page.md');
  });
});

describe('reset', () => {
  test('restores the pristine stub without git, after --yes', () => {
    const pack = packCopy(false);
    const file = join(pack, 'exercises', 'demo', 'double.ts');
    const stub = readFileSync(file, 'utf8');
    writeFileSync(file, 'export function double(n: number) { return n; }\n');
    const { code, out } = kubelings(['reset', '01-demo/01-double', '--yes', '--pack', pack]);
    expect(out).toContain('is back to the original stub');
    expect(code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(stub);
  });

  test('without a terminal to ask on and without --yes, it changes nothing and says how to confirm', () => {
    const pack = packCopy(false);
    const file = join(pack, 'exercises', 'demo', 'double.ts');
    writeFileSync(file, 'my work\n');
    const { code, err } = kubelings(['reset', '01-demo/01-double', '--pack', pack]);
    expect(err).toMatch(/reset replaces your work in .*double\.ts: add --yes to confirm\./);
    expect(code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('my work\n');
  });
});

describe('packs', () => {
  test('pack check names the file and line of a YAML error', () => {
    const pack = packCopy(false);
    const lesson = join(pack, '01-demo', 'lesson.yaml');
    writeFileSync(lesson, readFileSync(lesson, 'utf8').replace('title: Demo', 'title: [Demo'));
    const { code, out } = kubelings(['pack', 'check', pack]);
    // The parser notices the unclosed [ where the next line starts.
    expect(out).toContain('01-demo/lesson.yaml:3:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]');
    expect(code).toBe(1);
  });

  test('pack check names the file, line and field of a schema error', () => {
    const pack = packCopy(false);
    const lesson = join(pack, '01-demo', 'lesson.yaml');
    writeFileSync(lesson, readFileSync(lesson, 'utf8').replace('      - Which function schedules work for later?\n', '').replace('    hints:\n    \n', ''));
    const text = readFileSync(lesson, 'utf8').replace(/(  - id: 02-later[\s\S]*?)    hints:\n/, '$1    hints: []\n');
    writeFileSync(lesson, text);
    const { code, out } = kubelings(['pack', 'check', pack]);
    const line = text.split('\n').findIndex((l) => l.includes('hints: []')) + 1;
    expect(out).toContain(`01-demo/lesson.yaml:${line}:12: exercises[1].hints: needs at least one hint`);
    expect(code).toBe(1);
  });

  test('a broken pack is reported and the other packs still load', () => {
    const broken = packCopy(false);
    writeFileSync(join(broken, 'pack.yaml'), 'id: broken\ntitle: [\n');
    const { code, out, err } = kubelings(['list'], { env: { KUBELINGS_PACKS: broken } });
    expect(err).toMatch(/Lesson pack .*grader-pack could not be loaded; the other packs still work:\n\s+.*grader-pack\/pack\.yaml:3:1: YAML syntax: /);
    expect(out).toContain('00-objects/01-selectors');
    expect(code).toBe(0);
  });

  test('pack new scaffolds a pack outside the project that pack check proves', () => {
    const dir = join(tempDir('new-pack-'), 'my-pack');
    const made = kubelings(['pack', 'new', dir]);
    expect(made.code).toBe(0);
    expect(existsSync(join(dir, 'pack.yaml'))).toBe(true);
    const { code, out } = kubelings(['pack', 'check', dir]);
    expect(out).toMatch(/✓ 01-first-lesson\/01-double: 2 tests pass on the reference and fail on the stub/);
    expect(out).toContain('✓ pack check passed');
    expect(code).toBe(0);
  });

  test('pack new refuses a folder that is not empty', () => {
    const dir = tempDir('full-');
    writeFileSync(join(dir, 'x'), '');
    const { code, err } = kubelings(['pack', 'new', dir]);
    expect(err).toMatch(/already exists and is not empty/);
    expect(code).toBe(2);
  });
});

describe('progress', () => {
  test('a corrupt progress file is set aside with a warning, never lost', () => {
    const home = tempDir('home-');
    writeFileSync(join(home, 'progress.json'), '{"version": 1, "exercises": {');
    const { err } = kubelings(['hint', '01-demo/01-double', '--pack', FIXTURE], { home });
    expect(err).toMatch(/warning: Your progress file could not be used because it is not valid JSON .* It was kept as .*progress\.json\.corrupt-/);
    const aside = readdirSync(home).find((f) => f.startsWith('progress.json.corrupt-'))!;
    expect(readFileSync(join(home, aside), 'utf8')).toBe('{"version": 1, "exercises": {');
    expect(JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).exercises['01-demo/01-double'].hintsRevealed).toBe(1);
  });

  test('a progress file from a newer kubelings is set aside, not overwritten', () => {
    const home = tempDir('home-');
    writeFileSync(join(home, 'progress.json'), '{"version": 99, "exercises": {}}');
    const { err } = kubelings(['hint', '01-demo/01-double', '--pack', FIXTURE], { home });
    expect(err).toMatch(/written by a newer kubelings \(format 99; this one reads 1\)/);
    const aside = readdirSync(home).find((f) => f.startsWith('progress.json.v99-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(home, aside!), 'utf8')).toBe('{"version": 99, "exercises": {}}');
  });
});

test('an unknown command gets one sentence and exit 2', () => {
  const { code, err } = kubelings(['frobnicate']);
  expect(err.trim()).toBe('Unknown command "frobnicate". Run npx kubelings --help to see them all.');
  expect(code).toBe(2);
});

test('--version prints the version and exits without opening the TUI (no terminal needed)', () => {
  const { code, out } = kubelings(['--version']);
  const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  expect(out).toBe(`kubelings ${version}\n`);
  expect(code).toBe(0);
});
