/**
 * Lesson packs stay in their folder: a path in pack.yaml, lesson.yaml or a `.pristine.json` seal
 * that leads outside (`../../../../etc/passwd`, an absolute path, or a link inside the pack that
 * points outside) is refused with its file and line, by loading, by `pack check`, and by `reset`,
 * which never writes outside the pack's exercises.
 */
import { existsSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatIssue, loadCourse, loadPack, PackLoadError, type Pack } from '../../tui/course/load.ts';
import { extractPristine, restore } from '../../tui/pristine.ts';
import { kubelings, packCopy, removeTemps, tempDir } from '../support/cli.ts';

afterAll(removeTemps);

/** A pack copy with lesson.yaml (or pack.yaml) edited; returns the pack folder. */
function editedPack(edit: { lesson?: (text: string) => string; pack?: (text: string) => string }): string {
  const dir = packCopy({ inside: false });
  for (const [file, change] of [
    [join(dir, '01-demo', 'lesson.yaml'), edit.lesson],
    [join(dir, 'pack.yaml'), edit.pack],
  ] as const) {
    if (change) writeFileSync(file, change(readFileSync(file, 'utf8')));
  }
  return dir;
}

function issuesOf(dir: string): string[] {
  try {
    loadPack(dir);
    return [];
  } catch (error) {
    if (!(error instanceof PackLoadError)) throw error;
    return error.issues.map((i) => formatIssue({ ...i, file: i.file.replace(dir, 'PACK') }));
  }
}

const PASSWD = '../../../../../../../../etc/passwd';

describe('paths in lesson.yaml', () => {
  test("an exercise's file: that climbs out of the exercises folder is refused with its line", () => {
    const dir = editedPack({ lesson: (t) => t.replace('file: demo/double.ts', `file: ${PASSWD}`) });
    expect(issuesOf(dir)).toContainEqual(`PACK/01-demo/lesson.yaml:11:11: exercises[0].file: "${PASSWD}" points outside the pack's exercises folder`);
  });

  test("a page's file: outside the pack is refused, so the TUI never shows /etc/passwd as a page", () => {
    const dir = editedPack({ lesson: (t) => t.replace('    title: The page\n', `    title: The page\n  - file: ${PASSWD}\n    title: Secrets\n`) });
    expect(issuesOf(dir)).toEqual([`PACK/01-demo/lesson.yaml:8:11: pages[1].file: "${PASSWD}" points outside the pack folder`]);
    const course = loadCourse([dir]);
    expect(course.packs.map((p) => p.id)).not.toContain('grader-fixture');
    expect(course.packs.flatMap((p) => p.lessons.flatMap((l) => l.pages.map((page) => page.path)))).not.toContain('/etc/passwd');
  });

  test('a suite: outside the suites folder, or an absolute path, is refused', () => {
    const dir = editedPack({ lesson: (t) => t.replace('suite: demo/01-double.test.ts', `suite: ${PASSWD}`).replace('suite: demo/02-later.test.ts', 'suite: /etc/passwd') });
    const issues = issuesOf(dir);
    expect(issues).toContainEqual(`PACK/01-demo/lesson.yaml:12:12: exercises[0].suite: "${PASSWD}" points outside the pack's suites folder`);
    expect(issues).toContainEqual(expect.stringMatching(/^PACK\/01-demo\/lesson\.yaml:\d+:12: exercises\[1\]\.suite: "\/etc\/passwd" is an absolute path/));
  });

  test('a link inside the pack that points outside it is refused (the real path is what counts)', () => {
    const dir = packCopy({ inside: false });
    const outside = join(tempDir('outside-'), 'secret.md');
    writeFileSync(outside, '# not a lesson\n');
    unlinkSync(join(dir, '01-demo', '01-page.md'));
    symlinkSync(outside, join(dir, '01-demo', '01-page.md'));
    expect(issuesOf(dir)).toContainEqual('PACK/01-demo/lesson.yaml:6:11: pages[0].file: "01-page.md" leads through a link to outside the pack folder');
  });

  test('a link to a file inside the pack is fine', () => {
    const dir = packCopy({ inside: false });
    writeFileSync(join(dir, '01-demo', 'shared.md'), '# Shared\n');
    unlinkSync(join(dir, '01-demo', '01-page.md'));
    symlinkSync(join(dir, '01-demo', 'shared.md'), join(dir, '01-demo', '01-page.md'));
    expect(issuesOf(dir)).toEqual([]);
  });
});

