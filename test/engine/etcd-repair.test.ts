/**
 * `cluster repair` (engine/etcd/repair.ts) on damaged data dirs: it keeps every byte it takes out
 * of the log (`<file>.broken-<time>`), brings the store back to the state after the last good
 * entry, says exactly which entries were lost, and refuses, changing nothing, what it cannot repair
 * (a damaged snapshot with nothing behind it, a store that is running, an old format).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { prefixEnd, type KVStore } from '#engine/etcd/kv.ts';
import { repairDataDir } from '#engine/etcd/repair.ts';
import { createStore } from '#engine/etcd/store.ts';
import { loadComponent } from '#engine/impl.ts';
import { scratchDir } from '../support/scratch.ts';

const parts = await loadComponent('etcd');
const root = scratchDir('kubelings-repair-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const quiet = { info: () => {}, warn: () => {} };
const NOW = Date.UTC(2025, 0, 2, 15, 4, 5);

/** A stopped store with `n` puts (entries 1..n), snapshots every `snapshotEvery` entries. */
async function stoppedStore(n: number, snapshotEvery = 100_000): Promise<string> {
  const dir = join(root, `store-${dirs++}`);
  const store = await createStore({ dataDir: dir, snapshotEvery });
  for (let i = 1; i <= n; i++) await store.put(`/registry/configmaps/default/cm${i}`, `value ${i}`);
  await store.close();
  return dir;
}

const segments = (dir: string) =>
  readdirSync(join(dir, 'wal'))
    .filter((n) => n.endsWith('.wal'))
    .sort();
const snapshots = (dir: string) =>
  readdirSync(join(dir, 'snap'))
    .filter((n) => n.endsWith('.snap'))
    .sort();
const keptFiles = (dir: string) =>
  ['wal', 'snap'].flatMap((sub) =>
    readdirSync(join(dir, sub))
      .filter((n) => n.includes('.broken-'))
      .map((n) => `${sub}/${n}`),
  );

/** Byte offset where record `k` (counting from 1) of a segment begins. */
function recordOffset(bytes: Buffer, k: number): number {
  let offset = 0;
  for (let i = 1; i < k; i++) offset += 12 + bytes.readUInt32LE(offset);
  return offset;
}

function flipLengthBit(file: string, record: number): number {
  const bytes = readFileSync(file);
  const offset = recordOffset(bytes, record);
  bytes[offset + 3]! ^= 0x40;
  writeFileSync(file, bytes);
  return offset;
}

async function keys(dir: string): Promise<string[]> {
  const store: KVStore = await createStore({ dataDir: dir, logger: quiet });
  try {
    return (await store.range('/registry/', { end: prefixEnd('/registry/'), keysOnly: true })).kvs.map((kv) => kv.key.split('/').at(-1)!);
  } finally {
    await store.close();
  }
}

const cms = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `cm${from + i}`).sort();

