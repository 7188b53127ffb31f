/**
 * The request path, in the order the real apiserver runs it:
 *
 *   filters (filters.ts: log, errors as Status, health, RequestInfo, authentication, authorization)
 *   → an aggregated API (../aggregator.ts: metrics.k8s.io while a provider is registered)
 *   → a non-resource path (nonresource.ts: version, discovery, OpenAPI)
 *   → or a resource request (resource.ts: scope, then the verb's handler: get.ts, watch.ts,
 *     create.ts, update.ts, patch.ts, delete.ts), which decodes the body (decode.ts) and talks to
 *     the generic registry (../registry/), which runs the kind's definition around the storage layer.
 *
 * The learner's functions (routing, registry, validation, list/watch, patch) are reached through
 * the loaded component: routing and the patch functions from here, the rest behind the registry.
 *
 * Invariants:
 * - every response to a failed request is a metav1.Status with the right code; a client's mistake
 *   is a 4xx, never a 5xx; a 500 means a bug in the server (or a learner's stub not written yet,
 *   whose message says which exercise to do);
 * - the body of a create/update/patch goes through the same steps whatever its content type.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { badRequest } from '../../kube/errors.ts';
import type { UserInfo } from '../auth.ts';
import type { RequestInfo } from '../exercises.ts';
import { negotiate } from '../http.ts';
import type { ApiContext, ApiRequest } from './context.ts';
import { buildChain, FILTERS, type Filter } from './filters.ts';
import { serveNonResource } from './nonresource.ts';
import { serveResource } from './resource.ts';
import { send } from '../http.ts';

/** A request under an aggregated group/version (metrics.k8s.io): answered by its ApiService. */
async function serveAggregated(request: ApiRequest): Promise<void> {
  const query = new URLSearchParams((request.req.url ?? '').split('?')[1] ?? '');
  send(request.res, 200, await request.ctx.aggregator.serve(request.req.method ?? 'GET', request.path, query));
}

/** The server's request handler: the filter chain, then the resource or non-resource handler. Never throws. */
function createChainHandler(ctx: ApiContext, filters: readonly Filter[]) {
  return buildChain(filters, async (request) => {
    if (ctx.aggregator.serviceFor(request.path)) return serveAggregated(request);
    if (request.info?.isResourceRequest) return serveResource(request as ApiRequest & { info: RequestInfo; user: UserInfo });
    if (request.upgrade) throw badRequest('Upgrade request required');
    return serveNonResource(request);
  });
}

export function createRequestHandler(ctx: ApiContext, filters: readonly Filter[] = FILTERS): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const chain = createChainHandler(ctx, filters);
  return (req, res) => chain({ ctx, req, res, path: (req.url ?? '/').split('?')[0]!, negotiated: negotiate(req) });
}

/**
 * The server's upgrade handler (WebSocket, SPDY): the same chain, with a response written on the
 * upgrade's socket for refusals (ended after), and the socket itself for connect.ts to proxy.
 */
export function createUpgradeHandler(ctx: ApiContext, filters: readonly Filter[] = FILTERS): (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> {
  const handle = createChainHandler(ctx, filters);
  return (req, socket, head) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    return handle({ ctx, req, res, path: (req.url ?? '/').split('?')[0]!, negotiated: negotiate(req), upgrade: { socket, head } });
  };
}
