/**
 * `kubelings pack check [DIR]`  validate a pack, then prove its suites (reference passes, stub fails)
 * `kubelings pack new DIR`      scaffold a pack an instructor can fill
 * `kubelings pack seal [DIR] [--check]`  record (or compare) the pristine copies of the stubs
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { KubelingsError } from '#engine/errors.ts';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { formatIssue, loadPack, PackLoadError, type Pack } from '../course/load.ts';
import { lintPack, lintQuiz } from '../course/lint.ts';
import { provePack } from '../packcheck.ts';
import { seal, sealDrift } from '../pristine.ts';

/** A path as typed from here: relative when below the current folder, absolute otherwise. */
function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') ? path : r;
}

function loadOrReport(dir: string): Pack | undefined {
  try {
    return loadPack(dir);
  } catch (error) {
    if (!(error instanceof PackLoadError)) throw error;
    process.stdout.write(`✗ ${rel(dir)} is not a valid lesson pack:\n`);
    for (const issue of error.issues) process.stdout.write(`  ${formatIssue(issue)}\n`);
    return undefined;
  }
}

export async function packCheckCommand(dir: string | undefined, options: { seed?: number; json: boolean }): Promise<number> {
  const packDir = resolve(dir ?? CORE_PACK_DIR);
  const pack = loadOrReport(packDir);
  if (!pack) return 1;
  const lessons = pack.lessons.length;
  const exercises = pack.lessons.reduce((n, l) => n + l.exercises.length, 0);
  if (!options.json) {
    process.stdout.write(`✓ ${rel(join(packDir, 'pack.yaml'))} and ${lessons} lesson${lessons === 1 ? '' : 's'} are valid (${exercises} exercises)\n`);
    process.stdout.write('Proving each suite: it must pass on the reference, and every test must fail on the untouched stub.\n');
  }
  const proof = await provePack(pack, {
    seed: options.seed,
    onLesson: (lesson, proofs) => {
      if (options.json) return;
      process.stdout.write(`\n  ${lesson.id}  ${lesson.title}\n`);
      for (const p of proofs) {
        if (p.problems.length === 0)
          process.stdout.write(`    ✓ ${p.id}: ${p.tests === 1 ? '1 test passes' : `${p.tests} tests pass`} on the reference and fail${p.tests === 1 ? 's' : ''} on the stub\n`);
        else {
          process.stdout.write(`    ✗ ${p.id}\n`);
          for (const problem of p.problems) process.stdout.write(`        ${problem}\n`);
        }
      }
    },
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ pack: pack.id, ok: proof.ok, exercises: proof.exercises, drift: proof.drift }, null, 2)}\n`);
    return proof.ok ? 0 : 1;
  }
  const advice = lintPack(pack);
  if (advice.length > 0) {
    process.stdout.write(`\n! ${advice.length} line${advice.length === 1 ? '' : 's'} of lesson pages will not fit an 80-column terminal:\n`);
    for (const issue of advice) process.stdout.write(`    ${formatIssue(issue)}\n`);
  }
  for (const issue of lintQuiz(pack)) process.stdout.write(`\n! ${formatIssue(issue)}\n`);
  if (proof.drift.length > 0) {
    process.stdout.write(`\n! These exercise files differ from the pack's sealed pristine copies:\n`);
    for (const file of proof.drift) process.stdout.write(`    ${file}\n`);
    process.stdout.write(`  A learner's edits are expected here. If you changed a stub, run: npx kubelings pack seal ${rel(packDir)}\n`);
  }
  const bad = proof.exercises.filter((e) => e.problems.length > 0).length;
  process.stdout.write(`\n${proof.ok ? '✓ pack check passed' : `✗ pack check found problems in ${bad} exercise${bad === 1 ? '' : 's'}`}\n`);
  return proof.ok ? 0 : 1;
}

export function packSealCommand(dir: string | undefined, options: { check: boolean; component?: string }): number {
  const packDir = resolve(dir ?? CORE_PACK_DIR);
  const pack = loadOrReport(packDir);
  if (!pack) return 1;
  if (options.check) {
    const drift = sealDrift(pack);
    if (drift.length === 0) {
      process.stdout.write(`✓ the sealed stubs of ${pack.id} match ${rel(pack.exercisesRoot)}/\n`);
      return 0;
    }
    process.stdout.write(`✗ these stubs differ from their sealed copies; run npx kubelings pack seal ${rel(packDir)}:\n`);
    for (const file of drift) process.stdout.write(`    ${file}\n`);
    return 1;
  }
  if (options.component && !existsSync(join(pack.exercisesRoot, options.component))) {
    throw new KubelingsError(`${rel(pack.exercisesRoot)}/ has no component folder "${options.component}".`);
  }
  const count = seal(pack, options.component);
  process.stdout.write(`✓ sealed ${count} stub files of ${pack.id} (one .pristine.json per component folder in ${rel(pack.exercisesRoot)}/)\n`);
  return 0;
}

