/**
 * Informer: list once, then watch from the list's resourceVersion, keeping a local cache of the
 * objects and telling handlers about every add, update and delete, as client-go's shared informer
 * does (without its periodic resync: changes only).
 *
 *   const pods = new Informer<Pod>(client, 'pods', { fieldSelector: 'spec.nodeName=' });
 *   pods.on('add', (pod) => queue.add(objectKeyOf(pod)));
 *   pods.on('update', (old, pod) => ...);
 *   pods.on('delete', (pod) => ...);
 *   await pods.start();          // resolves once the first list is in the cache (hasSynced)
 *   pods.get('default/web-1');   // from the cache, never a request
 *   pods.stop();
 *
 * Invariants:
 * - handlers see changes in the order the server made them, one at a time;
 * - a watch that ends cleanly (the server's timeout, a restart) resumes from the last
 *   resourceVersion seen (an event's or a bookmark's), so nothing is missed or repeated;
 * - a 410 Expired (an ERROR event or an HTTP 410) means the history is gone: the informer lists
 *   again and turns the difference into add/update/delete calls;
 * - any other failure retries with backoff (INFORMER_BACKOFF_INITIAL_MS doubling to _MAX_MS);
 * - cached objects are shared with handlers: never modify them (copy first).
 */
import type { ApiError } from '../kube/errors.ts';
import { systemClock, type Clock } from '../etcd/clock.ts';
import type { KubeObject, Status, WatchEvent } from '../kube/types.ts';
import { INFORMER_BACKOFF_INITIAL_MS, INFORMER_BACKOFF_MAX_MS } from '../params.ts';
import { silentLogger, type Logger } from '../cluster/logger.ts';
import { objectKeyOf, type KubeClient, type ResourceRef, type WatchHandle } from './client.ts';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the list (default: no paging). */
  pageSize?: number;
  clock?: Clock;
  logger?: Logger;
}

type Handlers<T> = {
  add: (object: T) => void;
  update: (old: T, object: T) => void;
  delete: (object: T) => void;
};

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: { [K in keyof Handlers<T>]: Handlers<T>[K][] } = { add: [], update: [], delete: [] };
  private resourceVersion: string | undefined;
  private synced = false;
  private stopped = true;
  private watchHandle?: WatchHandle;
  private cancelTimer?: () => void;
  private backoffMs = INFORMER_BACKOFF_INITIAL_MS;
  private readonly clock: Clock;
  private readonly log: Logger;
  private syncWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** How many times the informer listed (1 + relists after 410s); for tests and metrics. */
  lists = 0;
  /** How many watches it opened. */
  watches = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly ref: ResourceRef,
    private readonly options: InformerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child(`informer/${typeof ref === 'string' ? ref : ref.resource}`);
  }

  on<K extends keyof Handlers<T>>(event: K, handler: Handlers<T>[K]): this {
    this.handlers[event].push(handler);
    return this;
  }

  /** Starts listing and watching; resolves once the cache holds the first list. */
  start(): Promise<void> {
    if (this.stopped) {
      this.stopped = false;
      void this.relist();
    }
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const handle = this.watchHandle;
    this.watchHandle = undefined;
    handle?.stop();
    for (const w of this.syncWaiters) w.reject(new Error('the informer was stopped before it synced'));
    this.syncWaiters = [];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.cache.values()];
  }

  /** A cached object by `namespace/name` (or `name`). */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** The resourceVersion the informer would resume from. */
  lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  private emit<K extends keyof Handlers<T>>(event: K, ...args: Parameters<Handlers<T>[K]>): void {
    for (const handler of this.handlers[event]) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.log.error(`an ${event} handler failed`, { error: (error as Error)?.message ?? String(error) });
      }
    }
  }

  private retryLater(what: () => void, why: string): void {
    if (this.stopped) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, INFORMER_BACKOFF_MAX_MS);
    this.log.info('retrying', { why, waitMs: wait });
    this.cancelTimer = this.clock.setTimer(wait, () => {
      this.cancelTimer = undefined;
      if (!this.stopped) what();
    });
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let items: T[] = [];
    let rv: string | undefined;
    try {
      let cont: string | undefined;
      do {
        const page = await this.client.list<T>(this.ref, {
          namespace: this.options.namespace,
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
          limit: this.options.pageSize,
          continue: cont,
        });
        items = items.concat(page.items as T[]);
        rv = page.metadata.resourceVersion;
        cont = page.metadata.continue;
      } while (cont);
    } catch (error) {
      this.retryLater(() => void this.relist(), `list failed: ${(error as Error).message}`);
      return;
    }
    if (this.stopped) return;
    this.lists++;
    this.replace(items);
    this.resourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters) w.resolve();
      this.syncWaiters = [];
    }
    this.startWatch();
  }

  /** Makes the cache equal to `items`, telling handlers the difference. */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const object of items) {
      const key = objectKeyOf(object);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, object);
      if (!old) this.emit('add', object);
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) this.emit('update', old, object);
    }
    for (const [key, old] of [...this.cache]) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
  }

  private startWatch(): void {
    if (this.stopped) return;
    this.watches++;
    let gotEvents = false;
    let expired = false;
    const startedAt = this.clock.now();
    const handle = this.client.watch<T>(
      this.ref,
      {
        namespace: this.options.namespace,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      },
      {
        onEvent: (event) => {
          if (handle !== this.watchHandle) return;
          if (event.type === 'ERROR') {
            const status = event.object as unknown as Status;
            if (status.code === 410) expired = true;
            else this.log.warn('watch error event', { message: status.message });
            return;
          }
          gotEvents = true;
          this.backoffMs = INFORMER_BACKOFF_INITIAL_MS;
          this.apply(event);
        },
        onClose: (error?: ApiError) => {
          if (handle !== this.watchHandle || this.stopped) return;
          this.watchHandle = undefined;
          if (expired || error?.code === 410) {
            this.log.info('watch expired, listing again', { resourceVersion: this.resourceVersion });
            this.resourceVersion = undefined;
            void this.relist();
          } else if (error) {
            this.retryLater(() => this.startWatch(), `watch failed: ${error.message}`);
          } else if (gotEvents || this.clock.now() - startedAt >= 1000) {
            // A clean end after a while (the server's timeout): resume at once.
            this.startWatch();
          } else {
            this.retryLater(() => this.startWatch(), 'the watch ended without events');
          }
        },
      },
    );
    this.watchHandle = handle;
  }

  private apply(event: WatchEvent<T>): void {
    const object = event.object;
    const rv = object?.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const key = objectKeyOf(object);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('delete', old ?? object);
    } else {
      this.cache.set(key, object);
      if (old) this.emit('update', old, object);
      else this.emit('add', object);
    }
    if (rv) this.resourceVersion = rv;
  }
}
