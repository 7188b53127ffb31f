/**
 * Cluster DNS in kernel mode, served from every real node: upstream runs CoreDNS as a Deployment
 * of two replicas spread over nodes, so that one node restarting or gone costs DNS nothing but its
 * share. Here the `cluster-dns` process runs one server per node (./kernel-dns-binding.ts), each on
 * sockets bound inside that node's namespace at the node's address, port 53, UDP and TCP
 * (10.250.0.(10+i):53, as a CoreDNS pod with `hostNetwork` would listen): pods live in namespaces
 * of their own and cannot reach this machine's loopback, and this process keeps its apiserver
 * connection there. All servers answer from one set of informers.
 *
 * The EndpointSlice kube-system/kube-dns-nodes (CLUSTER_DNS_SLICE) points the kube-dns Service
 * (no selector, so the EndpointSlice controller leaves it alone) at them: one slice with one
 * endpoint per node, as the EndpointSlice controller writes one slice listing a Service's pods;
 * an endpoint is ready (and serving) only while its node's sockets are bound in the node's live
 * namespace. kube-proxy on every node then DNATs the ClusterIP's port 53 to a ready endpoint, as
 * upstream's does to the CoreDNS pods, and skips the others. A node whose namespace is removed or
 * made again (its kubelet restarted) is seen at once through a watch on /run/netns (and every
 * CLUSTER_DNS_NETNS_CHECK_MS in case an event is missed): its endpoint turns not ready and it binds
 * again in the new namespace, on its own, while the other nodes keep answering.
 *
 * Invariants: this process is the slice's only writer; writes never overlap and always carry the
 * whole slice as the bindings are now (level-triggered: a write that fails is tried again after
 * NETWORK_LISTEN_RETRY_MS); slices of an older layout (kube-dns-node-0) are deleted at start;
 * stop() closes every server, the watch and the timers, then deletes the slice (best effort: the
 * apiserver may be stopping too).
 */
import { watch, type FSWatcher } from 'node:fs';
import type { KubeClient } from '../client/client.ts';
import type { ClusterContext } from '../cluster/cluster.ts';
import { kernelNodeIp, nodeNetnsName } from '../cni/netns-layout.ts';
import { isApiError } from '../kube/errors.ts';
import type { Endpoint, EndpointSlice } from '../kube/types.ts';
import { kernelClusterTag } from '../kubelet/kernel-node.ts';
import { REAL_NODE_PREFIX } from '../kubelet/component.ts';
import { CLUSTER_DNS_NETNS_CHECK_MS, CLUSTER_DNS_PORT, NETWORK_LISTEN_RETRY_MS } from '../params.ts';
import { clusterDnsAnswers } from './dns-server.ts';
import { NodeDnsBinding } from './kernel-dns-binding.ts';

/** The EndpointSlice cluster DNS keeps for kube-dns in kernel mode: one endpoint per real node. */
export const CLUSTER_DNS_SLICE = 'kube-dns-nodes';
export const CLUSTER_DNS_MANAGED_BY = 'cluster-dns.kubelings.dev';
const NAMESPACE = { namespace: 'kube-system' };

/** The slice for these endpoints. */
export function clusterDnsSlice(endpoints: Endpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: CLUSTER_DNS_SLICE, namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': CLUSTER_DNS_MANAGED_BY } },
    addressType: 'IPv4',
    endpoints,
    ports: [
      { name: 'dns', port: CLUSTER_DNS_PORT, protocol: 'UDP' },
      { name: 'dns-tcp', port: CLUSTER_DNS_PORT, protocol: 'TCP' },
    ],
  };
}

/** One node's endpoint: ready and serving together (a node's server is either bound or not), never terminating. */
export function nodeEndpoint(address: string, nodeName: string, ready: boolean): Endpoint {
  return { addresses: [address], conditions: { ready, serving: ready, terminating: false }, nodeName };
}

/** Deletes the slices cluster DNS manages, but `keep` (loopback mode keeps none: it serves the ClusterIP itself). */
export async function deleteClusterDnsSlices(client: KubeClient, keep?: string): Promise<void> {
  const slices = await client.list<EndpointSlice>('endpointslices', { ...NAMESPACE, labelSelector: `endpointslice.kubernetes.io/managed-by=${CLUSTER_DNS_MANAGED_BY}` });
  for (const slice of slices.items) {
    if (slice.metadata.name === keep) continue;
    await client.delete('endpointslices', slice.metadata.name!, NAMESPACE).catch((error: unknown) => {
      if (!isApiError(error, 'NotFound')) throw error;
    });
  }
}

