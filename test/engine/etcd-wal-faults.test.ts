/**
 * Fault injection into the durable store's files (issue 9, finding 1): bits flipped and bytes cut
 * at random places of the log segments and snapshots of a store with snapshots, several segments,
 * deletes, a txn, a lease and a compaction. Seeded (fast-check), hundreds of cases.
 *
 * After a clean stop (`cluster down`), for every fault:
 * - the store starts with every acknowledged write (a damaged snapshot falls back to the older one
 *   and the log after it), or refuses with a message naming the damaged file, the way to recover,
 *   and changes nothing on disk;
 * - whatever a start cuts or removes is first kept (`<file>.broken-<time>`, the same bytes) and
 *   logged;
 * - `cluster repair` (repairDataDir) then brings it back to exactly the state after entry N for
 *   some N, and says which entries were lost: exactly the ones after N.
 * After a crash (no clean-shutdown record), a cut tail cannot be told from a torn write (etcd has
 * the same limit: wal/repair.go cuts it): the store starts with the state after some entry N,
 * never anything else, and every byte it cuts is kept and logged.
 *
 * The files live in memory (/dev/shm) when the machine allows: this is about logic, not fsync speed.
 */
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '#engine/etcd/clock.ts';
import { prefixEnd, type KVStore, type RangeResult } from '#engine/etcd/kv.ts';
import { repairDataDir } from '#engine/etcd/repair.ts';
import { createStore } from '#engine/etcd/store.ts';
import { loadComponent } from '#engine/impl.ts';
import { scratchDir } from '../support/scratch.ts';

const parts = await loadComponent('etcd');
const SEED = 20_250_109;
const ENTRIES = 170;
const SNAPSHOT_EVERY = 40;
const root = scratchDir('kubelings-wal-faults-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The whole key space, as a state to compare. */
async function everything(store: KVStore): Promise<RangeResult> {
  return store.range('/', { end: prefixEnd('/') });
}

/** Builds a stopped store of ENTRIES log entries; returns the state after each entry (index → state). */
async function buildBase(dir: string): Promise<Map<number, RangeResult>> {
  const clock = new ManualClock(1_000_000);
  const store = await createStore({ dataDir: dir, clock, snapshotEvery: SNAPSHOT_EVERY });
  const states = new Map<number, RangeResult>([[0, await everything(store)]]);
  for (let entry = 1; entry <= ENTRIES; entry++) {
    const k = `/registry/configmaps/default/cm${(entry * 7) % 13}`;
    if (entry === 5) await store.leaseGrant(3600, 77);
    else if (entry === 6) await store.put('/registry/leases/node-1', 'held', { lease: 77 });
    else if (entry % 17 === 0) await store.delete(k);
    else if (entry === 50)
      await store.txn({
        compare: [],
        success: [
          { type: 'put', key: '/registry/a', value: 'x' },
          { type: 'put', key: '/registry/b', value: 'y' },
        ],
        failure: [],
      });
    else if (entry === 100) await store.compact((await store.revision()) - 10);
    else await store.put(k, `value ${entry} ${'x'.repeat((entry * 31) % 90)}`);
    states.set(entry, await everything(store));
  }
  await store.close();
  return states;
}

/** Every file of the data dir (wal/ and snap/), name → bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const sub of ['wal', 'snap']) for (const name of readdirSync(join(dir, sub))) files.set(`${sub}/${name}`, readFileSync(join(dir, sub, name)));
  return files;
}

/** The first difference between two sets of files (names and bytes), or undefined. */
function changed(before: Map<string, Buffer>, after: Map<string, Buffer>): string | undefined {
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (!a || !b) return `${name} ${a ? 'was removed' : 'appeared'}`;
    if (!a.equals(b)) return `${name} changed`;
  }
  return undefined;
}

type Fault = { file: string; kind: 'flip'; at: number; bit: number } | { file: string; kind: 'truncate'; length: number };

