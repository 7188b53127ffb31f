/**
 * startApiServer(): the engine's kube-apiserver on node:https, bound to loopback.
 *
 *   const api = await startApiServer({ store, port: 0 });   // port 0: any free port
 *   api.url                                                  // https://127.0.0.1:PORT
 *   new KubeClient({ server: api.url, ca: api.ca, token: api.adminToken }) // a token on each request
 *   await api.close();                                       // stops watches and the listener
 *
 * The store is any KVStore (the reference, the learner's, or a real etcd behind the interface);
 * the apiserver is the only component that touches it, and within it only the storage layer
 * (storage/). Assembled here, bottom up: the storage layer (the learner's registry, the Cacher),
 * the generic registry that runs each kind's definition (registry/), and the HTTP request path
 * (endpoints/). The learner's code comes through `loadComponent('apiserver')` (and
 * `loadComponent('objects')` for label selectors).
 *
 * On start it loads the watch cache, then bootstraps what a fresh cluster has (bootstrap.ts), and
 * starts the compactor (storage/compactor.ts), which compacts the store every
 * COMPACTION_INTERVAL_MS, keeping COMPACTION_HISTORY_INTERVALS of history.
 *
 * It serves HTTPS only, as kube-apiserver does, with the serving certificate `tls` gives, or one
 * from a CA it makes at start (pki.ts); clients trust `ca`. Every request but the anonymous health
 * and version checks needs a bearer token the server knows (auth.ts): the admin's (`adminToken`,
 * generated unless given), the static `tokens` (a token file), and those issued to in-process
 * components (issueToken). kubectl sends a token only over TLS, hence the two together. The
 * server binds loopback only, answers only requests addressed to a loopback name, and refuses
 * bodies a web page could send (endpoints/browser-defences.ts).
 */
import { createServer, type Server } from 'node:https';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { loadComponent } from '../impl.ts';
import { systemClock, type Clock } from '../etcd/clock.ts';
import type { KVStore } from '../etcd/kv.ts';
import type { ObjectsExercises } from '../objects/exercises.ts';
import { APISERVER_MAX_BODY_BYTES, COMPACTION_HISTORY_INTERVALS, COMPACTION_INTERVAL_MS, SERVICE_CLUSTER_IP_RANGE, WATCH_CACHE_CAPACITY } from '../params.ts';
import { serviceRange } from '../kube/kinds/core/service-allocator.ts';
import { silentLogger, type Logger } from '../cluster/logger.ts';
import { ADMIN, alwaysAllow, KUBELET_CLIENT, type Authorizer, type UserInfo } from './auth.ts';
import { bootstrap } from './bootstrap.ts';
import { createClusterPki } from './pki.ts';
import type { ApiserverExercises } from './exercises.ts';
import type { ApiContext } from './endpoints/context.ts';
import { createRequestHandler, createUpgradeHandler } from './endpoints/handler.ts';
import type { KubeletClientConfig } from './endpoints/kubelet-client.ts';
import { OpenWatches } from './endpoints/open-watches.ts';
import { ConnectionLimits, type ConnectionLimitOptions } from './limits.ts';
import { GenericRegistry } from './registry/generic.ts';
import { Aggregator, metricsApiService, type ApiService, type MetricsProvider } from './aggregator.ts';
import { Cacher } from './storage/cacher.ts';
import { startCompactor, type Compactor } from './storage/compactor.ts';
import { createStorage } from './storage/storage.ts';
import { generateToken, StaticTokens, type StaticToken } from './tokens.ts';

