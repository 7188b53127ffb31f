/**
 * createStore(): the cluster's store as the apiserver uses it, an async KVStore built from the etcd
 * component loaded through the door (`loadComponent('etcd')`, so `--impl`/KUBELINGS_IMPL decide
 * whose code runs).
 *
 *   createStore()                      in memory: nothing survives close()
 *   createStore({ dataDir })           durable: a write is acknowledged only once its WAL record
 *                                      is fsync'd; reopening the dir recovers every acknowledged write
 *
 * The state machine (machine.ts) does the logic; this file is the thin runner around it:
 * - writes are applied in the order they were called; in durable mode they are logged first
 *   (group commit: while one write+fsync is on its way, the writes that arrive wait and go to disk
 *   together in the next), and applied only once on disk, so no reader ever sees a write that a
 *   crash could take back;
 * - watch responses are queued per watcher and delivered from a microtask, in order, one at a time,
 *   never inside the caller's own put() and never after cancel();
 * - a lease runner on the clock looks for expired leases every LEASE_TICK_MS and revokes them (a
 *   logged write, like any other), deleting their keys in one revision;
 * - recovery (recovery.ts) keeps aside whatever it cuts and logs it; damage a crash cannot explain
 *   refuses the open with StoreCorruptError (see damage.ts; `cluster repair` fixes it);
 * - close() records where the log ended (files.ts, clean-shutdown), so that a log found shorter at
 *   the next open is damage, not a crash's torn write;
 * - compact(revision) forgets history below `revision` in memory once logged; a compaction with
 *   at least SNAPSHOT_AFTER_COMPACTION_MIN_ENTRIES log entries since the last snapshot takes a
 *   snapshot right after it, so that the disk lets go too: a snapshot keeps only the compacted
 *   state, and log segments and snapshots older than the SNAPSHOTS_KEPT newest snapshots are
 *   removed once the new snapshot is durable; compact() resolves after that. Memory and disk then
 *   stay bounded under writes with periodic compaction (test/engine/etcd-compaction.test.ts).
 */
import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadComponent } from '../impl.ts';
import { LEASE_TICK_MS, SNAPSHOT_AFTER_COMPACTION_MIN_ENTRIES, SNAPSHOT_EVERY_ENTRIES, SNAPSHOTS_KEPT, WAL_MAX_BATCH_BYTES } from '../params.ts';
import { systemClock, type Clock } from './clock.ts';
import type { CommitQueue, EtcdExercises } from './exercises.ts';
import {
  AppendFile,
  fileSize,
  indexName,
  indexOfName,
  listIndexedFiles,
  lockDataDir,
  removeCleanShutdown,
  removeFiles,
  SNAP_DIR,
  syncDir,
  WAL_DIR,
  writeCleanShutdown,
  writeFileDurably,
} from './files.ts';
import {
  EmptyKeyError,
  LeaseNotFoundError,
  StoreError,
  type DeleteOptions,
  type DeleteResult,
  type KVStore,
  type LeaseGrant,
  type PutOptions,
  type PutResult,
  type RangeOptions,
  type RangeResult,
  type TxnRequest,
  type TxnResult,
  type WatchOptions,
  type WatchResponse,
  type Watcher,
} from './kv.ts';
import { EtcdMachine, type WriteRequest, type WriteResult } from './machine.ts';
import { recoverDataDir, type RecoveryLogger } from './recovery.ts';
import { encodeEntry } from './wal-entry.ts';

export interface StoreOptions {
  /** Keep data here (WAL + snapshots); omitted: in memory only. */
  dataDir?: string;
  /** The clock for leases (default: the system clock). */
  clock?: Clock;
  /** The component to build from (default: the one the door loads). */
  parts?: EtcdExercises;
  /** Durable mode: take a snapshot after this many log entries (default SNAPSHOT_EVERY_ENTRIES). */
  snapshotEvery?: number;
  /**
   * Durable mode: a compaction takes a snapshot when at least this many log entries were written
   * since the last one (default SNAPSHOT_AFTER_COMPACTION_MIN_ENTRIES).
   */
  snapshotAfterCompaction?: number;
  /** Durable mode: where recovery says what it cut and why (default: warnings on stderr). */
  logger?: RecoveryLogger;
  /** Durable mode: at most this many bytes per write+fsync (default WAL_MAX_BATCH_BYTES). */
  maxBatchBytes?: number;
  /** Tests: split every log append into writes of at most this many bytes (see files.ts). */
  chunkWrites?: number;
}

export async function createStore(options: StoreOptions = {}): Promise<KVStore> {
  const parts = options.parts ?? (await loadComponent('etcd'));
  const clock = options.clock ?? systemClock;
  if (options.dataDir === undefined) return new MemoryStore(new EtcdMachine(parts, () => clock.now()), clock);
  return DurableStore.open(parts, clock, options.dataDir, options);
}

