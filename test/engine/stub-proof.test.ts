/**
 * The stub proof: for every exercise of the core pack, every hidden test fails on the untouched
 * stub (the sealed pristine copy, whatever the learner has edited). The other half, every suite
 * passing on the reference, is the test/grading run itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { allExercises, loadPack } from '../../tui/course/load.ts';
import { provePack, type PackProof } from '../../tui/packcheck.ts';

const pack = loadPack(CORE_PACK_DIR);
let proof: PackProof;
const cache = join(ROOT, 'node_modules', '.cache', 'kubelings');
/** What a `pack check` killed mid-way leaves: its process is gone (a pid that has just exited). */
const abandoned = join(cache, `pristine-core-${spawnSync('true').pid}-1`);
let extractedDuringProof: string[] = [];

beforeAll(async () => {
  mkdirSync(join(abandoned, 'objects'), { recursive: true });
  writeFileSync(join(abandoned, 'objects', 'selectors.ts'), '// left behind\n');
  const before = new Set(readdirSync(cache));
  const proving = provePack(pack, { reference: false });
  // This process's own folders only: a grading test in another worker (grade-submission) may extract the stubs meanwhile.
  extractedDuringProof = readdirSync(cache).filter((n) => n.startsWith(`pristine-core-${process.pid}-`) && !before.has(n));
  proof = await proving;
}, 240_000);

test('the proof extracts the stubs to a folder of its own, removes it after, and sweeps one left by a killed check', () => {
  expect(extractedDuringProof, 'one fresh folder while proving').toHaveLength(1);
  expect(existsSync(join(cache, extractedDuringProof[0]!)), 'removed after the proof').toBe(false);
  expect(existsSync(abandoned), 'the abandoned folder is gone').toBe(false);
});

describe('every hidden test fails on the untouched stub', () => {
  test.each(allExercises({ packs: [pack], broken: [] }).map((e) => e.id))('%s', (id) => {
    const found = proof.exercises.find((e) => e.id === id);
    expect(found, `the proof covered ${id}`).toBeDefined();
    expect(found!.tests, `${id} has tests`).toBeGreaterThan(0);
    expect(found!.problems, `problems found in ${id}`).toEqual([]);
  });
});
