/**
 * Hidden suite for 01-etcd/05-wal: the record format (a header with its own checksum), reading
 * back (only the last record can be torn; a damaged header or a damaged record with more after it
 * is corruption, with its byte offset), group commit, recovery from snapshot + log (whatever is cut
 * is kept first), the durable store across restarts and damage, and the crash test: a writing
 * process killed with SIGKILL at 100 random moments loses no acknowledged write, never reads a
 * torn record as data, and keeps every torn tail it cuts.
 *
 * The damage rules follow etcd's WAL (go.etcd.io/etcd/server/v3/storage/wal): decoder.go reads a
 * torn last record as io.ErrUnexpectedEOF, only in the last file (isTornEntry checks
 * `len(d.brs) != 1`), and a CRC mismatch elsewhere as an error; repair.go copies the file to
 * `<name>.broken` before truncating it. etcd's length field has no checksum of its own (it is only
 * bounded by the file's size), which is exactly how a flipped length bit can pass for a torn tail:
 * ours adds the header checksum so that it cannot.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '#engine/etcd/clock.ts';
import type { CommitQueue } from '#engine/etcd/exercises.ts';
import { prefixEnd } from '#engine/etcd/kv.ts';
import { createStore } from '#engine/etcd/store.ts';
import type { LogEntry, RecoveryPlan, SnapshotFile } from '#engine/etcd/types.ts';
import { crc32, encodeEntry } from '#engine/etcd/wal-entry.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, useSeed } from '#grading';
import { bundleWriter, crashCycle, expectedAfter, keptAside, recoverFolder, tempDir } from './support/crash.ts';
import { eventually, settle } from './support/harness.ts';

const etcd = await loadComponent('etcd');
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};
const entry = (index: number): Uint8Array => etcd.encodeRecord(encodeEntry({ index, request: { op: 'put', key: `/k${index}`, value: `${index}` } }));
/** What decodeRecords does with these bytes: its result, or the WalCorruptError's name and offset. */
const outcome = (log: Uint8Array) => {
  try {
    const decoded = etcd.decodeRecords(log);
    return { records: decoded.records.map(text), validLength: decoded.validLength, torn: decoded.torn };
  } catch (error) {
    return { error: (error as Error).name, offset: (error as { offset?: number }).offset };
  }
};
/** A copy of `bytes` with bit `bit` (0 = lowest) of byte `at` flipped. */
const flipped = (bytes: Uint8Array, at: number, bit: number) => {
  const copy = bytes.slice();
  copy[at]! ^= 1 << bit;
  return copy;
};
/** Recovery's warnings, collected (the store says what it cut and where it kept it). */
const collecting = () => {
  const warnings: string[] = [];
  return { warnings, logger: { info: () => {}, warn: (message: string) => void warnings.push(message) } };
};
/** As if the store had been killed rather than closed: a clean close records where the log ended. */
const asAfterACrash = (dir: string) => rmSync(join(dir, 'clean-shutdown'), { force: true });
const onlySegment = (dir: string) => readdirSync(join(dir, 'wal')).filter((n) => n.endsWith('.wal'))[0]!;

const dirs: { remove(): void }[] = [];
function dataDir(): string {
  const dir = tempDir('kubelings-wal-');
  dirs.push(dir);
  return dir.path;
}
afterAll(() => {
  for (const d of dirs) d.remove();
});
/** Tests that failed so far: the crash test relies on every one of them (it would only fail slower). */
const failedAbove: string[] = [];
afterEach(({ task }) => {
  if (task.result?.state === 'fail') failedAbove.push(task.name);
});

