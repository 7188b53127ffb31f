/**
 * The rough edges a first learner hit, each run as they ran it (the real `kubelings` command):
 * help for every verb, grading that never passes code it did not grade, hints and checks that
 * default to the current exercise with one numbering, progress that tells the truth after a
 * failure or a reset, an exercise from a pack that is not loaded, and the editor.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { FIXTURE, kubelings, packCopy, tempDir } from './cli-harness.ts';

// Every test runs the real command, several times for most: time for a busy machine.
vi.setConfig({ testTimeout: 180_000 });

describe('help', () => {
  // Before: `check --help` printed the general text and then never exited (the grader started
  // for check kept the process alive), for about 20 minutes until killed.
  test.each([
    ['check', /^Usage: npx kubelings check \[exercise \| lesson \| --all\]/],
    ['watch', /^Usage: npx kubelings watch \[exercise\]/],
    ['hint', /^Usage: npx kubelings hint \[exercise\]/],
    ['edit', /^Usage: npx kubelings edit \[exercise\]/],
    ['reset', /^Usage: npx kubelings reset <exercise>/],
    ['list', /^Usage: npx kubelings list/],
    ['pack', /^Usage: npx kubelings pack check/],
    ['explain', /^Usage: npx kubelings explain pod NAME/],
    ['start', /^Usage: npx kubelings \[start\]/],
    ['cluster', /^kubelings cluster: run the engine/],
  ])('%s --help prints its help and exits at once', (verb, usage) => {
    for (const flag of ['--help', '-h']) {
      const { code, out, signal } = kubelings([verb, flag], { timeoutMs: 20_000 });
      expect(signal, `${verb} ${flag} was still running after 20 s`).toBeNull();
      expect(out, `${verb} ${flag}`).toMatch(usage);
      expect(code).toBe(0);
    }
  });

  test('--help lists every verb, explain and edit included; help VERB is VERB --help', () => {
    const { out } = kubelings(['--help']);
    for (const verb of ['list', 'check', 'watch', 'hint', 'edit', 'reset', 'pack check', 'pack new', 'cluster', 'explain pod NAME']) {
      expect(out, verb).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    }
    expect(kubelings(['help', 'check']).out).toBe(kubelings(['check', '--help']).out);
  });
});

describe('honest grading', () => {
  /** The fixture pack with a double() that is wrong: it triples. */
  function brokenDouble(): string {
    const pack = packCopy(true);
    writeFileSync(join(pack, 'exercises', 'demo', 'double.ts'), 'export function double(n: number): number {\n  return n * 3;\n}\n');
    return pack;
  }

  // Before: with the component not complete, `mine` meant the reference for it, and the check
  // printed "(…, impl solutions) … Score: 3/3 ✓ passes" for code it never loaded.
  test('--impl mine with a broken exercise grades that exercise and never prints a pass', () => {
    const pack = brokenDouble();
    const { code, out } = kubelings(['check', '01-demo/01-double', '--pack', pack, '--impl', 'mine']);
    expect(out).toMatch(/\(\S*exercises\/demo\/double\.ts; impl exercises:demo\)/);
    expect(out).toMatch(/^Score: 0\/3$/m);
    expect(out).not.toMatch(/passes|✓ 01-demo\/01-double/);
    expect(code).toBe(1);
    const json = JSON.parse(kubelings(['check', '01-demo/01-double', '--pack', pack, '--impl', 'mine', '--json']).out);
    expect([json[0].graded, json[0].ok], 'graded and verdict, as JSON').toEqual(['exercises', false]);
  });

  test("--impl exercises:<another component> still grades the learner's own file", () => {
    const { out } = kubelings(['check', '01-demo/01-double', '--pack', brokenDouble(), '--impl', 'exercises:etcd']);
    expect(out).toMatch(/^Score: 0\/3$/m);
  });

  test("--impl solutions says the reference was graded, not the learner's file, and records nothing", () => {
    const pack = brokenDouble();
    const { code, out, home } = kubelings(['check', '01-demo/01-double', '--pack', pack, '--impl', 'solutions']);
    expect(out).toMatch(/\(the reference \S*solutions\/demo\/double\.ts, not your file; impl solutions\)/);
    expect(out).toContain('The reference passes (01-demo/01-double). Your own file was not graded: leave out --impl to grade it.');
    expect(out).not.toMatch(/✓ 01-demo\/01-double passes/);
    expect(code).toBe(0);
    expect(existsSync(join(home, 'progress.json')) ? JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).exercises : {}, 'progress').toEqual({});
  });
});

