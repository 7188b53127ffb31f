/**
 * Resource names and quantities as ResourceQuota and LimitRange validation read them
 * (pkg/apis/core/helper: IsIntegerResourceName, IsExtendedResourceName, IsHugePageResourceName),
 * and how Go prints a resource.Quantity in a field error (`%#v`, the type has no value String()).
 */
import { badRequest } from '../../errors.ts';
import type { Quantity } from '../../../objects/types.ts';
import type { QuantityFunctions } from '../types.ts';
import { qualifiedName } from '../validate.ts';

const INTEGER_RESOURCES = ['pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers'];

/** IsNativeResource: no domain, or one in kubernetes.io. */
export const isNativeResource = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

/** IsHugePageResourceName. */
export const isHugePages = (name: string): boolean => name.startsWith('hugepages-');

/** IsExtendedResourceName: a domain-qualified name outside kubernetes.io (`example.com/dongle`). */
export function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return qualifiedName(`requests.${name}`).length === 0;
}

/** IsIntegerResourceName: object counts and extended resources are whole numbers. */
export const integerResourceName = (name: string): boolean => INTEGER_RESOURCES.includes(name) || isExtendedResource(name);

/**
 * A quantity from a manifest; a malformed one is the decoder's 400, as upstream's JSON decoder
 * refuses it before validation: `<Kind> in version "v1" cannot be handled as a <Kind>: quantities
 * must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`.
 */
export function quantityOf(q: QuantityFunctions, kind: string, text: string): Quantity {
  try {
    return q.parse(text);
  } catch {
    throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  }
}

/**
 * A resource.Quantity as Go's %#v prints it in a field error: its int64Amount (the digits and the
 * decimal exponent as written), no inf.Dec, the text kept when ParseQuantity keeps it (canonical
 * input), and the format. Exact for the quantities manifests hold (`1500m`, `2`, `1Gi`).
 */
export function goQuantity(text: string, quantity: Quantity): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(text.trim());
  const sign = m?.[1] === '-' ? -1n : 1n;
  const whole = m?.[2] ?? '';
  const fraction = m?.[3] ?? '';
  const suffix = m?.[4] ?? '';
  let value: bigint;
  let scale: number;
  let kept = false;
  if (quantity.format === 'BinarySI') {
    const power = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }[suffix] ?? 0;
    value = BigInt(whole || '0') * (1n << BigInt(power)) * sign;
    scale = 0;
    kept = fraction === '' && power % 10 === 0 && (BigInt(whole || '0') & 7n) !== 0n;
  } else {
    const exponent = quantity.format === 'DecimalExponent' ? Number(suffix.slice(1)) : (({ n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 } as Record<string, number>)[suffix] ?? 0);
    const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
    value = BigInt(digits || '0') * sign;
    scale = exponent - fraction.length;
    kept = scale % 3 === 0 && !`${whole}${fraction}`.endsWith('000') && `${whole}${fraction}`[0] !== '0';
  }
  return `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${JSON.stringify(kept ? text : '')}, Format:${JSON.stringify(quantity.format)}}`;
}
