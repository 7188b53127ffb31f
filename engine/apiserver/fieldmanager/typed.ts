/**
 * The operations on a JSON object guided by its type (structured-merge-diff's typed package:
 * validate.go, tofieldset.go, compare.go, merge.go, remove.go, helpers.go), written afresh for JSON
 * values:
 *
 * - validate: what upstream's typed conversion refuses in an applied configuration (fields not in
 *   the schema, duplicate list keys, items missing every key field, wrong scalar types), with its
 *   messages (`.spec.template.spec.containers: duplicate entries for key [name="nginx"]`);
 * - toFieldSet: the fields an object sets: what an applier owns;
 * - compare: the fields added, modified and removed between two objects: what an update changes;
 * - merge: an applied configuration merged into the live object (scalars and atomic lists/maps are
 *   replaced, maps merge by key, map lists by item key, sets by value);
 * - removeItems: an object without the given fields (how an applier's dropped fields are pruned);
 * - ensureNamedFieldsAreMembers: a set where every declared struct field on a path is itself a
 *   member (so pruning removes a struct only when nothing under it is owned).
 *
 * Values are JSON values; `undefined` means absent, `null` is JSON null. Inputs are never modified;
 * results may share unchanged subtrees with the inputs (callers clone before handing them out).
 */
import { goQuote, goSyntax, goType, goValue, setMember } from './format.ts';
import { FieldSet } from './fieldset.ts';
import { type PathElement, elementToString, fieldElement, indexElement, keyElement, valueElement } from './path.ts';
import { type ListType, type MapType, type ScalarType, type TypeNode, listType, mapType, scalarType, UNTYPED } from './types.ts';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// The atoms used for untyped ("deduced") values, and for a value whose JSON type contradicts its
// declared type (treated as one leaf; validation reports the contradiction where upstream does).
const DEDUCED_MAP: MapType = mapType({}, { elements: UNTYPED });
const DEDUCED_LIST: ListType = listType(UNTYPED, 'atomic');
const DEDUCED_SCALAR: ScalarType = scalarType('untyped');
const LEAF: ScalarType = scalarType('untyped');

type Atom = ScalarType | MapType | ListType;

/** The concrete type to handle `value` with (deduceAtom). */
export function atomOf(declared: TypeNode, value: unknown): Atom {
  switch (declared.kind) {
    case 'untyped':
      if (Array.isArray(value)) return DEDUCED_LIST;
      if (isScalar(value)) return DEDUCED_SCALAR;
      return DEDUCED_MAP;
    case 'scalar':
      return value === null || value === undefined || isScalar(value) ? declared : LEAF;
    case 'map':
      return value === null || value === undefined || isObject(value) ? declared : LEAF;
    case 'list':
      return value === null || value === undefined || Array.isArray(value) ? declared : LEAF;
  }
}

/** The type of `key` in a map: its declared field, else the map's elements, else untyped. */
export function fieldType(map: MapType, key: string): TypeNode {
  return map.field(key) ?? map.elements ?? UNTYPED;
}

