/**
 * A deliberately simple model of etcd's key space for the model-based tests: a full copy of the
 * key space at every revision and the list of events each revision made. Slow and obviously right,
 * which is the point: the learner's store must answer every request the way this model does.
 *
 * Written independently of the reference (no shared code with solutions/etcd): the state at a
 * revision is a Map, a write copies the newest Map, and everything else reads those Maps.
 */
import type { Compare, KeyValue, RangeOptions, RangeResult, TxnOp, TxnOpResult, TxnRequest, TxnResult, WatchEvent } from '#engine/etcd/kv.ts';

export type ModelError = 'CompactedError' | 'FutureRevisionError' | 'DuplicateKeyError';

function inRange(key: string, start: string, end?: string): boolean {
  if (end === undefined || end === '') return key === start;
  return key >= start && (end === '\0' || key < end);
}

export class ModelStore {
  revision = 1;
  compactRevision = 0;
  /** The key space at each revision (index = revision). */
  private readonly states: Map<string, KeyValue>[] = [new Map(), new Map()];
  /** The events each revision made (index = revision). */
  private readonly events: WatchEvent[][] = [[], []];

  /** A model whose history starts at `startRevision` (keys of others before it are not modelled). */
  constructor(startRevision = 1) {
    while (this.revision < startRevision) this.commit(new Map(), []);
  }

  private get now(): Map<string, KeyValue> {
    return this.states[this.revision]!;
  }

  private commit(next: Map<string, KeyValue>, events: WatchEvent[]): void {
    this.states.push(next);
    this.events.push(events);
    this.revision++;
  }

  put(key: string, value: string): { revision: number } {
    const rev = this.revision + 1;
    const next = new Map(this.now);
    const events = [this.putInto(next, key, value, rev)];
    this.commit(next, events);
    return { revision: rev };
  }

  private putInto(space: Map<string, KeyValue>, key: string, value: string, rev: number): WatchEvent {
    const prev = space.get(key);
    const kv: KeyValue = { key, value, createRevision: prev?.createRevision ?? rev, modRevision: rev, version: (prev?.version ?? 0) + 1, lease: 0 };
    space.set(key, kv);
    return prev ? { type: 'PUT', kv, prevKv: prev } : { type: 'PUT', kv };
  }

  private deleteInto(space: Map<string, KeyValue>, key: string, end: string | undefined, rev: number): WatchEvent[] {
    const keys = [...space.keys()].filter((k) => inRange(k, key, end)).sort();
    return keys.map((k) => {
      const prev = space.get(k)!;
      space.delete(k);
      return { type: 'DELETE', kv: { key: k, value: '', createRevision: 0, modRevision: rev, version: 0, lease: 0 }, prevKv: prev };
    });
  }

  delete(key: string, end?: string): { revision: number; deleted: number } {
    const rev = this.revision + 1;
    const next = new Map(this.now);
    const events = this.deleteInto(next, key, end, rev);
    if (events.length > 0) this.commit(next, events);
    return { revision: this.revision, deleted: events.length };
  }

  range(key: string, options: RangeOptions = {}): RangeResult | ModelError {
    const at = options.revision || this.revision;
    if (at > this.revision) return 'FutureRevisionError';
    if (at < this.compactRevision) return 'CompactedError';
    return this.rangeIn(this.states[at]!, key, options, this.revision);
  }

  private rangeIn(space: Map<string, KeyValue>, key: string, options: RangeOptions, header: number): RangeResult {
    const all = [...space.values()].filter((kv) => inRange(kv.key, key, options.end)).sort((a, b) => (a.key < b.key ? -1 : 1));
    const limit = options.limit && options.limit > 0 ? options.limit : all.length;
    const kvs = options.countOnly ? [] : all.slice(0, limit).map((kv) => (options.keysOnly ? { ...kv, value: '' } : kv));
    return { kvs, count: all.length, more: !options.countOnly && all.length > kvs.length, revision: header };
  }

  private holds(space: Map<string, KeyValue>, c: Compare): boolean {
    const kv = space.get(c.key);
    if (c.target === 'value') {
      if (!kv) return false;
      const v = c.value;
      return c.result === '=' ? kv.value === v : c.result === '!=' ? kv.value !== v : c.result === '<' ? kv.value < v : kv.value > v;
    }
    const actual = kv ? kv[c.target] : 0;
    const v = c.value;
    return c.result === '=' ? actual === v : c.result === '!=' ? actual !== v : c.result === '<' ? actual < v : actual > v;
  }

