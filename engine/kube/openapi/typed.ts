/**
 * The decoder's type check against upstream's schemas: what kube-apiserver's JSON decoder refuses
 * when it decodes a body into a kind's Go structs (sigs.k8s.io/json, case-sensitive, as
 * k8s.io/apimachinery's serializer uses it). A body whose `spec.containers` is a string never gets
 * past decoding upstream:
 *
 *   json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container
 *
 * worded as Go's UnmarshalTypeError is: the innermost struct, the path of struct fields from the
 * root (no map keys, no list indexes), the Go type of the field (from the definition names:
 * `io.k8s.api.core.v1.Container` is `v1.Container`). `null` is accepted anywhere and dropped, as
 * Go decodes it to the zero value (a null list item becomes its type's zero value).
 *
 * Checked: JSON types against the schema's (string, integer with int32/int64 ranges, boolean,
 * number, object, array), IntOrString (a string or an integer), Quantity (a string or a number).
 * Not checked here: the syntax of a quantity, a time or base64 bytes (their own unmarshallers
 * upstream), and unknown fields (prune.ts).
 *
 * Pure and copy-on-write: the input is never changed, and comes back as the same reference when
 * it holds no null. Compiled trees are cached per kind; recursive types share nodes.
 */
import { allSchemas, definitionOf, refOf, type GroupVersionKind, type Schema } from './spec.ts';

type Scalar = 'string' | 'int32' | 'int64' | 'bool' | 'float64' | 'int-or-string' | 'quantity' | 'any';

type TypeNode =
  | { type: 'struct'; name: string; go: string; fields: Map<string, TypeNode> }
  | { type: 'map'; go: string; values: TypeNode }
  | { type: 'list'; go: string; items: TypeNode }
  | { type: 'scalar'; go: string; scalar: Scalar }
  | { type: 'any' };

/** A value of the wrong JSON type: the message is Go's. */
export class TypeMismatchError extends Error {
  override name = 'TypeMismatchError';
}

const ANY: TypeNode = { type: 'any' };
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const byDefinition = new Map<string, TypeNode>();
const byKind = new Map<string, TypeNode | null>();

/** `io.k8s.api.core.v1.Container` → `v1.Container` (Go's package-qualified type name). */
function goName(definition: string): string {
  const parts = definition.split('.');
  return parts.slice(-2).join('.');
}

function scalarOf(schema: Schema): TypeNode {
  switch (schema.type) {
    case 'string':
      if (schema.format === 'int-or-string') return { type: 'scalar', go: 'intstr.IntOrString', scalar: 'int-or-string' };
      return { type: 'scalar', go: schema.format === 'byte' ? '[]uint8' : 'string', scalar: 'string' };
    case 'integer':
      return schema.format === 'int32' ? { type: 'scalar', go: 'int32', scalar: 'int32' } : { type: 'scalar', go: 'int64', scalar: 'int64' };
    case 'boolean':
      return { type: 'scalar', go: 'bool', scalar: 'bool' };
    case 'number':
      return { type: 'scalar', go: 'float64', scalar: 'float64' };
    default:
      return ANY;
  }
}

function compileSchema(schema: Schema | undefined): TypeNode {
  if (!schema) return ANY;
  const ref = refOf(schema);
  if (ref) return compileDefinition(ref);
  if (schema['x-kubernetes-int-or-string'] === true) return { type: 'scalar', go: 'intstr.IntOrString', scalar: 'int-or-string' };
  if (schema.type === 'array') {
    const items = compileSchema(schema.items);
    return { type: 'list', go: `[]${goOf(items)}`, items };
  }
  if (schema.type === 'object' || schema.properties || schema.additionalProperties) {
    if (schema.properties) return ANY; // an inline struct: not in upstream's built-in schemas
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      const values = compileSchema(schema.additionalProperties);
      return { type: 'map', go: `map[string]${goOf(values)}`, values };
    }
    return ANY;
  }
  return scalarOf(schema);
}

function goOf(node: TypeNode): string {
  return node.type === 'any' ? 'interface {}' : node.go;
}

function compileDefinition(name: string): TypeNode {
  const cached = byDefinition.get(name);
  if (cached) return cached;
  if (name === QUANTITY) {
    const node: TypeNode = { type: 'scalar', go: 'resource.Quantity', scalar: 'quantity' };
    byDefinition.set(name, node);
    return node;
  }
  if (name === INT_OR_STRING) {
    const node: TypeNode = { type: 'scalar', go: 'intstr.IntOrString', scalar: 'int-or-string' };
    byDefinition.set(name, node);
    return node;
  }
  const schema = allSchemas()[name];
  if (!schema?.properties) {
    // A named scalar (Time, MicroTime) or an opaque object (RawExtension, FieldsV1).
    const base = schema ? compileSchema({ ...schema, $ref: undefined, allOf: undefined }) : ANY;
    const node: TypeNode = base.type === 'scalar' ? { ...base, go: base.scalar === 'string' ? goName(name) : base.go } : base;
    byDefinition.set(name, node);
    return node;
  }
  // Registered before its fields are compiled, so a type that contains itself reuses this node.
  const node: TypeNode & { type: 'struct' } = { type: 'struct', name: name.split('.').pop()!, go: goName(name), fields: new Map() };
  byDefinition.set(name, node);
  for (const [field, prop] of Object.entries(schema.properties as Record<string, Schema>)) node.fields.set(field, compileSchema(prop));
  return node;
}

