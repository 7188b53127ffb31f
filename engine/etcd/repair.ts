/**
 * `kubelings cluster repair`'s logic: brings a damaged data dir back to a state the store starts
 * from, keeping every byte it takes out of the log, and says exactly what was lost.
 *
 *   const report = await repairDataDir('.kubelings/data', { parts });
 *   console.log(report.lines.join('\n'));
 *
 * For each damage findDamage() locates, first to last:
 * - a damaged log file that the newest intact snapshot wholly holds is moved aside: nothing lost;
 * - otherwise the log is cut at the damaged record: the bytes from there on are kept in
 *   `<segment>.broken-<time>`, later log files are moved aside whole (`<name>.broken-<time>`),
 *   and the entries after the last good one are reported lost (exactly, when the clean-shutdown
 *   record says where the log ended);
 * - a damaged snapshot with no older snapshot and log behind it cannot be repaired: refused, with
 *   nothing changed.
 * Then the usual recovery runs once (a torn tail is kept and cut as at any start), so that the
 * next start finds nothing to do. The store must be stopped: repair takes the data dir's lock.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubelingsError } from '../errors.ts';
import { systemClock } from './clock.ts';
import { atStake, damageWhere, findDamage, refusalMessage, StoreCorruptError, type Damage } from './damage.ts';
import { readDataFiles, replay, shownFile } from './data-files.ts';
import type { EtcdExercises } from './exercises.ts';
import { checkDataFormat, fileSize, keepAside, lockDataDir, moveAside, prepareDataDir, removeCleanShutdown, truncateFile, WAL_DIR } from './files.ts';
import { planChecked, runSteps } from './recovery.ts';

export interface RepairReport {
  dataDir: string;
  /** What was damaged, what was kept aside (file names), and what was lost, per damage found. */
  repairs: { damage: Damage; kept: string[]; lost?: string }[];
  /** The last log entry the store holds now, and its revision then. */
  lastIndex: number;
  revision: number;
  /** The report, for a person. */
  lines: string[];
}

/** Repairs `dataDir` (the store must not be running). */
export async function repairDataDir(dataDir: string, options: { parts: EtcdExercises; now?: () => number }): Promise<RepairReport> {
  const { parts } = options;
  const now = options.now ?? (() => systemClock.now());
  if (!existsSync(dataDir)) throw new KubelingsError(`There is no store to repair in ${dataDir}: the folder does not exist.`);
  let unlock: () => Promise<void>;
  try {
    unlock = await lockDataDir(dataDir);
  } catch (error) {
    throw new KubelingsError(`Cannot repair ${dataDir} while a store has it open (${(error as Error).message}). Stop it first: npx kubelings cluster down`);
  }
  try {
    await prepareDataDir(dataDir);
    await checkDataFormat(dataDir);
    return await repairLocked(dataDir, parts, now);
  } finally {
    await unlock();
  }
}

async function repairLocked(dataDir: string, parts: EtcdExercises, now: () => number): Promise<RepairReport> {
  const walDir = join(dataDir, WAL_DIR);
  const repairs: RepairReport['repairs'] = [];
  const lines: string[] = [];
  // Each pass fixes the first damage; a log file can be damaged in more than one place.
  for (let pass = 0; ; pass++) {
    const files = await readDataFiles(dataDir);
    if (files.cleanShutdown === 'unreadable') {
      await removeCleanShutdown(dataDir);
      files.cleanShutdown = undefined;
    }
    let damage = findDamage(parts, files);
    if (!damage) {
      try {
        planChecked(parts, dataDir, files, now);
        break;
      } catch (error) {
        if (!(error instanceof StoreCorruptError)) throw error;
        damage = error.damage;
      }
    }
    if (pass > files.segments.length + files.snapshots.length + 2) throw new KubelingsError(`Repair of ${dataDir} did not converge; nothing more was changed. Restore the folder from a backup.`);
    if (damage.kind === 'snapshot') {
      throw new KubelingsError(refusalMessage(dataDir, damage, undefined, `Cannot repair ${dataDir} (nothing was changed):`));
    }
    const kept: string[] = [];
    lines.push(`  ${damageWhere(damage)}: ${damage.problem}`);
    const segment = files.segments.find((s) => s.name === damage.name);
    if (damage.coveredBySnapshot && segment) {
      const moved = await moveAside(walDir, damage.name, now());
      kept.push(moved);
      lines.push(`    moved aside whole: ${shownFile(moved)}`, `    lost: nothing (snapshot ${shownFile(damage.coveredBySnapshot)} holds every entry of that file)`);
      repairs.push({ damage, kept });
      continue;
    }
    if (segment) {
      const offset = damage.offset ?? 0;
      if (offset < segment.bytes.length) {
        const copy = await keepAside(walDir, segment.name, offset, now());
        kept.push(copy.name);
        lines.push(`    kept aside: ${shownFile(copy.name)} (${copy.bytes} bytes: the file from byte ${offset} on)`);
      }
      for (const later of damage.laterSegments) {
        const moved = await moveAside(walDir, later, now());
        kept.push(moved);
        lines.push(`    moved aside whole: ${shownFile(moved)} (a log file after the damage)`);
      }
      await truncateFile(join(walDir, segment.name), offset);
    }
    // The log ends somewhere new now: the clean-shutdown record no longer says where.
    await removeCleanShutdown(dataDir);
    const lost = atStake(damage);
    lines.push(`    lost: ${lost}`);
    repairs.push({ damage, kept, lost });
  }

  // What is left starts as any start would: a torn tail is kept and cut now, not at the next start.
  const files = await readDataFiles(dataDir);
  const plan = planChecked(parts, dataDir, files, now);
  const notes: string[] = [];
  await runSteps(dataDir, plan.steps, now, { info: () => {}, warn: (m) => notes.push(`  ${m}`) }, 'the older snapshot and the log after it');
  const machine = replay(parts, now, plan.snapshot, plan.entries);
  const lastIndex = plan.entries.at(-1)?.index ?? plan.snapshot?.index ?? 0;
  const size = files.segments.length > 0 ? await fileSize(join(walDir, files.segments.at(-1)!.name)) : 0;
  const holds = `every write up to entry ${lastIndex} (revision ${machine.revision}${size === 0 && lastIndex === 0 ? ', an empty store' : ''})`;
  const report = [...lines, ...notes];
  const summary =
    report.length === 0
      ? [`Nothing to repair in ${dataDir}: the store starts as it is, with ${holds}.`]
      : [`Repaired ${dataDir}:`, ...report, `The store now holds ${holds}. Start it with: npx kubelings cluster up`];
  return { dataDir, repairs, lastIndex, revision: machine.revision, lines: summary };
}
