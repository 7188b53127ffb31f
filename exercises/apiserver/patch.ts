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
import { NotImplemented } from '#engine/errors.ts';
import { any, type SchemaNode } from '#engine/kube/schema.ts';
import type { KubeObject } from '#engine/kube/types.ts';

// Given for you to use: fast-json-patch (jsonpatch.validate, jsonpatch.applyPatch) for RFC 6902,
// badRequest and unprocessable (422) for patches that cannot be applied, and `any`, the schema of
// a field that is not modelled.
void [jsonpatch, badRequest, unprocessable, any];

const PAGE = 'lessons/core/02-apiserver/06-patch.md';

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
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  // TODO: recurse member by member.
  throw new NotImplemented('02-apiserver/05-patch', PAGE, 'applyMergePatch()');
}

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
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  // TODO: check the body, validate the operations, apply them to a copy, translate the errors.
  throw new NotImplemented('02-apiserver/05-patch', PAGE, 'applyJsonPatch()');
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
export function applyStrategicMergePatch(target: unknown, patch: unknown, schema: SchemaNode): unknown {
  // TODO: like a merge patch, plus lists merged by key and the directives above.
  throw new NotImplemented('02-apiserver/05-patch', PAGE, 'applyStrategicMergePatch()');
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
  // TODO: create or merge.
  throw new NotImplemented('02-apiserver/05-patch', PAGE, 'applyServerSide()');
}
