/**
 * Indexer: the local cache a controller reads instead of the apiserver (client-go's
 * cache.Indexer / ThreadSafeStore), with secondary indexes, and the read-only Lister view of it
 * that sync functions get.
 *
 *   const pods = new Indexer<Pod>({ [NAMESPACE_INDEX]: byNamespace, [CONTROLLER_INDEX]: byControllerUid });
 *   pods.upsert(pod); pods.remove(pod);
 *   pods.get('default/web-1');                    // by key
 *   pods.byIndex(NAMESPACE_INDEX, 'default');     // every pod in a namespace
 *   pods.byIndex(CONTROLLER_INDEX, rs.metadata.uid!);   // every pod a ReplicaSet controls
 *
 * Invariants: each index maps a value to the keys of the objects whose index function returned it,
 * and is updated on every upsert and remove (the old object's values are dropped first); objects
 * are shared with callers and must never be modified ("NEVER modify objects from the store", as
 * sample-controller says): copy first (structuredClone).
 */
import { objectKeyOf } from '../client/client.ts';
import type { KubeObject } from '../kube/types.ts';

/** The values an object is filed under in one index (none, one or several). */
export type IndexFunc<T> = (object: T) => string[];

/** What a controller's sync function may read: never the apiserver, always this cache. */
export interface Lister<T> {
  /** The object stored under `namespace/name` (or `name`), or undefined. */
  get(key: string): T | undefined;
  /** Every object. */
  list(): T[];
  /** The objects an index files under `value` (for example every pod of namespace `default`). */
  byIndex(index: string, value: string): T[];
}

/** Files objects by namespace. */
export const NAMESPACE_INDEX = 'namespace';
/** Files objects by the uid of their controller (the owner reference with controller: true). */
export const CONTROLLER_INDEX = 'controller';
/** Files objects by the uid of every owner (for the garbage collector's owner graph). */
export const OWNER_INDEX = 'owner';
/** Files pods by spec.nodeName (node lifecycle; DaemonSets). Objects without one are not filed. */
export const NODE_INDEX = 'node';

export const byNamespace: IndexFunc<KubeObject> = (o) => [o.metadata.namespace ?? ''];
export const byControllerUid: IndexFunc<KubeObject> = (o) => (o.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid);
export const byOwnerUid: IndexFunc<KubeObject> = (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
export const byNodeName: IndexFunc<KubeObject> = (o) => {
  const node = (o.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof node === 'string' && node ? [node] : [];
};

/** The indexes every shared informer keeps. */
export const STANDARD_INDEXES: Record<string, IndexFunc<KubeObject>> = {
  [NAMESPACE_INDEX]: byNamespace,
  [CONTROLLER_INDEX]: byControllerUid,
  [OWNER_INDEX]: byOwnerUid,
  [NODE_INDEX]: byNodeName,
};

export class Indexer<T extends KubeObject = KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexFuncs: Record<string, IndexFunc<T>> = STANDARD_INDEXES as Record<string, IndexFunc<T>>) {
    for (const name of Object.keys(indexFuncs)) this.indexes.set(name, new Map());
  }

  /** An indexer holding `objects`, with the standard indexes: what tests preload. */
  static of<T extends KubeObject>(objects: readonly T[]): Indexer<T> {
    const indexer = new Indexer<T>();
    for (const o of objects) indexer.upsert(o);
    return indexer;
  }

  upsert(object: T): void {
    const key = objectKeyOf(object);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, object);
    for (const [name, fn] of Object.entries(this.indexFuncs)) {
      const index = this.indexes.get(name)!;
      for (const value of fn(object)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  remove(object: T): void {
    const key = objectKeyOf(object);
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.items.delete(key);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.indexes.get(index);
    if (!keys) throw new Error(`no index named "${index}": the indexes are ${[...this.indexes.keys()].join(', ')}`);
    return [...(keys.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  get size(): number {
    return this.items.size;
  }

  private unindex(key: string, object: T): void {
    for (const [name, fn] of Object.entries(this.indexFuncs)) {
      const index = this.indexes.get(name)!;
      for (const value of fn(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
