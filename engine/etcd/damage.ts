/**
 * Where a data dir is damaged, and what that puts at stake (given plumbing for 05-wal). Recovery
 * calls findDamage() when the learner's planRecovery() refuses the files, or when the log does not
 * end where the clean-shutdown record says it did; `cluster repair` calls it to know what to cut.
 * It reads the files only through the learner's own decodeRecords(), so it sees the records the
 * same way recovery does.
 *
 * Rules (the same as planRecovery's, plus the clean-shutdown record):
 * - only the last record of the last segment can be torn, and only after a crash: a store that
 *   was closed cleanly has no torn record, so one there is damage;
 * - entries follow the newest intact snapshot without a gap;
 * - `lastGoodIndex` is the last entry that reads back whole and in order before the damage:
 *   recovery up to it (`cluster repair`) loses exactly the entries after it.
 */
import { join } from 'node:path';
import { KubelingsError } from '../errors.ts';
import { stateDir } from '../paths.ts';
import { shownFile, type DataFiles } from './data-files.ts';
import type { EtcdExercises } from './exercises.ts';
import { indexOfName } from './files.ts';
import type { DecodedLog, LogEntry, SnapshotFile } from './types.ts';
import { decodeEntry } from './wal-entry.ts';

export interface Damage {
  kind: 'wal' | 'snapshot';
  /** The damaged file's name (in wal/ or snap/). */
  name: string;
  /** The byte where the damage begins in that file, when known. */
  offset?: number;
  /** Which record of the file, counting from 1, when known. */
  record?: number;
  /** What is wrong, in one sentence. */
  problem: string;
  /** The last entry that reads back whole and in order before the damage (0: none). */
  lastGoodIndex: number;
  /** The newest intact snapshot already holds every entry of the damaged log file: nothing is lost without it. */
  coveredBySnapshot?: string;
  /** Log files after the damaged one (they cannot be applied after a hole). */
  laterSegments: string[];
  /** The last entry the store held when it was closed cleanly, when the clean-shutdown record says. */
  stoppedAt?: number;
  /** The highest entry index that could still be read after the damage (0: none). */
  highestAfter: number;
  /** What recovery up to lastGoodIndex starts from and applies (for the revision in messages). */
  good: { snapshot?: { index: number; payload: Uint8Array }; entries: LogEntry[] };
}

/** The store refused to start: its data is damaged. The message says where and what to do. */
export class StoreCorruptError extends KubelingsError {
  override name = 'StoreCorruptError';
  constructor(
    message: string,
    readonly damage: Damage,
  ) {
    super(message);
  }
}

/** The one record of a snapshot file, or undefined when it is not exactly one intact record. */
export function snapshotRecord(parts: EtcdExercises, file: SnapshotFile): Uint8Array | undefined {
  let decoded: DecodedLog;
  try {
    decoded = parts.decodeRecords(file.bytes);
  } catch {
    return undefined;
  }
  return decoded.records.length === 1 && !decoded.torn ? decoded.records[0] : undefined;
}

/** The records before a damaged one, read again up to where it starts (none when that is unknown). */
function recordsBefore(parts: EtcdExercises, bytes: Uint8Array, offset: number | undefined): Uint8Array[] {
  if (offset === undefined || offset < 0 || offset > bytes.length) return [];
  try {
    return parts.decodeRecords(bytes.subarray(0, offset)).records;
  } catch {
    return [];
  }
}

/** The highest entry index that reads back anywhere in these bytes' whole records (0: none). */
function highestIndexIn(parts: EtcdExercises, bytes: Uint8Array): number {
  let records: Uint8Array[];
  try {
    records = parts.decodeRecords(bytes).records;
  } catch (error) {
    records = recordsBefore(parts, bytes, (error as { offset?: number }).offset);
  }
  let highest = 0;
  for (const payload of records) {
    try {
      highest = Math.max(highest, decodeEntry(payload).index);
    } catch {
      // not an entry: nothing to count
    }
  }
  return highest;
}

