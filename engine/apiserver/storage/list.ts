/**
 * Lists, served from the watch cache or from the store as upstream 1.32 decides it
 * (k8s.io/apiserver/pkg/storage/cacher/cacher.go: shouldDelegateList, GetList; watch_cache.go:
 * waitUntilFreshAndBlock), with the ConsistentListFromCache feature on, as it is by default:
 *
 *   request                                            served from   at
 *   continue=<token>                                   store         the token's revision
 *   continue=<token of a 410> (rv -1)                  store         the latest revision
 *   resourceVersionMatch=Exact, resourceVersion=N      store         N
 *   limit>0, resourceVersion=N (N ≠ 0), no match       store         N (the legacy exact read)
 *   resourceVersion unset                              cache         the store's revision now
 *   resourceVersion=0                                  cache         whatever it holds (limit ignored)
 *   resourceVersion=N (not older than)                 cache         N or later
 *
 * From the cache, a list waits until the cache has applied the revision it needs: for an unset
 * resourceVersion up to CONSISTENT_LIST_WAIT_MS, then it reads the store instead (upstream falls
 * back the same way when the cache lags); for resourceVersion=N up to CACHE_FRESHNESS_WAIT_MS,
 * then 504 "Too large resource version" (NewTooLargeResourceVersionError), which tells clients to
 * retry after a second. A page from the cache carries a continue token at the cache's revision; the
 * next pages are read from the store at that revision, so they form one snapshot. Pagination itself
 * is the learner's paginate() (04-list-watch) either way. A continue token whose revision was
 * compacted gets 410 Expired with a token to go on at the latest revision
 * (./inconsistent-continue.ts).
 */
import { CompactedError, FutureRevisionError, prefixEnd, type KVStore } from '../../etcd/kv.ts';
import { expired, futureResourceVersion, tooLargeResourceVersion } from '../../kube/errors.ts';
import { collectionPrefix, type ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject } from '../../kube/types.ts';
import { CONSISTENT_LIST_WAIT_MS } from '../../params.ts';
import type { ApiserverExercises, KeyedObject } from '../exercises.ts';
import { decodeStored, type Cacher } from './cacher.ts';
import { continueTokenAt, INCONSISTENT_CONTINUE_MESSAGE, inconsistentContinueToken, inconsistentStartKey } from './inconsistent-continue.ts';
import type { StorageListOptions, StorageListResult } from './interface.ts';

/** Where one list is read from (see the table above). */
export type ListSource = { from: 'store'; revision?: number } | { from: 'cache'; atLeast: 'now' | 'anything' | number; limit: number };

/** Decides where a list is served from, as shouldDelegateList and computeListLimit do. */
export function listSource(options: Pick<StorageListOptions, 'limit' | 'continue' | 'resourceVersion' | 'resourceVersionMatch'>, continueRevision: (token: string) => number): ListSource {
  const rv = options.resourceVersion;
  const match = options.resourceVersionMatch ?? '';
  const limit = options.limit ?? 0;
  const exact = rv !== '' && rv !== '0';
  if (options.continue) return { from: 'store', revision: continueRevision(options.continue) };
  if (match === 'Exact') return exact ? { from: 'store', revision: Number(rv) } : { from: 'store' };
  if (match !== '' && match !== 'NotOlderThan') return { from: 'store' };
  if (limit > 0 && match === '' && exact) return { from: 'store', revision: Number(rv) };
  if (rv === '') return { from: 'cache', atLeast: 'now', limit };
  if (rv === '0') return { from: 'cache', atLeast: 'anything', limit: 0 };
  return { from: 'cache', atLeast: Number(rv), limit };
}

/** True when `error` is the store error `type` (by class, or by name for a store that brings its own). */
function isStoreError(error: unknown, type: typeof CompactedError | typeof FutureRevisionError): boolean {
  return error instanceof type || (error as Error | undefined)?.name === type.name;
}

/**
 * The key of an object relative to its collection's prefix (collectionPrefix): `default/web` in a
 * list across namespaces, `web` in one namespace or when cluster-scoped, as the store's keys read.
 */
function relativeKey(kind: ResourceInfo, object: KubeObject, namespace: string | undefined): string {
  return kind.namespaced && !namespace ? `${object.metadata.namespace}/${object.metadata.name}` : `${object.metadata.name}`;
}

