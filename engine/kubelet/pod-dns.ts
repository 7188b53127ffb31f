/**
 * A pod's DNS settings (upstream pkg/kubelet/network/dns/dns.go GetPodDNS): what its resolv.conf
 * would say for its dnsPolicy and dnsConfig.
 * - ClusterFirst (the default): the cluster DNS address, search `<ns>.svc.<domain>
 *   svc.<domain> <domain>`, `options ndots:5`; with hostNetwork it falls back to Default, as
 *   upstream (ClusterFirstWithHostNet keeps the cluster's);
 * - Default: the node's own resolver (nothing here: the machine's /etc/resolv.conf);
 * - None: only what spec.dnsConfig says.
 * dnsConfig's nameservers and searches are appended (duplicates dropped), its options override by
 * name.
 *
 * Loopback mode has no per-pod /etc: pods share this machine's, whose resolv.conf names the
 * machine's resolver. So the settings reach the containers as environment variables, which the
 * built-in images' resolver reads (engine/images/programs/resolver.ts: busybox's `nslookup` and
 * `wget`): KUBELINGS_DNS_NAMESERVERS (`IP:PORT` list: the port is 53, or 10053 where ports below
 * 1024 cannot be bound, as engine/cri/ports.ts decides for cluster DNS too), KUBELINGS_DNS_SEARCH
 * and KUBELINGS_DNS_OPTIONS (resolv.conf's words). Nothing is set for Default, and the machine's
 * resolver is used.
 *
 * Kernel mode: each pod has a network namespace of its own but still this machine's filesystem (no
 * mount namespace), so its /etc/resolv.conf is still the machine's, whose resolver (often
 * 127.0.0.53) does not exist inside the pod's namespace. The same variables carry the settings,
 * with the kube-dns ClusterIP on port 53 always: kube-proxy's nftables rules DNAT it to cluster
 * DNS, which listens inside every node's namespace (engine/proxy/kernel-cluster-dns.ts). Tools
 * other than the built-in images' ignore them (`nslookup web 10.96.0.10` names the server by hand).
 */
import { listenPort, type LowPorts } from '../cri/ports.ts';
import { CLUSTER_DNS_PORT } from '../params.ts';
import type { Pod } from '../kube/types.ts';

/** The port pods send DNS queries to on the kube-dns ClusterIP: 53, or its remap in loopback mode where ports below 1024 cannot be bound. */
export function clusterDnsPort(lowPorts: LowPorts, kernelMode: boolean): number {
  return kernelMode ? CLUSTER_DNS_PORT : listenPort(CLUSTER_DNS_PORT, lowPorts);
}

export interface ClusterDns {
  /** The kube-dns Service's address and the port its server really listens on. */
  ip: string;
  port: number;
  domain: string;
}

interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

/** The environment variables that carry the pod's DNS settings (empty for dnsPolicy Default). */
export function podDnsEnv(pod: Pod, cluster: ClusterDns): Record<string, string> {
  const spec = pod.spec as { dnsPolicy?: string; hostNetwork?: boolean; dnsConfig?: PodDnsConfig };
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'Default') return {};
  const namespace = pod.metadata.namespace ?? 'default';
  let servers: string[] = [];
  let searches: string[] = [];
  const options = new Map<string, string | undefined>();
  if (policy === 'ClusterFirst') {
    servers = [`${cluster.ip}:${cluster.port}`];
    searches = [`${namespace}.svc.${cluster.domain}`, `svc.${cluster.domain}`, cluster.domain];
    options.set('ndots', '5');
  }
  const config = spec.dnsConfig ?? {};
  for (const server of config.nameservers ?? []) if (!servers.includes(`${server}:53`)) servers.push(`${server}:53`);
  for (const search of config.searches ?? []) if (!searches.includes(search)) searches.push(search);
  for (const option of config.options ?? []) options.set(option.name, option.value);
  const env: Record<string, string> = {};
  if (servers.length) env.KUBELINGS_DNS_NAMESERVERS = servers.join(' ');
  if (searches.length) env.KUBELINGS_DNS_SEARCH = searches.join(' ');
  if (options.size) env.KUBELINGS_DNS_OPTIONS = [...options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ');
  return env;
}
