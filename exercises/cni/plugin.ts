/**
 * Exercise 06-cni/02-cni-plugin: a CNI plugin, the program a container runtime runs to give a
 * pod sandbox its network. The runtime (containerd, CRI-O, or our engine's) execs the plugin with
 * the verb and arguments in environment variables and the network config as JSON on stdin; the
 * plugin prints a result (or an error) as JSON on stdout. The engine's shim (engine/cni/
 * plugin-shim.ts) is that executable: it calls cniMain and prints what you return.
 *
 *   CNI_COMMAND     ADD, DEL, CHECK or VERSION
 *   CNI_CONTAINERID the sandbox's ID          CNI_NETNS  its network namespace (a path)
 *   CNI_IFNAME      the interface to make     CNI_ARGS   K=V;K=V (pod name, namespace...)
 *   CNI_PATH        where plugins are (for the IPAM plugin a plugin calls)
 *
 * Two types of config (conf.type):
 * - kubelings-bridge (kernel mode): a veth pair, one end (CNI_IFNAME) in the pod's namespace with
 *   the address, the other on the host attached to the bridge (conf.bridge, default 'kubelings0');
 *   with isGateway (or isDefaultGateway) the bridge holds the gateway address; with
 *   isDefaultGateway the pod gets a default route via it. As the reference bridge plugin does.
 * - kubelings-loopback (loopback mode): no namespace; the address lives on the host's lo (every
 *   127.x.y.z is local). Interfaces [{ name: 'lo' }], routes [{ dst: '127.0.0.0/8' }].
 * Both take their addresses from your ipamAdd / ipamDel (01-ipam) with
 * inv.openStore(conf.ipam.dataDir, conf.name).
 *
 * Read: lessons/core/06-cni/03-plugin.md
 * Check: npx kubelings check 06-cni/02-cni-plugin
 * Upstream: containernetworking/cni SPEC.md (1.0), pkg/skel/skel.go (the env checks and errors),
 * containernetworking/plugins plugins/main/bridge/bridge.go.
 */
import type { PluginInvocation, PluginOutput } from '#engine/cni/exercises.ts';
import { CNI_ERROR, CNI_VERSION, CniPluginError } from '#engine/cni/types.ts';
import { NotImplemented } from '#engine/errors.ts';
import { ipamAdd, ipamDel } from './ipam.ts';

const PAGE = 'lessons/core/06-cni/03-plugin.md';
const todo = (what: string) => new NotImplemented('06-cni/02-cni-plugin', PAGE, what);
void [CNI_ERROR, CNI_VERSION, CniPluginError, ipamAdd, ipamDel];

/**
 * The whole program. Returns { exitCode: 0, stdout } on success (ADD: the result JSON; VERSION:
 * {"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}; DEL and CHECK: empty) and on failure
 * { exitCode: 1, stdout: JSON of new CniPluginError(code, msg, details).toJSON() }. Never throw.
 *
 * In this order (as skel does):
 * 1. CNI_COMMAND missing → code 4 'required env variables [CNI_COMMAND] missing'; VERSION
 *    answers at once; anything but ADD, DEL, CHECK → code 4 `unknown CNI_COMMAND: ${cmd}`.
 * 2. CNI_CONTAINERID, CNI_IFNAME, CNI_PATH must be set (not empty): else code 4
 *    `required env variables [A,B] missing` naming every missing one.
 * 3. stdin not a JSON object → code 6 'error unmarshall network config: ...'; no name → code 7
 *    'missing network name'; cniVersion not one you support → code 1 'incompatible CNI versions',
 *    details `config is "0.4.0", plugin supports ["1.0.0"]`; another type, no ipam, an ipam type
 *    other than host-local or no ipam.dataDir → code 7.
 * 4. kubelings-bridge, ADD or CHECK: CNI_NETNS must be set (code 4 as in 2).
 * ADD: ipamAdd; then (bridge) inv.net.ensureBridge, createVeth(netns, ifName,
 *   inv.hostVethName(), bridge), addAddress, addDefaultRoute. If any step fails, undo what was
 *   done (delete the link, release the address) and fail. The result: { cniVersion, interfaces:
 *   [bridge {name, mac}, host veth {name, mac}, container {name, mac, sandbox: netns}], ips (each
 *   with interface: 2), routes (ipam routes, then 0.0.0.0/0 via the gateway with
 *   isDefaultGateway), dns: {} }. With a prevResult (an earlier plugin of a chain), the result is
 *   the prevResult's interfaces, ips, routes, then yours, your interface indexes moved past theirs.
 * DEL: release the address, and (bridge, with a netns) delete the link. Whatever is already gone
 *   is no error: DEL must succeed when run twice.
 * CHECK: the runtime passes the ADD result as conf.prevResult; without it, code 7 'required
 *   prevResult missing'. Find your interface in it (lo, or ifName with sandbox = netns); every
 *   address of it must still be held in the store, and (bridge) on the link, and every route of
 *   the prevResult must be in the namespace; else fail (code 999, CNI_ERROR.pluginError).
 */
export async function cniMain(inv: PluginInvocation): Promise<PluginOutput> {
  // TODO: the checks of 1-4, then add, del or check. Catch every error into the error JSON.
  throw todo('cniMain()');
}
