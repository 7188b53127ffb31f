/**
 * Watch guarantees, checked the way etcd's robustness tests check them (tests/robustness/validate/
 * watch.go in etcd-io/etcd, after https://etcd.io/docs/v3.6/learning/api_guarantees/#watch-apis):
 *
 *   Filter     every event matches the watch's key range
 *   Ordered    events come in revision order
 *   Unique     no event (revision, key) comes twice
 *   Atomic     the events of one revision are never split over two responses
 *   Reliable   between its first and last event, a watch misses no event of its range
 *   Resumable  a watch from revision R starts with the first event at or after R
 *   IsCreate   a PUT is a create (createRevision = modRevision) exactly when the key was absent
 *   PrevKV     with prevKv, each event carries the value the key had just before it
 *   Complete   (ours, stricter) a watch still open at the end has every event of its range up
 *              to the last revision
 *   Header     (ours) each response's revision is the store's revision when it was sent: at least
 *              that of its last event, never more than the store reached, never going back
 *   Compacted  a watch from below the compacted revision fails with CompactedError, and only it;
 *              one from exactly the compacted revision replays that revision's puts (without
 *              prevKv) and not its deletes, as etcd keeps nothing else of it (see 02-watch)
 *
 * The history to compare with comes from the model (support/model.ts), which applied the same
 * writes. Each problem is one sentence naming the guarantee, the watch and the event.
 */
import type { WatchEvent, WatchOptions, WatchResponse } from '#engine/etcd/kv.ts';
import type { ModelStore } from './model.ts';

export interface WatchRecord {
  id: number;
  key: string;
  options: WatchOptions;
  responses: WatchResponse[];
  /** Still open when the run ended. */
  open: boolean;
  /** The store's compacted revision when the watch was opened (0: none). */
  compactRevision: number;
  /** The name of the error the watch failed to start with, if it did. */
  failed?: string;
}

function inRange(key: string, start: string, end?: string): boolean {
  if (end === undefined || end === '') return key === start;
  return key >= start && (end === '\0' || key < end);
}

function describeWatch(w: WatchRecord): string {
  return `watch #${w.id} (${w.key}${w.options.end ? ` to ${JSON.stringify(w.options.end)}` : ''}, from ${w.options.startRevision || 'now'}${w.options.prevKv ? ', prevKv' : ''})`;
}

function describeEvent(e: WatchEvent): string {
  return `${e.type} ${e.kv.key}@${e.kv.modRevision}`;
}

