/**
 * Recovery of a durable store's data dir at start (given plumbing for 05-wal): the learner's
 * planRecovery() decides from the files' bytes; this file checks its plan, runs its steps on the
 * disk, and rebuilds the machine.
 *
 * What holds:
 * - nothing is cut or removed that was not first kept aside (`<file>.broken-<time>`, durable before
 *   the cut), and every step is logged as a warning, saying what was cut and why;
 * - a plan that would cut or remove bytes without keeping them, cut any file but the last log
 *   segment, remove a log segment, or name a file it was not given, is refused (a bug in
 *   planRecovery, named as such);
 * - damage that a crash cannot explain refuses the start with StoreCorruptError, whose message
 *   says where (file, byte, record, last good entry and revision) and how to recover; nothing on
 *   disk is changed then;
 * - after a clean close (the clean-shutdown record), the log cannot end in a torn record: a
 *   missing or damaged tail then is damage too, never a crash's torn write, so an acknowledged
 *   write is never dropped quietly.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KubelingsError } from '../errors.ts';
import type { Logger } from '../cluster/logger.ts';
import { findDamage, refusalMessage, StoreCorruptError } from './damage.ts';
import { folderOf, readDataFiles, replay, shownFile, type DataFiles } from './data-files.ts';
import type { EtcdExercises } from './exercises.ts';
import { checkDataFormat, keepAside, prepareDataDir, removeCleanShutdown, syncDir, truncateFile } from './files.ts';
import type { EtcdMachine } from './machine.ts';
import type { RecoveryPlan, RecoveryStep } from './types.ts';

/** Where recovery reports what it did (a cluster's logger, or stderr). */
export type RecoveryLogger = Pick<Logger, 'info' | 'warn'>;

export interface Recovered {
  machine: EtcdMachine;
  /** The index of the last log entry recovered (0: none). */
  lastIndex: number;
  /** How many entries were applied after the snapshot. */
  entriesAfterSnapshot: number;
  /** The newest log segment, to append to (undefined: none yet). */
  lastSegment?: string;
  /** Whether the store had been closed cleanly (the clean-shutdown record was there). */
  closedCleanly: boolean;
}

/** Runs planRecovery() on the data dir's files and checks its answer; refuses damage with StoreCorruptError. */
export function planChecked(parts: EtcdExercises, dataDir: string, files: DataFiles, now: () => number): RecoveryPlan {
  let plan: RecoveryPlan;
  try {
    plan = parts.planRecovery(files.snapshots, files.segments);
  } catch (error) {
    if ((error as Error)?.name !== 'WalCorruptError') throw error;
    throw refuse(parts, dataDir, files, now, (error as Error).message);
  }
  if (!plan || !Array.isArray(plan.entries) || !Array.isArray(plan.steps)) {
    throw new KubelingsError('planRecovery() must return { snapshot?, entries: [...], steps: [...] } (steps: [] when nothing is damaged). Recovery stopped before touching any file.');
  }
  checkSteps(plan.steps, files);
  const clean = files.cleanShutdown;
  if (typeof clean === 'object') {
    const last = files.segments.at(-1);
    const lastIndex = plan.entries.at(-1)?.index ?? plan.snapshot?.index ?? 0;
    const cut = plan.steps.some((s) => s.op === 'truncate');
    if (cut || !last || last.name !== clean.segment || last.bytes.length !== clean.length || lastIndex < clean.lastIndex) {
      throw refuse(parts, dataDir, files, now, `the log does not end where it ended when the store was stopped cleanly (${clean.segment}, ${clean.length} bytes, entry ${clean.lastIndex})`);
    }
  }
  return plan;
}

/** The StoreCorruptError for these files, located by findDamage(); `fallback` when it finds nothing more precise. */
function refuse(parts: EtcdExercises, dataDir: string, files: DataFiles, now: () => number, fallback: string): Error {
  const damage = findDamage(parts, files);
  if (!damage) {
    return new KubelingsError(`The store in ${dataDir} was not started: ${fallback}. Nothing was changed. Restore the folder from a backup, or move it away to start with an empty store.`);
  }
  let revision: number | undefined;
  try {
    revision = replay(parts, now, damage.good.snapshot, damage.good.entries).revision;
  } catch {
    revision = undefined;
  }
  return new StoreCorruptError(refusalMessage(dataDir, damage, revision), damage);
}

