/**
 * Resource names and amounts: a container's `resources` (pkg/apis/core/validation
 * validateResourceRequirements, validateContainerResourceName, ValidateResourceQuantityValue,
 * validateResourceQuantityHugePageValue) and the resource-name rules of
 * pkg/apis/core/helper/helpers.go (standard, native, extended, integer and overcommittable
 * resources, huge pages).
 *
 * Messages as upstream prints them: a resource name is a type with String(), so it appears
 * unquoted (`Invalid value: cpuu: ...`); a negative amount is shown as its canonical text in
 * quotes (`Invalid value: "-1Gi": must be greater than or equal to 0`); a request above its limit
 * names the `requests` map, not the key (`spec.containers[0].resources.requests: Invalid value:
 * "600m": must be less than or equal to cpu limit of 500m`). Keys are visited in the order the
 * object holds them (upstream walks Go maps, in random order).
 */
import { forbiddenField, invalidShown, invalidValue, required } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { qualifiedNameProblems } from './formats.ts';
import { goQuantity, readQuantity, ZERO_QUANTITY, type QuantityFunctions } from './quantity.ts';
import type { Quantity } from '../../objects/types.ts';

const STANDARD_RESOURCES = new Set([
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
]);
const INTEGER_RESOURCES = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'services.nodeports', 'services.loadbalancers', 'secrets', 'configmaps', 'persistentvolumeclaims']);
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const HUGEPAGES = 'hugepages-';

export function isHugePages(name: string): boolean {
  return name.startsWith(HUGEPAGES);
}

/** IsStandardResourceName. */
export function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || name.startsWith(HUGEPAGES) || name.startsWith(`requests.${HUGEPAGES}`);
}

/** IsNativeResource: no domain, or a kubernetes.io one. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** IsExtendedResourceName: `example.com/gpu`. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return qualifiedNameProblems(`requests.${name}`).length === 0;
}

/** IsOvercommitAllowed: requests may be below limits. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePages(name);
}

function isIntegerResource(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

/** validateResourceName: a qualified name, and a standard one when it has no domain. */
export function resourceNameCauses(name: string, field: string): StatusCause[] {
  const problems = qualifiedNameProblems(name);
  if (problems.length) return problems.map((p) => invalidShown(field, name, p));
  if (!name.includes('/') && !isStandardResourceName(name)) return [invalidShown(field, name, 'must be a standard resource type or fully qualified')];
  return [];
}

/** validateContainerResourceName. */
export function containerResourceNameCauses(name: string, field: string): StatusCause[] {
  const causes = resourceNameCauses(name, field);
  if (!name.includes('/')) {
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name)) causes.push(invalidShown(field, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    causes.push(invalidShown(field, name, "doesn't follow extended resource name standard"));
  }
  return causes;
}

/** ValidateResourceQuantityValue: not negative; whole for integer resources. */
export function quantityValueCauses(fns: QuantityFunctions, name: string, raw: unknown, q: Quantity, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (fns.compare(q, ZERO_QUANTITY) < 0) causes.push(invalidValue(field, fns.format(q), 'must be greater than or equal to 0'));
  if (isIntegerResource(name) && q.nanos % 1_000_000_000n !== 0n) causes.push(invalidShown(field, goQuantity(raw, fns.format(q)), 'must be an integer'));
  return causes;
}

/** IsHugePageResourceValueDivisible: the amount is a whole number of pages of the size the name gives. */
function hugePageCauses(fns: QuantityFunctions, name: string, q: Quantity, field: string): StatusCause[] {
  const page = readQuantity(fns, name.slice(HUGEPAGES.length));
  const units = (x: Quantity) => (x.nanos + 999_999_999n) / 1_000_000_000n;
  const divisible = page !== undefined && page.nanos > 0n && page.nanos % 1_000_000_000n === 0n && units(q) % units(page) === 0n;
  return divisible ? [] : [invalidValue(field, fns.format(q), `${fns.format(q)} is not positive integer multiple of ${name}`)];
}

function entries(list: unknown): [string, unknown][] {
  return list && typeof list === 'object' && !Array.isArray(list) ? Object.entries(list as Record<string, unknown>) : [];
}

/** validateResourceRequirements for a container (or pod overhead: limits only). */
export function resourceRequirementsCauses(fns: QuantityFunctions, resources: unknown, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const r = resources && typeof resources === 'object' ? (resources as Record<string, unknown>) : {};
  const limits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, raw] of entries(r.limits)) {
    const at = `${field}.limits[${name}]`;
    causes.push(...containerResourceNameCauses(name, at));
    const q = readQuantity(fns, raw);
    if (!q) continue;
    limits.set(name, q);
    causes.push(...quantityValueCauses(fns, name, raw, q, at));
    if (isHugePages(name)) {
      hugePages = true;
      causes.push(...hugePageCauses(fns, name, q, at));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, raw] of entries(r.requests)) {
    const at = `${field}.requests[${name}]`;
    causes.push(...containerResourceNameCauses(name, at));
    const q = readQuantity(fns, raw);
    if (!q) continue;
    causes.push(...quantityValueCauses(fns, name, raw, q, at));
    const limit = limits.get(name);
    if (limit) {
      const order = fns.compare(q, limit);
      if (order !== 0 && !isOvercommitAllowed(name)) {
        causes.push(invalidValue(`${field}.requests`, fns.format(q), `must be equal to ${name} limit of ${fns.format(limit)}`));
      } else if (order > 0) {
        causes.push(invalidValue(`${field}.requests`, fns.format(q), `must be less than or equal to ${name} limit of ${fns.format(limit)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      causes.push(required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) {
      hugePages = true;
      causes.push(...hugePageCauses(fns, name, q, at));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (!cpuOrMemory && hugePages) causes.push(forbiddenField(field, 'HugePages require cpu or memory'));
  return causes;
}
