/**
 * host-local IPAM, as containernetworking/plugins' plugins/ipam/host-local keeps it, so that the
 * state can be read with `ls` and the real plugin (Debian's /usr/lib/cni/host-local) reads and
 * writes the same folder: `<dataDir>/<network>/` holds one file per allocated address, named by
 * the address and holding `<containerID>\r\n<ifname>`, plus `last_reserved_ip.<range set index>`
 * (allocation goes round-robin from there, so a crash-looping pod does not get the address it just
 * had) and an empty `lock` file (the real plugin flocks it).
 *
 * Invariants:
 * - an address whose file exists is never handed out, whatever the file holds (an unreadable or
 *   foreign file keeps its address reserved: never reuse a live pod's address);
 * - a reservation is atomic: the file is written under a temporary name and hard-linked to the
 *   address's name, which fails if the address is taken, so no file is ever half-written;
 * - ADD for a container and interface that already hold an address in the range set returns that
 *   address (the real host-local refuses a duplicate ADD; the runtime may retry after a crash);
 * - DEL releases every address held by the container and interface, and succeeds when none is.
 * The runtime's root lock makes it the only writer of its folder; there is no flock in Node.
 */
import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cidrContains, formatIPv4, parseCidr, parseIPv4, type Cidr } from './ipv4.ts';
import { CNI_ERROR, CNI_VERSION, CniPluginError, type CniArgs, type CniIpConfig, type CniResult, type IpamRange, type NetConf } from './types.ts';

const LINE_BREAK = '\r\n';
const LAST_IP_PREFIX = 'last_reserved_ip.';
const TEMP_PREFIX = '.reserving-';

/** A range with its defaults filled in (host-local's Range.Canonicalize). */
export interface CanonicalRange {
  subnet: Cidr;
  start: number;
  end: number;
  gateway: number;
}

