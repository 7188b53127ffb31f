/**
 * Exercise 01-etcd/05-wal: durability.
 *
 * etcd acknowledges a write only once it is in its write-ahead log on disk (fsync'd). After a crash
 * it loads its latest snapshot and applies the log entries written after it. This file holds the
 * parts of that which are pure logic: the record format (length, checksums, payload), reading it
 * back (a torn last record is dropped, never read as data; damage anywhere else is corruption), the
 * group-commit queue that lets many writers share one fsync, and the recovery plan, which keeps
 * whatever it cuts. The engine does the file I/O around it.
 *
 * Read: lessons/core/01-etcd/06-wal.md
 * Check: npx kubelings check 01-etcd/05-wal
 */
import type { CommitQueue } from '#engine/etcd/exercises.ts';
import { WalCorruptError, type DecodedLog, type LogEntry, type RecoveryPlan, type SegmentFile, type SnapshotFile } from '#engine/etcd/types.ts';
import { crc32, decodeEntry } from '#engine/etcd/wal-entry.ts';

/**
 * Bytes before each payload: its length, the CRC-32 of the payload, then the CRC-32 of those first
 * 8 bytes (the header's own checksum), all unsigned 32-bit little-endian.
 */
export const HEADER_BYTES = 12;

/** Frames a payload as one record: length, CRC-32 of the payload, CRC-32 of the first 8 bytes, payload. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const record = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(record.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  view.setUint32(8, crc32(record.subarray(0, 8)), true);
  record.set(payload, HEADER_BYTES);
  return record;
}

/** Reads whole records back; stops at a torn last record; throws for damage anywhere else. */
export function decodeRecords(bytes: Uint8Array): DecodedLog {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) break; // the header itself was cut short
    // Trust the length only once the header's own checksum holds: a damaged length could point
    // past the end of the file and pass for a torn tail, hiding every record after it.
    if (crc32(bytes.subarray(offset, offset + 8)) !== view.getUint32(offset + 8, true)) {
      throw new WalCorruptError(`the record at byte ${offset} has a damaged header (its checksum fails): the log is damaged`, { offset });
    }
    const length = view.getUint32(offset, true);
    const end = offset + HEADER_BYTES + length;
    if (end > bytes.length) break; // the payload was cut short
    const payload = bytes.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== view.getUint32(offset + 4, true)) {
      // Damage in the very last record is what an interrupted write leaves: drop it. Damage with
      // records after it cannot come from a crash: the log is corrupt.
      if (end === bytes.length) break;
      throw new WalCorruptError(`the record at byte ${offset} fails its checksum and more records follow: the log is damaged`, { offset });
    }
    records.push(payload);
    offset = end;
  }
  return { records, validLength: offset, torn: offset < bytes.length };
}

/** The group-commit queue: one flush at a time, each taking every record that waits (up to a size). */
class GroupCommitQueue implements CommitQueue {
  private pending: Uint8Array[] = [];
  private nextTicket = 1;
  private flushLastTicket = 0;
  flushing = false;

  constructor(private readonly maxBatchBytes: number) {}

  get waiting(): number {
    return this.pending.length;
  }

  add(record: Uint8Array): number {
    this.pending.push(record);
    return this.nextTicket++;
  }

  startFlush(): { bytes: Uint8Array; lastTicket: number } | undefined {
    if (this.flushing || this.pending.length === 0) return undefined;
    let taken = 0;
    let size = 0;
    while (taken < this.pending.length && (taken === 0 || size + this.pending[taken]!.length <= this.maxBatchBytes)) {
      size += this.pending[taken]!.length;
      taken++;
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const record of this.pending.splice(0, taken)) {
      bytes.set(record, offset);
      offset += record.length;
    }
    // Tickets of waiting records run from nextTicket - waiting (before this flush took some).
    this.flushLastTicket = this.nextTicket - this.pending.length - 1;
    this.flushing = true;
    return { bytes, lastTicket: this.flushLastTicket };
  }

  finishFlush(): number {
    if (!this.flushing) throw new Error('finishFlush() without a flush in progress');
    this.flushing = false;
    return this.flushLastTicket;
  }
}

export function createCommitQueue(maxBatchBytes: number): CommitQueue {
  return new GroupCommitQueue(maxBatchBytes);
}

/** The snapshot to load, the entries to apply after it, and what to keep and cut first. */
export function planRecovery(snapshots: readonly SnapshotFile[], segments: readonly SegmentFile[]): RecoveryPlan {
  const plan: RecoveryPlan = { entries: [], steps: [] };
  // The newest snapshot that is whole: exactly one intact record. A damaged one is kept aside
  // (then removed, so that the next start does not trip on it again) for an older one.
  for (const file of [...snapshots].sort((a, b) => b.index - a.index)) {
    let decoded: DecodedLog | undefined;
    try {
      decoded = decodeRecords(file.bytes);
    } catch {
      decoded = undefined;
    }
    if (decoded && decoded.records.length === 1 && !decoded.torn) {
      plan.snapshot = { index: file.index, payload: decoded.records[0]! };
      break;
    }
    plan.steps.push({ op: 'keep', file: file.name, from: 0 }, { op: 'remove', file: file.name });
  }
  const after = plan.snapshot?.index ?? 0;
  let expected = after + 1;
  segments.forEach((segment, i) => {
    let decoded: DecodedLog;
    try {
      decoded = decodeRecords(segment.bytes);
    } catch (error) {
      const offset = (error as WalCorruptError).offset;
      throw new WalCorruptError(`${segment.name}: ${(error as Error).message}`, { offset, file: segment.name });
    }
    if (decoded.torn) {
      // Only the last record of the last file can be torn: a crash interrupts the newest write.
      if (i !== segments.length - 1) {
        throw new WalCorruptError(`${segment.name} ends in a torn record at byte ${decoded.validLength}, but later log files follow it`, { offset: decoded.validLength, file: segment.name });
      }
      // Keep what is cut, then cut: in that order, so that a crash between the two loses nothing.
      plan.steps.push({ op: 'keep', file: segment.name, from: decoded.validLength }, { op: 'truncate', file: segment.name, length: decoded.validLength });
    }
    for (const payload of decoded.records) {
      const entry: LogEntry = decodeEntry(payload);
      if (entry.index <= after) continue; // already in the snapshot
      if (entry.index !== expected) {
        throw new WalCorruptError(`${segment.name}: expected log entry ${expected}, found ${entry.index}: entries are missing`, { file: segment.name });
      }
      plan.entries.push(entry);
      expected++;
    }
  });
  return plan;
}
