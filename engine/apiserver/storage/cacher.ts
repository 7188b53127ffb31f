/**
 * The cacher: one store watch over all of /registry/, feeding one watch cache per resource (the
 * learner's createWatchCache, 04-list-watch), from which every client watch is served, as the real
 * apiserver's Cacher does. Clients never watch the store directly, so a thousand watchers of pods
 * cost the store one watch.
 *
 * Invariants:
 * - start() loads every object at one revision R, then watches from R+1 with prevKv, so no change
 *   is missed or seen twice;
 * - events reach a resource's cache in revision order, then its subscribers, synchronously, so a
 *   watcher that reads eventsSince() and subscribes in the same tick misses nothing;
 * - `revision` is the highest revision applied; waitFor(rv) resolves once it reaches rv.
 */
import type { KeyValue, KVStore, Watcher, WatchResponse } from '../../etcd/kv.ts';
import { prefixEnd } from '../../etcd/kv.ts';
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

  constructor(
    private readonly store: KVStore,
    private readonly impl: ApiserverExercises,
    private readonly capacity: number,
    onError: (error: unknown, where: string) => void = () => {},
  ) {
    this.onError = onError;
    for (const info of RESOURCES) {
      if (info.virtual) continue;
      const entry: Entry = { info, cache: impl.createWatchCache(capacity), subscribers: new Set() };
      this.entries.set(info, entry);
      this.byPrefix.push(entry);
    }
    this.byPrefix.sort((a, b) => b.info.prefix.length - a.info.prefix.length);
  }

  async start(): Promise<void> {
    const snapshot = await this.store.range(REGISTRY, { end: prefixEnd(REGISTRY) });
    const grouped = new Map<Entry, KubeObject[]>();
    for (const kv of snapshot.kvs) {
      const entry = this.entryForKey(kv.key);
      if (!entry) continue;
      const list = grouped.get(entry) ?? [];
      list.push(decodeStored(kv));
      grouped.set(entry, list);
    }
    for (const entry of this.entries.values()) entry.cache.replace(grouped.get(entry) ?? [], snapshot.revision);
    this.revision = snapshot.revision;
    this.watcher = await this.store.watch(REGISTRY, { end: prefixEnd(REGISTRY), startRevision: snapshot.revision + 1, prevKv: true }, (r) => this.onResponse(r));
  }

  stop(): void {
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
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.revision <= this.revision);
      this.waiters = this.waiters.filter((w) => w.revision > this.revision);
      for (const w of ready) w.resolve();
    }
  }
}