async function putSlice(client: KubeClient, slice: EndpointSlice): Promise<void> {
  try {
    const found = await client.get<EndpointSlice>('endpointslices', slice.metadata.name!, NAMESPACE);
    await client.update('endpointslices', { ...slice, metadata: { ...slice.metadata, resourceVersion: found.metadata.resourceVersion } }, NAMESPACE);
  } catch (error) {
    if (!isApiError(error, 'NotFound')) throw error;
    await client.create('endpointslices', slice, NAMESPACE);
  }
}

/** Cluster DNS on every one of `nodes` real nodes (see the header). */
export async function runKernelClusterDns(ctx: ClusterContext, nodes: number): Promise<{ stop(): Promise<void> }> {
  const tag = kernelClusterTag(ctx.options);
  const answers = await clusterDnsAnswers(ctx.client);
  let stopped = false;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let written = '';
  let writeRetry: NodeJS.Timeout | undefined;
  let writeFailed = false;

  const endpoints = () => bindings.map((b) => nodeEndpoint(b.target.address, b.target.nodeName, b.ready()));
  /** Writes the slice as the bindings are now, once the write under way (if any) is done. */
  const writeSlice = (): void => {
    if (stopped) return;
    if (writing) return void (dirty = true);
    writing = (async () => {
      do {
        dirty = false;
        const slice = clusterDnsSlice(endpoints());
        const text = JSON.stringify(slice.endpoints);
        if (text === written) continue;
        try {
          await putSlice(ctx.client, slice);
          written = text;
          if (writeFailed) ctx.logger.info(`EndpointSlice kube-system/${CLUSTER_DNS_SLICE} written again`);
          writeFailed = false;
        } catch (error) {
          if (!writeFailed) ctx.logger.warn(`EndpointSlice kube-system/${CLUSTER_DNS_SLICE} not written (${(error as Error).message}): trying again every ${NETWORK_LISTEN_RETRY_MS / 1000} s`);
          writeFailed = true;
          clearTimeout(writeRetry);
          if (!stopped) writeRetry = setTimeout(writeSlice, NETWORK_LISTEN_RETRY_MS);
          break;
        }
      } while (dirty && !stopped);
      writing = undefined;
    })();
  };

  const bindings: NodeDnsBinding[] = Array.from(
    { length: nodes },
    (_, i) =>
      new NodeDnsBinding({ nodeName: `${REAL_NODE_PREFIX}${i}`, netns: nodeNetnsName(tag, i), address: kernelNodeIp(i) }, { resolve: answers.resolve, logger: ctx.logger, changed: writeSlice }),
  );
  const syncAll = () => {
    for (const binding of bindings) void binding.sync();
  };

  try {
    await deleteClusterDnsSlices(ctx.client, CLUSTER_DNS_SLICE);
  } catch (error) {
    answers.stop();
    throw error;
  }
  writeSlice(); // every node listed, not ready until it binds
  // /run/netns holds one file per named namespace: an event on a node's name means it was removed or made.
  // Watched again at each check while it cannot be (no /run/netns before the first namespace is made).
  let watcher: FSWatcher | undefined;
  let saidUnwatched = false;
  const watchNetns = () => {
    if (watcher || stopped) return;
    try {
      watcher = watch('/run/netns', (_event, file) => {
        for (const binding of bindings) if (file === null || file === binding.target.netns) void binding.sync();
      });
      watcher.on('error', (error) => {
        ctx.logger.warn(`watching /run/netns stopped (${error.message}): namespaces are checked every ${CLUSTER_DNS_NETNS_CHECK_MS / 1000} s meanwhile`);
        watcher?.close();
        watcher = undefined;
      });
    } catch (error) {
      if (!saidUnwatched) ctx.logger.info(`/run/netns cannot be watched yet (${(error as Error).message}): namespaces are checked every ${CLUSTER_DNS_NETNS_CHECK_MS / 1000} s meanwhile`);
      saidUnwatched = true;
    }
  };
  watchNetns();
  const check = setInterval(() => {
    watchNetns();
    syncAll();
  }, CLUSTER_DNS_NETNS_CHECK_MS);
  syncAll();
  ctx.logger.info(`cluster DNS serves from ${nodes} node${nodes === 1 ? '' : 's'} (EndpointSlice kube-system/${CLUSTER_DNS_SLICE} points kube-dns at each node's address while it listens there)`);

  return {
    async stop() {
      stopped = true;
      clearInterval(check);
      clearTimeout(writeRetry);
      watcher?.close();
      await Promise.all(bindings.map((b) => b.stop()));
      answers.stop();
      await writing;
      // kube-proxy stops sending queries to servers that are gone (best effort: the apiserver may be stopping too).
      await ctx.client.delete('endpointslices', CLUSTER_DNS_SLICE, NAMESPACE).catch((error: unknown) => {
        if (!isApiError(error, 'NotFound')) ctx.logger.warn(`EndpointSlice kube-system/${CLUSTER_DNS_SLICE} not deleted: ${(error as Error).message}`);
      });
    },
  };
}
