/**
 * Upstream's OpenAPI schemas of the built-in kinds, as `generate.ts` trimmed them into
 * `kubernetes-1.32.json` (OpenAPI 3.0 component schemas, keyed by upstream's definition names such
 * as `io.k8s.api.core.v1.Pod`, `$ref`s pointing at `#/components/schemas/...`).
 *
 * The file is read on first use, not at import: the in-process engine boots without it, and the
 * first OpenAPI request or checked write pays the parse (about 5 ms for its 0.6 MB).
 *
 * Invariants: the schemas are never mutated (documents and walkers derive their own copies); a
 * kind is found by its `x-kubernetes-group-version-kind` extension, exactly as kubectl finds it.
 */
import { readFileSync } from 'node:fs';

export type Schema = Record<string, any>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export const REF_PREFIX = '#/components/schemas/';

interface Spec {
  info: Schema;
  schemas: Readonly<Record<string, Schema>>;
  byKind: Map<string, string>;
}

let loaded: Spec | undefined;

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

function load(): Spec {
  if (loaded) return loaded;
  const file = JSON.parse(readFileSync(new URL('./kubernetes-1.32.json', import.meta.url), 'utf8')) as { info: Schema; schemas: Record<string, Schema> };
  const byKind = new Map<string, string>();
  for (const [name, schema] of Object.entries(file.schemas)) {
    const gvks: GroupVersionKind[] = schema['x-kubernetes-group-version-kind'] ?? [];
    // A schema listing many kinds (DeleteOptions, WatchEvent) is a shared helper type, not a kind's own schema.
    if (gvks.length !== 1) continue;
    byKind.set(gvkKey(gvks[0]!), name);
  }
  loaded = { info: file.info, schemas: file.schemas, byKind };
  return loaded;
}

/** Every schema, by definition name. */
export function allSchemas(): Readonly<Record<string, Schema>> {
  return load().schemas;
}

/** The header of the generated file: where the schemas come from. */
export function specInfo(): Schema {
  return load().info;
}

/** The definition name of a kind's schema (`io.k8s.api.apps.v1.Deployment`), or undefined. */
export function definitionOf(gvk: GroupVersionKind): string | undefined {
  return load().byKind.get(gvkKey(gvk));
}

/** The definition a `$ref` (or a single-entry `allOf` wrapping one) points at, or undefined. */
export function refOf(schema: Schema): string | undefined {
  const ref: unknown = schema.$ref ?? (Array.isArray(schema.allOf) && schema.allOf.length === 1 ? schema.allOf[0]?.$ref : undefined);
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/** The definition names reachable from the given ones (themselves included), sorted. */
export function closureOf(roots: Iterable<string>): string[] {
  const schemas = load().schemas;
  const seen = new Set<string>();
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) add(v.slice(REF_PREFIX.length));
      else visit(v);
    }
  };
  const add = (name: string): void => {
    if (seen.has(name) || !schemas[name]) return;
    seen.add(name);
    visit(schemas[name]);
  };
  for (const r of roots) add(r);
  return [...seen].sort();
}
