/**
 * What Ingress and IngressClass share: a reference to a resource in the same namespace (an
 * Ingress backend's `resource`, an IngressClass's `parameters`), validated as upstream's
 * validateIngressTypedLocalObjectReference (pkg/apis/networking/validation/validation.go).
 */
import { invalidValue, required } from '../../field-errors.ts';
import type { StatusCause } from '../../types.ts';
import { dns1123Subdomain, pathSegmentName } from '../validate.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** validateIngressTypedLocalObjectReference: a backend's (or an IngressClass's parameters') resource. */
export function typedLocalObjectReference(ref: Any, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) causes.push(...dns1123Subdomain(String(ref.apiGroup)).map((p) => invalidValue(`${field}.apiGroup`, ref.apiGroup, p)));
  if (!ref.kind) causes.push(required(`${field}.kind`, 'kind is required'));
  else causes.push(...pathSegmentName(String(ref.kind)).map((p) => invalidValue(`${field}.kind`, ref.kind, p)));
  if (!ref.name) causes.push(required(`${field}.name`, 'name is required'));
  else causes.push(...pathSegmentName(String(ref.name)).map((p) => invalidValue(`${field}.name`, ref.name, p)));
  return causes;
}
