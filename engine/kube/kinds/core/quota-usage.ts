/**
 * What an object costs against a ResourceQuota: upstream's quota evaluators
 * (pkg/quota/v1/evaluator/core: pods.go, services.go, persistent_volume_claims.go, and the generic
 * object-count evaluator), as pure functions over quantities.
 *
 * - every namespaced object: `count/<resource>` (core) or `count/<resource>.<group>` = 1;
 * - pods: `pods` = 1 while the pod counts (not Succeeded or Failed, not past its deletion grace:
 *   QuotaV1Pod) and then its requests and limits as `cpu`/`requests.cpu`, `limits.cpu`, the same
 *   for memory and ephemeral-storage, hugepages and `requests.<extended resource>`
 *   (podComputeUsageHelper), the pod's requests being the sum of its containers' or the largest
 *   init container's, whichever is larger (resourcehelper.PodRequests);
 * - services: `services`, `services.nodeports` (its node ports), `services.loadbalancers`;
 * - persistentvolumeclaims: `persistentvolumeclaims`, `requests.storage`;
 * - configmaps, secrets, replicationcontrollers, resourcequotas: their legacy names.
 * Scopes (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass through
 * scopeSelector) select pods only: a quota with scopes charges nothing else (MatchesNoScopeFunc).
 *
 * Quantities are the objects component's (StrategyFunctions.quantity); resource lists map a
 * resource name to a Quantity.
 */
import type { Quantity } from '../../../objects/types.ts';
import type { KubeObject, Pod } from '../../types.ts';
import type { ResourceInfo } from '../../resource-info.ts';
import type { AdmissionEnvironment, QuantityFunctions } from '../types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type ResourceList = Map<string, Quantity>;

/** Core kinds whose count has a name of its own besides count/<resource>. */
const LEGACY_COUNT_NAMES: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** The quota name of an object count: `count/pods`, `count/deployments.apps`. */
export function countName(kind: Pick<ResourceInfo, 'group' | 'resource'>): string {
  return kind.group ? `count/${kind.resource}.${kind.group}` : `count/${kind.resource}`;
}

/** The quantities of a resource map as written (`cpu: 2` arrives as a number). */
export function parseList(q: QuantityFunctions, list: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of Object.entries(list ?? {})) out.set(k, q.parse(String(v)));
  return out;
}

function add(q: QuantityFunctions, into: ResourceList, name: string, amount: Quantity): void {
  const have = into.get(name);
  into.set(name, have ? q.add(have, amount) : amount);
}

/** quota.Add: every resource of both lists, summed. */
export function addLists(q: QuantityFunctions, a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) add(q, out, k, v);
  return out;
}

/** QuotaV1Pod: a pod that counts (not terminal, not stuck terminating past its grace period). */
export function podCounts(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const deletion = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (deletion && typeof grace === 'number' && now > Date.parse(deletion) + grace * 1000) return false;
  return true;
}

/** resourcehelper.PodRequests / PodLimits: containers summed, then the largest init container if larger. */
export function podResources(q: QuantityFunctions, pod: Pod, which: 'requests' | 'limits'): ResourceList {
  const total: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) for (const [k, v] of parseList(q, c.resources?.[which] as Record<string, unknown>)) add(q, total, k, v);
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of parseList(q, c.resources?.[which] as Record<string, unknown>)) {
      const have = total.get(k);
      if (!have || q.compare(v, have) > 0) total.set(k, v);
    }
  }
  for (const [k, v] of parseList(q, (pod.spec as Any)?.overhead)) if (total.has(k)) add(q, total, k, v);
  return total;
}

const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');

/** podComputeUsageHelper: the compute names a pod's requests and limits are charged under. */
function podComputeUsage(q: QuantityFunctions, requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', q.parse('1')]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const request = requests.get(r);
    if (request) {
      out.set(r, request);
      out.set(`requests.${r}`, request);
    }
    const limit = limits.get(r);
    if (limit) out.set(`limits.${r}`, limit);
  }
  for (const [name, request] of requests) {
    if (name.startsWith('hugepages-')) {
      out.set(name, request);
      out.set(`requests.${name}`, request);
    } else if (!isNative(name) && !name.startsWith('requests.')) {
      out.set(`requests.${name}`, request);
    }
  }
  return out;
}

/** The usage of one object of `kind` (the evaluators' Usage). */
export function usageOf(q: QuantityFunctions, kind: Pick<ResourceInfo, 'group' | 'resource'>, object: KubeObject, now: number): ResourceList {
  const one = q.parse('1');
  const out: ResourceList = new Map([[countName(kind), one]]);
  if (kind.group !== '') return out;
  const legacy = LEGACY_COUNT_NAMES[kind.resource];
  if (legacy) out.set(legacy, one);
  const o = object as Any;
  if (kind.resource === 'pods') {
    const pod = object as Pod;
    if (!podCounts(pod, now)) return out;
    return addLists(q, out, podComputeUsage(q, podResources(q, pod, 'requests'), podResources(q, pod, 'limits')));
  }
  if (kind.resource === 'services') {
    out.set('services', one);
    const type = o.spec?.type ?? 'ClusterIP';
    const nodePorts = type === 'NodePort' || type === 'LoadBalancer' ? (o.spec?.ports ?? []).length : 0;
    if (nodePorts > 0) out.set('services.nodeports', q.parse(String(nodePorts)));
    if (type === 'LoadBalancer') out.set('services.loadbalancers', one);
  }
  if (kind.resource === 'persistentvolumeclaims') {
    out.set('persistentvolumeclaims', one);
    const storage = o.spec?.resources?.requests?.storage;
    if (storage !== undefined) out.set('requests.storage', q.parse(String(storage)));
  }
  return out;
}

