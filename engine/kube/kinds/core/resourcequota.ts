/**
 * core/v1 ResourceQuota: the most a namespace may hold and ask for (pods, cpu, memory, object
 * counts). Enforced by the ResourceQuota admission plugin (engine/apiserver/registry/quota.ts)
 * with the evaluators of quota-usage.ts.
 *
 * Upstream: pkg/apis/core/validation ValidateResourceQuota (resource names, quantities, scopes
 * and scopeSelector), pkg/registry/core/resourcequota/strategy.go (status subresource),
 * pkg/printers/internalversion printResourceQuota (NAME REQUEST LIMIT AGE, from status.hard and
 * status.used). Upstream's resource quota controller (kube-controller-manager) fills in the status
 * and recomputes it on every change; here the status is written when the quota is created and each
 * time the admission plugin charges an object against it (hard from spec.hard, used as counted
 * then): a deletion or a spec change shows in status only at the next such write, while admission
 * itself always counts what the namespace holds now.
 */
import { invalidValue, required } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { f, rep, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { list, obj, quantityMap, str, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import type { AdmissionEnvironment, QuantityFunctions } from '../types.ts';
import { invalidGo, qualifiedName } from '../validate.ts';
import { observedUsage, usageStatus } from './quota-usage.ts';
import { goQuantity, integerResourceName, quantityOf } from './resource-names.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STANDARD_QUOTA_RESOURCES = [
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
];
const STANDARD_RESOURCES = [
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
];
const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const POD_COUNT = ['pods'];
const POD_COMPUTE = ['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'];

const isQuotaHugePages = (name: string) => name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');

/** IsResourceQuotaScopeValidForResource. */
function scopeValidFor(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return POD_COUNT.includes(resource);
  if (['Terminating', 'NotTerminating', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'].includes(scope)) return POD_COUNT.includes(resource) || POD_COMPUTE.includes(resource);
  return true;
}

/** validateResourceName then ValidateResourceQuotaResourceName. */
function quotaResourceName(name: string, field: string): StatusCause[] {
  const causes = qualifiedName(name).map((m) => invalidValue(field, name, m));
  if (causes.length) return causes;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.includes(name) && !isQuotaHugePages(name)) causes.push(invalidValue(field, name, 'must be a standard resource type or fully qualified'));
    if (!STANDARD_QUOTA_RESOURCES.includes(name) && !isQuotaHugePages(name)) causes.push(invalidValue(field, name, 'must be a standard resource for quota'));
  }
  return causes;
}

/** ValidateResourceQuantityValue: not negative, and whole for counted resources. */
export function quantityValue(q: QuantityFunctions, kind: string, name: string, text: string, field: string): StatusCause[] {
  const quantity = quantityOf(q, kind, text);
  if (quantity.nanos < 0n) return [invalidValue(field, q.format(quantity), 'must be greater than or equal to 0')];
  if (integerResourceName(name) && quantity.nanos % 1_000_000_000n !== 0n) return [invalidGo(field, goQuantity(text, quantity), 'must be an integer')];
  return [];
}

const goScopes = (scopes: string[]) => `[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(', ')}}`;
const goScopeSelector = (sel: Any) =>
  `&core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{${((sel?.matchExpressions ?? []) as Any[])
    .map(
      (e) =>
        `core.ScopedResourceSelectorRequirement{ScopeName:${JSON.stringify(e.scopeName ?? '')}, Operator:${JSON.stringify(e.operator ?? '')}, Values:${e.values ? `[]string{${(e.values as string[]).map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`,
    )
    .join(', ')}}}`;

/** validateResourceQuotaScopes and validateScopeSelector. */
function scopeCauses(spec: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  const scopes: string[] = spec.scopes ?? [];
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) causes.push(invalidGo('spec.scopes', goScopes(scopes), 'unsupported scope'));
    for (const k of hard) if (STANDARD_QUOTA_RESOURCES.includes(k) && !scopeValidFor(scope, k)) causes.push(invalidGo('spec.scopes', goScopes(scopes), 'unsupported scope applied to resource'));
  }
  const conflicting = (set: string[]) =>
    [
      ['BestEffort', 'NotBestEffort'],
      ['Terminating', 'NotTerminating'],
    ].some((pair) => pair.every((p) => set.includes(p)));
  if (conflicting(scopes)) causes.push(invalidGo('spec.scopes', goScopes(scopes), 'conflicting scopes'));
  const selector = spec.scopeSelector;
  if (!selector) return causes;
  const at = 'spec.scopeSelector.matchExpressions';
  const names: string[] = [];
  for (const req of (selector.matchExpressions ?? []) as Any[]) {
    if (!SCOPES.includes(req.scopeName)) causes.push(invalidValue(`${at}.scopeName`, req.scopeName ?? '', 'unsupported scope'));
    for (const k of hard) if (STANDARD_QUOTA_RESOURCES.includes(k) && !scopeValidFor(req.scopeName, k)) causes.push(invalidGo(at, goScopeSelector(selector), 'unsupported scope applied to resource'));
    if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(req.scopeName) && req.operator !== 'Exists') {
      causes.push(
        invalidValue(
          `${at}.operator`,
          req.operator ?? '',
          "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    const values: string[] = req.values ?? [];
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (values.length === 0) causes.push(required(`${at}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length !== 0)
        causes.push(invalidGo(`${at}.values`, `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else {
      causes.push(invalidValue(`${at}.operator`, req.operator ?? '', 'not a valid selector operator'));
    }
    names.push(req.scopeName);
  }
  if (conflicting(names)) causes.push(invalidGo(at, goScopeSelector(selector), 'conflicting scopes'));
  return causes;
}

/** ValidateResourceQuotaSpec and ValidateResourceQuotaStatus. */
function validateQuota(o: Any, q: QuantityFunctions): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = o.spec ?? {};
  for (const [path, list] of [
    ['spec.hard', spec.hard],
    ['status.hard', o.status?.hard],
    ['status.used', o.status?.used],
  ] as const) {
    for (const name of Object.keys(list ?? {}).sort()) {
      const field = `${path}[${name}]`;
      causes.push(...quotaResourceName(name, field), ...quantityValue(q, 'ResourceQuota', name, String(list[name]), field));
    }
  }
  causes.push(...scopeCauses(spec));
  return causes;
}

/** The REQUEST and LIMIT cells: `name: used/hard` for each hard resource, sorted, limits.* in LIMIT. */
function quotaCells(o: Any): [string, string] {
  const hard: Record<string, unknown> = o.status?.hard ?? {};
  const used: Record<string, unknown> = o.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const parts = name.split('.');
    (parts.length > 1 && parts[0] === 'limits' ? limit : request).push(`${name}: ${String(used[name] ?? '0')}/${String(hard[name])}`);
  }
  return [request.join(', '), limit.join(', ')];
}

/**
 * The status a quota starts with: hard from spec.hard, used as the namespace holds now (the quota
 * controller's first sync). Only for a valid spec: an invalid one is refused by validation next,
 * with the spec's own errors.
 */
async function initialStatus(env: AdmissionEnvironment, quota: KubeObject): Promise<void> {
  try {
    if (validateQuota({ spec: (quota as Any).spec }, env.fns.quantities).length > 0) return;
  } catch {
    return; // a quantity that does not parse: the decoder's 400 comes from validation
  }
  const used = await observedUsage(env, quota);
  (quota as Any).status = usageStatus(env.fns.quantities, quota, used);
}

export const RESOURCE_QUOTAS = defineKind({
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  kind: 'ResourceQuota',
  namespaced: true,
  shortNames: ['quota'],
  subresources: [statusSubresource('ResourceQuota')],
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({ hard: quantityMap, scopes: list(str), scopeSelector: obj({ matchExpressions: list(obj({ scopeName: str, operator: str, values: list(str) })) }) }),
    status: obj({ hard: quantityMap, used: quantityMap }),
  }),
  protobuf: withMeta({
    2: f('spec', {
      1: f('hard', { map: 'quantity' }),
      2: rep('scopes', 'string'),
      3: f('scopeSelector', { 1: rep('matchExpressions', { 1: f('scopeName', 'string'), 2: f('operator', 'string'), 3: rep('values', 'string') }) }),
    } satisfies ProtobufMessage),
  }),
  strategy: {
    validate: (o, fns) => validateQuota(o, fns.quantities),
    validateStatusUpdate: (o, _old, fns) => validateQuota({ status: (o as Any).status }, fns.quantities),
  },
  admission: (env) => ({ create: (quota) => initialStatus(env, quota) }),
  printer: {
    columns: [NAME, ['Request', 'string'], ['Limit', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', ...quotaCells(o), age(o, now)],
  },
});
