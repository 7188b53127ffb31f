/**
 * Serving one watch: `GET ...?watch=true` becomes a long chunked response with one JSON event per
 * line ({"type":"ADDED","object":{...}}), kept open until the client goes, the timeout passes, or
 * the client is too slow to keep up.
 *
 * - resourceVersion unset or "0": first a synthetic ADDED for every matching object in the cache,
 *   then every change after it;
 * - resourceVersion N: every change after N from the watch cache's history; when N is older than the
 *   history, one ERROR event carrying a 410 Expired Status, then the end (what the real apiserver's
 *   cacher sends, and what makes an informer relist);
 * - a newer N than the cache has seen waits up to WATCH_FRESHNESS_WAIT_MS, then 504.
 * What each watcher is sent (selectors, bookmarks) is decided by the learner's createWatchStream.
 * An event's JSON is built once and shared by every watcher that gets the same bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WATCH_BOOKMARK_INTERVAL_MS, WATCH_DEFAULT_TIMEOUT_SECONDS, WATCH_FRESHNESS_WAIT_MS } from '../params.ts';
import { groupVersion, type ResourceInfo } from '../kube/resources.ts';
import type { KubeObject, Status, WatchEvent } from '../kube/types.ts';
import { ApiError, badRequest, futureResourceVersion, tooLargeResourceVersion } from '../kube/errors.ts';
import type { ApiserverExercises, CacheEvent } from './exercises.ts';
import type { Cacher } from './cacher.ts';
import type { Negotiated } from './http.ts';
import { tableColumns, tableRow, type IncludeObject } from './table.ts';

/** A watcher whose unsent output passes this many bytes is closed (the real apiserver drops slow watchers too). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * The watches a server has open. closeAll() ends each stream cleanly, as an apiserver restart or a
 * watch timeout does; pause() holds new watches until resumed. Tests use both to show an informer
 * resuming from its last resourceVersion and relisting after a 410.
 */
export class OpenWatches {
  private readonly open = new Set<() => void>();
  private gate?: { promise: Promise<void>; release: () => void };

  add(finish: () => void): () => void {
    this.open.add(finish);
    return () => this.open.delete(finish);
  }

  /** Ends every open watch; returns how many there were. */
  closeAll(): number {
    const all = [...this.open];
    for (const finish of all) finish();
    return all.length;
  }

  get size(): number {
    return this.open.size;
  }

  /** New watches wait until the returned function is called. */
  pause(): () => void {
    if (!this.gate) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.gate = { promise, release };
    }
    const gate = this.gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      gate.release();
    };
  }

  /** Resolves when new watches may start. */
  async admitted(): Promise<void> {
    while (this.gate) await this.gate.promise;
  }
}

export interface WatchContext {
  impl: ApiserverExercises;
  cacher: Cacher;
  watches: OpenWatches;
  now(): number;
  onError(error: unknown, where: string): void;
}

export interface WatchRequest {
  info: ResourceInfo;
  query: URLSearchParams;
  matches(object: KubeObject): boolean;
  negotiated: Negotiated;
  include: IncludeObject;
}

/** Shared serialisations, per event object: `${format}|${type}` → the line, encoded once. */
const lines = new WeakMap<object, Map<string, Buffer>>();

function line(event: WatchEvent, format: string, build: () => string): Buffer {
  const key = `${format}|${event.type}`;
  let byFormat = lines.get(event.object as object);
  if (!byFormat) {
    byFormat = new Map();
    lines.set(event.object as object, byFormat);
  }
  let bytes = byFormat.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(build(), 'utf8');
    byFormat.set(key, bytes);
  }
  return bytes;
}