/** The first damage in the data dir's files, or undefined when recovery can use them as they are. */
export function findDamage(parts: EtcdExercises, files: DataFiles): Damage | undefined {
  const headerBytes = parts.encodeRecord(new Uint8Array(0)).length;
  const newestFirst = [...files.snapshots].sort((a, b) => b.index - a.index);
  const intact = newestFirst.find((s) => snapshotRecord(parts, s) !== undefined);
  const damagedSnapshots = newestFirst.filter((s) => s !== intact && (!intact || s.index > intact.index));
  const base = intact?.index ?? 0;
  const good: Damage['good'] = { snapshot: intact && { index: intact.index, payload: snapshotRecord(parts, intact)! }, entries: [] };
  const stoppedAt = typeof files.cleanShutdown === 'object' ? files.cleanShutdown.lastIndex : undefined;
  let lastGood = base;

  const damage = (segmentAt: number, offset: number | undefined, record: number | undefined, problem: string): Damage => {
    const segment = files.segments[segmentAt]!;
    const next = files.segments[segmentAt + 1];
    const later = files.segments.slice(segmentAt + 1);
    const covered = intact && next && indexOfName(next.name) <= base + 1 ? intact.name : undefined;
    const after = [segment.bytes.subarray(offset ?? 0), ...later.map((s) => s.bytes)];
    return {
      kind: 'wal',
      name: segment.name,
      offset,
      record,
      problem,
      lastGoodIndex: lastGood,
      coveredBySnapshot: covered,
      laterSegments: later.map((s) => s.name),
      stoppedAt,
      highestAfter: Math.max(0, ...after.map((b) => highestIndexIn(parts, b))),
      good,
    };
  };

  for (let i = 0; i < files.segments.length; i++) {
    const segment = files.segments[i]!;
    let decoded: DecodedLog;
    let broken: { offset?: number; problem: string } | undefined;
    try {
      decoded = parts.decodeRecords(segment.bytes);
    } catch (error) {
      if ((error as Error)?.name !== 'WalCorruptError') throw error;
      const offset = (error as { offset?: number }).offset;
      broken = { offset, problem: (error as Error).message };
      decoded = { records: recordsBefore(parts, segment.bytes, offset), validLength: offset ?? 0, torn: false };
    }
    let at = 0;
    for (let k = 0; k < decoded.records.length; k++) {
      const payload = decoded.records[k]!;
      let entry: LogEntry;
      try {
        entry = decodeEntry(payload);
      } catch (error) {
        return damage(i, at, k + 1, `the record at byte ${at} passes its checksums but ${(error as Error).message.replace(/^a log record /, '')}`);
      }
      if (entry.index > base) {
        if (entry.index !== lastGood + 1) {
          const lost = lastGood === base ? damagedSnapshots.find((s) => s.index >= entry.index - 1) : undefined;
          if (lost) {
            return {
              kind: 'snapshot',
              name: lost.name,
              problem: `the snapshot fails its checksum, and no older snapshot with the log after it is left: ` + `the writes up to entry ${lost.index} were only in it`,
              lastGoodIndex: 0,
              laterSegments: [],
              stoppedAt,
              highestAfter: Math.max(lost.index, ...files.segments.map((s) => highestIndexIn(parts, s.bytes))),
              good: { entries: [] },
            };
          }
          return damage(i, at, k + 1, `expected log entry ${lastGood + 1} at byte ${at}, found entry ${entry.index}: entries are missing`);
        }
        lastGood = entry.index;
        good.entries.push(entry);
      }
      at += headerBytes + payload.length;
    }
    if (broken) return damage(i, broken.offset, broken.offset === undefined ? undefined : decoded.records.length + 1, broken.problem);
    if (decoded.torn) {
      if (i < files.segments.length - 1) {
        return damage(i, decoded.validLength, decoded.records.length + 1, `the file ends in a record cut short at byte ${decoded.validLength}, but later log files follow it`);
      }
      if (stoppedAt !== undefined) {
        return damage(
          i,
          decoded.validLength,
          decoded.records.length + 1,
          `the last record, at byte ${decoded.validLength}, is cut short or damaged, but the store was stopped cleanly (a torn write comes only from a crash)`,
        );
      }
    }
  }

  const clean = files.cleanShutdown;
  if (typeof clean === 'object') {
    const lastAt = files.segments.length - 1;
    const last = files.segments[lastAt];
    if (!last) {
      return {
        kind: 'wal',
        name: clean.segment,
        problem: `the store was stopped cleanly writing ${clean.segment}, but no log file is left`,
        lastGoodIndex: lastGood,
        laterSegments: [],
        stoppedAt,
        highestAfter: 0,
        good,
      };
    }
    if (last.name !== clean.segment) {
      return damage(lastAt, last.bytes.length, undefined, `the store was stopped cleanly writing ${clean.segment}, but the newest log file is ${last.name}`);
    } else if (last.bytes.length !== clean.length) {
      const end = Math.min(last.bytes.length, clean.length);
      return damage(lastAt, end, undefined, `the file is ${last.bytes.length} bytes long, but it was ${clean.length} bytes when the store was stopped cleanly`);
    }
    if (lastGood < clean.lastIndex) {
      return damage(lastAt, last.bytes.length, undefined, `the log ends at entry ${lastGood}, but the store was stopped cleanly at entry ${clean.lastIndex}`);
    }
  }
  return undefined;
}

