/**
 * The fields a create owns, in one walk (the fast path of updateManagedFields for a create whose
 * body sets no managedFields: every create through the API). It computes exactly what the general
 * path does for that case, `compare(New(), object)`'s added and modified fields less the reset and
 * stripped ones (typed.ts `compare`, updater.ts `updateOwnership`), without building the removed
 * set, the intermediate sets or a path per leaf: the walk descends the kind's type and the object
 * together and marks members in one FieldSet as it goes.
 *
 * Where the two values take different shapes (the zero object's and the object's: never for the
 * built-in kinds, whose zero values are nulls and empty structs of the declared types), or the
 * object nests deeper than MAX_NESTING_DEPTH, it answers `undefined` and the caller takes the
 * general path. test/engine/fieldmanager-created.test.ts holds the two paths to the same answers.
 */
import { FieldSet } from './fieldset.ts';
import { fieldElement, type PathElement } from './path.ts';
import { atomOf, fieldType, isEmptyObject, listItemElement, presentValue, valuesEqual } from './typed.ts';
import type { ListType, MapType, TypeNode } from './types.ts';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The walk gave up: the general path must answer. */
class Unsupported extends Error {}

interface Walk {
  readonly maxDepth: number;
}

/** One value pair at `pe` under `set` (compareValue for what it adds or modifies). */
function value(w: Walk, l: unknown, r: unknown, declared: TypeNode, set: FieldSet, pe: PathElement, reset: FieldSet | undefined, depth: number): void {
  if (r === undefined) return; // only removals: nothing to own
  if (reset?.hasMember(pe)) return; // reset fields are nobody's, nor anything under them
  if (depth > w.maxDepth) throw new Unsupported();
  const ar = atomOf(declared, r);
  if (l !== undefined && atomOf(declared, l) !== ar) throw new Unsupported();
  let leaf: boolean;
  if (ar.kind === 'scalar') leaf = true;
  else if (ar.kind === 'list') {
    const ll = Array.isArray(l) ? l : undefined;
    const rl = Array.isArray(r) ? r : undefined;
    leaf = ar.listType === 'atomic' || ((!ll || ll.length === 0) && (!rl || rl.length === 0));
    if (!leaf) {
      listItems(w, ll ?? [], rl ?? [], ar, set.descend(pe), reset?.withPrefix(pe), depth + 1);
      set.dropIfEmpty(pe);
    }
  } else {
    const lm = isObject(l) ? l : undefined;
    const rm = isObject(r) ? r : undefined;
    leaf = ar.atomic || ((!lm || isEmptyObject(lm)) && (!rm || isEmptyObject(rm)));
    if (!leaf) {
      mapItems(w, lm ?? {}, rm ?? {}, ar, set.descend(pe), reset?.withPrefix(pe), depth + 1);
      set.dropIfEmpty(pe);
    }
  }
  // A leaf is owned when it is new or different; a container when it is new.
  if (leaf ? l === undefined || !valuesEqual(l, r) : l === undefined) set.addMember(pe);
}

function mapItems(w: Walk, l: JsonObject, r: JsonObject, type: MapType, set: FieldSet, reset: FieldSet | undefined, depth: number): void {
  for (const key in r) {
    const rv = r[key];
    if (rv === undefined || !Object.hasOwn(r, key)) continue;
    value(w, presentValue(l, key), rv, fieldType(type, key), set, fieldElement(key), reset, depth);
  }
}

type ItemGroups = Map<string, { pe: PathElement; left: unknown[]; right: unknown[] }>;

/**
 * Files one list item under its path element. A module function, not a closure in listItems:
 * tsx (esbuild keepNames) names every closure as it is made, a cost paid per list per write.
 */
function groupItem(groups: ItemGroups, type: ListType, item: unknown, right: boolean): void {
  const pe = listItemElement(type, item);
  if (typeof pe === 'string') return;
  let g = groups.get(pe.id);
  if (!g) groups.set(pe.id, (g = { pe, left: [], right: [] }));
  (right ? g.right : g.left).push(item);
}

function listItems(w: Walk, l: unknown[], r: unknown[], type: ListType, set: FieldSet, reset: FieldSet | undefined, depth: number): void {
  const groups: ItemGroups = new Map();
  for (const item of l) groupItem(groups, type, item, false);
  for (const item of r) groupItem(groups, type, item, true);
  for (const { pe, left, right } of groups.values()) {
    if (reset?.hasMember(pe)) continue;
    if (left.length <= 1 && right.length <= 1) value(w, left[0], right[0], type.items, set, pe, reset, depth);
    else if (left.length >= 2 && right.length >= 2) {
      if (!valuesEqual(left, right)) set.addMember(pe);
    } else if (left.length < 2) {
      // Duplicated now: owned as one value (what it had under the one old item is not walked).
      set.addMember(pe);
    } else if (right.length === 1) value(w, undefined, right[0], type.items, set, pe, reset, depth);
  }
}

/**
 * The fields `object` adds to or changes from `zero` (the kind's empty object), without the
 * `reset` ones; undefined when only the general path can tell (see the file header).
 */
export function createdFields(zero: JsonObject, object: JsonObject, type: TypeNode, reset: FieldSet, maxDepth: number): FieldSet | undefined {
  const root = atomOf(type, object);
  if (root.kind !== 'map' || atomOf(type, zero) !== root || root.atomic) return undefined;
  const set = new FieldSet();
  try {
    mapItems({ maxDepth }, zero, object, root, set, reset.isEmpty() ? undefined : reset, 1);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return set;
}
