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
import type { ContinueToken, FieldRequirement, KeyedObject, ListPage, ListPageRequest, WatchCache, WatchStream, WatchStreamOptions } from '#engine/apiserver/exercises.ts';
import { NotImplemented } from '#engine/errors.ts';

// Given for you to use: badRequest(message) for malformed selectors and tokens, and
// tooOldResourceVersion(requested, oldest) for a watch from too far back.
void [badRequest, tooOldResourceVersion];

const PAGE = 'lessons/core/02-apiserver/05-list-and-watch.md';

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
  // TODO: split on unescaped commas, find each term's operator, unescape the value.
  throw new NotImplemented('02-apiserver/04-list-watch', PAGE, 'parseFieldSelector()');
}

/** True when `fields` satisfies every requirement. A field the object does not have reads as ''. */
export function matchesFields(requirements: FieldRequirement[], fields: Record<string, string>): boolean {
  // TODO: every requirement must hold.
  throw new NotImplemented('02-apiserver/04-list-watch', PAGE, 'matchesFields()');
}

/**
 * Reads a continue token: base64url (no padding) of `{"v":"meta.k8s.io/v1","rv":N,"start":"key"}`,
 * the format the real apiserver uses.
 *
 * Must hold: anything else (not base64url, not JSON, another `v`, rv not a positive integer, no
 * start key) is refused with badRequest, whose message starts `continue key is not valid`.
 */
export function decodeContinue(token: string): ContinueToken {
  // TODO: decode, parse, check each field.
  throw new NotImplemented('02-apiserver/04-list-watch', PAGE, 'decodeContinue()');
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
  // TODO: find where the page starts, cut it, and make the token for the next one.
  throw new NotImplemented('02-apiserver/04-list-watch', PAGE, 'paginate()');
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
  // TODO: keep a map of objects and a bounded list of changes.
  throw new NotImplemented('02-apiserver/04-list-watch', PAGE, 'createWatchCache()');
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
  // TODO: return { onEvent, tick } remembering the revision and the time of the last bookmark.
  throw new NotImplemented('02-apiserver/04-list-watch', PAGE, 'createWatchStream()');
}
