/**
 * kube-proxy for one real node of `cluster up --network kernel`, as a supervised cluster component
 * (`kube-proxy-node-<i>`, user system:kube-proxy, a process of its own like the others): it waits
 * for the node's network namespace (kln-<tag>-n<i>, made by that node's kubelet), then runs
 * startKernelProxy there: the learner's proxier (through the door) writing nftables inside the node.
 *
 * The namespace can be made anew under it: a kubelet that restarts removes what its killed
 * predecessor left and sets the node up again (netns-layout.ts setUpNode), and the new namespace has
 * no table and none of kube-proxy's sysctls. So every KERNEL_PROXY_NETNS_CHECK_MS this component
 * compares the namespace's inode with the one it programs; when it changed, the proxy is started
 * again there (a new proxier: its first sync is a full one), and when it is gone, the proxy waits.
 *
 * Invariants: at most one proxy runs, changes happen one at a time (a promise chain), and stop()
 * leaves no table behind and no timer running.
 */
import { statSync } from 'node:fs';
import type { ClusterComponent } from '../../cluster/cluster.ts';
import { nodeNetnsName } from '../../cni/netns-layout.ts';
import { kernelClusterTag } from '../../kubelet/kernel-node.ts';
import { KERNEL_POD_NETWORK_CIDR, KERNEL_PROXY_NETNS_CHECK_MS } from '../../params.ts';
import { KUBE_PROXY_USER } from '../kube-proxy.ts';
import { startKernelProxy, type RunningKernelProxy } from './kernel-proxy.ts';

/** The inode of namespace `netns` (its identity: a namespace made again under the same name has another), or undefined when there is none. */
function netnsInode(netns: string): number | undefined {
  try {
    return statSync(`/run/netns/${netns}`).ino;
  } catch {
    return undefined;
  }
}

/** kube-proxy of real node `index` (node-<index>) in kernel mode. */
export function kernelKubeProxyComponent(index: number, nodeName: string): ClusterComponent {
  return {
    name: `kube-proxy-${nodeName}`,
    user: KUBE_PROXY_USER,
    async start(ctx) {
      const netns = nodeNetnsName(kernelClusterTag(ctx.options), index);
      let running: RunningKernelProxy | undefined;
      let programmed: number | undefined;
      let stopped = false;
      let said = false;
      let chain = Promise.resolve();
      const check = async (): Promise<void> => {
        const inode = netnsInode(netns);
        if (inode === programmed) return;
        if (running) {
          ctx.logger.info(inode === undefined ? `the namespace ${netns} is gone: waiting for it to be made again` : `the namespace ${netns} was made anew: programming it again`);
          await Promise.resolve(running.stop()).catch((error: Error) => ctx.logger.warn(`stopping the proxy of the old namespace: ${error.message}`));
          running = undefined;
          programmed = undefined;
        }
        if (inode === undefined) {
          if (!said) ctx.logger.info(`waiting for node ${nodeName}'s namespace ${netns} (made by its kubelet)`);
          said = true;
          return;
        }
        running = await startKernelProxy(ctx.client, { netns, nodeName, clusterCIDR: KERNEL_POD_NETWORK_CIDR, logger: ctx.logger });
        programmed = inode;
        ctx.logger.info(`nftables kube-proxy for ${nodeName}: table ${running.backend.table} in namespace ${netns} (ClusterIPs, NodePorts on the node's eth0)`);
      };
      const schedule = () => {
        chain = chain.then(check).catch((error: Error) => ctx.logger.error(`kube-proxy in ${netns}: ${error.message} (trying again in ${KERNEL_PROXY_NETNS_CHECK_MS / 1000} s)`));
        return chain;
      };
      await schedule();
      const timer = setInterval(() => {
        if (!stopped) void schedule();
      }, KERNEL_PROXY_NETNS_CHECK_MS);
      return {
        async stop() {
          stopped = true;
          clearInterval(timer);
          await chain;
          await running?.stop();
          running = undefined;
        },
      };
    },
  };
}
