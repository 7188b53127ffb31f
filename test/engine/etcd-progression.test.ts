/**
 * Lesson 01 can be done in order: exercise N passes with exercises 1..N written and N+1.. still
 * stubs. The store is built from the reference with every function of the later exercises
 * replaced by one that throws NotImplemented, as the untouched stubs do, and exercise N's tables
 * must all pass on it. (The machine calls the lease and watch code only when leases and watchers
 * exist; this proves it.)
 */
import { describe, test } from 'vitest';
import { NotImplemented } from '#engine/errors.ts';
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import { loadComponent } from '#engine/impl.ts';
import { runScenario } from '../grading/etcd/support/harness.ts';
import { scenarios, type ExerciseId } from '../grading/etcd/support/scenarios.ts';

const reference = await loadComponent('etcd');

const functionsOf: Record<ExerciseId | '05-wal', (keyof EtcdExercises)[]> = {
  '01-mvcc': ['getAt', 'put', 'deleteRange', 'range'],
  '02-watch': ['startWatch', 'publish', 'compact'],
  '03-txn': ['compare', 'txn'],
  '04-leases': ['grantLease', 'keepAlive', 'revokeLease', 'expiredLeases', 'trackLeaseKeys'],
  '05-wal': ['encodeRecord', 'decodeRecords', 'createCommitQueue', 'planRecovery'],
};
const order = Object.keys(functionsOf) as (keyof typeof functionsOf)[];

/** The reference with every function of the exercises after `done` stubbed out. */
function doneUpTo(done: ExerciseId): EtcdExercises {
  const parts: Record<string, unknown> = { ...reference };
  for (const later of order.slice(order.indexOf(done) + 1)) {
    for (const name of functionsOf[later]) {
      parts[name] = () => {
        throw new NotImplemented(`01-etcd/${later}`, 'lessons/core/01-etcd/', `${name}()`);
      };
    }
  }
  return parts as unknown as EtcdExercises;
}

describe.each(['01-mvcc', '02-watch', '03-txn', '04-leases'] as const)('with exercises up to %s written and the later ones stubs', (done) => {
  test.each(scenarios.filter((s) => s.exercise === done).map((s) => [s.title, s] as const))('%s', async (_title, scenario) => {
    await runScenario(scenario, doneUpTo(done));
  });
});
