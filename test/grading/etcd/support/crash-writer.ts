/**
 * The child process of the crash test (05-wal): opens a durable store in the folder it is given
 * (recovering whatever a previous child left there), prints `ready <revision>`, then writes puts
 * as fast as it can (4 writers that wait for their answers, plus one write every millisecond that
 * does not), printing `ack <seq>` once each put is acknowledged (on disk), and compacts now and then.
 * It never stops by itself: the test kills it with SIGKILL at a random moment.
 *
 * Write number `seq` is always the same put (see crashWrite), and the store's revision tells how
 * many writes it holds, so the test knows exactly what must be there after recovery.
 *
 * It is bundled with esbuild together with the etcd component under test (see crash.ts), so that
 * it starts in a few tens of milliseconds.
 */
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import { createStore } from '#engine/etcd/store.ts';

/** The put that write number `seq` (0, 1, 2, ...) makes. Values vary in length, up to ~300 bytes. */
export function crashWrite(seq: number): { key: string; value: string } {
  return { key: `/crash/k${seq % 11}`, value: `v${seq}:${'x'.repeat((seq * 7919) % 300)}` };
}

export const CRASH_SNAPSHOT_EVERY = 50;
export const CRASH_WRITERS = 4;

export async function runWriter(parts: EtcdExercises): Promise<void> {
  const [dataDir, chunk] = process.argv.slice(2);
  const store = await createStore({ dataDir, parts, snapshotEvery: CRASH_SNAPSHOT_EVERY, chunkWrites: Number(chunk) });
  let next = (await store.revision()) - 1; // every write is a put: revision - 1 writes so far
  process.stdout.write(`ready ${next}\n`);
  const write = async () => {
    const seq = next++;
    const { key, value } = crashWrite(seq);
    const { revision } = await store.put(key, value);
    process.stdout.write(`ack ${seq}\n`);
    // Compact now and then, as the apiserver does, so that history (and snapshots) stay small.
    // A compaction adds no revision, so "revision - 1 writes" still holds.
    if (seq % 100 === 99) await store.compact(revision - 20).catch(() => {});
  };
  // Writers that wait for each answer (they all land in the same flush), and a stream of writes
  // that does not wait (so that writes also arrive while a flush is on its way to the disk).
  setInterval(() => void write(), 1);
  await Promise.all(
    Array.from({ length: CRASH_WRITERS }, async () => {
      for (;;) await write();
    }),
  );
}
