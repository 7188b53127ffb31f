/**
 * The semantics tables of lesson 01: short scenarios of etcd v3 behaviour, each with its expected
 * results written down. The hidden suites run them against the learner's store (through the door);
 * test/engine/etcd-crosscheck.test.ts runs the very same scenarios against a real etcd 3.4 and the
 * reference, so every expectation here is etcd's own behaviour, not our guess of it.
 *
 * Scenarios share one store in the cross-check, so they never assume absolute revisions or an
 * empty key space: `r(n)` is the revision n writes after the scenario began, `k(name)` a key of
 * the scenario's own, and lease ids come from `lease(n)`.
 */
import type { KeyValue, KVStore, RangeResult, WatchEvent, WatchOptions, WatchResponse } from '#engine/etcd/kv.ts';
import { prefixEnd } from '#engine/etcd/kv.ts';

export type ExerciseId = '01-mvcc' | '02-watch' | '03-txn' | '04-leases';

export interface ScenarioContext {
  store: KVStore;
  /** A key of this scenario: k('a') → '/kubelings/<scenario>/a'. */
  k(name: string): string;
  /** The revision `n` changes after the scenario started (r(0) is the revision it started at). */
  r(n: number): number;
  /** A lease id of this scenario. */
  lease(n: number): number;
  /** Lets `ms` of lease time pass: a manual clock moves at once; a real etcd is waited for. */
  pass(ms: number): Promise<void>;
  /** Checks a result: `what` says what was done, for the failure message. */
  check(what: string, actual: unknown, expected: unknown): void;
  /** Opens a watch that records what it receives. */
  watch(key: string, options: WatchOptions): Promise<WatchRecorder>;
}

export interface WatchRecorder {
  responses: WatchResponse[];
  /** Every event received so far, in order. */
  events(): WatchEvent[];
  /** Waits until at least `n` events arrived (or gives up after a while and returns what came). */
  waitForEvents(n: number): Promise<WatchEvent[]>;
  cancel(): void;
}

export interface Scenario {
  exercise: ExerciseId;
  /** Short and unique: used in keys. */
  id: string;
  /** The test title, written for the learner. */
  title: string;
  /** A question that points at what to check, shown under a failure. */
  hint?: string;
  /** Real waiting this scenario needs against a real etcd (lease expiry), in milliseconds. */
  slow?: boolean;
  run(ctx: ScenarioContext): Promise<void>;
}

/** A KeyValue as etcd reports it. */
export function kv(key: string, value: string, createRevision: number, modRevision: number, version: number, lease = 0): KeyValue {
  return { key, value, createRevision, modRevision, version, lease };
}

/** The name of the error a promise fails with, or 'no error'. */
export async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return (error as Error).name;
  }
}

/** A range result reduced to what the tables compare. */
function got(result: RangeResult) {
  return { kvs: result.kvs, count: result.count, more: result.more, revision: result.revision };
}

/** A PUT event as a watch reports it. */
export function putEvent(kvNow: KeyValue, prevKv?: KeyValue): WatchEvent {
  return prevKv ? { type: 'PUT', kv: kvNow, prevKv } : { type: 'PUT', kv: kvNow };
}

/** A DELETE event as a watch reports it: the key, the deletion's revision, nothing else. */
export function deleteEvent(key: string, revision: number, prevKv?: KeyValue): WatchEvent {
  const event: WatchEvent = { type: 'DELETE', kv: kv(key, '', 0, revision, 0) };
  if (prevKv) event.prevKv = prevKv;
  return event;
}

