/**
 * SortedKeys: the set of keys of the store, kept in order so that a range [key, end) is a binary
 * search and a walk. etcd keeps a B-tree (its `treeIndex`); a sorted array is enough here and keeps
 * the code short. Inserting a key in the middle costs a copy of the keys after it; keys that arrive
 * mostly in order (as /registry/... keys do) cost almost nothing.
 *
 * Order is JavaScript's string order (UTF-16 code units). etcd orders raw bytes (UTF-8); the two
 * agree for every key made of characters below U+E000, which covers every Kubernetes key.
 *
 * Range ends follow etcd: `end` undefined means the single key `key`; `end` = '\0' means every key
 * from `key` on; otherwise [key, end), empty when end <= key.
 */
export class SortedKeys {
  private readonly keys: string[] = [];

  constructor(keys: Iterable<string> = []) {
    for (const key of keys) this.insert(key);
  }

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    const i = this.lowerBound(key);
    return this.keys[i] === key;
  }

  /** Adds a key; does nothing when it is already there. */
  insert(key: string): void {
    const n = this.keys.length;
    if (n === 0 || this.keys[n - 1]! < key) {
      this.keys.push(key);
      return;
    }
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  /** Removes a key; does nothing when it is not there. */
  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** The keys in [key, end) in order (see the file header for `end`). */
  *between(key: string, end?: string): IterableIterator<string> {
    if (end === undefined) {
      if (this.has(key)) yield key;
      return;
    }
    const toEnd = end === '\0';
    for (let i = this.lowerBound(key); i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (!toEnd && k >= end) return;
      yield k;
    }
  }

  /** Every key, in order. */
  [Symbol.iterator](): IterableIterator<string> {
    return this.keys[Symbol.iterator]();
  }

  /** The index of the first key >= `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** True when `key` is in the range [start, end) (see the file header for `end`). */
export function inRange(key: string, start: string, end?: string): boolean {
  if (end === undefined) return key === start;
  if (key < start) return false;
  return end === '\0' || key < end;
}
