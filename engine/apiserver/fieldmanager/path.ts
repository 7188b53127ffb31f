/**
 * Path elements: one step from an object into a child, as structured-merge-diff's fieldpath names
 * them (sigs.k8s.io/structured-merge-diff fieldpath/element.go, serialize-pe.go):
 * - a field of a map or struct: `f:name`, printed `.name`;
 * - the item of a list of maps with keys: `k:{"containerPort":80,"protocol":"TCP"}`, printed
 *   `[containerPort=80,protocol="TCP"]` (key fields sorted by name);
 * - the item of a set (a list of scalars): `v:"example.com/cleanup"`, printed `[="example.com/cleanup"]`;
 * - an index into a positional list: `i:3`, printed `[3]` (read from managedFields only; SSA
 *   itself never records indices: such lists are atomic).
 *
 * Invariants: `id` is the FieldsV1 key of the element and identifies it (two elements are equal
 * exactly when their ids are); elements are ordered as upstream orders them (fields, then keys,
 * then values, then indices), which is the order of keys in a FieldsV1 object.
 */
import { compareStrings, goFloat, goJSON, goNumber, goQuote } from './format.ts';

export type KeyField = readonly [name: string, value: unknown];

export type PathElement =
  | { readonly type: 'field'; readonly name: string; readonly id: string }
  | { readonly type: 'key'; readonly fields: readonly KeyField[]; readonly id: string }
  | { readonly type: 'value'; readonly value: unknown; readonly id: string }
  | { readonly type: 'index'; readonly index: number; readonly id: string };

export type Path = readonly PathElement[];

/** Field elements are immutable and few: the common ones are made once (bounded, so hostile keys cannot grow it). */
const FIELD_ELEMENTS = new Map<string, PathElement>();
const FIELD_ELEMENTS_KEPT = 4096;

export function fieldElement(name: string): PathElement {
  let pe = FIELD_ELEMENTS.get(name);
  if (!pe) {
    pe = { type: 'field', name, id: `f:${name}` };
    if (FIELD_ELEMENTS.size < FIELD_ELEMENTS_KEPT && name.length <= 64) FIELD_ELEMENTS.set(name, pe);
  }
  return pe;
}

/** A key element; `fields` need not be sorted. */
export function keyElement(fields: readonly KeyField[]): PathElement {
  const sorted = fields.length > 1 ? [...fields].sort((a, b) => compareStrings(a[0], b[0])) : fields;
  let id = 'k:{';
  for (let n = 0; n < sorted.length; n++) id += `${n > 0 ? ',' : ''}${goJSON(sorted[n][0])}:${goJSON(sorted[n][1], true)}`;
  return { type: 'key', fields: sorted, id: `${id}}` };
}

export function valueElement(value: unknown): PathElement {
  return { type: 'value', value, id: `v:${goJSON(value, true)}` };
}

export function indexElement(index: number): PathElement {
  return { type: 'index', index, id: `i:${index}` };
}

/** A path from field names, for tests and fixed paths: `makePath('spec', 'replicas')`. */
export function makePath(...names: string[]): Path {
  return names.map(fieldElement);
}

const TYPE_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

function typeRank(value: unknown): number {
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return 1;
  if (typeof value === 'boolean') return 2;
  if (Array.isArray(value)) return 3;
  if (value !== null && typeof value === 'object') return 4;
  return 5;
}

/** structured-merge-diff's total order of values (value.Compare): numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
    }
    case 4: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(compareStrings);
      const lx = Object.keys(x).length;
      const ly = Object.keys(y).length;
      let i = 0;
      for (const key of keys) {
        let c: number;
        if (i === lx) c = -1;
        else if (i === ly) c = 1;
        else if (!(key in x)) c = 1;
        else if (!(key in y)) c = -1;
        else c = compareValues(x[key], y[key]);
        if (c !== 0) return c;
        i++;
      }
      return 0;
    }
    default:
      return 0;
  }
}

/** The order of path elements (PathElement.Compare). */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.type !== b.type) return TYPE_ORDER[a.type] < TYPE_ORDER[b.type] ? -1 : 1;
  switch (a.type) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const x = a.fields;
      const y = (b as typeof a).fields;
      for (let i = 0; ; i++) {
        if (i >= x.length && i >= y.length) return 0;
        if (i >= x.length) return -1;
        if (i >= y.length) return 1;
        const c = compareStrings(x[i][0], y[i][0]) || compareValues(x[i][1], y[i][1]);
        if (c !== 0) return c;
      }
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index': {
      const other = (b as typeof a).index;
      return a.index < other ? -1 : a.index > other ? 1 : 0;
    }
  }
}

/** value.ToString: how a key or set value is printed inside a path. */
function valueToString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? goNumber(value) : goFloat(value);
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(valueToString).join(',')}]`;
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${valueToString(v)}`)
    .join('');
}

/** The element as a conflict message prints it: `.replicas`, `[name="nginx"]`, `[="a"]`, `[0]`. */
export function elementToString(pe: PathElement): string {
  switch (pe.type) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([k, v]) => `${k}=${valueToString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** A path as upstream prints it: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathToString(path: Path): string {
  return path.map(elementToString).join('');
}

/** Why a FieldsV1 key could not be read. */
export class PathElementError extends Error {
  override name = 'PathElementError';
}

/**
 * Reads one FieldsV1 key (fieldpath.DeserializePathElement). Returns undefined for an unknown
 * element type (upstream drops those: a future version may know them) and throws
 * PathElementError for a malformed one.
 */
export function parsePathElement(text: string): PathElement | undefined {
  if (text.length < 2) throw new PathElementError('key must be 2 characters long:');
  if (text[1] !== ':') throw new PathElementError(`missing colon: ${text}`);
  const rest = text.slice(2);
  switch (text[0]) {
    case 'f':
      return fieldElement(rest);
    case 'v':
      return valueElement(parseJSON(rest));
    case 'k': {
      const object = parseJSON(rest);
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        throw new PathElementError(`ReadObjectCB: expect { or n, but found ${rest[0] ?? 'nothing'}`);
      }
      return keyElement(Object.entries(object));
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(rest)) throw new PathElementError(`strconv.Atoi: parsing ${goQuote(rest)}: invalid syntax`);
      return indexElement(Number(rest));
    }
    default:
      return undefined;
  }
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PathElementError(`managedFields parsing: ${(error as Error).message}`);
  }
}