export const scenarios: Scenario[] = [
  // ---------------------------------------------------------------- 01-mvcc
  {
    exercise: '01-mvcc',
    id: 'next-revision',
    title: "each put gets the next revision, and the store's revision follows",
    hint: 'Which revision does put() write at, and what must state.revision be afterwards?',
    async run({ store, k, r, check }) {
      check(`put ${k('a')}`, await store.put(k('a'), '1'), { revision: r(1) });
      check(`put ${k('b')}`, await store.put(k('b'), '1'), { revision: r(2) });
      check(`put ${k('a')} again`, await store.put(k('a'), '2'), { revision: r(3) });
      check('revision() after three puts', await store.revision(), r(3));
    },
  },
  {
    exercise: '01-mvcc',
    id: 'kv-fields',
    title: 'a key keeps its createRevision; modRevision and version move with every put',
    hint: "What do the key's previous createRevision and version become in the new entry?",
    async run({ store, k, r, check }) {
      await store.put(k('a'), 'one');
      await store.put(k('other'), 'x');
      await store.put(k('a'), 'two');
      await store.put(k('a'), 'three');
      check(`range ${k('a')} after 3 puts to it`, got(await store.range(k('a'))), {
        kvs: [kv(k('a'), 'three', r(1), r(4), 3)],
        count: 1,
        more: false,
        revision: r(4),
      });
    },
  },
  {
    exercise: '01-mvcc',
    id: 'version-restart',
    title: 'after a delete, a put starts the key over: version 1 and a new createRevision',
    hint: "When the key's last entry is a tombstone, does the key exist? What does a put of a key that does not exist write?",
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      check(`delete ${k('a')}`, await store.delete(k('a')), { revision: r(3), deleted: 1 });
      check(`put ${k('a')} after its delete`, await store.put(k('a'), '3'), { revision: r(4) });
      check(`range ${k('a')}`, (await store.range(k('a'))).kvs, [kv(k('a'), '3', r(4), r(4), 1)]);
    },
  },
  {
    exercise: '01-mvcc',
    id: 'delete-missing',
    title: 'deleting a key that does not exist changes nothing, not even the revision',
    hint: 'When deleteRange finds nothing to delete, should it touch state.revision?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      check(`delete ${k('missing')}`, await store.delete(k('missing')), { revision: r(1), deleted: 0 });
      await store.delete(k('a'));
      check(`delete ${k('a')} a second time`, await store.delete(k('a')), { revision: r(2), deleted: 0 });
      check('revision()', await store.revision(), r(2));
    },
  },
  {
    exercise: '01-mvcc',
    id: 'read-past',
    title: 'reading at an older revision sees the old value, and a deleted key as it was',
    hint: "For a read at revision R, which entry of the key's history counts: the newest, or the last one at or before R?",
    async run({ store, k, r, check }) {
      await store.put(k('a'), 'v1');
      await store.put(k('a'), 'v2');
      await store.delete(k('a'));
      check(`range ${k('a')} at r+1`, got(await store.range(k('a'), { revision: r(1) })), {
        kvs: [kv(k('a'), 'v1', r(1), r(1), 1)],
        count: 1,
        more: false,
        revision: r(3),
      });
      check(`range ${k('a')} at r+2`, (await store.range(k('a'), { revision: r(2) })).kvs, [kv(k('a'), 'v2', r(1), r(2), 2)]);
      check(`range ${k('a')} now (deleted at r+3)`, got(await store.range(k('a'))), { kvs: [], count: 0, more: false, revision: r(3) });
      check(`range ${k('a')} at r+0 (before it existed)`, (await store.range(k('a'), { revision: r(0) })).kvs, []);
    },
  },
  {
    exercise: '01-mvcc',
    id: 'prefix',
    title: 'a prefix range returns every key under it, in key order, and nothing else',
    hint: 'Do you walk state.keys.between(key, end) and skip keys that do not exist at the revision read?',
    async run({ store, k, r, check }) {
      await store.put(k('pods/default/web-2'), 'b');
      await store.put(k('pods/kube-system/dns'), 'c');
      await store.put(k('pods/default/web-1'), 'a');
      await store.put(k('services/default/web'), 's');
      await store.put(k('pods/default/gone'), 'x');
      await store.delete(k('pods/default/gone'));
      const prefix = k('pods/');
      check(`range prefix ${prefix}`, got(await store.range(prefix, { end: prefixEnd(prefix) })), {
        kvs: [kv(k('pods/default/web-1'), 'a', r(3), r(3), 1), kv(k('pods/default/web-2'), 'b', r(1), r(1), 1), kv(k('pods/kube-system/dns'), 'c', r(2), r(2), 1)],
        count: 3,
        more: false,
        revision: r(6),
      });
      check(
        `range [${k('pods/default/web-1')}, ${k('pods/default/web-2')})`,
        (await store.range(k('pods/default/web-1'), { end: k('pods/default/web-2') })).kvs.map((x) => x.key),
        [k('pods/default/web-1')],
      );
    },
  },
  {
    exercise: '01-mvcc',
    id: 'limit-count',
    title: 'limit keeps the first keys and says there are more; count is always the whole range',
    hint: 'Do you keep counting after you stop collecting? When is `more` true?',
    async run({ store, k, r, check }) {
      for (const name of ['a', 'b', 'c', 'd']) await store.put(k(name), name.toUpperCase());
      const prefix = k('');
      check(`range ${prefix}* limit 2`, got(await store.range(prefix, { end: prefixEnd(prefix), limit: 2 })), {
        kvs: [kv(k('a'), 'A', r(1), r(1), 1), kv(k('b'), 'B', r(2), r(2), 1)],
        count: 4,
        more: true,
        revision: r(4),
      });
      check(`range ${prefix}* limit 4`, got(await store.range(prefix, { end: prefixEnd(prefix), limit: 4 })).more, false);
      check(`range ${prefix}* countOnly`, got(await store.range(prefix, { end: prefixEnd(prefix), countOnly: true })), { kvs: [], count: 4, more: false, revision: r(4) });
      check(`range ${prefix}* keysOnly limit 1`, (await store.range(prefix, { end: prefixEnd(prefix), keysOnly: true, limit: 1 })).kvs, [kv(k('a'), '', r(1), r(1), 1)]);
      check(`range ${prefix}* at r+2 countOnly`, (await store.range(prefix, { end: prefixEnd(prefix), revision: r(2), countOnly: true })).count, 2);
    },
  },
  {
    exercise: '01-mvcc',
    id: 'future',
    title: 'reading at a revision the store has not reached fails with FutureRevisionError',
    hint: 'Which revisions can a read name? What should range() throw for one above state.revision?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      check(`range ${k('a')} at r+2 (the store is at r+1)`, await errorOf(store.range(k('a'), { revision: r(2) })), 'FutureRevisionError');
      check(`range ${k('a')} at r+1`, (await store.range(k('a'), { revision: r(1) })).count, 1);
    },
  },
  {
    exercise: '01-mvcc',
    id: 'prev-kv',
    title: 'put and delete with prevKv return what was there before',
    hint: 'Does put() return the previous key-value in its event? Does deleteRange() put one in each DELETE event?',
    async run({ store, k, r, check }) {
      check(`put ${k('a')} with prevKv (new key)`, await store.put(k('a'), '1', { prevKv: true }), { revision: r(1) });
      check(`put ${k('a')} with prevKv`, await store.put(k('a'), '2', { prevKv: true }), { revision: r(2), prevKv: kv(k('a'), '1', r(1), r(1), 1) });
      await store.put(k('b'), 'x');
      check(`delete prefix ${k('')} with prevKv`, await store.delete(k(''), { end: prefixEnd(k('')), prevKv: true }), {
        revision: r(4),
        deleted: 2,
        prevKvs: [kv(k('a'), '2', r(1), r(2), 2), kv(k('b'), 'x', r(3), r(3), 1)],
      });
    },
  },
  {
    exercise: '01-mvcc',
    id: 'delete-prefix',
    title: 'deleting a range deletes every key in it at one revision, and only those',
    hint: 'Do all the tombstones of one deleteRange share the same rev?',
    async run({ store, k, r, check }) {
      await store.put(k('x/1'), '1');
      await store.put(k('x/2'), '2');
      await store.put(k('y'), '3');
      check(`delete prefix ${k('x/')}`, await store.delete(k('x/'), { end: prefixEnd(k('x/')) }), { revision: r(4), deleted: 2 });
      check(
        `range ${k('')}*`,
        (await store.range(k(''), { end: prefixEnd(k('')) })).kvs.map((x) => x.key),
        [k('y')],
      );
      check(`range ${k('x/')}* at r+3`, (await store.range(k('x/'), { end: prefixEnd(k('x/')), revision: r(3) })).count, 2);
    },
  },

  // ---------------------------------------------------------------- 02-watch
  {
    exercise: '02-watch',
    id: 'history-then-live',
    title: 'a watch from a past revision receives the history in order, then live events',
    hint: 'Does startWatch return every change at or after nextRevision? Does publish send later ones?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      const w = await watch(k('a'), { startRevision: r(1) });
      await store.put(k('a'), '3');
      check(`watch ${k('a')} from r+1, then put ${k('a')}=3`, await w.waitForEvents(3), [
        putEvent(kv(k('a'), '1', r(1), r(1), 1)),
        putEvent(kv(k('a'), '2', r(1), r(2), 2)),
        putEvent(kv(k('a'), '3', r(1), r(3), 3)),
      ]);
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'from-next',
    title: 'a watch from revision N sees the change at N, not the one before it',
    hint: 'Is nextRevision the first revision the watcher wants, or the last one it has?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      const w = await watch(k('a'), { startRevision: r(2) });
      check(`watch ${k('a')} from r+2`, await w.waitForEvents(1), [putEvent(kv(k('a'), '2', r(1), r(2), 2))]);
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'prefix-watch',
    title: 'a prefix watch sees every key under the prefix and nothing else',
    hint: "Do you filter each event by the watcher's [key, end)?",
    async run({ store, k, r, check, watch }) {
      const w = await watch(k('pods/'), { end: prefixEnd(k('pods/')) });
      await store.put(k('pods/a'), '1');
      await store.put(k('services/a'), '1');
      await store.put(k('pods'), 'no slash');
      await store.delete(k('pods/a'));
      check(`watch prefix ${k('pods/')} during 3 puts and a delete`, await w.waitForEvents(2), [putEvent(kv(k('pods/a'), '1', r(1), r(1), 1)), deleteEvent(k('pods/a'), r(4))]);
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'range-watch',
    title: 'a watch on a range [a, c) sees every key from a up to c, not only the keys that start with a',
    hint: 'A range is [key, end): is b between a and c? Do startWatch and publish both compare with key and end (inRange), rather than test a prefix?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('b'), '1');
      const w = await watch(k('a'), { end: k('c'), startRevision: r(1) });
      await store.put(k('a'), '1');
      await store.put(k('b/x'), '1');
      await store.put(k('c'), '1');
      await store.put(k('ab'), '1');
      check(`watch ${k('a')} to ${k('c')} from r+1, with b put before and a, b/x, c, ab after`, await w.waitForEvents(4), [
        putEvent(kv(k('b'), '1', r(1), r(1), 1)),
        putEvent(kv(k('a'), '1', r(2), r(2), 1)),
        putEvent(kv(k('b/x'), '1', r(3), r(3), 1)),
        putEvent(kv(k('ab'), '1', r(5), r(5), 1)),
      ]);
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'prev-kv-watch',
    title: 'a watch with prevKv gets the value before each update and delete; a create has none',
    hint: 'Does the watcher that asked for prevKv get it, and one that did not, not?',
    async run({ store, k, r, check, watch }) {
      const withPrev = await watch(k('a'), { prevKv: true });
      const without = await watch(k('a'), {});
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      await store.delete(k('a'));
      check(`watch ${k('a')} with prevKv: put, put, delete`, await withPrev.waitForEvents(3), [
        putEvent(kv(k('a'), '1', r(1), r(1), 1)),
        putEvent(kv(k('a'), '2', r(1), r(2), 2), kv(k('a'), '1', r(1), r(1), 1)),
        deleteEvent(k('a'), r(3), kv(k('a'), '2', r(1), r(2), 2)),
      ]);
      check(`watch ${k('a')} without prevKv: put, put, delete`, await without.waitForEvents(3), [
        putEvent(kv(k('a'), '1', r(1), r(1), 1)),
        putEvent(kv(k('a'), '2', r(1), r(2), 2)),
        deleteEvent(k('a'), r(3)),
      ]);
      withPrev.cancel();
      without.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'one-revision-one-response',
    title: 'the events of one revision arrive together, in one response',
    hint: 'Does publish build ONE response per watcher for the whole change?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('x/1'), '1');
      await store.put(k('x/2'), '2');
      const w = await watch(k('x/'), { end: prefixEnd(k('x/')) });
      await store.delete(k('x/'), { end: prefixEnd(k('x/')) });
      await w.waitForEvents(2);
      check(
        `watch ${k('x/')}*, then delete the prefix: responses`,
        w.responses.map((resp) => resp.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`)),
        [[`DELETE ${k('x/1')}@${r(3)}`, `DELETE ${k('x/2')}@${r(3)}`]],
      );
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'cancel',
    title: 'after cancel(), a watcher receives nothing more',
    hint: 'The engine hands publish() only the watchers still open: does your publish() send to exactly the watchers it is given in this call, or to some it kept from an earlier call?',
    async run({ store, k, r, check, watch }) {
      const w = await watch(k('a'), {});
      await store.put(k('a'), '1');
      await w.waitForEvents(1);
      w.cancel();
      await store.put(k('a'), '2');
      const marker = await watch(k('a'), { startRevision: r(2) }); // proves r+2 was published
      await marker.waitForEvents(1);
      marker.cancel();
      check(
        `watch ${k('a')}, put, cancel, put: events`,
        w.events().map((e) => e.kv.value),
        ['1'],
      );
    },
  },
  {
    exercise: '02-watch',
    id: 'compact-reads',
    title: 'after compaction, reads below the compacted revision fail; at it and after, they work',
    hint: 'After compact(C), which entries must each key keep so that a read at C still answers?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      await store.put(k('b'), '1');
      await store.compact(r(2));
      check(`range ${k('a')} at r+1 after compact(r+2)`, await errorOf(store.range(k('a'), { revision: r(1) })), 'CompactedError');
      check(`range ${k('a')} at r+2 after compact(r+2)`, (await store.range(k('a'), { revision: r(2) })).kvs, [kv(k('a'), '2', r(1), r(2), 2)]);
      check(`range ${k('')}* now`, (await store.range(k(''), { end: prefixEnd(k('')) })).count, 2);
    },
  },
  {
    exercise: '02-watch',
    id: 'compact-errors',
    title: 'compacting again at the same revision fails with CompactedError, ahead of the store with FutureRevisionError',
    hint: 'What should compact() throw for a revision at or below state.compactRevision? Above state.revision?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      await store.compact(r(1));
      check(`compact(r+1) again`, await errorOf(store.compact(r(1))), 'CompactedError');
      check(`compact(r+3) with the store at r+2`, await errorOf(store.compact(r(3))), 'FutureRevisionError');
      await store.compact(r(2));
      check(`range ${k('a')} at r+1 after compact(r+2)`, await errorOf(store.range(k('a'), { revision: r(1) })), 'CompactedError');
    },
  },
  {
    exercise: '02-watch',
    id: 'compact-deleted',
    title: "compaction keeps a key's value at the compacted revision, and a key deleted before it stays deleted",
    hint: "When a key's last entry at or before C is a tombstone, what should a read at C or later see?",
    async run({ store, k, r, check }) {
      await store.put(k('gone'), '1');
      await store.delete(k('gone'));
      await store.put(k('kept'), '1');
      await store.put(k('later'), '1');
      await store.compact(r(3));
      check(`range ${k('')}* at r+3 after compact(r+3)`, (await store.range(k(''), { end: prefixEnd(k('')), revision: r(3) })).kvs, [kv(k('kept'), '1', r(3), r(3), 1)]);
      check(
        `range ${k('')}* now`,
        (await store.range(k(''), { end: prefixEnd(k('')) })).kvs.map((x) => x.key),
        [k('kept'), k('later')],
      );
    },
  },
  {
    exercise: '02-watch',
    id: 'watch-below-compact',
    title: 'a watch from below the compacted revision fails with CompactedError',
    hint: "Does startWatch compare the watcher's nextRevision with state.compactRevision?",
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      await store.compact(r(2));
      check(`watch ${k('a')} from r+1 after compact(r+2)`, await errorOf(watch(k('a'), { startRevision: r(1) })), 'CompactedError');
    },
  },
  {
    exercise: '02-watch',
    id: 'watch-at-compact',
    title: 'a watch from exactly the compacted revision works: it replays the value written there, without prevKv',
    hint: 'Is the compacted revision itself still readable? What can a watch say about the value before it?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      await store.put(k('a'), '3');
      await store.compact(r(2));
      const w = await watch(k('a'), { startRevision: r(2), prevKv: true });
      check(`watch ${k('a')} from r+2 with prevKv, after compact(r+2)`, await w.waitForEvents(2), [
        putEvent(kv(k('a'), '2', r(1), r(2), 2)),
        putEvent(kv(k('a'), '3', r(1), r(3), 3), kv(k('a'), '2', r(1), r(2), 2)),
      ]);
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'watch-at-compact-delete',
    title: 'a delete at the compacted revision is not replayed: compaction removed it',
    hint: 'Of the change at the compacted revision, which events survive compaction?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      await store.delete(k('a'));
      await store.put(k('a'), '2');
      await store.compact(r(2));
      const w = await watch(k('a'), { startRevision: r(2) });
      check(`watch ${k('a')} from r+2 after compact(r+2) (r+2 was a delete)`, await w.waitForEvents(1), [putEvent(kv(k('a'), '2', r(3), r(3), 1))]);
      w.cancel();
    },
  },
  {
    exercise: '02-watch',
    id: 'future-watch',
    title: 'a watch from a revision the store has not reached waits for it, and skips what comes before',
    hint: "When nextRevision is above a change's revision, should publish send that change?",
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      const w = await watch(k('a'), { startRevision: r(3) });
      await store.put(k('a'), '2');
      await store.put(k('a'), '3');
      check(`watch ${k('a')} from r+3, store at r+1, then two puts`, await w.waitForEvents(1), [putEvent(kv(k('a'), '3', r(1), r(3), 3))]);
      w.cancel();
    },
  },

  // ---------------------------------------------------------------- 03-txn
  {
    exercise: '03-txn',
    id: 'txn-success',
    title: 'a txn whose comparisons hold runs its success branch, at one revision for all its writes',
    hint: "Do all the puts of one txn get the same rev, and does the store's revision grow by one?",
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      const result = await store.txn({
        compare: [{ key: k('a'), target: 'value', result: '=', value: '1' }],
        success: [
          { type: 'put', key: k('b'), value: 'x' },
          { type: 'put', key: k('c'), value: 'y' },
        ],
        failure: [{ type: 'put', key: k('never'), value: '!' }],
      });
      check('txn: if a = "1" then put b, put c', result, {
        succeeded: true,
        revision: r(2),
        responses: [
          { type: 'put', revision: r(2) },
          { type: 'put', revision: r(2) },
        ],
      });
      check(`range ${k('')}*`, (await store.range(k(''), { end: prefixEnd(k('')) })).kvs, [kv(k('a'), '1', r(1), r(1), 1), kv(k('b'), 'x', r(2), r(2), 1), kv(k('c'), 'y', r(2), r(2), 1)]);
    },
  },
  {
    exercise: '03-txn',
    id: 'txn-compact-watch',
    title: 'compacting at a txn that put one key and deleted another keeps its put: a watch from there replays it',
    hint: 'This is compact() of 02-watch meeting a revision with several events: of the change at the compacted revision, do you keep each PUT (without prevKv) and drop only the DELETEs, or drop the whole change?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('a'), '1');
      await store.put(k('b'), '1');
      await store.txn({
        compare: [],
        success: [
          { type: 'put', key: k('a'), value: '2' },
          { type: 'delete', key: k('b') },
        ],
        failure: [],
      });
      await store.put(k('a'), '3');
      await store.compact(r(3));
      const w = await watch(k(''), { end: prefixEnd(k('')), startRevision: r(3), prevKv: true });
      check(`watch ${k('')}* from r+3 with prevKv, after a txn at r+3 (put a, delete b), a put at r+4 and compact(r+3)`, await w.waitForEvents(2), [
        putEvent(kv(k('a'), '2', r(1), r(3), 2)),
        putEvent(kv(k('a'), '3', r(1), r(4), 3), kv(k('a'), '2', r(1), r(3), 2)),
      ]);
      w.cancel();
    },
  },
  {
    exercise: '03-txn',
    id: 'txn-failure',
    title: 'a txn with a comparison that fails runs the failure branch instead',
    hint: 'Must every comparison hold for success, or just one?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      const result = await store.txn({
        compare: [
          { key: k('a'), target: 'value', result: '=', value: '1' },
          { key: k('a'), target: 'version', result: '>', value: 1 },
        ],
        success: [{ type: 'put', key: k('b'), value: 'wrong' }],
        failure: [{ type: 'range', key: k('a') }],
      });
      check('txn: if a = "1" and version(a) > 1 then put b else get a', result, {
        succeeded: false,
        revision: r(1),
        responses: [{ type: 'range', kvs: [kv(k('a'), '1', r(1), r(1), 1)], count: 1, more: false, revision: r(1) }],
      });
      check('revision() after a txn that only read', await store.revision(), r(1));
    },
  },
  {
    exercise: '03-txn',
    id: 'cas',
    title: 'compare-and-swap on modRevision: of two writers who read the same revision, only the first wins',
    hint: "The second writer's compare names a modRevision the key no longer has. Which branch runs?",
    async run({ store, k, r, check }) {
      const key = k('pods/default/web');
      await store.put(key, '{"replicas":1}');
      const read = (await store.range(key)).kvs[0]!.modRevision; // both writers read this
      const update = (value: string) =>
        store.txn({
          compare: [{ key, target: 'modRevision', result: '=', value: read }],
          success: [{ type: 'put', key, value }],
          failure: [{ type: 'range', key }],
        });
      check('writer 1: if modRevision = what I read then put', await update('{"replicas":2}'), { succeeded: true, revision: r(2), responses: [{ type: 'put', revision: r(2) }] });
      check('writer 2 (read the same revision): if modRevision = what I read then put, else get', await update('{"replicas":3}'), {
        succeeded: false,
        revision: r(2),
        responses: [{ type: 'range', kvs: [kv(key, '{"replicas":2}', r(1), r(2), 2)], count: 1, more: false, revision: r(2) }],
      });
    },
  },
  {
    exercise: '03-txn',
    id: 'create-if-absent',
    title: 'version = 0 means "does not exist": create-if-absent succeeds once, and again after a delete',
    hint: 'Which version does compare() use for a key that does not exist?',
    async run({ store, k, r, check }) {
      const create = () => store.txn({ compare: [{ key: k('a'), target: 'version', result: '=', value: 0 }], success: [{ type: 'put', key: k('a'), value: 'mine' }], failure: [] });
      check('create a if version(a) = 0', (await create()).succeeded, true);
      check('create a if version(a) = 0, again', await create(), { succeeded: false, revision: r(1), responses: [] });
      await store.delete(k('a'));
      check('create a if version(a) = 0, after a delete', (await create()).succeeded, true);
      check('createRevision(a) = 0 on a missing key', (await store.txn({ compare: [{ key: k('none'), target: 'createRevision', result: '=', value: 0 }], success: [], failure: [] })).succeeded, true);
    },
  },
  {
    exercise: '03-txn',
    id: 'value-missing',
    title: 'a value comparison on a key that does not exist is false, even with !=',
    hint: 'A missing key has no value at all: can any value comparison hold?',
    async run({ store, k, check }) {
      const cmp = async (result: '=' | '!=' | '<' | '>') => (await store.txn({ compare: [{ key: k('missing'), target: 'value', result, value: 'x' }], success: [], failure: [] })).succeeded;
      check(`value(missing) != "x"`, await cmp('!='), false);
      check(`value(missing) = "x"`, await cmp('='), false);
      check(`value(missing) < "x"`, await cmp('<'), false);
      await store.put(k('present'), 'b');
      const on = async (result: '=' | '!=' | '<' | '>', value: string) => (await store.txn({ compare: [{ key: k('present'), target: 'value', result, value }], success: [], failure: [] })).succeeded;
      check(`value(present = "b") > "a"`, await on('>', 'a'), true);
      check(`value(present = "b") < "a"`, await on('<', 'a'), false);
      check(`value(present = "b") != "c"`, await on('!=', 'c'), true);
    },
  },
  {
    exercise: '03-txn',
    id: 'read-own-writes',
    title: 'inside a txn, a range after a put sees the put; the one before it does not',
    hint: 'After the first write of the txn, what is state.revision, and what does range() read?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), 'old');
      const result = await store.txn({
        compare: [],
        success: [
          { type: 'range', key: k('a') },
          { type: 'put', key: k('a'), value: 'new', options: { prevKv: true } },
          { type: 'range', key: k('a') },
          { type: 'delete', key: k('b') },
        ],
        failure: [],
      });
      check('txn: get a, put a=new (prevKv), get a, delete b (missing)', result, {
        succeeded: true,
        revision: r(2),
        responses: [
          { type: 'range', kvs: [kv(k('a'), 'old', r(1), r(1), 1)], count: 1, more: false, revision: r(1) },
          { type: 'put', revision: r(2), prevKv: kv(k('a'), 'old', r(1), r(1), 1) },
          { type: 'range', kvs: [kv(k('a'), 'new', r(1), r(2), 2)], count: 1, more: false, revision: r(2) },
          { type: 'delete', revision: r(2), deleted: 0 },
        ],
      });
    },
  },
  {
    exercise: '03-txn',
    id: 'txn-delete',
    title: 'a txn that deletes and puts other keys is one revision, and a delete that finds nothing reports the old revision',
    hint: 'What revision does a delete report when nothing was deleted and nothing was written before it?',
    async run({ store, k, r, check }) {
      await store.put(k('x/1'), '1');
      await store.put(k('x/2'), '2');
      check('txn: delete missing key only', await store.txn({ compare: [], success: [{ type: 'delete', key: k('missing') }], failure: [] }), {
        succeeded: true,
        revision: r(2),
        responses: [{ type: 'delete', revision: r(2), deleted: 0 }],
      });
      check(
        'txn: delete x/* (prevKv), put y',
        await store.txn({
          compare: [],
          success: [
            { type: 'delete', key: k('x/'), options: { end: prefixEnd(k('x/')), prevKv: true } },
            { type: 'put', key: k('y'), value: 'y' },
          ],
          failure: [],
        }),
        {
          succeeded: true,
          revision: r(3),
          responses: [
            { type: 'delete', revision: r(3), deleted: 2, prevKvs: [kv(k('x/1'), '1', r(1), r(1), 1), kv(k('x/2'), '2', r(2), r(2), 1)] },
            { type: 'put', revision: r(3) },
          ],
        },
      );
    },
  },
  {
    exercise: '03-txn',
    id: 'duplicate',
    title: 'a txn that writes the same key twice fails with DuplicateKeyError and changes nothing',
    hint: 'Do you check every put of a branch against the others, and against its deletes, before writing?',
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      check(
        'txn: put b, put b',
        await errorOf(
          store.txn({
            compare: [],
            success: [
              { type: 'put', key: k('b'), value: '1' },
              { type: 'put', key: k('b'), value: '2' },
            ],
            failure: [],
          }),
        ),
        'DuplicateKeyError',
      );
      check(
        'txn: delete [a, c), put b',
        await errorOf(
          store.txn({
            compare: [],
            success: [
              { type: 'delete', key: k('a'), options: { end: k('c') } },
              { type: 'put', key: k('b'), value: '1' },
            ],
            failure: [],
          }),
        ),
        'DuplicateKeyError',
      );
      check(
        'txn (compare fails): put a, put a in the failure branch',
        await errorOf(
          store.txn({
            compare: [{ key: k('a'), target: 'version', result: '=', value: 9 }],
            success: [],
            failure: [
              { type: 'put', key: k('a'), value: '1' },
              { type: 'put', key: k('a'), value: '2' },
            ],
          }),
        ),
        'DuplicateKeyError',
      );
      check('revision() after refused txns', await store.revision(), r(1));
      check('range b after refused txns', (await store.range(k('b'))).count, 0);
      check(
        'txn: delete [a, c), delete b (overlapping deletes are fine)',
        (
          await store.txn({
            compare: [],
            success: [
              { type: 'delete', key: k('a'), options: { end: k('c') } },
              { type: 'delete', key: k('b') },
            ],
            failure: [],
          })
        ).revision,
        r(2),
      );
      check(
        'txn: put c in success and in failure (only one runs)',
        (await store.txn({ compare: [], success: [{ type: 'put', key: k('c'), value: 's' }], failure: [{ type: 'put', key: k('c'), value: 'f' }] })).succeeded,
        true,
      );
    },
  },
  {
    exercise: '03-txn',
    id: 'txn-compacted-range',
    title: 'a txn with a range at a compacted revision fails as a whole, before any write',
    hint: "Do you check the branch's range revisions before running its first op?",
    async run({ store, k, r, check }) {
      await store.put(k('a'), '1');
      await store.put(k('a'), '2');
      await store.compact(r(2));
      check(
        'txn: put b, then range a at r+1 (compacted)',
        await errorOf(
          store.txn({
            compare: [],
            success: [
              { type: 'put', key: k('b'), value: '1' },
              { type: 'range', key: k('a'), options: { revision: r(1) } },
            ],
            failure: [],
          }),
        ),
        'CompactedError',
      );
      check('range b after the failed txn', (await store.range(k('b'))).count, 0);
      check('revision() after the failed txn', await store.revision(), r(2));
    },
  },
  {
    exercise: '03-txn',
    id: 'txn-watch',
    title: 'a watcher receives all the events of a txn together, in the order the txn made them',
    hint: 'Does txn() return every event of the branch, in order?',
    async run({ store, k, r, check, watch }) {
      await store.put(k('z'), '1');
      const w = await watch(k(''), { end: prefixEnd(k('')) });
      await store.txn({
        compare: [],
        success: [
          { type: 'put', key: k('m'), value: '1' },
          { type: 'delete', key: k('z') },
          { type: 'put', key: k('a'), value: '2' },
        ],
        failure: [],
      });
      await w.waitForEvents(3);
      check(
        'watch, then txn: put m, delete z, put a',
        w.responses.map((resp) => resp.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`)),
        [[`PUT ${k('m')}@${r(2)}`, `DELETE ${k('z')}@${r(2)}`, `PUT ${k('a')}@${r(2)}`]],
      );
      w.cancel();
    },
  },

  // ---------------------------------------------------------------- 04-leases
  {
    exercise: '04-leases',
    id: 'grant',
    title: 'a lease is granted with its TTL; a TTL below 2 seconds is raised to 2, as etcd does',
    hint: 'Do you raise the TTL to LEASE_MIN_TTL_SECONDS before storing it?',
    async run({ store, lease, check }) {
      check(`leaseGrant(60, ${lease(1)})`, await store.leaseGrant(60, lease(1)), { id: lease(1), ttl: 60 });
      check(`leaseGrant(1, ${lease(2)})`, await store.leaseGrant(1, lease(2)), { id: lease(2), ttl: 2 });
      check(`leaseGrant(60, ${lease(1)}) again`, await errorOf(store.leaseGrant(60, lease(1))), 'LeaseExistsError');
      await store.leaseRevoke(lease(1));
      await store.leaseRevoke(lease(2));
    },
  },
  {
    exercise: '04-leases',
    id: 'attach',
    title: 'a key put with a lease shows it; a put with an unknown lease fails and writes nothing',
    hint: 'Is the lease id kept in the key-value? What happens before put() when the lease does not exist?',
    async run({ store, k, r, lease, check }) {
      await store.leaseGrant(60, lease(1));
      await store.put(k('a'), '1', { lease: lease(1) });
      check(`range ${k('a')}`, (await store.range(k('a'))).kvs, [kv(k('a'), '1', r(1), r(1), 1, lease(1))]);
      check(`put ${k('b')} with unknown lease ${lease(9)}`, await errorOf(store.put(k('b'), '1', { lease: lease(9) })), 'LeaseNotFoundError');
      check('revision() after the refused put', await store.revision(), r(1));
      await store.leaseRevoke(lease(1));
    },
  },
  {
    exercise: '04-leases',
    id: 'revoke',
    title: 'revoking a lease deletes all its keys at one revision; revoking it again fails',
    hint: 'Does revokeLease return every key attached to the lease? Are they all deleted at one rev?',
    async run({ store, k, r, lease, check, watch }) {
      await store.leaseGrant(60, lease(1));
      await store.put(k('a'), '1', { lease: lease(1) });
      await store.put(k('b'), '1', { lease: lease(1) });
      await store.put(k('c'), '1');
      const w = await watch(k(''), { end: prefixEnd(k('')) });
      await store.leaseRevoke(lease(1));
      await w.waitForEvents(2);
      check(
        `watch ${k('')}*, then revoke the lease of a and b`,
        w.responses.map((resp) => resp.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`)),
        [[`DELETE ${k('a')}@${r(4)}`, `DELETE ${k('b')}@${r(4)}`]],
      );
      check(
        `range ${k('')}* after the revoke`,
        (await store.range(k(''), { end: prefixEnd(k('')) })).kvs.map((x) => x.key),
        [k('c')],
      );
      check(`leaseRevoke(${lease(1)}) again`, await errorOf(store.leaseRevoke(lease(1))), 'LeaseNotFoundError');
      check(`leaseKeepAlive(${lease(1)}) after the revoke`, await errorOf(store.leaseKeepAlive(lease(1))), 'LeaseNotFoundError');
      w.cancel();
    },
  },
  {
    exercise: '04-leases',
    id: 'detach',
    title: 'a key put again without its lease leaves the lease; deleting a key leaves it too',
    hint: "When an event's prevKv names a lease, is the key removed from that lease's keys?",
    async run({ store, k, r, lease, check }) {
      await store.leaseGrant(60, lease(1));
      await store.put(k('a'), '1', { lease: lease(1) });
      await store.put(k('a'), '2');
      await store.put(k('b'), '1', { lease: lease(1) });
      await store.delete(k('b'));
      await store.put(k('b'), 'again');
      await store.leaseRevoke(lease(1));
      check(`range ${k('')}* after revoking the lease a and b once had`, (await store.range(k(''), { end: prefixEnd(k('')) })).kvs, [
        kv(k('a'), '2', r(1), r(2), 2),
        kv(k('b'), 'again', r(5), r(5), 1),
      ]);
      check('revision() (the revoke deleted nothing)', await store.revision(), r(5));
    },
  },
  {
    exercise: '04-leases',
    id: 'expiry',
    slow: true,
    title: 'when a lease expires, its keys are deleted, all at one revision',
    hint: 'Does expiredLeases return a lease once now >= expiresAt? Does the engine then get its keys from revokeLease?',
    async run({ store, k, r, lease, check, watch, pass }) {
      await store.leaseGrant(2, lease(1));
      await store.put(k('node-a'), 'heartbeat', { lease: lease(1) });
      await store.put(k('node-b'), 'heartbeat', { lease: lease(1) });
      const w = await watch(k(''), { end: prefixEnd(k('')) });
      await pass(1000);
      check(`range ${k('')}* 1 s into a 2 s lease`, (await store.range(k(''), { end: prefixEnd(k('')) })).count, 2);
      await pass(1500);
      await w.waitForEvents(2);
      check(
        `watch ${k('')}* while the 2 s lease expires`,
        w.responses.map((resp) => resp.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`)),
        [[`DELETE ${k('node-a')}@${r(3)}`, `DELETE ${k('node-b')}@${r(3)}`]],
      );
      check(`leaseKeepAlive(${lease(1)}) after it expired`, await errorOf(store.leaseKeepAlive(lease(1))), 'LeaseNotFoundError');
      w.cancel();
    },
  },
  {
    exercise: '04-leases',
    id: 'keepalive',
    slow: true,
    title: 'a keep-alive restarts the countdown: the key outlives the TTL, then goes when keep-alives stop',
    hint: 'Does keepAlive set expiresAt from `now`, not from the old expiresAt?',
    async run({ store, k, lease, check, pass }) {
      await store.leaseGrant(2, lease(1));
      await store.put(k('a'), '1', { lease: lease(1) });
      await pass(1200);
      check(`leaseKeepAlive(${lease(1)}) 1.2 s into a 2 s lease`, await store.leaseKeepAlive(lease(1)), { id: lease(1), ttl: 2 });
      await pass(1300);
      check(`range ${k('a')} 2.5 s after the grant (1.3 s after the keep-alive)`, (await store.range(k('a'))).count, 1);
      await pass(3000);
      check(`range ${k('a')} 4.3 s after the last keep-alive`, (await store.range(k('a'))).count, 0);
    },
  },
];

