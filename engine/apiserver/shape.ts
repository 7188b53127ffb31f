/**
 * The decoding step's type check. A real apiserver decodes JSON into typed Go structs, so a body
 * whose `spec.containers` is a string, or whose `replicas` is "three", never gets further than the
 * decoder: `json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type
 * []v1.Container`, a 400. This does the same against the structural schemas of engine/kube/schema.ts,
 * so that defaulting, validation and the registry (the learner's code among them) only ever see
 * values of the shapes they expect. `null` is accepted anywhere and removed, as Go decodes it to
 * the zero value and leaves it out again (omitempty).
 */
import type { SchemaNode } from '../kube/schema.ts';
import { badRequest } from '../kube/errors.ts';

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function goType(node: SchemaNode): string {
  switch (node.type) {
    case 'object':
      return 'struct';
    case 'map':
      return 'map[string]string';
    case 'list':
      return `[]${node.items.type === 'object' ? 'struct' : node.items.type === 'scalar' && node.items.of === 'string' ? 'string' : 'interface {}'}`;
    case 'scalar':
      return node.of === 'integer' ? 'int32' : node.of === 'boolean' ? 'bool' : node.of === 'int-or-string' ? 'intstr.IntOrString' : node.of === 'number' ? 'float64' : 'string';
    default:
      return 'interface {}';
  }
}

function fits(value: unknown, node: SchemaNode): boolean {
  switch (node.type) {
    case 'object':
    case 'map':
      return jsonType(value) === 'object';
    case 'list':
      return Array.isArray(value);
    case 'scalar':
      switch (node.of) {
        case 'string':
          return typeof value === 'string';
        case 'integer':
          return typeof value === 'number' && Number.isInteger(value);
        case 'number':
          return typeof value === 'number';
        case 'boolean':
          return typeof value === 'boolean';
        case 'int-or-string':
          return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
        default:
          return ['string', 'number', 'boolean'].includes(typeof value);
      }
    default:
      return true;
  }
}

/** What Go decodes a null list element into: the element type's zero value. */
function zeroOf(node: SchemaNode): unknown {
  switch (node.type) {
    case 'object':
    case 'map':
      return {};
    case 'list':
      return [];
    case 'scalar':
      return node.of === 'integer' || node.of === 'number' ? 0 : node.of === 'boolean' ? false : '';
    default:
      return null;
  }
}

/**
 * Checks `value` against `schema` and returns a copy without nulls; a value of the wrong type is a
 * 400 naming the field, as the apiserver's decoder words it after `<Kind> in version "<v>" cannot be
 * handled as a <Kind>: `.
 */
export function decodeShape<T>(value: T, schema: SchemaNode, kind: string, version: string): T {
  const walk = (v: unknown, node: SchemaNode, path: string): unknown => {
    if (v === null) return undefined;
    if (!fits(v, node)) {
      throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal ${jsonType(v)} into Go struct field ${kind}.${path} of type ${goType(node)}`);
    }
    if (node.type === 'object' || node.type === 'map' || (node.type === 'any' && jsonType(v) === 'object')) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
        const childNode = node.type === 'object' ? (node.fields[key] ?? { type: 'any' }) : node.type === 'map' ? node.values : node;
        const next = walk(child, childNode, path ? `${path}.${key}` : key);
        if (next !== undefined) out[key] = next;
      }
      return out;
    }
    if (node.type === 'list' || (node.type === 'any' && Array.isArray(v))) {
      const items = node.type === 'list' ? node.items : node;
      return (v as unknown[]).map((item) => (item === null ? zeroOf(items) : walk(item, items, path)));
    }
    return v;
  };
  return walk(value, schema, '') as T;
}
