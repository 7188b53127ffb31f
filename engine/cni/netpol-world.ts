/**
 * The cluster's objects as the NetworkPolicy exercise sees them (lesson 06, 03-network-policy):
 * NetworkPolicies, Namespaces and Pods from the apiserver turned into a PolicyWorld and the pods'
 * PolicyEndpoints, for the node's enforcer (netpol-kernel.ts) and `explain netpol` (netpol-cli.ts).
 * Pure.
 *
 * Pods without an address yet (status.podIP), and finished ones (Succeeded, Failed), take no part:
 * no traffic can reach them. A namespace's labels include `kubernetes.io/metadata.name`, which the
 * apiserver sets on every namespace upstream (so a namespaceSelector on it works even where our
 * store holds an object without it).
 */
import type { KubeObject, Namespace, Pod } from '../kube/types.ts';
import type { NetworkPolicy, PolicyEndpoint, PolicyWorld } from './exercises.ts';

export type PolicyPod = Extract<PolicyEndpoint, { kind: 'pod' }>;

export function policyPod(pod: Pod): PolicyPod | undefined {
  const ip = pod.status?.podIP;
  if (!ip || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const namedPorts = (pod.spec.containers ?? []).flatMap((c) =>
    (c.ports ?? []).filter((p) => p.name).map((p) => ({ name: p.name!, port: p.containerPort, ...(p.protocol ? { protocol: p.protocol } : {}) })),
  );
  return {
    kind: 'pod',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    labels: { ...(pod.metadata.labels ?? {}) },
    ip,
    ...(namedPorts.length ? { namedPorts } : {}),
  };
}

export function policyWorld(policies: readonly KubeObject[], namespaces: readonly Namespace[]): PolicyWorld {
  const labels: Record<string, Record<string, string>> = {};
  for (const ns of namespaces) {
    const name = ns.metadata.name ?? '';
    labels[name] = { 'kubernetes.io/metadata.name': name, ...(ns.metadata.labels ?? {}) };
  }
  const sorted = [...policies].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  return { policies: sorted as unknown as NetworkPolicy[], namespaces: labels };
}
