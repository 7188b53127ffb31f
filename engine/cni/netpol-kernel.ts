/**
 * NetworkPolicy enforced in kernel mode: the rules the learner's compilePolicies gives (lesson 06,
 * 03-network-policy; the reference where the learner's does not pass yet, as the door decides)
 * rendered by netpol-nft.ts and loaded with `nft -f` into the node's network namespace, in one
 * transaction that replaces the previous table (table inet kubelings-netpol).
 *
 * Where the table hooks in, and why: pods talk to each other across the node's bridge, so their
 * packets are bridged, not routed. The nftables `bridge` family sees bridged frames without help,
 * but a policy must let replies of allowed connections through (`ct state established`), and
 * connection tracking in the bridge family needs nf_conntrack_bridge, which kernels do not always
 * have (this project's CI kernel refuses `ct state` in a bridge table: "Protocol error"). The
 * `inet` forward hook has conntrack everywhere, and sees bridged IPv4 once br_netfilter passes it
 * there (net.bridge.bridge-nf-call-iptables=1, a per-namespace sysctl that kube-proxy requires
 * too); routed traffic (from outside the pod network) passes it anyway. So the table is inet, and
 * applying it sets that sysctl in the node's namespace first, refusing clearly where br_netfilter
 * is missing.
 *
 * Invariants: the enforcer's table is only ever replaced whole; the rules cover the pods of this
 * node (their isolation is enforced where their veth is); a compile that throws (a learner's bug)
 * is logged and leaves the last table in force, and so does compiled output nft must not see (a pod
 * address or peer that is not an address: netpol-nft.ts checks before rendering); a pod whose
 * status.podIP is not a plain IPv4 address is left out of the rules; a table that went away without a change of policy
 * (the node's namespace made anew by a restarted kubelet, or `nft flush ruleset` by hand) is
 * loaded again within NETPOL_TABLE_CHECK_MS; stop() removes the table (nothing to remove when the
 * namespace is gone already: the table went with it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../client/client.ts';
import type { RunningComponent } from '../cluster/cluster.ts';
import type { Logger } from '../cluster/logger.ts';
import { SharedInformerFactory } from '../controllers/informers.ts';
import { loadComponent } from '../impl.ts';
import type { KubeObject, Namespace, Pod } from '../kube/types.ts';
import { NETPOL_SYNC_DELAY_MS, NETPOL_SYNC_RETRY_MS, NETPOL_TABLE_CHECK_MS } from '../params.ts';
import { setNetnsSysctl } from '../proxy/kernel/kernel-proxy.ts';
import { checkNetnsName, nftApply, nftDeleteTable, nftListTable } from '../proxy/kernel/nft.ts';
import type { CniExercises, CompiledPodRules } from './exercises.ts';
import { parseIPv4 } from './ipv4.ts';
import { NETPOL_TABLE, renderNetpolTable } from './netpol-nft.ts';
import { policyPod, policyWorld, type PolicyPod } from './netpol-world.ts';

/** Where `ip netns` keeps named namespaces. */
const NETNS_DIR = '/run/netns';

/** True when named network namespace `netns` exists (`ip netns add` made it). */
export function netnsPresent(netns: string): boolean {
  return existsSync(join(NETNS_DIR, checkNetnsName(netns)));
}

/** Passes bridged IPv4 to the inet hooks in `netns` (br_netfilter); throws when the kernel has no br_netfilter. */
export function enableBridgedFiltering(netns: string): void {
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    throw new Error('NetworkPolicy in kernel mode needs br_netfilter (modprobe br_netfilter): without it, traffic between pods on a bridge never reaches nftables');
  }
  setNetnsSysctl(netns, 'net.bridge.bridge-nf-call-iptables', '1');
}

/** Loads `rules` into `netns` as table inet kubelings-netpol, replacing what was there, in one transaction. */
export function applyNetworkPolicyRules(netns: string, rules: readonly CompiledPodRules[]): void {
  enableBridgedFiltering(netns);
  nftApply(netns, renderNetpolTable(rules));
}

/** Removes the table; true when there was one (false too when the namespace is gone, and the table with it). */
export function removeNetworkPolicyRules(netns: string): boolean {
  if (!netnsPresent(netns)) return false;
  return nftDeleteTable(netns, 'inet', NETPOL_TABLE);
}

export interface NetpolEnforcerOptions {
  netns: string;
  nodeName: string;
  /** The cni component (default: the one the door picks). */
  cni?: CniExercises;
  logger?: Logger;
}

