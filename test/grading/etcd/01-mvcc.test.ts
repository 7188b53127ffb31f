/**
 * Hidden suite for 01-etcd/01-mvcc: revisions, versions and ranges, as etcd 3.4 answers them.
 * The tables (support/scenarios.ts) are cross-checked against a real etcd in
 * test/engine/etcd-crosscheck.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { prefixEnd } from '#engine/etcd/kv.ts';
import { SortedKeys } from '#engine/etcd/sorted-keys.ts';
import type { MvccState } from '#engine/etcd/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, show, useSeed } from '#grading';
import { assertProperty, freshStore, scenarioTests } from './support/harness.ts';
import { ModelStore } from './support/model.ts';

const etcd = await loadComponent('etcd');

function emptyState(): MvccState {
  return { revision: 1, compactRevision: 0, history: new Map(), keys: new SortedKeys() };
}

describe("the key space, through the store (etcd's own answers)", () => {
  scenarioTests('01-mvcc');

  test('an empty store is at revision 1 and a range finds nothing', async () => {
    const { store } = await freshStore();
    expect(await store.revision(), 'revision() of a new store').toBe(1);
    expect(await store.range('/registry/', { end: prefixEnd('/registry/') }), 'range /registry/* on a new store').toEqual({ kvs: [], count: 0, more: false, revision: 1 });
    await store.close();
  });
});

describe('the history behind it', () => {
  test("put() never overwrites: every put adds an entry to the key's history", hint('Do you push a new { revision, kv } instead of replacing the last one?'), () => {
    const state = emptyState();
    etcd.put(state, 'a', '1', 0, 2);
    etcd.put(state, 'a', '2', 0, 3);
    expect(state.history.get('a'), 'put a=1 at 2, put a=2 at 3: history of a').toEqual([
      { revision: 2, kv: { key: 'a', value: '1', createRevision: 2, modRevision: 2, version: 1, lease: 0 } },
      { revision: 3, kv: { key: 'a', value: '2', createRevision: 2, modRevision: 3, version: 2, lease: 0 } },
    ]);
    expect(state.revision, 'state.revision after the put at 3').toBe(3);
    expect([...state.keys], 'state.keys').toEqual(['a']);
  });

  test(
    'put() records the lease it is given in kv.lease, and the next put without one clears it',
    hint('Which field of the KeyValue holds the lease id passed to put()? What does a later put with lease 0 write?'),
    () => {
      const state = emptyState();
      const first = etcd.put(state, 'a', '1', 7, 2);
      expect(first.kv.lease, 'kv.lease of the PUT event for put a=1 with lease 7').toBe(7);
      expect(etcd.getAt(state, 'a', 2)?.lease, 'getAt(a, 2).lease after put a=1 with lease 7').toBe(7);
      const second = etcd.put(state, 'a', '2', 0, 3);
      expect([second.kv.lease, second.prevKv?.lease], '[kv.lease, prevKv.lease] of put a=2 with no lease, over the put with lease 7').toEqual([0, 7]);
    },
  );

  test('range() with limit 0 or a negative limit returns every key, as etcd does', hint('Is a limit of 0 or less "no limit", or "nothing"?'), () => {
    // etcd's rangeKeys (server/storage/mvcc/kvstore_txn.go): `if limit <= 0 || limit > len(revpairs) { limit = len(revpairs) }`.
    const state = emptyState();
    etcd.put(state, 'a', '1', 0, 2);
    etcd.put(state, 'b', '1', 0, 3);
    for (const limit of [0, -1]) {
      const result = etcd.range(state, 'a', { end: 'c', limit });
      expect([result.kvs.map((kv) => kv.key), result.count, result.more], `[keys, count, more] of range [a, c) with limit ${limit}`).toEqual([['a', 'b'], 2, false]);
    }
  });

  test('deleteRange() leaves a tombstone and keeps the older entries', hint('A tombstone is { revision: rev } with no kv. Is it appended to the history?'), () => {
    const state = emptyState();
    etcd.put(state, 'a', '1', 0, 2);
    const events = etcd.deleteRange(state, 'a', undefined, 3);
    expect(state.history.get('a'), 'put a at 2, delete a at 3: history of a').toEqual([
      { revision: 2, kv: { key: 'a', value: '1', createRevision: 2, modRevision: 2, version: 1, lease: 0 } },
      { revision: 3 },
    ]);
    expect(events, 'the events deleteRange returned').toEqual([
      {
        type: 'DELETE',
        kv: { key: 'a', value: '', createRevision: 0, modRevision: 3, version: 0, lease: 0 },
        prevKv: { key: 'a', value: '1', createRevision: 2, modRevision: 2, version: 1, lease: 0 },
      },
    ]);
  });

  test('getAt() answers from the last entry at or before the revision', hint('Which entry counts for revision R: the first, the last, or the last one with revision <= R?'), () => {
    const state = emptyState();
    etcd.put(state, 'a', 'v2', 0, 2);
    etcd.put(state, 'b', 'x', 0, 3);
    etcd.put(state, 'a', 'v4', 0, 4);
    etcd.deleteRange(state, 'a', undefined, 5);
    etcd.put(state, 'a', 'v6', 0, 6);
    const values = [1, 2, 3, 4, 5, 6].map((rev) => etcd.getAt(state, 'a', rev)?.value);
    expect(values, 'getAt(a) at revisions 1..6 (a: put@2, put@4, delete@5, put@6)').toEqual([undefined, 'v2', 'v2', 'v4', undefined, 'v6']);
    expect(etcd.getAt(state, 'nope', 6), 'getAt of a key never written').toBeUndefined();
  });

  test(
    'any sequence of puts and deletes reads back like a simple model, at every revision',
    hint('Compare your answers with the model at the revision printed: which field differs?'),
    async ({ task }) => {
      const key = fc.constantFrom('/r/a', '/r/b', '/r/b/c', '/r/d');
      const op = fc.oneof(fc.record({ kind: fc.constant('put' as const), key, value: fc.string({ maxLength: 3 }) }), fc.record({ kind: fc.constant('delete' as const), key, prefix: fc.boolean() }));
      await assertProperty(
        fc.array(op, { maxLength: 25 }),
        async (ops) => {
          const { store } = await freshStore();
          const model = new ModelStore();
          const done: string[] = [];
          for (const o of ops) {
            if (o.kind === 'put') {
              done.push(`put ${o.key}=${show(o.value)}`);
              expect(await store.put(o.key, o.value), done.join('; ')).toEqual(model.put(o.key, o.value));
            } else {
              const end = o.prefix ? prefixEnd(o.key) : undefined;
              done.push(`delete ${o.key}${o.prefix ? '*' : ''}`);
              expect(await store.delete(o.key, { end }), done.join('; ')).toEqual(model.delete(o.key, end));
            }
          }
          for (let rev = 1; rev <= model.revision; rev++) {
            expect(await store.range('/r/', { end: prefixEnd('/r/'), revision: rev }), `${done.join('; ')}; then range /r/* at revision ${rev}`).toEqual(
              model.range('/r/', { end: prefixEnd('/r/'), revision: rev }),
            );
          }
          await store.close();
        },
        { seed: useSeed(task), numRuns: 60 },
      );
    },
  );
});