  private duplicates(ops: readonly TxnOp[]): boolean {
    const puts = ops.filter((o) => o.type === 'put').map((o) => o.key);
    if (new Set(puts).size !== puts.length) return true;
    return ops.some((d) => d.type === 'delete' && puts.some((p) => inRange(p, d.key, d.options?.end)));
  }

  txn(request: TxnRequest): TxnResult | ModelError {
    if (this.duplicates(request.success) || this.duplicates(request.failure)) return 'DuplicateKeyError';
    const succeeded = request.compare.every((c) => this.holds(this.now, c));
    const ops = succeeded ? request.success : request.failure;
    for (const op of ops) {
      const at = op.type === 'range' ? (op.options?.revision ?? 0) : 0;
      if (at > this.revision) return 'FutureRevisionError';
      if (at > 0 && at < this.compactRevision) return 'CompactedError';
    }
    const rev = this.revision + 1;
    const next = new Map(this.now);
    const events: WatchEvent[] = [];
    const responses: TxnOpResult[] = [];
    for (const op of ops) {
      const current = events.length > 0 ? rev : this.revision;
      if (op.type === 'put') {
        const event = this.putInto(next, op.key, op.value, rev);
        events.push(event);
        responses.push(op.options?.prevKv && event.prevKv ? { type: 'put', revision: rev, prevKv: event.prevKv } : { type: 'put', revision: rev });
      } else if (op.type === 'delete') {
        const deleted = this.deleteInto(next, op.key, op.options?.end, rev);
        events.push(...deleted);
        const result: TxnOpResult = { type: 'delete', revision: events.length > 0 ? rev : this.revision, deleted: deleted.length };
        if (op.options?.prevKv) result.prevKvs = deleted.map((e) => e.prevKv!);
        responses.push(result);
      } else {
        const at = op.options?.revision || current;
        const space = at === rev ? next : this.states[at]!;
        responses.push({ type: 'range', ...this.rangeIn(space, op.key, op.options ?? {}, current) });
      }
    }
    if (events.length > 0) this.commit(next, events);
    return { succeeded, revision: this.revision, responses };
  }

  compact(revision: number): ModelError | undefined {
    if (revision <= this.compactRevision) return 'CompactedError';
    if (revision > this.revision) return 'FutureRevisionError';
    this.compactRevision = revision;
    return undefined;
  }

  /**
   * What a watch opened now from `from` replays: every event at revisions >= from in its range;
   * at the compacted revision only the puts, without prevKv (see 02-watch).
   */
  replay(key: string, end: string | undefined, from: number, prevKv: boolean): WatchEvent[] | ModelError {
    if (from < this.compactRevision) return 'CompactedError';
    const out: WatchEvent[] = [];
    for (let rev = Math.max(from, 1); rev <= this.revision; rev++) {
      for (const event of this.events[rev]!) {
        if (!inRange(event.kv.key, key, end)) continue;
        if (rev === this.compactRevision) {
          if (event.type === 'PUT') out.push({ type: 'PUT', kv: event.kv });
        } else out.push(prevKv || !event.prevKv ? event : { type: event.type, kv: event.kv });
      }
    }
    return out;
  }

  /** The events of revisions (after, revision] in a range, as a live watcher receives them. */
  live(key: string, end: string | undefined, after: number, from: number, prevKv: boolean): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (let rev = Math.max(after + 1, from); rev <= this.revision; rev++) {
      for (const event of this.events[rev]!) {
        if (inRange(event.kv.key, key, end)) out.push(prevKv || !event.prevKv ? event : { type: event.type, kv: event.kv });
      }
    }
    return out;
  }

  /** The value of `key` just before revision `rev` (for prevKv and IsCreate checks). */
  valueBefore(key: string, rev: number): KeyValue | undefined {
    return this.states[rev - 1]?.get(key);
  }

  /** Every event ever made, in order, with its revision. */
  allEvents(): WatchEvent[] {
    return this.events.flat();
  }
}