describe('the current exercise, and one numbering of hints', () => {
  // Before: `hint` with no exercise exited 2, and a failed check printed "Hint 1 of 2" that it
  // did not count, so the first `hint` (or h in watch) showed "Hint 1 of 2" again.
  test('check and hint with no exercise work on the first not passed; a check reveals no hint, and hint numbers follow on', () => {
    const check = kubelings(['check']);
    expect(check.out).toMatch(/^Checking 00-objects\/01-selectors, the first exercise not passed yet\./);
    expect(check.out).not.toMatch(/Hint \d+ of/);
    const home = check.home;
    const first = kubelings(['hint'], { home });
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^00-objects\/01-selectors /);
    expect(first.out).toMatch(/^Hint 1 of \d+: /m);
    const pack = packCopy(true);
    writeFileSync(join(pack, 'exercises', 'demo', 'double.ts'), 'export function double(n: number): number {\n  return n * 3;\n}\n');
    const wrong = kubelings(['check', '01-demo/01-double', '--pack', pack], { home });
    expect(wrong.out, 'before any hint').toContain('Stuck? npx kubelings hint 01-demo/01-double shows hint 1 of 2.');
    kubelings(['hint', '01-demo/01-double', '--pack', pack], { home });
    const again = kubelings(['check', '01-demo/01-double', '--pack', pack], { home });
    expect(again.out, 'the hint revealed, repeated').toContain('Hint 1 of 2: What is n plus n?');
    expect(again.out, 'and how to get the next').toContain('Next hint: npx kubelings hint 01-demo/01-double');
    const second = kubelings(['hint', '01-demo/01-double', '--pack', pack], { home });
    expect(second.out, 'the next hint is 2, not 1 again').toContain('Hint 2 of 2: Reread "The page".');
  });
});

describe('progress tells the truth', () => {
  const passedAt = (home: string, id: string): string | undefined => JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).exercises[id]?.passedAt;
  const listed = (home: string, pack: string) => {
    const rows = JSON.parse(kubelings(['list', '--pack', pack, '--json'], { home }).out) as { id: string; state: string }[];
    return Object.fromEntries(rows.filter((r) => r.id.startsWith('01-demo/')).map((r) => [r.id, r.state]));
  };

  // Before: each check re-ran the earlier exercises and overwrote their passedAt; and after a
  // reset of 01, list still showed 02 passed though 02 calls 01's code.
  test('passedAt is the first pass and stays; a failure of the code it builds on or a reset shows in list and --json at once', async () => {
    const pack = packCopy(true);
    for (const file of ['double.ts', 'later.ts']) writeFileSync(join(pack, 'exercises', 'demo', file), readFileSync(join(pack, 'solutions', 'demo', file)));
    const first = kubelings(['check', '01-demo/01-double', '--pack', pack]);
    const home = first.home;
    const firstPass = passedAt(home, '01-demo/01-double');
    expect(firstPass, 'recorded').toMatch(/^\d{4}-/);
    await new Promise((r) => setTimeout(r, 20));
    expect(kubelings(['check', '01-demo/02-later', '--pack', pack], { home }).code, '02 passes, with 01 re-run').toBe(0);
    expect(passedAt(home, '01-demo/01-double'), 're-run under 02: the first pass is kept').toBe(firstPass);
    expect(listed(home, pack)).toEqual({ '01-demo/01-double': 'passed', '01-demo/02-later': 'passed' });

    // 01 breaks while the learner works on 02: checking 02 shows it, and list agrees.
    writeFileSync(join(pack, 'exercises', 'demo', 'double.ts'), 'export function double(n: number): number {\n  return n * 3;\n}\n');
    kubelings(['check', '01-demo/02-later', '--pack', pack], { home });
    expect(listed(home, pack)['01-demo/01-double'], '01 after failing as a re-run').toBe('attempted');

    // Fixed, then reset: 02 builds on 01, so it no longer passes either.
    writeFileSync(join(pack, 'exercises', 'demo', 'double.ts'), readFileSync(join(pack, 'solutions', 'demo', 'double.ts')));
    kubelings(['check', '01-demo/02-later', '--pack', pack], { home });
    expect(listed(home, pack), 'both pass again').toEqual({ '01-demo/01-double': 'passed', '01-demo/02-later': 'passed' });
    expect(kubelings(['reset', '01-demo/01-double', '--yes', '--pack', pack], { home }).code).toBe(0);
    expect(listed(home, pack), 'after reset of 01').toEqual({ '01-demo/01-double': 'attempted', '01-demo/02-later': 'attempted' });
    expect(kubelings(['list', '--pack', pack], { home }).out).toMatch(/● 01-demo\/02-later/);
  });
});

