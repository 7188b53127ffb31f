/**
 * One real node in kernel mode (`cluster up --network kernel`): its namespace and links
 * (../cni/netns-layout.ts), its relay, and the runtime options that make each pod sandbox a
 * namespace wired by a CNI plugin program run inside the node's namespace, as the CNI spec says.
 *
 * The plugin (`--cni`):
 * - `kubelings` (default): the lesson 06 plugin through its program shim (../cni/plugin-shim.ts),
 *   whose code is chosen as every component's is (KUBELINGS_IMPL: `mine` runs the learner's
 *   plugin once the cni exercises pass, the reference before), network type kubelings-bridge;
 * - `debian`: the upstream reference plugins of Debian's containernetworking-plugins
 *   (/usr/lib/cni/bridge with host-local), type bridge: the cross-check.
 * Both get the same configuration: bridge cni0, gateway and default route, host-local IPAM over
 * the node's podCIDR with its files under `<root>/cni`.
 *
 * After each ADD the kubelet puts the bridge port of the pod's veth (the result's interface without
 * a sandbox) in hairpin mode, as upstream's kubelet did in its hairpin-veth mode
 * (pkg/kubelet/network/hairpin) and the bridge plugin's hairpinMode does: a pod whose connection to
 * its own Service is DNATed back to itself gets its frames out of the port they came in by.
 *
 * Invariants: start() leaves nothing behind when it fails; stop() (after the runtime's shutdown)
 * removes the node's namespaces, its pods', and the cluster's underlay once no node is left.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execCniPlugin } from '../cni/exec-plugin.ts';
import { clusterTag, NODE_BRIDGE, nodeLayout, setUpNode, startNodeRelay, tearDownNode, type NodeLayout } from '../cni/netns-layout.ts';
import { pluginExecutable } from '../cni/plugin-shim.ts';
import { ip } from '../cni/net-ops.ts';
import { CNI_VERSION, type CniPlugin, type CniResult, type NetConf } from '../cni/types.ts';
import type { ClusterOptions } from '../cluster/cluster.ts';
import { clusterPaths } from '../cluster/paths.ts';
import type { KernelSandboxes, ProcessRuntimeOptions } from '../cri/runtime.ts';
import { KubelingsError } from '../errors.ts';
import { POD_NETWORK_NAME } from '../params.ts';

/** Where Debian's containernetworking-plugins puts the upstream plugins. */
export const DEBIAN_CNI_DIR = '/usr/lib/cni';

export type CniChoice = 'kubelings' | 'debian';

export function cniChoice(flag: unknown): CniChoice {
  if (flag === undefined || flag === 'kubelings') return 'kubelings';
  if (flag === 'debian') {
    if (!existsSync(join(DEBIAN_CNI_DIR, 'bridge'))) throw new KubelingsError(`--cni debian needs ${DEBIAN_CNI_DIR}/bridge (apt-get install containernetworking-plugins).`);
    return 'debian';
  }
  throw new KubelingsError(`--cni takes kubelings or debian, not "${String(flag)}".`);
}

/** `<root>/relay.sock`, or one in the temporary folder when that path is too long for a Unix socket (108 bytes on Linux). */
export function relaySocketPath(root: string, netns: string): string {
  const path = join(root, 'relay.sock');
  return Buffer.byteLength(path) < 100 ? path : join(tmpdir(), `${netns}.sock`);
}

/** One tag per in-process cluster (its options object), shared by its nodes. */
const inProcessTags = new WeakMap<object, string>();

/**
 * The tag of the cluster a component runs in (the names of its namespaces): the hash of the state
 * folder for `cluster up`'s daemon (a data folder or etcd), else one random tag per in-process
 * cluster. Other kernel-mode components (kube-proxy) call this with their ctx.options.
 */
export function kernelClusterTag(options: Readonly<ClusterOptions>): string {
  if (options.dataDir !== undefined || options.etcdServers !== undefined) return clusterTag(clusterPaths().home);
  let tag = inProcessTags.get(options);
  if (!tag) inProcessTags.set(options, (tag = clusterTag()));
  return tag;
}