export interface RunningNetpolEnforcer extends RunningComponent {
  /** Resolves once the first table is loaded. */
  readonly ready: Promise<void>;
  /** The rules in force, and how many tables were loaded and refused. */
  current(): CompiledPodRules[];
  stats(): { loads: number; failures: number };
}

export async function startNetpolEnforcer(client: KubeClient, options: NetpolEnforcerOptions): Promise<RunningNetpolEnforcer> {
  const log = (line: string) => options.logger?.info(line);
  const cni = options.cni ?? (await loadComponent('cni'));
  const factory = new SharedInformerFactory(client);
  const policies = factory.forResource<KubeObject>('networkpolicies');
  const pods = factory.forResource<Pod>('pods');
  const namespaces = factory.forResource<Namespace>('namespaces');
  let timer: NodeJS.Timeout | undefined;
  let checkTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let waitingSaid = false;
  let lastText: string | undefined;
  let current: CompiledPodRules[] = [];
  let loads = 0;
  let failures = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const refused = new Set<string>();
  /** A pod whose status.podIP is not a plain IPv4 address is left out (said once): its text would reach nft. */
  function plainAddress(p: PolicyPod): boolean {
    try {
      parseIPv4(p.ip);
      return true;
    } catch {
      const key = `${p.namespace}/${p.name} ${p.ip}`;
      if (!refused.has(key)) log(`pod ${p.namespace}/${p.name} left out of NetworkPolicy: its status.podIP ${JSON.stringify(p.ip)} is not an IPv4 address`);
      refused.add(key);
      return false;
    }
  }
  function sync(): void {
    timer = undefined;
    if (stopped) return;
    if (!netnsPresent(options.netns)) {
      // The kubelet makes the node's namespace; the rules load as soon as it is there.
      if (!waitingSaid) log(`waiting for the node's network namespace ${options.netns} (its kubelet makes it)`);
      waitingSaid = true;
      lastText = undefined;
      return schedule(NETPOL_SYNC_RETRY_MS);
    }
    waitingSaid = false;
    try {
      const all = pods.lister
        .list()
        .map(policyPod)
        .filter((p): p is PolicyPod => p !== undefined && plainAddress(p));
      const local = new Set(
        pods.lister
          .list()
          .filter((p) => p.spec.nodeName === options.nodeName)
          .map((p) => p.status?.podIP),
      );
      const rules = cni.compilePolicies(policyWorld(policies.lister.list(), namespaces.lister.list()), all).filter((r) => local.has(r.podIp));
      const text = renderNetpolTable(rules);
      if (text !== lastText) {
        applyNetworkPolicyRules(options.netns, rules);
        lastText = text;
        current = rules;
        loads++;
        log(`loaded table inet ${NETPOL_TABLE} in ${options.netns}: ${rules.length} isolated pod direction(s) of ${options.nodeName}`);
      }
      markReady();
    } catch (error) {
      failures++;
      log(`NetworkPolicy sync failed (the last table stays in force): ${(error as Error).message}`);
      schedule(NETPOL_SYNC_RETRY_MS);
    }
  }
  /** Loads the table again when it went away without a change of policy (see the header). */
  function checkTable(): void {
    checkTimer = undefined;
    if (stopped) return;
    try {
      if (lastText !== undefined && netnsPresent(options.netns) && nftListTable(options.netns, 'inet', NETPOL_TABLE) === undefined) {
        log(`table inet ${NETPOL_TABLE} is gone from ${options.netns} (namespace made anew, or flushed): loading it again`);
        lastText = undefined;
        schedule(0);
      }
    } catch (error) {
      log(`checking table inet ${NETPOL_TABLE} in ${options.netns} failed: ${(error as Error).message}`);
    }
    checkTimer = setTimeout(checkTable, NETPOL_TABLE_CHECK_MS);
  }
  function schedule(delay = NETPOL_SYNC_DELAY_MS): void {
    if (!stopped && !timer) timer = setTimeout(sync, delay);
  }
  for (const informer of [policies, pods, namespaces] as const) {
    for (const event of ['add', 'update', 'delete'] as const) (informer as typeof policies).on(event, () => schedule());
  }
  await factory.start();
  sync();
  checkTimer = setTimeout(checkTable, NETPOL_TABLE_CHECK_MS);
  return {
    ready,
    current: () => current,
    stats: () => ({ loads, failures }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(checkTimer);
      factory.stop();
      try {
        removeNetworkPolicyRules(options.netns);
      } catch (error) {
        log(`removing the ${NETPOL_TABLE} table failed: ${(error as Error).message}`);
      }
    },
  };
}
