/**
 * Exercise 06-cni/02-cni-plugin (reference): a CNI 1.0 plugin program. Two types: kubelings-bridge
 * (kernel mode: a veth pair from the pod's namespace to a bridge, as the reference bridge plugin
 * does) and kubelings-loopback (loopback mode: an address on lo, no namespace).
 */
import type { IpamStore, PluginInvocation, PluginOutput } from '#engine/cni/exercises.ts';
import { CNI_ERROR, CNI_VERSION, CniPluginError, type CniArgs, type CniInterface, type CniResult, type NetConf } from '#engine/cni/types.ts';
import { ipamAdd, ipamDel } from './ipam.ts';

const SUPPORTED_VERSIONS = ['1.0.0'];
const BRIDGE = 'kubelings-bridge';
const LOOPBACK = 'kubelings-loopback';
const DEFAULT_BRIDGE_NAME = 'kubelings0';

interface BridgeConf extends NetConf {
  bridge?: string;
  isGateway?: boolean;
  isDefaultGateway?: boolean;
}

const fail = (code: number, msg: string, details = '') => new CniPluginError(code, msg, details);

function output(result: unknown): PluginOutput {
  return { exitCode: 0, stdout: JSON.stringify(result) };
}

function errorOutput(error: unknown): PluginOutput {
  const e = error instanceof CniPluginError ? error : fail(CNI_ERROR.pluginError, (error as Error).message ?? String(error));
  return { exitCode: 1, stdout: JSON.stringify(e.toJSON()) };
}

function parseConf(stdin: string): BridgeConf {
  let conf: unknown;
  try {
    conf = JSON.parse(stdin);
  } catch (error) {
    throw fail(CNI_ERROR.decodingFailure, `error unmarshall network config: ${(error as Error).message}`);
  }
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) throw fail(CNI_ERROR.decodingFailure, 'error unmarshall network config: not a JSON object');
  const c = conf as BridgeConf;
  if (typeof c.name !== 'string' || c.name === '') throw fail(CNI_ERROR.invalidNetworkConfig, 'missing network name');
  if (typeof c.cniVersion !== 'string' || !SUPPORTED_VERSIONS.includes(c.cniVersion)) {
    throw fail(CNI_ERROR.incompatibleVersion, 'incompatible CNI versions', `config is "${String(c.cniVersion)}", plugin supports [${SUPPORTED_VERSIONS.map((v) => `"${v}"`).join(' ')}]`);
  }
  if (c.type !== BRIDGE && c.type !== LOOPBACK) throw fail(CNI_ERROR.invalidNetworkConfig, `unsupported plugin type "${String(c.type)}"`, `this plugin is ${BRIDGE} or ${LOOPBACK}`);
  if (!c.ipam || typeof c.ipam !== 'object') throw fail(CNI_ERROR.invalidNetworkConfig, "IPAM config missing 'ipam' key");
  if (c.ipam.type !== 'host-local') throw fail(CNI_ERROR.invalidNetworkConfig, 'unsupported IPAM', `"${String(c.ipam.type)}": only host-local`);
  if (typeof c.ipam.dataDir !== 'string' || c.ipam.dataDir === '') throw fail(CNI_ERROR.invalidNetworkConfig, 'invalid ipam config', 'ipam.dataDir is required');
  return c;
}

function requireEnv(env: PluginInvocation['env'], names: string[]): void {
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0) throw fail(CNI_ERROR.invalidEnvironment, `required env variables [${missing.join(',')}] missing`);
}

