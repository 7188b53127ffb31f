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
 *   logged write, like any other), deleting their keys in one revision.
 */
import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadComponent } from '../impl.ts';
import { LEASE_TICK_MS, SNAPSHOT_EVERY_ENTRIES, WAL_MAX_BATCH_BYTES } from '../params.ts';
import { systemClock, type Clock } from './clock.ts';
import type { CommitQueue, EtcdExercises } from './exercises.ts';
import {
  AppendFile,
  indexName,
  listIndexedFiles,
  lockDataDir,
  prepareDataDir,
  readIndexedFiles,
  removeFiles,
  SNAP_DIR,
  syncDir,
  truncateFile,
  WAL_DIR,
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
import { EtcdMachine, type MachineSnapshot, type WriteRequest, type WriteResult } from './machine.ts';
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
  private failure: unknown;
  private unlock: () => Promise<void> = async () => {};

  private constructor(
    machine: EtcdMachine,
    clock: Clock,
    private readonly parts: EtcdExercises,
    private readonly dataDir: string,
    private segment: AppendFile,
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
    await prepareDataDir(dataDir);
    const walDir = join(dataDir, WAL_DIR);
    const snapDir = join(dataDir, SNAP_DIR);
    const snapshots = await readIndexedFiles(snapDir, '.snap');
    const segments = await readIndexedFiles(walDir, '.wal');
    const plan = parts.planRecovery(
      snapshots.map((s) => ({ index: s.index, bytes: s.bytes })),
      segments.map((s) => ({ name: s.name, bytes: s.bytes })),
    );
    if (plan.truncate) await truncateFile(join(walDir, plan.truncate.name), plan.truncate.length);

    const now = () => clock.now();
    const snapshot = plan.snapshot ? (JSON.parse(new TextDecoder().decode(plan.snapshot.payload)) as { index: number; state: MachineSnapshot }) : undefined;
    const machine = new EtcdMachine(parts, now, snapshot?.state);
    let lastIndex = plan.snapshot?.index ?? 0;
    for (const entry of plan.entries) {
      try {
        machine.apply(entry.request as WriteRequest);
      } catch (error) {
        // The write failed the same way when it was first applied; anything else is a bug.
        if (!(error instanceof StoreError)) throw error;
      }
      lastIndex = entry.index;
    }
    machine.refreshLeases();

    // Append to the newest segment, or start one.
    const last = segments.at(-1);
    const segmentName = last ? last.name : indexName(lastIndex + 1, '.wal');
    const segment = await AppendFile.open(join(walDir, segmentName), options.chunkWrites);
    if (!last) await syncDir(walDir);
    const store = new DurableStore(machine, clock, parts, dataDir, segment, lastIndex, parts.createCommitQueue(options.maxBatchBytes ?? WAL_MAX_BATCH_BYTES), options);
    store.entriesSinceSnapshot = plan.entries.length;
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
      while (this.pending.length > 0 && this.pending[0]!.ticket <= durable) {
        const write = this.pending.shift()!;
        try {
          write.resolve(this.machine.apply(write.request));
        } catch (error) {
          write.reject(error);
        }
        this.entriesSinceSnapshot++;
      }
      if (this.entriesSinceSnapshot >= (this.options.snapshotEvery ?? SNAPSHOT_EVERY_ENTRIES)) {
        try {
          await this.snapshot();
        } catch (error) {
          this.fail(error);
          return;
        }
      }
    }
  }

  /** Every write logged so far is applied: save the state, start a new segment, drop old files. */
  private async snapshot(): Promise<void> {
    const index = this.lastIndex - this.queue.waiting; // entries still waiting are not applied yet
    const snapDir = join(this.dataDir, SNAP_DIR);
    const walDir = join(this.dataDir, WAL_DIR);
    const payload = new TextEncoder().encode(JSON.stringify({ index, state: this.machine.toSnapshot() }));
    await writeFileDurably(join(snapDir, indexName(index, '.snap')), this.parts.encodeRecord(payload), snapDir);
    await this.segment.close();
    this.segment = await AppendFile.open(join(walDir, indexName(index + 1, '.wal')), this.options.chunkWrites);
    await syncDir(walDir);
    const keepSegment = indexName(index + 1, '.wal');
    const keepSnap = indexName(index, '.snap');
    await removeFiles(walDir, (await listIndexedFiles(walDir, '.wal')).filter((n) => n !== keepSegment));
    await removeFiles(snapDir, (await listIndexedFiles(snapDir, '.snap')).filter((n) => n !== keepSnap));
    this.entriesSinceSnapshot = 0;
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
    await this.unlock();
  }
}
