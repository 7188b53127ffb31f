/**
 * Ownership bookkeeping for one write (structured-merge-diff merge/update.go, Updater):
 *
 * - updateOwnership: after an ordinary write (create, update, any non-apply patch), the writer owns
 *   every field it added or changed, and those fields leave every other manager's set; fields the
 *   write removed leave every set.
 * - applyConfiguration: an applied configuration is merged into the live object; the applier's set
 *   becomes exactly the fields it applied; fields it applied last time and not this time are
 *   removed from the object unless another manager owns them; a change to a field another
 *   manager owns is a conflict unless forced, and forcing takes the field from that manager.
 *
 * Sets of every manager are compared as if at the object's apiVersion (the engine serves one
 * version of each kind; an entry's apiVersion is kept as its label). `ignore` is the strategy's
 * reset fields (e.g. `status` on the main resource): changes there are owned by nobody.
 * Managers' sets are never mutated: each step builds new ones.
 */
import type { Conflict } from './conflict.ts';
import { FieldSet } from './fieldset.ts';
import { compareStrings } from './format.ts';
import type { Managed, ManagerEntry } from './managed.ts';
import { type Comparison, compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, valuesEqual } from './typed.ts';
import type { TypeNode } from './types.ts';

export interface UpdaterContext {
  /** The type of the object's kind. */
  readonly type: TypeNode;
  /** Fields no manager owns (the strategy's reset fields), removed recursively from every change. */
  readonly ignore: FieldSet;
}

/** An apply that changed fields other managers own, and was not forced. */
export class Conflicts extends Error {
  override name = 'Conflicts';
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflicts`);
  }
}

function filtered(set: FieldSet, ctx: UpdaterContext): FieldSet {
  return ctx.ignore.isEmpty() ? set : set.recursiveDifference(ctx.ignore);
}

function withSet(entry: ManagerEntry, set: FieldSet): ManagerEntry {
  return { ...entry, set };
}

/**
 * The shared step (Updater.update): compares the objects, takes changed fields from every manager
 * but `workflow` and drops removed fields from them. Throws Conflicts when `force` is false and
 * another manager owned a changed field.
 */
function takeChangedFields(oldObject: unknown, newObject: unknown, managers: Managed, workflow: string, force: boolean, ctx: UpdaterContext): { managers: Managed; comparison: Comparison } {
  const raw = compare(oldObject, newObject, ctx.type);
  const comparison: Comparison = { added: filtered(raw.added, ctx), modified: filtered(raw.modified, ctx), removed: filtered(raw.removed, ctx) };
  const changed = comparison.modified.union(comparison.added);
  const taken = new Map<string, FieldSet>();
  for (const [id, entry] of managers) {
    if (id === workflow) continue;
    const overlap = entry.set.intersection(changed);
    if (!overlap.isEmpty()) taken.set(id, overlap);
  }
  if (!force && taken.size > 0) {
    const conflicts: Conflict[] = [];
    for (const id of [...taken.keys()].sort(compareStrings)) for (const path of taken.get(id)!.paths()) conflicts.push({ manager: id, path });
    throw new Conflicts(conflicts);
  }
  const out: Managed = new Map();
  for (const [id, entry] of managers) {
    let set = entry.set;
    if (id !== workflow) {
      const lost = taken.get(id);
      if (lost) set = set.difference(lost);
      set = set.difference(comparison.removed);
    }
    if (!set.isEmpty()) out.set(id, set === entry.set ? entry : withSet(entry, set));
  }
  return { managers: out, comparison };
}

/**
 * An ordinary write by `manager` (Updater.Update). `template` gives the entry's other parts when
 * the manager has none yet. Returns the new managers.
 */
export function updateOwnership(liveObject: unknown, newObject: unknown, managers: Managed, manager: string, template: Omit<ManagerEntry, 'set'>, ctx: UpdaterContext): Managed {
  const { managers: out, comparison } = takeChangedFields(liveObject, newObject, managers, manager, true, ctx);
  const previous = out.get(manager)?.set ?? new FieldSet();
  const set = filtered(previous.difference(comparison.removed).union(comparison.modified).union(comparison.added), ctx);
  if (set.isEmpty()) out.delete(manager);
  else out.set(manager, { ...template, set });
  return out;
}

/** The result of an apply: the object to store (undefined when nothing changed) and the managers. */
export interface ApplyResult {
  object: Record<string, unknown> | undefined;
  managers: Managed;
}

/** Applies `config` as `manager` (Updater.Apply). Throws Conflicts unless `force`. */
export function applyConfiguration(
  liveObject: Record<string, unknown>,
  config: Record<string, unknown>,
  managers: Managed,
  manager: string,
  template: Omit<ManagerEntry, 'set'>,
  force: boolean,
  ctx: UpdaterContext,
): ApplyResult {
  let merged = (merge(liveObject, config, ctx.type) ?? {}) as Record<string, unknown>;
  const lastSet = managers.get(manager)?.set;
  const next: Managed = new Map(managers);
  next.set(manager, { ...template, set: filtered(toFieldSet(config, ctx.type), ctx) });
  merged = prune(merged, next, manager, lastSet, ctx);
  const { managers: out } = takeChangedFields(liveObject, merged, next, manager, force, ctx);
  return { object: valuesEqual(liveObject, merged) ? undefined : merged, managers: out };
}

/**
 * Removes what the applier applied last time and not this time (Updater.prune), unless another
 * manager owns it, or the applier's new configuration does, or it was never the applier's.
 */
function prune(merged: Record<string, unknown>, managers: Managed, applier: string, lastSet: FieldSet | undefined, ctx: UpdaterContext): Record<string, unknown> {
  if (!lastSet || lastSet.isEmpty()) return merged;
  // The applier still applies everything it did: whatever the passes below remove, they add back.
  if (lastSet.difference(managers.get(applier)!.set).isEmpty()) return merged;
  const named = (set: FieldSet) => ensureNamedFieldsAreMembers(set, ctx.type);
  const last = named(lastSet);
  let pruned = removeItems(merged, last, ctx.type);
  // Add back what some manager (the applier's new set included) owns.
  let owned = new FieldSet();
  for (const entry of managers.values()) owned = owned.union(entry.set);
  const mergedSet = named(toFieldSet(merged, ctx.type));
  pruned = removeItems(merged, mergedSet.difference(named(toFieldSet(pruned, ctx.type)).union(named(owned))), ctx.type);
  // Add back what was removed but was never the applier's (dangling items): only removals of the
  // applier's own last fields stand. This last pass is what is stored, so emptied maps vanish.
  const removed = mergedSet.difference(named(toFieldSet(pruned, ctx.type))).intersection(last);
  return (removeItems(merged, removed, ctx.type, true) ?? {}) as Record<string, unknown>;
}
