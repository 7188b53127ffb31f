/**
 * core/v1 LimitRange: per-container and per-pod defaults and bounds for cpu and memory in a
 * namespace, applied to new pods by the LimitRanger admission plugin (limitRangerForPods below,
 * used by the Pod kind's admission).
 *
 * Upstream: pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem (a Container item's default
 * limit from its max, its default request from its default limit, else from its min),
 * pkg/apis/core/validation ValidateLimitRange, plugin/pkg/admission/limitranger/admission.go
 * (defaultContainerResourceRequirements, mergePodResourceRequirements and the
 * `kubernetes.io/limit-ranger` annotation; minConstraint, maxConstraint,
 * limitRequestRatioConstraint). No printer upstream: NAME and CREATED AT.
 */
import { forbidden } from '../../errors.ts';
import { duplicate, forbiddenField, invalidValue, required } from '../../field-errors.ts';
import { list, obj, quantityMap, str, top } from '../../schema-nodes.ts';
import type { KubeObject, Pod, StatusCause } from '../../types.ts';
import type { Quantity } from '../../../objects/types.ts';
import { defineKind } from '../define.ts';
import type { AdmissionEnvironment, QuantityFunctions } from '../types.ts';
import { invalidGo, qualifiedName } from '../validate.ts';
import { podResources, parseList, type ResourceList } from './quota-usage.ts';
import { goQuantity, isExtendedResource, isHugePages, isNativeResource, quantityOf } from './resource-names.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
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
const ANNOTATION = 'kubernetes.io/limit-ranger';
/** resource.MaxMilliValue: beyond it, Go compares whole units instead of thousandths. */
const MAX_MILLI_VALUE = 9223372036854775n;

/** validateResourceName: qualified, and standard when it has no domain. */
function resourceName(name: string, field: string): StatusCause[] {
  const causes = qualifiedName(name).map((m) => invalidValue(field, name, m));
  if (causes.length) return causes;
  if (!name.includes('/') && !STANDARD_RESOURCES.includes(name) && !name.startsWith('hugepages-') && !name.startsWith('requests.hugepages-')) {
    causes.push(invalidValue(field, name, 'must be a standard resource type or fully qualified'));
  }
  return causes;
}

/** validateLimitRangeResourceName: containers and pods take container resource names. */
function limitResourceName(type: string, name: string, field: string): StatusCause[] {
  if (type !== 'Pod' && type !== 'Container') return resourceName(name, field);
  const causes = resourceName(name, field);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !isHugePages(name)) causes.push(invalidValue(field, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    causes.push(invalidValue(field, name, "doesn't follow extended resource name standard"));
  }
  return causes;
}

/** validateLimitRangeTypeName. */
function typeName(value: string, field: string): StatusCause[] {
  const causes = qualifiedName(value).map((m) => invalidValue(field, value, m));
  if (causes.length) return causes;
  if (!value.includes('/') && !LIMIT_TYPES.includes(value)) causes.push(invalidValue(field, value, 'must be a standard limit type or fully qualified'));
  return causes;
}