describe('an exercise of a pack that is not loaded', () => {
  // Before: "There is no lesson or exercise" and nothing about packs.
  test('check names the pack that has it and the --pack to add', () => {
    const cwd = tempDir('course-');
    expect(kubelings(['pack', 'new', 'my-pack'], { cwd }).code).toBe(0);
    const { code, err } = kubelings(['check', '01-first-lesson/01-double'], { cwd });
    expect(err.trim()).toBe(
      'There is no lesson or exercise "01-first-lesson/01-double" in the packs loaded, but the lesson pack in my-pack has it: ' +
        'add --pack my-pack (for example npx kubelings check 01-first-lesson/01-double --pack my-pack), or export KUBELINGS_PACKS=my-pack to load it every time.',
    );
    expect(code).toBe(2);
    expect(kubelings(['check', '01-first-lesson/01-double', '--pack', 'my-pack'], { cwd }).out).toMatch(/^Score: 0\/2$/m);
  });
});

describe('pack new', () => {
  test('the stub names its page by a path that opens from the project root; index.ts and lesson.yaml say how to add an exercise', () => {
    const dir = join(tempDir('inside-', true), 'my-pack');
    expect(kubelings(['pack', 'new', dir]).code).toBe(0);
    const stub = readFileSync(join(dir, 'exercises', 'my-basics', 'double.ts'), 'utf8');
    const page = /new NotImplemented\('[^']+', '([^']+)'/.exec(stub)![1]!;
    expect(existsSync(join(ROOT, page)), `${page} opens from the project root`).toBe(true);
    const index = readFileSync(join(dir, 'exercises', 'my-basics', 'index.ts'), 'utf8');
    expect(index).not.toMatch(/Don't change this file/);
    expect(index).toMatch(/To add an exercise, import its\s+(\/\/\s+)?functions and add them here/);
    const lesson = readFileSync(join(dir, '01-first-lesson', 'lesson.yaml'), 'utf8');
    expect(lesson).toMatch(/# To add a second exercise:/);
    expect(lesson).toMatch(/builds_on/);
    const { out } = kubelings(['check', '01-first-lesson/01-double', '--pack', dir]);
    expect(out, 'what a learner reads').toContain(`Read ${page}, then fill in the TODO`);
  });

  test("the scaffold's recipe for a second exercise, followed to the letter, gives a pack that pack check proves", () => {
    const dir = join(tempDir('second-', true), 'my-pack');
    kubelings(['pack', 'new', dir]);
    const steps = readFileSync(join(dir, '01-first-lesson', 'lesson.yaml'), 'utf8');
    expect(steps).toContain('npx kubelings pack seal');
    // The recipe, as an instructor follows it: a stub, a reference, a suite, index.ts and lesson.yaml.
    const c = join(dir, 'exercises', 'my-basics');
    writeFileSync(
      join(c, 'clamp.ts'),
      "import { NotImplemented } from '#engine/errors.ts';\n\nexport function clamp(n: number, low: number, high: number): number {\n  // TODO: n, but at least low and at most high.\n  throw new NotImplemented('01-first-lesson/02-clamp', 'page', 'clamp()');\n}\n",
    );
    writeFileSync(join(dir, 'solutions', 'my-basics', 'clamp.ts'), 'export function clamp(n: number, low: number, high: number): number {\n  return Math.min(high, Math.max(low, n));\n}\n');
    for (const tree of ['exercises', 'solutions']) {
      const index = join(dir, tree, 'my-basics', 'index.ts');
      writeFileSync(
        index,
        readFileSync(index, 'utf8')
          .replace("import { double } from './double.ts';", "import { clamp } from './clamp.ts';\nimport { double } from './double.ts';")
          .replace('export default { double }', 'export default { double, clamp }'),
      );
    }
    mkdirSync(join(dir, 'test', 'my-basics'), { recursive: true });
    writeFileSync(
      join(dir, 'test', 'my-basics', '02-clamp.test.ts'),
      "import { expect, test } from 'vitest';\nimport { loadComponent } from '#engine/impl.ts';\n\nconst { clamp } = (await loadComponent('my-basics' as never)) as { clamp(n: number, l: number, h: number): number };\n\ntest('clamp(5, 0, 3) is 3', () => {\n  expect(clamp(5, 0, 3), 'clamp(5, 0, 3)').toBe(3);\n});\n",
    );
    const lesson = join(dir, '01-first-lesson', 'lesson.yaml');
    writeFileSync(
      lesson,
      `${readFileSync(lesson, 'utf8').trimEnd()}\n  - id: 02-clamp\n    title: Clamp a number\n    file: my-basics/clamp.ts\n    suite: my-basics/02-clamp.test.ts\n    page: 01-why.md\n    task: >\n      Make clamp(n, low, high) keep n between low and high.\n    hints:\n      - What if n is below low?\n`,
    );
    expect(kubelings(['pack', 'seal', dir]).code).toBe(0);
    const { code, out } = kubelings(['pack', 'check', dir]);
    expect(out).toContain('✓ 01-first-lesson/02-clamp: 1 test passes on the reference and fails on the stub');
    expect(code, out).toBe(0);
  });
});

describe('edit', () => {
  /** An "editor" that appends a line to the file it is given, and notes how it was called. */
  function fakeEditor(dir: string, name = 'fake-editor'): string {
    const script = join(dir, name);
    writeFileSync(script, `#!/bin/sh\necho "$@" > "${join(dir, `${name}.args`)}"\nfor last; do :; done\necho '// edited' >> "$last"\n`);
    chmodSync(script, 0o755);
    return script;
  }

  test("opens the current exercise's file in $EDITOR (arguments and all), and VISUAL comes first", () => {
    const pack = packCopy(true);
    const tools = tempDir('editor-');
    const editor = fakeEditor(tools);
    const file = join(pack, 'exercises', 'demo', 'double.ts');
    const { code, out } = kubelings(['edit', '01-demo/01-double', '--pack', pack], { env: { EDITOR: `${editor} --wait`, VISUAL: '' } });
    expect(code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/\/\/ edited\n$/);
    expect(readFileSync(`${editor}.args`, 'utf8').trim()).toBe(`--wait ${file}`);
    expect(out).toContain('Grade it with: npx kubelings check 01-demo/01-double');
    const visual = fakeEditor(tools, 'visual-editor');
    kubelings(['edit', '01-demo/01-double', '--pack', pack], { env: { EDITOR: editor, VISUAL: visual } });
    expect(existsSync(`${visual}.args`), 'VISUAL was used').toBe(true);
  });

  test('with no editor set and none installed, one sentence says how to set one; exit 2', () => {
    const { code, err } = kubelings(['edit', '01-demo/01-double', '--pack', FIXTURE], { env: { EDITOR: '', VISUAL: '', PATH: tempDir('empty-path-') } });
    expect(err.trim()).toBe(
      'No editor to open test/engine/fixtures/grader-pack/exercises/demo/double.ts with: set one, for example export EDITOR=nano (or EDITOR="code --wait"), or open the file in your own editor.',
    );
    expect(code).toBe(2);
  });

  test('an editor that is not installed is named, and the file is left as it was', () => {
    const { code, err } = kubelings(['edit', '01-demo/01-double', '--pack', FIXTURE], { env: { EDITOR: 'no-such-editor-here', VISUAL: '' } });
    // The shell says "not found" first, in its own words; then kubelings, in one sentence.
    expect(err).toMatch(
      /^The editor "no-such-editor-here" exited with code 127 \(is it installed\? Set VISUAL or EDITOR to one that is\); test\/engine\/fixtures\/grader-pack\/exercises\/demo\/double\.ts is as you left it\.$/m,
    );
    expect(code).toBe(1);
  });
});
