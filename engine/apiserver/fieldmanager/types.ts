/**
 * What the field manager needs to know about a kind's shape: structured-merge-diff's schema model
 * (sigs.k8s.io/structured-merge-diff schema/elements.go), reduced to what ownership depends on.
 *
 * - scalar: a leaf; `scalar` says which JSON values it accepts ('untyped' takes any scalar: an
 *   int-or-string).
 * - map: a struct (declared `field`s) and/or a map (`elements`: the type of keys not declared; a
 *   struct without `elements` refuses other keys in an applied configuration). `atomic` maps
 *   (x-kubernetes-map-type: atomic, e.g. a LabelSelector or nodeSelector) are owned whole.
 * - list: 'atomic' (the default for lists: owned and replaced whole), 'set' (x-kubernetes-list-type:
 *   set: scalars, each owned on its own, `v:"a"`), or 'map' (x-kubernetes-list-type: map with
 *   x-kubernetes-list-map-keys, or a patch-merge-key: items owned by key, `k:{"name":"a"}`).
 *   `keyDefault` gives the default of a key field an item may omit (a container port's protocol is
 *   "TCP"), as OpenAPI `default`s do upstream.
 * - untyped: nothing is known (structured-merge-diff's "deduced" type): a map's keys are each owned,
 *   lists are atomic, scalars are leaves.
 *
 * A TypeResolver gives the type of each served kind. Implementations: `openapiResolver`
 * (openapi-resolver.ts, the default: upstream's OpenAPI and its x-kubernetes-list-type,
 * x-kubernetes-list-map-keys, x-kubernetes-map-type, x-kubernetes-patch-strategy/merge-key and
 * `default`) and `schemaResolver` (schema-resolver.ts, from engine/kube/schema.ts: the fallback
 * for kinds the OpenAPI spec lacks).
 */

export type ScalarKind = 'string' | 'numeric' | 'boolean' | 'untyped';

export interface ScalarType {
  readonly kind: 'scalar';
  readonly scalar: ScalarKind;
}

export interface MapType {
  readonly kind: 'map';
  readonly atomic: boolean;
  /** The type of a declared field, or undefined when `name` is not one. */
  field(name: string): TypeNode | undefined;
  /** The type of every key that is not a declared field; undefined: no other keys allowed. */
  readonly elements: TypeNode | undefined;
}

export interface ListType {
  readonly kind: 'list';
  readonly listType: 'atomic' | 'set' | 'map';
  /** For 'map' lists: the key fields (x-kubernetes-list-map-keys). */
  readonly keys: readonly string[];
  /** The default of a key field, used when an item omits it; undefined when there is none. */
  keyDefault(name: string): unknown;
  readonly items: TypeNode;
}

export interface UntypedType {
  readonly kind: 'untyped';
}

export type TypeNode = ScalarType | MapType | ListType | UntypedType;

export interface TypeResolver {
  /** The type of an object of this kind (a map at the root), or undefined for a kind it does not know. */
  typeOf(apiVersion: string, kind: string): TypeNode | undefined;
  /**
   * The object a new, empty object of this kind is (what upstream's `New()` marshals to: Go structs
   * that are not pointers are present, e.g. a Deployment's `spec.template`). A create is compared
   * against it, so ownership of a created object matches upstream's. Defaults to `{}`.
   */
  zeroObject?(apiVersion: string, kind: string): Record<string, unknown>;
}

export const UNTYPED: UntypedType = { kind: 'untyped' };

/** A map type from a table of fields (a struct when `elements` is undefined). */
export function mapType(fields: Readonly<Record<string, TypeNode>>, options: { atomic?: boolean; elements?: TypeNode } = {}): MapType {
  return {
    kind: 'map',
    atomic: options.atomic ?? false,
    field: (name) => (Object.hasOwn(fields, name) ? fields[name] : undefined),
    elements: options.elements,
  };
}

export function scalarType(scalar: ScalarKind = 'untyped'): ScalarType {
  return { kind: 'scalar', scalar };
}

export function listType(items: TypeNode, listType: ListType['listType'] = 'atomic', keys: readonly string[] = [], defaults: Readonly<Record<string, unknown>> = {}): ListType {
  return { kind: 'list', listType, keys, keyDefault: (name) => defaults[name], items };
}
