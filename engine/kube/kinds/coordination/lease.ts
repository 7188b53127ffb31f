/**
 * coordination.k8s.io/v1 Lease: node heartbeats (kube-node-lease) and leader election.
 * Upstream: pkg/registry/coordination/lease (strategy.go).
 */
import { age, AGE, NAME } from '../../printers.ts';
import { ints, obj, strs, top } from '../../schema-nodes.ts';
import type { Lease } from '../../types.ts';
import { defineKind } from '../define.ts';

export const LEASES = defineKind<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
  schema: top({
    spec: obj({ ...strs('holderIdentity', 'acquireTime', 'renewTime', 'strategy', 'preferredHolder'), ...ints('leaseDurationSeconds', 'leaseTransitions') }),
  }),
  printer: {
    columns: [NAME, ['Holder', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', o.spec?.holderIdentity ?? '', age(o, now)],
  },
});