/** The kinds (core resource names or count/ names) whose objects a quota resource name is charged from. */
export function resourcesCharged(name: string): { group: string; resource: string } | undefined {
  const count = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
  if (count) return { resource: count[1]!, group: count[2] ?? '' };
  if (['pods', 'cpu', 'memory', 'ephemeral-storage'].includes(name) || (/^(requests|limits)\./.test(name) && name !== 'requests.storage')) return { group: '', resource: 'pods' };
  if (name.startsWith('hugepages-')) return { group: '', resource: 'pods' };
  if (name === 'services' || name.startsWith('services.')) return { group: '', resource: 'services' };
  if (name === 'persistentvolumeclaims' || name === 'requests.storage') return { group: '', resource: 'persistentvolumeclaims' };
  const legacy = Object.values(LEGACY_COUNT_NAMES).find((n) => n === name);
  return legacy ? { group: '', resource: legacy } : undefined;
}

/** The pod's QoS class (BestEffort when no container asks for or limits anything). */
function isBestEffort(pod: Pod): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].every(
    (c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0,
  );
}

/** One scope of a quota (podMatchesScopeFunc); `values`/`operator` from a scopeSelector expression. */
function podMatchesScope(pod: Pod, scope: { scopeName: string; operator?: string; values?: string[] }): boolean {
  const terminating = pod.spec?.activeDeadlineSeconds !== undefined && pod.spec?.activeDeadlineSeconds !== null;
  switch (scope.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const name = pod.spec?.priorityClassName ?? '';
      switch (scope.operator ?? 'Exists') {
        case 'Exists':
          return name !== '';
        case 'DoesNotExist':
          return name === '';
        case 'In':
          return (scope.values ?? []).includes(name);
        case 'NotIn':
          return !(scope.values ?? []).includes(name);
      }
      return false;
    }
  }
  return false;
}

/** Matches: does `quota` charge this object at all (by its scopes; resources are masked later)? */
export function quotaSelects(quota: KubeObject, kind: Pick<ResourceInfo, 'group' | 'resource'>, object: KubeObject): boolean {
  const spec = (quota as Any).spec ?? {};
  const scopes: { scopeName: string; operator?: string; values?: string[] }[] = [
    ...((spec.scopes ?? []) as string[]).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...((spec.scopeSelector?.matchExpressions ?? []) as Any[]).map((e) => ({ scopeName: e.scopeName, operator: e.operator, values: e.values })),
  ];
  if (scopes.length === 0) return true;
  if (kind.group !== '' || kind.resource !== 'pods') return false;
  return scopes.every((s) => podMatchesScope(object as Pod, s));
}

/** prettyPrint: `cpu=500m,pods=1`, sorted by name. */
export function prettyPrint(q: QuantityFunctions, list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${q.format(list.get(k)!)}`)
    .join(',');
}

/** The compute names a quota on them makes every container state (validationSet). */
const CONSTRAINED = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/**
 * podEvaluator.Constraints: a quota on cpu or memory requests or limits requires every container
 * to state them (`must specify limits.cpu for: app; requests.memory for: app,sidecar`), or
 * undefined when each does.
 */
export function podConstraints(q: QuantityFunctions, pod: Pod, hardNames: string[]): string | undefined {
  const required = CONSTRAINED.filter((n) => hardNames.includes(n));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const usage = podComputeUsage(q, parseList(q, c.resources?.requests as Record<string, unknown>), parseList(q, c.resources?.limits as Record<string, unknown>));
    for (const name of required) {
      if (usage.has(name)) continue;
      if (!missing.has(name)) missing.set(name, new Set());
      missing.get(name)!.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  return `must specify ${[...missing.keys()]
    .sort()
    .map((n) => `${n} for: ${[...missing.get(n)!].sort().join(',')}`)
    .join('; ')}`;
}

/** quota.Mask: only the names listed. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) if (list.has(n)) out.set(n, list.get(n)!);
  return out;
}

/** A quota's spec.hard as quantities. */
export function hardOf(q: QuantityFunctions, quota: KubeObject): ResourceList {
  return parseList(q, (quota as Any).spec?.hard);
}

/**
 * What the quota's namespace holds now, charged as the quota charges it (its scopes, its hard
 * names): the quota controller's full count, from the store.
 */
export async function observedUsage(env: Pick<AdmissionEnvironment, 'list' | 'resolve' | 'fns' | 'now'>, quota: KubeObject): Promise<ResourceList> {
  const q = env.fns.quantities;
  const hard = [...hardOf(q, quota).keys()];
  const seen = new Set<string>();
  let used: ResourceList = new Map();
  for (const name of hard) {
    const charged = resourcesCharged(name);
    if (!charged || seen.has(`${charged.group}/${charged.resource}`)) continue;
    seen.add(`${charged.group}/${charged.resource}`);
    const kind = env.resolve(charged.group, charged.resource);
    if (!kind) continue;
    for (const object of await env.list(kind, quota.metadata.namespace ?? '')) {
      if (quotaSelects(quota, kind, object)) used = addLists(q, used, usageOf(q, kind, object, env.now()));
    }
  }
  return mask(used, hard);
}

/** The status a quota shows: hard from spec.hard, used for each hard name (0 when nothing is charged). */
export function usageStatus(q: QuantityFunctions, quota: KubeObject, used: ResourceList): { hard: Record<string, string>; used: Record<string, string> } {
  const hard = hardOf(q, quota);
  const zero = q.parse('0');
  const names = [...hard.keys()].sort();
  return {
    hard: Object.fromEntries(names.map((n) => [n, q.format(hard.get(n)!)])),
    used: Object.fromEntries(names.map((n) => [n, q.format(used.get(n) ?? zero)])),
  };
}
