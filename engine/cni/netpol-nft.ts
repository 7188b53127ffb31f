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
import { parseCidr, parseIPv4 } from './ipv4.ts';

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

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const isPort = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;

/**
 * Throws a sentence naming the first rule that is not what the text may hold: a pod address that
 * is not a dotted-quad IPv4, a peer that is not a CIDR, a port outside 1-65535 or a range whose
 * ends are reversed, a protocol other than TCP, UDP or SCTP, or a pod and direction given twice.
 * Every value reaches nft's text, so nothing else may: a pod's status.podIP such as
 * "10.0.0.1 accept" would otherwise become a rule of its own.
 */
export function checkCompiledRules(rules: readonly CompiledPodRules[]): void {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    const where = `compiled rule ${i} (${JSON.stringify(r?.podIp)} ${JSON.stringify(r?.direction)})`;
    try {
      if (typeof r.podIp !== 'string') throw new Error('podIp is not a string');
      parseIPv4(r.podIp);
      if (r.direction !== 'ingress' && r.direction !== 'egress') throw new Error('direction is neither ingress nor egress');
      if (seen.has(`${r.direction} ${r.podIp}`)) throw new Error('this pod and direction came before: one entry each');
      seen.add(`${r.direction} ${r.podIp}`);
      if (!Array.isArray(r.allow)) throw new Error('allow is not a list');
      for (const allow of r.allow) {
        for (const peer of allow.peers ?? []) {
          if (typeof peer.cidr !== 'string') throw new Error('a peer has no cidr');
          parseCidr(peer.cidr);
          if (!Array.isArray(peer.except)) throw new Error(`peer ${peer.cidr}: except is not a list`);
          for (const e of peer.except) {
            if (typeof e !== 'string') throw new Error(`peer ${peer.cidr}: an except entry is not a string`);
            parseCidr(e);
          }
        }
        for (const port of allow.ports ?? []) {
          if (!PROTOCOLS.has(port.protocol)) throw new Error(`protocol ${JSON.stringify(port.protocol)} is not TCP, UDP or SCTP`);
          if (!isPort(port.from) || !isPort(port.to) || port.from > port.to) throw new Error(`port range ${JSON.stringify(port.from)}-${JSON.stringify(port.to)} is not within 1-65535, low end first`);
        }
      }
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  });
}

/** The whole table, ready for `nft -f`; it deletes an older copy of itself first. Throws on a malformed rule (checkCompiledRules). */
export function renderNetpolTable(rules: readonly CompiledPodRules[]): string {
  checkCompiledRules(rules);
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
