/**
 * The simulated cloud's view of the nodes in kernel mode (`cluster up --network kernel`). Its load
 * balancers still listen on the machine (LOAD_BALANCER_ADDRESS_POOL, 127.112.0.0/16), so
 * `curl http://<EXTERNAL-IP>:<port>` works from a shell, but the nodes' NodePorts answer only on
 * their eth0 addresses (10.250.0.(10+i)) inside the cluster's namespaces. So a load balancer
 * connects from the underlay namespace (the LAN the nodes share, where a cloud's load balancer
 * sits too) through a relay of its own (../cni/netns-relay.ts, limited to KERNEL_NODE_NETWORK_CIDR),
 * and the node's kube-proxy takes the connection from there, as from any client outside the
 * cluster (DNAT to an endpoint, masqueraded).
 *
 * Invariants: the relay starts when the first connection needs it (the underlay exists once a
 * kubelet has set up its node), a failed start is tried again by the next connection, and close()
 * stops it; it also ends with this process (its stdin is this process's pipe).
 */
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelNodeIp, startNodeRelay, underlayNetnsName, type NodeRelay } from '../cni/netns-layout.ts';
import type { Node } from '../kube/types.ts';
import { REAL_NODE_PREFIX } from '../kubelet/component.ts';
import { KERNEL_NODE_NETWORK_CIDR } from '../params.ts';

export interface KernelCloudNetwork {
  /** A real node's eth0 address (node-<i>: 10.250.0.(10+i)); undefined for any other node (hollow ones have no NodePorts). */
  nodeAddress(node: Node): string | undefined;
  /** A connection to host:port from the underlay. */
  dial(host: string, port: number): Promise<Socket>;
  close(): Promise<void>;
}

const REAL_NODE = new RegExp(`^${REAL_NODE_PREFIX}(\\d{1,3})$`);

export function kernelCloudNetwork(tag: string, log: (line: string) => void = () => {}): KernelCloudNetwork {
  const netns = underlayNetnsName(tag);
  const socketPath = join(tmpdir(), `${netns}-lb-${process.pid}.sock`);
  let relay: Promise<NodeRelay> | undefined;
  let closed = false;
  const started = (): Promise<NodeRelay> => {
    relay ??= startNodeRelay(netns, socketPath, KERNEL_NODE_NETWORK_CIDR, (error) =>
      log(error ? `the load balancers' relay in ${netns} did not restart: ${error.message}` : `the load balancers' relay in ${netns} restarted`),
    ).then(
      (r) => {
        log(`load balancers reach the nodes from ${netns} (relay ${socketPath})`);
        return r;
      },
      (error: Error) => {
        relay = undefined;
        throw error;
      },
    );
    return relay;
  };
  return {
    nodeAddress(node) {
      const m = REAL_NODE.exec(node.metadata.name ?? '');
      return m ? kernelNodeIp(Number(m[1])) : undefined;
    },
    async dial(host, port) {
      if (closed) throw Object.assign(new Error('the cloud is closing'), { code: 'ECONNREFUSED' });
      return (await started()).dial(host, port);
    },
    async close() {
      closed = true;
      const r = await relay?.catch(() => undefined);
      await r?.stop();
    },
  };
}