export async function serveWatch(ctx: WatchContext, req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  await ctx.watches.admitted();
  const { info, query } = w;
  const rvText = query.get('resourceVersion') ?? '';
  const allowBookmarks = query.get('allowWatchBookmarks') === 'true';
  const timeoutText = query.get('timeoutSeconds');
  const timeoutSeconds = timeoutText === null ? WATCH_DEFAULT_TIMEOUT_SECONDS : Number(timeoutText);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`invalid timeoutSeconds "${timeoutText}": must be a whole number of seconds`);
  const cache = ctx.cacher.cacheFor(info);
  const table = w.negotiated.format === 'table';
  let firstTable = true;

  let startRevision: number;
  let initial: KubeObject[] = [];
  let backlog: CacheEvent[] = [];
  let expired: Status | undefined;
  if (rvText === '' || rvText === '0') {
    startRevision = ctx.cacher.revision;
    initial = cache
      .list()
      .filter((o) => w.matches(o))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  } else {
    if (!/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a whole number`);
    startRevision = Number(rvText);
    const current = await ctx.cacher.storeRevision();
    if (startRevision > current) throw futureResourceVersion(startRevision, current);
    if (!(await ctx.cacher.waitFor(startRevision, WATCH_FRESHNESS_WAIT_MS))) throw tooLargeResourceVersion(startRevision, ctx.cacher.revision);
    try {
      backlog = cache.eventsSince(startRevision);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      expired = error.status;
    }
  }
  // From here on nothing awaits until we subscribe: no change can slip between backlog and live events.
  const stream = expired
    ? undefined
    : ctx.impl.createWatchStream({
        matches: w.matches,
        allowBookmarks,
        bookmarkIntervalMs: WATCH_BOOKMARK_INTERVAL_MS,
        now: ctx.now(),
        resourceVersion: startRevision,
        apiVersion: groupVersion(info),
        kind: info.kind,
      });

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  const serialise = (event: WatchEvent): string | Buffer => {
    if (event.type === 'ERROR') return `${JSON.stringify(event)}\n`;
    if (!table || event.type === 'BOOKMARK') return line(event, 'json', () => `${JSON.stringify(event)}\n`);
    const withColumns = firstTable;
    firstTable = false;
    const build = () => {
      const object = {
        kind: 'Table',
        apiVersion: w.negotiated.tableVersion,
        metadata: { resourceVersion: event.object.metadata?.resourceVersion },
        columnDefinitions: withColumns ? tableColumns(info) : [],
        rows: [tableRow(info, event.object as KubeObject, ctx.now(), w.include)],
      };
      return `${JSON.stringify({ type: event.type, object })}\n`;
    };
    return withColumns ? build() : line(event, `table-${w.include}-${w.negotiated.tableVersion}`, build);
  };

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => {};
  let forget: () => void = () => {};
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    forget();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  const write = (events: WatchEvent[]) => {
    for (const event of events) {
      if (closed) return;
      res.write(serialise(event));
    }
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  res.on('close', finish);
  forget = ctx.watches.add(finish);

  if (expired) {
    write([{ type: 'ERROR', object: expired as unknown as KubeObject }]);
    finish();
    return;
  }
  try {
    write(initial.map((object) => ({ type: 'ADDED' as const, object })));
    for (const event of backlog) write(stream!.onEvent(event));
  } catch (error) {
    ctx.onError(error, `the ${info.resource} watch`);
    finish();
    return;
  }
  unsubscribe = ctx.cacher.subscribe(info, (event) => {
    try {
      write(stream!.onEvent(event));
    } catch (error) {
      ctx.onError(error, `the ${info.resource} watch`);
      finish();
    }
  });
  if (allowBookmarks) {
    const tick = () => {
      if (closed) return;
      try {
        write(stream!.tick(ctx.now()));
      } catch (error) {
        ctx.onError(error, `the ${info.resource} watch bookmarks`);
        finish();
        return;
      }
      timers[0] = setTimeout(tick, Math.min(WATCH_BOOKMARK_INTERVAL_MS, 1000));
    };
    timers[0] = setTimeout(tick, Math.min(WATCH_BOOKMARK_INTERVAL_MS, 1000));
  }
  timers.push(setTimeout(finish, (timeoutSeconds > 0 ? timeoutSeconds : WATCH_DEFAULT_TIMEOUT_SECONDS) * 1000));
  void req;
}