/** Warnings to stderr, for a store opened without a logger: recovery is never silent. */
const stderrLogger: RecoveryLogger = {
  info: () => {},
  warn: (message) => process.stderr.write(`etcd store: ${message}\n`),
};

/** How much history a store holds in memory (what compaction bounds). */
export interface StoreStats {
  revision: number;
  compactRevision: number;
  /** Keys with any history. */
  keys: number;
  /** Entries in the keys' histories (values and tombstones), over all keys. */
  keyRevisions: number;
  /** Revisions in the watch log. */
  watchLogChanges: number;
  /** Events in the watch log. */
  watchLogEvents: number;
}

/** The in-memory size of a store made by createStore() (undefined for any other KVStore). */
export function storeStats(store: KVStore): StoreStats | undefined {
  return store instanceof StoreBase ? store.stats() : undefined;
}

/** One watcher's queue of responses, delivered in order from microtasks. */
class WatchDelivery implements Watcher {
  private queue: WatchResponse[] = [];
  private scheduled = false;
  canceled = false;
  id = 0;

  constructor(
    private readonly onResponse: (response: WatchResponse) => void,
    private readonly onCancel: (delivery: WatchDelivery) => void,
  ) {}

  push(response: WatchResponse): void {
    if (this.canceled) return;
    this.queue.push(response);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && !this.canceled) {
      const response = this.queue.shift()!;
      try {
        this.onResponse(response);
      } catch (error) {
        // A watcher's own bug must not stop the store or the other watchers.
        console.error('a watch callback threw:', error);
      }
    }
  }

  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    this.queue = [];
    this.onCancel(this);
  }
}

/** What both stores share: reads, watches, keep-alives and the lease runner. */
abstract class StoreBase implements KVStore {
  protected closed = false;
  private stopTicker: () => void = () => {};
  private readonly revoking = new Set<number>();
  private readonly deliveries = new Set<WatchDelivery>();

  constructor(
    protected machine: EtcdMachine,
    protected readonly clock: Clock,
  ) {}

  /** Starts the lease runner. */
  protected startLeaseTicker(): void {
    const tick = () => {
      if (this.closed) return;
      this.revokeExpiredLeases();
      this.stopTicker = this.clock.setTimer(LEASE_TICK_MS, tick);
    };
    this.stopTicker = this.clock.setTimer(LEASE_TICK_MS, tick);
  }

  private revokeExpiredLeases(): void {
    let expired: number[];
    try {
      expired = this.machine.expiredLeases();
    } catch (error) {
      console.error('could not look for expired leases:', error);
      return;
    }
    for (const id of expired) {
      if (this.revoking.has(id)) continue;
      this.revoking.add(id);
      this.write({ op: 'leaseRevoke', id })
        .catch((error: unknown) => {
          if (!(error instanceof LeaseNotFoundError)) console.error(`could not revoke expired lease ${id}:`, error);
        })
        .finally(() => this.revoking.delete(id));
    }
  }

  /** Logs (when durable) and applies one write; resolves with its result. */
  protected abstract write(request: WriteRequest): Promise<WriteResult>;

  protected checkOpen(): void {
    if (this.closed) throw new StoreError('the store is closed');
  }

  async revision(): Promise<number> {
    this.checkOpen();
    return this.machine.revision;
  }

  stats(): StoreStats {
    const { mvcc, log } = this.machine;
    let keyRevisions = 0;
    for (const revisions of mvcc.history.values()) keyRevisions += revisions.length;
    let watchLogEvents = 0;
    for (const change of log.changes) watchLogEvents += change.events.length;
    return { revision: mvcc.revision, compactRevision: mvcc.compactRevision, keys: mvcc.history.size, keyRevisions, watchLogChanges: log.changes.length, watchLogEvents };
  }

  async range(key: string, options?: RangeOptions): Promise<RangeResult> {
    this.checkOpen();
    return this.machine.range(key, options);
  }

  async put(key: string, value: string, options: PutOptions = {}): Promise<PutResult> {
    return (await this.write({ op: 'put', key, value, lease: options.lease || undefined, prevKv: options.prevKv || undefined })) as PutResult;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return (await this.write({ op: 'delete', key, end: options.end, prevKv: options.prevKv || undefined })) as DeleteResult;
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    return (await this.write({ op: 'txn', txn: request })) as TxnResult;
  }

  async compact(revision: number): Promise<void> {
    await this.write({ op: 'compact', revision });
  }