/** ValidateLimitRange. */
function validateLimitRange(o: Any, q: QuantityFunctions): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  ((o.spec?.limits ?? []) as Any[]).forEach((limit, i) => {
    const at = `spec.limits[${i}]`;
    const type = String(limit.type ?? '');
    causes.push(...typeName(type, `${at}.type`));
    if (seen.has(type)) causes.push(duplicate(`${at}.type`, type));
    seen.add(type);
    const read = (key: string): Map<string, { text: string; quantity: Quantity }> => {
      const out = new Map<string, { text: string; quantity: Quantity }>();
      for (const [k, v] of Object.entries((limit[key] ?? {}) as Record<string, unknown>)) out.set(k, { text: String(v), quantity: quantityOf(q, 'LimitRange', String(v)) });
      return out;
    };
    const max = read('max');
    const min = read('min');
    const defaults = type === 'Pod' ? new Map() : read('default');
    const defaultRequests = type === 'Pod' ? new Map() : read('defaultRequest');
    const ratios = read('maxLimitRequestRatio');
    for (const k of [...max.keys()].sort()) causes.push(...limitResourceName(type, k, `${at}.max[${k}]`));
    for (const k of [...min.keys()].sort()) causes.push(...limitResourceName(type, k, `${at}.min[${k}]`));
    if (type === 'Pod') {
      if (Object.keys(limit.default ?? {}).length) causes.push(forbiddenField(`${at}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(limit.defaultRequest ?? {}).length) causes.push(forbiddenField(`${at}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    } else {
      for (const k of [...defaults.keys()].sort()) causes.push(...limitResourceName(type, k, `${at}.default[${k}]`));
      for (const k of [...defaultRequests.keys()].sort()) causes.push(...limitResourceName(type, k, `${at}.defaultRequest[${k}]`));
    }
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      causes.push(required(`${at}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
    }
    for (const k of [...ratios.keys()].sort()) causes.push(...limitResourceName(type, k, `${at}.maxLimitRequestRatio[${k}]`));
    const keys = new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...defaultRequests.keys(), ...ratios.keys()]);
    const show = (v: { quantity: Quantity }) => q.format(v.quantity);
    const go = (v: { text: string; quantity: Quantity }) => goQuantity(v.text, v.quantity);
    for (const k of [...keys].sort()) {
      const [mn, mx, df, dr, ratio] = [min.get(k), max.get(k), defaults.get(k), defaultRequests.get(k), ratios.get(k)];
      if (mn && mx && q.compare(mn.quantity, mx.quantity) > 0) causes.push(invalidGo(`${at}.min[${k}]`, go(mn), `min value ${show(mn)} is greater than max value ${show(mx)}`));
      if (dr && mn && q.compare(mn.quantity, dr.quantity) > 0) causes.push(invalidGo(`${at}.defaultRequest[${k}]`, go(dr), `min value ${show(mn)} is greater than default request value ${show(dr)}`));
      if (dr && mx && q.compare(dr.quantity, mx.quantity) > 0) causes.push(invalidGo(`${at}.defaultRequest[${k}]`, go(dr), `default request value ${show(dr)} is greater than max value ${show(mx)}`));
      if (dr && df && q.compare(dr.quantity, df.quantity) > 0)
        causes.push(invalidGo(`${at}.defaultRequest[${k}]`, go(dr), `default request value ${show(dr)} is greater than default limit value ${show(df)}`));
      if (df && mn && q.compare(mn.quantity, df.quantity) > 0) causes.push(invalidGo(`${at}.default[${k}]`, go(mn), `min value ${show(mn)} is greater than default value ${show(df)}`));
      if (df && mx && q.compare(df.quantity, mx.quantity) > 0) causes.push(invalidGo(`${at}.default[${k}]`, go(mx), `default value ${show(df)} is greater than max value ${show(mx)}`));
      if (ratio && q.compare(ratio.quantity, q.parse('1')) < 0) causes.push(invalidGo(`${at}.maxLimitRequestRatio[${k}]`, go(ratio), `ratio ${show(ratio)} is less than 1`));
      if (ratio && mn && mx) {
        const limit = Number(mx.quantity.nanos) / Number(mn.quantity.nanos);
        if (Number(ratio.quantity.nanos) / 1e9 > limit) causes.push(invalidGo(`${at}.maxLimitRequestRatio[${k}]`, go(ratio), `ratio ${show(ratio)} is greater than max/min = ${limit.toFixed(6)}`));
      }
      if (!isNativeResource(k) || isHugePages(k)) {
        if (df && dr && q.compare(df.quantity, dr.quantity) !== 0)
          causes.push(invalidGo(`${at}.defaultRequest[${k}]`, go(dr), `default value ${show(df)} must equal to defaultRequest value ${show(dr)} in ${k}`));
      }
    }
  });
  return causes;
}

/** SetDefaults_LimitRangeItem, for Container items: default from max, defaultRequest from default, then from min. */
function defaultLimitRange(input: KubeObject): KubeObject {
  const o: Any = { ...input };
  if (!o.spec || !Array.isArray(o.spec.limits)) return o as KubeObject;
  o.spec = {
    ...o.spec,
    limits: o.spec.limits.map((item: Any) => {
      if (!item || item.type !== 'Container') return item;
      const def: Any = { ...(item.default ?? {}) };
      const req: Any = { ...(item.defaultRequest ?? {}) };
      for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
      for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
      for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
      const next: Any = { ...item };
      if (Object.keys(def).length) next.default = def;
      if (Object.keys(req).length) next.defaultRequest = req;
      return next;
    }),
  };
  return o as KubeObject;
}

/** The namespace's LimitRanges (the LimitRanger's lister; a live read when the cache has none yet is not needed for pods). */
function rangesFor(env: AdmissionEnvironment, namespace: string | undefined): Any[] {
  return env.cached(LIMIT_RANGES).filter((l) => l.metadata.namespace === namespace) as Any[];
}

/** mergePodResourceRequirements: each container's missing requests and limits from the Container defaults; the annotation says which. True when it set any. */
export function defaultPodResources(env: AdmissionEnvironment, pod: Pod): boolean {
  const ranges = rangesFor(env, pod.metadata.namespace);
  if (ranges.length === 0 || !pod.spec) return false;
  let changed = false;
  for (const range of ranges) {
    const requests: Record<string, unknown> = {};
    const limits: Record<string, unknown> = {};
    for (const item of (range.spec?.limits ?? []) as Any[]) {
      if (item.type !== 'Container') continue;
      Object.assign(requests, item.defaultRequest ?? {});
      Object.assign(limits, item.default ?? {});
    }
    const notes: string[] = [];
    const merge = (containers: Any[] | undefined, what: string) => {
      for (const c of containers ?? []) {
        const resources = { ...(c.resources ?? {}) };
        const setRequests = Object.keys(requests)
          .filter((k) => !(k in (resources.requests ?? {})))
          .sort();
        const setLimits = Object.keys(limits)
          .filter((k) => !(k in (resources.limits ?? {})))
          .sort();
        if (setLimits.length) resources.limits = { ...(resources.limits ?? {}), ...Object.fromEntries(setLimits.map((k) => [k, limits[k]])) };
        if (setRequests.length) resources.requests = { ...(resources.requests ?? {}), ...Object.fromEntries(setRequests.map((k) => [k, requests[k]])) };
        c.resources = resources;
        if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${what} ${c.name}`);
        if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${what} ${c.name}`);
      }
    };
    pod.spec = { ...pod.spec, containers: (pod.spec.containers ?? []).map((c) => ({ ...c })), ...(pod.spec.initContainers ? { initContainers: pod.spec.initContainers.map((c) => ({ ...c })) } : {}) };
    merge(pod.spec.containers, 'container');
    merge(pod.spec.initContainers, 'init container');
    if (notes.length) {
      changed = true;
      pod.metadata = { ...pod.metadata, annotations: { ...(pod.metadata.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` } };
    }
  }
  return changed;
}

