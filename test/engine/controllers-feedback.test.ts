/**
 * The feedback of lesson 04's suites against deliberately broken controllers
 * (test/engine/fixtures/controllers/<variant>): each mistake learners really make fails the test
 * that names it, and the grader's output carries the did/expected/got lines and the hint.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('04-controllers', join(import.meta.dirname, 'fixtures', 'controllers'));

const QUEUE = 'the queue: dirty and processing > ';
const RANK = 'which pods go first on scale-down (ActivePodsWithRanks) > ';
const SYNC = 'syncReplicaSet, one sync at a time (recorded actions) > ';

describe('lesson 04 names the mistake', () => {
  test('a queue that drops a key re-added while it is processing loses the change, and says so', async () => {
    const { out, failed } = await gradeVariant('readd-while-processing-lost', '01-workqueue');
    expect(failed).toContain(`${QUEUE}a key added while a worker processes it is not handed out again until done(), then it is`);
    expect(out).toMatch(/did\s+len\(\) after done\(a\): the second add of a was kept\n\s+expected 1\n\s+got\s+0/);
    expect(out).toContain('While a key is processing, add() only marks it dirty; done() puts a dirty key back in the queue');
    expect(failed.some((t) => t.startsWith('whatever the workers do')), 'the property test finds it too').toBe(true);
  });

  test('a queue that hands a re-added key out while a worker still has it fails the stingy rule and the property', async () => {
    const { out, failed } = await gradeVariant('readd-while-processing-queued', '01-workqueue');
    expect(failed).toContain(`${QUEUE}a key added while a worker processes it is not handed out again until done(), then it is`);
    expect(out).toMatch(/did\s+len\(\) after add\(a\) while a is processing\n\s+expected 0\n\s+got\s+1/);
    expect(out).toMatch(/k\d handed out while a worker still has it/);
  });

  test('forget() that keeps the failure count fails the forget test, with its hint', async () => {
    const { out, failed } = await gradeVariant('forget-keeps-backoff', '01-workqueue');
    expect(failed).toContain('rate limiters > forget() starts an item\'s backoff over');
    expect(out).toMatch(/did\s+numRequeues\(a\) after forget\n\s+expected 0\n\s+got\s+2/);
    expect(out).toContain("forget must delete the item's failure count");
  });

  test('a bucket that never refills fails the refill test only, showing the waits it gave', async () => {
    const { out, failed } = await gradeVariant('bucket-never-refills', '01-workqueue');
    expect(failed).toEqual(['rate limiters > the bucket refills with the clock, and never holds more than the burst']);
    expect(out).toMatch(/expected \[0,0,0,0,0,0,0,0,0,0,100\]\n\s+got\s+\[100,200,300/);
  });

  test('deleting ready pods before pending and not-ready ones fails the ranking tests, naming the pods', async () => {
    const { out, failed } = await gradeVariant('deletes-ready-first', '02-replicaset');
    expect(failed).toContain(`${RANK}a not-ready pod before a ready one`);
    expect(failed).toContain(`${RANK}with several pods, the order of the issue: unassigned, pending, not ready, then ready ones`);
    expect(out).toMatch(/did\s+running not ready vs running ready\n\s+expected not-ready\n\s+got\s+ready/);
    expect(out).toContain('3. not ready < ready: deleting a ready pod loses capacity');
  });

  test('a controller that never adopts fails the adoption test', async () => {
    const { out, failed } = await gradeVariant('never-adopts', '02-replicaset');
    expect(failed).toEqual(['claiming: owner references and adoption (controller_ref_manager.go) > an orphan whose labels match is adopted; one whose labels do not is left alone']);
    expect(out).toContain('No controller: adopt if the selector matches');
  });

  test('counting a terminating pod as active fails isPodActive, naming the case', async () => {
    const { out, failed } = await gradeVariant('counts-terminating', '02-replicaset');
    expect(failed).toEqual(['which pods count > isPodActive: pods that finished or are being deleted do not count']);
    expect(out).toMatch(/did\s+isPodActive\(a Running, being deleted pod\)\n\s+expected false\n\s+got\s+true/);
  });

  test('ignoring expectations creates pods twice: the recorded actions show the extra creates', async () => {
    const { out, failed } = await gradeVariant('ignores-expectations', '02-replicaset');
    expect(failed).toContain(`${SYNC}while earlier creates have not been seen in the informer, it creates nothing more, but still writes the status`);
    expect(out).toMatch(/expected \["update replicaset default\/web status"\]\n\s+got\s+\["create pod default\/web-","create pod default\/web-","create pod default\/web-","update replicaset default\/web status"\]/);
    expect(out).toContain('Check ctx.expectations.satisfiedExpectations(key) before creating or deleting');
  });

  test('rounding maxUnavailable up fails the fencepost test, with 25% of 10', async () => {
    const { out, failed } = await gradeVariant('unavailable-rounds-up', '03-deployment');
    expect(failed).toContain('fenceposts: maxSurge and maxUnavailable as pods > percentages: maxSurge rounds up, maxUnavailable rounds down');
    expect(out).toMatch(/did\s+resolveFenceposts\('25%', '25%', 10\)\n\s+expected \{"maxSurge":3,"maxUnavailable":2\}\n\s+got\s+\{"maxSurge":3,"maxUnavailable":3\}/);
  });

  test('counting the surge against the old ReplicaSets only fails the new-ReplicaSet test, with the hint that asks', async () => {
    const { out, failed } = await gradeVariant('surge-against-old-only', '03-deployment');
    expect(failed).toContain("how far the new ReplicaSet may grow (NewRSNewReplicas) > the new ReplicaSet's own pods count against the surge too");
    expect(out).toMatch(/did\s+old 8 \+ new 3 = 11, room for 2 more\n\s+expected 5\n\s+got\s+8/);
    expect(out).toContain('Did you add up only the old ReplicaSets?');
  });
});
