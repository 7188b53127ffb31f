/**
 * kube-proxy for one node in kernel mode: informers on Services and EndpointSlices feed the
 * learner's proxier (the services component, through the door), whose backend programs nftables in
 * the node's network namespace (nftables-backend.ts). The sync loop is kube-proxy.ts's: a timer
 * wakes the proxier at nextSyncAt(), and the first sync waits until both informers have listed.
 *
 * The node's namespace is a parameter: whoever puts pods in namespaces (the kubelet's runtime, in
 * kernel mode) names it. `startKernelProxy` sets what kube-proxy needs of that namespace
 * (forwarding, and bridged traffic through the ip hooks: br_netfilter's bridge-nf-call-iptables,
 * which kube-proxy also requires, so that a pod's reply to a pod on its bridge is un-DNATed).
 *
 * Invariants: the proxier is only touched from this file's handlers and timer, one call at a time;
 * a proxier that throws is logged and retried at the next wake-up, never crashing the component;
 * stop() stops the informers and removes the table, so nothing of kube-proxy is left in the
 * namespace.
 */
import { spawnSync } from 'node:child_process';
import type { KubeClient } from '../../client/client.ts';
import type { ClusterComponent, RunningComponent } from '../../cluster/cluster.ts';
import type { Logger } from '../../cluster/logger.ts';
import { SharedInformerFactory } from '../../controllers/informers.ts';
import { loadComponent } from '../../impl.ts';
import type { EndpointSlice, Service } from '../../kube/types.ts';
import { KUBE_PROXY_FULL_SYNC_PERIOD_MS, KUBE_PROXY_MIN_SYNC_PERIOD_MS } from '../../params.ts';
import type { Proxier, ServicesExercises } from '../exercises.ts';
import { KUBE_PROXY_USER } from '../kube-proxy.ts';
import { NftablesProxyBackend } from './nftables-backend.ts';
import { checkNetnsName } from './nft.ts';

export interface KernelProxyOptions {
  /** The node's network namespace, as `ip netns add` named it. */
  netns: string;
  nodeName: string;
  /** The pod network: traffic from outside it to a ClusterIP is masqueraded. */
  clusterCIDR: string;
  /** The table's name (default KERNEL_PROXY_TABLE). */
  table?: string;
  minSyncPeriodMs?: number;
  fullSyncPeriodMs?: number;
  /** The services component to use (default: the one the door picks). */
  services?: ServicesExercises;
  logger?: Logger;
}

export interface RunningKernelProxy extends RunningComponent {
  readonly backend: NftablesProxyBackend;
  /** Resolves after the first sync has been applied. */
  readonly ready: Promise<void>;
  /** How many syncs ran, and how many of them threw. */
  stats(): { syncs: number; failures: number };
}

/** Writes a sysctl inside the namespace (`ip netns exec NS sysctl -qw key=value`). */
export function setNetnsSysctl(netns: string, key: string, value: string): void {
  const out = spawnSync('ip', ['netns', 'exec', checkNetnsName(netns), 'sysctl', '-qw', `${key}=${value}`], { encoding: 'utf8', timeout: 10_000 });
  if (out.status !== 0) throw new Error(`sysctl ${key}=${value} in netns ${netns} failed: ${(out.stderr || out.error?.message || '').trim()}`);
}

/** What kube-proxy needs of the node's namespace: forwarding, and bridged IPv4 through the ip hooks. */
export function prepareNodeNetns(netns: string): void {
  setNetnsSysctl(netns, 'net.ipv4.ip_forward', '1');
  setNetnsSysctl(netns, 'net.bridge.bridge-nf-call-iptables', '1');
}

export async function startKernelProxy(client: KubeClient, options: KernelProxyOptions): Promise<RunningKernelProxy> {
  const log = (line: string) => options.logger?.info(line);
  prepareNodeNetns(options.netns);
  const services = options.services ?? (await loadComponent('services'));
  const backend = new NftablesProxyBackend({ netns: options.netns, clusterCIDR: options.clusterCIDR, table: options.table, log });
  let syncs = 0;
  let failures = 0;
  const proxier: Proxier = services.newProxier({
    nodeName: options.nodeName,
    now: Date.now,
    minSyncPeriodMs: options.minSyncPeriodMs ?? KUBE_PROXY_MIN_SYNC_PERIOD_MS,
    fullSyncPeriodMs: options.fullSyncPeriodMs ?? KUBE_PROXY_FULL_SYNC_PERIOD_MS,
    backend: {
      apply(changes) {
        try {
          backend.apply(changes);
        } catch (error) {
          failures++;
          throw error;
        }
      },
    },
  });
  const factory = new SharedInformerFactory(client);
  const serviceInformer = factory.forResource<Service>('services');
  const sliceInformer = factory.forResource<EndpointSlice>('endpointslices');
  let synced = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const guarded = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      log(`proxier ${what} failed: ${(error as Error).message}`);
    }
  };
  function wake(): void {
    if (stopped || !synced) return;
    clearTimeout(timer);
    let next = Date.now() + 1_000;
    guarded('sync', () => {
      if (proxier.syncIfDue()) {
        syncs++;
        if (backend.stats().full + backend.stats().partial > 0) markReady();
      }
      next = proxier.nextSyncAt();
    });
    timer = setTimeout(wake, Math.max(0, Math.min(next - Date.now(), 2 ** 31 - 1)));
  }
  serviceInformer.on('add', (s) => guarded('onServiceUpdate', () => proxier.onServiceUpdate(undefined, s)));
  serviceInformer.on('update', (o, s) => guarded('onServiceUpdate', () => proxier.onServiceUpdate(o, s)));
  serviceInformer.on('delete', (s) => guarded('onServiceUpdate', () => proxier.onServiceUpdate(s, undefined)));
  sliceInformer.on('add', (s) => guarded('onEndpointSliceUpdate', () => proxier.onEndpointSliceUpdate(undefined, s)));
  sliceInformer.on('update', (o, s) => guarded('onEndpointSliceUpdate', () => proxier.onEndpointSliceUpdate(o, s)));
  sliceInformer.on('delete', (s) => guarded('onEndpointSliceUpdate', () => proxier.onEndpointSliceUpdate(s, undefined)));
  for (const informer of [serviceInformer, sliceInformer]) {
    for (const event of ['add', 'update', 'delete'] as const) informer.on(event, () => queueMicrotask(wake));
  }
  await factory.start();
  synced = true;
  wake();
  return {
    backend,
    ready,
    stats: () => ({ syncs, failures }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      factory.stop();
      try {
        backend.remove();
      } catch (error) {
        log(`removing the ${backend.table} table failed: ${(error as Error).message}`);
      }
    },
  };
}

/** kube-proxy on one node, kernel mode, as a cluster component. */
export function kernelProxyComponent(options: Omit<KernelProxyOptions, 'logger'>): ClusterComponent {
  return {
    name: `kube-proxy-${options.nodeName}`,
    user: KUBE_PROXY_USER,
    start: (ctx) => startKernelProxy(ctx.client, { ...options, logger: ctx.logger }),
  };
}
