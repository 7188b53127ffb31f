/**
 * The etcd component (lesson 01): every function the engine reaches through
 * `loadComponent('etcd')` to build the store. Don't change this file: fill in the exercise files it
 * imports.
 */
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import { expiredLeases, grantLease, keepAlive, revokeLease, trackLeaseKeys } from './leases.ts';
import { deleteRange, getAt, put, range } from './mvcc.ts';
import { compare, txn } from './txn.ts';
import { createCommitQueue, decodeRecords, encodeRecord, planRecovery } from './wal.ts';
import { compact, publish, startWatch } from './watch.ts';

export default {
  getAt,
  put,
  deleteRange,
  range,
  startWatch,
  publish,
  compact,
  compare,
  txn,
  grantLease,
  keepAlive,
  revokeLease,
  expiredLeases,
  trackLeaseKeys,
  encodeRecord,
  decodeRecords,
  createCommitQueue,
  planRecovery,
} satisfies EtcdExercises;
