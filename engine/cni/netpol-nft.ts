/**
 * Compiled NetworkPolicy rules (lesson 06, 03-network-policy: CompiledPodRules) rendered as the
 * nftables table a node loads: one chain per isolated pod and direction, jumped to from a forward
 * chain by the pod's address; established and related traffic is let through (a policy filters
 * new connections, as upstream's implementations do); each allow entry becomes one rule per peer
 * and port range whose verdict is `return`, and the chain ends in a drop. An allow returns rather
 * than accepts because a connection needs both ends to agree: the destination's ingress chain
 * allowing it must still let the source's egress chain run (an accept would end the hook there).
 * Rendering is pure text: loading it is `nft -f` (netpol-kernel.ts, which says why the table is
 * inet and how bridged traffic reaches its forward hook: br_netfilter).
 */
import type { CompiledPodRules } from './exercises.ts';

export const NETPOL_TABLE = 'kubelings-netpol';

const chainName = (r: CompiledPodRules) => `${r.direction}-${r.podIp.replaceAll('.', '-')}`;

function ruleLines(r: CompiledPodRules): string[] {
  const peerField = r.direction === 'ingress' ? 'saddr' : 'daddr';
  const lines = ['ct state established,related accept'];
  for (const allow of r.allow) {
    const peers = allow.peers ?? [undefined];
    const ports = allow.ports ?? [undefined];
    for (const peer of peers) {
      for (const port of ports) {
        const parts: string[] = [];
        if (peer) {
          parts.push(`ip ${peerField} ${peer.cidr}`);
          if (peer.except.length > 0) parts.push(`ip ${peerField} != { ${peer.except.join(', ')} }`);
        }
        if (port) parts.push(`${port.protocol.toLowerCase()} dport ${port.from === port.to ? port.from : `${port.from}-${port.to}`}`);
        parts.push('return');
        lines.push(parts.join(' '));
      }
    }
  }
  lines.push('drop');
  return lines;
}

/** The whole table, ready for `nft -f`; it deletes an older copy of itself first. */
export function renderNetpolTable(rules: readonly CompiledPodRules[]): string {
  const out = [
    `table inet ${NETPOL_TABLE}`,
    `delete table inet ${NETPOL_TABLE}`,
    `# Bridged pod traffic reaches this hook only with br_netfilter loaded.`,
    `table inet ${NETPOL_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
  ];
  for (const r of rules) out.push(`    ip ${r.direction === 'ingress' ? 'daddr' : 'saddr'} ${r.podIp} jump ${chainName(r)}`);
  out.push('  }');
  for (const r of rules) {
    out.push(`  chain ${chainName(r)} {`);
    for (const line of ruleLines(r)) out.push(`    ${line}`);
    out.push('  }');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
