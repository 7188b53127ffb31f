/**
 * The stub proof: for every exercise of the core pack, every hidden test fails on the untouched
 * stub (the sealed pristine copy, whatever the learner has edited). The other half, every suite
 * passing on the reference, is the test/grading run itself.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { allExercises, loadPack } from '../../tui/course/load.ts';
import { provePack, type PackProof } from '../../tui/packcheck.ts';

const pack = loadPack(CORE_PACK_DIR);
let proof: PackProof;

beforeAll(async () => {
  proof = await provePack(pack, { reference: false });
}, 240_000);

describe('every hidden test fails on the untouched stub', () => {
  test.each(allExercises({ packs: [pack], broken: [] }).map((e) => e.id))('%s', (id) => {
    const found = proof.exercises.find((e) => e.id === id);
    expect(found, `the proof covered ${id}`).toBeDefined();
    expect(found!.tests, `${id} has tests`).toBeGreaterThan(0);
    expect(found!.problems, `problems found in ${id}`).toEqual([]);
  });
});
