/**
 * What the HTTP layer works with (upstream: k8s.io/apiserver/pkg/endpoints): the server-wide
 * context every handler reads, the request as the filter chain fills it in, the shape of a filter,
 * and the scope of a resource request once it is resolved to a kind. Types only, so that filters,
 * handlers and the subresource handlers import them without importing each other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../cluster/logger.ts';
import type { Clock } from '../../etcd/clock.ts';
import type { KindDefinition, StoredKind, SubresourceDefinition } from '../../kube/kinds/types.ts';
import type { Aggregator } from '../aggregator.ts';
import type { Authorizer, TokenAuthenticator, UserInfo } from '../auth.ts';
import type { ApiserverExercises, RequestInfo } from '../exercises.ts';
import type { Negotiated } from '../http.ts';
import type { GenericRegistry } from '../registry/generic.ts';
import type { KubeletClientConfig } from './kubelet-client.ts';
import type { OpenWatches } from './open-watches.ts';

/** Everything a handler may use: the learner's code, the registry, and the server's settings. */
export interface ApiContext {
  /** The learner's apiserver component: routing, unknown fields, patches (the rest is behind the registry). */
  impl: ApiserverExercises;
  registry: GenericRegistry;
  /** Who a bearer token belongs to (the static tokens: the token file's and the components'). */
  tokens: TokenAuthenticator;
  authorizer: Authorizer;
  clock: Clock;
  maxBodyBytes: number;
  watches: OpenWatches;
  /** host:port clients reach this server at. */
  serverAddress(): string;
  /** The group/versions other servers answer (metrics.k8s.io when registered). */
  aggregator: Aggregator;
  log: Logger;
  /** How this apiserver reaches kubelets (pods/log, exec, attach, portforward, nodes/proxy). */
  kubeletClient: KubeletClientConfig;
}

/** One request on its way through the filter chain. */
export interface ApiRequest {
  ctx: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  /** The path, without the query. */
  path: string;
  /** What the client accepts (JSON, YAML, a Table). */
  negotiated: Negotiated;
  /** Set by the request-info filter. */
  info?: RequestInfo;
  /** Set by the authentication filter. */
  user?: UserInfo;
  /** For a request that asks to upgrade (WebSocket, SPDY): its socket and the bytes read past its head. */
  upgrade?: { socket: Duplex; head: Buffer };
}

/** What handles a request at the end of the filter chain (or the rest of the chain, seen from a filter). */
export type Handler = (request: ApiRequest) => Promise<void>;
/** One step of the filter chain: answers or refuses the request (throwing an ApiError), or calls `next`. */
export type Filter = (request: ApiRequest, next: Handler) => Promise<void>;

/** A resource request resolved to what it acts on. */
export interface ResourceScope {
  request: ApiRequest & { info: RequestInfo; user: UserInfo };
  kind: KindDefinition;
  /** The subresource named by the URL, if any. */
  subresource?: SubresourceDefinition;
  /** The request's namespace ('' for cluster-scoped kinds and for lists across every namespace). */
  namespace: string;
  /** '' for lists, watches and collection deletes. */
  name: string;
  query: URLSearchParams;
}

/** A scope whose kind is stored (every verb but a virtual kind's create). */
export interface StoredScope extends ResourceScope {
  kind: StoredKind;
}
