/**
 * Exercise 02-apiserver/04-list-watch: selectors, pages, and the watch cache.
 *
 * Controllers never poll. They list once, then watch from the list's resourceVersion and receive
 * every change after it, in order. The apiserver serves those watches from memory: a cache of the
 * current objects and a bounded window of recent changes. A watcher that falls further behind than
 * the window gets 410 Expired and lists again. Selectors narrow both lists and watches, and a
 * change that moves an object out of a watcher's selector reaches it as a DELETED.
 *
 * Read: lessons/core/02-apiserver/05-list-and-watch.md
 * Check: npx kubelings check 02-apiserver/04-list-watch
 */
import { badRequest, tooOldResourceVersion } from '#engine/kube/errors.ts';
import type { CacheEvent, ContinueToken, FieldRequirement, KeyedObject, ListPage, ListPageRequest, WatchCache, WatchStream, WatchStreamOptions } from '#engine/apiserver/exercises.ts';
import type { KubeObject, WatchEvent } from '#engine/kube/types.ts';

/**
 * Parses a field selector (fields.ParseSelector): terms joined by `,`, each `field=value`,
 * `field==value` or `field!=value`. A backslash escapes `\`, `,`, `=` and `!` in a value.
 *
 * Must hold:
 * - '' (or only spaces) selects everything: no requirements;
 * - `==` means the same as `=`; the operator is the first `!=`, `==` or `=` in the term;
 * - a term without an operator, or with an empty field name, is refused with badRequest;
 * - `spec.nodeName=` (an empty value) is a valid requirement: "has no node";
 * - field names are trimmed of spaces; values are kept as written, escapes removed; a backslash
 *   before any other character is refused with badRequest.
 */
export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text.trim() === '') return [];
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === ',') {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);

  return terms.map((term) => {
    for (let i = 0; i < term.length; i++) {
      if (term[i] === '\\') {
        i++;
        continue;
      }
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, i)) {
          const field = term.slice(0, i).trim();
          if (field === '') throw badRequest(`invalid field selector "${text}": the term "${term}" has no field name`);
          return { field, operator: op === '!=' ? '!=' : '=', value: unescape(term.slice(i + op.length), text) };
        }
      }
    }
    throw badRequest(`invalid field selector "${text}": can't understand "${term}" (expected field=value, field==value or field!=value)`);
  });
}

function unescape(value: string, text: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') {
      const next = value[i + 1];
      if (next === undefined || !'\\,=!'.includes(next)) throw badRequest(`invalid field selector "${text}": invalid escape sequence in "${value}"`);
      out += next;
      i++;
    } else out += value[i];
  }
  return out;
}

/** True when `fields` satisfies every requirement. A field the object does not have reads as ''. */
export function matchesFields(requirements: FieldRequirement[], fields: Record<string, string>): boolean {
  return requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}

/** The version a continue token must carry (etcd3 storage's continueToken.APIVersion). */
const TOKEN_VERSION = 'meta.k8s.io/v1';

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: token.resourceVersion, start: token.startKey })).toString('base64url');
}

/**
 * Reads a continue token: base64url (no padding) of `{"v":"meta.k8s.io/v1","rv":N,"start":"key"}`,
 * the format the real apiserver uses.
 *
 * Must hold: anything else (not base64url, not JSON, another `v`, rv not a positive integer, no
 * start key) is refused with badRequest, whose message starts `continue key is not valid`.
 */
