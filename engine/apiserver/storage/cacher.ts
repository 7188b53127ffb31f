/**
 * The cacher: one store watch (of every key; objects live under /registry/), feeding one watch cache per resource (the
 * learner's createWatchCache, 04-list-watch), from which every client watch is served, as the real
 * apiserver's Cacher does. Clients never watch the store directly, so a thousand watchers of pods
 * cost the store one watch.
 *
 * Invariants:
 * - start() loads every object at one revision R, then watches from R+1 with prevKv, so no change
 *   is missed or seen twice;
 * - the store watch covers every key, not only /registry/, so that `revision` follows writes made
 *   outside it too (the compactor's compact_rev_key), and a consistent list never waits for a
 *   revision that holds nothing for the cache (upstream learns those from etcd's progress notify);
 * - when the store ends that watch (a real etcd compacted past it, or went away), the cacher lists
 *   again after CACHER_RELIST_DELAY_MS and replaces every cache, then ends every client watch
 *   (onReset), as upstream's startCaching does with terminateAllWatchers: clients watch again from
 *   their last resourceVersion, older than the new list, get 410 Expired and list again;
 * - events reach a resource's cache in revision order, then its subscribers, synchronously, so a
 *   watcher that reads eventsSince() and subscribes in the same tick misses nothing;
 * - `revision` is the highest revision applied; waitFor(rv) resolves once it reaches rv.
 */
import type { KeyValue, KVStore, Watcher, WatchResponse } from '../../etcd/kv.ts';
import { prefixEnd } from '../../etcd/kv.ts';
import { CACHER_RELIST_DELAY_MS } from '../../params.ts';
import { RESOURCES, type ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject } from '../../kube/types.ts';
import type { ApiserverExercises, CacheEvent, WatchCache } from '../exercises.ts';

export type CacheSubscriber = (event: CacheEvent) => void;

interface Entry {
  info: ResourceInfo;
  cache: WatchCache;
  subscribers: Set<CacheSubscriber>;
}

const REGISTRY = '/registry/';
/** The smallest key; with an end of '\0', the whole key space. */
const ALL_KEYS = '\0';

/** Decodes a stored object; its resourceVersion is the key's modRevision. */
export function decodeStored(kv: KeyValue, revision = kv.modRevision): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.metadata = { ...(object.metadata ?? {}), resourceVersion: String(revision) };
  return object;
}

export class Cacher {
  /** The highest store revision this cacher has applied. */
  revision = 0;
  private readonly entries = new Map<ResourceInfo, Entry>();
  /** Resources by store prefix, longest first, so /registry/services/specs wins over shorter ones. */
  private readonly byPrefix: Entry[] = [];
  private waiters: { revision: number; resolve: () => void }[] = [];
  private watcher?: Watcher;
  private onError: (error: unknown, where: string) => void;
  private stopped = false;
  /** Bumped by every list-and-watch, so that a late answer of an earlier one is ignored. */
  private generation = 0;
  private relistTimer?: NodeJS.Timeout;
  /** Called once every cache was replaced after the store watch was lost: end every client watch. */
  onReset: () => void = () => {};
  /** How many times the caches were listed again after the store watch was lost. */
  relists = 0;

  constructor(
    private readonly store: KVStore,
    private readonly impl: ApiserverExercises,
    private readonly capacity: number,
    onError: (error: unknown, where: string) => void = () => {},
  ) {
    this.onError = onError;
    for (const info of RESOURCES) {
      // Kinds stored as another version have no cache of their own (storage/versions.ts).
      if (info.virtual || info.storedAs) continue;
      const entry: Entry = { info, cache: impl.createWatchCache(capacity), subscribers: new Set() };
      this.entries.set(info, entry);
      this.byPrefix.push(entry);
    }
    this.byPrefix.sort((a, b) => b.info.prefix.length - a.info.prefix.length);
  }

  async start(): Promise<void> {
    await this.listAndWatch();
  }