  async leaseGrant(ttlSeconds: number, id?: number): Promise<LeaseGrant> {
    let chosen = id ?? 0;
    while (chosen === 0 || (id === undefined && this.machine.hasLease(chosen))) chosen = randomInt(1, 2 ** 47);
    return (await this.write({ op: 'leaseGrant', id: chosen, ttl: ttlSeconds })) as LeaseGrant;
  }

  async leaseRevoke(id: number): Promise<void> {
    await this.write({ op: 'leaseRevoke', id });
  }

  async leaseKeepAlive(id: number): Promise<LeaseGrant> {
    this.checkOpen();
    return this.machine.keepAlive(id);
  }

  async watch(key: string, options: WatchOptions, onResponse: (response: WatchResponse) => void): Promise<Watcher> {
    this.checkOpen();
    const delivery = new WatchDelivery(onResponse, (d) => {
      this.machine.cancelWatch(d.id);
      this.deliveries.delete(d);
    });
    delivery.id = this.machine.watch(key, options ?? {}, (response) => delivery.push(response));
    this.deliveries.add(delivery);
    return delivery;
  }

  protected stopRunners(): void {
    this.closed = true;
    this.stopTicker();
    for (const delivery of [...this.deliveries]) delivery.cancel();
  }

  abstract close(): Promise<void>;
}

/** In memory: a write is applied at once. */
class MemoryStore extends StoreBase {
  constructor(machine: EtcdMachine, clock: Clock) {
    super(machine, clock);
    this.startLeaseTicker();
  }

  protected async write(request: WriteRequest): Promise<WriteResult> {
    this.checkOpen();
    return this.machine.apply(request);
  }

  async close(): Promise<void> {
    this.stopRunners();
  }
}

interface PendingWrite {
  ticket: number;
  request: WriteRequest;
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

/** Durable: a write is logged (group commit), then applied, then acknowledged. */
class DurableStore extends StoreBase {
  private pending: PendingWrite[] = [];
  private flusherRunning = false;
  private flushDone: Promise<void> = Promise.resolve();
  private entriesSinceSnapshot = 0;
  private compactedSinceSnapshot = false;
  private failure: unknown;
  private unlock: () => Promise<void> = async () => {};

  private constructor(
    machine: EtcdMachine,
    clock: Clock,
    private readonly parts: EtcdExercises,
    private readonly dataDir: string,
    private segment: AppendFile,
    private segmentName: string,
    private lastIndex: number,
    private readonly queue: CommitQueue,
    private readonly options: StoreOptions,
  ) {
    super(machine, clock);
    this.startLeaseTicker();
  }

