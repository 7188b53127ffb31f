/**
 * Exercise 06-cni/01-ipam (reference): host-local's address allocation and the node-ipam
 * controller's allocation of node blocks.
 */
import type { IpamStore, NodeCidrAllocator } from '#engine/cni/exercises.ts';
import { formatIPv4, parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { CNI_ERROR, CNI_VERSION, CniPluginError, type CniArgs, type CniIpConfig, type CniResult, type IpamConfig, type IpamRange } from '#engine/cni/types.ts';

interface Range {
  prefix: number;
  start: number;
  end: number;
  gateway: number;
}

function invalid(details: string): CniPluginError {
  return new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'invalid range', details);
}

function address(text: string): number {
  try {
    return parseIPv4(text);
  } catch (error) {
    throw invalid((error as Error).message);
  }
}

export function canonicalRange(range: IpamRange): Range {
  let subnet;
  try {
    subnet = parseCidr(String(range.subnet), true);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (subnet.prefix > 30) throw invalid(`Network ${range.subnet} too small to allocate from`);
  const inside = (text: string | undefined, what: string, fallback: number) => {
    if (text === undefined) return fallback;
    const ip = address(text);
    if (ip < subnet.network || ip > subnet.last) throw invalid(`${what} ${text} not in network ${range.subnet}`);
    return ip;
  };
  // Neither the network address nor the broadcast address is ever a pod's.
  const start = inside(range.rangeStart, 'RangeStart', subnet.network + 1);
  const end = inside(range.rangeEnd, 'RangeEnd', subnet.last - 1);
  if (start > end) throw invalid(`RangeStart ${formatIPv4(start)} is after RangeEnd ${formatIPv4(end)}`);
  const gateway = range.gateway === undefined ? subnet.network + 1 : address(range.gateway);
  return { prefix: subnet.prefix, start, end, gateway };
}

function rangeSets(ipam: IpamConfig): Range[][] {
  if (!Array.isArray(ipam.ranges) || ipam.ranges.length === 0 || ipam.ranges.some((set) => !Array.isArray(set) || set.length === 0)) {
    throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'no IP ranges specified');
  }
  return ipam.ranges.map((set) => set.map(canonicalRange));
}

const within = (set: Range[], ip: number) => set.find((r) => ip >= r.start && ip <= r.end);
const config = (ip: number, range: Range): CniIpConfig => ({ address: `${formatIPv4(ip)}/${range.prefix}`, gateway: formatIPv4(range.gateway) });

/** Every address of the set but the gateways, starting after `last` (round-robin), each once. */
function* candidates(set: Range[], last: number | undefined): Generator<{ ip: number; range: Range }> {
  const total = set.reduce((n, r) => n + r.end - r.start + 1, 0);
  let base = -1;
  if (last !== undefined) {
    let before = 0;
    for (const r of set) {
      if (last >= r.start && last <= r.end) base = before + last - r.start;
      before += r.end - r.start + 1;
    }
  }
  for (let k = 1; k <= total; k++) {
    let position = (base + k) % total;
    for (const range of set) {
      const size = range.end - range.start + 1;
      if (position < size) {
        const ip = range.start + position;
        if (ip !== range.gateway) yield { ip, range };
        break;
      }
      position -= size;
    }
  }
}

function held(store: IpamStore, args: CniArgs): number[] {
  return [...store.reservations()].filter(([, o]) => o?.containerId === args.containerId && o.ifName === args.ifName).map(([ip]) => parseIPv4(ip));
}

export function ipamAdd(ipam: IpamConfig, args: CniArgs, store: IpamStore): CniResult {
  const sets = rangeSets(ipam);
  const ips: CniIpConfig[] = [];
  const mine = held(store, args);
  const taken: string[] = [];
  for (const [index, set] of sets.entries()) {
    const already = mine.find((ip) => within(set, ip));
    if (already !== undefined) {
      ips.push(config(already, within(set, already)!));
      continue;
    }
    const last = store.lastReserved(index);
    let got: { ip: number; range: Range } | undefined;
    for (const c of candidates(set, last === undefined ? undefined : parseIPv4(last))) {
      if (store.reserve(formatIPv4(c.ip), { containerId: args.containerId, ifName: args.ifName })) {
        got = c;
        break;
      }
    }
    if (!got) {
      for (const ip of taken) store.release(ip);
      const text = set.map((r) => `${formatIPv4(r.start)}-${formatIPv4(r.end)}`).join(',');
      throw new CniPluginError(CNI_ERROR.pluginError, `failed to allocate for range ${index}: no IP addresses available in range set: ${text}`);
    }
    taken.push(formatIPv4(got.ip));
    store.setLastReserved(index, formatIPv4(got.ip));
    ips.push(config(got.ip, got.range));
  }
  return { cniVersion: CNI_VERSION, ips, routes: ipam.routes ?? [] };
}

export function ipamDel(ipam: IpamConfig, args: CniArgs, store: IpamStore): void {
  rangeSets(ipam);
  for (const ip of held(store, args)) store.release(formatIPv4(ip));
}

export function newNodeCidrAllocator(clusterCidr: string, nodeMaskSize: number): NodeCidrAllocator {
  const cluster = parseCidr(clusterCidr, true);
  if (nodeMaskSize < cluster.prefix || nodeMaskSize > 32) {
    throw new Error(`New CIDR set failed; the node CIDR size is too big: /${nodeMaskSize} does not fit in ${clusterCidr}`);
  }
  const size = 2 ** (32 - nodeMaskSize);
  const count = 2 ** (nodeMaskSize - cluster.prefix);
  const used = new Set<number>();
  let next = 0;
  const indexOf = (cidr: string) => {
    const block = parseCidr(cidr);
    if (block.network < cluster.network || block.last > cluster.last) throw new Error(`cidr ${cidr} is out the range of cluster cidr ${clusterCidr}`);
    if (block.prefix !== nodeMaskSize || block.address !== block.network) throw new Error(`cidr ${cidr} is not a /${nodeMaskSize} block of ${clusterCidr}`);
    return (block.network - cluster.network) / size;
  };
  return {
    allocateNext() {
      for (let i = 0; i < count; i++) {
        const candidate = (next + i) % count;
        if (used.has(candidate)) continue;
        used.add(candidate);
        next = (candidate + 1) % count;
        return `${formatIPv4(cluster.network + candidate * size)}/${nodeMaskSize}`;
      }
      throw new Error('CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range');
    },
    occupy(cidr) {
      used.add(indexOf(cidr));
    },
    release(cidr) {
      used.delete(indexOf(cidr));
    },
  };
}
