/**
 * core/v1 Node: a machine pods run on, and what its kubelet reports about it. Stored under the
 * name nodes had in 2014: /registry/minions.
 * Upstream: pkg/registry/core/node (strategy.go); validation in engine/kube/validation/node.ts.
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, bool, list, obj, str, strs, top } from '../../schema-nodes.ts';
import type { Condition, Node } from '../../types.ts';
import { nodeCauses, nodeUpdateCauses } from '../../validation/node.ts';
import { defineKind, readPath, statusSubresource } from '../define.ts';
import { nodeProxyLocation } from './kubelet-location.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c: Condition) => c.type === 'Ready');
  // printNode: Ready when True, NotReady when False or Unknown, Unknown only without the condition.
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

export const NODES = defineKind<Node>({
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  prefix: '/registry/minions',
  subresources: [
    // nodes/NAME/proxy/PATH: any request to the node's kubelet (upstream pkg/registry/core/node/rest/proxy.go).
    {
      name: 'proxy',
      kind: 'NodeProxyOptions',
      verbs: ['create', 'delete', 'get', 'patch', 'update'],
      serve: { type: 'connect', upgrade: false, location: (access, t, query, rest) => nodeProxyLocation(access, t.kind, t.name, query, rest) },
    },
    statusSubresource('Node'),
  ],
  fields: { 'spec.unschedulable': readPath('spec.unschedulable', 'false') },
  schema: top({
    spec: obj({ ...strs('podCIDR', 'providerID', 'externalID'), unschedulable: bool, podCIDRs: list(str), taints: list(any), configSource: any }),
    status: obj({ conditions: list(any, 'type'), addresses: list(any, 'type') }, true),
  }),
  strategy: {
    defaults(input) {
      const object: Any = { ...input };
      // The v1 <-> internal round trip keeps podCIDR and podCIDRs together: podCIDRs from a lone
      // podCIDR (Convert_v1_NodeSpec_To_core_NodeSpec), podCIDR as podCIDRs[0] on the way back.
      const spec = object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? { ...object.spec } : undefined;
      if (spec) {
        const cidrs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
        if (cidrs.length === 0 && typeof spec.podCIDR === 'string' && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
        else if (cidrs.length > 0) spec.podCIDR = cidrs[0];
        object.spec = spec;
      }
      const status: Any | undefined = object.status && typeof object.status === 'object' ? { ...object.status } : undefined;
      if (status?.capacity && !status.allocatable) status.allocatable = structuredClone(status.capacity);
      if (status) object.status = status;
      return object as Node;
    },
    validate: (node, fns) => nodeCauses(node, fns.quantities),
    // The node strategy's ValidateUpdate: ValidateNode, then ValidateNodeUpdate.
    validateUpdate: (node, old, fns) => [...nodeCauses(node, fns.quantities), ...nodeUpdateCauses(node, old, fns.quantities)],
    // nodeStatusStrategy.ValidateUpdate: ValidateNodeUpdate alone.
    validateStatusUpdate: (node, old, fns) => nodeUpdateCauses(node, old, fns.quantities),
  },
  printer: {
    columns: [
      NAME,
      ['Status', 'string'],
      ['Roles', 'string'],
      AGE,
      ['Version', 'string'],
      ['Internal-IP', 'string', 1],
      ['External-IP', 'string', 1],
      ['OS-Image', 'string', 1],
      ['Kernel-Version', 'string', 1],
      ['Container-Runtime', 'string', 1],
    ],
    row: (node, now) => {
      const info = node.status?.nodeInfo ?? {};
      const address = (type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
      const unknown = (s: string | undefined) => s || '<unknown>';
      return [
        node.metadata.name ?? '',
        nodeStatus(node),
        nodeRoles(node),
        age(node, now),
        info.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        unknown(info.osImage),
        unknown(info.kernelVersion),
        unknown(info.containerRuntimeVersion),
      ];
    },
  },
});
