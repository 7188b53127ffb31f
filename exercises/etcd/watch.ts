/**
 * Exercise 01-etcd/02-watch: history, live events and compaction.
 *
 * Every controller in Kubernetes learns about changes through a watch: "tell me everything that
 * happened to /registry/pods/ since revision 1042, then keep telling me". This file keeps the log
 * of changes that makes "since" possible, hands each watcher what it missed, then what is new, and
 * forgets old history when asked (compaction).
 *
 * The data (see engine/etcd/types.ts):
 *   log.changes   one { revision, events } per write that changed something, oldest first (the
 *                 engine appends each new one); the events carry prevKv always (strip it for
 *                 watchers that did not ask)
 *   watcher       { id, key, end, nextRevision, prevKv }: it wants every event in [key, end)
 *                 from `nextRevision` on, and has had everything before it
 * inRange(k, key, end) from '#engine/etcd/sorted-keys.ts' says whether key k is in a watcher's range.
 *
 * The shapes (engine/etcd/kv.ts; Delivery in engine/etcd/exercises.ts):
 *   Change         { revision, events: WatchEvent[] }: what one write did (one log entry)
 *   WatchEvent     { type: 'PUT' | 'DELETE', kv: KeyValue, prevKv?: KeyValue }
 *   WatchResponse  { events, revision }: one batch a watcher receives; revision = state.revision
 *   Delivery       { watchId, response }: the response publish() addresses to watcher `watchId`
 *   state.keys     the sorted keys of 01-mvcc: state.keys.delete(k) when compact() drops a key
 *
 * A watch on a prefix ("every key under /registry/pods/") is a range [prefix, prefixEnd(prefix)),
 * where prefixEnd ('#engine/etcd/kv.ts') adds one to the last byte: inRange needs nothing special.
 *
 * Read: lessons/core/01-etcd/03-watch.md
 * Check: npx kubelings check 01-etcd/02-watch
 */
import { NotImplemented } from '#engine/errors.ts';
import { CompactedError, FutureRevisionError, type WatchEvent, type WatchResponse } from '#engine/etcd/kv.ts';
import type { Delivery } from '#engine/etcd/exercises.ts';
import { inRange } from '#engine/etcd/sorted-keys.ts';
import type { Change, MvccState, WatchLog, WatchSpec } from '#engine/etcd/types.ts';

/**
 * Opens a watch. The caller has set watcher.nextRevision to the start revision it asked for (or
 * to state.revision + 1 for "only what happens from now on").
 *
 * Must hold:
 * - a start below state.compactRevision throws new CompactedError(state.compactRevision); a start
 *   exactly at the compacted revision is fine;
 * - otherwise returns every event of the log at revisions >= nextRevision whose key is in the
 *   watcher's range, in log order, as ONE response { events, revision: state.revision }; without
 *   prevKv unless watcher.prevKv; undefined when there is no such event;
 * - afterwards watcher.nextRevision is past everything sent (state.revision + 1), unless it asked
 *   for a revision still in the future: then it keeps waiting for it.
 */
export function startWatch(log: WatchLog, state: MvccState, watcher: WatchSpec): WatchResponse | undefined {
  // TODO: check compaction, collect the history the watcher missed, move nextRevision on.
  throw new NotImplemented('01-etcd/02-watch', 'lessons/core/01-etcd/03-watch.md', 'startWatch()');
}

/**
 * A write just made `change` (the events of one new revision; the engine has already appended it
 * to the log): returns what each watcher must receive because of it.
 *
 * Must hold:
 * - a watcher whose nextRevision is above change.revision (it asked for a future revision) gets
 *   nothing yet;
 * - every other watcher gets the change's events in its range, in order, as one response
 *   { events, revision: state.revision }, without prevKv unless it asked; nothing when no event
 *   is in its range; and its nextRevision becomes change.revision + 1.
 */
export function publish(state: MvccState, change: Change, watchers: Iterable<WatchSpec>): Delivery[] {
  // TODO: build one Delivery { watchId, response } per watcher that must hear of the change.
  throw new NotImplemented('01-etcd/02-watch', 'lessons/core/01-etcd/03-watch.md', 'publish()');
}

/**
 * Forgets history before `revision` (compaction), in the key space and in the watch log.
 *
 * Must hold:
 * - `revision` at or below state.compactRevision throws new CompactedError(state.compactRevision);
 *   above state.revision throws new FutureRevisionError(); nothing changes then;
 * - each key keeps its last entry at or before `revision` (its value at `revision`) and every
 *   entry after it; when that last entry is a tombstone it goes too; a key left with no entries
 *   leaves state.history and state.keys;
 * - reads at `revision` and after still see exactly what they saw before;
 * - the log drops every change before `revision`; of the change AT `revision`, only the PUT events
 *   stay, without prevKv (etcd replays a key's value at the compacted revision, but the value
 *   before it and the deletes there are gone);
 * - state.compactRevision = revision.
 */
export function compact(state: MvccState, log: WatchLog, revision: number): void {
  // TODO: check the revision, trim each key's history, trim the log, record the compacted revision.
  throw new NotImplemented('01-etcd/02-watch', 'lessons/core/01-etcd/03-watch.md', 'compact()');
}
