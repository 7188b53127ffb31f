/**
 * Watches, served from the watch cache (upstream's Cacher.Watch and cacheWatcher):
 * - resourceVersion unset or "0": first a synthetic ADDED for every matching object in the cache,
 *   then every change after it;
 * - resourceVersion N: every change after N from the watch cache's history; when N is older than the
 *   history, one ERROR event carrying a 410 Expired Status, then the end (what makes an informer
 *   relist);
 * - N newer than anything the store has written: 400; newer than the cache has applied: wait up to
 *   CACHE_FRESHNESS_WAIT_MS, then 504.
 * What each watcher is sent (its selectors, bookmarks) is decided by the learner's
 * createWatchStream (04-list-watch). Encoding the events for the wire is the HTTP handler's job.
 */
import { ApiError, badRequest, futureResourceVersion, tooLargeResourceVersion } from '../../kube/errors.ts';
import { groupVersion, type ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject, Status } from '../../kube/types.ts';
import { WATCH_BOOKMARK_INTERVAL_MS } from '../../params.ts';
import type { ApiserverExercises, CacheEvent } from '../exercises.ts';
import type { Cacher } from './cacher.ts';
import type { PreparedWatch, StorageWatchOptions, WatchSink } from './interface.ts';

/** How often a watch that asked for bookmarks checks whether one is due, in ms. */
const BOOKMARK_CHECK_MS = Math.min(WATCH_BOOKMARK_INTERVAL_MS, 1000);

export async function prepareWatch(
  cacher: Cacher,
  impl: Pick<ApiserverExercises, 'createWatchStream'>,
  now: () => number,
  freshnessWaitMs: number,
  kind: ResourceInfo,
  options: StorageWatchOptions,
): Promise<PreparedWatch> {
  const cache = cacher.cacheFor(kind);
  const rvText = options.resourceVersion;
  let startRevision: number;
  let initial: KubeObject[] = [];
  let backlog: CacheEvent[] = [];
  let expired: Status | undefined;
  const matches = (object: KubeObject) => (!options.namespace || object.metadata?.namespace === options.namespace) && options.matches(object);
  if (rvText === '' || rvText === '0') {
    startRevision = cacher.revision;
    initial = cache
      .list()
      .filter(matches)
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  } else {
    if (!/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a whole number`);
    startRevision = Number(rvText);
    const current = await cacher.storeRevision();
    if (startRevision > current) throw futureResourceVersion(startRevision, current);
    if (!(await cacher.waitFor(startRevision, freshnessWaitMs))) throw tooLargeResourceVersion(startRevision, cacher.revision);
    try {
      backlog = cache.eventsSince(startRevision);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      expired = error.status;
    }
  }
  // From here on nothing awaits until start() subscribes: no change can slip between backlog and live events.
  return {
    start(sink: WatchSink): () => void {
      if (expired) {
        sink.send([{ type: 'ERROR', object: expired as unknown as KubeObject }]);
        sink.end();
        return () => {};
      }
      const stream = impl.createWatchStream({
        matches,
        allowBookmarks: options.allowBookmarks,
        bookmarkIntervalMs: WATCH_BOOKMARK_INTERVAL_MS,
        now: now(),
        resourceVersion: startRevision,
        apiVersion: groupVersion(kind),
        kind: kind.kind,
      });
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let unsubscribe = () => {};
      const stop = () => {
        stopped = true;
        unsubscribe();
        if (timer) clearTimeout(timer);
      };
      const where = `the ${kind.resource} watch`;
      const fail = (error: unknown, at: string) => {
        stop();
        sink.fail(error, at);
      };
      try {
        sink.send(initial.map((object) => ({ type: 'ADDED' as const, object })));
        for (const event of backlog) sink.send(stream.onEvent(event));
      } catch (error) {
        fail(error, where);
        return stop;
      }
      // The hot path: one call per change per watcher, no allocation beyond what the stream returns.
      unsubscribe = cacher.subscribe(kind, (event) => {
        try {
          sink.send(stream.onEvent(event));
        } catch (error) {
          fail(error, where);
        }
      });
      if (options.allowBookmarks) {
        const bookmarks = `${where} bookmarks`;
        const tick = () => {
          if (stopped) return;
          try {
            sink.send(stream.tick(now()));
          } catch (error) {
            fail(error, bookmarks);
            return;
          }
          if (!stopped) timer = setTimeout(tick, BOOKMARK_CHECK_MS);
        };
        timer = setTimeout(tick, BOOKMARK_CHECK_MS);
      }
      return stop;
    },
  };
}