export function canonicalRange(range: IpamRange): CanonicalRange {
  const invalid = (message: string) => new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'invalid range', message);
  let subnet: Cidr;
  try {
    subnet = parseCidr(range.subnet, true);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (subnet.prefix > 30) throw invalid(`Network ${range.subnet} too small to allocate from`);
  const address = (text: string | undefined, what: string, fallback: number) => {
    if (text === undefined) return fallback;
    let ip: number;
    try {
      ip = parseIPv4(text);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    if (!cidrContains(subnet, ip)) throw invalid(`${what} ${text} not in network ${range.subnet}`);
    return ip;
  };
  const start = address(range.rangeStart, 'RangeStart', subnet.network + 1);
  const end = address(range.rangeEnd, 'RangeEnd', subnet.last - 1);
  const gateway = range.gateway === undefined ? subnet.network + 1 : parseGateway(range.gateway, invalid);
  if (start > end) throw invalid(`RangeStart ${formatIPv4(start)} is after RangeEnd ${formatIPv4(end)}`);
  return { subnet, start, end, gateway };
}

function parseGateway(text: string, invalid: (m: string) => Error): number {
  try {
    return parseIPv4(text);
  } catch (error) {
    throw invalid((error as Error).message);
  }
}

/** `start-end,start-end` as host-local names a range set in its errors. */
export function rangeSetText(set: CanonicalRange[]): string {
  return set.map((r) => `${formatIPv4(r.start)}-${formatIPv4(r.end)}`).join(',');
}

/** The folder of one network's address files. */
export class HostLocalStore {
  readonly dir: string;

  constructor(dataDir: string, network: string) {
    if (!network || network.includes('/') || network.startsWith('.')) {
      throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'invalid network name', `"${network}" cannot name a folder`);
    }
    this.dir = join(dataDir, network);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, 'lock'), '', { flag: 'a' });
  }

  /** Every address file: address → what the file holds (undefined when unreadable). */
  allocations(): Map<number, string | undefined> {
    const out = new Map<number, string | undefined>();
    for (const name of readdirSync(this.dir)) {
      let ip: number;
      try {
        ip = parseIPv4(name);
      } catch {
        continue;
      }
      let content: string | undefined;
      try {
        content = readFileSync(join(this.dir, name), 'utf8').trim();
      } catch {
        content = undefined;
      }
      out.set(ip, content);
    }
    return out;
  }

  /** Takes `ip` for the container; false when some file already holds it. */
  reserve(containerId: string, ifName: string, ip: number, rangeId: number): boolean {
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${formatIPv4(ip)}`);
    writeFileSync(temp, `${containerId.trim()}${LINE_BREAK}${ifName}`, { mode: 0o600 });
    try {
      linkSync(temp, join(this.dir, formatIPv4(ip)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    writeFileSync(join(this.dir, `${LAST_IP_PREFIX}${rangeId}`), formatIPv4(ip), { mode: 0o600 });
    return true;
  }

  lastReserved(rangeId: number): number | undefined {
    try {
      return parseIPv4(readFileSync(join(this.dir, `${LAST_IP_PREFIX}${rangeId}`), 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  /** The addresses the container and interface hold (files written by older versions hold only the ID). */
  byId(containerId: string, ifName: string): number[] {
    const exact = `${containerId.trim()}${LINE_BREAK}${ifName}`;
    const old = containerId.trim();
    return [...this.allocations()].filter(([, content]) => content === exact || content === old).map(([ip]) => ip);
  }

  releaseById(containerId: string, ifName: string): void {
    for (const ip of this.byId(containerId, ifName)) {
      try {
        unlinkSync(join(this.dir, formatIPv4(ip)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(TEMP_PREFIX)) rmSync(join(this.dir, name), { force: true });
    }
  }
}

interface HostLocalConf {
  store: HostLocalStore;
  rangeSets: CanonicalRange[][];
}

function loadConf(conf: NetConf): HostLocalConf {
  const ipam = conf.ipam;
  if (!ipam) throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, "IPAM config missing 'ipam' key");
  if (!ipam.dataDir) {
    throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'invalid ipam config', 'kubelings needs ipam.dataDir (it never writes /var/lib/cni)');
  }
  if (!Array.isArray(ipam.ranges) || ipam.ranges.length === 0 || ipam.ranges.some((set) => !Array.isArray(set) || set.length === 0)) {
    throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'no IP ranges specified');
  }
  return { store: new HostLocalStore(ipam.dataDir, conf.name), rangeSets: ipam.ranges.map((set) => set.map(canonicalRange)) };
}

/** The addresses of a range set in allocation order: after the last reserved one, round-robin. */
function candidates(set: CanonicalRange[], last: number | undefined): Iterable<{ ip: number; range: CanonicalRange }> {
  const all: { ip: number; range: CanonicalRange }[] = [];
  for (const range of set) for (let ip = range.start; ip <= range.end; ip++) if (ip !== range.gateway) all.push({ ip, range });
  const at = last === undefined ? -1 : all.findIndex((c) => c.ip === last);
  return at < 0 ? all : [...all.slice(at + 1), ...all.slice(0, at + 1)];
}

function ipConfig(ip: number, range: CanonicalRange): CniIpConfig {
  return { address: `${formatIPv4(ip)}/${range.subnet.prefix}`, gateway: formatIPv4(range.gateway) };
}

/** host-local's ADD: one address per range set. */
export function hostLocalAdd(conf: NetConf, args: CniArgs): CniResult {
  const { store, rangeSets } = loadConf(conf);
  const ips: CniIpConfig[] = [];
  const taken: number[] = [];
  for (const [index, set] of rangeSets.entries()) {
    const held = store.byId(args.containerId, args.ifName).find((ip) => set.some((r) => ip >= r.start && ip <= r.end));
    if (held !== undefined) {
      ips.push(
        ipConfig(
          held,
          set.find((r) => held >= r.start && held <= r.end)!,
        ),
      );
      continue;
    }
    let got: CniIpConfig | undefined;
    for (const { ip, range } of candidates(set, store.lastReserved(index))) {
      if (store.reserve(args.containerId, args.ifName, ip, index)) {
        got = ipConfig(ip, range);
        taken.push(ip);
        break;
      }
    }
    if (!got) {
      if (taken.length > 0) store.releaseById(args.containerId, args.ifName);
      throw new CniPluginError(CNI_ERROR.pluginError, `failed to allocate for range ${index}: no IP addresses available in range set: ${rangeSetText(set)}`);
    }
    ips.push(got);
  }
  return { cniVersion: CNI_VERSION, ips, routes: conf.ipam?.routes ?? [] };
}

export function hostLocalDel(conf: NetConf, args: CniArgs): void {
  loadConf(conf).store.releaseById(args.containerId, args.ifName);
}

export function hostLocalCheck(conf: NetConf, args: CniArgs): void {
  if (hostLocalHeld(conf, args).length === 0) {
    throw new CniPluginError(CNI_ERROR.pluginError, `host-local: Failed to find address added by container ${args.containerId}`);
  }
}

/** The addresses (CIDR notation) the container and interface hold in the configured ranges. */
export function hostLocalHeld(conf: NetConf, args: CniArgs): string[] {
  const { store, rangeSets } = loadConf(conf);
  const out: string[] = [];
  for (const ip of store.byId(args.containerId, args.ifName)) {
    const range = rangeSets.flat().find((r) => ip >= r.start && ip <= r.end);
    if (range) out.push(ipConfig(ip, range).address);
  }
  return out;
}
