/**
 * The data the learner's store keeps, as plain objects the engine can snapshot to disk and load
 * back. The learner's functions (exercises/etcd/) read and change these; the engine (machine.ts)
 * owns them and passes them in. Nothing here holds a callback, a timer or a file: state only.
 *
 * Invariants every function keeps:
 * - `MvccState.revision` only grows; it starts at 1 for an empty store;
 * - each key's `history` is sorted by `revision`, oldest first, and never holds two entries at the
 *   same revision;
 * - `MvccState.keys` holds exactly the keys of `history`, sorted;
 * - `WatchLog.changes` is sorted by revision, one entry per revision that changed something.
 */
import type { KeyValue, WatchEvent } from './kv.ts';
import type { SortedKeys } from './sorted-keys.ts';

/**
 * One key at one revision: the value a put wrote, or (no `kv`) the tombstone a delete left, which
 * says the key did not exist from `revision` on.
 */
export interface KeyRevision {
  revision: number;
  kv?: KeyValue;
}

/** 01-mvcc: the multi-version key space. */
export interface MvccState {
  /** The store's current revision: 1 when empty, +1 for every write that changed something. */
  revision: number;
  /** Reads and watches below this revision fail with CompactedError; 0 until the first compaction. */
  compactRevision: number;
  /** Every key ever written (and not compacted away), with its revisions, oldest first. */
  history: Map<string, KeyRevision[]>;
  /** The keys of `history`, kept sorted, for ranges. */
  keys: SortedKeys;
}

/** 02-watch: every change since the compacted revision, kept for watches that start in the past. */
export interface WatchLog {
  /** One entry per revision that changed something, oldest first. Events carry `prevKv` always. */
  changes: Change[];
}

/** What one write (one revision) changed, in the order the write made the changes. */
export interface Change {
  revision: number;
  events: WatchEvent[];
}

/** 02-watch: one open watch, as the hub remembers it. */
export interface WatchSpec {
  id: number;
  key: string;
  /** Exclusive end; undefined for a single key; '\0' for every key from `key` on. */
  end?: string;
  /** The first revision this watcher wants; it has received everything before `nextRevision`. */
  nextRevision: number;
  prevKv: boolean;
}

/** 04-leases: one lease. */
export interface Lease {
  id: number;
  /** Seconds, as granted. */
  ttl: number;
  /** Milliseconds on the store's clock when the lease expires unless kept alive. */
  expiresAt: number;
  /** Keys attached to this lease (put with `lease: id`), deleted with it. */
  keys: Set<string>;
}

/** 04-leases: every live lease. */
export interface LeaseTable {
  leases: Map<number, Lease>;
}

/** 05-wal: the result of reading a log file's bytes back. */
export interface DecodedLog {
  /** The payload of every whole, intact record, in order. */
  records: Uint8Array[];
  /** Bytes of the file that hold whole records: where the torn record (if any) begins. */
  validLength: number;
  /** True when the bytes after `validLength` were the last record, cut short or damaged (a torn write). */
  torn: boolean;
}

/** 05-wal: one entry of the log: a write request and its position. */
export interface LogEntry {
  /** 1 for the first entry ever written; +1 for each entry after it, across files. */
  index: number;
  request: unknown;
}

/** 05-wal: a snapshot file as read from disk. */
export interface SnapshotFile {
  /** The file's name (`0000000000001f40.snap`), for recovery steps and messages. */
  name: string;
  /** The index of the last log entry the snapshot includes. */
  index: number;
  bytes: Uint8Array;
}

/** 05-wal: a log segment file as read from disk. */
export interface SegmentFile {
  /** The file's name (`0000000000000001.wal`), for recovery steps and messages. */
  name: string;
  bytes: Uint8Array;
}

/**
 * 05-wal: one thing recovery does to the files before the store writes again. The engine runs the
 * steps in order, each made durable before the next, and refuses a plan that cuts or removes
 * bytes it has not kept first.
 */
export type RecoveryStep =
  /** Copy `file`'s bytes from byte `from` to its end into a new file `<file>.broken-<time>`, for a human to look at. */
  | { op: 'keep'; file: string; from: number }
  /** Cut `file` to its first `length` bytes. */
  | { op: 'truncate'; file: string; length: number }
  /** Delete `file` (a damaged snapshot, once kept). */
  | { op: 'remove'; file: string };

/** 05-wal: what recovery found, and what it must do before writing again. */
export interface RecoveryPlan {
  /** The newest intact snapshot's payload and index, if any. */
  snapshot?: { index: number; payload: Uint8Array };
  /** The entries after the snapshot, in index order, to apply again. */
  entries: LogEntry[];
  /**
   * In order: keep aside and remove each damaged snapshot skipped for an older one; keep aside,
   * then cut, the torn tail of the last segment. Empty when nothing is damaged.
   */
  steps: RecoveryStep[];
}

/**
 * A log that cannot be trusted: a record in the middle of the log is damaged, or entries are
 * missing. (Only the last record of the last file can be a torn write; anything else is
 * corruption.) `offset` is the byte where the damaged record begins in its file, when known;
 * `file` names the file, once known.
 */
export class WalCorruptError extends Error {
  override name = 'WalCorruptError';
  readonly offset?: number;
  readonly file?: string;

  constructor(message: string, where: { offset?: number; file?: string } = {}) {
    super(message);
    if (where.offset !== undefined) this.offset = where.offset;
    if (where.file !== undefined) this.file = where.file;
  }
}
