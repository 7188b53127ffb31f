/**
 * Exercise 06-cni/03-network-policy: which connections do NetworkPolicies allow?
 *
 * Until a policy selects a pod, everything may reach it and it may reach everything. Once any
 * policy selects it for Ingress, only what some such policy's ingress rules allow may reach it
 * (the same for Egress and what it may reach). Policies only ever add allowed traffic: their
 * union is what is allowed. A connection needs both ends to agree: the source's egress and the
 * destination's ingress.
 *
 * Shapes (engine/cni/exercises.ts): NetworkPolicy { metadata: { name, namespace }, spec: {
 * podSelector, policyTypes?, ingress?: [{ from?, ports? }], egress?: [{ to?, ports? }] } };
 * a peer is { podSelector?, namespaceSelector?, ipBlock?: { cidr, except? } }; a port is
 * { protocol? (TCP), port? (number or name), endPort? }.
 * Label selectors: objects.matchesSelector(selector, labels) (lesson 00; `{}` matches all).
 *
 * Read: lessons/core/06-cni/04-network-policy.md
 * Check: npx kubelings check 06-cni/03-network-policy
 * Upstream: kubernetes pkg/apis/networking/types.go (the field comments are the semantics),
 * kubernetes-sigs/network-policy-api's conformance and the e2e netpol tests.
 */
import type { CompiledPodRules, Connection, PolicyDecision, PolicyEndpoint, PolicyWorld } from '#engine/cni/exercises.ts';
import { parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';

const PAGE = 'lessons/core/06-cni/04-network-policy.md';
const todo = (what: string) => new NotImplemented('06-cni/03-network-policy', PAGE, what);

/** Label selectors, from lesson 00 (the reference unless yours passes): objects.matchesSelector. */
const objects = await loadComponent('objects');
void [parseCidr, parseIPv4, objects];

/**
 * Must hold:
 * - a policy applies to the pods of ITS namespace that its podSelector matches (`{}`: all of
 *   them), in the directions of spec.policyTypes; absent policyTypes means Ingress, plus Egress
 *   only when the policy has egress rules;
 * - a side (ingress of `to`, egress of `from`) is 'not-isolated' when no policy applies to that
 *   pod in that direction (external endpoints are never isolated), 'allowed' when a rule of an
 *   applying policy matches, else 'denied';
 * - a rule matches when a peer matches (no peers, or an empty list: any peer) AND a port matches
 *   (no ports: any);
 * - a peer: ipBlock → the other end's address is in cidr and in none of except; else the other
 *   end must be a pod; namespaceSelector → its namespace's labels (world.namespaces) match; no
 *   namespaceSelector → it is in the policy's namespace; podSelector (if given) matches its labels;
 * - a port: protocol (default TCP) equal; no port → any port; a number → port..endPort (both
 *   inclusive; no endPort: just port); a name → the named port of the DESTINATION pod (c.to),
 *   with the same protocol; an external destination has no named ports;
 * - allowedBy: `namespace/name` of each policy with a matching rule, egress ones first, in the
 *   order of world.policies.
 */
export function evaluatePolicies(world: PolicyWorld, connection: Connection): PolicyDecision {
  // TODO
  throw todo('evaluatePolicies()');
}

/**
 * What a node enforces, per pod of `pods` and direction: only for a pod that is isolated in that
 * direction (a policy applies), one CompiledPodRules whose `allow` lists, for each rule of each
 * applying policy, who (peers: ipBlocks as they are with their excepts, peer pods from `pods` as
 * `ip/32`; undefined = anyone) on which ports (protocol, from, to inclusive; undefined = any).
 * A pod that is isolated with no rule gets allow: [] (deny all). Named ports: for ingress, the
 * pod's own named ports; for egress, each destination pod's (one entry per destination pod).
 * A rule none of whose peers matches anything adds nothing. The engine checks your rules against
 * evaluatePolicies on every pair of pods and port.
 */
export function compilePolicies(world: PolicyWorld, pods: readonly Extract<PolicyEndpoint, { kind: 'pod' }>[]): CompiledPodRules[] {
  // TODO
  throw todo('compilePolicies()');
}