/** `pack new DIR`: a pack with one lesson, one page, a quiz question and one working exercise. */
export function packNewCommand(dir: string | undefined): number {
  if (!dir) throw new KubelingsError('Where? For example: npx kubelings pack new lessons/my-pack');
  const packDir = resolve(dir);
  if (existsSync(packDir) && readdirSync(packDir).length > 0) {
    throw new KubelingsError(`${rel(packDir)} already exists and is not empty: choose a new folder.`);
  }
  const id =
    basename(packDir)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'my-pack';
  const component = `${id.replace(/-pack$/, '')}-basics`.replace(/^[^a-z]+/, 'x');
  const inside = !relative(ROOT, packDir).startsWith('..');
  // The page a stub names must open from where learners run kubelings: the project's root.
  const page = join(inside ? relative(ROOT, packDir) : packDir, '01-first-lesson', '01-why.md')
    .split(sep)
    .join('/');
  const files: Record<string, string> = {
    'pack.yaml': `# A kubelings lesson pack. Check it with: npx kubelings pack check ${rel(packDir)}
id: ${id}
title: My lesson pack
version: 1
description: >
  What learners will build in this pack, in a sentence or two.
lessons:
  - 01-first-lesson
`,
    '01-first-lesson/lesson.yaml': `id: 01-first-lesson
title: A first lesson
# The folder in exercises/ and solutions/ that this lesson's exercises build.
component: ${component}
summary: >
  One paragraph: the problem this lesson's component solves.
pages:
  - file: 01-why.md
    title: Why it exists
quiz:
  - id: first-question
    question: Replace this with a question that tests understanding, not recall.
    choices:
      - text: A wrong answer that a learner might believe
        why: Why a learner might think so, and why it is wrong.
      - text: The right answer
        correct: true
    explanation: Why the right answer is right.
# To add a second exercise:
#   1. exercises/${component}/clamp.ts: the stub. Its functions throw
#      new NotImplemented('01-first-lesson/02-clamp', '${page}', 'clamp()')
#      and a // TODO: marks each place to fill in.
#   2. solutions/${component}/clamp.ts: the same exports, complete.
#   3. Import its functions in exercises/${component}/index.ts and in
#      solutions/${component}/index.ts, and add them to the object each exports.
#   4. test/${component}/02-clamp.test.ts: its hidden suite (as 01-double.test.ts).
#   5. An entry below, after 01-double: id 02-clamp, file ${component}/clamp.ts,
#      suite ${component}/02-clamp.test.ts, and the rest. If clamp calls double(),
#      add "builds_on: [01-double]": checking 02 then re-runs 01 too.
#   6. npx kubelings pack seal ${rel(packDir)}, then npx kubelings pack check ${rel(packDir)}.
exercises:
  - id: 01-double
    title: Double a number
    file: ${component}/double.ts
    suite: ${component}/01-double.test.ts
    page: 01-why.md
    task: >
      Make double(n) return twice n.
    hints:
      - What is n plus n?
      - Reread "Why it exists".
`,
    '01-first-lesson/01-why.md': `# Why it exists

Two or three paragraphs on the problem this component solves, before any API.
Then how Kubernetes really does it, with a terminal diagram:

\`\`\`
  kubectl ──▶ apiserver ──▶ etcd
\`\`\`
`,
    [`exercises/${component}/double.ts`]: `import { NotImplemented } from '#engine/errors.ts';

/** Returns twice n. */
export function double(n: number): number {
  // TODO: return twice n.
  throw new NotImplemented('01-first-lesson/01-double', '${page}', 'double()');
}
`,
    [`exercises/${component}/index.ts`]: `// The component's functions, as the hidden suites load them (loadComponent('${component}')).
// Learners fill in the files it imports and need not touch it. To add an exercise, import its
// functions and add them here, and the same in solutions/${component}/index.ts.
import { double } from './double.ts';

export default { double };
`,
    [`solutions/${component}/double.ts`]: `/** Returns twice n. */
export function double(n: number): number {
  return n * 2;
}
`,
    [`solutions/${component}/index.ts`]: `import { double } from './double.ts';

export default { double };
`,
    [`test/${component}/01-double.test.ts`]: `import { expect, test } from 'vitest';
import { hint } from '#grading';
import { loadComponent } from '#engine/impl.ts';

// Packs bring components the engine does not know; their type is given here.
const { double } = (await loadComponent('${component}' as never)) as { double(n: number): number };

test('double(2) is 4', hint('What is 2 plus 2?'), () => {
  expect(double(2), 'double(2)').toBe(4);
});

test('double works for negative numbers', () => {
  expect(double(-3), 'double(-3)').toBe(-6);
});
`,
  };
  for (const [file, text] of Object.entries(files)) {
    const path = join(packDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  seal(loadPack(packDir));
  process.stdout.write(
    `✓ created a lesson pack in ${rel(packDir)}:\n${Object.keys(files)
      .map((f) => `    ${f}`)
      .join('\n')}\n\n` +
      `Next:\n  npx kubelings pack check ${rel(packDir)}     prove it (the reference passes, the stub fails)\n` +
      `  npx kubelings --pack ${rel(packDir)}          open it in the course\n` +
      `  npx kubelings pack seal ${rel(packDir)}      after you change a stub\n` +
      (inside ? '' : `\nThe pack is outside the kubelings folder: its suites get #engine and #grading as aliases.\n`),
  );
  return 0;
}
