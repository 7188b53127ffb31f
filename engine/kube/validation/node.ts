/**
 * A Node's own checks, as upstream's ValidateNode and ValidateNodeUpdate word them
 * (pkg/apis/core/validation/validation.go, v1.32; the node strategy, pkg/registry/core/node,
 * runs ValidateNode on create and ValidateNode then ValidateNodeUpdate on update):
 *
 * - taints: key a qualified name, value a label value (problems joined with ';'), effect required
 *   and one of NoSchedule, PreferNoSchedule, NoExecute, unique by key and effect. Upstream builds
 *   their path from the metadata path, so a taint's problems are reported at
 *   `metadata.taints[i]`, not `spec.taints[i]`: kept as upstream answers;
 * - status.capacity and status.allocatable: no negative quantity, integer resources whole
 *   (at `status.capacity.<name>`: upstream's Child, not Key);
 * - spec.podCIDRs (or spec.podCIDR, which the v1 conversion turns into podCIDRs when podCIDRs is
 *   empty): each a CIDR; more than one only as one IPv4 and one IPv6, without duplicates;
 * - on update: podCIDRs and providerID may change only from unset; externalID never; node status
 *   addresses without duplicates.
 *
 * Pure: returns causes, reads any JSON shape defensively.
 */
import { duplicate, forbiddenField, invalidShown, invalidValue } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { arr, obj, text } from './containers.ts';
import { INVALID_CIDR, isCIDR, isIPv4, labelValueProblems, qualifiedNameProblems } from './formats.ts';
import { goQuote, goStrings, goTaint } from './go-values.ts';
import { taintEffectCauses } from './pod-spec.ts';
import { readQuantity, type QuantityFunctions } from './quantity.ts';
import { quantityValueCauses } from './resources.ts';

type Any = Record<string, unknown>;

/** validateNodeTaints, at `at` (upstream passes metadata.taints). */
function taintsCauses(taints: unknown[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Map<string, Set<string>>();
  taints.forEach((raw, i) => {
    const taint = obj(raw);
    const tat = `${at}[${i}]`;
    const key = text(taint.key);
    causes.push(...qualifiedNameProblems(key).map((m) => invalidValue(`${tat}.key`, key, m)));
    const value = text(taint.value);
    const valueProblems = labelValueProblems(value);
    if (valueProblems.length) causes.push(invalidValue(`${tat}.value`, value, valueProblems.join(';')));
    causes.push(...taintEffectCauses(taint.effect ?? '', `${tat}.effect`));
    const effect = text(taint.effect);
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${goTaint(taint)}: taints must be unique by key and effect pair`, field: tat });
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  return causes;
}

/** ValidateNodeResources: each quantity in status.capacity and status.allocatable. */
function resourcesCauses(status: Any, fns: QuantityFunctions): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const list of ['capacity', 'allocatable']) {
    for (const [name, raw] of Object.entries(obj(status[list]))) {
      const at = `status.${list}.${name}`;
      const q = readQuantity(fns, raw);
      if (q) causes.push(...quantityValueCauses(fns, name, raw, q, at));
    }
  }
  return causes;
}

/** The pod CIDRs the internal Node holds: spec.podCIDRs, or spec.podCIDR alone when podCIDRs is empty. */
function podCIDRs(spec: Any): string[] {
  const list = arr(spec.podCIDRs).map(text);
  if (list.length === 0 && text(spec.podCIDR)) return [text(spec.podCIDR)];
  return list;
}

/** ValidateNode, less the metadata (the registry checks it). */
export function nodeCauses(node: unknown, fns: QuantityFunctions): StatusCause[] {
  const n = obj(node);
  const spec = obj(n.spec);
  const causes = taintsCauses(arr(spec.taints), 'metadata.taints');
  causes.push(...resourcesCauses(obj(n.status), fns));
  const cidrs = podCIDRs(spec);
  cidrs.forEach((cidr, i) => {
    if (!isCIDR(cidr)) causes.push(invalidValue(`spec.podCIDRs[${i}]`, cidr, INVALID_CIDR));
  });
  if (cidrs.length > 1) {
    // IsDualStackCIDRStrings: exactly one of each family (an unparsable CIDR makes it an internal error upstream).
    const v4 = cidrs.filter((c) => isCIDR(c) && isIPv4(c.slice(0, c.indexOf('/')))).length;
    const dualStack = cidrs.every(isCIDR) && v4 === 1 && cidrs.length - v4 === 1;
    if (!dualStack || cidrs.length > 2) causes.push(invalidShown('spec.podCIDRs', goStrings(cidrs), 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((cidr, i) => {
      if (seen.has(cidr)) causes.push(duplicate(`spec.podCIDRs[${i}]`, cidr));
      seen.add(cidr);
    });
  }
  return causes;
}

const CHANGE_FROM_UNSET = 'node updates may not change podCIDR except from "" to valid';

/** core.NodeAddress as %#v prints it. */
function goNodeAddress(address: Any): string {
  return `core.NodeAddress{Type:${goQuote(text(address.type))}, Address:${goQuote(text(address.address))}}`;
}

/** ValidateNodeUpdate, less the metadata: what a write may not change. */
export function nodeUpdateCauses(node: unknown, old: unknown, fns: QuantityFunctions): StatusCause[] {
  const n = obj(node);
  const o = obj(old);
  const spec = obj(n.spec);
  const oldSpec = obj(o.spec);
  const causes = resourcesCauses(obj(n.status), fns);
  const seen = new Set<string>();
  arr(obj(n.status).addresses).forEach((raw, i) => {
    const address = obj(raw);
    const key = `${text(address.type)}\u0000${text(address.address)}`;
    if (seen.has(key)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${goNodeAddress(address)}`, field: `status.addresses[${i}]` });
    seen.add(key);
  });
  const oldCIDRs = podCIDRs(oldSpec);
  const newCIDRs = podCIDRs(spec);
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== newCIDRs.length) causes.push(forbiddenField('spec.podCIDRs', CHANGE_FROM_UNSET));
    else oldCIDRs.forEach((cidr, i) => cidr !== newCIDRs[i] && causes.push(forbiddenField('spec.podCIDRs', CHANGE_FROM_UNSET)));
  }
  const oldProvider = text(oldSpec.providerID);
  if (oldProvider && oldProvider !== text(spec.providerID)) causes.push(forbiddenField('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  causes.push(...taintsCauses(arr(spec.taints), 'metadata.taints'));
  if (text(spec.externalID) !== text(oldSpec.externalID)) causes.push(forbiddenField('spec.externalID', 'may not be updated'));
  return causes;
}