describe('paths in pack.yaml', () => {
  test('code folders outside the pack are refused with their line', () => {
    const dir = editedPack({ pack: (t) => `${t}code:\n  exercises: ../../..\n  suites: /etc\n` });
    const issues = issuesOf(dir);
    expect(issues).toContainEqual('PACK/pack.yaml:10:14: code.exercises: "../../.." points outside the pack folder');
    expect(issues).toContainEqual(expect.stringMatching(/^PACK\/pack\.yaml:11:11: code\.suites: "\/etc" is an absolute path/));
  });
});

describe('pack check', () => {
  test('fails on a pack that reaches outside, naming file and line, and proves nothing', () => {
    const dir = editedPack({ lesson: (t) => t.replace('file: demo/double.ts', `file: ${PASSWD}`) });
    const { code, out } = kubelings(['pack', 'check', dir]);
    expect(code).toBe(1);
    expect(out).toContain('is not a valid lesson pack');
    expect(out).toMatch(/lesson\.yaml:11:11: exercises\[0\]\.file: ".*etc\/passwd" points outside the pack's exercises folder/);
    expect(out).not.toContain('Proving each suite');
  });
});

describe('.pristine.json and reset', () => {
  /** A loaded pack copy (inside the project, so its stubs resolve) whose seal is `seal`. */
  function packWithSeal(seal: unknown): Pack {
    const dir = packCopy();
    writeFileSync(join(dir, 'exercises', 'demo', '.pristine.json'), `${JSON.stringify(seal, null, 1)}\n`);
    return loadPack(dir);
  }

  test('a seal that names a file outside its folder is refused with its line, and nothing is written', () => {
    const target = join(tempDir('outside-'), 'victim.ts');
    writeFileSync(target, 'precious\n');
    const pack = packWithSeal({ version: 1, files: { 'double.ts': 'x', [`../../../../../../../..${target}`]: 'overwritten' } });
    expect(() => extractPristine(pack)).toThrow(/\.pristine\.json:5: refusing the seal: it names ".*victim\.ts", and it is not a plain path inside the folder/);
    expect(() => restore(pack, 'demo/double.ts')).toThrow(/refusing the seal/);
    expect(() => restore(pack, `demo/../../../../../../../..${target}`)).toThrow(/is not a file inside a component folder/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });

  test('reset refuses to write through a link that leads out of the exercises folder', () => {
    const dir = packCopy();
    const target = join(tempDir('outside-'), 'victim.ts');
    writeFileSync(target, 'precious\n');
    const pack = loadPack(dir);
    unlinkSync(join(dir, 'exercises', 'demo', 'double.ts'));
    symlinkSync(target, join(dir, 'exercises', 'demo', 'double.ts'));
    expect(() => restore(pack, 'demo/double.ts')).toThrow(/Refusing to reset demo\/double\.ts: it leads outside/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });

  test('`kubelings reset` on such a pack changes nothing outside it', () => {
    const dir = packCopy();
    const target = join(tempDir('outside-'), 'victim.ts');
    writeFileSync(target, 'precious\n');
    unlinkSync(join(dir, 'exercises', 'demo', 'double.ts'));
    symlinkSync(target, join(dir, 'exercises', 'demo', 'double.ts'));
    const { code, err } = kubelings(['reset', '01-demo/01-double', '--yes', '--pack', dir]);
    expect(code).not.toBe(0);
    expect(err).toMatch(/leads through a link to outside the pack's exercises folder/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(existsSync(target)).toBe(true);
  });

  test('reset still restores an ordinary exercise file', () => {
    const dir = packCopy();
    const pack = loadPack(dir);
    const file = join(dir, 'exercises', 'demo', 'double.ts');
    const stub = readFileSync(file, 'utf8');
    writeFileSync(file, 'export function double(n: number) { return n * 2; }\n');
    restore(pack, 'demo/double.ts');
    expect(readFileSync(file, 'utf8')).toBe(stub);
  });
});
