/**
 * Exercise 01-etcd/02-watch: history, live events and compaction.
 *
 * Every controller in Kubernetes learns about changes through a watch: "tell me everything that
 * happened to /registry/pods/ since revision 1042, then keep telling me". This file keeps the log
 * of changes that makes "since" possible, hands each watcher what it missed, then what is new, and
 * forgets old history when asked (compaction).
 *
 * Read: lessons/core/01-etcd/03-watch.md
 * Check: npx kubelings check 01-etcd/02-watch
 */
import { CompactedError, FutureRevisionError, type WatchEvent, type WatchResponse } from '#engine/etcd/kv.ts';
import type { Delivery } from '#engine/etcd/exercises.ts';
import { inRange } from '#engine/etcd/sorted-keys.ts';
import type { Change, MvccState, WatchLog, WatchSpec } from '#engine/etcd/types.ts';

/** The events of a change that the watcher's range covers, with prevKv only when it asked. */
function eventsFor(watcher: WatchSpec, change: Change): WatchEvent[] {
  const out: WatchEvent[] = [];
  for (const event of change.events) {
    if (!inRange(event.kv.key, watcher.key, watcher.end)) continue;
    if (watcher.prevKv || !event.prevKv) out.push(event);
    else out.push({ type: event.type, kv: event.kv });
  }
  return out;
}

/** Index of the first change at or after `revision` (binary search: changes are sorted). */
function firstChangeFrom(log: WatchLog, revision: number): number {
  let lo = 0;
  let hi = log.changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log.changes[mid]!.revision < revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Opens a watch: replays what the watcher missed, or fails when that history is compacted. */
export function startWatch(log: WatchLog, state: MvccState, watcher: WatchSpec): WatchResponse | undefined {
  if (watcher.nextRevision < state.compactRevision) throw new CompactedError(state.compactRevision);
  const events: WatchEvent[] = [];
  for (let i = firstChangeFrom(log, watcher.nextRevision); i < log.changes.length; i++) {
    events.push(...eventsFor(watcher, log.changes[i]!));
  }
  watcher.nextRevision = Math.max(watcher.nextRevision, state.revision + 1);
  return events.length > 0 ? { events, revision: state.revision } : undefined;
}

/** Returns, per watcher, the events of a new change that the watcher must receive. */
export function publish(state: MvccState, change: Change, watchers: Iterable<WatchSpec>): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const watcher of watchers) {
    if (watcher.nextRevision > change.revision) continue; // watches from a future revision wait
    watcher.nextRevision = change.revision + 1;
    const events = eventsFor(watcher, change);
    if (events.length > 0) deliveries.push({ watchId: watcher.id, response: { events, revision: state.revision } });
  }
  return deliveries;
}

/** Forgets history before `revision` in the key space and the watch log. */
export function compact(state: MvccState, log: WatchLog, revision: number): void {
  if (revision <= state.compactRevision) throw new CompactedError(state.compactRevision);
  if (revision > state.revision) throw new FutureRevisionError();

  for (const [key, revisions] of state.history) {
    // Keep the last entry at or before `revision` (the key's value then) and everything after it;
    // a tombstone there says only "absent", which needs no entry at all.
    let keep = 0;
    for (let i = revisions.length - 1; i >= 0; i--) {
      if (revisions[i]!.revision <= revision) {
        keep = revisions[i]!.kv ? i : i + 1;
        break;
      }
    }
    if (keep > 0) revisions.splice(0, keep);
    if (revisions.length === 0) {
      state.history.delete(key);
      state.keys.delete(key);
    }
  }

  const from = firstChangeFrom(log, revision);
  log.changes.splice(0, from);
  const first = log.changes[0];
  if (first && first.revision === revision) {
    // What survives at the compacted revision is each key's value there: the puts, without the
    // value before them (which is gone). Deletes at that revision left nothing to replay.
    log.changes[0] = {
      revision,
      events: first.events.filter((e) => e.type === 'PUT').map((e) => ({ type: e.type, kv: e.kv })),
    };
  }
  state.compactRevision = revision;
}