export function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest(`continue key is not valid: the token is not one this server made`);
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (typeof t !== 'object' || t === null || t.v !== TOKEN_VERSION) {
    throw badRequest(`continue key is not valid: incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  }
  if (typeof t.rv !== 'number' || !Number.isInteger(t.rv) || t.rv <= 0) throw badRequest('continue key is not valid: the resource version must be a positive integer');
  if (typeof t.start !== 'string' || t.start === '') throw badRequest('continue key is not valid: the start key is empty');
  return { resourceVersion: t.rv, startKey: t.start };
}

/**
 * One page of a list (etcd3 store GetList with limit and continue).
 *
 * Must hold:
 * - `items` are every object of the list, sorted by key, all read at `resourceVersion` (when a
 *   continue token was given, the caller read them at the token's revision);
 * - the page starts at the first key >= the token's start key (the beginning without a token) and
 *   holds at most `limit` items (all of them when limit is 0 or absent);
 * - when items remain after the page, `continue` is a token for the next one in the format
 *   decodeContinue reads (its start key is the page's last key followed by "\0", its revision the
 *   list's) and `remainingItemCount` says how many remain; when none remain, neither is set.
 */
export function paginate(items: KeyedObject[], request: ListPageRequest, resourceVersion: number): ListPage {
  const start = request.continue ? decodeContinue(request.continue) : undefined;
  const rv = start?.resourceVersion ?? resourceVersion;
  const rest = start ? items.filter((i) => i.key >= start.startKey) : items;
  const limit = request.limit ?? 0;
  if (limit <= 0 || rest.length <= limit) return { items: rest.map((i) => i.object) };
  const page = rest.slice(0, limit);
  return {
    items: page.map((i) => i.object),
    continue: encodeContinue({ resourceVersion: rv, startKey: `${page[page.length - 1]!.key}\0` }),
    remainingItemCount: rest.length - limit,
  };
}

function keyOf(object: KubeObject): string {
  const m = object.metadata;
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

/**
 * A watch cache (apiserver's watchCache): the current objects and the last `capacity` changes.
 *
 * Must hold:
 * - replace() sets the state and forgets every change; a watcher at that revision can resume;
 * - apply() records the change, keeps at most `capacity` of them (dropping the oldest), and
 *   updates the state (ADDED/MODIFIED store the object under namespace/name, DELETED removes it);
 * - revision() is the revision of the last change applied, or of the last replace;
 * - eventsSince(rv) returns the recorded changes with revision > rv, oldest first, and throws
 *   tooOldResourceVersion(rv, oldest) when a change after rv has been dropped, where `oldest` is the
 *   lowest revision a watcher could still resume from (the revision of the last dropped change, or
 *   of the replace when nothing was dropped);
 * - a revision at or above the cache's own is never too old: it just has nothing to send yet.
 */
export function createWatchCache(capacity: number): WatchCache {
  const state = new Map<string, KubeObject>();
  let history: CacheEvent[] = [];
  let first = 0; // index of the oldest kept change in `history`
  let resumableFrom = 0;
  let current = 0;

  return {
    replace(objects, revision) {
      state.clear();
      for (const o of objects) state.set(keyOf(o), o);
      history = [];
      first = 0;
      resumableFrom = revision;
      current = revision;
    },
    apply(event) {
      history.push(event);
      if (history.length - first > capacity) {
        resumableFrom = history[first]!.revision;
        first++;
        if (first > 1024 && first * 2 > history.length) {
          history = history.slice(first);
          first = 0;
        }
      }
      if (event.type === 'DELETED') state.delete(keyOf(event.object));
      else state.set(keyOf(event.object), event.object);
      current = event.revision;
    },
    list() {
      return [...state.values()];
    },
    revision() {
      return current;
    },
    eventsSince(resourceVersion) {
      if (resourceVersion < resumableFrom) throw tooOldResourceVersion(resourceVersion, resumableFrom);
      // Binary search for the first change after resourceVersion.
      let lo = first;
      let hi = history.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (history[mid]!.revision <= resourceVersion) lo = mid + 1;
        else hi = mid;
      }
      return history.slice(lo);
    },
  };
}

/**
 * What one watcher is sent (the apiserver's cacheWatcher).
 *
 * Must hold:
 * - an ADDED is sent when the object matches; a DELETED when the object as it was before
 *   (prevObject, or the object itself) matched;
 * - a MODIFIED is sent as MODIFIED when the object matched before and after; as ADDED when it
 *   matches only now; as DELETED (with the object as it was before, its resourceVersion set to the
 *   change's revision) when it matched only before; and not at all when it matched neither time;
 * - every change, sent or not, moves the watcher's revision on;
 * - BOOKMARKs only when the client asked (allowBookmarks), at most one per bookmarkIntervalMs
 *   (counted from the start, then from the last bookmark), carrying only apiVersion, kind and
 *   metadata.resourceVersion = the watcher's revision.
 */
export function createWatchStream(options: WatchStreamOptions): WatchStream {
  let revision = options.resourceVersion;
  let lastBookmark = options.now;
  return {
    onEvent(event) {
      revision = Math.max(revision, event.revision);
      const now = options.matches(event.object);
      const before = event.prevObject ? options.matches(event.prevObject) : false;
      switch (event.type) {
        case 'ADDED':
          return now ? [{ type: 'ADDED', object: event.object }] : [];
        case 'DELETED':
          return options.matches(event.prevObject ?? event.object) ? [{ type: 'DELETED', object: event.object }] : [];
        case 'MODIFIED':
          if (now && before) return [{ type: 'MODIFIED', object: event.object }];
          if (now) return [{ type: 'ADDED', object: event.object }];
          if (before) {
            const prev = event.prevObject!;
            return [{ type: 'DELETED', object: { ...prev, metadata: { ...prev.metadata, resourceVersion: String(event.revision) } } }];
          }
          return [];
      }
    },
    tick(now) {
      if (!options.allowBookmarks || now - lastBookmark < options.bookmarkIntervalMs) return [];
      lastBookmark = now;
      const bookmark: WatchEvent = {
        type: 'BOOKMARK',
        object: { apiVersion: options.apiVersion, kind: options.kind, metadata: { resourceVersion: String(revision) } },
      };
      return [bookmark];
    },
  };
}