function parseArgs(env: PluginInvocation['env']): CniArgs {
  const args: [string, string][] = [];
  for (const pair of (env.CNI_ARGS ?? '').split(';').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw fail(CNI_ERROR.invalidEnvironment, `ARGS: invalid pair "${pair}"`);
    args.push([pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  return { containerId: env.CNI_CONTAINERID!, netns: env.CNI_NETNS ?? '', ifName: env.CNI_IFNAME!, args, path: (env.CNI_PATH ?? '').split(':') };
}

/** Our interfaces, ips and routes after those of an earlier plugin in the chain. */
function chain(prev: CniResult | undefined, ours: CniResult): CniResult {
  if (!prev) return ours;
  const offset = prev.interfaces?.length ?? 0;
  return {
    cniVersion: ours.cniVersion,
    interfaces: [...(prev.interfaces ?? []), ...(ours.interfaces ?? [])],
    ips: [...prev.ips, ...ours.ips.map((ip) => (ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset }))],
    routes: [...(prev.routes ?? []), ...(ours.routes ?? [])],
    dns: { ...(prev.dns ?? {}), ...(ours.dns ?? {}) },
  };
}

async function add(conf: BridgeConf, args: CniArgs, inv: PluginInvocation, store: IpamStore): Promise<CniResult> {
  const ipam = ipamAdd(conf.ipam!, args, store);
  if (conf.type === LOOPBACK) {
    return chain(conf.prevResult, { cniVersion: conf.cniVersion, interfaces: [{ name: 'lo' }], ips: ipam.ips.map((ip) => ({ ...ip, interface: 0 })), routes: [{ dst: '127.0.0.0/8' }], dns: {} });
  }
  const bridge = conf.bridge ?? DEFAULT_BRIDGE_NAME;
  const first = ipam.ips[0]!;
  const prefix = first.address.split('/')[1];
  const isGateway = conf.isGateway === true || conf.isDefaultGateway === true;
  const hostName = inv.hostVethName();
  let created = false;
  try {
    const br = await inv.net.ensureBridge(bridge, isGateway && first.gateway ? `${first.gateway}/${prefix}` : undefined);
    const veth = await inv.net.createVeth(args.netns, args.ifName, hostName, bridge);
    created = true;
    for (const ip of ipam.ips) await inv.net.addAddress(args.netns, args.ifName, ip.address);
    const routes = [...(ipam.routes ?? [])];
    if (conf.isDefaultGateway === true && first.gateway) {
      await inv.net.addDefaultRoute(args.netns, args.ifName, first.gateway);
      routes.push({ dst: '0.0.0.0/0', gw: first.gateway });
    }
    const interfaces: CniInterface[] = [
      { name: bridge, mac: br.mac },
      { name: hostName, mac: veth.hostMac },
      { name: args.ifName, mac: veth.containerMac, sandbox: args.netns },
    ];
    return chain(conf.prevResult, { cniVersion: conf.cniVersion, interfaces, ips: ipam.ips.map((ip) => ({ ...ip, interface: 2 })), routes, dns: {} });
  } catch (error) {
    // Leave nothing behind: the link (and its peer) and the address.
    if (created) await inv.net.deleteLink(args.netns, args.ifName).catch(() => false);
    ipamDel(conf.ipam!, args, store);
    throw error;
  }
}

async function del(conf: BridgeConf, args: CniArgs, inv: PluginInvocation, store: IpamStore): Promise<void> {
  ipamDel(conf.ipam!, args, store);
  if (conf.type === BRIDGE && args.netns) await inv.net.deleteLink(args.netns, args.ifName);
}

async function check(conf: BridgeConf, args: CniArgs, inv: PluginInvocation, store: IpamStore): Promise<void> {
  const prev = conf.prevResult;
  if (!prev) throw fail(CNI_ERROR.invalidNetworkConfig, 'required prevResult missing');
  const ours = prev.interfaces?.findIndex((i) => i.name === (conf.type === LOOPBACK ? 'lo' : args.ifName) && (conf.type === LOOPBACK || i.sandbox === args.netns)) ?? -1;
  if (ours < 0) throw fail(CNI_ERROR.pluginError, `prevResult has no interface ${args.ifName} in ${args.netns || 'the host'}`);
  const wanted = prev.ips.filter((ip) => ip.interface === ours).map((ip) => ip.address);
  const held = new Set([...store.reservations()].filter(([, o]) => o?.containerId === args.containerId && o.ifName === args.ifName).map(([ip]) => ip));
  for (const address of wanted) {
    if (!held.has(address.split('/')[0]!)) throw fail(CNI_ERROR.pluginError, `address ${address} is no longer held by container ${args.containerId}`);
  }
  if (conf.type === LOOPBACK) return;
  const onLink = await inv.net.addresses(args.netns, args.ifName);
  if (onLink === undefined) throw fail(CNI_ERROR.pluginError, `interface ${args.ifName} is gone from ${args.netns}`);
  for (const address of wanted) {
    if (!onLink.includes(address)) throw fail(CNI_ERROR.pluginError, `interface ${args.ifName} has lost ${address}`);
  }
  const routes = await inv.net.routes(args.netns);
  for (const route of prev.routes ?? []) {
    if (!routes.some((r) => r.dst === route.dst && (route.gw === undefined || r.gw === route.gw))) {
      throw fail(CNI_ERROR.pluginError, `route to ${route.dst}${route.gw ? ` via ${route.gw}` : ''} is missing in ${args.netns}`);
    }
  }
}

export async function cniMain(inv: PluginInvocation): Promise<PluginOutput> {
  try {
    const command = inv.env.CNI_COMMAND;
    if (!command) throw fail(CNI_ERROR.invalidEnvironment, 'required env variables [CNI_COMMAND] missing');
    if (command === 'VERSION') return output({ cniVersion: CNI_VERSION, supportedVersions: SUPPORTED_VERSIONS });
    if (command !== 'ADD' && command !== 'DEL' && command !== 'CHECK') throw fail(CNI_ERROR.invalidEnvironment, `unknown CNI_COMMAND: ${command}`);
    requireEnv(inv.env, ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH']);
    const conf = parseConf(inv.stdin);
    if (conf.type === BRIDGE && command !== 'DEL') requireEnv(inv.env, ['CNI_NETNS']);
    const args = parseArgs(inv.env);
    const store = inv.openStore(conf.ipam!.dataDir!, conf.name);
    if (command === 'ADD') return output(await add(conf, args, inv, store));
    if (command === 'DEL') await del(conf, args, inv, store);
    else await check(conf, args, inv, store);
    return { exitCode: 0, stdout: '' };
  } catch (error) {
    return errorOutput(error);
  }
}