/** `npx kubelings cluster repair`, with --data-dir when the folder is not the cluster's own. */
export function repairCommand(dataDir: string): string {
  return dataDir === join(stateDir(), 'data') ? 'npx kubelings cluster repair' : `npx kubelings cluster repair --data-dir ${dataDir}`;
}

/** Where the damage is, as messages name it. */
export function damageWhere(damage: Damage): string {
  const folder = shownFile(damage.name);
  if (damage.offset === undefined) return folder;
  return `${folder}, byte ${damage.offset}${damage.record ? ` (record ${damage.record} of the file)` : ''}`;
}

/** What is at stake beyond the last good entry, in words. */
export function atStake(damage: Damage): string {
  const first = damage.lastGoodIndex + 1;
  const last = Math.max(damage.stoppedAt ?? 0, damage.highestAfter);
  if (damage.stoppedAt !== undefined && damage.stoppedAt >= first) {
    const count = damage.stoppedAt - damage.lastGoodIndex;
    const which = count === 1 ? `entry ${first}` : `entries ${first} to ${damage.stoppedAt}`;
    return `${which} (${count} write${count === 1 ? '' : 's'}; the store was stopped cleanly at entry ${damage.stoppedAt})`;
  }
  if (last >= first) return `entry ${first} and everything after it (at least up to entry ${last})`;
  return `entry ${first} and anything after it (no whole entry could be read after the damage)`;
}

/** The message of a start refused because of `damage`. `revision` is the store's revision at the last good entry. */
export function refusalMessage(dataDir: string, damage: Damage, revision: number | undefined, heading = `The store in ${dataDir} was not started: its data is damaged (nothing was changed).`): string {
  const lines = [heading, `  where: ${damageWhere(damage)}`, `  what:  ${damage.problem}`];
  if (damage.kind === 'snapshot') {
    lines.push(
      `  lost:  ${atStake(damage)}`,
      'No copy of those writes is left in the folder, so repair cannot bring them back. Restore the folder',
      `from a backup, or move it away to start with an empty store (mv ${dataDir} ${dataDir}.damaged).`,
    );
    return lines.join('\n');
  }
  if (damage.coveredBySnapshot) {
    lines.push(
      `  good:  snapshot ${shownFile(damage.coveredBySnapshot)} holds every entry of this log file: nothing is lost without it`,
      'To recover, run:',
      `  ${repairCommand(dataDir)}`,
      'It moves the damaged file aside (kept, never deleted) and starts from that snapshot.',
    );
    return lines.join('\n');
  }
  lines.push(
    `  good:  every write up to entry ${damage.lastGoodIndex}${revision === undefined ? '' : ` (store revision ${revision})`} reads back whole`,
    `  at stake: ${atStake(damage)}`,
    'To recover, run:',
    `  ${repairCommand(dataDir)}`,
    `It keeps the damaged bytes aside (<file>.broken-<time>, never deleted), recovers every write up to entry ${damage.lastGoodIndex},`,
    'and says exactly what was lost. Or restore the folder from a backup.',
  );
  return lines.join('\n');
}