/** Refuses a plan that would lose bytes or touch files it has no business with: a bug in planRecovery(). */
export function checkSteps(steps: readonly RecoveryStep[], files: DataFiles): void {
  const sizes = new Map<string, number>([...files.snapshots, ...files.segments].map((f) => [f.name, f.bytes.length]));
  const lastSegment = files.segments.at(-1)?.name;
  const keptFrom = new Map<string, number>();
  const bug = (what: string) => new KubelingsError(`planRecovery() ${what}. Recovery stopped before touching any file; reread "Keep what you cut" in lessons/core/01-etcd/06-wal.md.`);
  for (const step of steps) {
    const size = sizes.get(step?.file);
    if (size === undefined) throw bug(`returned a step for ${JSON.stringify(step?.file)}, which is not one of the files it was given`);
    if (step.op === 'keep') {
      if (!Number.isSafeInteger(step.from) || step.from < 0 || step.from > size) throw bug(`keeps ${step.file} from byte ${step.from}, outside its ${size} bytes`);
      keptFrom.set(step.file, Math.min(keptFrom.get(step.file) ?? Infinity, step.from));
    } else if (step.op === 'truncate') {
      if (step.file !== lastSegment) throw bug(`cuts ${step.file}, which is not the last log file: only the last record of the last log file can be torn`);
      if (!Number.isSafeInteger(step.length) || step.length < 0 || step.length > size) throw bug(`cuts ${step.file} to ${step.length} bytes, outside its ${size} bytes`);
      if ((keptFrom.get(step.file) ?? Infinity) > step.length) {
        throw bug(`cuts ${step.file} to ${step.length} bytes without first keeping the bytes it cuts (a { op: 'keep', file, from: ${step.length} } step before the truncate)`);
      }
    } else if (step.op === 'remove') {
      if (!step.file.endsWith('.snap')) throw bug(`removes the log file ${step.file}: recovery never removes a log file`);
      if (keptFrom.get(step.file) !== 0) throw bug(`removes ${step.file} without first keeping it (a { op: 'keep', file, from: 0 } step before the remove)`);
    } else {
      throw bug(`returned a step with op ${JSON.stringify((step as { op?: unknown }).op)} (expected keep, truncate or remove)`);
    }
  }
}

/** Runs a checked plan's steps on the disk, in order, each durable before the next; logs each. */
export async function runSteps(dataDir: string, steps: readonly RecoveryStep[], now: () => number, logger: RecoveryLogger, recoveredFrom: string): Promise<void> {
  const kept = new Map<string, { name: string; from: number; bytes: number }>();
  for (const step of steps) {
    const dir = join(dataDir, folderOf(step.file));
    if (step.op === 'keep') {
      const copy = await keepAside(dir, step.file, step.from, now());
      kept.set(step.file, { name: copy.name, from: step.from, bytes: copy.bytes });
    } else if (step.op === 'truncate') {
      await truncateFile(join(dir, step.file), step.length);
      const copy = kept.get(step.file)!;
      logger.warn(
        `recovery cut the torn record at the end of ${shownFile(step.file)}: ${copy.bytes} byte${copy.bytes === 1 ? '' : 's'} from byte ${step.length} on, ` +
          `kept in ${shownFile(copy.name)} (a write a crash cut short, never acknowledged)`,
      );
    } else {
      await rm(join(dir, step.file), { force: true });
      await syncDir(dir);
      logger.warn(`recovery set aside the damaged snapshot ${shownFile(step.file)} (moved to ${shownFile(kept.get(step.file)!.name)}) and recovered from ${recoveredFrom} instead: nothing is lost`);
    }
  }
}

/** Recovers the data dir: the machine with every entry the files hold, after running the plan's steps. */
export async function recoverDataDir(dataDir: string, parts: EtcdExercises, now: () => number, logger: RecoveryLogger): Promise<Recovered> {
  await prepareDataDir(dataDir);
  await checkDataFormat(dataDir);
  const files = await readDataFiles(dataDir);
  if (files.cleanShutdown === 'unreadable') {
    logger.warn(`the clean-shutdown record in ${dataDir} is unreadable (removed): recovering as after a crash`);
    await removeCleanShutdown(dataDir);
    files.cleanShutdown = undefined;
  }
  const plan = planChecked(parts, dataDir, files, now);
  const snapshotName = plan.snapshot && files.snapshots.find((s) => s.index === plan.snapshot!.index)?.name;
  await runSteps(dataDir, plan.steps, now, logger, snapshotName ? `the older snapshot ${shownFile(snapshotName)} and the log after it` : 'the log alone');
  const machine = replay(parts, now, plan.snapshot, plan.entries);
  const lastIndex = plan.entries.at(-1)?.index ?? plan.snapshot?.index ?? 0;
  if (plan.snapshot || plan.entries.length > 0) {
    logger.info(`recovered ${dataDir}: ${snapshotName ? `snapshot ${shownFile(snapshotName)}, then ` : ''}${plan.entries.length} log entries, up to entry ${lastIndex} (revision ${machine.revision})`);
  }
  return { machine, lastIndex, entriesAfterSnapshot: plan.entries.length, lastSegment: files.segments.at(-1)?.name, closedCleanly: files.cleanShutdown !== undefined };
}
