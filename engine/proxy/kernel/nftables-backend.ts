/**
 * kube-proxy's backend in kernel mode: the learner's rules ({ full, upsert, remove }, the same
 * changes the userspace proxy gets) programmed into a real nftables table (default
 * `kubelings-proxy`, family ip, in kube-proxy's nftables layout from nftables-render.ts) inside
 * the node's network namespace.
 *
 * - A full sync replaces the whole table in one transaction (`table …; delete table …; table … {}`),
 *   so traffic sees either the old ruleset or the new one, never a table half-written.
 * - A partial sync is one transaction too, and touches only the Service ports it names, as
 *   upstream's partial syncs do: their map elements are deleted, their chains flushed (and deleted
 *   when gone), and the new chains, rules, affinity sets and elements added.
 *
 * Invariants: every rule is checked (checkRule) before any text reaches nft; `applied` is what the kernel holds, and changes only after nft accepted the
 * transaction. When nft refuses one, apply() throws (the learner's proxier then retries with a full
 * sync) and the next apply is turned into a full one whatever the proxier sends, since what the
 * kernel holds can no longer be trusted to match `applied`.
 */
import { KERNEL_PROXY_TABLE, POD_NETWORK_CIDR } from '../../params.ts';
import type { ProxyBackend, ProxyRule, RuleChanges } from '../exercises.ts';
import { renderNftables, renderRuleParts, type RuleParts } from '../nftables-render.ts';
import { checkTableName, nftApply, nftDeleteTable } from './nft.ts';

export interface NftablesBackendOptions {
  /** The node's network namespace (a name as `ip netns add` takes it). */
  netns: string;
  /** Traffic to a ClusterIP from outside this range is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR?: string;
  /** The table's name (default KERNEL_PROXY_TABLE). */
  table?: string;
  log?: (line: string) => void;
}

interface Applied {
  rule: ProxyRule;
  parts: RuleParts;
}

const MAPS = [
  ['serviceIps', 'service-ips'],
  ['nodePorts', 'service-nodeports'],
  ['noEndpoints', 'no-endpoint-services'],
  ['noEndpointNodePorts', 'no-endpoint-nodeports'],
] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$/;
const isPort = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65_535;

/**
 * Refuses a rule whose text could not be a Service port's: the rules become nft commands, so a
 * name with a quote or a newline (a learner's bug) must not reach nft, where it could end one
 * command and start another.
 */
export function checkRule(r: ProxyRule): void {
  const where = `the rule for ${JSON.stringify(r?.servicePortName)}`;
  if (typeof r?.servicePortName !== 'string' || !NAME.test(r.servicePortName) || (r.servicePortName !== r.service && !r.servicePortName.startsWith(`${r.service}:`))) {
    throw new Error(`${where}: servicePortName must be namespace/name or namespace/name:port, with the Service's own namespace/name`);
  }
  if (!NAME.test(r.service) || r.service.includes(':')) throw new Error(`${where}: service must be namespace/name`);
  if (!['TCP', 'UDP', 'SCTP'].includes(r.protocol)) throw new Error(`${where}: protocol must be TCP, UDP or SCTP, not ${JSON.stringify(r.protocol)}`);
  if (!IPV4.test(r.clusterIP)) throw new Error(`${where}: clusterIP ${JSON.stringify(r.clusterIP)} is not an IPv4 address`);
  if (!isPort(r.port) || (r.nodePort !== undefined && !isPort(r.nodePort))) throw new Error(`${where}: port and nodePort must be whole numbers from 1 to 65535`);
  if (r.affinityTimeoutSeconds !== undefined && !(Number.isInteger(r.affinityTimeoutSeconds) && r.affinityTimeoutSeconds > 0)) {
    throw new Error(`${where}: affinityTimeoutSeconds must be a whole number of seconds above 0`);
  }
  for (const e of [...(r.internalEndpoints ?? []), ...(r.externalEndpoints ?? [])]) {
    if (!IPV4.test(e?.ip) || !isPort(e?.port)) throw new Error(`${where}: endpoint ${JSON.stringify(e)} needs an IPv4 address and a port from 1 to 65535`);
  }
}