/** requestLimitEnforcedValues: thousandths, unless a value is too large for them. */
function enforcedValues(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const milli = (x: Quantity | undefined) => (x ? (x.nanos + 999_999n) / 1_000_000n : 0n);
  const unit = (x: Quantity | undefined) => (x ? (x.nanos + 999_999_999n) / 1_000_000_000n : 0n);
  const small = [req, lim, enforced].every((x) => !x || unit(x) < MAX_MILLI_VALUE);
  return small ? [milli(req), milli(lim), milli(enforced)] : [unit(req), unit(lim), unit(enforced)];
}

/** minConstraint, maxConstraint and limitRequestRatioConstraint over one set of requests and limits. */
function constraints(q: QuantityFunctions, item: Any, type: string, requests: ResourceList, limits: ResourceList, errors: string[]): void {
  for (const [k, text] of Object.entries((item.min ?? {}) as Record<string, unknown>)) {
    const enforced = q.parse(String(text));
    const [req, lim] = [requests.get(k), limits.get(k)];
    const [r, l, e] = enforcedValues(req, lim, enforced);
    if (!req) errors.push(`minimum ${k} usage per ${type} is ${q.format(enforced)}.  No request is specified`);
    else if (r < e) errors.push(`minimum ${k} usage per ${type} is ${q.format(enforced)}, but request is ${q.format(req)}`);
    else if (lim && l < e) errors.push(`minimum ${k} usage per ${type} is ${q.format(enforced)}, but limit is ${q.format(lim)}`);
  }
  for (const [k, text] of Object.entries((item.max ?? {}) as Record<string, unknown>)) {
    const enforced = q.parse(String(text));
    const [req, lim] = [requests.get(k), limits.get(k)];
    const [r, l, e] = enforcedValues(req, lim, enforced);
    if (!lim) errors.push(`maximum ${k} usage per ${type} is ${q.format(enforced)}.  No limit is specified`);
    else if (l > e) errors.push(`maximum ${k} usage per ${type} is ${q.format(enforced)}, but limit is ${q.format(lim)}`);
    else if (req && r > e) errors.push(`maximum ${k} usage per ${type} is ${q.format(enforced)}, but request is ${q.format(req)}`);
  }
  for (const [k, text] of Object.entries((item.maxLimitRequestRatio ?? {}) as Record<string, unknown>)) {
    const enforced = q.parse(String(text));
    const [req, lim] = [requests.get(k), limits.get(k)];
    const [r, l] = enforcedValues(req, lim, enforced);
    if (!req || r === 0n) errors.push(`${k} max limit to request ratio per ${type} is ${q.format(enforced)}, but no request is specified or request is 0`);
    else if (!lim || l === 0n) errors.push(`${k} max limit to request ratio per ${type} is ${q.format(enforced)}, but no limit is specified or limit is 0`);
    else {
      const observed = Number(l) / Number(r);
      if (observed > Number(enforced.nanos) / 1e9) errors.push(`${k} max limit to request ratio per ${type} is ${q.format(enforced)}, but provided ratio is ${observed.toFixed(6)}`);
    }
  }
}