describe('records: a header with its own checksum, then the payload', () => {
  test(
    'encodeRecord frames a payload as length, CRC-32 of the payload, CRC-32 of those first 8 bytes (4 bytes each, little-endian), then the payload',
    hint('Use a DataView: setUint32(0, length, true), setUint32(4, crc32(payload), true), then setUint32(8, crc32(record.subarray(0, 8)), true).'),
    () => {
      const record = etcd.encodeRecord(bytes('hello'));
      const expected = new Uint8Array(17);
      const view = new DataView(expected.buffer);
      view.setUint32(0, 5, true);
      view.setUint32(4, crc32(bytes('hello')), true);
      view.setUint32(8, crc32(expected.subarray(0, 8)), true);
      expected.set(bytes('hello'), 12);
      expect([...record], 'encodeRecord("hello")').toEqual([...expected]);
    },
  );

  test('decodeRecords reads back every record, in order, even an empty one', hint('After a record, where does the next one start? The header is 12 bytes.'), () => {
    const log = concat(etcd.encodeRecord(bytes('one')), etcd.encodeRecord(bytes('')), etcd.encodeRecord(bytes('three')));
    expect(outcome(log), 'decodeRecords(records "one", "", "three")').toEqual({ records: ['one', '', 'three'], validLength: log.length, torn: false });
  });

  test(
    'an empty record at the very end is whole, not torn: exactly 12 bytes left is a complete header',
    hint('When exactly HEADER_BYTES are left, is the header cut short? Compare with < 12, not <= 12.'),
    () => {
      const log = concat(etcd.encodeRecord(bytes('one')), etcd.encodeRecord(bytes('')));
      expect(outcome(log), 'decodeRecords(records "one", then "" last)').toEqual({ records: ['one', ''], validLength: log.length, torn: false });
    },
  );

  test(
    'decodeRecords works on bytes that do not start at the beginning of their buffer',
    hint('A Uint8Array can be a view into a bigger buffer: does your DataView start at bytes.byteOffset?'),
    () => {
      const inner = concat(etcd.encodeRecord(bytes('a')), etcd.encodeRecord(bytes('bc')));
      const outer = concat(bytes('xyz'), inner);
      expect(etcd.decodeRecords(outer.subarray(3)).records.map(text), 'decodeRecords of a view starting 3 bytes into its buffer').toEqual(['a', 'bc']);
    },
  );

  test(
    'a record cut short at any byte is dropped: the records before it are kept, and it is marked torn',
    hint('What if fewer than 12 bytes are left for the header? What if a sound header says more bytes than there are?'),
    () => {
      const first = etcd.encodeRecord(bytes('kept'));
      const second = etcd.encodeRecord(bytes('cut short at every byte'));
      for (let cut = 1; cut < second.length; cut++) {
        expect(outcome(concat(first, second.subarray(0, cut))), `a record "kept", then the first ${cut} of ${second.length} bytes of another`).toEqual({
          records: ['kept'],
          validLength: first.length,
          torn: true,
        });
      }
    },
  );

  test('a last record whose payload is damaged is a torn write: dropped, never returned as data', hint('Do you check crc32(payload) against the stored checksum before returning the payload?'), () => {
    const first = etcd.encodeRecord(bytes('good'));
    const last = flipped(etcd.encodeRecord(bytes('this one gets damaged')), 12 + 18, 4);
    expect(outcome(concat(first, last)), 'records "good", then a last record with one bit of its payload flipped').toEqual({ records: ['good'], validLength: first.length, torn: true });
  });

  test(
    'a damaged payload with more records after it is corruption: WalCorruptError, with the offset where that record begins',
    hint('A crash can only tear the end of the log. What does damage in the middle mean? Where does the bad record start?'),
    () => {
      const a = etcd.encodeRecord(bytes('a'));
      const middle = flipped(etcd.encodeRecord(bytes('damaged in the middle')), 12 + 3, 0);
      const log = concat(a, middle, etcd.encodeRecord(bytes('b')));
      expect(outcome(log), 'decodeRecords with a flipped bit in the payload of the second of three records').toEqual({ error: 'WalCorruptError', offset: a.length });
    },
  );

  test(
    'one flipped bit anywhere in the header of a record in the middle is corruption at that record, never a torn tail (the finding: a damaged length hid half the store)',
    hint('A flipped bit in the length can make it point past the end of the file. What must you check before you trust the length, and before you decide a record is cut short?'),
    () => {
      const first = etcd.encodeRecord(bytes('first'));
      const middle = etcd.encodeRecord(bytes('the record whose header gets damaged'));
      const rest = concat(etcd.encodeRecord(bytes('third')), etcd.encodeRecord(bytes('fourth')));
      for (let at = 0; at < 12; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const field = at < 4 ? 'length' : at < 8 ? 'payload checksum' : 'header checksum';
          expect(
            outcome(concat(first, flipped(middle, at, bit), rest)),
            `records "first", "the record whose...", "third", "fourth", with bit ${bit} of byte ${at} (the ${field}) of the second flipped`,
          ).toEqual({
            error: 'WalCorruptError',
            offset: first.length,
          });
        }
      }
    },
  );

  test(
    'a flipped bit in the header of the LAST record is corruption too: only a header cut short can be torn, a header that fails its checksum cannot',
    hint("When the header's checksum fails, can you know where that record ends, or that it is the last one?"),
    () => {
      const first = etcd.encodeRecord(bytes('first'));
      const last = etcd.encodeRecord(bytes('last'));
      for (const [at, bit] of [
        [0, 0],
        [1, 7],
        [3, 5],
        [5, 2],
        [9, 4],
      ] as const) {
        expect(outcome(concat(first, flipped(last, at, bit))), `records "first", "last", with bit ${bit} of byte ${at} of the last one's header flipped`).toEqual({
          error: 'WalCorruptError',
          offset: first.length,
        });
      }
    },
  );
});

