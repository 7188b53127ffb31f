/**
 * What the learner builds in lesson 07 "Services and kube-proxy". `exercises/services/index.ts`
 * (stubs) and `solutions/services/index.ts` (reference) both export an object that `satisfies`
 * this interface. The engine (engine/proxy/) gives the plumbing around it: the userspace proxy that
 * carries TCP to the endpoints the learner's rules name (userspace-proxy.ts), the kube-proxy
 * component that feeds the learner's proxier from informers (kube-proxy.ts), the nftables
 * rendering of the rules (nftables-render.ts) and the DNS server that speaks the wire format
 * around the learner's answers (dns-server.ts).
 *
 * Everything here is pure or driven by an injected clock: no sockets, no timers.
 *
 * Upstream: pkg/proxy (serviceport.go, endpoint.go, endpointslicecache.go, topology.go),
 * pkg/proxy/nftables/proxier.go, pkg/util/async/bounded_frequency_runner.go, and CoreDNS's
 * kubernetes plugin.
 */
import type { EndpointSlice, KubeObject, Service } from '../kube/types.ts';

// ── 01-service-rules ──────────────────────────────────────────────────────────────────────────────

/** One endpoint as the proxy sees it: an address and the port number for one Service port. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** The endpoint's nodeName is this proxy's node. */
  local: boolean;
  /** conditions.ready (unset means true). */
  ready: boolean;
  /** conditions.serving (unset means the same as ready). */
  serving: boolean;
  /** conditions.terminating (unset means false). */
  terminating: boolean;
}

/**
 * The proxy's rule for one port of one Service (upstream's ServicePort with its endpoints sorted
 * out by CategorizeEndpoints): where traffic arrives and the endpoints it may go to.
 */
export interface ProxyRule {
  /** `namespace/name` of the Service. */
  service: string;
  /** upstream's ServicePortName: `namespace/name:portName`, or `namespace/name` when the port has no name. */
  servicePortName: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  clusterIP: string;
  port: number;
  /** The node port, for a NodePort or LoadBalancer Service that has one. */
  nodePort?: number;
  /** sessionAffinity ClientIP: how long a client sticks to its endpoint, in seconds. */
  affinityTimeoutSeconds?: number;
  /** internalTrafficPolicy: Local. */
  internalPolicyLocal: boolean;
  /** externalTrafficPolicy: Local (only for a Service that is reachable from outside: a node port). */
  externalPolicyLocal: boolean;
  /** Where traffic to clusterIP:port goes, sorted by IP (numerically) then port. */
  internalEndpoints: ProxyEndpoint[];
  /** Where traffic to a node port goes (empty without one), sorted the same way. */
  externalEndpoints: ProxyEndpoint[];
  /**
   * The Service has a usable endpoint somewhere in the cluster. When false, traffic is rejected
   * (connection refused); when true but the list for that traffic is empty (Local policy without a
   * local endpoint), it is dropped.
   */
  hasEndpoints: boolean;
}

// ── 02-proxier ────────────────────────────────────────────────────────────────────────────────────

/** What one sync hands to the backend (nftables, or the engine's userspace proxy). */
export interface RuleChanges {
  /** A full sync: `upsert` is every rule, and the backend drops whatever it had that is not in it. */
  full: boolean;
  /** Rules that are new or differ from what was last applied, sorted by servicePortName. */
  upsert: ProxyRule[];
  /** servicePortNames applied before and gone now (empty in a full sync), sorted. */
  remove: string[];
}

/** Where rules go. apply() may throw: the proxier then retries with a full sync. */
export interface ProxyBackend {
  apply(changes: RuleChanges): void;
}

export interface ProxierOptions {
  /** This proxy's node: endpoints on it are local. */
  nodeName: string;
  /** The clock, in ms. Tests move it by hand. */
  now(): number;
  /** Two syncs start at least this far apart (--nftables-min-sync-period, default 1 s). */
  minSyncPeriodMs: number;
  /** A full sync runs at least this often even without changes (upstream's FullSyncPeriod, 1 h). */
  fullSyncPeriodMs: number;
  backend: ProxyBackend;
}

