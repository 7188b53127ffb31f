/**
 * Exercise 01-etcd/05-wal: durability.
 *
 * etcd acknowledges a write only once it is in its write-ahead log on disk (fsync'd). After a crash
 * it loads its latest snapshot and applies the log entries written after it. This file holds the
 * parts of that which are pure logic: the record format (length, checksums, payload), reading it
 * back (a torn last record is dropped, never read as data; damage anywhere else is corruption), the
 * group-commit queue that lets many writers share one fsync, and the recovery plan, which keeps
 * whatever it cuts. The engine does the file I/O around it (engine/etcd/store.ts, recovery.ts).
 *
 * Record format (all integers unsigned 32-bit little-endian):
 *
 *   +------------+-------------+-------------+---------------------------+
 *   | length (4) | crc32 (4)   | crc32 (4)   | payload (length bytes)    |
 *   |            | of payload  | of bytes 0-7|                           |
 *   +------------+-------------+-------------+---------------------------+
 *   \______________ header: 12 bytes ________/
 *
 * The third field is the header's own checksum: crc32 of the record's first 8 bytes (the length
 * and the payload's checksum). crc32(bytes) from '#engine/etcd/wal-entry.ts' gives a checksum; a
 * DataView reads and writes the integers (view.getUint32(offset, true) for little-endian).
 *
 * The shapes (engine/etcd/types.ts; CommitQueue in engine/etcd/exercises.ts):
 *   DecodedLog    { records: payloads, validLength, torn }: what decodeRecords() finds
 *   SnapshotFile  { name, index, bytes }; SegmentFile { name, bytes }: files as read from disk
 *   LogEntry      { index, request }: what decodeEntry(payload) gives for a segment's record
 *   RecoveryPlan  { snapshot?: { index, payload }, entries: LogEntry[], steps: RecoveryStep[] }
 *   RecoveryStep  { op: 'keep', file, from } | { op: 'truncate', file, length }
 *                 | { op: 'remove', file }
 *   CommitQueue   { waiting, flushing, add(record), startFlush(), finishFlush() }
 *
 * Read: lessons/core/01-etcd/06-wal.md
 * Check: npx kubelings check 01-etcd/05-wal
 */
import { NotImplemented } from '#engine/errors.ts';
import type { CommitQueue } from '#engine/etcd/exercises.ts';
import { WalCorruptError, type DecodedLog, type LogEntry, type RecoveryPlan, type SegmentFile, type SnapshotFile } from '#engine/etcd/types.ts';
import { crc32, decodeEntry } from '#engine/etcd/wal-entry.ts';

/** Bytes before each payload: its length, its CRC-32, then the CRC-32 of those first 8 bytes. */
export const HEADER_BYTES = 12;

/** Frames a payload as one record: length, CRC-32 of the payload, CRC-32 of bytes 0-7, payload. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  // TODO: allocate HEADER_BYTES + payload.length bytes, write the three header fields, copy the
  // payload.
  throw new NotImplemented('01-etcd/05-wal', 'lessons/core/01-etcd/06-wal.md', 'encodeRecord()');
}

/**
 * Reads records back from a file's bytes.
 *
 * Must hold:
 * - returns the payload of every whole record, in order, and `validLength`, the bytes they span;
 * - a header's length is trusted only once the header's own checksum holds; a header whose
 *   checksum fails is corruption, wherever it is: throw a WalCorruptError;
 * - a last record cut short (fewer than HEADER_BYTES left, or a sound header whose length runs
 *   past the end), or a last record whose payload checksum fails, is a torn write: it is dropped,
 *   `torn` is true, and validLength is where it began;
 * - a record whose payload checksum fails while more bytes follow it cannot come from a crash:
 *   throw a WalCorruptError;
 * - every WalCorruptError says where the bad record begins:
 *   new WalCorruptError(message, { offset });
 * - never returns a payload whose checksum failed.
 */
export function decodeRecords(bytes: Uint8Array): DecodedLog {
  // TODO: walk the records with a DataView over bytes.buffer (mind bytes.byteOffset).
  throw new NotImplemented('01-etcd/05-wal', 'lessons/core/01-etcd/06-wal.md', 'decodeRecords()');
}

/**
 * A group-commit queue. Writers add records; the engine's flusher repeatedly calls startFlush(),
 * writes the bytes, fsyncs, and calls finishFlush(); every record with a ticket up to the one
 * finishFlush() returns is then durable and its writer is answered.
 *
 * Must hold:
 * - add() returns tickets 1, 2, 3, ... in order;
 * - at most one flush at a time: startFlush() returns undefined while one is in progress, or when
 *   nothing waits;
 * - a flush takes the waiting records in order, as many as fit in maxBatchBytes, but always at
 *   least one (a record bigger than the limit goes alone); the rest wait for the next flush;
 * - records added during a flush wait for the next one;
 * - finishFlush() returns the last ticket of the flush it ends; called with no flush in progress,
 *   it throws.
 */
export function createCommitQueue(maxBatchBytes: number): CommitQueue {
  // TODO: return an object (or an instance of a class you write) with waiting, flushing, add,
  // startFlush and finishFlush.
  throw new NotImplemented('01-etcd/05-wal', 'lessons/core/01-etcd/06-wal.md', 'createCommitQueue()');
}

/**
 * Decides how to recover from the files on disk.
 *
 * `snapshots`: snapshot files, each holding ONE record (payload: the state after entry `index`).
 * `segments`: log files in order; each holds records whose payloads decodeEntry() turns into
 * { index, request }.
 *
 * Must hold:
 * - the snapshot used is the newest one (highest index) that holds exactly one intact record; a
 *   damaged one is skipped for an older one, and kept aside then removed:
 *   steps { op: 'keep', file: name, from: 0 }, then { op: 'remove', file: name };
 *   none left: start from an empty store;
 * - entries at or below the snapshot's index are skipped (the snapshot has them); the others must
 *   follow it without a gap (snapshot index + 1, + 2, ...), or throw a WalCorruptError;
 * - only the last record of the LAST segment can be torn (a crash interrupts the newest write):
 *   keep its bytes, then cut them, in that order:
 *   { op: 'keep', file: name, from: validLength }, then { op: 'truncate', file: name, length:
 *   validLength }. A torn tail in any other segment, or damage inside a segment, throws a
 *   WalCorruptError naming the file: new WalCorruptError(message, { file: name, offset });
 * - `steps` is [] when nothing is damaged. The engine runs the steps in order before writing.
 */
export function planRecovery(snapshots: readonly SnapshotFile[], segments: readonly SegmentFile[]): RecoveryPlan {
  // TODO: pick the snapshot, decode every segment, collect the entries after the snapshot, and
  // list the steps.
  throw new NotImplemented('01-etcd/05-wal', 'lessons/core/01-etcd/06-wal.md', 'planRecovery()');
}