describe('group commit', () => {
  test('tickets count from 1; a flush takes every waiting record, in order, and only one flush runs at a time', hint('While a flush is in progress, what must startFlush return?'), () => {
    const q = etcd.createCommitQueue(1 << 20);
    expect([q.add(bytes('a')), q.add(bytes('bb'))], 'tickets of the first two records').toEqual([1, 2]);
    const first = q.startFlush();
    expect(first && { bytes: text(first.bytes), lastTicket: first.lastTicket }, 'startFlush() with "a" and "bb" waiting').toEqual({ bytes: 'abb', lastTicket: 2 });
    expect(q.flushing, 'flushing during the flush').toBe(true);
    q.add(bytes('c'));
    q.add(bytes('d'));
    expect(q.startFlush(), 'startFlush() while a flush is in progress').toBeUndefined();
    expect(q.waiting, 'records waiting during the flush').toBe(2);
    expect(q.finishFlush(), 'finishFlush() of the first flush').toBe(2);
    const second = q.startFlush();
    expect(second && { bytes: text(second.bytes), lastTicket: second.lastTicket }, 'the next flush (records added during the first)').toEqual({ bytes: 'cd', lastTicket: 4 });
    expect(q.finishFlush(), 'finishFlush() of the second flush').toBe(4);
    expect(q.startFlush(), 'startFlush() with nothing waiting').toBeUndefined();
  });

  test(
    'a flush stops at maxBatchBytes, but always takes at least one record',
    hint('Count the bytes of the records you take: stop before one would go over the limit, unless you have none yet.'),
    () => {
      const q = etcd.createCommitQueue(10);
      for (const r of ['aaaa', 'bbbb', 'cccc', 'dddddddddddddddd', 'e']) q.add(bytes(r));
      const flushes: string[] = [];
      for (let batch = q.startFlush(); batch; batch = q.startFlush()) {
        flushes.push(`${text(batch.bytes)}#${batch.lastTicket}`);
        q.finishFlush();
      }
      expect(flushes, 'flushes of 4, 4, 4, 16 and 1 bytes with maxBatchBytes 10').toEqual(['aaaabbbb#2', 'cccc#3', 'dddddddddddddddd#4', 'e#5']);
    },
  );

  test('records that fill maxBatchBytes exactly go in one flush', hint('The limit is inclusive: stop only when the next record would take the batch past maxBatchBytes.'), () => {
    const q = etcd.createCommitQueue(8);
    for (const r of ['aaaa', 'bbbb', 'cc']) q.add(bytes(r));
    const flushes: string[] = [];
    for (let batch = q.startFlush(); batch; batch = q.startFlush()) {
      flushes.push(`${text(batch.bytes)}#${batch.lastTicket}`);
      q.finishFlush();
    }
    expect(flushes, 'flushes of 4, 4 and 2 bytes with maxBatchBytes 8').toEqual(['aaaabbbb#2', 'cc#3']);
  });

  test('finishFlush() with no flush in progress throws', () => {
    const q = etcd.createCommitQueue(100);
    q.add(bytes('a'));
    expect(() => q.finishFlush(), 'finishFlush() before any startFlush()').toThrow();
  });

  test('64 writers at once share fsyncs: far fewer flushes than writes', hint('Does the engine get everything that waits in one startFlush()?'), async () => {
    let flushes = 0;
    const counting = (max: number): CommitQueue => {
      const inner = etcd.createCommitQueue(max);
      return {
        get waiting() {
          return inner.waiting;
        },
        get flushing() {
          return inner.flushing;
        },
        add: (r) => inner.add(r),
        startFlush: () => {
          const batch = inner.startFlush();
          if (batch) flushes++;
          return batch;
        },
        finishFlush: () => inner.finishFlush(),
      };
    };
    const store = await createStore({ dataDir: dataDir(), parts: { ...etcd, createCommitQueue: counting } });
    await Promise.all(Array.from({ length: 64 }, (_, i) => store.put(`/registry/pods/default/p${i}`, `${i}`)));
    await store.close();
    expect(flushes, '64 concurrent puts: flushes (write + fsync)').toBeLessThanOrEqual(4);
    expect(flushes, '64 concurrent puts: flushes').toBeGreaterThan(0);
  });
});

