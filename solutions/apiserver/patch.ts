/**
 * Exercise 02-apiserver/05-patch: the four ways to change part of an object.
 *
 * `kubectl label`, `scale` and `annotate` send a JSON merge patch; `kubectl apply` computes a
 * strategic merge patch (lists of containers merge by name, and `$setElementOrder` says their
 * order); client-node sends JSON patches (RFC 6902) by default; `kubectl apply --server-side`
 * sends the whole object and lets the server merge it. The server applies each to the stored object
 * and then treats the result as an ordinary update, so validation and optimistic concurrency apply.
 *
 * Read: lessons/core/02-apiserver/06-patch.md
 * Check: npx kubelings check 02-apiserver/05-patch
 */
import jsonpatch from 'fast-json-patch';
import { badRequest, unprocessable } from '#engine/kube/errors.ts';
import { any, type SchemaNode } from '#engine/kube/schema.ts';
import type { KubeObject } from '#engine/kube/types.ts';

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/**
 * RFC 7386 JSON merge patch.
 *
 * Must hold:
 * - a patch that is not an object replaces the target whole (arrays included);
 * - for an object patch: a `null` member deletes that member; an object member merges
 *   recursively (into {} when the target has no object there); any other member replaces;
 * - members of the target that the patch does not name are kept;
 * - neither input is modified.
 */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isObject(value)) result[key] = applyMergePatch(result[key], value);
    else result[key] = clone(value);
  }
  return result;
}

/** What evanphx/json-patch (the apiserver's library) says when an operation does not apply. */
function describePatchFailure(error: { name?: string; operation?: { op?: string; path?: string; from?: string } }): string {
  const op = error.operation?.op ?? 'patch';
  const path = error.operation?.path ?? '';
  switch (error.name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op} operation does not apply: doc is missing from path: ${error.operation?.from ?? ''}`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `${op} operation does not apply: index out of bounds: ${path}`;
    default:
      return `${op} operation does not apply: doc is missing path: ${path}`;
  }
}

const STRUCTURE_ERRORS = new Set([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

/**
 * RFC 6902 JSON patch: a list of operations (add, remove, replace, move, copy, test) applied in
 * order, all or nothing. fast-json-patch applies them; your job is the edges.
 *
 * Must hold:
 * - a body that is not a list is refused with badRequest, saying what the real apiserver says:
 *   `json: cannot unmarshal object into Go value of type jsonpatch.Patch` (with `object`, `string`,
 *   `number`, `boolean` or `null` for what was sent); client-node sends an object here when the
 *   caller forgets to choose a merge patch;
 * - a malformed operation (unknown op, path not starting with '/', add without value) is a
 *   badRequest;
 * - an operation that does not apply (a missing path, a failed test) is refused with
 *   unprocessable (422), and the target is left as it was: `testing value /a failed: test failed`,
 *   `<op> operation does not apply: doc is missing path: <path>`;
 * - the target is not modified; the result is a new document.
 */
export function applyJsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) {
    const kind = operations === null ? 'null' : isObject(operations) ? 'object' : typeof operations;
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type jsonpatch.Patch`);
  }
  const structure = jsonpatch.validate(operations as jsonpatch.Operation[]);
  if (structure) throw badRequest(`invalid JSON patch: operation ${structure.index ?? 0}: ${structure.message}`);
  try {
    return jsonpatch.applyPatch(clone(target), operations as jsonpatch.Operation[], true, true, true).newDocument;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name && STRUCTURE_ERRORS.has(e.name)) throw badRequest(`invalid JSON patch: ${e.message}`);
    throw unprocessable(describePatchFailure(error as Parameters<typeof describePatchFailure>[0]));
  }
}

function childSchema(schema: SchemaNode, key: string): SchemaNode {
  if (schema.type === 'object') return schema.fields[key] ?? any;
  if (schema.type === 'map') return schema.values;
  return any;
}

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

function identity(item: Json, mergeKey: string | undefined): Json {
  return mergeKey && isObject(item) ? item[mergeKey] : item;
}