function describeFault(f: Fault): string {
  return f.kind === 'flip' ? `bit ${f.bit} of byte ${f.at} of ${f.file} flipped` : `${f.file} cut to ${f.length} bytes`;
}

/** A fault at a random place of one of the files (a log segment or a snapshot). */
function faultArbitrary(files: Map<string, Buffer>): fc.Arbitrary<Fault> {
  const names = [...files.keys()].filter((n) => files.get(n)!.length > 0).sort();
  const last = names.filter((n) => n.endsWith('.wal')).at(-1)!;
  const sizeOf = (n: string) => files.get(n)!.length;
  const flip = fc.constantFrom(...names).chain((file) => fc.record({ file: fc.constant(file), kind: fc.constant('flip' as const), at: fc.nat({ max: sizeOf(file) - 1 }), bit: fc.nat({ max: 7 }) }));
  const truncate = fc.constantFrom(...names).chain((file) => fc.record({ file: fc.constant(file), kind: fc.constant('truncate' as const), length: fc.nat({ max: sizeOf(file) - 1 }) }));
  const cutTail = fc.integer({ min: 1, max: 30 }).map((n): Fault => ({ file: last, kind: 'truncate', length: Math.max(0, sizeOf(last) - n) }));
  return fc.oneof({ arbitrary: flip, weight: 5 }, { arbitrary: truncate, weight: 3 }, { arbitrary: cutTail, weight: 2 });
}

function inject(dir: string, fault: Fault): void {
  const path = join(dir, fault.file);
  const bytes = readFileSync(path);
  if (fault.kind === 'flip') bytes[fault.at]! ^= 1 << fault.bit;
  writeFileSync(path, fault.kind === 'flip' ? bytes : bytes.subarray(0, fault.length));
}

/**
 * Checks that every file a start shortened or removed was kept first, byte for byte, in a
 * `.broken-` file named in a warning. Returns a problem, or undefined.
 */
function checkKept(before: Map<string, Buffer>, after: Map<string, Buffer>, warnings: string[]): string | undefined {
  const brokenFiles = [...after.keys()].filter((n) => n.includes('.broken-') && !before.has(n));
  for (const [name, bytes] of before) {
    if (name.includes('.broken-')) continue;
    const now = after.get(name);
    if (now && now.length === bytes.length && now.equals(bytes)) continue;
    if (now && !bytes.subarray(0, now.length).equals(now)) return `${name} was changed, not only cut`;
    const cut = bytes.subarray(now?.length ?? 0);
    const keeper = brokenFiles.find((k) => k.startsWith(`${name}.broken-`) && after.get(k)!.equals(cut));
    if (!keeper) return `${name} lost ${cut.length} bytes that no ${name}.broken-* file holds`;
    if (!warnings.some((w) => w.includes(keeper))) return `nothing logged names ${keeper} (warnings: ${JSON.stringify(warnings)})`;
  }
  return undefined;
}

async function open(dir: string): Promise<{ store?: KVStore; error?: Error; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (m: string) => void warnings.push(m) };
  try {
    return { store: await createStore({ dataDir: dir, clock: new ManualClock(2_000_000), snapshotEvery: SNAPSHOT_EVERY, logger }), warnings };
  } catch (error) {
    return { error: error as Error, warnings };
  }
}

