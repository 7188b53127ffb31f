/**
 * The Service network of `kubelings cluster up`, as cluster components (each an
 * OS process of its own under the supervisor, with a token and a log of its own, listed by
 * builtin.ts), running the services code the door picks (the learner's with `--impl mine` once
 * lesson 07 passes, the reference otherwise), like the scheduler and the controllers:
 *
 * - `kube-proxy-node-<i>`, one per real node (user system:kube-proxy): the learner's proxier over
 *   the userspace proxy, which listens on the node's InternalIP (127.64.<i>.1) for node ports;
 *   node-0's also on each ClusterIP:port (addresses in 127.96.0.0/16, local to every process on
 *   the machine, so one listener serves the pods of every node). Where ports below 1024 cannot
 *   be bound, a ClusterIP port P below 1024 listens on P + 10000 (engine/cri/ports.ts's rule, as
 *   for pods), and the log says so: Services on port 8080 work the same as root or not.
 *   With `flags.network` 'kernel', each is the nftables kube-proxy instead (kernel/node-component.ts),
 *   programming its node's network namespace; ClusterIPs are then in 10.96.0.0/16
 *   (../cluster/service-range.ts).
 * - `cluster-dns` (user system:serviceaccount:kube-system:coredns): makes sure the Service
 *   kube-system/kube-dns exists with the range's tenth address (127.96.0.10, as 10.96.0.10 in a
 *   kubeadm cluster), ports 53/UDP and 53/TCP, no selector; then serves DNS on that address itself
 *   (UDP and TCP: the userspace proxy carries TCP only, so kube-dns has no EndpointSlice and
 *   kube-proxy never listens there). Port 53 where this user may bind ports below 1024, else
 *   53 + LOW_PORT_REMAP_OFFSET (10053), found by engine/cri/ports.ts's probe, the rule the
 *   kubelet uses when it tells pods where their DNS server is (engine/kubelet/pod-dns.ts).
 *   Kernel mode: ./kernel-cluster-dns.ts (a server on every real node's address, on sockets bound
 *   in that node's namespace; the EndpointSlice kube-system/kube-dns-nodes lists each node as an
 *   endpoint of kube-dns, ready while its sockets are bound in the node's live namespace).
 * - `ingress-controller` (user system:serviceaccount:kube-system:ingress-controller): makes sure
 *   the IngressClass `kubelings` exists (the default class, controller
 *   kubelings.dev/ingress-controller) and answers HTTP on 127.97.0.1:10080 always, and on
 *   127.97.0.1:80 too where this user may bind ports below 1024 (the same low-port rule).
 *   Kernel mode: the same addresses; backends are ready endpoints dialled through a node's relay.
 *
 * Invariants: an address already held (another kubelings cluster on this machine) does not fail
 * the start: the component logs it and tries again every NETWORK_LISTEN_RETRY_MS; stop() closes
 * every listener, informer and retry timer.
 */
import { ALL_AUTHENTICATED, type UserInfo } from '../apiserver/auth.ts';
import type { KubeClient } from '../client/client.ts';
import type { ClusterComponent, ClusterContext } from '../cluster/cluster.ts';
import type { Logger } from '../cluster/logger.ts';
import { decideLowPorts, listenPort } from '../cri/ports.ts';
import { KubelingsError } from '../errors.ts';
import { clusterDnsIP } from '../cluster/service-range.ts';
import { isApiError } from '../kube/errors.ts';
import type { KubeObject, Node, Service } from '../kube/types.ts';
import { dialThroughRelay } from '../cni/netns-layout.ts';
import { kernelRelaySocket } from '../kubelet/kernel-node.ts';
import type { Socket } from 'node:net';
import { realNodeCount, REAL_NODE_PREFIX } from '../kubelet/component.ts';
import {
  CLUSTER_DNS_PORT,
  INGRESS_CLASS_NAME,
  INGRESS_CONTROLLER_HOST,
  INGRESS_CONTROLLER_NAME,
  INGRESS_CONTROLLER_PORT,
  LOW_PORT_REMAP_OFFSET,
  NETWORK_COMPONENT_POLL_MS,
  NETWORK_COMPONENT_START_WAIT_MS,
  NETWORK_LISTEN_RETRY_MS,
} from '../params.ts';
import { runClusterDns } from './dns-server.ts';
import { deleteClusterDnsSlices, runKernelClusterDns } from './kernel-cluster-dns.ts';
import { runIngressController } from './ingress-controller.ts';
import { kernelKubeProxyComponent } from './kernel/node-component.ts';
import { KUBE_PROXY_USER, runKubeProxy } from './kube-proxy.ts';

