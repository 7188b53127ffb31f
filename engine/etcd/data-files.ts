/**
 * A data dir's recovery inputs, read once (given plumbing for 05-wal): its snapshots and log
 * segments with their bytes, and the clean-shutdown record; and the replay that turns a snapshot
 * plus the log entries after it back into a machine. Recovery (recovery.ts), the damage report
 * (damage.ts) and `cluster repair` (repair.ts) share them, so they all see the files the same way.
 *
 * Files are named relative to the data dir in messages (`wal/0000000000000001.wal`); the learner's
 * planRecovery() sees bare names (`0000000000000001.wal`), and a `.wal` or `.snap` ending says
 * which folder a name lives in.
 */
import { join } from 'node:path';
import type { EtcdExercises } from './exercises.ts';
import { readCleanShutdown, readIndexedFiles, SNAP_DIR, WAL_DIR, type CleanShutdown } from './files.ts';
import { StoreError } from './kv.ts';
import { EtcdMachine, type MachineSnapshot, type WriteRequest } from './machine.ts';
import type { LogEntry, SegmentFile, SnapshotFile } from './types.ts';
import { WalCorruptError } from './types.ts';

export interface DataFiles {
  /** Snapshots, oldest first. */
  snapshots: SnapshotFile[];
  /** Log segments, oldest first. */
  segments: SegmentFile[];
  /** Where the log ended at the last clean close, if the store has not run since. */
  cleanShutdown: CleanShutdown | 'unreadable' | undefined;
}

export async function readDataFiles(dataDir: string): Promise<DataFiles> {
  const snapshots = await readIndexedFiles(join(dataDir, SNAP_DIR), '.snap');
  const segments = await readIndexedFiles(join(dataDir, WAL_DIR), '.wal');
  return {
    snapshots: snapshots.map((s) => ({ name: s.name, index: s.index, bytes: s.bytes })),
    segments: segments.map((s) => ({ name: s.name, bytes: s.bytes })),
    cleanShutdown: await readCleanShutdown(dataDir),
  };
}

/** The folder a file of the data dir lives in, from its ending (`.snap`, or `.snap.broken-<time>`). */
export function folderOf(name: string): string {
  return /\.snap($|\.broken-)/.test(name) ? SNAP_DIR : WAL_DIR;
}

/** `wal/0000000000000001.wal`: a file as messages name it. */
export function shownFile(name: string): string {
  return `${folderOf(name)}/${name}`;
}

/** The state a snapshot holds (its payload is JSON `{"index": N, "state": {...}}`). */
export function decodeSnapshotState(snapshot: { index: number; payload: Uint8Array }): MachineSnapshot {
  let value: { index?: unknown; state?: MachineSnapshot };
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(snapshot.payload)) as typeof value;
  } catch {
    throw new WalCorruptError(`the snapshot at entry ${snapshot.index} passed its checksums but holds no readable state (not JSON)`);
  }
  if (value?.index !== snapshot.index || typeof value.state !== 'object' || value.state === null) {
    throw new WalCorruptError(`the snapshot at entry ${snapshot.index} passed its checksums but holds no state for entry ${snapshot.index}`);
  }
  return value.state;
}

/** A machine rebuilt from a snapshot and the entries after it, as recovery applies them. */
export function replay(parts: EtcdExercises, now: () => number, snapshot: { index: number; payload: Uint8Array } | undefined, entries: readonly LogEntry[]): EtcdMachine {
  const machine = new EtcdMachine(parts, now, snapshot ? decodeSnapshotState(snapshot) : undefined);
  for (const entry of entries) {
    try {
      machine.apply(entry.request as WriteRequest);
    } catch (error) {
      // The write failed the same way when it was first applied; anything else is a bug.
      if (!(error instanceof StoreError)) throw error;
    }
  }
  return machine;
}
