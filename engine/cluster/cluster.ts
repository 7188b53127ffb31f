/**
 * startCluster(): a mini-Kubernetes control plane in one process: the store, the apiserver, and
 * any number of pluggable components (the scheduler, hollow nodes, controllers) that talk to the
 * apiserver over HTTP only, as in Kubernetes.
 *
 *   const cluster = await startCluster({ dataDir: '.kubelings/data', port: 6443, components: [myScheduler] });
 *   cluster.url                 // http://127.0.0.1:6443
 *   cluster.client              // a KubeClient for it
 *   await cluster.stop();       // components in reverse order, then the apiserver, then the store
 *
 * A component is `{ name, start(ctx) → { stop() } }`. `ctx` carries the apiserver URL, a client
 * named after the component (its User-Agent), a way to make more clients, the clock, a logger that
 * prefixes the component's name, and the cluster's options (component flags such as `nodes`).
 * A component must not touch the store: everything goes through the apiserver.
 *
 * Components that `kubelings cluster up` starts by default are listed in builtin.ts; add yours there.
 * If a component fails to start, everything started so far is stopped and the error is thrown.
 */
import { systemClock, type Clock } from '../etcd/clock.ts';
import type { KVStore } from '../etcd/kv.ts';
import { connectEtcd } from '../etcd/remote.ts';
import { createStore } from '../etcd/store.ts';
import { startApiServer, type ApiServer } from '../apiserver/server.ts';
import type { Authorizer } from '../apiserver/auth.ts';
import { KubeClient } from '../client/client.ts';
import { silentLogger, type Logger } from './logger.ts';

export interface ClusterContext {
  /** The apiserver's base URL: http://127.0.0.1:PORT. */
  apiserverUrl: string;
  /** A client whose User-Agent is the component's name. */
  client: KubeClient;
  /** Another client, e.g. one per hollow node. Closed when the cluster stops. */
  newClient(userAgent: string): KubeClient;
  clock: Clock;
  /** Lines go to the cluster's log, prefixed with the component's name. */
  logger: Logger;
  /** The options the cluster was started with (components read their own flags from `flags`). */
  options: Readonly<ClusterOptions>;
}

export interface RunningComponent {
  stop(): void | Promise<void>;
}

export interface ClusterComponent {
  name: string;
  start(ctx: ClusterContext): RunningComponent | Promise<RunningComponent>;
}

export interface ClusterOptions {
  /** Keep the store's data here (durable); omitted: in memory. Ignored when `store` or `etcdServers` is given. */
  dataDir?: string;
  /** Keep the data in a real etcd at these client URLs instead (kube-apiserver's --etcd-servers). */
  etcdServers?: string[];
  /** The apiserver compacts the store this often (default COMPACTION_INTERVAL_MS; 0: never). */
  compactionIntervalMs?: number;
  /** Bring your own store (it is closed by stop() only if the cluster created it). */
  store?: KVStore;
  /** The apiserver's port; 0 (the default) picks a free one. */
  port?: number;
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /** Components to start after the apiserver, in order. */
  components?: ClusterComponent[];
  clock?: Clock;
  logger?: Logger;
  authorizer?: Authorizer;
  /** Free-form flags for components (`{ nodes: 3, hollow: true }`). */
  flags?: Record<string, unknown>;
}

export interface Cluster {
  readonly url: string;
  readonly store: KVStore;
  readonly apiserver: ApiServer;
  /** A client for tests and tools (User-Agent `kubelings`). */
  readonly client: KubeClient;
  /** Names of the components running, in start order. */
  readonly components: string[];
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const ownStore = options.store === undefined;
  const store =
    options.store ??
    (options.etcdServers?.length ? await connectEtcd(options.etcdServers) : await createStore({ dataDir: options.dataDir, logger: logger.child('etcd') }));
  let apiserver: ApiServer;
  try {
    apiserver = await startApiServer({ store, port: options.port ?? 0, host: options.host, clock, logger, authorizer: options.authorizer, compactionIntervalMs: options.compactionIntervalMs });
  } catch (error) {
    if (ownStore) await store.close();
    throw error;
  }
  const clients: KubeClient[] = [];
  const newClient = (userAgent: string) => {
    const client = new KubeClient({ server: apiserver.url, userAgent });
    clients.push(client);
    return client;
  };
  const running: { name: string; component: RunningComponent }[] = [];

  const stop = async () => {
    for (const { name, component } of running.reverse()) {
      try {
        await component.stop();
      } catch (error) {
        logger.error('component failed to stop', { component: name, error: (error as Error)?.message ?? String(error) });
      }
    }
    running.length = 0;
    for (const c of clients) c.close();
    await apiserver.close();
    if (ownStore) await store.close();
  };

  for (const component of options.components ?? []) {
    const ctx: ClusterContext = {
      apiserverUrl: apiserver.url,
      client: newClient(component.name),
      newClient,
      clock,
      logger: logger.child(component.name),
      options,
    };
    try {
      running.push({ name: component.name, component: await component.start(ctx) });
      logger.info('component started', { component: component.name });
    } catch (error) {
      logger.error('component failed to start', { component: component.name, error: (error as Error)?.message ?? String(error) });
      await stop();
      throw error;
    }
  }

  return {
    url: apiserver.url,
    store,
    apiserver,
    client: newClient('kubelings'),
    components: running.map((r) => r.name),
    stop,
  };
}
