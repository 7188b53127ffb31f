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
 *   half-made.
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
      if (!(await linkExists(host, name))) await ip([...host, 'link', 'add', name, 'type', 'bridge']);
      const held = JSON.parse(await ip([...host, '-j', '-4', 'addr', 'show', 'dev', name])) as { addr_info: { local: string; prefixlen: number }[] }[];
      if (gatewayCidr && !held[0]?.addr_info.some((a) => `${a.local}/${a.prefixlen}` === gatewayCidr)) await ip([...host, 'addr', 'add', gatewayCidr, 'dev', name]);
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
      const held = JSON.parse(await ip([...ns, '-j', '-4', 'addr', 'show', 'dev', ifName])) as { addr_info: { local: string; prefixlen: number }[] }[];
      return (held[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
    },
    async routes(netns) {
      const rows = JSON.parse(await ip(['-n', netnsName(netns), '-j', '-4', 'route', 'show'])) as { dst: string; gateway?: string }[];
      return rows.map((r) => ({ dst: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`, ...(r.gateway ? { gw: r.gateway } : {}) }));
    },
  };
}

/** The helpers on the host itself: what the plugin program uses on a real node. */
export const kernelNetOps: NetOps = kernelNetOpsIn();
