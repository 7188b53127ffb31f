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

const etcd = await loadComponent('etcd');

describe('transactions, through the store (etcd\'s own answers)', () => {
  scenarioTests('03-txn');
});

describe('compare()', () => {
  test('each target and operator compares the key\'s field with the value given', hint('Which side is on the left: the key\'s field or the value in the comparison?'), () => {
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
