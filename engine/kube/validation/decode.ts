/**
 * What upstream's decoder refuses inside values that are strings in JSON: resource quantities
 * (resource.Quantity's UnmarshalJSON: `cpu: abc`) and base64 bytes (a Secret's `data`, Go's
 * []byte: `password: hunter2`). Upstream fails the whole request while decoding, before any
 * defaulting or validation, with 400 BadRequest:
 *
 *   Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
 *   Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4
 *
 * Which fields hold a Quantity or bytes comes from upstream's OpenAPI schema of the kind
 * (engine/kube/openapi/spec.ts), so every kind is covered, those added later too. The first
 * problem in document order is reported, as Go's decoder stops at it.
 *
 * Pure: reads the object, throws an ApiError (400) or returns.
 */
import { badRequest } from '../errors.ts';
import { allSchemas, definitionOf, refOf, type Schema } from '../openapi/spec.ts';
import { quantitySyntaxError } from './quantity.ts';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

type Node = { type: 'quantity' } | { type: 'bytes' } | { type: 'object'; fields: Map<string, Node>; additional?: Node } | { type: 'list'; items: Node };

const compiled = new Map<string, Node | null>();
const byKind = new Map<string, Node | null>();

/** A schema's node, or null when nothing under it is a quantity or bytes (nothing to check there). */
function compile(schema: Schema | undefined, depth: number): Node | null {
  if (!schema || depth > 40) return null;
  const ref = refOf(schema);
  if (ref) return compileDefinition(ref, depth);
  if (schema.type === 'string' && schema.format === 'byte') return { type: 'bytes' };
  if (schema.type === 'array') {
    const items = compile(schema.items, depth + 1);
    return items ? { type: 'list', items } : null;
  }
  const fields = new Map<string, Node>();
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const node = compile(prop, depth + 1);
    if (node) fields.set(name, node);
  }
  const additional = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? compile(schema.additionalProperties, depth + 1) : null;
  if (fields.size === 0 && !additional) return null;
  return { type: 'object', fields, ...(additional ? { additional } : {}) };
}

function compileDefinition(name: string, depth: number): Node | null {
  if (name === QUANTITY) return { type: 'quantity' };
  if (compiled.has(name)) return compiled.get(name)!;
  // A type that contains itself (JSONSchemaProps) holds no quantity: cut the cycle.
  compiled.set(name, null);
  const node = compile(allSchemas()[name], depth + 1);
  compiled.set(name, node);
  return node;
}

function treeFor(apiVersion: string, kind: string): Node | null {
  const key = `${apiVersion}/${kind}`;
  if (byKind.has(key)) return byKind.get(key)!;
  const slash = apiVersion.indexOf('/');
  const name = definitionOf({ group: slash < 0 ? '' : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind });
  const node = name ? compileDefinition(name, 0) : null;
  byKind.set(key, node);
  return node;
}

/**
 * Go's base64.StdEncoding.Decode on `text`: null when it decodes, else the byte offset its
 * CorruptInputError names (padding required, '\r' and '\n' skipped, trailing data refused).
 */
export function base64ErrorOffset(text: string): number | null {
  const src = Buffer.from(text, 'utf8');
  const valid = (b: number) => (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b === 43 || b === 47;
  const newline = (b: number | undefined) => b === 10 || b === 13;
  let si = 0;
  while (si < src.length) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return null;
        return si - j;
      }
      const b = src[si++]!;
      if (valid(b)) continue;
      if (newline(b)) {
        j--;
        continue;
      }
      if (b !== 61) return si - 1;
      // Padding: only after two or three characters of the quantum.
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && newline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 61) return si - 1;
        si++;
      }
      while (si < src.length && newline(src[si])) si++;
      return si < src.length ? si : null;
    }
  }
  return null;
}

function problemIn(value: unknown, node: Node): string | null {
  if (value === null || value === undefined) return null;
  switch (node.type) {
    case 'quantity':
      return typeof value === 'string' || typeof value === 'number' ? quantitySyntaxError(value) : null;
    case 'bytes': {
      if (typeof value !== 'string') return null;
      const offset = base64ErrorOffset(value);
      return offset === null ? null : `illegal base64 data at input byte ${offset}`;
    }
    case 'list':
      if (!Array.isArray(value)) return null;
      for (const item of value) {
        const problem = problemIn(item, node.items);
        if (problem) return problem;
      }
      return null;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return null;
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const childNode = node.fields.get(key) ?? node.additional;
        if (!childNode) continue;
        const problem = problemIn(child, childNode);
        if (problem) return problem;
      }
      return null;
    }
  }
}

/** Throws upstream's 400 for the first quantity or base64 value its decoder would refuse. */
export function checkDecodableValues(object: { apiVersion?: unknown; kind?: unknown }): void {
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return;
  const tree = treeFor(object.apiVersion, object.kind);
  if (!tree) return;
  const problem = problemIn(object, tree);
  if (!problem) return;
  const version = object.apiVersion.split('/').pop();
  throw badRequest(`${object.kind} in version "${version}" cannot be handled as a ${object.kind}: ${problem}`);
}