const serviceAccount = (namespace: string, name: string): UserInfo => ({
  username: `system:serviceaccount:${namespace}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, ALL_AUTHENTICATED],
});

export const CLUSTER_DNS_COMPONENT = 'cluster-dns';
export const INGRESS_COMPONENT = 'ingress-controller';

/** The port a network server binds for `port` on `host` under the runtime's low-port rule (engine/cri/ports.ts). */
export async function boundPort(host: string, port: number): Promise<{ port: number; reason: string }> {
  const lowPorts = await decideLowPorts('auto', host);
  return { port: listenPort(port, lowPorts), reason: lowPorts.reason };
}

/** True when `flags` run the pod network in kernel mode (network namespaces, nftables). */
export function kernelNetwork(flags: Record<string, unknown>): boolean {
  return flags.network === 'kernel';
}

/** The InternalIP of node `name`, once its kubelet has registered it. */
async function nodeAddress(client: KubeClient, name: string, logger: Logger): Promise<string> {
  const deadline = Date.now() + NETWORK_COMPONENT_START_WAIT_MS;
  let said = false;
  for (;;) {
    try {
      const node = await client.get<Node>('nodes', name);
      const address = (node.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === 'InternalIP')?.address;
      if (address) return address;
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
    if (Date.now() > deadline)
      throw new KubelingsError(`node ${name} has not registered an InternalIP within ${NETWORK_COMPONENT_START_WAIT_MS / 1000} s: is its kubelet running? (npx kubelings cluster status)`);
    if (!said) logger.info(`waiting for node ${name} to register its address`);
    said = true;
    await new Promise((r) => setTimeout(r, NETWORK_COMPONENT_POLL_MS));
  }
}

/** Starts `listen` now, or keeps trying every NETWORK_LISTEN_RETRY_MS while the address is taken. */
async function listenOrRetry<T extends { stop(): Promise<void> }>(what: string, logger: Logger, listen: () => Promise<T>): Promise<{ current(): T | undefined; stop(): Promise<void> }> {
  let running: T | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (first: boolean): Promise<void> => {
    try {
      running = await listen();
      if (!first) logger.info(`${what}: listening now`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      if (first) logger.warn(`${what} is held by another process (another kubelings cluster on this machine?): trying again every ${NETWORK_LISTEN_RETRY_MS / 1000} s`);
      if (!stopped) timer = setTimeout(() => void attempt(false).catch((e: Error) => logger.error(`${what}: ${e.message}`)), NETWORK_LISTEN_RETRY_MS);
    }
  };
  await attempt(true);
  return {
    current: () => running,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.stop();
    },
  };
}

/** Creates `object` unless it exists (what the addon manager does for kube-dns). */
async function ensure(client: KubeClient, resource: string, object: KubeObject): Promise<void> {
  const namespace = object.metadata.namespace ? { namespace: object.metadata.namespace } : {};
  try {
    await client.get(resource, object.metadata.name ?? '', namespace);
    return; // kept as it is, as the addon manager's EnsureExists mode keeps it
  } catch (error) {
    if (!isApiError(error, 'NotFound')) throw error;
  }
  try {
    await client.create(resource, object, object.metadata.namespace ? { namespace: object.metadata.namespace } : {});
  } catch (error) {
    if (!isApiError(error, 'AlreadyExists')) throw error;
  }
}

export function kubeProxyComponents(flags: Record<string, unknown>): ClusterComponent[] {
  if (kernelNetwork(flags)) return Array.from({ length: realNodeCount(flags) }, (_, i) => kernelKubeProxyComponent(i, `${REAL_NODE_PREFIX}${i}`));
  return Array.from({ length: realNodeCount(flags) }, (_, i) => {
    const nodeName = `${REAL_NODE_PREFIX}${i}`;
    return {
      name: `kube-proxy-${nodeName}`,
      user: KUBE_PROXY_USER,
      async start(ctx) {
        const nodeIP = await nodeAddress(ctx.client, nodeName, ctx.logger);
        const lowPorts = await decideLowPorts('auto', nodeIP);
        const proxy = await runKubeProxy(ctx.client, { nodeName, nodeIP, serveClusterIPs: i === 0, lowPorts, logger: ctx.logger });
        ctx.logger.info(`userspace proxy for ${nodeName}: ${i === 0 ? 'ClusterIPs in 127.96.0.0/16 (for every node: they share this loopback), ' : ''}node ports on ${nodeIP}`);
        return proxy;
      },
    } satisfies ClusterComponent;
  });
}

/** The kube-dns Service: made when missing, made again when its ClusterIP is not the range's tenth address (the range differs between network modes). */
async function ensureKubeDnsService(client: KubeClient, host: string): Promise<void> {
  const want: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS', 'kubernetes.io/cluster-service': 'true' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: host,
      ports: [
        { name: 'dns', port: CLUSTER_DNS_PORT, protocol: 'UDP', targetPort: CLUSTER_DNS_PORT },
        { name: 'dns-tcp', port: CLUSTER_DNS_PORT, protocol: 'TCP', targetPort: CLUSTER_DNS_PORT },
      ],
    },
  };
  try {
    const found = await client.get<Service>('services', 'kube-dns', { namespace: 'kube-system' });
    if (found.spec?.clusterIP === host) return;
    await client.delete('services', 'kube-dns', { namespace: 'kube-system' }); // clusterIP is immutable
  } catch (error) {
    if (!isApiError(error, 'NotFound')) throw error;
  }
  await ensure(client, 'services', want);
}

export function clusterDnsComponent(flags: Record<string, unknown> = {}): ClusterComponent {
  return {
    name: CLUSTER_DNS_COMPONENT,
    user: serviceAccount('kube-system', 'coredns'),
    async start(ctx) {
      const host = clusterDnsIP(flags);
      await ensureKubeDnsService(ctx.client, host);
      if (kernelNetwork(flags)) return runKernelClusterDns(ctx, realNodeCount(flags));
      // Loopback mode serves the ClusterIP itself: a slice left by a kernel-mode run would make kube-proxy listen there too.
      await deleteClusterDnsSlices(ctx.client);
      const { port, reason } = await boundPort(host, CLUSTER_DNS_PORT);
      ctx.logger.info(`cluster DNS on ${host}:${port} (UDP and TCP): ${reason}`);
      return listenOrRetry(`${host}:${port}`, ctx.logger, () => runClusterDns(ctx.client, { host, port, logger: ctx.logger }));
    },
  };
}

/**
 * Kernel mode: connects to a pod address through node-0's relay, or the next node's when that one
 * does not answer (its kubelet restarting); the relay's own refusal (ECONNREFUSED from the pod,
 * ETIMEDOUT) is final.
 */
function relayDialer(ctx: ClusterContext, nodes: number): (host: string, port: number) => Promise<Socket> {
  return async (host, port) => {
    let last: Error = new Error('no node runs in kernel mode here');
    for (let i = 0; i < nodes; i++) {
      const socket = kernelRelaySocket(ctx.options, i);
      if (!socket) continue;
      try {
        return await dialThroughRelay(socket, host, port);
      } catch (error) {
        last = error as Error;
        if ((error as NodeJS.ErrnoException).syscall !== 'connect') throw error; // the relay answered
      }
    }
    throw last;
  };
}

export function ingressControllerComponent(flags: Record<string, unknown> = {}): ClusterComponent {
  return {
    name: INGRESS_COMPONENT,
    user: serviceAccount('kube-system', 'ingress-controller'),
    async start(ctx) {
      await ensure(ctx.client, 'ingressclasses', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: INGRESS_CLASS_NAME, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: { controller: INGRESS_CONTROLLER_NAME },
      });
      // Always on 10080 (80 + LOW_PORT_REMAP_OFFSET), so the lesson's URL works as root or not; on 80 too where it may be bound.
      const lowPorts = await decideLowPorts('auto', INGRESS_CONTROLLER_HOST);
      const proxyPort = (servicePort: number) => listenPort(servicePort, lowPorts);
      const { port, reason } = await boundPort(INGRESS_CONTROLLER_HOST, INGRESS_CONTROLLER_PORT);
      const remapped = INGRESS_CONTROLLER_PORT + LOW_PORT_REMAP_OFFSET;
      const alsoPorts = port === remapped ? [] : [remapped];
      const where = [port, ...alsoPorts].map((p) => `http://${INGRESS_CONTROLLER_HOST}:${p}`).join(' and ');
      ctx.logger.info(`Ingress controller on ${where}: ${reason}`);
      // Kernel mode: to a ready endpoint through a node's relay (this namespace routes neither ClusterIPs nor pod addresses).
      const dial = kernelNetwork(flags) ? { dial: relayDialer(ctx, realNodeCount(flags)) } : {};
      return listenOrRetry(where, ctx.logger, () => runIngressController(ctx.client, { host: INGRESS_CONTROLLER_HOST, port, alsoPorts, proxyPort, logger: ctx.logger, ...dial }));
    },
  };
}

/** Every Service-network component these flags run (none without a real node: nothing would use them). */
export function serviceNetworkComponents(flags: Record<string, unknown>): ClusterComponent[] {
  if (realNodeCount(flags) === 0) return [];
  return [...kubeProxyComponents(flags), clusterDnsComponent(flags), ingressControllerComponent(flags)];
}
