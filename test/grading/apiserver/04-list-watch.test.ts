/**
 * Hidden suite for 02-apiserver/04-list-watch: field selectors (fields.ParseSelector), pages with
 * continue tokens (the etcd3 storage's format), the watch cache (apiserver's watchCache) and what
 * one watcher is sent (cacheWatcher), with a clock the suite controls.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isApiError } from '#engine/kube/errors.ts';
import type { CacheEvent, KeyedObject } from '#engine/apiserver/exercises.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { hint, show, useSeed } from '#grading';

const { parseFieldSelector, matchesFields, decodeContinue, paginate, createWatchCache, createWatchStream } = await loadComponent('apiserver');

function refused(fn: () => unknown): { reason?: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (isApiError(error)) return { reason: error.reason, message: error.message };
    throw error;
  }
}

const obj = (name: string, rv: number, labels: Record<string, string> = {}, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, resourceVersion: String(rv), labels },
});
const added = (name: string, rv: number, labels?: Record<string, string>): CacheEvent => ({ type: 'ADDED', object: obj(name, rv, labels), revision: rv });
const modified = (name: string, rv: number, labels: Record<string, string>, before: Record<string, string>, prevRv = rv - 1): CacheEvent => ({
  type: 'MODIFIED',
  object: obj(name, rv, labels),
  prevObject: obj(name, prevRv, before),
  revision: rv,
});
const deleted = (name: string, rv: number, labels: Record<string, string> = {}): CacheEvent => ({
  type: 'DELETED',
  object: obj(name, rv, labels),
  prevObject: obj(name, rv - 1, labels),
  revision: rv,
});

describe('field selectors', () => {
  test('terms joined by commas, with =, == and !=', hint('Which operator do you look for first in "a!=b": "=" or "!="?'), () => {
    expect(parseFieldSelector('status.phase=Running,spec.nodeName!=node-1,metadata.name==web'), 'parse "status.phase=Running,spec.nodeName!=node-1,metadata.name==web"').toEqual([
      { field: 'status.phase', operator: '=', value: 'Running' },
      { field: 'spec.nodeName', operator: '!=', value: 'node-1' },
      { field: 'metadata.name', operator: '=', value: 'web' },
    ]);
  });

  test('an empty selector selects everything; an empty value is a value', () => {
    expect(parseFieldSelector(''), 'parse ""').toEqual([]);
    expect(parseFieldSelector('  '), 'parse "  "').toEqual([]);
    expect(parseFieldSelector('spec.nodeName='), 'parse "spec.nodeName="').toEqual([{ field: 'spec.nodeName', operator: '=', value: '' }]);
  });

  test('a backslash escapes , = ! and itself in a value', hint('Split on commas, but not on escaped ones; unescape the value only after splitting.'), () => {
    expect(parseFieldSelector('metadata.name=a\\,b,reason=x\\=y\\\\z'), 'parse a selector with escapes').toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
      { field: 'reason', operator: '=', value: 'x=y\\z' },
    ]);
  });

  test('a term without an operator, or without a field, is a BadRequest', () => {
    for (const text of ['status.phase', 'a=b,c', '=Running', 'a=b\\q']) {
      expect(refused(() => parseFieldSelector(text))?.reason, `parse ${JSON.stringify(text)}`).toBe('BadRequest');
    }
  });

  test('matching: every requirement must hold, and a missing field reads as ""', () => {
    const fields = { 'metadata.name': 'web', 'spec.nodeName': '' };
    expect(matchesFields(parseFieldSelector('metadata.name=web,spec.nodeName='), fields), '"metadata.name=web,spec.nodeName=" on an unscheduled pod web').toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName!='), fields), '"spec.nodeName!=" on an unscheduled pod').toBe(false);
    expect(matchesFields(parseFieldSelector('status.phase!=Running'), fields), '"status.phase!=Running" when the field is missing').toBe(true);
    expect(matchesFields([], fields), 'no requirements').toBe(true);
  });
});

const items = (n: number): KeyedObject[] => Array.from({ length: n }, (_, i) => ({ key: `default/cm-${String(i).padStart(2, '0')}`, object: obj(`cm-${String(i).padStart(2, '0')}`, 10 + i) }));

describe('pages and continue tokens', () => {
  test('without a limit, or with one larger than the list, everything comes in one page with no token', () => {
    expect(paginate(items(3), {}, 50), 'paginate 3 items, no limit').toEqual({ items: items(3).map((i) => i.object) });
    expect(paginate(items(3), { limit: 5 }, 50), 'paginate 3 items, limit 5').toEqual({ items: items(3).map((i) => i.object) });
    expect(paginate(items(3), { limit: 0 }, 50).continue, 'paginate 3 items, limit 0').toBeUndefined();
  });

  test('a page of `limit` items, a token for the rest, and how many remain', hint('What must the token remember so the next page starts right after this one, at the same revision?'), () => {
    const page = paginate(items(5), { limit: 2 }, 50);
    expect({ names: page.items.map((o) => o.metadata.name), remaining: page.remainingItemCount }, 'first page of 5 items, limit 2').toEqual({ names: ['cm-00', 'cm-01'], remaining: 3 });
    expect(page.continue, 'the continue token').toBeTruthy();
    expect(decodeContinue(page.continue!), "decodeContinue(the first page's token)").toEqual({ resourceVersion: 50, startKey: 'default/cm-01\0' });
  });

  test('following the tokens visits every item once, in order', ({ task }) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 7 }), (n, limit) => {
        const all = items(n);
        const seen: string[] = [];
        let cont: string | undefined;
        let pages = 0;
        do {
          const page = paginate(all, { limit, continue: cont }, 77);
          seen.push(...page.items.map((o) => o.metadata.name!));
          cont = page.continue;
          if (cont) expect(decodeContinue(cont).resourceVersion, 'the revision in every token').toBe(77);
          pages++;
        } while (cont && pages < 100);
        expect(seen, `paging ${n} items ${limit} at a time`).toEqual(all.map((i) => i.object.metadata.name));
      }),
      { seed: useSeed(task), numRuns: 80 },
    );
  });

  test('a token is base64url of {"v":"meta.k8s.io/v1","rv":N,"start":key}, and nothing else is one', hint('Which alphabet does base64url use, and what must each field hold?'), () => {
    const good = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 12, start: 'default/b\0' })).toString('base64url');
    expect(decodeContinue(good), 'decode a token made by hand').toEqual({ resourceVersion: 12, startKey: 'default/b\0' });
    const bad = [
      'not a token!',
      Buffer.from('{"v":"meta.k8s.io/v1"').toString('base64url'),
      Buffer.from(JSON.stringify({ v: 'v2', rv: 12, start: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: '' })).toString('base64url'),
    ];
    for (const token of bad) {
      const error = refused(() => decodeContinue(token));
      expect([error?.reason, error?.message.startsWith('continue key is not valid')], `decodeContinue(${JSON.stringify(token)})`).toEqual(['BadRequest', true]);
    }
  });
});

describe('the watch cache', () => {
  test('replace() sets the state; apply() keeps it current', hint('Key the state by namespace/name: what happens to it on ADDED, MODIFIED and DELETED?'), () => {
    const cache = createWatchCache(10);
    cache.replace([obj('a', 3), obj('b', 4)], 5);
    cache.apply(added('c', 6));
    cache.apply(modified('a', 7, { v: '2' }, {}));
    cache.apply(deleted('b', 8));
    expect(
      cache
        .list()
        .map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
        .sort(),
      'list after replace(a, b) at 5, then +c, ~a, -b',
    ).toEqual(['a@7', 'c@6']);
    expect(cache.revision(), 'revision after the last change').toBe(8);
  });

  test('eventsSince(rv) gives the changes after rv, oldest first', () => {
    const cache = createWatchCache(10);
    cache.replace([], 5);
    const events = [added('a', 6), added('b', 9), modified('a', 12, {}, {})];
    for (const e of events) cache.apply(e);
    expect(cache.eventsSince(5), 'eventsSince(5)').toEqual(events);
    expect(cache.eventsSince(9), 'eventsSince(9)').toEqual([events[2]]);
    expect(cache.eventsSince(10), 'eventsSince(10), between two changes').toEqual([events[2]]);
    expect(cache.eventsSince(12), 'eventsSince(12), the newest').toEqual([]);
    expect(cache.eventsSince(40), 'eventsSince(40), ahead of the cache').toEqual([]);
  });

  test('it keeps only `capacity` changes: a watch from before them is 410 Expired', hint('Which revision can a watcher still resume from once the oldest change is dropped?'), () => {
    const cache = createWatchCache(3);
    cache.replace([], 10);
    for (let rv = 11; rv <= 15; rv++) cache.apply(added(`o${rv}`, rv));
    expect(
      cache.eventsSince(12).map((e) => e.revision),
      'eventsSince(12) with capacity 3 after changes 11..15',
    ).toEqual([13, 14, 15]);
    const error = refused(() => cache.eventsSince(11));
    expect(error, 'eventsSince(11): change 12 was dropped').toEqual({ reason: 'Expired', message: 'too old resource version: 11 (12)' });
    expect(refused(() => cache.eventsSince(10))?.message, 'eventsSince(10)').toBe('too old resource version: 10 (12)');
  });

  test('after replace(), a watch from that revision resumes, and one from before is too old', () => {
    const cache = createWatchCache(5);
    cache.replace([obj('a', 7)], 20);
    expect(cache.eventsSince(20), 'eventsSince(20) right after replace at 20').toEqual([]);
    expect(refused(() => cache.eventsSince(19))?.message, 'eventsSince(19) right after replace at 20').toBe('too old resource version: 19 (20)');
  });

  test('any run of changes: eventsSince returns exactly the kept ones after rv, or 410', ({ task }) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 20 }), fc.integer({ min: 0, max: 80 }), (capacity, gaps, probe) => {
        const cache = createWatchCache(capacity);
        cache.replace([], 10);
        const revisions: number[] = [];
        let rv = 10;
        for (const gap of gaps) {
          rv += gap;
          revisions.push(rv);
          cache.apply(added(`o${rv}`, rv));
        }
        const kept = revisions.slice(-capacity);
        const dropped = revisions.slice(0, Math.max(0, revisions.length - capacity));
        const resumable = dropped.length ? dropped[dropped.length - 1]! : 10;
        const did = `capacity ${capacity}, changes at ${show(revisions)}, eventsSince(${probe})`;
        if (probe < resumable) expect(refused(() => cache.eventsSince(probe))?.reason, did).toBe('Expired');
        else
          expect(
            cache.eventsSince(probe).map((e) => e.revision),
            did,
          ).toEqual(kept.filter((r) => r > probe));
      }),
      { seed: useSeed(task), numRuns: 200 },
    );
  });
});

describe('what one watcher is sent', () => {
  const stream = (selector: string | undefined, allowBookmarks = false, now = 0) =>
    createWatchStream({
      matches: (o) => (selector ? o.metadata.labels?.app === selector : true),
      allowBookmarks,
      bookmarkIntervalMs: 60_000,
      now,
      resourceVersion: 100,
      apiVersion: 'v1',
      kind: 'ConfigMap',
    });

  test('ADDED and DELETED reach a watcher whose selector matches, and no other', () => {
    const web = stream('web');
    expect(web.onEvent(added('a', 101, { app: 'web' })), 'ADDED of a web object').toEqual([{ type: 'ADDED', object: obj('a', 101, { app: 'web' }) }]);
    expect(web.onEvent(added('b', 102, { app: 'db' })), 'ADDED of a db object').toEqual([]);
    expect(
      web.onEvent(deleted('a', 103, { app: 'web' })).map((e) => e.type),
      'DELETED of the web object',
    ).toEqual(['DELETED']);
  });

  test('a MODIFIED that moves an object into or out of the selector arrives as ADDED or DELETED', hint('Check the object before and after the change against the selector: four cases.'), () => {
    const web = stream('web');
    expect(web.onEvent(modified('a', 101, { app: 'web' }, { app: 'web' })), 'web before and after').toEqual([{ type: 'MODIFIED', object: obj('a', 101, { app: 'web' }) }]);
    expect(web.onEvent(modified('b', 102, { app: 'web' }, { app: 'db' })), 'db before, web after').toEqual([{ type: 'ADDED', object: obj('b', 102, { app: 'web' }) }]);
    expect(web.onEvent(modified('c', 103, { app: 'db' }, { app: 'web' }, 90)), 'web before, db after').toEqual([{ type: 'DELETED', object: obj('c', 103, { app: 'web' }) }]);
    expect(web.onEvent(modified('d', 104, { app: 'db' }, { app: 'db' })), 'db before and after').toEqual([]);
  });

  test(
    'bookmarks only when asked for, at most one per interval, carrying the latest revision',
    hint('Does a change the watcher is not sent still move its revision? When was the last bookmark?'),
    () => {
      const quiet = stream('web', false);
      quiet.onEvent(added('x', 150, { app: 'db' }));
      expect(quiet.tick(10 * 60_000), 'tick ten minutes later, bookmarks not asked for').toEqual([]);

      const asked = stream('web', true, 1_000);
      expect(asked.tick(30_000), 'tick after 29 s').toEqual([]);
      asked.onEvent(added('y', 160, { app: 'db' }));
      expect(asked.tick(61_000), 'tick after 60 s').toEqual([{ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '160' } } }]);
      expect(asked.tick(90_000), 'tick 29 s after that bookmark').toEqual([]);
      expect(
        asked.tick(121_000).map((e) => e.object.metadata.resourceVersion),
        'tick 60 s after that bookmark',
      ).toEqual(['160']);
    },
  );
});

// Edges the first tests left open (issue 10, the mutation run of solutions/apiserver): each test
// below catches a wrong answer that passed every test above.
describe('field selectors: more edges', () => {
  test('a field the object does not have reads as "", so "spec.nodeName=" matches an object without it', hint("What do you compare when fields has no entry for the requirement's field?"), () => {
    expect(matchesFields(parseFieldSelector('spec.nodeName='), {}), '"spec.nodeName=" on an object with no spec.nodeName field').toBe(true);
  });
});

describe('pages and continue tokens: more edges', () => {
  test('exactly `limit` items left: one page, no token', hint('When the page holds every remaining item, is there a next page?'), () => {
    expect(paginate(items(3), { limit: 3 }, 50), 'paginate 3 items, limit 3').toEqual({ items: items(3).map((i) => i.object) });
    const first = paginate(items(4), { limit: 2 }, 50);
    expect(paginate(items(4), { limit: 2, continue: first.continue }, 50), 'the second page of 4 items, limit 2').toEqual({
      items: items(4)
        .slice(2)
        .map((i) => i.object),
    });
  });

  test("a page starts at the token's start key itself when an item has exactly that key", hint('Is the start key the first key of the page (>=), or the one before it?'), () => {
    // etcd3 store GetList reads the range from the start key, inclusive.
    const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 50, start: 'default/cm-01' })).toString('base64url');
    expect(
      paginate(items(3), { continue: token }, 50).items.map((o) => o.metadata.name),
      'a page from a token whose start key is default/cm-01',
    ).toEqual(['cm-01', 'cm-02']);
  });

  test(
    'a token with a character outside base64url, or a field of the wrong type, is refused',
    hint('Does your base64url check look at the whole token, first character to last? Does it check the type of rv and start?'),
    () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const good = encode({ v: 'meta.k8s.io/v1', rv: 12, start: 'default/b\0' });
      const bad = [
        `${good}!`,
        `!${good}`,
        `${good}==`,
        encode(null),
        encode({ v: 'meta.k8s.io/v1', rv: '12', start: 'x' }),
        encode({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'x' }),
        encode({ v: 'meta.k8s.io/v1', rv: 3, start: 7 }),
      ];
      for (const token of bad) {
        const error = refused(() => decodeContinue(token));
        expect(
          [error?.reason, error?.message.startsWith('continue key is not valid')],
          `decodeContinue(${JSON.stringify(token)}), which is ${JSON.stringify(Buffer.from(token.replace(/[^A-Za-z0-9_-]/g, ''), 'base64url').toString())} with ${token.replace(/[A-Za-z0-9_-]/g, '') || 'nothing'} around it`,
        ).toEqual(['BadRequest', true]);
      }
    },
  );
});

describe('the watch cache: more edges', () => {
  test('cluster-scoped objects (no namespace) are kept apart by name', hint('What key do you give an object that has no namespace?'), () => {
    const cache = createWatchCache(10);
    const node = (name: string, rv: number): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, resourceVersion: String(rv) } });
    cache.replace([node('node-1', 3)], 5);
    cache.apply({ type: 'ADDED', object: node('node-2', 6), revision: 6 });
    expect(
      cache
        .list()
        .map((o) => o.metadata.name)
        .sort(),
      'list after replace(node-1), then +node-2',
    ).toEqual(['node-1', 'node-2']);
  });

  test('a cache that was never replaced records changes from the start', () => {
    const cache = createWatchCache(10);
    cache.apply(added('a', 1));
    cache.apply(added('b', 2));
    expect(
      cache.eventsSince(0).map((e) => e.revision),
      'eventsSince(0) after two changes to a new cache',
    ).toEqual([1, 2]);
  });

  test(
    'after thousands of changes it still keeps only `capacity` of them: an old watch is 410',
    hint('If you trim the history array now and then, does the trimmed part really go, and does the oldest revision still move on?'),
    () => {
      const cache = createWatchCache(10);
      cache.replace([], 0);
      for (let rv = 1; rv <= 3000; rv++) cache.apply(added(`o${rv % 50}`, rv));
      expect(refused(() => cache.eventsSince(100))?.message, 'eventsSince(100) after 3000 changes, capacity 10').toBe('too old resource version: 100 (2990)');
      expect(
        cache.eventsSince(2990).map((e) => e.revision),
        'eventsSince(2990)',
      ).toEqual([2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999, 3000]);
    },
  );
});

describe('what one watcher is sent: more edges', () => {
  test('a DELETED of an object the selector never matched is not sent', hint('A watcher that never saw the object: should it hear that it is gone?'), () => {
    const web = createWatchStream({
      matches: (o) => o.metadata.labels?.app === 'web',
      allowBookmarks: false,
      bookmarkIntervalMs: 60_000,
      now: 0,
      resourceVersion: 100,
      apiVersion: 'v1',
      kind: 'ConfigMap',
    });
    expect(web.onEvent(deleted('b', 101, { app: 'db' })), 'DELETED of a db object to a web watcher').toEqual([]);
  });
});
