/**
 * A KVStore that reads the real store and writes nothing (upstream: the storage layer's
 * DryRunnableStorage, k8s.io/apiserver/pkg/registry/generic/registry/dryrun.go). The learner's
 * registry runs over it for a `dryRun=All` write, so a dry run does everything its code does
 * (identity, AlreadyExists, conflicts, generation, status kept), and stores nothing.
 *
 * Invariants:
 * - reads (range, revision) go to the real store; no method ever changes it;
 * - a txn evaluates its comparisons against the real store and answers as if its branch had run:
 *   a write branch reports revision + 1, ranges in it are read from the real store;
 * - put and delete answer as if they had happened (revision + 1; a delete counts the keys there);
 * - watch, compact and leases are refused: a registry never needs them for one write.
 * Reads are not one snapshot: a dry run racing a real write may see either side, as upstream's
 * dry run (a Get, then the check) may.
 */
import type { Compare, KeyValue, KVStore, TxnOp, TxnOpResult, TxnRequest, TxnResult } from '../../etcd/kv.ts';

function holds(compare: Compare, kv: KeyValue | undefined): boolean {
  let actual: number | string;
  switch (compare.target) {
    case 'value':
      actual = kv?.value ?? '';
      break;
    case 'version':
      actual = kv?.version ?? 0;
      break;
    case 'createRevision':
      actual = kv?.createRevision ?? 0;
      break;
    case 'modRevision':
      actual = kv?.modRevision ?? 0;
      break;
    case 'lease':
      actual = kv?.lease ?? 0;
      break;
  }
  const wanted = compare.value;
  switch (compare.result) {
    case '=':
      return actual === wanted;
    case '!=':
      return actual !== wanted;
    case '<':
      return actual < wanted;
    case '>':
      return actual > wanted;
  }
}

function refused(what: string): Promise<never> {
  return Promise.reject(new Error(`a dry run does not ${what}`));
}

/** The store as a dry run sees it: see the file header. */
export function dryRunStore(store: KVStore): KVStore {
  async function answer(op: TxnOp, next: number): Promise<TxnOpResult> {
    if (op.type === 'range') return { type: 'range', ...(await store.range(op.key, op.options)) };
    if (op.type === 'put') {
      const prevKv = op.options?.prevKv ? (await store.range(op.key)).kvs[0] : undefined;
      return { type: 'put', revision: next, ...(prevKv ? { prevKv } : {}) };
    }
    const there = await store.range(op.key, { end: op.options?.end });
    return { type: 'delete', revision: next, deleted: there.count, ...(op.options?.prevKv ? { prevKvs: there.kvs } : {}) };
  }

  return {
    revision: () => store.revision(),
    range: (key, options) => store.range(key, options),
    async put(key, _value, options) {
      const result = await answer({ type: 'put', key, value: '', options }, (await store.revision()) + 1);
      return result as Extract<TxnOpResult, { type: 'put' }>;
    },
    async delete(key, options) {
      const result = await answer({ type: 'delete', key, options }, (await store.revision()) + 1);
      return result as Extract<TxnOpResult, { type: 'delete' }>;
    },
    async txn(request: TxnRequest): Promise<TxnResult> {
      const revision = await store.revision();
      let succeeded = true;
      for (const compare of request.compare) {
        if (!holds(compare, (await store.range(compare.key)).kvs[0])) {
          succeeded = false;
          break;
        }
      }
      const ops = succeeded ? request.success : request.failure;
      const writes = ops.some((op) => op.type !== 'range');
      const next = writes ? revision + 1 : revision;
      const responses: TxnOpResult[] = [];
      for (const op of ops) responses.push(await answer(op, next));
      return { succeeded, revision: next, responses };
    },
    watch: () => refused('watch'),
    compact: () => refused('compact'),
    leaseGrant: () => refused('grant leases'),
    leaseRevoke: () => refused('revoke leases'),
    leaseKeepAlive: () => refused('keep leases alive'),
    close: async () => {},
  };
}
