/**
 * Real nodes for `kubelings cluster up`: one kubelet per node (component `kubelet-node-<i>`, node
 * `node-<i>`, each its own process under the supervisor), running pods as processes on this
 * machine through the runtime (engine/cri), with the learner's kubelet logic where its exercises
 * pass (`--impl mine`, loadComponent('kubelet')).
 *
 * Flags: `--real-nodes R` sets how many (default 1, or 0 with `--hollow`, whose `--nodes N` counts
 * hollow nodes: `--real-nodes 1 --nodes 100 --hollow` runs both side by side); a plain `--nodes N`
 * without `--hollow` means N real nodes.
 *
 * Where things are: node i's runtime root is `<state>/nodes/node-<i>` (the cluster's state folder,
 * next to data/; a fresh temporary folder for an in-process cluster without one, removed at
 * stop), its pod addresses a block of the pod network it claims machine-wide (./node-block.ts), its API on the first address of that block.
 * Its serving certificate is signed by the cluster CA (`<state>/pki`, made by the daemon); its API
 * accepts the tokens of `<state>/tokens.csv` (the admin's; the apiserver's kubelet-client
 * credential when that file lists one) and authorizes system:masters and
 * kube-apiserver-kubelet-client (./auth.ts). stop() stops every container of the node; a kubelet
 * started on a root left by a killed one first kills what that one left (cleanupOrphans).
 *
 * `--network kernel` (`cluster up` resolves `auto` before the flags get here; without the flag a
 * cluster is loopback): each node gets its namespaces (./kernel-node.ts) and pod addresses from
 * 10.244.<i>.0/24 inside them; its API stays on its loopback block's first address.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nodeUser } from '../apiserver/auth.ts';
import { createCa } from '../apiserver/pki.ts';
import { parseTokenFile } from '../apiserver/token-file.ts';
import { StaticTokens } from '../apiserver/tokens.ts';
import type { ClusterComponent } from '../cluster/cluster.ts';
import { clusterPaths } from '../cluster/paths.ts';
import { nodePodCidr } from '../cri/runtime.ts';
import { KubelingsError } from '../errors.ts';
import { formatIPv4, parseCidr } from '../cni/ipv4.ts';
import { cniChoice, kernelClusterTag, startKernelNode, type KernelNode } from './kernel-node.ts';
import { clusterDnsIP } from '../cluster/service-range.ts';
import { CLUSTER_DOMAIN } from '../params.ts';
import { startKubelet } from './kubelet.ts';
import { claimNodeBlock } from './node-block.ts';
import { scratchRoot } from './scratch-root.ts';

export const REAL_NODE_PREFIX = 'node-';

/** How many real nodes these flags ask for. */
export function realNodeCount(flags: Record<string, unknown>): number {
  const raw = flags['real-nodes'] ?? flags.realNodes ?? (flags.hollow ? 0 : (flags.nodes ?? 1));
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0 || count > 64) throw new KubelingsError(`--real-nodes takes a whole number from 0 to 64, not "${String(raw)}".`);
  return count;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function kubeletComponents(flags: Record<string, unknown>): ClusterComponent[] {
  const count = realNodeCount(flags);
  if (flags.network !== undefined && flags.network !== 'loopback' && flags.network !== 'kernel') {
    throw new KubelingsError(`the kubelets take --network loopback or kernel, not "${String(flags.network)}" (cluster up resolves auto).`);
  }
  const kernelMode = flags.network === 'kernel';
  const cni = kernelMode ? cniChoice(flags.cni) : undefined;
  return Array.from({ length: count }, (_, i) => {
    const nodeName = `${REAL_NODE_PREFIX}${i}`;
    const component: ClusterComponent = {
      name: `kubelet-${nodeName}`,
      user: nodeUser(nodeName),
      async start(ctx) {
        const paths = clusterPaths();
        const daemon = ctx.options.dataDir !== undefined || ctx.options.etcdServers !== undefined;
        const root = daemon ? join(paths.home, 'nodes', nodeName) : scratchRoot(nodeName);
        const caCert = readIfPresent(join(paths.pkiDir, 'ca.crt'));
        const caKey = readIfPresent(join(paths.pkiDir, 'ca.key'));
        const ca = daemon && caCert && caKey ? { cert: caCert, key: caKey } : createCa();
        if (!(daemon && caCert && caKey)) ctx.logger.warn(`no cluster CA in ${paths.pkiDir}: the kubelet of ${nodeName} signs its certificate with a CA of its own`);
        const tokenText = daemon && existsSync(paths.tokenFile) ? readIfPresent(paths.tokenFile) : undefined;
        const tokens = new StaticTokens(tokenText ? parseTokenFile(tokenText, paths.tokenFile).tokens : []);
        // Nodes claim their blocks machine-wide: clusters side by side never share pod addresses.
        const block = claimNodeBlock(root);
        let kubelet;
        let kernel: KernelNode | undefined;
        try {
          const loopbackCidr = nodePodCidr(block.index);
          if (cni) {
            kernel = await startKernelNode({ tag: kernelClusterTag(ctx.options), index: i, count, root, cni });
          }
          kubelet = await startKubelet({
            nodeName,
            client: ctx.client,
            root,
            podCidr: kernel ? kernel.layout.podCidr : loopbackCidr,
            address: formatIPv4(parseCidr(loopbackCidr, true).network + 1),
            port: 0,
            ca,
            tokens,
            logger: ctx.logger,
            ...(kernel ? { runtimeOptions: kernel.runtimeOptions } : {}),
            // cluster DNS (engine/proxy/components.ts) and the service environment variables
            serviceNetwork: { clusterDnsIP: clusterDnsIP(ctx.options.flags), clusterDomain: CLUSTER_DOMAIN },
          });
        } catch (error) {
          await kernel?.stop().catch(() => undefined);
          block.release();
          throw error;
        }
        return {
          stop: async () => {
            await kubelet.stop();
            await kernel?.stop().catch((error: Error) => ctx.logger.warn(`the network namespaces of ${nodeName} were not all removed: ${error.message}`));
            block.release();
            if (!daemon) rmSync(root, { recursive: true, force: true });
          },
        };
      },
    };
    return component;
  });
}
