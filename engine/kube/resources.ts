/**
 * What the engine serves, and how to find it: the kinds of engine/kube/kinds/index.ts in
 * discovery order (the core group first, then groups, versions and resources alphabetically),
 * and the lookups discovery, routing, the client and the learner's registry use. The facts of one
 * resource (ResourceInfo) and the names derived from them are in resource-info.ts, re-exported
 * here.
 */
import * as listed from './kinds/index.ts';
import type { KindDefinition } from './kinds/types.ts';
import { groupVersion, type ResourceInfo } from './resource-info.ts';

export * from './resource-info.ts';

function byDiscoveryOrder(a: KindDefinition, b: KindDefinition): number {
  const key = (k: KindDefinition) => [k.group === '' ? 0 : 1, k.group, k.version, k.resource] as const;
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

/** Every kind the engine serves, in discovery order. */
export const KINDS: readonly KindDefinition[] = Object.values(listed as Record<string, KindDefinition>).sort(byDiscoveryOrder);

/** The same list, as the resources discovery and OpenAPI describe. */
export const RESOURCES: readonly KindDefinition[] = KINDS;

const byPath = new Map<string, KindDefinition>();
const byKind = new Map<string, KindDefinition>();
for (const r of KINDS) {
  const path = `${r.group}/${r.version}/${r.resource}`;
  const kind = `${groupVersion(r)}/${r.kind}`;
  if (byPath.has(path) || byKind.has(kind)) throw new Error(`two kind definitions serve ${path} (${kind}): each resource and kind is defined once`);
  byPath.set(path, r);
  byKind.set(kind, r);
}

/** The kind served at group/version/plural, or undefined. */
export function findResource(group: string, version: string, resource: string): KindDefinition | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** The kind of an apiVersion + kind (`apps/v1`, `Deployment`), or undefined. */
export function findResourceForKind(apiVersion: string, kind: string): KindDefinition | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** The full definition of a resource the engine serves (a ResourceInfo from this list). */
export function kindOf(info: Pick<ResourceInfo, 'group' | 'version' | 'resource'>): KindDefinition {
  const kind = findResource(info.group, info.version, info.resource);
  if (!kind) throw new Error(`no kind serves ${info.group}/${info.version}/${info.resource}`);
  return kind;
}

/**
 * The resource a short name, plural, singular or kind names (`po`, `pods`, `pod`, `Pod`,
 * `deployments.apps`), as kubectl resolves a type argument. Undefined when none does.
 */
export function resolveResource(name: string): KindDefinition | undefined {
  const [base, ...groupParts] = name.split('.');
  const group = groupParts.join('.');
  const lower = base!.toLowerCase();
  return KINDS.find((r) => (groupParts.length === 0 || r.group === group) && (r.resource === lower || r.singular === lower || r.kind.toLowerCase() === lower || r.shortNames.includes(lower)));
}

/** Every group/version served, core first, in a stable order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of KINDS) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
