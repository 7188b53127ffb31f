/**
 * The feedback of lesson 01's suites against deliberately broken etcd code
 * (test/engine/fixtures/etcd/<variant>): each mistake below once got full marks; now it fails the
 * test that names it, and the grader's output carries the did/expected/got lines and the hint that
 * points at the function to fix.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('01-etcd', join(import.meta.dirname, 'fixtures', 'etcd'));

describe('lesson 01 names the mistake', () => {
  test('put() that writes lease 0 whatever it is given fails the kv.lease test of 01-mvcc', async () => {
    const { out, failed } = await gradeVariant('put-lease-always-zero', '01-mvcc');
    expect(failed).toEqual(['the history behind it > put() records the lease it is given in kv.lease, and the next put without one clears it']);
    expect(out).toMatch(/did\s+kv\.lease of the PUT event for put a=1 with lease 7\n\s+expected 7\n\s+got\s+0\n/);
    expect(out).toContain('Which field of the KeyValue holds the lease id passed to put()?');
  });

  test('compact() that drops a whole change holding a DELETE fails the mixed-change compaction test, and the txn table of 03', async () => {
    const watch = await gradeVariant('compact-drops-mixed-change', '02-watch');
    expect(watch.failed).toEqual(['the watch log and the watchers > compaction keeps the puts of a change at the compacted revision, without prevKv, and drops only its deletes']);
    expect(watch.out).toContain('Do you keep each PUT without its prevKv, or drop the whole change because one event is a DELETE?');
    const txn = await gradeVariant('compact-drops-mixed-change', '03-txn');
    expect(txn.failed).toContain("transactions, through the store (etcd's own answers) > compacting at a txn that put one key and deleted another keeps its put: a watch from there replays it");
    expect(txn.out).toContain('This is compact() of 02-watch meeting a revision with several events');
  });

  test('a range watch served as a prefix watch fails the range table and the guarantees, naming Reliable', async () => {
    const { out, failed } = await gradeVariant('range-watch-as-prefix', '02-watch');
    expect(failed).toContain("watches, through the store (etcd's own answers) > a watch on a range [a, c) sees every key from a up to c, not only the keys that start with a");
    expect(out).toContain('Do startWatch and publish both compare with key and end (inRange), rather than test a prefix?');
  });
});