describe('recovery: snapshot, then the log after it; keep what you cut', () => {
  const snapshot = (index: number, payload: string) => ({ name: `${index}.snap`, index, bytes: etcd.encodeRecord(bytes(payload)) });
  const summary = (plan: RecoveryPlan) => ({
    snapshot: plan.snapshot && { index: plan.snapshot.index, payload: text(plan.snapshot.payload) },
    entries: plan.entries.map((e: LogEntry) => e.index),
    steps: plan.steps,
  });
  /** planRecovery with a whole snapshot at 2 and `newest` (a file at index 5), over a log of entries 3..6. */
  const withNewestSnapshot = (newest: SnapshotFile) => etcd.planRecovery([snapshot(2, 'older'), newest], [{ name: 'a.wal', bytes: concat(entry(3), entry(4), entry(5), entry(6)) }]);
  /** What that plan must be when 5.snap cannot be used: the older snapshot, every entry after it, 5.snap kept aside then removed. */
  const OLDER_SNAPSHOT_USED = {
    snapshot: { index: 2, payload: 'older' },
    entries: [3, 4, 5, 6],
    steps: [
      { op: 'keep', file: '5.snap', from: 0 },
      { op: 'remove', file: '5.snap' },
    ],
  };
  const thrown = (run: () => unknown) => {
    try {
      run();
      return 'no error';
    } catch (error) {
      return { name: (error as Error).name, file: (error as { file?: string }).file, offset: (error as { offset?: number }).offset };
    }
  };

  test('with no files, recovery starts from an empty store and has nothing to do', () => {
    expect(etcd.planRecovery([], []), 'planRecovery([], [])').toEqual({ entries: [], steps: [] });
  });

  test('recovery uses the newest snapshot and applies only the entries after it', hint('Which entries does the snapshot already hold?'), () => {
    const plan = etcd.planRecovery([snapshot(2, 'old'), snapshot(4, 'new')], [{ name: 'a.wal', bytes: concat(entry(3), entry(4), entry(5), entry(6)) }]);
    expect(summary(plan), 'snapshots at 2 and 4; log entries 3..6').toEqual({ snapshot: { index: 4, payload: 'new' }, entries: [5, 6], steps: [] });
  });

  test(
    'a damaged newest snapshot is skipped for an older one, and kept aside then removed',
    hint('How do you tell a whole snapshot file from a damaged one? What must happen to the bytes before the file goes?'),
    () => {
      const damaged = snapshot(5, 'newest');
      damaged.bytes[13]! ^= 0xff;
      expect(summary(withNewestSnapshot(damaged)), 'snapshots 2.snap and 5.snap (damaged); entries 3..6').toEqual(OLDER_SNAPSHOT_USED);
    },
  );

  test(
    'a newest snapshot whose header is damaged (decodeRecords throws) is skipped for an older one, and kept aside then removed',
    hint('decodeRecords throws a WalCorruptError for a damaged header: for a snapshot, that is one more damaged file to skip, not a reason to stop recovery.'),
    () => {
      const damaged = snapshot(5, 'newest');
      damaged.bytes[1]! ^= 0x04;
      expect(summary(withNewestSnapshot(damaged)), 'snapshots 2.snap and 5.snap (a bit of its length flipped); entries 3..6').toEqual(OLDER_SNAPSHOT_USED);
    },
  );

  test(
    'an empty newest snapshot file holds no record: it is skipped for an older one, and kept aside then removed',
    hint('Zero bytes decode to no records and nothing torn: a whole snapshot holds exactly one record.'),
    () => {
      const empty = { name: '5.snap', index: 5, bytes: new Uint8Array(0) };
      expect(summary(withNewestSnapshot(empty)), 'snapshots 2.snap and 5.snap (0 bytes); entries 3..6').toEqual(OLDER_SNAPSHOT_USED);
    },
  );

  test(
    'a torn tail in the last log file is kept aside, then cut (in that order); its whole entries are applied',
    hint('Which bytes does the cut remove? What if the engine cut first and the machine crashed before it kept them?'),
    () => {
      const torn = entry(3).subarray(0, 7);
      const plan = etcd.planRecovery(
        [],
        [
          { name: 'one.wal', bytes: entry(1) },
          { name: 'two.wal', bytes: concat(entry(2), torn) },
        ],
      );
      expect(summary(plan), 'one.wal: entry 1; two.wal: entry 2 and 7 bytes of entry 3').toEqual({
        snapshot: undefined,
        entries: [1, 2],
        steps: [
          { op: 'keep', file: 'two.wal', from: entry(2).length },
          { op: 'truncate', file: 'two.wal', length: entry(2).length },
        ],
      });
    },
  );

  test('a torn tail in a log file that is not the last is corruption: WalCorruptError naming the file', hint('After a crash, only the file being written last can end mid-record.'), () => {
    expect(
      thrown(() =>
        etcd.planRecovery(
          [],
          [
            { name: 'one.wal', bytes: concat(entry(1), entry(2).subarray(0, 5)) },
            { name: 'two.wal', bytes: entry(2) },
          ],
        ),
      ),
      'planRecovery where one.wal ends mid-record and two.wal follows: the error',
    ).toEqual(expect.objectContaining({ name: 'WalCorruptError', file: 'one.wal' }));
  });

  test(
    'damage in the middle of a log file: WalCorruptError naming the file and the byte where the bad record begins, and no plan to cut anything',
    hint("Do you pass on the offset decodeRecords found, with the file's name: new WalCorruptError(message, { file, offset })?"),
    () => {
      const log = concat(entry(1), flipped(entry(2), 1, 3), entry(3), entry(4));
      expect(
        thrown(() => etcd.planRecovery([], [{ name: 'a.wal', bytes: log }])),
        'planRecovery with a flipped bit in the length of entry 2 of 4 in a.wal: the error',
      ).toEqual({
        name: 'WalCorruptError',
        file: 'a.wal',
        offset: entry(1).length,
      });
    },
  );

  test('missing entries are corruption, never skipped', hint('After the snapshot at index S, which index must the first entry applied have?'), () => {
    expect(
      thrown(() => etcd.planRecovery([], [{ name: 'a.wal', bytes: concat(entry(1), entry(2), entry(4)) }])),
      'entries 1, 2, 4',
    ).toEqual(expect.objectContaining({ name: 'WalCorruptError' }));
    expect(
      thrown(() => etcd.planRecovery([snapshot(3, 's')], [{ name: 'a.wal', bytes: concat(entry(5), entry(6)) }])),
      'snapshot at 3, entries 5, 6',
    ).toEqual(expect.objectContaining({ name: 'WalCorruptError' }));
  });
});

