/**
 * The bytes inside WAL records and snapshot files (given plumbing for 05-wal): a log entry is JSON
 * `{"index": N, "request": {...}}`, a snapshot is JSON `{"index": N, "state": {...}}`, both UTF-8.
 * The record framing around them (length, checksum) is the learner's (exercises/etcd/wal.ts).
 *
 * A payload whose checksum was right but whose JSON is not an entry means the log was written by
 * something else: WalCorruptError, never a guess.
 */
import { crc32 } from 'node:zlib';
import { WalCorruptError, type LogEntry } from './types.ts';

export { crc32 };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeEntry(entry: LogEntry): Uint8Array {
  return encoder.encode(JSON.stringify(entry));
}

export function decodeEntry(payload: Uint8Array): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    throw new WalCorruptError('a log record holds no readable entry (its bytes are not JSON)');
  }
  const entry = value as Partial<LogEntry> | null;
  if (!entry || typeof entry !== 'object' || !Number.isSafeInteger(entry.index) || entry.index! < 1 || !('request' in entry)) {
    throw new WalCorruptError('a log record holds no entry (expected {"index": N, "request": ...})');
  }
  return entry as LogEntry;
}