/** The key of a map element (`10.96.0.1 . tcp . 80 comment "…" : goto x` → `10.96.0.1 . tcp . 80`). */
const elementKey = (element: string) => element.replace(/ (comment "[^"]*" )?: .*$/, '');

export class NftablesProxyBackend implements ProxyBackend {
  readonly table: string;
  private readonly clusterCIDR: string;
  private applied = new Map<string, Applied>();
  private mustReplace = true;
  private counts = { full: 0, partial: 0, failed: 0 };

  constructor(private readonly options: NftablesBackendOptions) {
    this.table = checkTableName(options.table ?? KERNEL_PROXY_TABLE);
    this.clusterCIDR = options.clusterCIDR ?? POD_NETWORK_CIDR;
  }

  apply(changes: RuleChanges): void {
    const next = new Map(changes.full ? [] : this.applied);
    for (const name of changes.remove) next.delete(name);
    for (const rule of changes.upsert) {
      checkRule(rule);
      next.set(rule.servicePortName, { rule, parts: renderRuleParts(rule, this.clusterCIDR) });
    }
    for (const name of changes.remove) if (typeof name !== 'string') throw new Error(`remove holds ${JSON.stringify(name)}, not a servicePortName`);
    const full = changes.full || this.mustReplace;
    const text = full ? this.replaceTable(next) : this.partialTransaction(changes, next);
    try {
      nftApply(this.options.netns, text);
    } catch (error) {
      this.mustReplace = true;
      this.counts.failed++;
      this.options.log?.(`nftables ${full ? 'full' : 'partial'} sync failed: ${(error as Error).message}`);
      throw error;
    }
    this.applied = next;
    this.mustReplace = false;
    this.counts[full ? 'full' : 'partial']++;
  }

  /** The rules the kernel holds now, sorted by servicePortName. */
  currentRules(): ProxyRule[] {
    return [...this.applied.values()].map((a) => a.rule).sort((a, b) => (a.servicePortName < b.servicePortName ? -1 : 1));
  }

  /** How many transactions of each kind nft accepted, and how many it refused. */
  stats(): { full: number; partial: number; failed: number } {
    return { ...this.counts };
  }

  /** Removes the table from the namespace (kube-proxy's cleanup); true when there was one. */
  remove(): boolean {
    this.applied.clear();
    this.mustReplace = true;
    return nftDeleteTable(this.options.netns, 'ip', this.table);
  }

  private replaceTable(next: Map<string, Applied>): string {
    const rules = [...next.values()].map((a) => a.rule);
    return `table ip ${this.table}\ndelete table ip ${this.table}\n${renderNftables(rules, { table: this.table, clusterCIDR: this.clusterCIDR })}`;
  }

  private partialTransaction(changes: RuleChanges, next: Map<string, Applied>): string {
    const t = `ip ${this.table}`;
    const out: string[] = [];
    const touched = [...new Set([...changes.remove, ...changes.upsert.map((r) => r.servicePortName)])];
    const before = touched.map((n) => this.applied.get(n)).filter((a): a is Applied => a !== undefined);
    const after = changes.upsert.map((r) => next.get(r.servicePortName)!);
    const newChains = new Set(after.flatMap((a) => a.parts.chains.map((c) => c.name)));
    const newSets = new Map(after.flatMap((a) => a.parts.sets.map((s) => [s.name, s.timeoutSeconds] as const)));
    // 1. The old map elements go first: then nothing outside the touched chains refers to them.
    for (const { parts } of before) {
      for (const [field, map] of MAPS) for (const e of parts[field]) out.push(`delete element ${t} ${map} { ${elementKey(e)} }`);
    }
    // 2. Old chains are emptied (dropping their references to each other and to sets), then
    //    deleted unless the new rules keep them; a set whose timeout changed is made anew.
    for (const { parts } of before) for (const c of parts.chains) out.push(`flush chain ${t} ${c.name}`);
    for (const { parts } of before) for (const c of parts.chains) if (!newChains.has(c.name)) out.push(`delete chain ${t} ${c.name}`);
    const keptSets = new Set<string>();
    for (const { parts } of before) {
      for (const s of parts.sets) {
        if (newSets.get(s.name) === s.timeoutSeconds) keptSets.add(s.name);
        else out.push(`delete set ${t} ${s.name}`);
      }
    }
    // 3. The new sets, chains, rules and elements.
    for (const [name, timeout] of newSets) if (!keptSets.has(name)) out.push(`add set ${t} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`);
    for (const { parts } of after) for (const c of parts.chains) out.push(`add chain ${t} ${c.name}`);
    for (const { parts } of after) for (const c of parts.chains) for (const line of c.lines) out.push(`add rule ${t} ${c.name} ${line}`);
    for (const { parts } of after) {
      for (const [field, map] of MAPS) for (const e of parts[field]) out.push(`add element ${t} ${map} { ${e} }`);
    }
    // 4. cluster-ips: the addresses no rule uses any more leave, the new ones join.
    const stillUsed = new Set([...next.values()].map((a) => a.parts.clusterIP));
    for (const ip of new Set(before.map((a) => a.parts.clusterIP))) if (!stillUsed.has(ip)) out.push(`delete element ${t} cluster-ips { ${ip} }`);
    for (const ip of new Set(after.map((a) => a.parts.clusterIP))) out.push(`add element ${t} cluster-ips { ${ip} }`);
    return `${out.join('\n')}\n`;
  }
}