describe('the durable store across restarts', () => {
  test('after close and reopen, every write is there with its revision, and new writes continue the revisions', hint('Does recovery apply every entry after the snapshot, in order?'), async () => {
    const dir = dataDir();
    let store = await createStore({ dataDir: dir, snapshotEvery: 7 });
    for (let i = 0; i < 20; i++) await store.put(`/registry/pods/default/p${i % 6}`, `v${i}`);
    await store.delete('/registry/pods/default/p0');
    await store.txn({
      compare: [],
      success: [
        { type: 'put', key: '/registry/a', value: 'x' },
        { type: 'put', key: '/registry/b', value: 'y' },
      ],
      failure: [],
    });
    const before = await store.range('/registry/', { end: prefixEnd('/registry/') });
    const past = await store.range('/registry/', { end: prefixEnd('/registry/'), revision: 10 });
    await store.close();
    store = await createStore({ dataDir: dir, snapshotEvery: 7 });
    expect(await store.range('/registry/', { end: prefixEnd('/registry/') }), '20 puts, a delete, a txn (snapshots every 7 entries), restart: range /registry/*').toEqual(before);
    expect(await store.range('/registry/', { end: prefixEnd('/registry/'), revision: 10 }), 'the same, read at revision 10').toEqual(past);
    expect(await store.put('/registry/c', 'z'), 'the first put after the restart').toEqual({ revision: before.revision + 1 });
    await store.close();
  });

  test('compaction and leases survive a restart; a lease gets its whole TTL again after it', hint('Are compact and lease grants logged like puts?'), async () => {
    const dir = dataDir();
    const clock = new ManualClock(0);
    let store = await createStore({ dataDir: dir, clock });
    await store.put('/a', '1');
    await store.put('/a', '2');
    await store.compact(3);
    await store.leaseGrant(10, 5);
    await store.put('/leased', 'x', { lease: 5 });
    clock.advance(9_000);
    await store.close();
    store = await createStore({ dataDir: dir, clock });
    expect(
      await store.range('/a', { revision: 2 }).then(
        () => 'read',
        (e: Error) => e.name,
      ),
      'read /a at revision 2 after compact(3) and a restart',
    ).toBe('CompactedError');
    clock.advance(9_000);
    await settle();
    expect((await store.range('/leased')).count, 'the leased key 9 s after the restart (10 s lease, 9 s had passed before it)').toBe(1);
    clock.advance(2_000);
    const count = await eventually(
      async () => (await store.range('/leased')).count,
      (n) => n === 0,
    );
    expect(count, 'the leased key 11 s after the restart').toBe(0);
    await store.close();
  });

  test('a write the store refused is refused again on replay, and changes nothing', async () => {
    const dir = dataDir();
    let store = await createStore({ dataDir: dir });
    await store.put('/a', '1');
    await expect(store.put('/b', '1', { lease: 77 }), 'put with an unknown lease').rejects.toThrow('lease not found');
    await store.close();
    store = await createStore({ dataDir: dir });
    expect([await store.revision(), (await store.range('/b')).count], '[revision, count of /b] after a restart').toEqual([2, 0]);
    await store.close();
  });

  test(
    'after a crash, a torn record at the end of the log is cut at recovery, its bytes kept in <segment>.broken-<time> and a warning logged; writing goes on after it',
    hint('After recovery, is the torn tail cut off before new records are appended? Did your plan keep the bytes it cut?'),
    async () => {
      const dir = dataDir();
      let store = await createStore({ dataDir: dir });
      await store.put('/a', '1');
      await store.put('/a', '2');
      await store.close();
      asAfterACrash(dir);
      const segment = onlySegment(dir);
      const torn = entry(3).subarray(0, 15);
      writeFileSync(join(dir, 'wal', segment), torn, { flag: 'a' });
      const { warnings, logger } = collecting();
      store = await createStore({ dataDir: dir, logger });
      expect((await store.range('/a')).kvs[0]?.value, 'value of /a after recovering a log with a torn tail').toBe('2');
      const kept = readdirSync(join(dir, 'wal')).filter((n) => n.startsWith(`${segment}.broken-`));
      expect(
        kept.map((n) => [...readFileSync(join(dir, 'wal', n))]),
        `files ${segment}.broken-* after recovery, with their bytes (the 15 torn bytes)`,
      ).toEqual([[...torn]]);
      expect(warnings.join('\n'), 'what recovery logged').toContain(`wal/${segment}.broken-`);
      await store.put('/a', '3');
      await store.close();
      store = await createStore({ dataDir: dir });
      expect([await store.revision(), (await store.range('/a')).kvs[0]?.value], '[revision, /a] after writing on and recovering again').toEqual([4, '3']);
      await store.close();
    },
  );

  test(
    'a store stopped cleanly whose log later lost its last bytes refuses to start, names the file and byte and `cluster repair`, and changes nothing',
    hint('Does decodeRecords report the cut-short last record as torn (not as whole records), so that recovery sees the log is shorter than it was?'),
    async () => {
      const dir = dataDir();
      const store = await createStore({ dataDir: dir });
      for (let i = 1; i <= 5; i++) await store.put(`/k${i}`, `v${i}`);
      await store.close();
      const file = join(dir, 'wal', onlySegment(dir));
      const whole = readFileSync(file);
      writeFileSync(file, whole.subarray(0, whole.length - 10));
      const message = await createStore({ dataDir: dir }).then(
        async (s) => (await s.close(), 'it started'),
        (error: Error) => error.message,
      );
      expect(message, 'opening the store after cutting the last 10 bytes of its log').toMatch(/was not started: its data is damaged/);
      expect(message, 'the refusal says where').toContain(`wal/${onlySegment(dir)}, byte `);
      expect(message, 'the refusal says how to recover').toContain('cluster repair');
      expect(readFileSync(file).length, "the log file's length after the refused start").toBe(whole.length - 10);
    },
  );

  test(
    "one flipped bit in the length of a record in the middle of a stopped store's log: the store refuses to start, says where and how to recover, and changes nothing",
    hint("Is the length trusted before the header's checksum is checked? A length that points past the end must not pass for a torn tail."),
    async () => {
      const dir = dataDir();
      const store = await createStore({ dataDir: dir });
      for (let i = 1; i <= 40; i++) await store.put(`/registry/configmaps/default/cm${i}`, `value ${i}`);
      await store.close();
      const file = join(dir, 'wal', onlySegment(dir));
      const original = readFileSync(file);
      // Find the 20th record by walking the lengths, then flip the top bit of its length.
      let offset = 0;
      for (let i = 1; i < 20; i++) offset += 12 + original.readUInt32LE(offset);
      const damaged = Buffer.from(original);
      damaged[offset + 3]! ^= 0x40;
      writeFileSync(file, damaged);
      const { warnings, logger } = collecting();
      const message = await createStore({ dataDir: dir, logger }).then(
        async (s) => (await s.close(), 'it started'),
        (error: Error) => error.message,
      );
      expect(message, 'opening the store with bit 30 of the length of record 20 of 40 flipped').toMatch(/was not started: its data is damaged/);
      expect(message, 'the refusal says where').toContain(`wal/${onlySegment(dir)}, byte ${offset}`);
      expect(message, 'the refusal says what is still good').toContain('every write up to entry 19');
      expect(message, 'the refusal says how to recover').toContain('cluster repair');
      expect([...readFileSync(file)].length, "the log file's length after the refused start").toBe(damaged.length);
      expect(existsSync(join(dir, 'wal')) && readdirSync(join(dir, 'wal')).filter((n) => n.includes('.broken-')), 'files kept aside by a refused start').toEqual([]);
      expect(warnings, 'recovery warnings (nothing was cut)').toEqual([]);
    },
  );
});