function sameEvent(a: WatchEvent, b: WatchEvent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Checks every guarantee for every watch; returns the problems found (empty when all hold). */
export function validateWatches(watches: readonly WatchRecord[], model: ModelStore): string[] {
  const problems: string[] = [];
  const history = model.allEvents();
  for (const w of watches) {
    const name = describeWatch(w);
    const events = w.responses.flatMap((r) => r.events);
    const wants = (e: WatchEvent) => inRange(e.kv.key, w.key, w.options.end);

    const start = w.options.startRevision ?? 0;
    const belowCompacted = start > 0 && start < w.compactRevision;
    if (belowCompacted !== (w.failed === 'CompactedError')) {
      problems.push(
        belowCompacted
          ? `Compacted: ${name} opened from below the compacted revision ${w.compactRevision} ${w.failed ? `failed with ${w.failed}` : 'started'} instead of failing with CompactedError`
          : `Compacted: ${name} (the compacted revision was ${w.compactRevision}) failed with ${w.failed}`,
      );
      continue;
    }
    if (w.failed) continue;
    /** Of the compacted revision itself, a watch from it replays only the puts, without prevKv. */
    const replayable = (e: WatchEvent) => !(start > 0 && start === w.compactRevision && e.kv.modRevision === start && e.type === 'DELETE');
    const atCompacted = (e: WatchEvent) => start > 0 && start === w.compactRevision && e.kv.modRevision === start;

    let header = 0;
    for (const r of w.responses) {
      const lastEvent = r.events.at(-1)?.kv.modRevision ?? 0;
      if (typeof r.revision !== 'number' || r.revision < lastEvent || r.revision > model.revision || r.revision < header) {
        problems.push(
          `Header: ${name} received a response with revision ${String(r.revision)} for events up to revision ${lastEvent}, after a response at ${header}, from a store that reached ${model.revision}`,
        );
      }
      header = Math.max(header, typeof r.revision === 'number' ? r.revision : 0);
    }

    for (const e of events) if (!wants(e)) problems.push(`Filter: ${name} received ${describeEvent(e)}, outside its range`);

    let last = 0;
    for (const e of events) {
      if (e.kv.modRevision < last) problems.push(`Ordered: ${name} received ${describeEvent(e)} after an event at revision ${last}`);
      last = e.kv.modRevision;
    }

    const seen = new Set<string>();
    for (const e of events) {
      const id = `${e.kv.modRevision} ${e.kv.key}`;
      if (seen.has(id)) problems.push(`Unique: ${name} received ${describeEvent(e)} twice`);
      seen.add(id);
    }

    let lastOfPrevious = 0;
    for (const r of w.responses) {
      if (r.events.length === 0) continue;
      if (r.events[0]!.kv.modRevision === lastOfPrevious) problems.push(`Atomic: ${name} received the events of revision ${lastOfPrevious} split over two responses`);
      lastOfPrevious = r.events.at(-1)!.kv.modRevision;
    }

    const expected = (e: WatchEvent): WatchEvent => ((w.options.prevKv && !atCompacted(e)) || !e.prevKv ? e : { type: e.type, kv: e.kv });
    const firstRevision = w.options.startRevision || events[0]?.kv.modRevision || 0;
    const lastRevision = w.open ? model.revision : (events.at(-1)?.kv.modRevision ?? 0);
    if (firstRevision > 0) {
      const want = history.filter((e) => wants(e) && replayable(e) && e.kv.modRevision >= firstRevision && e.kv.modRevision <= lastRevision).map(expected);
      const got = events.filter((e) => e.kv.modRevision <= lastRevision);
      const missing = want.find((e, i) => !got[i] || !sameEvent(e, got[i]!));
      if (missing || got.length !== want.length) {
        const at = want.findIndex((e, i) => !got[i] || !sameEvent(e, got[i]!));
        const detail = at >= 0 ? `expected ${describeEvent(want[at]!)} as event ${at + 1}, got ${got[at] ? describeEvent(got[at]!) : 'nothing'}` : `got ${got.length - want.length} event(s) too many`;
        problems.push(`${w.open ? 'Complete/Reliable' : 'Reliable'}: ${name} missed or changed events between revisions ${firstRevision} and ${lastRevision}: ${detail}`);
      }
    }

    if (w.options.startRevision && events.length > 0) {
      const first = history.find((e) => wants(e) && replayable(e) && e.kv.modRevision >= w.options.startRevision!);
      if (first && !sameEvent(expected(first), events[0]!)) problems.push(`Resumable: ${name} began with ${describeEvent(events[0]!)} instead of ${describeEvent(first)}`);
    }

    for (const e of events) {
      const before = model.valueBefore(e.kv.key, e.kv.modRevision);
      const isCreate = e.type === 'PUT' && e.kv.createRevision === e.kv.modRevision;
      if (e.type === 'PUT' && isCreate === (before !== undefined)) {
        problems.push(`IsCreate: ${name} received ${describeEvent(e)} with createRevision ${e.kv.createRevision}, but the key ${before ? 'existed' : 'did not exist'} just before`);
      }
      if (w.options.prevKv && !atCompacted(e)) {
        if (e.prevKv && JSON.stringify(e.prevKv) !== JSON.stringify(before)) problems.push(`PrevKV: ${name} received ${describeEvent(e)} with a prevKv that is not the key's value just before`);
        if (!e.prevKv && before) problems.push(`PrevKV: ${name} received ${describeEvent(e)} without prevKv, though it asked and the key existed`);
      } else if (e.prevKv) problems.push(`PrevKV: ${name} received ${describeEvent(e)} with a prevKv it ${w.options.prevKv ? 'cannot have: the revision before it is compacted' : 'did not ask for'}`);
    }
  }
  return problems;
}
