/**
 * kube-proxy for one node, as a cluster component: informers on Services and EndpointSlices feed
 * the proxier (the learner's sync loop from the services component, through the door), whose
 * backend is the userspace proxy in loopback mode. A timer wakes the proxier at nextSyncAt(); the
 * first sync waits until both informers have listed (upstream waits for both caches too, so a
 * first sync never publishes an empty ruleset over a full one).
 *
 * Invariants: the proxier is only touched from this file's event handlers and timer, one call at a
 * time; a proxier that throws (a learner's bug) is logged and retried at the next wake-up, never
 * crashing the component; stop() closes every listener and proxied connection.
 */
import { ALL_AUTHENTICATED, type UserInfo } from '../apiserver/auth.ts';
import type { KubeClient } from '../client/client.ts';
import type { ClusterComponent, RunningComponent } from '../cluster/cluster.ts';
import type { Logger } from '../cluster/logger.ts';
import { SharedInformerFactory } from '../controllers/informers.ts';
import { loadComponent } from '../impl.ts';
import type { EndpointSlice, Service } from '../kube/types.ts';
import { KUBE_PROXY_FULL_SYNC_PERIOD_MS, KUBE_PROXY_MIN_SYNC_PERIOD_MS } from '../params.ts';
import { listenPort, type LowPorts } from '../cri/ports.ts';
import type { Proxier, ProxyRule, ServicesExercises } from './exercises.ts';
import { UserspaceProxy } from './userspace-proxy.ts';

/** upstream's kube-proxy identity. */
export const KUBE_PROXY_USER: UserInfo = { username: 'system:kube-proxy', groups: [ALL_AUTHENTICATED] };

export interface KubeProxyOptions {
  nodeName: string;
  /** The node's InternalIP: node ports listen here. */
  nodeIP: string;
  minSyncPeriodMs?: number;
  fullSyncPeriodMs?: number;
  /**
   * Listen on ClusterIPs too (default true). In loopback mode every node shares this machine's
   * loopback, so one kube-proxy holds the ClusterIPs for all (`cluster up`: node-0's) and the
   * others only their node ports; they are given the same rules without internal endpoints.
   */
  serveClusterIPs?: boolean;
  /**
   * Where ports below 1024 cannot be bound (engine/cri/ports.ts, mode remap), a ClusterIP port P
   * below 1024 listens on P + offset instead, as pods' ports do; said once per rule in the log.
   */
  lowPorts?: LowPorts;
  /** The services component to use (default: the one the door picks). */
  services?: ServicesExercises;
  logger?: Logger;
}

export interface RunningKubeProxy extends RunningComponent {
  readonly proxy: UserspaceProxy;
  /** Resolves after the first sync has been applied and its listeners are open. */
  readonly ready: Promise<void>;
  /** How many syncs ran, and how many of them threw. */
  stats(): { syncs: number; failures: number };
}

export async function runKubeProxy(client: KubeClient, options: KubeProxyOptions): Promise<RunningKubeProxy> {
  const log = (line: string) => options.logger?.info(line);
  const services = options.services ?? (await loadComponent('services'));
  const proxy = new UserspaceProxy({ nodeIP: options.nodeIP, log });
  const proxier: Proxier = services.newProxier({
    nodeName: options.nodeName,
    now: Date.now,
    minSyncPeriodMs: options.minSyncPeriodMs ?? KUBE_PROXY_MIN_SYNC_PERIOD_MS,
    fullSyncPeriodMs: options.fullSyncPeriodMs ?? KUBE_PROXY_FULL_SYNC_PERIOD_MS,
    backend: {
      apply(changes) {
        try {
          proxy.apply({ ...changes, upsert: changes.upsert.map(forThisMachine) });
        } catch (error) {
          failures++;
          throw error;
        }
      },
    },
  });
  const remapped = new Set<string>();
  /** A rule as this machine can serve it: no ClusterIP listener where another kube-proxy holds them; low ports moved up. */
  function forThisMachine(rule: ProxyRule): ProxyRule {
    let out = options.serveClusterIPs === false ? { ...rule, internalEndpoints: [] } : rule;
    const port = options.lowPorts ? listenPort(rule.port, options.lowPorts) : rule.port;
    if (port !== rule.port) {
      if (!remapped.has(rule.servicePortName)) log(`${rule.servicePortName}: ${rule.clusterIP}:${rule.port} listens on port ${port} (${options.lowPorts!.reason})`);
      remapped.add(rule.servicePortName);
      out = { ...out, port };
    }
    return out;
  }
  const factory = new SharedInformerFactory(client);
  const serviceInformer = factory.forResource<Service>('services');
  const sliceInformer = factory.forResource<EndpointSlice>('endpointslices');
  let synced = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let syncs = 0;
  let failures = 0;
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
        if (syncs === 1) void proxy.settled().then(markReady);
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
    proxy,
    ready,
    stats: () => ({ syncs, failures }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      factory.stop();
      await proxy.close();
    },
  };
}

/** kube-proxy on one node as a cluster component (in loopback mode). */
export function kubeProxyComponent(options: Omit<KubeProxyOptions, 'logger'>): ClusterComponent {
  return {
    name: `kube-proxy-${options.nodeName}`,
    user: KUBE_PROXY_USER,
    start: (ctx) => runKubeProxy(ctx.client, { ...options, logger: ctx.logger }),
  };
}