describe("faults injected into a stopped store's log and snapshots", () => {
  let base: string;
  let states: Map<number, RangeResult>;
  let baseFiles: Map<string, Buffer>;
  let cases = 0;
  beforeAll(async () => {
    base = join(root, 'base');
    states = await buildBase(base);
    baseFiles = filesOf(base);
  });

  test('the base has what the faults need: two snapshots and two log segments', () => {
    const names = [...baseFiles.keys()];
    expect(
      names.filter((n) => n.endsWith('.snap')),
      'snapshots',
    ).toHaveLength(2);
    expect(
      names.filter((n) => n.endsWith('.wal')),
      'log segments',
    ).toHaveLength(2);
    expect(states.get(ENTRIES)!.count, 'keys in the final state').toBeGreaterThan(10);
  });

  test(
    `300 faults: every acknowledged write is there, or the start refuses clearly and changes nothing; repair then keeps a prefix and names what it lost (seed ${SEED})`,
    { timeout: 60_000 },
    async () => {
      const outcomes = { started: 0, refused: 0, repairedLossless: 0, repairedWithLoss: 0 };
      await fc.assert(
        fc.asyncProperty(faultArbitrary(baseFiles), async (fault) => {
          const dir = join(root, `case-${cases++}`);
          cpSync(base, dir, { recursive: true });
          try {
            inject(dir, fault);
            const what = describeFault(fault);
            const before = filesOf(dir);
            const opened = await open(dir);
            if (opened.store) {
              outcomes.started++;
              expect(await everything(opened.store), `${what}: the store started; its key space`).toEqual(states.get(ENTRIES));
              expect(checkKept(before, filesOf(dir), opened.warnings), `${what}: what the start cut, kept and logged`).toBeUndefined();
              await opened.store.close();
              return;
            }
            outcomes.refused++;
            const message = opened.error!.message;
            expect(opened.error!.name, `${what}: the start failed with ${message}`).toBe('StoreCorruptError');
            expect(message, `${what}: the refusal names the damaged file`).toContain(fault.file.split('/')[1]!);
            expect(message, `${what}: the refusal says how to recover`).toMatch(/cluster repair|Restore the folder/);
            expect(changed(before, filesOf(dir)), `${what}: what the refused start changed on disk`).toBeUndefined();

            const report = await repairDataDir(dir, { parts, now: () => 3_000_000 });
            const text = report.lines.join('\n');
            const reopened = await open(dir);
            expect(reopened.error, `${what}: the start after repair (repair said:\n${text})`).toBeUndefined();
            expect(await everything(reopened.store!), `${what}: after repair, the key space is the state after entry ${report.lastIndex}`).toEqual(states.get(report.lastIndex));
            expect(reopened.warnings, `${what}: warnings at the start after repair`).toEqual([]);
            await reopened.store!.close();
            if (report.lastIndex === ENTRIES) {
              outcomes.repairedLossless++;
              expect(text, `${what}: repair's report when nothing was lost`).toContain('lost: nothing');
            } else {
              outcomes.repairedWithLoss++;
              const first = report.lastIndex + 1;
              const lost = first === ENTRIES ? `entry ${ENTRIES} (1 write;` : `entries ${first} to ${ENTRIES} (${ENTRIES - first + 1} writes;`;
              expect(text, `${what}: repair's report says exactly what was lost`).toContain(`lost: ${lost}`);
            }
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }),
        { seed: SEED, numRuns: 300 },
      );
      // The run must exercise every path, or it proves less than it claims.
      expect(outcomes.started, 'faults after which the store started whole (e.g. a damaged newest snapshot)').toBeGreaterThan(10);
      expect(outcomes.refused, 'faults the start refused').toBeGreaterThan(100);
      expect(outcomes.repairedWithLoss, 'repairs that lost entries and said which').toBeGreaterThan(50);
      expect(outcomes.repairedLossless, 'repairs that lost nothing (damage in a log file a snapshot covers)').toBeGreaterThan(5);
    },
  );

  test('after a crash (no clean-shutdown record), 150 faults: the store holds the state after some entry, never anything else, and keeps and logs what it cuts', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(faultArbitrary(baseFiles), async (fault) => {
        const dir = join(root, `crash-case-${cases++}`);
        cpSync(base, dir, { recursive: true });
        rmSync(join(dir, 'clean-shutdown'));
        try {
          inject(dir, fault);
          const what = `after a crash, ${describeFault(fault)}`;
          const before = filesOf(dir);
          const opened = await open(dir);
          if (!opened.store) {
            expect(opened.error!.name, `${what}: the start failed with ${opened.error!.message}`).toBe('StoreCorruptError');
            expect(changed(before, filesOf(dir)), `${what}: what the refused start changed on disk`).toBeUndefined();
            return;
          }
          const state = await everything(opened.store);
          const entry = [...states].find(([, s]) => JSON.stringify(s) === JSON.stringify(state))?.[0];
          expect(entry, `${what}: the key space at revision ${state.revision} is the state after some entry`).toBeDefined();
          expect(checkKept(before, filesOf(dir), opened.warnings), `${what}: what the start cut, kept and logged`).toBeUndefined();
          await opened.store.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
  });
});

describe('the finding, reproduced: one flipped bit in a length field of a stopped store', () => {
  test('bit 22 of the length of a record in the middle: the store refuses to start, says where and how to recover, and the file is unchanged', async () => {
    const dir = join(root, 'finding');
    const store = await createStore({ dataDir: dir });
    for (let i = 0; i < 400; i++) await store.put(`/registry/configmaps/default/cm-${i}`, JSON.stringify({ data: { n: i, pad: 'p'.repeat(i % 50) } }));
    await store.close();
    const wal = readdirSync(join(dir, 'wal')).filter((n) => n.endsWith('.wal'));
    expect(wal, 'log segments').toHaveLength(1);
    const file = join(dir, 'wal', wal[0]!);
    const bytes = readFileSync(file);
    let offset = 0;
    for (let record = 0; record < 200; record++) offset += 12 + bytes.readUInt32LE(offset);
    bytes[offset + 2]! ^= 0x40; // the length now points megabytes past the end of the file
    writeFileSync(file, bytes);
    const size = statSync(file).size;

    const warnings: string[] = [];
    const outcome = await createStore({ dataDir: dir, logger: { info: () => {}, warn: (m) => void warnings.push(m) } }).then(
      async (s) => {
        const count = (await s.range('/registry/', { end: prefixEnd('/registry/'), countOnly: true })).count;
        await s.close();
        return `it started with ${count} of 400 keys`;
      },
      (error: Error) => error.message,
    );
    expect(outcome, 'opening the store').toMatch(/was not started: its data is damaged/);
    expect(outcome, 'where').toContain(`wal/${wal[0]}, byte ${offset} (record 201 of the file)`);
    expect(outcome, 'what is still good').toContain('every write up to entry 200');
    expect(outcome, 'what is at stake').toContain('entries 201 to 400 (200 writes; the store was stopped cleanly at entry 400)');
    expect(outcome, 'how to recover').toContain('cluster repair');
    expect(statSync(file).size, "the log file's size after the refused start").toBe(size);
    expect(warnings, 'warnings (nothing was cut)').toEqual([]);
  });

  test('the last 10 bytes of the log cut off: the store refuses to start rather than drop the last acknowledged write', async () => {
    const dir = join(root, 'finding-tail');
    const store = await createStore({ dataDir: dir });
    for (let i = 0; i < 50; i++) await store.put(`/registry/configmaps/default/cm-${i}`, `v${i}`);
    await store.close();
    const file = join(
      dir,
      'wal',
      readdirSync(join(dir, 'wal')).find((n) => n.endsWith('.wal'))!,
    );
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const outcome = await createStore({ dataDir: dir }).then(
      async (s) => {
        const count = (await s.range('/registry/', { end: prefixEnd('/registry/'), countOnly: true })).count;
        await s.close();
        return `it started with ${count} of 50 keys`;
      },
      (error: Error) => error.message,
    );
    expect(outcome, 'opening the store').toMatch(/was not started: its data is damaged/);
    expect(outcome, 'what is at stake').toContain('entry 50 (1 write; the store was stopped cleanly at entry 50)');
    expect(statSync(file).size, "the log file's size after the refused start").toBe(bytes.length - 10);
  });
});
