/**
 * The learner's rules as the nftables ruleset kube-proxy's nftables mode writes
 * (pkg/proxy/nftables/proxier.go): the service-ips and service-nodeports verdict maps, the
 * no-endpoint-services map whose verdict is reject (or drop under a Local policy with no local
 * endpoint), one chain per Service port that marks traffic for masquerading and picks an endpoint
 * with `numgen random mod N`, ClientIP affinity sets, external and local chains for traffic
 * policies, and one chain per endpoint that DNATs to it; filter chains on input, forward and output
 * reject traffic to a Service without endpoints. Chain names follow upstream's
 * `<prefix>-<hash>-<namespace>/<name>/<protocol>/<port name>` (hash: 8 base32 characters of SHA-256).
 *
 * Shown to the learner (`npx kubelings explain proxy`) and, in kernel mode, the ruleset the engine
 * would load; `nft -c -f` accepts it (test/engine/proxy-nftables.test.ts). A pure function.
 */
import { createHash } from 'node:crypto';
import type { ProxyEndpoint, ProxyRule } from './exercises.ts';
import { POD_NETWORK_CIDR } from '../params.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 8 characters of base32(sha256(text)), as upstream's hashAndTruncate names chains. */
export function chainHash(text: string): string {
  const known = hashes.get(text);
  if (known) return known;
  const hash = computeChainHash(text);
  if (hashes.size > 100_000) hashes.clear();
  hashes.set(text, hash);
  return hash;
}
const hashes = new Map<string, string>();

function computeChainHash(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 8) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 8) break;
  }
  return out;
}

const portBase = (r: ProxyRule) => {
  const [namespace, name] = r.service.split('/');
  const portName = r.servicePortName.includes(':') ? r.servicePortName.slice(r.servicePortName.indexOf(':') + 1) : '';
  return `${namespace}/${name}/${r.protocol.toLowerCase()}/${portName}`;
};
const chainName = (prefix: string, base: string) => `${prefix}-${chainHash(base)}-${base}`;
const endpointBase = (r: ProxyRule, e: ProxyEndpoint) => `${portBase(r)}__${e.ip}/${e.port}`;

export interface RenderOptions {
  /** Traffic from outside this range to a ClusterIP is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR?: string;
  /** The table's name (default kube-proxy). */
  table?: string;
}

/** The pieces of the ruleset that one rule owns: map elements, chains and affinity sets. */
export interface RuleParts {
  clusterIP: string;
  /** Elements of service-ips, service-nodeports, no-endpoint-services and no-endpoint-nodeports. */
  serviceIps: string[];
  nodePorts: string[];
  noEndpoints: string[];
  noEndpointNodePorts: string[];
  /** The rule's own chains (no other rule jumps to them), in the order they are written. */
  chains: { name: string; lines: string[] }[];
  /** ClientIP affinity sets, one per endpoint. */
  sets: { name: string; timeoutSeconds: number }[];
}