/** The relay sockets of the kernel nodes started in this process, by `<tag>/<index>` (an in-process cluster's components share the process). */
const relaysHere = new Map<string, string>();

/**
 * Where node `index`'s relay listens, for other components (the Ingress controller): the socket
 * its kubelet made in this process, else the one `cluster up`'s kubelet makes under the state
 * folder (nodes/node-<i>/relay.sock); undefined for an in-process cluster's node not started here.
 */
export function kernelRelaySocket(options: Readonly<ClusterOptions>, index: number): string | undefined {
  const tag = kernelClusterTag(options);
  const here = relaysHere.get(`${tag}/${index}`);
  if (here) return here;
  if (options.dataDir === undefined && options.etcdServers === undefined) return undefined;
  return relaySocketPath(join(clusterPaths().home, 'nodes', `node-${index}`), nodeLayout(tag, index, index + 1).netns);
}

export interface KernelNode {
  layout: NodeLayout;
  runtimeOptions: Pick<ProcessRuntimeOptions, 'network' | 'kernel'>;
  /** Stops the relay and removes the node's namespaces (call after the kubelet stopped). */
  stop(): Promise<void>;
}

/** Hairpin mode on the bridge ports of an ADD's result (its interfaces with no sandbox: the host ends of veths). */
async function setHairpin(netns: string, result: CniResult): Promise<void> {
  for (const iface of result.interfaces ?? []) {
    if (iface.sandbox || iface.name === NODE_BRIDGE || !/^[A-Za-z0-9_.-]{1,15}$/.test(iface.name)) continue;
    // Not fatal, as upstream's kubelet only logged it: a link that is no bridge port (a plugin's
    // result listing something else) leaves the pod without hairpin, not without a network.
    await ip(['-n', netns, 'link', 'set', 'dev', iface.name, 'type', 'bridge_slave', 'hairpin', 'on']).catch(() => undefined);
  }
}

/** Sets up node `index` of cluster `tag` (of `count` nodes) with its runtime state in `root`. */
export async function startKernelNode(input: { tag: string; index: number; count: number; root: string; cni: CniChoice }): Promise<KernelNode> {
  const layout = nodeLayout(input.tag, input.index, input.count);
  await setUpNode(layout);
  let relay;
  try {
    relay = await startNodeRelay(layout.netns, relaySocketPath(input.root, layout.netns));
  } catch (error) {
    await tearDownNode(layout).catch(() => undefined);
    throw error;
  }
  const binDir = join(input.root, 'cni-bin');
  mkdirSync(binDir, { recursive: true });
  const binary = input.cni === 'debian' ? join(DEBIAN_CNI_DIR, 'bridge') : pluginExecutable(binDir);
  const conf: NetConf & Record<string, unknown> = {
    cniVersion: CNI_VERSION,
    name: POD_NETWORK_NAME,
    type: input.cni === 'debian' ? 'bridge' : 'kubelings-bridge',
    bridge: NODE_BRIDGE,
    isGateway: true,
    isDefaultGateway: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: layout.podCidr }]], dataDir: join(input.root, 'cni') },
  };
  // The plugin program picks its code as the kubelet does (KUBELINGS_IMPL and the trees' paths).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('KUBELINGS_')));
  const exec = execCniPlugin(binary, { wrap: ['ip', 'netns', 'exec', layout.netns], env });
  const plugin: CniPlugin = {
    ...exec,
    async add(netConf, args) {
      const result = await exec.add(netConf, args);
      await setHairpin(layout.netns, result);
      return result;
    },
  };
  const kernel: KernelSandboxes = { podNetnsPrefix: layout.podNetnsPrefix, dial: relay.dial };
  relaysHere.set(`${input.tag}/${input.index}`, relay.socketPath);
  return {
    layout,
    runtimeOptions: { network: { plugin, conf }, kernel },
    async stop() {
      relaysHere.delete(`${input.tag}/${input.index}`);
      await relay.stop();
      await tearDownNode(layout);
    },
  };
}
