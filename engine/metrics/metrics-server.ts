/**
 * The engine's metrics-server: every METRICS_RESOLUTION_MS it scrapes each Node's kubelet
 * (scrape.ts: /stats/summary over HTTPS, CA-verified, bearer token, bounded), turns the summaries
 * into usage (summary.ts, storage.ts) and serves metrics.k8s.io/v1beta1 NodeMetrics and
 * PodMetrics through the apiserver's aggregation seam (ApiServer.registerMetricsProvider), as
 * sigs.k8s.io/metrics-server's API does (pkg/api/node.go, pod.go):
 *
 *   GET /apis/metrics.k8s.io/v1beta1/nodes[?labelSelector=]            NodeMetricsList
 *   GET /apis/metrics.k8s.io/v1beta1/nodes/<name>                      NodeMetrics
 *   GET /apis/metrics.k8s.io/v1beta1/[namespaces/<ns>/]pods[?labelSelector=&fieldSelector=]   PodMetricsList
 *   GET /apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods/<name>       PodMetrics
 *
 * Usage is written as metrics-server writes it: cpu as nano-cores (`12345678n`, canonical), memory
 * in bytes (binary, `10Mi`), timestamp and window (a Go duration, `15s`). Objects are listed from
 * the apiserver (labels and selectors apply to the real Node or Pod); one without metrics is left
 * out of lists and is NotFound alone (`podmetrics.metrics.k8s.io "default/web" not found`).
 *
 * A kubelet that is down, slow or answers garbage costs one bounded scrape and its node's
 * metrics for that round; nothing else is affected. Invariant: one round at a time; stop() ends
 * the timer, and a round under way finishes into nothing.
 */
import type { KubeClient } from '../client/client.ts';
import { silentLogger, type Logger } from '../cluster/logger.ts';
import { systemClock, type Clock } from '../etcd/clock.ts';
import type { MetricsProvider } from '../apiserver/aggregator.ts';
import type { ApiServer } from '../apiserver/server.ts';
import { isApiError, noSuchPath, notFound } from '../kube/errors.ts';
import type { KubeObject, Node, Pod } from '../kube/types.ts';
import { loadComponent } from '../impl.ts';
import { METRICS_RESOLUTION_MS, METRICS_SCRAPE_TIMEOUT_MS, METRICS_SUMMARY_MAX_BYTES } from '../params.ts';
import { kubeletAddress, scrapeSummary, ScrapeError, type KubeletAddress } from './scrape.ts';
import { MetricsStorage, type PodUsage, type Usage } from './storage.ts';
import { decodeSummary, type SummaryPoints } from './summary.ts';

const objects = await loadComponent('objects');