/** Runs a scenario with the helpers every caller shares; `base` is the revision it starts at. */
export function scenarioContext(
  store: KVStore,
  scenario: Scenario,
  base: number,
  options: { check: ScenarioContext['check']; pass: ScenarioContext['pass']; prefix: string; leaseBase: number; waitMs: number },
): ScenarioContext & { closeWatches(): void } {
  const opened: WatchRecorder[] = [];
  return {
    store,
    k: (name) => `${options.prefix}${scenario.id}/${name}`,
    r: (n) => base + n,
    lease: (n) => options.leaseBase + n,
    pass: options.pass,
    check: options.check,
    async watch(key, watchOptions) {
      const responses: WatchResponse[] = [];
      const waiters: (() => void)[] = [];
      const watcher = await store.watch(key, watchOptions, (response) => {
        responses.push(response);
        for (const wake of waiters.splice(0)) wake();
      });
      const events = () => responses.flatMap((resp) => resp.events);
      const recorder: WatchRecorder = {
        responses,
        events,
        async waitForEvents(n) {
          const deadline = Date.now() + options.waitMs;
          while (events().length < n && Date.now() < deadline) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
              waiters.push(() => {
                clearTimeout(timer);
                resolve();
              });
            });
          }
          // Anything more that is already on its way arrives too (a wrong extra event shows).
          await new Promise((resolve) => setTimeout(resolve, options.waitMs > 1000 ? 100 : 5));
          return events();
        },
        cancel: () => watcher.cancel(),
      };
      opened.push(recorder);
      return recorder;
    },
    closeWatches() {
      for (const w of opened) w.cancel();
    },
  };
}
