/**
 * coordination.k8s.io/v1 Lease: node heartbeats (kube-node-lease) and leader election.
 * Upstream: pkg/registry/coordination/lease (strategy.go).
 */
import { age, AGE, NAME } from '../../printers.ts';
import { ints, obj, strs, top } from '../../schema-nodes.ts';
import type { Lease } from '../../types.ts';
import { defineKind } from '../define.ts';
import { invalidValue } from '../../field-errors.ts';
import type { StatusCause } from '../../types.ts';

/**
 * ValidateLeaseSpec (pkg/apis/coordination/validation): the duration above 0, transitions not
 * negative. (strategy and preferredHolder belong to the CoordinatedLeaderElection feature, off in
 * 1.32, whose registry drops them.)
 */
function validateLease(lease: Lease): StatusCause[] {
  const spec = (lease.spec ?? {}) as Record<string, unknown>;
  const causes: StatusCause[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0) causes.push(invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0) causes.push(invalidValue('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return causes;
}

export const LEASES = defineKind<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
  schema: top({
    spec: obj({ ...strs('holderIdentity', 'acquireTime', 'renewTime', 'strategy', 'preferredHolder'), ...ints('leaseDurationSeconds', 'leaseTransitions') }),
  }),
  strategy: { validate: (lease) => validateLease(lease), validateUpdate: (lease) => validateLease(lease) },
  printer: {
    columns: [NAME, ['Holder', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', o.spec?.holderIdentity ?? '', age(o, now)],
  },
});