export interface MetricsServerOptions {
  /** Lists Nodes and Pods (with the selectors a request carries). */
  client: KubeClient;
  /** The CA the kubelets' serving certificates are verified against. */
  ca: string;
  /** The bearer token presented to kubelets. */
  token: string;
  clock?: Clock;
  logger?: Logger;
  resolutionMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface MetricsServer {
  /** What ApiServer.registerMetricsProvider takes. */
  provider: MetricsProvider;
  /** Scrapes every node now (a round); resolves when the round is stored. */
  scrape(): Promise<void>;
  /** Starts the periodic rounds (the first one at once). */
  start(): void;
  stop(): void;
}

const NODE_METRICS = { group: 'metrics.k8s.io', resource: 'nodemetrics' };
const POD_METRICS = { group: 'metrics.k8s.io', resource: 'podmetrics' };
const NODES = { group: '', resource: 'nodes' };
const PODS = { group: '', resource: 'pods' };

/** A Go time.Duration's String() of `ms` (`15s`, `1.5s`, `500ms`, `1m0s`). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const trim = (n: number) => String(Number(n.toFixed(3)));
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours) return `${hours}h${minutes}m${trim(seconds)}s`;
  if (minutes) return `${minutes}m${trim(seconds)}s`;
  return `${trim(seconds)}s`;
}

/** cpu in nano-cores as resource.NewScaledQuantity(n, -9) prints it. */
export function cpuQuantity(nanoCores: number): string {
  return objects.formatQuantity(objects.parseQuantity(`${Math.max(0, Math.trunc(nanoCores))}n`));
}

/** memory in bytes as resource.NewQuantity(n, BinarySI) prints it. */
export function memoryQuantity(bytes: number): string {
  const b = Math.max(0, Math.trunc(bytes));
  return b % 1024 === 0 && b > 0 ? objects.formatQuantity(objects.parseQuantity(`${b / 1024}Ki`)) : String(b);
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function newMetricsServer(options: MetricsServerOptions): MetricsServer {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? silentLogger;
  const resolutionMs = options.resolutionMs ?? METRICS_RESOLUTION_MS;
  if (!(resolutionMs > 0)) throw new Error(`metric resolution must be more than 0s, not ${resolutionMs} ms`);
  const storage = new MetricsStorage(resolutionMs);
  const scrapeOptions = { ca: options.ca, token: options.token, timeoutMs: options.timeoutMs ?? METRICS_SCRAPE_TIMEOUT_MS, maxBytes: options.maxBytes ?? METRICS_SUMMARY_MAX_BYTES };
  let running = false;
  let cancel: (() => void) | undefined;
  let round: Promise<void> | undefined;

  async function scrapeOne(target: KubeletAddress): Promise<SummaryPoints | undefined> {
    try {
      return decodeSummary(await scrapeSummary(target, scrapeOptions));
    } catch (error) {
      log.warn(error instanceof ScrapeError ? error.message : `unable to fully scrape metrics from node ${target.node}: ${(error as Error).message}`);
      return undefined;
    }
  }

  let portlessSaid = 0;
  async function scrapeRound(): Promise<void> {
    let nodes: Node[];
    try {
      nodes = (await options.client.list<Node>('nodes')).items;
    } catch (error) {
      log.warn(`unable to list nodes: ${(error as Error).message}`);
      return;
    }
    const results = new Map<string, SummaryPoints>();
    const targets = nodes.map((node) => ({ node, target: kubeletAddress(node) }));
    // Nodes without a kubelet to ask (hollow nodes) are said once per change of their number, not
    // once per node per round: 5,000 hollow nodes would write 5,000 lines every round.
    const portless = targets.filter(({ target }) => target instanceof ScrapeError && target.noKubelet);
    if (portless.length !== portlessSaid) {
      portlessSaid = portless.length;
      if (portless.length > 0) log.info(`${portless.length} node(s) serve no kubelet API (hollow nodes?), e.g. ${portless[0]!.node.metadata.name}: no metrics for them`);
    }
    await Promise.all(
      targets.map(async ({ target }) => {
        if (target instanceof ScrapeError) return target.noKubelet ? undefined : log.warn(target.message);
        const points = await scrapeOne(target);
        if (points) results.set(target.node, points);
      }),
    );
    storage.store(results);
  }

  const scrape = () => {
    round ??= scrapeRound().finally(() => {
      round = undefined;
    });
    return round;
  };

  const schedule = () => {
    if (!running) return;
    cancel = clock.setTimer(resolutionMs, () => {
      void scrape().then(schedule);
    });
  };

  const meta = (o: KubeObject, namespaced: boolean) => ({
    name: o.metadata.name,
    ...(namespaced ? { namespace: o.metadata.namespace } : {}),
    creationTimestamp: rfc3339(clock.now()),
    ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
  });
  const nodeMetrics = (node: Node, u: Usage) => ({
    metadata: meta(node, false),
    timestamp: rfc3339(u.timestampMs),
    window: goDuration(u.windowMs),
    usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memory) },
  });
  const podMetrics = (pod: Pod, u: PodUsage) => ({
    metadata: meta(pod, true),
    timestamp: rfc3339(u.timestampMs),
    window: goDuration(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpu), memory: memoryQuantity(c.memory) } })),
  });
  const list = (kind: string, items: unknown[]) => ({ kind, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
  const selectors = (query: URLSearchParams) => ({ labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined });

  async function get<T extends KubeObject>(resource: string, name: string, namespace: string | undefined, missing: { group: string; resource: string }): Promise<T> {
    try {
      return await options.client.get<T>(resource, name, namespace ? { namespace } : {});
    } catch (error) {
      if (isApiError(error, 'NotFound')) throw notFound(missing, name);
      throw error;
    }
  }

  const provider: MetricsProvider = async (path, query) => {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'nodes' && parts.length === 1) {
      const nodes = (await options.client.list<Node>('nodes', selectors(query))).items;
      const items = nodes.flatMap((n) => {
        const u = storage.node(n.metadata.name ?? '');
        return u ? [nodeMetrics(n, u)] : [];
      });
      return list('NodeMetricsList', items);
    }
    if (parts[0] === 'nodes' && parts.length === 2) {
      const node = await get<Node>('nodes', parts[1]!, undefined, NODES);
      const u = storage.node(parts[1]!);
      if (!u) throw notFound(NODE_METRICS, parts[1]!);
      return { kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...nodeMetrics(node, u) };
    }
    const namespace = parts[0] === 'namespaces' ? parts[1] : undefined;
    const rest = parts[0] === 'namespaces' ? parts.slice(2) : parts;
    if (rest[0] === 'pods' && rest.length === 1 && (namespace !== undefined || parts.length === 1)) {
      const pods = (await options.client.list<Pod>('pods', { ...selectors(query), ...(namespace ? { namespace } : {}) })).items;
      const items = pods.flatMap((p) => {
        const u = storage.pod(p.metadata.namespace ?? '', p.metadata.name ?? '');
        return u ? [podMetrics(p, u)] : [];
      });
      return list('PodMetricsList', items);
    }
    if (rest[0] === 'pods' && rest.length === 2 && namespace !== undefined) {
      const pod = await get<Pod>('pods', rest[1]!, namespace, PODS);
      const u = storage.pod(namespace, rest[1]!);
      if (!u) throw notFound(POD_METRICS, `${namespace}/${rest[1]}`);
      return { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...podMetrics(pod, u) };
    }
    throw noSuchPath();
  };

  return {
    provider,
    scrape,
    start() {
      if (running) return;
      running = true;
      void scrape().then(schedule);
    },
    stop() {
      running = false;
      cancel?.();
    },
  };
}

/**
 * Runs a metrics-server beside an in-process apiserver: registers its provider (metrics.k8s.io
 * appears in discovery) and starts the rounds. The function returned stops both.
 */
export function serveMetrics(api: Pick<ApiServer, 'registerMetricsProvider'>, options: MetricsServerOptions): { server: MetricsServer; stop(): void } {
  const server = newMetricsServer(options);
  const unregister = api.registerMetricsProvider(server.provider);
  server.start();
  return {
    server,
    stop() {
      server.stop();
      unregister();
    },
  };
}
