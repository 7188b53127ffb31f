/**
 * The built-in pod network of loopback mode: a CNI plugin (type `kubelings-loopback`) whose pods
 * share the host's network stack and differ only by address. ADD gives the sandbox an address of
 * the node's range through host-local IPAM and reports it on the loopback interface (every
 * 127.x.y.z is local on Linux: nothing needs configuring, and no root); DEL releases it; CHECK
 * verifies the address is still held. No namespace, link or route is created, so there is nothing
 * to tear down but the address file.
 */
import { hostLocalAdd, hostLocalCheck, hostLocalDel, hostLocalHeld } from './host-local.ts';
import { CNI_ERROR, CniPluginError, type CniArgs, type CniPlugin, type CniResult, type NetConf } from './types.ts';

export const LOOPBACK_PLUGIN_TYPE = 'kubelings-loopback';

function checkIpamType(conf: NetConf): void {
  if (conf.ipam?.type !== 'host-local') {
    throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'unsupported IPAM', `${LOOPBACK_PLUGIN_TYPE} allocates through host-local, not "${conf.ipam?.type ?? ''}"`);
  }
}

export const loopbackPlugin: CniPlugin = {
  async add(conf: NetConf, args: CniArgs): Promise<CniResult> {
    checkIpamType(conf);
    const ipam = hostLocalAdd(conf, args);
    return {
      cniVersion: conf.cniVersion,
      interfaces: [{ name: 'lo' }],
      ips: ipam.ips.map((ip) => ({ ...ip, interface: 0 })),
      routes: [{ dst: '127.0.0.0/8' }],
    };
  },
  async del(conf: NetConf, args: CniArgs): Promise<void> {
    checkIpamType(conf);
    hostLocalDel(conf, args);
  },
  async check(conf: NetConf, args: CniArgs): Promise<void> {
    checkIpamType(conf);
    hostLocalCheck(conf, args);
    const wanted = conf.prevResult?.ips.map((ip) => ip.address) ?? [];
    const held = hostLocalHeld(conf, args);
    const lost = wanted.filter((a) => !held.includes(a));
    if (lost.length > 0) throw new CniPluginError(CNI_ERROR.pluginError, `${LOOPBACK_PLUGIN_TYPE}: address ${lost.join(', ')} is no longer held by container ${args.containerId}`);
  },
};
