/**
 * The model-based test of the whole store (fast-check `commands`): random sequences of put,
 * delete, range (now, in the past, in the future, with limit, count-only, keys-only), txn, compact
 * and watch run against the learner's store and against the simple model (model.ts); every answer
 * must be the same, and every watch must receive exactly what the model says it should.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { prefixEnd, type Compare, type KVStore, type RangeOptions, type TxnOp, type TxnRequest, type WatchEvent, type WatchOptions } from '#engine/etcd/kv.ts';
import { expectSame } from './harness.ts';
import { ModelStore } from './model.ts';

interface OpenWatch {
  name: string;
  key: string;
  options: WatchOptions;
  events: WatchEvent[];
  /** What the model says it must have received: the replay at opening, then live events. */
  replay: WatchEvent[];
  openedAt: number;
  from: number;
  cancel(): void;
}

export interface ModelWorld {
  model: ModelStore;
  /** Every step so far, for failure messages. */
  steps: string[];
}

export interface RealWorld {
  store: KVStore;
  watches: OpenWatch[];
}

type Command = fc.AsyncCommand<ModelWorld, RealWorld>;

const KEYS = ['/m/a', '/m/b', '/m/b/x', '/m/c'];

function end(key: string, prefix: boolean): string | undefined {
  return prefix ? prefixEnd(key) : undefined;
}

/** Revision `back` steps behind the model's current one; -1 means one ahead (a future revision). */
function revisionFor(model: ModelStore, back: number): number {
  return back < 0 ? model.revision + 1 : Math.max(1, model.revision - back);
}

async function outcome<T>(promise: Promise<T>): Promise<T | string> {
  try {
    return await promise;
  } catch (error) {
    return (error as Error).name;
  }
}

function said(m: ModelWorld, step: string): string {
  m.steps.push(step);
  return m.steps.join('\n  ');
}

class PutCommand implements Command {
  constructor(
    readonly key: string,
    readonly value: string,
  ) {}
  check = () => true;
  async run(m: ModelWorld, r: RealWorld) {
    const what = said(m, `put ${this.key}=${JSON.stringify(this.value)}`);
    expectSame(await outcome(r.store.put(this.key, this.value)), m.model.put(this.key, this.value), what);
  }
  toString = () => `put ${this.key}`;
}

class DeleteCommand implements Command {
  constructor(
    readonly key: string,
    readonly prefix: boolean,
  ) {}
  check = () => true;
  async run(m: ModelWorld, r: RealWorld) {
    const what = said(m, `delete ${this.key}${this.prefix ? '*' : ''}`);
    expectSame(await outcome(r.store.delete(this.key, { end: end(this.key, this.prefix) })), m.model.delete(this.key, end(this.key, this.prefix)), what);
  }
  toString = () => `delete ${this.key}`;
}

class RangeCommand implements Command {
  constructor(
    readonly key: string,
    readonly prefix: boolean,
    readonly back: number,
    readonly limit: number,
    readonly countOnly: boolean,
    readonly keysOnly: boolean,
  ) {}
  check = () => true;
  async run(m: ModelWorld, r: RealWorld) {
    const options: RangeOptions = {
      end: end(this.key, this.prefix),
      revision: this.back === 0 ? 0 : revisionFor(m.model, this.back),
      limit: this.limit,
      countOnly: this.countOnly,
      keysOnly: this.keysOnly,
    };
    const what = said(
      m,
      `range ${this.key}${this.prefix ? '*' : ''} ${JSON.stringify({ revision: options.revision, limit: options.limit, countOnly: options.countOnly, keysOnly: options.keysOnly })}`,
    );
    expectSame(await outcome(r.store.range(this.key, options)), m.model.range(this.key, options), what);
  }
  toString = () => `range ${this.key}`;
}

class TxnCommand implements Command {
  constructor(
    readonly compare: Compare[],
    readonly success: TxnOp[],
    readonly failure: TxnOp[],
    readonly backs: number[],
  ) {}
  check = () => true;
  /** Range ops name revisions relative to the model's at run time. */
  private resolve(m: ModelWorld, ops: TxnOp[]): TxnOp[] {
    return ops.map((op, i) => (op.type === 'range' && op.options?.revision ? { ...op, options: { ...op.options, revision: revisionFor(m.model, this.backs[i % this.backs.length]!) } } : op));
  }
  async run(m: ModelWorld, r: RealWorld) {
    const request: TxnRequest = { compare: this.compare, success: this.resolve(m, this.success), failure: this.resolve(m, this.failure) };
    const what = said(m, `txn ${JSON.stringify(request)}`);
    expectSame(await outcome(r.store.txn(request)), m.model.txn(request), what);
  }
  toString = () => 'txn';
}

class CompactCommand implements Command {
  constructor(readonly back: number) {}
  check = () => true;
  async run(m: ModelWorld, r: RealWorld) {
    const revision = revisionFor(m.model, this.back);
    const what = said(m, `compact(${revision})`);
    const expected = m.model.compact(revision) ?? 'ok';
    expectSame(await outcome(r.store.compact(revision).then(() => 'ok')), expected, what);
  }
  toString = () => 'compact';
}

