/**
 * Hidden suite for 01-etcd/05-wal: the record format, reading back (torn tails dropped, damage
 * detected), group commit, recovery from snapshot + log, the durable store across restarts, and
 * the crash test: a writing process killed with SIGKILL at 100 random moments loses no
 * acknowledged write and never reads a torn record as data.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '#engine/etcd/clock.ts';
import type { CommitQueue } from '#engine/etcd/exercises.ts';
import { prefixEnd } from '#engine/etcd/kv.ts';
import { createStore } from '#engine/etcd/store.ts';
import type { LogEntry } from '#engine/etcd/types.ts';
import { crc32, encodeEntry } from '#engine/etcd/wal-entry.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, useSeed } from '#grading';
import { bundleWriter, crashCycle, expectedAfter, recoverFolder, tempDir } from './support/crash.ts';
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

const dirs: { remove(): void }[] = [];
function dataDir(): string {
  const dir = tempDir('kubelings-wal-');
  dirs.push(dir);
  return dir.path;
}
afterAll(() => {
  for (const d of dirs) d.remove();
});

describe('records: length, checksum, payload', () => {
  test('encodeRecord frames a payload as length (4 bytes), CRC-32 (4 bytes), then the payload, little-endian', hint('Use a DataView: setUint32(0, length, true), setUint32(4, crc32(payload), true).'), () => {
    const record = etcd.encodeRecord(bytes('hello'));
    const expected = new Uint8Array(13);
    const view = new DataView(expected.buffer);
    view.setUint32(0, 5, true);
    view.setUint32(4, crc32(bytes('hello')), true);
    expected.set(bytes('hello'), 8);
    expect([...record], 'encodeRecord("hello")').toEqual([...expected]);
  });

  test('decodeRecords reads back every record, in order, even an empty one', hint('After a record, where does the next one start?'), () => {
    const log = concat(etcd.encodeRecord(bytes('one')), etcd.encodeRecord(bytes('')), etcd.encodeRecord(bytes('three')));
    const decoded = etcd.decodeRecords(log);
    expect(decoded.records.map(text), 'decodeRecords(records "one", "", "three")').toEqual(['one', '', 'three']);
    expect([decoded.validLength, decoded.torn], '[validLength, torn]').toEqual([log.length, false]);
  });

  test('decodeRecords works on bytes that do not start at the beginning of their buffer', hint('A Uint8Array can be a view into a bigger buffer: does your DataView start at bytes.byteOffset?'), () => {
    const inner = concat(etcd.encodeRecord(bytes('a')), etcd.encodeRecord(bytes('bc')));
    const outer = concat(bytes('xyz'), inner);
    expect(etcd.decodeRecords(outer.subarray(3)).records.map(text), 'decodeRecords of a view starting 3 bytes into its buffer').toEqual(['a', 'bc']);
  });

  test('a record cut short at any byte is dropped: the records before it are kept, and it is marked torn', hint('What if fewer than 8 bytes are left? What if the length says more bytes than there are?'), () => {
    const first = etcd.encodeRecord(bytes('kept'));
    const second = etcd.encodeRecord(bytes('cut short at every byte'));
    for (let cut = 1; cut < second.length; cut++) {
      const decoded = etcd.decodeRecords(concat(first, second.subarray(0, cut)));
      expect({ records: decoded.records.map(text), validLength: decoded.validLength, torn: decoded.torn }, `a record "kept", then the first ${cut} of ${second.length} bytes of another`).toEqual({ records: ['kept'], validLength: first.length, torn: true });
    }
  });

  test('a damaged last record is a torn write: dropped, never returned as data', hint('Do you check crc32(payload) against the stored checksum before returning the payload?'), () => {
    const first = etcd.encodeRecord(bytes('good'));
    const last = etcd.encodeRecord(bytes('this one gets damaged'));
    last[last.length - 3]! ^= 0x10;
    const decoded = etcd.decodeRecords(concat(first, last));
    expect({ records: decoded.records.map(text), torn: decoded.torn, validLength: decoded.validLength }, 'records "good", then a last record with one bit flipped').toEqual({ records: ['good'], torn: true, validLength: first.length });
  });

  test('a damaged record with more records after it is corruption: WalCorruptError', hint('A crash can only tear the end of the log. What does damage in the middle mean?'), () => {
    const middle = etcd.encodeRecord(bytes('damaged in the middle'));
    middle[10]! ^= 0x01;
    const log = concat(etcd.encodeRecord(bytes('a')), middle, etcd.encodeRecord(bytes('b')));
    expect(() => etcd.decodeRecords(log), 'decodeRecords with a flipped bit in the second of three records').toThrow(expect.objectContaining({ name: 'WalCorruptError' }));
  });
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

  test('a flush stops at maxBatchBytes, but always takes at least one record', hint('Count the bytes of the records you take: stop before one would go over the limit, unless you have none yet.'), () => {
    const q = etcd.createCommitQueue(10);
    for (const r of ['aaaa', 'bbbb', 'cccc', 'dddddddddddddddd', 'e']) q.add(bytes(r));
    const flushes: string[] = [];
    for (let batch = q.startFlush(); batch; batch = q.startFlush()) {
      flushes.push(`${text(batch.bytes)}#${batch.lastTicket}`);
      q.finishFlush();
    }
    expect(flushes, 'flushes of 4, 4, 4, 16 and 1 bytes with maxBatchBytes 10').toEqual(['aaaabbbb#2', 'cccc#3', 'dddddddddddddddd#4', 'e#5']);
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

describe('recovery: snapshot, then the log after it', () => {
  const snapshot = (index: number, payload: string) => ({ index, bytes: etcd.encodeRecord(bytes(payload)) });

  test('with no files, recovery starts from an empty store', () => {
    expect(etcd.planRecovery([], []), 'planRecovery([], [])').toEqual({ entries: [] });
  });

  test('recovery uses the newest snapshot and applies only the entries after it', hint('Which entries does the snapshot already hold?'), () => {
    const plan = etcd.planRecovery([snapshot(2, 'old'), snapshot(4, 'new')], [{ name: 'a.wal', bytes: concat(entry(3), entry(4), entry(5), entry(6)) }]);
    expect({ snapshot: plan.snapshot && { index: plan.snapshot.index, payload: text(plan.snapshot.payload) }, entries: plan.entries.map((e: LogEntry) => e.index), truncate: plan.truncate }, 'snapshots at 2 and 4; log entries 3..6').toEqual({
      snapshot: { index: 4, payload: 'new' },
      entries: [5, 6],
      truncate: undefined,
    });
  });

  test('a damaged newest snapshot is skipped for an older one', hint('How do you tell a whole snapshot file from a damaged one?'), () => {
    const damaged = snapshot(5, 'newest');
    damaged.bytes[9]! ^= 0xff;
    const plan = etcd.planRecovery([snapshot(2, 'older'), damaged], [{ name: 'a.wal', bytes: concat(entry(3), entry(4), entry(5), entry(6)) }]);
    expect([plan.snapshot?.index, plan.entries.map((e: LogEntry) => e.index)], 'snapshots at 2 and 5 (damaged); entries 3..6: [snapshot used, entries applied]').toEqual([2, [3, 4, 5, 6]]);
  });

  test('a torn tail in the last log file is cut off; its whole entries are kept', hint('Which file should the engine truncate, and to what length?'), () => {
    const plan = etcd.planRecovery([], [{ name: 'one.wal', bytes: entry(1).subarray(0) }, { name: 'two.wal', bytes: concat(entry(2), entry(3).subarray(0, 7)) }]);
    expect({ entries: plan.entries.map((e: LogEntry) => e.index), truncate: plan.truncate }, 'one.wal: entry 1; two.wal: entry 2 and 7 bytes of entry 3').toEqual({ entries: [1, 2], truncate: { name: 'two.wal', length: entry(2).length } });
  });

  test('a torn tail in a log file that is not the last is corruption', hint('After a crash, only the file being written last can end mid-record.'), () => {
    expect(() => etcd.planRecovery([], [{ name: 'one.wal', bytes: concat(entry(1), entry(2).subarray(0, 5)) }, { name: 'two.wal', bytes: entry(2) }]), 'one.wal ends mid-record, two.wal follows').toThrow(expect.objectContaining({ name: 'WalCorruptError' }));
  });

  test('missing entries are corruption, never skipped', hint('After the snapshot at index S, which index must the first entry applied have?'), () => {
    expect(() => etcd.planRecovery([], [{ name: 'a.wal', bytes: concat(entry(1), entry(2), entry(4)) }]), 'entries 1, 2, 4').toThrow(expect.objectContaining({ name: 'WalCorruptError' }));
    expect(() => etcd.planRecovery([snapshot(3, 's')], [{ name: 'a.wal', bytes: concat(entry(5), entry(6)) }]), 'snapshot at 3, entries 5, 6').toThrow(expect.objectContaining({ name: 'WalCorruptError' }));
  });
});

describe('the durable store across restarts', () => {
  test('after close and reopen, every write is there with its revision, and new writes continue the revisions', hint('Does recovery apply every entry after the snapshot, in order?'), async () => {
    const dir = dataDir();
    let store = await createStore({ dataDir: dir, snapshotEvery: 7 });
    for (let i = 0; i < 20; i++) await store.put(`/registry/pods/default/p${i % 6}`, `v${i}`);
    await store.delete('/registry/pods/default/p0');
    await store.txn({ compare: [], success: [{ type: 'put', key: '/registry/a', value: 'x' }, { type: 'put', key: '/registry/b', value: 'y' }], failure: [] });
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
    expect(await store.range('/a', { revision: 2 }).then(() => 'read', (e: Error) => e.name), 'read /a at revision 2 after compact(3) and a restart').toBe('CompactedError');
    clock.advance(9_000);
    await settle();
    expect((await store.range('/leased')).count, 'the leased key 9 s after the restart (10 s lease, 9 s had passed before it)').toBe(1);
    clock.advance(2_000);
    const count = await eventually(async () => (await store.range('/leased')).count, (n) => n === 0);
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

  test('a torn record at the end of the log is dropped at recovery, and writing goes on after it', hint('After recovery, is the torn tail cut off before new records are appended?'), async () => {
    const dir = dataDir();
    let store = await createStore({ dataDir: dir });
    await store.put('/a', '1');
    await store.put('/a', '2');
    await store.close();
    const walDir = join(dir, 'wal');
    const [segment] = readdirSync(walDir);
    const torn = entry(3).subarray(0, 11);
    writeFileSync(join(walDir, segment!), torn, { flag: 'a' });
    store = await createStore({ dataDir: dir });
    expect((await store.range('/a')).kvs[0]?.value, 'value of /a after recovering a log with a torn tail').toBe('2');
    await store.put('/a', '3');
    await store.close();
    store = await createStore({ dataDir: dir });
    expect([await store.revision(), (await store.range('/a')).kvs[0]?.value], '[revision, /a] after writing on and recovering again').toEqual([4, '3']);
    await store.close();
  });
});

describe('crashes', () => {
  let bundle: string;
  beforeAll(async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    bundle = await bundleWriter(dir);
  });

  test(
    'killed with SIGKILL at 100 random moments, the store loses no acknowledged write and never reads a torn record',
    hint('Is a put acknowledged only after its record is fsync\'d? Does recovery drop a torn last record and cut it off before writing on?', { timeout: 90_000 }),
    async ({ task }) => {
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
    },
  );
});
