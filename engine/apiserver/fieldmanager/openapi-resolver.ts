/**
 * The TypeResolver over upstream's OpenAPI schemas (engine/kube/openapi/spec.ts), read as
 * kube-openapi's pkg/schemaconv reads them into structured-merge-diff's schema:
 *
 * - `properties` → a struct (declared fields); `additionalProperties` → the type of other keys;
 *   `x-kubernetes-preserve-unknown-fields` → other keys untyped; `x-kubernetes-map-type: atomic`
 *   (on the property or on the definition) → owned whole;
 * - `type: array` → a list: `x-kubernetes-list-type` atomic / set / map (with
 *   `x-kubernetes-list-map-keys`), else `x-kubernetes-patch-strategy: merge` with a
 *   `x-kubernetes-patch-merge-key` (a map keyed by it) or without one (a set), else atomic;
 * - strings with a format (int-or-string, date-time, quantity) take any scalar, as schemaconv's
 *   convertPrimitive makes them; `type: object` with neither properties nor additionalProperties
 *   (RawExtension, FieldsV1) is untyped; so is anything without a type.
 *
 * Two facts the published spec lacks and upstream's in-process one has: a Quantity is a string
 * or a number, and a port's protocol key defaults to "TCP" (its `default`). They are added here.
 * Types are built lazily (a struct's field types on first use) and cached per definition, so
 * recursive definitions cost nothing. Kinds the spec does not have fall back to `schemaResolver`.
 */
import { allSchemas, definitionOf, refOf, type Schema } from '../../kube/openapi/spec.ts';
import { schemaResolver } from './schema-resolver.ts';
import { listType, scalarType, type TypeNode, type TypeResolver, UNTYPED } from './types.ts';

/** Definitions whose published schema says less than the one upstream's apiserver compiles in. */
const UNTYPED_SCALAR_DEFINITIONS = new Set(['io.k8s.apimachinery.pkg.api.resource.Quantity']);

/** Defaults of list-map key fields (upstream's `+default` markers), by item definition. */
const KEY_DEFAULTS: Record<string, Record<string, unknown>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
};

const byDefinition = new Map<string, TypeNode>();

function definitionType(name: string): TypeNode {
  let type = byDefinition.get(name);
  if (!type) {
    type = UNTYPED_SCALAR_DEFINITIONS.has(name) ? scalarType('untyped') : schemaType(allSchemas()[name]);
    byDefinition.set(name, type);
  }
  return type;
}

function primitive(schema: Schema): TypeNode {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return scalarType('numeric');
    case 'boolean':
      return scalarType('boolean');
    case 'string':
      return scalarType(schema.format === undefined || schema.format === '' || schema.format === 'byte' ? 'string' : 'untyped');
    default:
      return scalarType('untyped');
  }
}

function listRelationship(schema: Schema): { listType: 'atomic' | 'set' | 'map'; keys: string[] } {
  const declared = schema['x-kubernetes-list-type'];
  if (declared === 'set') return { listType: 'set', keys: [] };
  if (declared === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'];
    return Array.isArray(keys) && keys.length > 0 ? { listType: 'map', keys: keys.map(String) } : { listType: 'atomic', keys: [] };
  }
  if (declared !== undefined) return { listType: 'atomic', keys: [] };
  const strategy = schema['x-kubernetes-patch-strategy'];
  if (strategy === 'merge' || strategy === 'merge,retainKeys') {
    const key = schema['x-kubernetes-patch-merge-key'];
    return typeof key === 'string' ? { listType: 'map', keys: [key] } : { listType: 'set', keys: [] };
  }
  return { listType: 'atomic', keys: [] };
}

function keyDefaults(items: Schema | undefined, keys: readonly string[]): Record<string, unknown> {
  const ref = items ? refOf(items) : undefined;
  const itemSchema = ref ? allSchemas()[ref] : items;
  const out: Record<string, unknown> = { ...(ref ? KEY_DEFAULTS[ref] : undefined) };
  for (const key of keys) {
    const fallback = itemSchema?.properties?.[key]?.default;
    if (fallback !== undefined) out[key] = fallback;
  }
  return out;
}

function schemaType(schema: Schema | undefined): TypeNode {
  if (!schema) return UNTYPED;
  const ref = refOf(schema);
  if (ref) {
    // A property may make its referenced struct atomic; otherwise the definition decides.
    const target = definitionType(ref);
    return schema['x-kubernetes-map-type'] === 'atomic' && target.kind === 'map' ? { ...target, atomic: true } : target;
  }
  if (schema['x-kubernetes-int-or-string'] === true) return scalarType('untyped');
  if (schema.type === 'array') {
    const { listType: kind, keys } = listRelationship(schema);
    return listType(schemaType(schema.items), kind, keys, kind === 'map' ? keyDefaults(schema.items, keys) : {});
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (properties || additional) {
    const fields = new Map<string, TypeNode>();
    return {
      kind: 'map',
      atomic: schema['x-kubernetes-map-type'] === 'atomic',
      field: (name) => {
        if (!properties || !Object.hasOwn(properties, name)) return undefined;
        let type = fields.get(name);
        if (!type) fields.set(name, (type = schemaType(properties[name])));
        return type;
      },
      elements: additional ? schemaType(additional) : preserve || !properties ? UNTYPED : undefined,
    };
  }
  if (schema.type === 'object' || schema.type === undefined) return UNTYPED;
  return primitive(schema);
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The resolver over upstream's OpenAPI: the field manager's default. */
export const openapiResolver: TypeResolver = {
  typeOf(apiVersion, kind) {
    const definition = definitionOf({ ...groupVersion(apiVersion), kind });
    return definition ? definitionType(definition) : schemaResolver.typeOf(apiVersion, kind);
  },
  zeroObject: (apiVersion, kind) => schemaResolver.zeroObject!(apiVersion, kind),
};