export interface ApiServerOptions {
  store: KVStore;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** A loopback address (127.0.0.0/8); default 127.0.0.1. */
  host?: string;
  clock?: Clock;
  logger?: Logger;
  /** The apiserver component to use (default: loaded through the door). */
  impl?: ApiserverExercises;
  /** The objects component for label selectors (default: loaded through the door). */
  objects?: ObjectsExercises;
  /** Authorization (default: allow every authenticated request, until the RBAC lesson). */
  authorizer?: Authorizer;
  /** The bearer token of `kubelings-admin` (system:masters); default: a new random one (see ApiServer.adminToken). */
  adminToken?: string;
  /** More bearer tokens and their users, as kube-apiserver's --token-auth-file (token-file.ts reads one). */
  tokens?: readonly StaticToken[];
  /** The serving certificate and key (PEM) and the CA that signed it; default: a new CA and certificate (pki.ts). */
  tls?: ServingTls;
  /** Watch cache capacity per resource (default WATCH_CACHE_CAPACITY). */
  watchCacheCapacity?: number;
  /** How long a list or watch at a resourceVersion the watch cache has not reached waits, in ms (default CACHE_FRESHNESS_WAIT_MS). */
  cacheFreshnessWaitMs?: number;
  /** Largest request body (default APISERVER_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /**
   * The Service ClusterIP range, an IPv4 CIDR (kube-apiserver's --service-cluster-ip-range; default
   * SERVICE_CLUSTER_IP_RANGE, loopback mode's; `cluster up --network kernel` gives
   * KERNEL_SERVICE_CLUSTER_IP_RANGE). The `kubernetes` Service gets its first address.
   */
  serviceClusterIPRange?: string;
  /** Create the default namespaces and the kubernetes Service (default true). */
  bootstrap?: boolean;
  /** Compact the store this often, on `clock` (default COMPACTION_INTERVAL_MS; 0: never). */
  compactionIntervalMs?: number;
  /** History each compaction keeps, in intervals (default COMPACTION_HISTORY_INTERVALS). */
  compactionHistoryIntervals?: number;
  /** Timeouts and caps on connections and requests (defaults in params.ts; see limits.ts). */
  limits?: ConnectionLimitOptions;
  /** How to reach kubelets: the CA of their serving certificates (default: the cluster CA, `tls.ca`) and the token to present (default: a new one for kube-apiserver-kubelet-client). */
  kubeletClient?: Partial<KubeletClientConfig>;
}

/** What the server presents (`cert`, `key`) and what clients must trust (`ca`), all PEM. */
export interface ServingTls {
  cert: string;
  key: string;
  ca: string;
}

export interface ApiServer {
  /** https://host:port */
  readonly url: string;
  /** The CA certificate (PEM) that signed the serving certificate: what clients trust. */
  readonly ca: string;
  readonly host: string;
  readonly port: number;
  readonly store: KVStore;
  /** The generic registry the server reads and writes through (for in-process components and tests). */
  readonly registry: GenericRegistry;
  /** The compactor (what it compacted to, how many ticks ran). */
  readonly compactor: Compactor;
  /** How many times the watch cache listed the store again after losing its store watch. */
  readonly cacheRelists: number;
  /** The bearer token of `kubelings-admin` in `system:masters`. */
  readonly adminToken: string;
  /** A new bearer token for `user`, valid until the server stops (an in-process component's credentials). */
  issueToken(user: UserInfo): string;
  /**
   * Ends every open watch stream cleanly, as a restart or a watch timeout would; clients resume
   * from their last resourceVersion. Returns how many were closed.
   */
  closeWatches(): number;
  /** How many watch streams are open now. */
  openWatches(): number;
  /** Holds new watch requests until the returned function is called (tests: a window for changes). */
  pauseWatches(): () => void;
  /** Serves an API group/version through the aggregation layer (an APIService); returns the function that stops it. */
  registerApiService(service: ApiService): () => void;
  /** Serves metrics.k8s.io/v1beta1 (`kubectl top`) from `provider`, as metrics-server would; returns the function that stops it. */
  registerMetricsProvider(provider: MetricsProvider): () => void;
  /** What this apiserver presents to kubelets (the token they must accept) and the CA it verifies them with. */
  readonly kubeletClient: KubeletClientConfig;
  /** Stops accepting requests, ends every watch and closes every connection. Does not close the store. */
  close(): Promise<void>;
}

const LETTERS = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet Kubernetes uses for generated names. */
export function randomSuffix(): string {
  const bytes = randomBytes(5);
  return [...bytes].map((b) => LETTERS[b % LETTERS.length]).join('');
}

