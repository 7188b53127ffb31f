/**
 * The resolver of the built-in images' tools (busybox's `nslookup` and `wget`) in loopback mode,
 * where pods share this machine's /etc/resolv.conf: the kubelet hands each container its DNS
 * settings as environment variables (engine/kubelet/pod-dns.ts):
 *   KUBELINGS_DNS_NAMESERVERS  `IP:PORT` words (cluster DNS: 127.96.0.10:53, or :10053);
 *   KUBELINGS_DNS_SEARCH       the search list (`default.svc.cluster.local svc.cluster.local ...`);
 *   KUBELINGS_DNS_OPTIONS      resolv.conf options (`ndots:5`).
 * A name is tried as glibc's resolver tries it: one ending in a dot as it is; one with fewer dots
 * than ndots with each search domain first, then as it is; others as they are first. Without
 * KUBELINGS_DNS_NAMESERVERS (dnsPolicy Default) the machine's resolver answers.
 */
import { lookup, Resolver } from 'node:dns/promises';

export interface DnsSettings {
  servers: string[];
  search: string[];
  ndots: number;
}

export function dnsSettings(env: NodeJS.ProcessEnv = process.env): DnsSettings | undefined {
  const words = (v: string | undefined) => (v ?? '').split(/\s+/).filter(Boolean);
  const servers = words(env.KUBELINGS_DNS_NAMESERVERS);
  if (servers.length === 0) return undefined;
  const ndotsWord = words(env.KUBELINGS_DNS_OPTIONS).find((o) => o.startsWith('ndots:'));
  const ndots = ndotsWord ? Math.min(15, Math.max(0, Number(ndotsWord.slice(6)) || 0)) : 1;
  return { servers, search: words(env.KUBELINGS_DNS_SEARCH), ndots };
}

/** The names tried for `name`, in order. */
export function candidates(name: string, settings: DnsSettings): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = settings.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= settings.ndots ? [name, ...searched] : [...searched, name];
}

export interface Resolved {
  /** The name that answered. */
  name: string;
  addresses: string[];
  /** The server asked (`IP:PORT`), or `the machine's resolver`. */
  server: string;
}

// EREFUSED: cluster DNS refuses names outside its zone (it forwards nowhere), which is "not found" to a pod.
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME', 'EREFUSED']);

/** The IPv4 addresses of `name`; throws an Error with code ENOTFOUND when no candidate has one. */
export async function resolve4(name: string, settings = dnsSettings()): Promise<Resolved> {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return { name, addresses: [name], server: '' };
  if (!settings) {
    const found = await lookup(name, { family: 4, all: true });
    return { name, addresses: found.map((f) => f.address), server: "the machine's resolver" };
  }
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers(settings.servers);
  for (const candidate of candidates(name, settings)) {
    try {
      const addresses = await resolver.resolve4(candidate);
      if (addresses.length > 0) return { name: candidate, addresses, server: settings.servers[0]! };
    } catch (error) {
      if (!NOT_FOUND.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
  throw Object.assign(new Error(`${name}: NXDOMAIN`), { code: 'ENOTFOUND' });
}
