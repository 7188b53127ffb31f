/**
 * startCluster(): a mini-Kubernetes control plane in one process: the store, the apiserver, and
 * any number of pluggable components (the scheduler, hollow nodes, controllers) that talk to the
 * apiserver over HTTP only, as in Kubernetes.
 *
 *   const cluster = await startCluster({ dataDir: '.kubelings/data', port: 6443, components: [myScheduler] });
 *   cluster.url                 // https://127.0.0.1:6443
 *   cluster.token, cluster.ca   // the admin's bearer token and the CA to trust: every request needs both
 *   cluster.client              // a KubeClient for it, as the admin
 *   await cluster.stop();       // components in reverse order, then the apiserver, then the store
 *
 * A component is `{ name, user?, start(ctx) → { stop() } }`. `ctx` carries the apiserver URL, a
 * client named after the component (its User-Agent) that authenticates as the component's `user`
 * with a token of its own (upstream: each component's kubeconfig), ways to make more clients, the
 * clock, a logger that prefixes the component's name, and the cluster's options (component flags
 * such as `nodes`). A component must not touch the store: everything goes through the apiserver.
 *
 * The apiserver listens on a loopback port, so anything on the machine can reach it: the library
 * requires a token too (the same server as `cluster up`'s), and gives it as `cluster.token`.
 *
 * Components that `kubelings cluster up` starts by default are listed in builtin.ts; add yours there.
 * If a component fails to start, everything started so far is stopped and the error is thrown.
 */
import { systemClock, type Clock } from '../etcd/clock.ts';
import type { KVStore } from '../etcd/kv.ts';
import { connectEtcd } from '../etcd/remote.ts';
import { createStore } from '../etcd/store.ts';
import { startApiServer, type ApiServer, type ServingTls } from '../apiserver/server.ts';
import type { Authorizer, UserInfo } from '../apiserver/auth.ts';
import { KUBELET_CLIENT } from '../apiserver/auth.ts';
import type { StaticToken } from '../apiserver/tokens.ts';
import { KubeClient } from '../client/client.ts';
import { silentLogger, type Logger } from './logger.ts';
import { serviceClusterIPRange } from './service-range.ts';

export interface ClusterContext {
  /** The apiserver's base URL: https://127.0.0.1:PORT. */
  apiserverUrl: string;
  /** A client whose User-Agent is the component's name, authenticated as the component's user. */
  client: KubeClient;
  /** Another client with sockets of its own, as `user` (default: the component's). Closed when the cluster stops. */
  newClient(userAgent: string, user?: UserInfo): KubeClient;
  /**
   * A client as another identity (e.g. `system:node:<name>` for each hollow node) that shares
   * `client`'s sockets: cheap enough for thousands. Its User-Agent is `client`'s unless given.
   */
  clientAs(user: UserInfo, userAgent?: string): KubeClient;
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
  /** Who the component is to the apiserver (default: the user named after the component, in system:authenticated). */
  user?: UserInfo;
  /**
   * The other users it acts as through clientAs/newClient (each hollow node's kubelet). In this
   * process any user is issued a token on demand; a component run as a process of its own
   * (`cluster up`, supervisor.ts) is given a token for `user` and for each of these only.
   */
  identities?: UserInfo[];
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
  /** The bearer token of kubelings-admin; default: a new random one, given back as Cluster.token. */
  adminToken?: string;
  /** More tokens the apiserver accepts (a token file's, as --token-auth-file). */
  tokens?: readonly StaticToken[];
  /** The apiserver's serving certificate, key and CA; default: a new CA and certificate for this run. */
  tls?: ServingTls;
  /** Free-form flags for components (`{ nodes: 3, hollow: true }`). */
  flags?: Record<string, unknown>;
}

export interface Cluster {
  readonly url: string;
  readonly store: KVStore;
  readonly apiserver: ApiServer;
  /** The bearer token of kubelings-admin (system:masters): put it in a kubeconfig, or in a KubeClient's `token`. */
  readonly token: string;
  /** The CA certificate (PEM) clients trust: a kubeconfig's certificate-authority-data, a KubeClient's `ca`. */
  readonly ca: string;
  /** A client for tests and tools, as kubelings-admin (User-Agent `kubelings`). */
  readonly client: KubeClient;
  /** Names of the components running, in start order. */
  readonly components: string[];
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const ownStore = options.store === undefined;
  const store = options.store ?? (options.etcdServers?.length ? await connectEtcd(options.etcdServers) : await createStore({ dataDir: options.dataDir, logger: logger.child('etcd') }));
  let apiserver: ApiServer;
  try {
    apiserver = await startApiServer({
      store,
      port: options.port ?? 0,
      host: options.host,
      clock,
      logger,
      authorizer: options.authorizer,
      compactionIntervalMs: options.compactionIntervalMs,
      serviceClusterIPRange: serviceClusterIPRange(options.flags),
      adminToken: options.adminToken,
      tokens: options.tokens,
      tls: options.tls,
      ...kubeletClientOf(options.tokens),
    });
  } catch (error) {
    if (ownStore) await store.close();
    throw error;
  }
  const clients: KubeClient[] = [];
  const newClient = (userAgent: string, token: string) => {
    const client = new KubeClient({ server: apiserver.url, ca: apiserver.ca, userAgent, token });
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
    const self: UserInfo = component.user ?? { username: component.name, groups: [] };
    const client = newClient(component.name, apiserver.issueToken(self));
    const ctx: ClusterContext = {
      apiserverUrl: apiserver.url,
      client,
      newClient: (userAgent, user = self) => newClient(userAgent, apiserver.issueToken(user)),
      clientAs: (user, userAgent) => client.withToken(apiserver.issueToken(user), userAgent),
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
    token: apiserver.adminToken,
    ca: apiserver.ca,
    client: newClient('kubelings', apiserver.adminToken),
    components: running.map((r) => r.name),
    stop,
  };
}

/** The apiserver's kubelet-client token when the token file names one (token-file.ts), so that the kubelets, which read that file, accept it. */
function kubeletClientOf(tokens: readonly StaticToken[] | undefined): { kubeletClient?: { token: string } } {
  const entry = tokens?.filter((t) => t.user.username === KUBELET_CLIENT.username).pop();
  return entry ? { kubeletClient: { token: entry.token } } : {};
}