/** A new CA and a serving certificate from it, for the loopback names and `host`. */
function servingTlsFor(host: string): ServingTls {
  const pki = createClusterPki([host]);
  return { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  if (!host.startsWith('127.') && host !== 'localhost') throw new Error(`the apiserver binds to loopback only, not ${host}`);
  const serviceClusterIPRange = options.serviceClusterIPRange ?? SERVICE_CLUSTER_IP_RANGE;
  serviceRange(serviceClusterIPRange); // a bad range stops the start with its reason, as kube-apiserver's flag check does
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? silentLogger).child('apiserver');
  const impl = options.impl ?? (await loadComponent('apiserver'));
  const objects = options.objects ?? (await loadComponent('objects'));
  const now = () => clock.now();
  const registryOptions = { now, newUid: () => randomUUID(), randomSuffix };
  const objectStorage = impl.createRegistry(options.store, registryOptions);
  const cacher = new Cacher(options.store, impl, options.watchCacheCapacity ?? WATCH_CACHE_CAPACITY, (error, where) =>
    log.error(`${where} failed`, { error: (error as Error)?.message ?? String(error) }),
  );
  await cacher.start();
  const storage = createStorage({ store: options.store, cacher, objects: objectStorage, impl, registryOptions, now, cacheFreshnessWaitMs: options.cacheFreshnessWaitMs });
  const authorizer = options.authorizer ?? alwaysAllow;
  const tokens = new StaticTokens(options.tokens);
  const adminToken = options.adminToken ?? generateToken();
  tokens.add(adminToken, ADMIN);
  const registry = new GenericRegistry({ storage, impl, objects, authorizer, ...registryOptions, serviceClusterIPRange });

  const tls = options.tls ?? servingTlsFor(host);
  // upstream kubeadm's apiserver-kubelet-client: the identity the apiserver has at kubelets.
  const kubeletClient: KubeletClientConfig = { ca: options.kubeletClient?.ca ?? tls.ca, token: options.kubeletClient?.token ?? generateToken() };
  tokens.add(kubeletClient.token, KUBELET_CLIENT);
  let address = `${host}:${options.port ?? 0}`;
  const ctx: ApiContext = {
    impl,
    registry,
    tokens,
    authorizer,
    clock,
    maxBodyBytes: options.maxBodyBytes ?? APISERVER_MAX_BODY_BYTES,
    watches: new OpenWatches(),
    serverAddress: () => address,
    aggregator: new Aggregator(),
    log,
    kubeletClient,
  };
  // The watch cache lost its store watch and listed again: every client watch ends and resumes.
  cacher.onReset = () => {
    const closed = ctx.watches.closeAll();
    log.info('the watch cache was listed again; ended the open watches', { watches: closed });
  };
  const handleRequest = createRequestHandler(ctx);
  const handleUpgrade = createUpgradeHandler(ctx);

  const sockets = new Set<Socket>();
  const limits = new ConnectionLimits(options.limits, log);
  const server: Server = createServer({ ...limits.serverOptions, cert: tls.cert, key: tls.key }, (req, res) => {
    limits.serve(req, res, () => handleRequest(req, res));
  });
  limits.attach(server);
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    socket.setTimeout(0); // headers are in; an upgraded session lives as long as both ends want
    void handleUpgrade(req, socket, head);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    // Not even HTTP (a malformed request line or headers): answer a Status and hang up.
    const status = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `malformed HTTP request: ${error.code ?? error.message}`,
      reason: 'BadRequest',
      code: 400,
    });
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(status)}\r\n\r\n${status}`);
    else socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    cacher.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  log.info('Serving securely on loopback', { address });

  let compactor: Compactor | undefined;
  const close = async () => {
    compactor?.stop();
    ctx.watches.closeAll();
    cacher.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  };
  try {
    if (options.bootstrap !== false) await bootstrap(registry, host, port, serviceClusterIPRange);
  } catch (error) {
    await close();
    throw error;
  }
  compactor = startCompactor({
    store: options.store,
    clock,
    intervalMs: options.compactionIntervalMs ?? COMPACTION_INTERVAL_MS,
    historyIntervals: options.compactionHistoryIntervals ?? COMPACTION_HISTORY_INTERVALS,
    log: log.child('compactor'),
  });
  const running = compactor;
  return {
    url: `https://${host}:${port}`,
    ca: tls.ca,
    host,
    port,
    store: options.store,
    registry,
    compactor: running,
    get cacheRelists() {
      return cacher.relists;
    },
    adminToken,
    kubeletClient,
    issueToken: (user) => tokens.issue(user),
    closeWatches: () => ctx.watches.closeAll(),
    openWatches: () => ctx.watches.size,
    pauseWatches: () => ctx.watches.pause(),
    registerApiService: (service) => ctx.aggregator.register(service),
    registerMetricsProvider: (provider) => ctx.aggregator.register(metricsApiService(provider)),
    close,
  };
}
