/**
 * A kind's schema compiled into a small tree the prune and strict-decoding passes walk without
 * looking anything up: each object node holds its fields in a Map, each list node its item node.
 * Compiled once per kind and cached; recursive types share nodes, so compiling terminates.
 *
 * How upstream's schema maps to nodes (the same rules kube-apiserver's typed decoder follows for
 * built-in kinds, and apiextensions' structural pruning for `x-kubernetes-preserve-unknown-fields`):
 * - `properties` → an object node; a key outside them is unknown, unless the schema also has
 *   `additionalProperties` (its node checks the value) or `x-kubernetes-preserve-unknown-fields`;
 * - only `additionalProperties` → a map: any key, each value checked against that node;
 * - `type: object` with neither (RawExtension, FieldsV1) → opaque: anything is kept;
 * - `type: array` → a list node over `items`; `$ref` and single-entry `allOf` are followed;
 * - anything else is a leaf (strings, numbers, int-or-string, quantities, times).
 */
import { allSchemas, definitionOf, refOf, type GroupVersionKind, type Schema } from './spec.ts';

export type FieldNode =
  | { type: 'object'; fields: Map<string, FieldNode>; additional: FieldNode | undefined; preserveUnknown: boolean }
  | { type: 'list'; items: FieldNode }
  | { type: 'leaf' };

const LEAF: FieldNode = { type: 'leaf' };

const byDefinition = new Map<string, FieldNode>();
const byKind = new Map<string, FieldNode | null>();

function compileSchema(schema: Schema | undefined): FieldNode {
  if (!schema) return LEAF;
  const ref = refOf(schema);
  if (ref) return compileDefinition(ref);
  if (schema.type === 'array') return { type: 'list', items: compileSchema(schema.items) };
  const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? compileSchema(schema.additionalProperties) : undefined;
  if (schema.properties) {
    const node: FieldNode = { type: 'object', fields: new Map(), additional, preserveUnknown };
    for (const [name, prop] of Object.entries(schema.properties as Record<string, Schema>)) node.fields.set(name, compileSchema(prop));
    return node;
  }
  if (additional) return { type: 'object', fields: new Map(), additional, preserveUnknown };
  return LEAF;
}

function compileDefinition(name: string): FieldNode {
  const cached = byDefinition.get(name);
  if (cached) return cached;
  const schema = allSchemas()[name];
  if (!schema?.properties) {
    const node = compileSchema(schema ? { ...schema, $ref: undefined, allOf: undefined } : undefined);
    byDefinition.set(name, node);
    return node;
  }
  // Registered before its fields are compiled, so a type that contains itself reuses this node.
  const node: FieldNode & { type: 'object' } = {
    type: 'object',
    fields: new Map(),
    additional: undefined,
    preserveUnknown: schema['x-kubernetes-preserve-unknown-fields'] === true,
  };
  byDefinition.set(name, node);
  for (const [field, prop] of Object.entries(schema.properties as Record<string, Schema>)) node.fields.set(field, compileSchema(prop));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') node.additional = compileSchema(schema.additionalProperties);
  return node;
}

/** Compiles a schema given inline (a CRD's, a test's); `$ref`s resolve against upstream's schemas. */
export function compileFieldTree(schema: Schema): FieldNode {
  return compileSchema(schema);
}

/** The compiled node of a kind, or undefined when upstream's spec has no schema for it. */
export function fieldTree(gvk: GroupVersionKind): FieldNode | undefined {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let node = byKind.get(key);
  if (node === undefined) {
    const def = definitionOf(gvk);
    node = def ? compileDefinition(def) : null;
    byKind.set(key, node);
  }
  return node ?? undefined;
}