/**
 * kube-proxy's sync loop: informer events say what changed; syncs apply only that, no more often
 * than minSyncPeriodMs, and a full sync at the start, after a failure, and every fullSyncPeriodMs.
 */
export interface Proxier {
  /** A Service was added (previous undefined), updated, or deleted (current undefined). */
  onServiceUpdate(previous: Service | undefined, current: Service | undefined): void;
  /** An EndpointSlice was added, updated or deleted, in the same way. */
  onEndpointSliceUpdate(previous: EndpointSlice | undefined, current: EndpointSlice | undefined): void;
  /** When the next sync is due, in ms on the clock. */
  nextSyncAt(): number;
  /** Runs the sync if it is due at now(); true when it ran (even if apply failed). */
  syncIfDue(): boolean;
}

// ── 03-cluster-dns ────────────────────────────────────────────────────────────────────────────────

/** A DNS record in an answer; names are lower case, without the final dot. */
export type DnsRecord =
  | { name: string; type: 'A'; ttl: number; data: string }
  | { name: string; type: 'CNAME'; ttl: number; data: string }
  | { name: string; type: 'SRV'; ttl: number; data: { priority: number; weight: number; port: number; target: string } };

export interface DnsAnswer {
  /** NOERROR with no answers is "NODATA": the name exists, but not with that type. */
  rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  answers: DnsRecord[];
  /** A records of SRV targets. */
  additionals: DnsRecord[];
}

/** What the DNS server knows: the informers' caches. */
export interface DnsView {
  services: readonly Service[];
  endpointSlices: readonly EndpointSlice[];
  /** The cluster domain, `cluster.local`. */
  zone: string;
  /** TTL of every record, in seconds (CoreDNS's kubernetes plugin: 5). */
  ttl: number;
}

// ── 04-ingress ────────────────────────────────────────────────────────────────────────────────────

/** networking.k8s.io/v1 IngressServiceBackend (a resource backend has no `service`). */
export interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface IngressPath {
  path?: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: IngressBackend;
}

/** networking.k8s.io/v1 Ingress (the fields an Ingress controller reads). */
export interface Ingress extends KubeObject {
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: { host?: string; http?: { paths: IngressPath[] } }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** networking.k8s.io/v1 IngressClass. */
export interface IngressClass extends KubeObject {
  spec?: { controller?: string };
}

/** Where one HTTP request goes. */
export interface IngressRoute {
  /** `namespace/name` of the Ingress whose rule (or default backend) matched. */
  ingress: string;
  /** `namespace/name` of the backend Service. */
  service: string;
  /** The Service port, by number or by name. */
  port: number | string;
  /** What matched: a path of this type, or the default backend. */
  matched: 'Exact' | 'Prefix' | 'ImplementationSpecific' | 'defaultBackend';
}

// ── The component ─────────────────────────────────────────────────────────────────────────────────

export interface ServicesExercises {
  /** 01: every Service port's rule on node `nodeName`, sorted by servicePortName. */
  serviceRules(services: readonly Service[], endpointSlices: readonly EndpointSlice[], nodeName: string): ProxyRule[];
  /** 02: kube-proxy's sync loop over a backend. */
  newProxier(options: ProxierOptions): Proxier;
  /** 03: the answer to one question (`name` as asked, any case, with or without the final dot). */
  answerDns(name: string, type: string, view: DnsView): DnsAnswer;
  /** 03: the names a pod in `namespace` tries for `name`, in order (resolv.conf search, ndots 5). */
  searchNames(name: string, namespace: string, zone: string): string[];
  /** 04: the Ingresses this controller serves (by IngressClass), oldest first. */
  ingressesForController(ingresses: readonly Ingress[], classes: readonly IngressClass[], controller: string): Ingress[];
  /** 04: where a request for `host` and `path` goes among `ingresses` (already this controller's), or undefined (404). */
  routeIngress(ingresses: readonly Ingress[], host: string, path: string): IngressRoute | undefined;
}
