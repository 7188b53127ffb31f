/**
 * Exercise 06-cni/03-network-policy (reference): which connections NetworkPolicies allow, and the
 * per-pod rules a node enforces.
 */
import type { CompiledPodRules, Connection, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PolicyDecision, PolicyEndpoint, PolicyWorld } from '#engine/cni/exercises.ts';
import { parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { loadComponent } from '#engine/impl.ts';

/** Label selectors, from lesson 00 (the reference unless yours passes). */
const objects = await loadComponent('objects');

type Pod = Extract<PolicyEndpoint, { kind: 'pod' }>;
type Direction = 'Ingress' | 'Egress';

export function policyTypes(policy: NetworkPolicy): Direction[] {
  if (policy.spec.policyTypes && policy.spec.policyTypes.length > 0) return policy.spec.policyTypes;
  // Defaulting: Ingress always, Egress only when the policy has egress rules.
  return (policy.spec.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function selects(policy: NetworkPolicy, pod: PolicyEndpoint): pod is Pod {
  return pod.kind === 'pod' && pod.namespace === policy.metadata.namespace && objects.matchesSelector(policy.spec.podSelector, pod.labels);
}

function inBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  const n = parseIPv4(ip);
  const within = (cidr: string) => {
    const c = parseCidr(cidr);
    return n >= c.network && n <= c.last;
  };
  return within(block.cidr) && !(block.except ?? []).some(within);
}

function peerMatches(world: PolicyWorld, policy: NetworkPolicy, peer: NetworkPolicyPeer, other: PolicyEndpoint): boolean {
  if (peer.ipBlock) return inBlock(other.ip, peer.ipBlock);
  if (other.kind !== 'pod') return false;
  if (peer.namespaceSelector) {
    if (!objects.matchesSelector(peer.namespaceSelector, world.namespaces[other.namespace] ?? {})) return false;
  } else if (other.namespace !== policy.metadata.namespace) {
    return false;
  }
  return peer.podSelector ? objects.matchesSelector(peer.podSelector, other.labels) : true;
}

/** The port numbers a policy port names on `target` (the pod whose named ports count), or none. */
function portRange(port: NetworkPolicyPort, target: PolicyEndpoint): { protocol: string; from: number; to: number } | undefined {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined) return { protocol, from: 1, to: 65535 };
  if (typeof port.port === 'number') return { protocol, from: port.port, to: port.endPort ?? port.port };
  if (target.kind !== 'pod') return undefined;
  const named = target.namedPorts?.find((p) => p.name === port.port && (p.protocol ?? 'TCP') === protocol);
  return named ? { protocol, from: named.port, to: named.port } : undefined;
}

function portsMatch(ports: NetworkPolicyPort[] | undefined, c: Connection): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    const r = portRange(p, c.to);
    return r !== undefined && r.protocol === c.protocol && c.port >= r.from && c.port <= r.to;
  });
}

function side(world: PolicyWorld, c: Connection, direction: Direction): { verdict: 'not-isolated' | 'allowed' | 'denied'; by: string[] } {
  const pod = direction === 'Ingress' ? c.to : c.from;
  const other = direction === 'Ingress' ? c.from : c.to;
  const applying = world.policies.filter((p) => selects(p, pod) && policyTypes(p).includes(direction));
  if (applying.length === 0) return { verdict: 'not-isolated', by: [] };
  const by: string[] = [];
  for (const policy of applying) {
    const rules = direction === 'Ingress' ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    const allows = rules.some((rule) => (!rule.peers || rule.peers.length === 0 || rule.peers.some((peer) => peerMatches(world, policy, peer, other))) && portsMatch(rule.ports, c));
    if (allows) by.push(`${policy.metadata.namespace}/${policy.metadata.name}`);
  }
  return { verdict: by.length > 0 ? 'allowed' : 'denied', by };
}

export function evaluatePolicies(world: PolicyWorld, connection: Connection): PolicyDecision {
  const egress = side(world, connection, 'Egress');
  const ingress = side(world, connection, 'Ingress');
  return {
    allowed: egress.verdict !== 'denied' && ingress.verdict !== 'denied',
    egress: egress.verdict,
    ingress: ingress.verdict,
    allowedBy: [...egress.by, ...ingress.by],
  };
}

export function compilePolicies(world: PolicyWorld, pods: readonly Pod[]): CompiledPodRules[] {
  const out: CompiledPodRules[] = [];
  for (const pod of pods) {
    for (const direction of ['Ingress', 'Egress'] as const) {
      const applying = world.policies.filter((p) => selects(p, pod) && policyTypes(p).includes(direction));
      if (applying.length === 0) continue;
      const allow: CompiledPodRules['allow'] = [];
      for (const policy of applying) {
        const rules = direction === 'Ingress' ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
        for (const rule of rules) {
          const anyPeer = !rule.peers || rule.peers.length === 0;
          // Each peer the rule names, as addresses: an ipBlock as it is, pods by their /32.
          const peerPods = anyPeer ? [] : pods.filter((other) => rule.peers!.some((peer) => !peer.ipBlock && peerMatches(world, policy, peer, other)));
          const blocks = anyPeer ? [] : rule.peers!.filter((p) => p.ipBlock).map((p) => ({ cidr: p.ipBlock!.cidr, except: p.ipBlock!.except ?? [] }));
          const ports = (target: PolicyEndpoint) => {
            if (!rule.ports || rule.ports.length === 0) return undefined;
            return rule.ports.map((p) => portRange(p, target)).filter((r): r is NonNullable<typeof r> => r !== undefined) as NonNullable<CompiledPodRules['allow'][number]['ports']>;
          };
          const named = rule.ports?.some((p) => typeof p.port === 'string') ?? false;
          if (direction === 'Ingress' || !named) {
            // Named ports resolve on the pod itself for ingress; numbers need no pod.
            const p = ports(pod);
            if (p && p.length === 0) continue;
            if (anyPeer) allow.push({ ports: p });
            else if (peerPods.length + blocks.length > 0) allow.push({ peers: [...blocks, ...peerPods.map((o) => ({ cidr: `${o.ip}/32`, except: [] }))], ports: p });
          } else {
            // Egress to a named port: it resolves on each destination pod.
            const targets = anyPeer ? pods : pods.filter((other) => rule.peers!.some((peer) => peerMatches(world, policy, peer, other)));
            for (const target of targets) {
              const p = ports(target)!;
              if (p.length > 0) allow.push({ peers: [{ cidr: `${target.ip}/32`, except: [] }], ports: p });
            }
            const numbered = rule.ports!.filter((x) => typeof x.port !== 'string');
            if (numbered.length > 0) {
              const p = numbered.map((x) => portRange(x, pod)!) as NonNullable<CompiledPodRules['allow'][number]['ports']>;
              if (anyPeer) allow.push({ ports: p });
              else if (peerPods.length + blocks.length > 0) allow.push({ peers: [...blocks, ...peerPods.map((o) => ({ cidr: `${o.ip}/32`, except: [] }))], ports: p });
            }
          }
        }
      }
      out.push({ podIp: pod.ip, direction: direction === 'Ingress' ? 'ingress' : 'egress', allow });
    }
  }
  return out;
}