/** PodValidateLimitFunc: every Container and Pod item of every LimitRange; 403 with every violation. */
export function checkPodLimits(env: AdmissionEnvironment, pod: Pod): void {
  const q = env.fns.quantities;
  const errors: string[] = [];
  for (const range of rangesFor(env, pod.metadata.namespace)) {
    for (const item of (range.spec?.limits ?? []) as Any[]) {
      if (item.type === 'Container') {
        for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
          constraints(q, item, 'Container', parseList(q, c.resources?.requests as Record<string, unknown>), parseList(q, c.resources?.limits as Record<string, unknown>), errors);
        }
      } else if (item.type === 'Pod') {
        constraints(q, item, 'Pod', podResources(q, pod, 'requests'), podResources(q, pod, 'limits'), errors);
      }
    }
  }
  if (errors.length === 0) return;
  const name = pod.metadata.name || pod.metadata.generateName || 'Unknown';
  throw forbidden({ group: '', resource: 'pods' }, name, errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
}

export const LIMIT_RANGES = defineKind({
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  namespaced: true,
  shortNames: ['limits'],
  schema: top({
    spec: obj({ limits: list(obj({ type: str, max: quantityMap, min: quantityMap, default: quantityMap, defaultRequest: quantityMap, maxLimitRequestRatio: quantityMap })) }),
  }),
  strategy: {
    defaults: (o) => defaultLimitRange(o),
    validate: (o, fns) => validateLimitRange(o, fns.quantities),
  },
});