function present(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The value of an own member of `object`, or undefined. */
export const presentValue = present;

/** value.Equals: structural equality of JSON values (absent keys and undefined are the same). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    let na = 0;
    for (const key in a) {
      if (a[key] === undefined) continue;
      na++;
      if (!valuesEqual(a[key], present(b, key))) return false;
    }
    let nb = 0;
    for (const key in b) if (b[key] !== undefined) nb++;
    return na === nb;
  }
  return false;
}

/** `%q` of a list of strings: `["containerPort" "protocol"]`. */
function quoteList(names: readonly string[]): string {
  return `[${names.map(goQuote).join(' ')}]`;
}

/** The path element of a list item (listItemToPathElement), or the reason it has none. */
export function listItemElement(list: ListType, item: unknown): PathElement | string {
  if (list.listType === 'map' && list.keys.length > 0) {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isObject(item)) return 'associative list with keys may not have non-map elements';
    const fields: [string, unknown][] = [];
    for (const key of list.keys) {
      const value = present(item, key);
      if (value !== undefined) fields.push([key, value]);
      else {
        const fallback = list.keyDefault(key);
        if (fallback !== undefined) fields.push([key, fallback]);
      }
    }
    if (fields.length === 0) return `associative list with keys has an element that omits all key fields ${quoteList(list.keys)} (and doesn't have default values for any key fields)`;
    return keyElement(fields);
  }
  if (isObject(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null || item === undefined) return "associative list without keys has an element that's an explicit null";
  return valueElement(item);
}

// ── validate ──────────────────────────────────────────────────────────────────────────────────

/** One refusal of typed conversion: `path` as upstream prints it (`.spec.replicas`), may be ''. */
export interface TypedError {
  path: string;
  message: string;
}

/** ValidationErrors.Error(): one error as `path: message`, several under `errors:`. */
export function formatTypedErrors(errors: readonly TypedError[]): string {
  const one = (e: TypedError) => (e.path ? `${e.path}: ${e.message}` : e.message);
  if (errors.length === 1) return one(errors[0]);
  return ['errors:', ...errors.map((e) => `  ${one(e)}`)].join('\n');
}

function scalarError(type: ScalarType, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type.scalar) {
    case 'numeric':
      return typeof value === 'number' ? undefined : `expected numeric (int or float), got ${goType(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `expected string, got &value.valueUnstructured{Value:${goSyntax(value)}}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected boolean, got &{${goValue(value)}}`;
    case 'untyped':
      return isScalar(value) ? undefined : `expected any scalar, got &{${goValue(value)}}`;
  }
}

export interface ValidateOptions {
  /** Accept items with the same key in a set or map list (the live object may have them). */
  readonly allowDuplicates: boolean;
  /** 'refuse': a field the kind does not declare is an error (an applied configuration). */
  readonly unknownFields: 'refuse' | 'allow';
}

/**
 * What upstream's conversion to a typed value refuses (validatingObjectWalker). The live object
 * is converted with duplicates allowed; an applied configuration without.
 */
export function validate(value: unknown, type: TypeNode, options: ValidateOptions): TypedError[] {
  const { allowDuplicates } = options;
  const errors: TypedError[] = [];
  const walk = (v: unknown, declared: TypeNode, prefix: string): void => {
    if (v === undefined) return;
    if (declared.kind === 'untyped') {
      if (isObject(v)) walkMap(v, DEDUCED_MAP, prefix);
      else if (Array.isArray(v)) walkList(v, DEDUCED_LIST, prefix);
      return;
    }
    switch (declared.kind) {
      case 'scalar': {
        const message = scalarError(declared, v);
        if (message) errors.push({ path: prefix, message });
        return;
      }
      case 'list':
        if (v === null) return;
        if (!Array.isArray(v)) errors.push({ path: prefix, message: `expected list, got &{${goValue(v)}}` });
        else walkList(v, declared, prefix);
        return;
      case 'map':
        if (v === null) return;
        if (!isObject(v)) errors.push({ path: prefix, message: `expected map, got &{${goValue(v)}}` });
        else walkMap(v, declared, prefix);
        return;
    }
  };
  const walkList = (list: unknown[], type: ListType, prefix: string): void => {
    if (type.listType === 'atomic') {
      list.forEach((item, i) => walk(item, type.items, prefix + elementToString(indexElement(i))));
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      const pe = listItemElement(type, list[i]);
      if (typeof pe === 'string') {
        errors.push({ path: prefix, message: `element ${i}: ${pe}` });
        return;
      }
      if (seen.has(pe.id) && !allowDuplicates) errors.push({ path: prefix, message: `duplicate entries for key ${elementToString(pe)}` });
      seen.add(pe.id);
      walk(list[i], type.items, prefix + elementToString(pe));
    }
  };
  const walkMap = (map: JsonObject, type: MapType, prefix: string): void => {
    for (const key of Object.keys(map)) {
      const v = map[key];
      if (v === undefined) continue;
      const declared = type.field(key) ?? type.elements ?? (options.unknownFields === 'allow' ? UNTYPED : undefined);
      if (!declared) {
        errors.push({ path: prefix + elementToString(fieldElement(key)), message: 'field not declared in schema' });
        return;
      }
      walk(v, declared, prefix + elementToString(fieldElement(key)));
    }
  };
  walk(value, type, '');
  return errors;
}

// ── toFieldSet ────────────────────────────────────────────────────────────────────────────────

/** The fields `value` sets (TypedValue.ToFieldSet): what an applier of `value` owns. */
export function toFieldSet(value: unknown, type: TypeNode): FieldSet {
  const set = new FieldSet();
  const atom = atomOf(type, value);
  if (atom.kind === 'map' && isObject(value)) fieldsOfMap(value, atom, set);
  else if (atom.kind === 'list' && Array.isArray(value) && atom.listType !== 'atomic') fieldsOfList(value, atom, set);
  return set;
}

/** Adds the fields of `value`, found under `pe` in `parent`. */
function fieldsOf(value: unknown, declared: TypeNode, parent: FieldSet, pe: PathElement): void {
  const atom = atomOf(declared, value);
  switch (atom.kind) {
    case 'scalar':
      parent.addMember(pe);
      return;
    case 'list':
      if (atom.listType === 'atomic') parent.addMember(pe);
      else if (Array.isArray(value)) {
        fieldsOfList(value, atom, parent.descend(pe));
        parent.dropIfEmpty(pe);
      }
      return;
    case 'map':
      if (atom.atomic) parent.addMember(pe);
      else if (isObject(value)) {
        fieldsOfMap(value, atom, parent.descend(pe));
        parent.dropIfEmpty(pe);
      }
      return;
  }
}

export function isEmptyObject(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (value[key] !== undefined) return false;
  return true;
}

function fieldsOfMap(map: JsonObject, type: MapType, set: FieldSet): void {
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const pe = fieldElement(key);
    const declared = type.field(key);
    fieldsOf(value, declared ?? type.elements ?? UNTYPED, set, pe);
    // A struct field owns itself only when empty or null; a map key always does.
    if (value === null || isEmptyObject(value) || !declared) set.addMember(pe);
  }
}

function fieldsOfList(list: unknown[], type: ListType, set: FieldSet): void {
  const elements: (PathElement | undefined)[] = list.map((item) => {
    const pe = listItemElement(type, item);
    return typeof pe === 'string' ? undefined : pe;
  });
  const counts = new Map<string, number>();
  for (const pe of elements) if (pe) counts.set(pe.id, (counts.get(pe.id) ?? 0) + 1);
  for (let i = 0; i < list.length; i++) {
    const pe = elements[i];
    if (!pe) continue;
    // An item whose key is duplicated is owned as a whole, once.
    if (counts.get(pe.id)! > 1) {
      set.addMember(pe);
      continue;
    }
    fieldsOf(list[i], type.items, set, pe);
    set.addMember(pe);
  }
}

// ── compare ───────────────────────────────────────────────────────────────────────────────────

/** What changed from one object to another (typed.Comparison); no field is in two of the sets. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** The fields added, modified and removed going from `lhs` to `rhs`. */
export function compare(lhs: unknown, rhs: unknown, type: TypeNode): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const path: PathElement[] = [];

  const leaf = (l: unknown, r: unknown): true => {
    if (l === undefined) out.added.insert(path);
    else if (r === undefined) out.removed.insert(path);
    else if (!valuesEqual(l, r)) out.modified.insert(path);
    return true;
  };

  /** Handles one value pair as `atom`; true when it was a leaf. */
  const handle = (atom: Atom, l: unknown, r: unknown): boolean => {
    if (atom.kind === 'scalar') return leaf(l, r);
    if (atom.kind === 'list') {
      const ll = Array.isArray(l) ? l : undefined;
      const rl = Array.isArray(r) ? r : undefined;
      if (atom.listType === 'atomic' || ((!ll || ll.length === 0) && (!rl || rl.length === 0))) return leaf(l, r);
      compareListItems(ll ?? [], rl ?? [], atom);
      return false;
    }
    const lm = isObject(l) ? l : undefined;
    const rm = isObject(r) ? r : undefined;
    if (atom.atomic || ((!lm || isEmptyObject(lm)) && (!rm || isEmptyObject(rm)))) return leaf(l, r);
    compareMapItems(lm ?? {}, rm ?? {}, atom);
    return false;
  };

  const compareValue = (l: unknown, r: unknown, declared: TypeNode): void => {
    const al = l === undefined ? undefined : atomOf(declared, l);
    const ar = r === undefined ? undefined : atomOf(declared, r);
    let inLeaf: boolean;
    if (ar === undefined) inLeaf = handle(al!, l, r);
    else if (al === undefined || al === ar) inLeaf = handle(ar, l, r);
    else {
      // The value changed shape: both sides are walked (upstream walks a copy for the old one).
      handle(al, l, r);
      inLeaf = handle(ar, l, r);
    }
    if (!inLeaf) {
      if (l === undefined) out.added.insert(path);
      else if (r === undefined) out.removed.insert(path);
    }
  };

  const compareMapItems = (l: JsonObject, r: JsonObject, type: MapType): void => {
    const visit = (key: string) => {
      path.push(fieldElement(key));
      compareValue(present(l, key), present(r, key), fieldType(type, key));
      path.pop();
    };
    for (const key of Object.keys(l)) if (l[key] !== undefined) visit(key);
    for (const key of Object.keys(r)) if (r[key] !== undefined && present(l, key) === undefined) visit(key);
  };

  const compareListItems = (l: unknown[], r: unknown[], type: ListType): void => {
    const groups = new Map<string, { pe: PathElement; left: unknown[]; right: unknown[] }>();
    const group = (item: unknown, side: 'left' | 'right') => {
      const pe = listItemElement(type, item);
      if (typeof pe === 'string') return;
      let g = groups.get(pe.id);
      if (!g) groups.set(pe.id, (g = { pe, left: [], right: [] }));
      g[side].push(item);
    };
    for (const item of l) group(item, 'left');
    for (const item of r) group(item, 'right');
    for (const { pe, left, right } of groups.values()) {
      path.push(pe);
      if (left.length <= 1 && right.length <= 1) compareValue(left[0], right[0], type.items);
      else if (left.length >= 2 && right.length >= 2) {
        // Duplicated before and after: compared as one atomic value.
        if (!valuesEqual(left, right)) out.modified.insert(path);
      } else if (left.length >= 2) {
        if (right.length === 1) compareValue(undefined, right[0], type.items);
        out.removed.insert(path);
      } else {
        if (left.length === 1) compareValue(left[0], undefined, type.items);
        out.added.insert(path);
      }
      path.pop();
    }
  };

  compareValue(lhs, rhs, type);
  return out;
}

// ── merge ─────────────────────────────────────────────────────────────────────────────────────

/**
 * `rhs` merged into `lhs` (TypedValue.Merge with the keep-right rule): leaves, atomic lists and
 * atomic maps take the right side when it is present; maps merge key by key; associative lists
 * merge item by item, in an order that keeps the right side's order for shared items and the
 * left side's items where they were. Undefined when both sides are absent.
 */
export function merge(lhs: unknown, rhs: unknown, type: TypeNode): unknown {
  const keepRight = (l: unknown, r: unknown) => (r !== undefined ? r : l);

  const handle = (atom: Atom, l: unknown, r: unknown): unknown => {
    if (atom.kind === 'scalar') return keepRight(l, r);
    if (atom.kind === 'list') {
      const ll = Array.isArray(l) ? l : undefined;
      const rl = Array.isArray(r) ? r : undefined;
      if (atom.listType === 'atomic' || ((!ll || ll.length === 0) && (!rl || rl.length === 0))) return keepRight(l, r);
      return mergeListItems(ll ?? [], rl ?? [], atom);
    }
    const lm = isObject(l) ? l : undefined;
    const rm = isObject(r) ? r : undefined;
    if (atom.atomic || ((!lm || isEmptyObject(lm)) && (!rm || isEmptyObject(rm)))) return keepRight(l, r);
    return mergeMapItems(lm ?? {}, rm ?? {}, atom);
  };

  const mergeValue = (l: unknown, r: unknown, declared: TypeNode): unknown => {
    if (r === undefined) return l === undefined ? undefined : handle(atomOf(declared, l), l, r);
    return handle(atomOf(declared, r), l, r);
  };

  const mergeMapItems = (l: JsonObject, r: JsonObject, type: MapType): JsonObject | undefined => {
    const out: JsonObject = {};
    let any = false;
    const visit = (key: string) => {
      const merged = mergeValue(present(l, key), present(r, key), fieldType(type, key));
      if (merged !== undefined) {
        setMember(out, key, merged);
        any = true;
      }
    };
    for (const key of Object.keys(l)) if (l[key] !== undefined) visit(key);
    for (const key of Object.keys(r)) if (r[key] !== undefined && present(l, key) === undefined) visit(key);
    return any ? out : undefined;
  };

  const index = (list: readonly unknown[], type: ListType, allowDuplicates: boolean) => {
    const order: PathElement[] = [];
    const items: unknown[] = [];
    const observed = new Map<string, unknown>();
    for (const item of list) {
      const pe = listItemElement(type, item);
      if (typeof pe === 'string') continue;
      if (observed.has(pe.id)) {
        if (!allowDuplicates) continue;
        // Duplicated items are not merged with the new value: they become null.
        observed.set(pe.id, null);
      } else observed.set(pe.id, item);
      order.push(pe);
      items.push(item);
    }
    return { order, items, observed };
  };

  const mergeListItems = (l: readonly unknown[], r: readonly unknown[], type: ListType): unknown[] | undefined => {
    const right = index(r, type, false);
    const left = index(l, type, true);
    const out: unknown[] = [];
    const shared = right.order.filter((pe) => left.observed.has(pe.id));
    let sharedAt = 0;
    let nextShared: PathElement | undefined = shared[sharedAt++];
    const mergedRight = new Set<string>();
    const push = (value: unknown) => {
      if (value !== undefined) out.push(value);
    };
    let li = 0;
    let ri = 0;
    while (li < left.order.length || ri < right.order.length) {
      if (li < left.order.length && ri < right.order.length) {
        const pe = left.order[li];
        if (pe.id === right.order[ri].id) {
          mergedRight.add(pe.id);
          push(mergeValue(left.observed.get(pe.id), right.observed.get(pe.id), type.items));
          li++;
          ri++;
          nextShared = shared[sharedAt++];
          continue;
        }
        if (right.observed.has(pe.id) && nextShared && nextShared.id !== pe.id) {
          // A shared item, but not the one whose turn it is: it comes later, in the right's order.
          li++;
          continue;
        }
      }
      if (li < left.order.length) {
        const pe = left.order[li];
        if (!right.observed.has(pe.id)) {
          push(mergeValue(left.items[li], undefined, type.items));
          li++;
          continue;
        } else if (mergedRight.has(pe.id)) li++;
      }
      if (ri < right.order.length) {
        const pe = right.order[ri];
        mergedRight.add(pe.id);
        push(mergeValue(left.observed.get(pe.id), right.observed.get(pe.id), type.items));
        ri++;
        if (nextShared && nextShared.id === pe.id) nextShared = shared[sharedAt++];
      }
    }
    return out.length > 0 ? out : undefined;
  };

  return mergeValue(lhs, rhs, type);
}

// ── removeItems ───────────────────────────────────────────────────────────────────────────────

/**
 * `value` without the fields in `toRemove` (TypedValue.RemoveItems): a member removes the field or
 * item whole; atomic lists and maps are removed whole when anything under them is named. A map or
 * list left empty becomes null, as upstream's walker makes it; with `dropEmptied` it is left out
 * instead, as upstream's Go round trip of the stored object then drops it.
 */
export function removeItems(value: unknown, toRemove: FieldSet, type: TypeNode, dropEmptied = false): unknown {
  const emptied = dropEmptied ? undefined : null;
  const remove = (v: unknown, set: FieldSet, declared: TypeNode): unknown => {
    const atom = atomOf(declared, v);
    if (atom.kind === 'scalar') return v;
    if (atom.kind === 'list') {
      if (!Array.isArray(v)) return v;
      if (v.length === 0 || atom.listType === 'atomic') return emptied;
      const out: unknown[] = [];
      for (const item of v) {
        const pe = listItemElement(atom, item);
        if (typeof pe === 'string') {
          out.push(item);
          continue;
        }
        if (set.hasMember(pe)) continue;
        const sub = set.withPrefix(pe);
        const kept = sub.isEmpty() ? item : remove(item, sub, atom.items);
        // An item emptied of its fields stays in the list (as upstream's Go struct would).
        out.push(kept === undefined ? (isObject(item) ? {} : null) : kept);
      }
      return out.length > 0 ? out : emptied;
    }
    if (!isObject(v)) return v;
    if (isEmptyObject(v) || atom.atomic) return emptied;
    const out: JsonObject = {};
    let any = false;
    for (const key of Object.keys(v)) {
      if (v[key] === undefined) continue;
      const pe = fieldElement(key);
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      const kept = sub.isEmpty() ? v[key] : remove(v[key], sub, fieldType(atom, key));
      if (kept !== undefined) {
        setMember(out, key, kept);
        any = true;
      }
    }
    return any ? out : emptied;
  };
  return toRemove.isEmpty() ? value : remove(value, toRemove, type);
}

// ── ensureNamedFieldsAreMembers ───────────────────────────────────────────────────────────────

/** `set` with every declared struct field that has paths under it made a member too. */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: TypeNode): FieldSet {
  const out = new FieldSet();
  const walk = (from: FieldSet, declared: TypeNode | undefined, into: FieldSet): void => {
    const map = declared?.kind === 'map' ? declared : undefined;
    const list = declared?.kind === 'list' ? declared : undefined;
    for (const { pe, member, children } of from.entries()) {
      if (member) into.addMember(pe);
      if (!children || children.isEmpty()) continue;
      let childType: TypeNode | undefined;
      if (pe.type === 'field' && map) {
        const field = map.field(pe.name);
        if (field) into.addMember(pe);
        childType = field ?? map.elements;
      } else if (pe.type === 'key' && list) childType = list.items;
      walk(children, childType, into.descend(pe));
      into.dropIfEmpty(pe);
    }
  };
  walk(set, type, out);
  return out;
}