  /** Lists /registry/ at one revision, replaces every cache with it, and watches from there. */
  private async listAndWatch(): Promise<void> {
    const generation = ++this.generation;
    const snapshot = await this.store.range(REGISTRY, { end: prefixEnd(REGISTRY) });
    if (this.stopped || generation !== this.generation) return;
    const grouped = new Map<Entry, KubeObject[]>();
    for (const kv of snapshot.kvs) {
      const entry = this.entryForKey(kv.key);
      if (!entry) continue;
      const list = grouped.get(entry) ?? [];
      list.push(decodeStored(kv));
      grouped.set(entry, list);
    }
    for (const entry of this.entries.values()) entry.cache.replace(grouped.get(entry) ?? [], snapshot.revision);
    this.revision = Math.max(this.revision, snapshot.revision);
    if (generation > 1) {
      this.relists++;
      this.onReset();
      this.wakeWaiters();
    }
    const watcher = await this.store.watch(ALL_KEYS, { end: '\0', startRevision: snapshot.revision + 1, prevKv: true }, (r) => {
      if (generation === this.generation) this.onResponse(r);
    });
    if (this.stopped || generation !== this.generation) watcher.cancel();
    else this.watcher = watcher;
  }

  /** The store ended the watch: list and watch again, after a pause, until it works. */
  private storeWatchLost(why: string): void {
    this.watcher = undefined;
    this.generation++; // whatever the old watch still sends is ignored
    this.onError(new Error(why), 'the store watch');
    const retry = () => {
      this.relistTimer = undefined;
      if (this.stopped) return;
      this.listAndWatch().catch((error: unknown) => {
        this.onError(error, 'listing again after the store watch was lost');
        if (!this.stopped) this.relistTimer = setTimeout(retry, CACHER_RELIST_DELAY_MS).unref();
      });
    };
    this.relistTimer = setTimeout(retry, CACHER_RELIST_DELAY_MS).unref();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    if (this.relistTimer) clearTimeout(this.relistTimer);
    this.watcher?.cancel();
    this.watcher = undefined;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  /** The store's current revision (what the next list would be read at). */
  storeRevision(): Promise<number> {
    return this.store.revision();
  }

  /** The watch cache of a resource. */
  cacheFor(info: ResourceInfo): WatchCache {
    return this.entry(info).cache;
  }

  /** Calls `fn` with every change of the resource from now on; returns the unsubscribe function. */
  subscribe(info: ResourceInfo, fn: CacheSubscriber): () => void {
    const entry = this.entry(info);
    entry.subscribers.add(fn);
    return () => entry.subscribers.delete(fn);
  }

  /** Resolves true once the cacher has applied `revision`, false after `timeoutMs`. */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { revision, resolve: () => resolve(this.revision >= revision) };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(this.revision >= revision);
      }, timeoutMs);
      timer.unref?.();
    });
  }

  private entry(info: ResourceInfo): Entry {
    const entry = this.entries.get(info);
    if (!entry) throw new Error(`no watch cache for ${info.resource}`);
    return entry;
  }

  private entryForKey(key: string): Entry | undefined {
    return this.byPrefix.find((e) => key.startsWith(`${e.info.prefix}/`));
  }

  private onResponse(response: WatchResponse): void {
    if (response.compactRevision !== undefined || response.ended !== undefined) {
      this.storeWatchLost(
        response.compactRevision !== undefined ? `the store compacted past the watch cache (to revision ${response.compactRevision}); listing again` : `${response.ended}; listing again`,
      );
      return;
    }
    for (const event of response.events) {
      const entry = this.entryForKey(event.kv.key);
      const revision = event.kv.modRevision;
      if (entry) {
        let change: CacheEvent;
        try {
          if (event.type === 'PUT') {
            change = {
              type: event.kv.createRevision === event.kv.modRevision ? 'ADDED' : 'MODIFIED',
              object: decodeStored(event.kv),
              prevObject: event.prevKv ? decodeStored(event.prevKv) : undefined,
              revision,
            };
          } else {
            if (!event.prevKv) continue;
            const prev = decodeStored(event.prevKv);
            change = { type: 'DELETED', object: decodeStored(event.prevKv, revision), prevObject: prev, revision };
          }
        } catch (error) {
          this.onError(error, `decoding ${event.kv.key}`);
          continue;
        }
        try {
          entry.cache.apply(change);
        } catch (error) {
          this.onError(error, `the ${entry.info.resource} watch cache`);
        }
        for (const subscriber of entry.subscribers) {
          try {
            subscriber(change);
          } catch (error) {
            this.onError(error, `a ${entry.info.resource} watcher`);
          }
        }
      }
      if (revision > this.revision) this.revision = revision;
    }
    this.wakeWaiters();
  }

  /** Resolves the waiters whose revision has been reached. */
  private wakeWaiters(): void {
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.revision <= this.revision);
      this.waiters = this.waiters.filter((w) => w.revision > this.revision);
      for (const w of ready) w.resolve();
    }
  }
}
