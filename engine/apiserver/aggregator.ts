/**
 * API groups served by something other than this server's kinds: upstream's aggregation layer
 * (kube-aggregator and its APIService objects), which puts metrics-server's
 * `metrics.k8s.io/v1beta1` under /apis and proxies its requests. Here an ApiService is registered
 * in process (ApiServer.registerApiService, or registerMetricsProvider for metrics); while it is,
 * its group/version is in discovery and GETs under /apis/<group>/<version>/ go to it.
 *
 * With nothing registered (the state until the kubelet lesson brings metrics), the group is in no
 * discovery document and its paths are 404, exactly as on a cluster without metrics-server: so
 * `kubectl top` says `error: Metrics API not available`.
 *
 * Invariant: a registration replaces an earlier one of the same group/version; unregistering
 * removes it from discovery at once.
 */
import { methodNotSupported, noSuchPath } from '../kube/errors.ts';

/** One resource of an aggregated API, as its discovery document lists it. */
export interface ApiServiceResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** What serves one group/version (an APIService and the server behind it). */
export interface ApiService {
  group: string;
  version: string;
  resources: ApiServiceResource[];
  /**
   * Answers a GET of `path` (below /apis/<group>/<version>, e.g. `/namespaces/default/pods`) with
   * the JSON body to send, or throws an ApiError (a 404 for an unknown object).
   */
  get(path: string, query: URLSearchParams): Promise<unknown>;
}

/** What fills metrics.k8s.io: NodeMetrics and PodMetrics lists and objects (metrics-server's API). */
export type MetricsProvider = ApiService['get'];

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

/** metrics.k8s.io/v1beta1 as metrics-server registers it: nodes (NodeMetrics) and pods (PodMetrics), get and list. */
export function metricsApiService(provider: MetricsProvider): ApiService {
  return {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    resources: [
      { name: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
      { name: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
    ],
    get: provider,
  };
}

/** The registered ApiServices. */
export class Aggregator {
  private readonly services = new Map<string, ApiService>();

  /** Serves `service` from now on; returns the function that stops serving it. */
  register(service: ApiService): () => void {
    const key = `${service.group}/${service.version}`;
    this.services.set(key, service);
    return () => {
      if (this.services.get(key) === service) this.services.delete(key);
    };
  }

  /** The registered group/versions, for discovery. */
  list(): readonly ApiService[] {
    return [...this.services.values()];
  }

  /** The service a path under /apis/<group>/<version>/ belongs to, if any. */
  serviceFor(path: string): ApiService | undefined {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'apis' || parts.length < 3) return undefined;
    return this.services.get(`${parts[1]}/${parts[2]}`);
  }

  /** Answers a request under a registered group/version (GET only: metrics are read-only). */
  async serve(method: string, path: string, query: URLSearchParams): Promise<unknown> {
    const service = this.serviceFor(path);
    if (!service) throw noSuchPath();
    const rest = `/${path.split('/').filter(Boolean).slice(3).join('/')}`;
    if (rest === '/') return this.resourceList(service);
    if (method !== 'GET') throw methodNotSupported({ group: service.group, resource: rest.split('/').filter(Boolean).pop() ?? '' }, method.toLowerCase());
    return service.get(rest, query);
  }

  /** The APIResourceList of a service's group/version. */
  resourceList(service: ApiService): unknown {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: `${service.group}/${service.version}`,
      resources: service.resources.map((r) => ({ name: r.name, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: r.verbs })),
    };
  }
}