describe('crashes', () => {
  let bundle: string;
  beforeAll(async () => {
    if (failedAbove.length > 0) return;
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    bundle = await bundleWriter(dir);
  });

  test(
    'killed with SIGKILL at 100 random moments, the store loses no acknowledged write and never reads a torn record',
    hint("Is a put acknowledged only after its record is fsync'd? Does recovery drop a torn last record and cut it off before writing on?", { timeout: 90_000 }),
    async ({ task }) => {
      expect(failedAbove, 'tests above that fail (the crash test runs once they all pass: it relies on each of them)').toEqual([]);
      const kills = fc.sample(fc.integer({ min: 0, max: 40 }), { seed: useSeed(task), numRuns: 100, includeErrorInReport: true });
      const lanes = [dataDir(), dataDir(), dataDir(), dataDir()];
      let torn = 0;
      const runLane = async (lane: number) => {
        let acked = -1; // the highest write acknowledged in this folder so far
        for (let i = lane; i < kills.length; i += lanes.length) {
          const cycle = await crashCycle(bundle, lanes[lane]!, kills[i]!, 16);
          if (cycle.tornTail) torn++;
          acked = Math.max(acked, ...cycle.acked);
          const { writes, kvs } = await recoverFolder(lanes[lane]!);
          const what = `kill ${i + 1} of 100 (after ${kills[i]} ms; ${cycle.acked.length} writes acknowledged by that process, ${acked + 1} in this folder so far)`;
          expect(writes, `${what}: writes recovered (at least every acknowledged one)`).toBeGreaterThanOrEqual(acked + 1);
          expect(kvs, `${what}: the key space recovered, against the first ${writes} writes`).toEqual(expectedAfter(writes));
        }
      };
      await Promise.all(lanes.map((_, lane) => runLane(lane)));
      expect(torn, 'kills that left a torn record at the end of the log (the test must exercise them)').toBeGreaterThan(0);
      const kept = lanes.reduce((n, lane) => n + keptAside(lane).length, 0);
      expect(kept, `files kept aside by recovery in the 4 folders (one per torn tail cut: ${torn})`).toBe(torn);
    },
  );
});
