/**
 * Discovery: how clients learn what this server serves. `/version`, `/api` (APIVersions),
 * `/apis` (APIGroupList), `/apis/<group>` (APIGroup), and one APIResourceList per group/version
 * (`/api/v1`, `/apis/apps/v1`) listing each resource's verbs, short names, categories and
 * subresources. kubectl also asks `/api` and `/apis` for aggregated discovery (apidiscovery.k8s.io/v2,
 * one response with everything); it is served too, which saves kubectl one request per group.
 *
 * Everything is derived from engine/kube/resources.ts, plus the group/versions an aggregated
 * ApiService serves while it is registered (aggregator.ts: metrics.k8s.io when metrics are served).
 */
import { KUBERNETES_VERSION } from '../params.ts';
import { groupVersion, groupVersions, RESOURCES, type ResourceInfo } from '../kube/resources.ts';
import type { ApiService } from './aggregator.ts';

/** The Content-Type of an aggregated discovery response; kubectl decides the format from it alone. */
export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_DISCOVERY_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The body of GET /version. */
export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_VERSION.major,
    minor: KUBERNETES_VERSION.minor,
    gitVersion: KUBERNETES_VERSION.gitVersion,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2024-12-11T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'kubelings',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** GET /api. */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/**
 * version.CompareKubeAwareVersionStrings, highest first: GA before beta before alpha, higher
 * numbers first (`v2`, `v1`, `v1beta1`). A group's first version is its preferred one.
 */
export function byKubeVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return a < b ? -1 : a > b ? 1 : 0;
}

function namedGroups(extra: readonly ApiService[] = []): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const gv of [...groupVersions(), ...extra]) {
    if (gv.group === '') continue;
    const versions = groups.get(gv.group) ?? [];
    versions.push(gv.version);
    groups.set(gv.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: versions.sort(byKubeVersionPriority) }));
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** GET /apis; `extra`: the aggregated ApiServices registered now. */
export function apiGroupList(extra: readonly ApiService[] = []): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: namedGroups(extra).map((g) => apiGroup(g.name, g.versions)) };
}

/** GET /apis/<group>, or undefined when the group is not served. */
export function apiGroupDocument(group: string, extra: readonly ApiService[] = []): unknown {
  const found = namedGroups(extra).find((g) => g.name === group);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found.name, found.versions) } : undefined;
}

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

/** GET /api/v1 or /apis/<group>/<version>, or undefined when not served. */
export function apiResourceList(group: string, version: string): unknown {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    entries.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
      if (s.group !== undefined) {
        sub.group = s.group;
        sub.version = s.version;
      }
      sub.kind = s.kind;
      sub.verbs = s.verbs;
      entries.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: entries };
}

function discoveryResource(r: ResourceInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) entry.shortNames = r.shortNames;
  if (r.categories.length) entry.categories = r.categories;
  if (r.subresources.length) {
    entry.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return entry;
}

/** An aggregated ApiService's resources in aggregated discovery. */
function serviceResources(service: ApiService): Record<string, unknown>[] {
  return service.resources.map((r) => ({
    resource: r.name,
    responseKind: { group: service.group, version: service.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: '',
    verbs: r.verbs,
  }));
}

/** Aggregated discovery for /api (legacy: true) or /apis; `extra`: the aggregated ApiServices registered now. */
export function aggregatedDiscovery(legacy: boolean, apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1', extra: readonly ApiService[] = []): unknown {
  const groups = legacy ? [{ name: '', versions: ['v1'] }] : namedGroups(extra);
  const resources = (group: string, version: string) => {
    const service = extra.find((s) => s.group === group && s.version === version);
    return service ? serviceResources(service) : resourcesOf(group, version).map(discoveryResource);
  };
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.name ? { name: g.name } : {},
      versions: g.versions.map((v) => ({ version: v, freshness: 'Current', resources: resources(g.name, v) })),
    })),
  };
}

/**
 * Which aggregated discovery format an Accept header asks for first, if any. kubectl lists v2,
 * then v2beta1, then plain JSON; a plain-JSON client gets the legacy documents.
 */
export function aggregatedFormat(accept: string | undefined): { contentType: string; apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1' } | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return { contentType: AGGREGATED_DISCOVERY_V2BETA1, apiVersion: 'apidiscovery.k8s.io/v2beta1' };
    if (p.includes('v=v2')) return { contentType: AGGREGATED_DISCOVERY_V2, apiVersion: 'apidiscovery.k8s.io/v2' };
  }
  return undefined;
}