export class Lister {
  constructor(
    private readonly store: KVStore,
    private readonly cacher: Cacher,
    private readonly impl: Pick<ApiserverExercises, 'paginate' | 'decodeContinue'>,
    /** How long a list at a resourceVersion the cache has not reached waits for it (CACHE_FRESHNESS_WAIT_MS). */
    private readonly freshnessWaitMs: number,
  ) {}

  async list(kind: ResourceInfo, options: StorageListOptions): Promise<StorageListResult> {
    // A token from a 410 (rv -1): go on from its key at the latest revision (./inconsistent-continue.ts).
    const latestFrom = options.continue ? inconsistentStartKey(options.continue) : undefined;
    if (latestFrom !== undefined) return this.fromStore(kind, options, undefined, latestFrom);
    const source = listSource(options, (token) => this.impl.decodeContinue(token).resourceVersion);
    if (source.from === 'cache') {
      const revision = await this.freshCacheRevision(source.atLeast);
      if (revision !== undefined) return this.fromCache(kind, options, source.limit, revision);
      return this.fromStore(kind, options, undefined);
    }
    return this.fromStore(kind, options, source.revision);
  }

  /** The revision the cache can answer at, once fresh enough; undefined: read the store instead. */
  private async freshCacheRevision(atLeast: 'now' | 'anything' | number): Promise<number | undefined> {
    if (atLeast === 'anything') return this.cacher.revision;
    if (atLeast === 'now') {
      const current = await this.cacher.storeRevision();
      return (await this.cacher.waitFor(current, CONSISTENT_LIST_WAIT_MS)) ? this.cacher.revision : undefined;
    }
    if (!(await this.cacher.waitFor(atLeast, this.freshnessWaitMs))) throw tooLargeResourceVersion(atLeast, this.cacher.revision);
    return this.cacher.revision;
  }

  private fromCache(kind: ResourceInfo, options: StorageListOptions, limit: number, revision: number): StorageListResult {
    const keyed: KeyedObject[] = [];
    for (const object of this.cacher.cacheFor(kind).list()) {
      if (options.namespace && kind.namespaced && object.metadata.namespace !== options.namespace) continue;
      if (options.matches(object)) keyed.push({ key: relativeKey(kind, object, options.namespace), object });
    }
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return this.page(keyed, { limit }, revision);
  }

  private async fromStore(kind: ResourceInfo, options: StorageListOptions, revision: number | undefined, latestFrom?: string): Promise<StorageListResult> {
    const prefix = collectionPrefix(kind, options.namespace);
    let result;
    try {
      result = await this.store.range(prefix, { end: prefixEnd(prefix), revision });
    } catch (error) {
      if (isStoreError(error, CompactedError)) {
        // etcd3/errors.go, interpretListError: a page whose revision is compacted gets a token to go on at the latest one.
        if (options.continue) {
          const gone = expired(INCONSISTENT_CONTINUE_MESSAGE);
          gone.status.metadata = { continue: inconsistentContinueToken(this.impl.decodeContinue(options.continue).startKey) };
          throw gone;
        }
        throw expired('The resourceVersion for the provided list is too old.');
      }
      if (isStoreError(error, FutureRevisionError)) throw futureResourceVersion(revision!, await this.store.revision());
      throw error;
    }
    const keyed: KeyedObject[] = [];
    for (const kv of result.kvs) {
      const object = decodeStored(kv);
      if (options.matches(object)) keyed.push({ key: kv.key.slice(prefix.length), object });
    }
    const token = latestFrom !== undefined ? continueTokenAt(latestFrom, result.revision) : options.continue;
    return this.page(keyed, { limit: options.limit, continue: token }, revision ?? result.revision);
  }

  private page(keyed: KeyedObject[], request: { limit?: number; continue?: string }, revision: number): StorageListResult {
    const page = this.impl.paginate(keyed, request, revision);
    const out: StorageListResult = { items: page.items, resourceVersion: String(revision) };
    if (page.continue) {
      out.continue = page.continue;
      if (page.remainingItemCount !== undefined) out.remainingItemCount = page.remainingItemCount;
    }
    return out;
  }
}
