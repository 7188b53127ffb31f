/**
 * The kernel operations of a bridge CNI plugin (lesson 06, 02-cni-plugin, kernel mode) as small
 * helpers over iproute2's `ip` command, which the learner's plugin calls. Root only; Linux only.
 *
 * Invariants:
 * - a namespace is named by its path under /run/netns or /var/run/netns (as `ip netns add` makes
 *   them); any other path is refused before anything runs;
 * - every command runs with a bound on its time and output, and a failure throws an Error that
 *   quotes the command and what `ip` printed;
 * - createVeth removes the pair again when a later step of its own fails, so it leaves nothing
 *   half-made;
 * - ensureBridge is idempotent under a race: the runtime runs the ADDs of pods that start together
 *   at the same time (containerd serialises nothing per node), each making sure of the bridge and
 *   its gateway address, so a bridge or an address another call made first is success, as in the
 *   upstream bridge plugin (containernetworking/plugins plugins/main/bridge/bridge.go:
 *   ensureBridge ignores EEXIST from LinkAdd and then checks the link is a bridge; ensureAddr
 *   returns when the address is there and ignores EEXIST from AddrAdd).
 */
import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { NET_OPS_COMMAND_TIMEOUT_MS } from '../params.ts';
import type { NetOps } from './exercises.ts';

const NETNS_DIRS = ['/run/netns', '/var/run/netns'];

export function netnsName(path: string): string {
  if (!NETNS_DIRS.includes(dirname(path)) || !/^[A-Za-z0-9_.-]+$/.test(basename(path))) {
    throw new Error(`"${path}" is not a network namespace made by ip netns add (expected /run/netns/NAME or /var/run/netns/NAME)`);
  }
  return basename(path);
}

/** Runs `ip ...args`; its stdout. */
export function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: NET_OPS_COMMAND_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(' ')} failed: ${(stderr || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}

async function mac(ns: string[], link: string): Promise<string> {
  const [info] = JSON.parse(await ip([...ns, '-j', 'link', 'show', 'dev', link])) as { address: string }[];
  return info!.address;
}

/** The kind of link `link` (`bridge`, `veth`, `dummy`; '' for a plain device), or undefined when there is none. */
async function linkKind(ns: string[], link: string): Promise<string | undefined> {
  let out: string;
  try {
    out = await ip([...ns, '-d', '-j', 'link', 'show', 'dev', link]);
  } catch {
    return undefined;
  }
  const [info] = JSON.parse(out) as { linkinfo?: { info_kind?: string } }[];
  return info?.linkinfo?.info_kind ?? '';
}

/** The IPv4 addresses (CIDR notation) on `link`. */
async function ipv4Addresses(ns: string[], link: string): Promise<string[]> {
  const held = JSON.parse(await ip([...ns, '-j', '-4', 'addr', 'show', 'dev', link])) as { addr_info: { local: string; prefixlen: number }[] }[];
  return (held[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}

async function linkExists(ns: string[], link: string): Promise<boolean> {
  try {
    await ip([...ns, 'link', 'show', 'dev', link]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The helpers, with the node's side (the bridge, the host ends of the veths) in the namespace
 * `nodeNetns` names, or in the host's own when undefined (tests give each simulated node a
 * namespace of its own, so nothing they make touches the host).
 */
export function kernelNetOpsIn(nodeNetns?: string): NetOps {
  const host = nodeNetns === undefined ? [] : ['-n', netnsName(nodeNetns)];
  return {
    async ensureBridge(name, gatewayCidr) {
      // Create, and judge a failure by what is there after it: another ADD may have made the
      // bridge between any look and this add ("File exists").
      await ip([...host, 'link', 'add', name, 'type', 'bridge']).catch(async (error: Error) => {
        const kind = await linkKind(host, name);
        if (kind === undefined) throw error;
        if (kind !== 'bridge') throw new Error(`"${name}" already exists but is not a bridge`);
      });
      if (gatewayCidr && !(await ipv4Addresses(host, name)).includes(gatewayCidr)) {
        // Another ADD may give it the address meanwhile ("Address already assigned"): that is success.
        await ip([...host, 'addr', 'add', gatewayCidr, 'dev', name]).catch(async (error: Error) => {
          if (!(await ipv4Addresses(host, name)).includes(gatewayCidr)) throw error;
        });
      }
      await ip([...host, 'link', 'set', name, 'up']);
      return { mac: await mac(host, name) };
    },
    async createVeth(netns, ifName, hostName, bridge) {
      const ns = ['-n', netnsName(netns)];
      if (await linkExists(ns, ifName)) throw new Error(`container veth name "${ifName}" already exists`);
      await ip([...host, 'link', 'add', hostName, 'type', 'veth', 'peer', 'name', ifName, 'netns', netnsName(netns)]);
      try {
        await ip([...host, 'link', 'set', hostName, 'master', bridge]);
        await ip([...host, 'link', 'set', hostName, 'up']);
        await ip([...ns, 'link', 'set', ifName, 'up']);
        return { hostMac: await mac(host, hostName), containerMac: await mac(ns, ifName) };
      } catch (error) {
        await ip([...host, 'link', 'del', hostName]).catch(() => undefined);
        throw error;
      }
    },
    async addAddress(netns, ifName, cidr) {
      await ip(['-n', netnsName(netns), 'addr', 'add', cidr, 'dev', ifName]);
    },
    async addDefaultRoute(netns, ifName, gateway) {
      await ip(['-n', netnsName(netns), 'route', 'add', 'default', 'via', gateway, 'dev', ifName]);
    },
    async deleteLink(netns, ifName) {
      const ns = ['-n', netnsName(netns)];
      if (!(await linkExists(ns, ifName))) return false;
      await ip([...ns, 'link', 'del', ifName]);
      return true;
    },
    async addresses(netns, ifName) {
      const ns = ['-n', netnsName(netns)];
      if (!(await linkExists(ns, ifName))) return undefined;
      return ipv4Addresses(ns, ifName);
    },
    async routes(netns) {
      const rows = JSON.parse(await ip(['-n', netnsName(netns), '-j', '-4', 'route', 'show'])) as { dst: string; gateway?: string }[];
      return rows.map((r) => ({ dst: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`, ...(r.gateway ? { gw: r.gateway } : {}) }));
    },
  };
}

/** The helpers on the host itself: what the plugin program uses on a real node. */
export const kernelNetOps: NetOps = kernelNetOpsIn();
