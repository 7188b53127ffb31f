/**
 * What `kubelings explain netpol` prints, as a pure function of the cluster's NetworkPolicies,
 * namespaces and pods: each policy of the namespace with the directions it covers and the pods it
 * selects (objects.matchesSelector, lesson 00), each pod's isolation, and, for one pod, who may
 * connect to it and whom it may reach, port by port, as the cni component's evaluatePolicies
 * decides (lesson 06, 03-network-policy). It states whether the cluster's network mode enforces
 * what it shows.
 *
 * The ports tried for a pair of pods: the destination's container ports and every port the
 * namespace's policies name (endPort ranges by their first port), or 80 when there are none: a
 * policy can only treat ports differently when it names them, so these show every difference.
 */
import type { CniExercises, NetworkPolicy, PolicyWorld } from './exercises.ts';
import type { PolicyPod } from './netpol-world.ts';

export interface NetpolExplainInput {
  world: PolicyWorld;
  pods: readonly PolicyPod[];
  namespace: string | undefined;
  /** The pod to explain connections for (in `namespace`). */
  pod?: string;
  network: 'kernel' | 'loopback';
  matchesSelector(selector: unknown, labels: Record<string, string>): boolean;
  cni: Pick<CniExercises, 'evaluatePolicies'>;
  /** Every container port of a pod, named or not (PolicyPod carries the named ones only). */
  containerPorts?: (pod: PolicyPod) => { port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
}

const directions = (p: NetworkPolicy) => p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;

export function explainNetpol(input: NetpolExplainInput): string {
  const { world, pods, namespace } = input;
  const out: string[] = [];
  out.push(
    input.network === 'kernel'
      ? 'Network mode: kernel. These policies are enforced: each node loads them into nftables (table inet kubelings-netpol in its namespace, by its netpol-enforcer component), so a connection denied below is dropped.'
      : 'Network mode: loopback. NetworkPolicy is not enforced in loopback mode: what follows is what the policies decide, but every pod can still reach every other. Run the cluster with --network kernel (as root) to enforce it.',
  );
  const inScope = (ns: string) => namespace === undefined || ns === namespace;
  const policies = world.policies.filter((p) => inScope(p.metadata.namespace));
  const selected = (p: NetworkPolicy) => pods.filter((pod) => pod.namespace === p.metadata.namespace && input.matchesSelector(p.spec.podSelector, pod.labels));
  out.push('', `NetworkPolicies${namespace ? ` in namespace ${namespace}` : ''}: ${policies.length || 'none (every pod is open both ways)'}`);
  for (const p of policies) {
    const names = selected(p).map((x) => x.name);
    out.push(`  ${key(p.metadata)}  ${directions(p).join('+')}  selects ${names.length ? names.join(', ') : 'no pod'}`);
  }
  const scopedPods = pods.filter((p) => inScope(p.namespace));
  out.push('', `Pods${namespace ? ` in namespace ${namespace}` : ''}:`);
  for (const pod of scopedPods) {
    const side = (dir: 'Ingress' | 'Egress') => {
      const by = world.policies.filter((p) => p.metadata.namespace === pod.namespace && directions(p).includes(dir) && input.matchesSelector(p.spec.podSelector, pod.labels));
      return by.length ? `isolated (${by.map((p) => p.metadata.name).join(', ')})` : 'open';
    };
    out.push(`  ${pod.name.padEnd(20)} ${pod.ip.padEnd(15)} ingress ${side('Ingress')}; egress ${side('Egress')}`);
  }
  if (scopedPods.length === 0) out.push('  none with an address');

  if (input.pod !== undefined) {
    const target = pods.find((p) => p.name === input.pod && p.namespace === (namespace ?? 'default'));
    if (!target) {
      out.push('', `pods "${input.pod}" not found (or it has no address yet).`);
      return `${out.join('\n')}\n`;
    }
    const portsOf = (dst: PolicyPod) => {
      const named = [...(dst.namedPorts ?? []), ...(input.containerPorts?.(dst) ?? [])].map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
      const fromPolicies = world.policies.flatMap((p) => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])].flatMap((r) => r.ports ?? []));
      const numeric = fromPolicies.filter((p) => typeof p.port === 'number').map((p) => ({ port: p.port as number, protocol: p.protocol ?? 'TCP' }));
      const all = [...named, ...numeric];
      const seen = new Map(all.map((p) => [`${p.protocol.toLowerCase()}/${p.port}`, p]));
      return seen.size ? [...seen.entries()].sort((a, b) => a[1].port - b[1].port) : [['tcp/80', { port: 80, protocol: 'TCP' as const }] as const];
    };
    const line = (from: PolicyPod, to: PolicyPod, other: PolicyPod) =>
      portsOf(to).map(([label, p]) => {
        const d = input.cni.evaluatePolicies(world, { from, to, port: p.port, protocol: p.protocol });
        const verdict = d.allowed
          ? `✓ allowed${d.allowedBy.length ? ` by ${d.allowedBy.join(', ')}` : ' (not isolated)'}`
          : `✗ denied (${d.egress === 'denied' ? `${from.name}'s egress` : `${to.name}'s ingress`})`;
        return `  ${key(other).padEnd(28)} ${label.padEnd(10)} ${verdict}`;
      });
    const others = pods.filter((p) => p !== target);
    out.push('', `Who may connect to ${key(target)} (${target.ip}):`);
    for (const o of others) out.push(...line(o, target, o));
    out.push('', `Whom ${key(target)} may connect to:`);
    for (const o of others) out.push(...line(target, o, o));
  }
  return `${out.join('\n')}\n`;
}