/** The compiled type of a kind, or undefined when upstream's spec has no schema for it. */
export function typeTree(gvk: GroupVersionKind): TypeNode | undefined {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let node = byKind.get(key);
  if (node === undefined) {
    const def = definitionOf(gvk);
    node = def ? compileDefinition(def) : null;
    byKind.set(key, node);
  }
  return node ?? undefined;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function zeroOf(node: TypeNode): unknown {
  switch (node.type) {
    case 'struct':
      return {};
    case 'map':
    case 'any':
      return null;
    case 'list':
      return [];
    case 'scalar':
      if (node.scalar === 'int32' || node.scalar === 'int64' || node.scalar === 'float64') return 0;
      if (node.scalar === 'bool') return false;
      return node.scalar === 'any' ? null : '';
  }
}

/**
 * Where a value sits, as Go's UnmarshalTypeError names it: the innermost struct and the struct
 * fields from the root. `fields` is pushed and popped around each struct field, so no string is
 * built unless a value is refused.
 */
interface Where {
  struct: string;
  fields: string[];
}

const NOWHERE: Where = { struct: '', fields: [] };

function mismatch(value: unknown, node: TypeNode, where: Where, number = false): never {
  const what = number ? `number ${String(value)}` : jsonType(value);
  const field = where.struct ? `Go struct field ${where.struct}.${where.fields.join('.')}` : 'Go value';
  throw new TypeMismatchError(`json: cannot unmarshal ${what} into ${field} of type ${goOf(node)}`);
}

function checkScalar(value: unknown, node: TypeNode & { type: 'scalar' }, where: Where): void {
  switch (node.scalar) {
    case 'string':
      if (typeof value !== 'string') mismatch(value, node, where);
      return;
    case 'bool':
      if (typeof value !== 'boolean') mismatch(value, node, where);
      return;
    case 'float64':
      if (typeof value !== 'number') mismatch(value, node, where);
      return;
    case 'int32':
    case 'int64': {
      if (typeof value !== 'number') mismatch(value, node, where);
      const limit = node.scalar === 'int32' ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(value) || (value as number) < -limit || (value as number) >= limit) mismatch(value, node, where, true);
      return;
    }
    case 'int-or-string':
      // intstr.IntOrString.UnmarshalJSON: a string, or else an int32 (its own error names no field).
      if (typeof value === 'string') return;
      if (typeof value !== 'number') mismatch(value, { type: 'scalar', go: 'int32', scalar: 'int32' }, NOWHERE);
      if (!Number.isInteger(value) || Math.abs(value as number) >= 2 ** 31) mismatch(value, { type: 'scalar', go: 'int32', scalar: 'int32' }, NOWHERE, true);
      return;
    case 'quantity':
      if (typeof value !== 'string' && typeof value !== 'number') mismatch(value, node, where);
      return;
    default:
  }
}

function walk(value: unknown, node: TypeNode, where: Where): unknown {
  switch (node.type) {
    case 'any':
      return value;
    case 'scalar':
      checkScalar(value, node, where);
      return value;
    case 'list': {
      if (!Array.isArray(value)) mismatch(value, node, where);
      let out: unknown[] | undefined;
      const list = value as unknown[];
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        const next = item === null ? zeroOf(node.items) : walk(item, node.items, where);
        if (next !== item) {
          out ??= list.slice();
          out[i] = next;
        }
      }
      return out ?? value;
    }
    case 'map':
    case 'struct': {
      if (!isPlainObject(value)) mismatch(value, node, where);
      const object = value as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      for (const key in object) {
        const child = object[key];
        let next: unknown;
        if (child === null) next = undefined;
        else if (node.type === 'map') next = walk(child, node.values, where);
        else {
          const field = node.fields.get(key);
          // Unknown fields are left for pruning (prune.ts) to report and drop.
          if (field) {
            // The child is a field of this struct: named by it, at the path so far plus its key.
            const outer = where.struct;
            where.struct = node.name;
            where.fields.push(key);
            next = walk(child, field, where);
            where.fields.pop();
            where.struct = outer;
          } else next = child;
        }
        if (next !== child) {
          out ??= { ...object };
          if (next === undefined) delete out[key];
          else out[key] = next;
        }
      }
      return out ?? value;
    }
  }
}

/**
 * `object` checked against the kind's types, without its nulls; throws TypeMismatchError with Go's
 * message. Kinds upstream's spec lacks come back unchanged.
 */
export function decodeTyped(gvk: GroupVersionKind, object: unknown): unknown {
  const tree = typeTree(gvk);
  if (!tree) return object;
  return walk(object, tree, { struct: '', fields: [] });
}