describe('cluster repair', () => {
  test('with nothing damaged it changes nothing and says so', async () => {
    const dir = await stoppedStore(5);
    const before = readFileSync(join(dir, 'wal', segments(dir)[0]!));
    const report = await repairDataDir(dir, { parts, now: () => NOW });
    expect(report.lines, 'the report').toEqual([`Nothing to repair in ${dir}: the store starts as it is, with every write up to entry 5 (revision 6).`]);
    expect(readFileSync(join(dir, 'wal', segments(dir)[0]!)).equals(before), 'the log is unchanged').toBe(true);
    expect(keptFiles(dir), 'files kept aside').toEqual([]);
  });

  test('a flipped length bit in the middle: the log is cut at that record, the rest kept aside byte for byte, and exactly the entries after it are reported lost', async () => {
    const dir = await stoppedStore(30);
    const name = segments(dir)[0]!;
    const file = join(dir, 'wal', name);
    const offset = flipLengthBit(file, 12);
    const damaged = readFileSync(file);
    const report = await repairDataDir(dir, { parts, now: () => NOW });
    expect(report.lines, 'the report').toEqual([
      `Repaired ${dir}:`,
      `  wal/${name}, byte ${offset} (record 12 of the file): the record at byte ${offset} has a damaged header (its checksum fails): the log is damaged`,
      `    kept aside: wal/${name}.broken-20250102T150405Z (${damaged.length - offset} bytes: the file from byte ${offset} on)`,
      '    lost: entries 12 to 30 (19 writes; the store was stopped cleanly at entry 30)',
      'The store now holds every write up to entry 11 (revision 12). Start it with: npx kubelings cluster up',
    ]);
    expect(readFileSync(join(dir, 'wal', `${name}.broken-20250102T150405Z`)).equals(damaged.subarray(offset)), 'the kept bytes are the ones cut').toBe(true);
    expect(readFileSync(file).equals(damaged.subarray(0, offset)), 'the log keeps the bytes before the damage').toBe(true);
    expect(await keys(dir), 'the keys after repair').toEqual(cms(1, 11));
  });

  test('a log file that a newer snapshot wholly holds is moved aside, and nothing is lost', async () => {
    const dir = await stoppedStore(25, 10);
    expect(segments(dir), 'segments (the oldest is kept for the older snapshot)').toEqual(['000000000000000b.wal', '0000000000000015.wal']);
    flipLengthBit(join(dir, 'wal', '000000000000000b.wal'), 3);
    const refused = await createStore({ dataDir: dir, logger: quiet }).then(
      async (s) => (await s.close(), 'it started'),
      (error: Error) => error.message,
    );
    expect(refused, 'the start before repair').toContain('good:  snapshot snap/0000000000000014.snap holds every entry of this log file: nothing is lost without it');
    const report = await repairDataDir(dir, { parts, now: () => NOW });
    expect(report.lines.slice(2), 'the report, after its first two lines').toEqual([
      '    moved aside whole: wal/000000000000000b.wal.broken-20250102T150405Z',
      '    lost: nothing (snapshot snap/0000000000000014.snap holds every entry of that file)',
      'The store now holds every write up to entry 25 (revision 26). Start it with: npx kubelings cluster up',
    ]);
    expect(await keys(dir), 'the keys after repair').toEqual(cms(1, 25));
  });

  test('damage in two log files: each is found and repaired, first to last, and the report adds them up', async () => {
    const dir = await stoppedStore(25, 10);
    flipLengthBit(join(dir, 'wal', '000000000000000b.wal'), 3);
    flipLengthBit(join(dir, 'wal', '0000000000000015.wal'), 2);
    const report = await repairDataDir(dir, { parts, now: () => NOW });
    expect(
      report.repairs.map((r) => [r.damage.name, r.lost ?? 'nothing']),
      'repairs',
    ).toEqual([
      ['000000000000000b.wal', 'nothing'],
      ['0000000000000015.wal', 'entries 22 to 25 (4 writes; the store was stopped cleanly at entry 25)'],
    ]);
    expect(await keys(dir), 'the keys after repair').toEqual(cms(1, 21));
  });

  test('a damaged snapshot with no older snapshot and log behind it cannot be repaired: refused, nothing changed', async () => {
    const dir = await stoppedStore(25, 10);
    for (const name of snapshots(dir)) {
      const file = join(dir, 'snap', name);
      const bytes = readFileSync(file);
      bytes[20]! ^= 1;
      writeFileSync(file, bytes);
    }
    const refused = await createStore({ dataDir: dir, logger: quiet }).then(
      async (s) => (await s.close(), 'it started'),
      (error: Error) => error.message,
    );
    expect(refused, 'the start').toContain(`where: snap/${snapshots(dir).at(-1)}`);
    expect(refused, 'the start says what is lost').toContain('lost:  entries 1 to 25 (25 writes; the store was stopped cleanly at entry 25)');
    expect(refused, 'the start says what to do').toContain('No copy of those writes is left in the folder, so repair cannot bring them back.');
    const message = await repairDataDir(dir, { parts, now: () => NOW }).then(
      () => 'it repaired',
      (error: Error) => error.message,
    );
    expect(message, 'repair of a dir whose two snapshots are both damaged').toContain(`Cannot repair ${dir} (nothing was changed):`);
    expect(message, 'the reason').toContain('no older snapshot with the log after it is left: the writes up to entry');
    expect(message, 'what to do').toContain('Restore the folder');
    expect(keptFiles(dir), 'files kept aside').toEqual([]);
  });

  test('a store that is running is not repaired', async () => {
    const dir = await stoppedStore(3);
    const store = await createStore({ dataDir: dir, logger: quiet });
    await expect(repairDataDir(dir, { parts }), 'repair while the store has the dir open').rejects.toThrow(/Cannot repair .* while a store has it open .*Stop it first/);
    await store.close();
  });

  test('a data dir written by the previous format is refused with what to do, by the store and by repair, and left as it was', async () => {
    const dir = await stoppedStore(3);
    rmSync(join(dir, 'format'));
    const expected = /was written by an older version of kubelings, whose log this version cannot read .*Move the folder away .*nothing in it was changed/;
    await expect(createStore({ dataDir: dir, logger: quiet }), 'opening it').rejects.toThrow(expected);
    await expect(repairDataDir(dir, { parts }), 'repairing it').rejects.toThrow(expected);
    expect(existsSync(join(dir, 'format')), 'a format file was written').toBe(false);
  });
});
