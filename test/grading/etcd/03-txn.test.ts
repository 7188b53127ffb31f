/**
 * Hidden suite for 01-etcd/03-txn: transactions as etcd 3.4 runs them (the tables are
 * cross-checked against a real etcd), and the model-based test of the whole store: random
 * sequences of put, delete, range, txn, compact and watch against a simple model.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Compare } from '#engine/etcd/kv.ts';
import { SortedKeys } from '#engine/etcd/sorted-keys.ts';
import type { MvccState } from '#engine/etcd/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, show, useSeed } from '#grading';
import { assertProperty, freshStore, scenarioTests } from './support/harness.ts';
import { ModelStore } from './support/model.ts';
import { checkWatches, commandsArbitrary, type ModelWorld, type RealWorld } from './support/model-commands.ts';
import { validateWatches } from './support/watch-validators.ts';
import { runWorkload, workloadWithTxnArbitrary } from './support/watch-workload.ts';

const etcd = await loadComponent('etcd');

describe("transactions, through the store (etcd's own answers)", () => {
  scenarioTests('03-txn');
});

describe('compare()', () => {
  test("each target and operator compares the key's field with the value given", hint("Which side is on the left: the key's field or the value in the comparison?"), () => {
    const state: MvccState = { revision: 1, compactRevision: 0, history: new Map(), keys: new SortedKeys() };
    etcd.put(state, 'k', 'm', 0, 2);
    etcd.put(state, 'k', 'n', 7, 3); // version 2, createRevision 2, modRevision 3, lease 7
    const cases: [Compare, boolean][] = [
      [{ key: 'k', target: 'version', result: '=', value: 2 }, true],
      [{ key: 'k', target: 'version', result: '<', value: 3 }, true],
      [{ key: 'k', target: 'version', result: '>', value: 2 }, false],
      [{ key: 'k', target: 'createRevision', result: '=', value: 2 }, true],
      [{ key: 'k', target: 'modRevision', result: '>', value: 2 }, true],
      [{ key: 'k', target: 'modRevision', result: '!=', value: 3 }, false],
      [{ key: 'k', target: 'lease', result: '=', value: 7 }, true],
      [{ key: 'k', target: 'value', result: '>', value: 'm' }, true],
      [{ key: 'k', target: 'value', result: '<', value: 'm' }, false],
      [{ key: 'k', target: 'value', result: '=', value: 'n' }, true],
      [{ key: 'gone', target: 'version', result: '=', value: 0 }, true],
      [{ key: 'gone', target: 'modRevision', result: '<', value: 1 }, true],
      [{ key: 'gone', target: 'value', result: '!=', value: 'n' }, false],
    ];
    for (const [c, expected] of cases) {
      expect(etcd.compare(state, c), `compare(${show(c)}) where k = {value: "n", version: 2, createRevision: 2, modRevision: 3, lease: 7}`).toBe(expected);
    }
  });
});

describe('txn()', () => {
  test(
    'ops without options work: a delete, a put and a range with no options object',
    hint('TxnOp.options may be missing: do you read op.options?.end, op.options?.prevKv and op.options?.revision?'),
    () => {
      const state: MvccState = { revision: 1, compactRevision: 0, history: new Map(), keys: new SortedKeys() };
      etcd.put(state, 'a', '1', 0, 2);
      const outcome = etcd.txn(
        state,
        {
          compare: [],
          success: [
            { type: 'delete', key: 'a' },
            { type: 'put', key: 'b', value: '2' },
            { type: 'range', key: 'b' },
          ],
          failure: [],
        },
        3,
      );
      expect(
        outcome.responses.map((r) => r.type),
        'the response types of txn {delete a, put b, range b}, none with options',
      ).toEqual(['delete', 'put', 'range']);
      expect(outcome.responses[0], "the delete's response").toEqual({ type: 'delete', revision: 3, deleted: 1 });
      expect(
        (outcome.responses[2] as { kvs: { value: string }[] }).kvs.map((kv) => kv.value),
        'the values the range of b read',
      ).toEqual(['2']);
    },
  );
});

describe("etcd's watch guarantees when transactions write several keys at one revision", () => {
  test(
    "every watch gets each txn's events together and in order, also after compacting at a txn",
    hint(
      'Read the first problem listed, then replay with the seed. Is a txn one change at one revision, published in one response? ' +
        'Compacted or Reliable from exactly the compacted revision: does compact() keep the puts of the change there and drop only its deletes?',
    ),
    async ({ task }) => {
      await assertProperty(
        workloadWithTxnArbitrary,
        async (actions) => {
          const { store } = await freshStore();
          const { records, model, transcript } = await runWorkload(store, actions, { root: '/w/', sequential: false, waitMs: 200 });
          await store.close();
          expect(validateWatches(records, model), `the workload: ${transcript}`).toEqual([]);
        },
        { seed: useSeed(task), numRuns: 80 },
      );
    },
  );
});

describe('the whole store against a simple model', () => {
  test(
    'any sequence of put, delete, range, txn, compact and watch answers exactly as the model does',
    hint('Read the steps printed before the failure, from the top: the last one is where your store and the model first disagree.'),
    async ({ task }) => {
      await assertProperty(
        commandsArbitrary,
        async (commands) => {
          const { store } = await freshStore();
          const model: ModelWorld = { model: new ModelStore(), steps: [] };
          const real: RealWorld = { store, watches: [] };
          try {
            await fc.asyncModelRun(() => ({ model, real }), commands);
            await checkWatches(model, real);
          } finally {
            for (const w of real.watches) w.cancel();
            await store.close();
          }
        },
        { seed: useSeed(task), numRuns: 120 },
      );
    },
  );
});