/** What one rule adds to the table (renderNftables joins these; the kernel backend applies them one rule at a time). */
export function renderRuleParts(r: ProxyRule, clusterCIDR: string = POD_NETWORK_CIDR): RuleParts {
  const proto = r.protocol.toLowerCase();
  const parts: RuleParts = { clusterIP: r.clusterIP, serviceIps: [], nodePorts: [], noEndpoints: [], noEndpointNodePorts: [], chains: [], sets: [] };
  const base = portBase(r);
  const service = chainName('service', base);
  const local = chainName('local', base);
  const external = chainName('external', base);
  const comment = `comment "${r.servicePortName}"`;
  const internalTarget = r.internalPolicyLocal ? local : service;
  const usesLocal = r.internalPolicyLocal || r.externalPolicyLocal;
  if (r.internalEndpoints.length > 0) parts.serviceIps.push(`${r.clusterIP} . ${proto} . ${r.port} : goto ${internalTarget}`);
  else parts.noEndpoints.push(`${r.clusterIP} . ${proto} . ${r.port} ${comment} : ${r.hasEndpoints ? 'drop' : 'goto reject-chain'}`);
  if (r.nodePort !== undefined) {
    if (r.externalEndpoints.length > 0) parts.nodePorts.push(`${proto} . ${r.nodePort} : goto ${external}`);
    else parts.noEndpointNodePorts.push(`${proto} . ${r.nodePort} ${comment} : ${r.hasEndpoints ? 'drop' : 'goto reject-chain'}`);
  }
  const balance = (endpoints: ProxyEndpoint[]) => {
    const lines: string[] = [];
    if (r.affinityTimeoutSeconds !== undefined) {
      for (const e of endpoints) {
        const eb = endpointBase(r, e);
        lines.push(`ip saddr @${chainName('affinity', eb)} goto ${chainName('endpoint', eb)}`);
      }
    }
    const arms = endpoints.map((e, i) => `${i} : goto ${chainName('endpoint', endpointBase(r, e))}`).join(', ');
    if (endpoints.length > 0) lines.push(`numgen random mod ${endpoints.length} vmap { ${arms} }`);
    return lines;
  };
  const clusterEndpoints = r.internalPolicyLocal ? r.externalEndpoints : r.internalEndpoints;
  parts.chains.push({ name: service, lines: [`ip daddr ${r.clusterIP} ${proto} dport ${r.port} ip saddr != ${clusterCIDR} jump mark-for-masquerade`, ...balance(clusterEndpoints)] });
  if (usesLocal) {
    const localEndpoints = r.internalPolicyLocal ? r.internalEndpoints : r.externalEndpoints;
    parts.chains.push({ name: local, lines: balance(localEndpoints) });
  }
  if (r.nodePort !== undefined) {
    parts.chains.push({
      name: external,
      lines: r.externalPolicyLocal
        ? [`ip saddr ${clusterCIDR} goto ${service}`, 'fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${service}`, `goto ${local}`]
        : ['jump mark-for-masquerade', `goto ${service}`],
    });
  }
  const byEndpoint = new Map<string, ProxyEndpoint>();
  for (const e of [...r.internalEndpoints, ...r.externalEndpoints]) byEndpoint.set(endpointBase(r, e), e);
  for (const [eb, e] of byEndpoint) {
    const lines = [`ip saddr ${e.ip} jump mark-for-masquerade`];
    if (r.affinityTimeoutSeconds !== undefined) {
      const set = chainName('affinity', eb);
      parts.sets.push({ name: set, timeoutSeconds: r.affinityTimeoutSeconds });
      lines.push(`update @${set} { ip saddr }`);
    }
    lines.push(`meta l4proto ${proto} dnat to ${e.ip}:${e.port}`);
    parts.chains.push({ name: chainName('endpoint', eb), lines });
  }
  return parts;
}

export function renderNftables(rules: readonly ProxyRule[], options: RenderOptions = {}): string {
  const clusterCIDR = options.clusterCIDR ?? POD_NETWORK_CIDR;
  const serviceIps: string[] = [];
  const nodePorts: string[] = [];
  const noEndpoints: string[] = [];
  const noEndpointNodePorts: string[] = [];
  const chains: string[] = [];
  const sets: string[] = [];
  const clusterIPs = new Set<string>();

  for (const r of rules) {
    const parts = renderRuleParts(r, clusterCIDR);
    clusterIPs.add(parts.clusterIP);
    serviceIps.push(...parts.serviceIps);
    nodePorts.push(...parts.nodePorts);
    noEndpoints.push(...parts.noEndpoints);
    noEndpointNodePorts.push(...parts.noEndpointNodePorts);
    for (const set of parts.sets) sets.push(`\tset ${set.name} {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout ${set.timeoutSeconds}s\n\t}`);
    for (const c of parts.chains) chains.push(chain(c.name, c.lines));
  }

  const elements = (items: string[]) => (items.length ? `\t\telements = {\n${items.map((i) => `\t\t\t${i},`).join('\n')}\n\t\t}\n` : '');
  const table = options.table ?? 'kube-proxy';
  return [
    `table ip ${table} {`,
    '\tcomment "rules for kube-proxy"',
    `\tset cluster-ips {\n\t\ttype ipv4_addr\n\t\tcomment "Active ClusterIPs"\n${elements([...clusterIPs].sort())}\t}`,
    `\tmap service-ips {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\tcomment "ClusterIP, ExternalIP and LoadBalancer IP traffic"\n${elements(serviceIps)}\t}`,
    `\tmap service-nodeports {\n\t\ttype inet_proto . inet_service : verdict\n\t\tcomment "NodePort traffic"\n${elements(nodePorts)}\t}`,
    `\tmap no-endpoint-services {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\tcomment "vmap to drop or reject packets to services with no endpoints"\n${elements(noEndpoints)}\t}`,
    `\tmap no-endpoint-nodeports {\n\t\ttype inet_proto . inet_service : verdict\n\t\tcomment "vmap to drop or reject packets to service nodeports with no endpoints"\n${elements(noEndpointNodePorts)}\t}`,
    ...sets,
    chain('reject-chain', ['reject'], 'helper for @no-endpoint-services / @no-endpoint-nodeports'),
    chain(
      'filter-input',
      ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services', 'fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports'],
      undefined,
      'type filter hook input priority -110; policy accept;',
    ),
    chain('filter-forward', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'], undefined, 'type filter hook forward priority -110; policy accept;'),
    chain('filter-output', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'], undefined, 'type filter hook output priority -110; policy accept;'),
    chain('mark-for-masquerade', ['meta mark set meta mark or 0x4000']),
    chain('masquerading', ['meta mark and 0x4000 == 0 return', 'meta mark set meta mark xor 0x4000', 'masquerade fully-random']),
    chain('nat-prerouting', ['jump services'], undefined, 'type nat hook prerouting priority dstnat; policy accept;'),
    chain('nat-output', ['jump services'], undefined, 'type nat hook output priority -100; policy accept;'),
    chain('nat-postrouting', ['jump masquerading'], undefined, 'type nat hook postrouting priority srcnat; policy accept;'),
    chain('services', ['ip daddr . meta l4proto . th dport vmap @service-ips', 'ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto . th dport vmap @service-nodeports']),
    ...chains,
    '}',
    '',
  ].join('\n');
}

function chain(name: string, lines: string[], comment?: string, hook?: string): string {
  const head = [hook ? `\t\t${hook}` : undefined, comment ? `\t\tcomment "${comment}"` : undefined].filter(Boolean);
  return `\tchain ${name} {\n${[...head, ...lines.map((l) => `\t\t${l}`)].join('\n')}\n\t}`;
}