class WatchCommand implements Command {
  constructor(
    readonly key: string,
    readonly prefix: boolean,
    readonly back: number | 'now',
    readonly prevKv: boolean,
  ) {}
  check = () => true;
  async run(m: ModelWorld, r: RealWorld) {
    const from = this.back === 'now' ? m.model.revision + 1 : revisionFor(m.model, this.back);
    const options: WatchOptions = { end: end(this.key, this.prefix), startRevision: this.back === 'now' ? 0 : from, prevKv: this.prevKv };
    const name = `watch #${r.watches.length + 1} ${this.key}${this.prefix ? '*' : ''} from ${options.startRevision || 'now'}${this.prevKv ? ' prevKv' : ''}`;
    const what = said(m, name);
    const replay = m.model.replay(this.key, options.end, from, this.prevKv);
    const events: WatchEvent[] = [];
    const started = await outcome(r.store.watch(this.key, options, (resp) => events.push(...resp.events)));
    if (typeof replay === 'string' || typeof started === 'string') {
      expect(typeof started === 'string' ? started : 'a watch', what).toEqual(typeof replay === 'string' ? replay : 'a watch');
      return;
    }
    r.watches.push({ name, key: this.key, options, events, replay, openedAt: m.model.revision, from, cancel: () => started.cancel() });
  }
  toString = () => 'watch';
}

/** Compares what every open watch received with what the model says. */
export async function checkWatches(m: ModelWorld, r: RealWorld): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  for (const w of r.watches) {
    const expected = [...w.replay, ...m.model.live(w.key, w.options.end, w.openedAt, w.from, w.options.prevKv ?? false)];
    expect(w.events, `${m.steps.join('\n  ')}\n  then: the events ${w.name} received`).toEqual(expected);
  }
}

class CheckWatchesCommand implements Command {
  check = () => true;
  run = (m: ModelWorld, r: RealWorld) => checkWatches(m, r);
  toString = () => 'check watches';
}

const key = fc.constantFrom(...KEYS);
const back = fc.integer({ min: -1, max: 6 });
const value = fc.constantFrom('', 'x', 'y', 'zz');

const compareArb: fc.Arbitrary<Compare> = fc.oneof(
  fc.record({ key, target: fc.constant('value' as const), result: fc.constantFrom('=' as const, '!=' as const, '<' as const, '>' as const), value }),
  fc.record({
    key,
    target: fc.constantFrom('version' as const, 'createRevision' as const, 'modRevision' as const, 'lease' as const),
    result: fc.constantFrom('=' as const, '!=' as const, '<' as const, '>' as const),
    value: fc.integer({ min: 0, max: 8 }),
  }),
);

const opArb: fc.Arbitrary<TxnOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key, value, options: fc.record({ prevKv: fc.boolean() }) }),
  fc.record({ type: fc.constant('delete' as const), key, options: fc.record({ prevKv: fc.boolean(), end: fc.option(fc.constant('\u0000'), { nil: undefined }) }) }).map((op) => ({
    ...op,
    options: { ...op.options, end: op.options.end ? prefixEnd(op.key) : undefined },
  })),
  fc.record({ type: fc.constant('range' as const), key, options: fc.record({ revision: fc.constantFrom(0, 1), limit: fc.constantFrom(0, 1), countOnly: fc.boolean() }) }),
);

export const commandsArbitrary = fc.commands(
  [
    fc.tuple(key, value).map(([k, v]) => new PutCommand(k, v)),
    fc.tuple(key, fc.boolean()).map(([k, p]) => new DeleteCommand(k, p)),
    fc.tuple(key, fc.boolean(), back, fc.constantFrom(0, 1, 2), fc.boolean(), fc.boolean()).map(([k, p, b, l, c, ko]) => new RangeCommand(k, p, Math.max(b, -1), l, c, ko)),
    fc
      .tuple(fc.array(compareArb, { maxLength: 2 }), fc.array(opArb, { maxLength: 3 }), fc.array(opArb, { maxLength: 2 }), fc.array(back, { minLength: 1, maxLength: 3 }))
      .map(([c, s, f, b]) => new TxnCommand(c, s, f, b)),
    // The apiserver's shape: compare on the key, write it, read it back in the same txn.
    fc
      .tuple(key, value, fc.integer({ min: 0, max: 8 }), fc.boolean(), fc.boolean())
      .map(
        ([k, v, rev, del, prefix]) =>
          new TxnCommand(
            [{ key: k, target: 'modRevision', result: rev === 0 ? '=' : '<', value: rev }],
            [
              { type: 'range', key: k },
              del ? { type: 'delete', key: k, options: { end: prefix ? prefixEnd(k) : undefined, prevKv: true } } : { type: 'put', key: k, value: v, options: { prevKv: true } },
              { type: 'range', key: k, options: { end: prefix ? prefixEnd(k) : undefined } },
            ],
            [{ type: 'range', key: k, options: { keysOnly: true } }],
            [0],
          ),
      ),
    back.map((b) => new CompactCommand(b)),
    fc.tuple(key, fc.boolean(), fc.oneof(fc.constant('now' as const), back), fc.boolean()).map(([k, p, b, pk]) => new WatchCommand(k, p, b, pk)),
    fc.constant(new CheckWatchesCommand()),
  ],
  { maxCommands: 40, size: '+1' },
);
