/**
 * Unknown-field pruning: given a kind's compiled field tree and a decoded object, returns the
 * object without the fields the kind's schema does not have, and the path of each one dropped.
 * This is what kube-apiserver's typed decoder does to every write of a built-in kind (Go's JSON
 * decoder drops fields a struct lacks), and what `fieldValidation=Strict|Warn` reports.
 *
 * Paths are upstream's strict-decoding paths: `extra`, `metadata.bogusMeta`,
 * `spec.template.spec.containers[0].hostPrt`, map entries as `.key` (sigs.k8s.io/json, as quoted
 * in kube-apiserver's `unknown field "..."` errors and warnings).
 *
 * Pure and copy-on-write: the input is never changed; subtrees without unknown fields are shared
 * with the result, so an object without unknown fields comes back as the same reference.
 * `sortKeys` walks keys in sorted order (how upstream reports a YAML body, decoded through a map).
 */
import type { FieldNode } from './walker.ts';

export interface PruneResult {
  object: unknown;
  /** Paths of the fields dropped, in walk order. */
  unknown: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The path of the field at the top of `stack` (keys, and list indexes as numbers), built only for a field dropped. */
function pathOf(stack: readonly (string | number)[]): string {
  let out = '';
  for (const part of stack) out = typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part;
  return out;
}

/** One walk; `stack` is the path to `value`, pushed and popped around each child (no string per field). */
function pruneValue(value: unknown, node: FieldNode, stack: (string | number)[], unknown: string[], sortKeys: boolean): unknown {
  if (node.type === 'list') {
    if (!Array.isArray(value)) return value;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      stack.push(i);
      const pruned = pruneValue(item, node.items, stack, unknown, sortKeys);
      stack.pop();
      if (pruned !== item) {
        out ??= value.slice();
        out[i] = pruned;
      }
    }
    return out ?? value;
  }
  if (node.type === 'leaf' || !isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  const keys = sortKeys ? Object.keys(value).sort() : Object.keys(value);
  for (const key of keys) {
    const child = node.fields.get(key) ?? node.additional;
    const current = value[key];
    stack.push(key);
    if (!child) {
      if (!node.preserveUnknown) {
        unknown.push(pathOf(stack));
        out ??= { ...value };
        delete out[key];
      }
      stack.pop();
      continue;
    }
    const pruned = pruneValue(current, child, stack, unknown, sortKeys);
    stack.pop();
    if (pruned !== current) {
      out ??= { ...value };
      out[key] = pruned;
    }
  }
  return out ?? value;
}

/** Drops the fields `tree` does not have from `object`; see the file header. */
export function pruneUnknownFields(tree: FieldNode, object: unknown, options: { sortKeys?: boolean } = {}): PruneResult {
  const unknown: string[] = [];
  const pruned = pruneValue(object, tree, [], unknown, options.sortKeys ?? false);
  return { object: pruned, unknown };
}
