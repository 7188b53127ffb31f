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
 * is logged and leaves the last table in force; stop() removes the table.
 */
import { existsSync } from 'node:fs';
import type { KubeClient } from '../client/client.ts';
import type { ClusterComponent, RunningComponent } from '../cluster/cluster.ts';
import type { Logger } from '../cluster/logger.ts';
import { SharedInformerFactory } from '../controllers/informers.ts';
import { loadComponent } from '../impl.ts';
import type { KubeObject, Namespace, Pod } from '../kube/types.ts';
import { NETPOL_SYNC_DELAY_MS } from '../params.ts';
import { setNetnsSysctl } from '../proxy/kernel/kernel-proxy.ts';
import { nftApply, nftDeleteTable } from '../proxy/kernel/nft.ts';
import type { CniExercises, CompiledPodRules } from './exercises.ts';
import { NETPOL_TABLE, renderNetpolTable } from './netpol-nft.ts';
import { policyPod, policyWorld, type PolicyPod } from './netpol-world.ts';

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

/** Removes the table; true when there was one. */
export function removeNetworkPolicyRules(netns: string): boolean {
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
  let stopped = false;
  let lastText: string | undefined;
  let current: CompiledPodRules[] = [];
  let loads = 0;
  let failures = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  function sync(): void {
    timer = undefined;
    if (stopped) return;
    try {
      const all = pods.lister
        .list()
        .map(policyPod)
        .filter((p): p is PolicyPod => p !== undefined);
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
      }
      markReady();
    } catch (error) {
      failures++;
      log(`NetworkPolicy sync failed (the last table stays in force): ${(error as Error).message}`);
      schedule(1_000);
    }
  }
  function schedule(delay = NETPOL_SYNC_DELAY_MS): void {
    if (!stopped && !timer) timer = setTimeout(sync, delay);
  }
  for (const informer of [policies, pods, namespaces] as const) {
    for (const event of ['add', 'update', 'delete'] as const) (informer as typeof policies).on(event, () => schedule());
  }
  await factory.start();
  sync();
  return {
    ready,
    current: () => current,
    stats: () => ({ loads, failures }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      factory.stop();
      try {
        removeNetworkPolicyRules(options.netns);
      } catch (error) {
        log(`removing the ${NETPOL_TABLE} table failed: ${(error as Error).message}`);
      }
    },
  };
}

/** The NetworkPolicy enforcer of one node, kernel mode, as a cluster component. */
export function netpolEnforcerComponent(options: Omit<NetpolEnforcerOptions, 'logger'>): ClusterComponent {
  return {
    name: `netpol-enforcer-${options.nodeName}`,
    start: (ctx) => startNetpolEnforcer(ctx.client, { ...options, logger: ctx.logger }),
  };
}