  static async open(parts: EtcdExercises, clock: Clock, dataDir: string, options: StoreOptions): Promise<DurableStore> {
    await mkdir(dataDir, { recursive: true });
    const unlock = await lockDataDir(dataDir);
    try {
      const store = await DurableStore.recover(parts, clock, dataDir, options);
      store.unlock = unlock;
      return store;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  private static async recover(parts: EtcdExercises, clock: Clock, dataDir: string, options: StoreOptions): Promise<DurableStore> {
    const walDir = join(dataDir, WAL_DIR);
    const recovered = await recoverDataDir(dataDir, parts, () => clock.now(), options.logger ?? stderrLogger);
    const { machine, lastIndex } = recovered;
    machine.refreshLeases();
    // From the first write on, the log may again end in a torn record after a crash.
    if (recovered.closedCleanly) await removeCleanShutdown(dataDir);

    // Append to the newest segment, or start one.
    const segmentName = recovered.lastSegment ?? indexName(lastIndex + 1, '.wal');
    const segment = await AppendFile.open(join(walDir, segmentName), options.chunkWrites);
    if (!recovered.lastSegment) await syncDir(walDir);
    const queue = parts.createCommitQueue(options.maxBatchBytes ?? WAL_MAX_BATCH_BYTES);
    const store = new DurableStore(machine, clock, parts, dataDir, segment, segmentName, lastIndex, queue, options);
    store.entriesSinceSnapshot = recovered.entriesAfterSnapshot;
    return store;
  }

  protected write(request: WriteRequest): Promise<WriteResult> {
    try {
      this.checkOpen();
      if (this.failure) throw new StoreError(`the store stopped after a disk error: ${String(this.failure)}`);
      // Cheap checks first, so that nothing etcd would refuse up front is logged.
      if ((request.op === 'put' || request.op === 'delete') && !request.key) throw new EmptyKeyError();
    } catch (error) {
      return Promise.reject(error);
    }
    const index = ++this.lastIndex;
    const ticket = this.queue.add(this.parts.encodeRecord(encodeEntry({ index, request })));
    return new Promise((resolve, reject) => {
      this.pending.push({ ticket, request, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Starts the flusher unless it runs: one flusher at a time, for writes, fsyncs and snapshots. */
  private scheduleFlush(): void {
    if (this.flusherRunning) return;
    this.flusherRunning = true;
    // setImmediate: let every write issued in this turn of the event loop join the first batch.
    this.flushDone = new Promise<void>((resolve) => setImmediate(() => void this.flush().then(resolve))).then(() => {
      this.flusherRunning = false;
      if (this.queue.waiting > 0 && !this.failure) this.scheduleFlush();
    });
  }

  /** Writes and fsyncs batches until nothing waits; applies and acknowledges each batch. */
  private async flush(): Promise<void> {
    for (;;) {
      const batch = this.queue.startFlush();
      if (!batch) return;
      try {
        await this.segment.append(batch.bytes);
        await this.segment.sync();
      } catch (error) {
        this.fail(error);
        return;
      }
      const durable = this.queue.finishFlush();
      // A compaction is answered once the disk has let go too (after the snapshot it may trigger).
      const compactions: (() => void)[] = [];
      while (this.pending.length > 0 && this.pending[0]!.ticket <= durable) {
        const write = this.pending.shift()!;
        try {
          const result = this.machine.apply(write.request);
          if (write.request.op === 'compact') {
            this.compactedSinceSnapshot = true;
            compactions.push(() => write.resolve(result));
          } else {
            write.resolve(result);
          }
        } catch (error) {
          write.reject(error);
        }
        this.entriesSinceSnapshot++;
      }
      const due =
        this.entriesSinceSnapshot >= (this.options.snapshotEvery ?? SNAPSHOT_EVERY_ENTRIES) ||
        (this.compactedSinceSnapshot && this.entriesSinceSnapshot >= (this.options.snapshotAfterCompaction ?? SNAPSHOT_AFTER_COMPACTION_MIN_ENTRIES));
      let snapshotFailure: unknown;
      if (due) {
        try {
          await this.snapshot();
        } catch (error) {
          snapshotFailure = error;
        }
      }
      // Applied and logged either way: a failed snapshot stops the store, not the compaction.
      for (const resolve of compactions) resolve();
      if (snapshotFailure !== undefined) {
        this.fail(snapshotFailure);
        return;
      }
    }
  }

  /**
   * Every write logged so far is applied: save the state, start a new segment, then drop what the
   * SNAPSHOTS_KEPT newest snapshots make unnecessary (older snapshots, and the segments whose
   * entries the oldest kept snapshot holds). Keeping more than one snapshot, with the log after the
   * oldest, lets recovery fall back when the newest is damaged.
   */
  private async snapshot(): Promise<void> {
    const index = this.lastIndex - this.queue.waiting; // entries still waiting are not applied yet
    const snapDir = join(this.dataDir, SNAP_DIR);
    const walDir = join(this.dataDir, WAL_DIR);
    const payload = new TextEncoder().encode(JSON.stringify({ index, state: this.machine.toSnapshot() }));
    await writeFileDurably(join(snapDir, indexName(index, '.snap')), this.parts.encodeRecord(payload), snapDir);
    await this.segment.close();
    this.segmentName = indexName(index + 1, '.wal');
    this.segment = await AppendFile.open(join(walDir, this.segmentName), this.options.chunkWrites);
    await syncDir(walDir);
    this.entriesSinceSnapshot = 0;
    this.compactedSinceSnapshot = false;

    const snapshots = await listIndexedFiles(snapDir, '.snap');
    const kept = snapshots.slice(-Math.max(1, SNAPSHOTS_KEPT));
    const oldestKept = indexOfName(kept[0]!);
    const segments = await listIndexedFiles(walDir, '.wal');
    // A segment runs up to the entry before the next one's first: it is needed no more when the
    // oldest kept snapshot holds all of that.
    const unneeded = segments.filter((name, i) => i < segments.length - 1 && indexOfName(segments[i + 1]!) <= oldestKept + 1);
    await removeFiles(walDir, unneeded);
    await removeFiles(snapDir, snapshots.slice(0, snapshots.length - kept.length));
  }

  private fail(error: unknown): void {
    this.failure = error;
    for (const write of this.pending.splice(0)) write.reject(new StoreError(`could not write the log: ${String(error)}`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopRunners();
    // Let writes already accepted reach the disk, then close the file.
    while (this.flusherRunning) await this.flushDone;
    await this.segment.close();
    if (!this.failure && this.queue.waiting === 0) {
      // Where the log ends now: at the next open, a log that ends anywhere else is damage.
      const length = await fileSize(join(this.dataDir, WAL_DIR, this.segmentName));
      await writeCleanShutdown(this.dataDir, { segment: this.segmentName, length, lastIndex: this.lastIndex });
    }
    await this.unlock();
  }
}