/** Orders `list` as `order` says; items `order` does not name keep their place after those it does. */
function reorder(list: Json[], order: Json, mergeKey: string | undefined): Json[] {
  if (!Array.isArray(order)) return list;
  const wanted = order.map((o) => identity(o, mergeKey));
  const rank = (item: Json) => {
    const i = wanted.findIndex((w) => w === identity(item, mergeKey));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map((x) => x.item);
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

function mergeList(target: Json, patch: Json[], schema: SchemaNode, order: Json): Json[] {
  if (schema.type !== 'list') return patch.map((p) => stripDirectives(p));
  if (schema.setMerge) {
    const result = Array.isArray(target) ? [...target] : [];
    for (const item of patch) if (!result.includes(item)) result.push(item);
    return reorder(result, order, undefined);
  }
  const key = schema.mergeKey;
  if (!key) return patch.map((p) => stripDirectives(p));
  if (patch.some((p) => isObject(p) && p.$patch === 'replace' && !(key in p))) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace' && !(key in p))).map((p) => stripDirectives(p));
  }
  let result: Json[] = Array.isArray(target) ? target.map((t) => clone(t)) : [];
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      throw unprocessable(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    }
    const id = item[key];
    if (item.$patch === 'delete') {
      result = result.filter((r) => identity(r, key) !== id);
      continue;
    }
    const at = result.findIndex((r) => identity(r, key) === id);
    if (at >= 0) result[at] = applyStrategicMergePatch(result[at], item, schema.items);
    else result.push(applyStrategicMergePatch({}, item, schema.items));
  }
  return reorder(result, order, key);
}

/**
 * Strategic merge patch, for the directives kubectl sends
 * (k8s.io/apimachinery/pkg/util/strategicpatch).
 *
 * Must hold:
 * - objects merge as in a JSON merge patch: `null` deletes a member, objects merge recursively,
 *   scalars replace; the schema of a member is schema.fields[name] (or `any` when not modelled);
 * - a list whose schema has a `mergeKey` merges element by element: a patch element updates the
 *   target element with the same key (merging recursively), or is appended when there is none;
 *   target elements the patch does not name are kept; an element `{"$patch": "delete", <key>: v}`
 *   removes the element with that key; an element without the merge key is refused
 *   (unprocessable); a list element `{"$patch": "replace"}` makes the list exactly the other
 *   elements;
 * - a list whose schema has `setMerge` (finalizers) becomes the union, without duplicates;
 *   `$deleteFromPrimitiveList/<field>` removes the values it lists;
 * - any other list is replaced whole;
 * - `$setElementOrder/<field>` orders the merged list: elements it names come first, in its order,
 *   then the others in the order they had;
 * - `$patch: replace` in an object replaces that object whole; `$patch: delete` deletes it;
 * - `$retainKeys: [...]` drops every member of the merged object it does not list;
 * - no directive (a key starting with `$`) is left in the result; neither input is modified.
 */
export function applyStrategicMergePatch(target: Json, patch: Json, schema: SchemaNode): Json {
  if (!isObject(patch)) return stripDirectives(clone(patch));
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const child = childSchema(schema, key);
    if (value === null) delete result[key];
    else if (isObject(value)) {
      const merged = applyStrategicMergePatch(result[key], value, child);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, child, patch[`${SET_ORDER}${key}`]);
    } else result[key] = value;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      if (Array.isArray(result[field]) && Array.isArray(value)) result[field] = (result[field] as Json[]).filter((v) => !value.includes(v));
    } else if (key.startsWith(SET_ORDER)) {
      const field = key.slice(SET_ORDER.length);
      if (!(field in patch) && Array.isArray(result[field])) {
        const child = childSchema(schema, field);
        result[field] = reorder(result[field] as Json[], value, child.type === 'list' ? child.mergeKey : undefined);
      }
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  return result;
}

/**
 * Server-side apply, simplified to create-or-merge: the applied configuration is created when
 * nothing exists, and otherwise merged into what is stored.
 *
 * Must hold:
 * - with no existing object, the result is the applied object (a copy);
 * - otherwise: objects merge member by member (members only the stored object has are kept),
 *   lists with a `mergeKey` merge by key, `setMerge` lists become the union, other lists and
 *   scalars are replaced by the applied ones, `null` removes a member;
 * - keys starting with `$` have no special meaning here: they are refused with badRequest;
 * - neither input is modified.
 */
export function applyServerSide(existing: KubeObject | undefined, applied: KubeObject, schema: SchemaNode): KubeObject {
  const directive = findDirective(applied);
  if (directive) throw badRequest(`server-side apply does not take patch directives: found "${directive}"`);
  if (!existing) return clone(applied);
  return applyStrategicMergePatch(existing, applied, schema) as KubeObject;
}

function findDirective(value: Json): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findDirective(v);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$')) return k;
      const found = findDirective(v);
      if (found) return found;
    }
  }
  return undefined;
}
