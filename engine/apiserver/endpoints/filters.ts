/**
 * The filter chain every request passes before a handler (upstream:
 * k8s.io/apiserver/pkg/server/config.go DefaultBuildHandlerChain and pkg/endpoints/filters).
 * A filter sees the request, may answer it or refuse it by throwing an ApiError, and calls `next`
 * to pass it on. The chain is an explicit list, built once per server (handler.ts):
 *
 *   refuseForeignHosts  a Host that is not loopback: 403 at once (DNS rebinding; browser-defences.ts)
 *   logRequests         one log line per request, with its latency (httplog)
 *   respondWithStatus   any error below becomes a metav1.Status response (a bug: a 500)
 *   authenticate        who is asking: a bearer token's user, else anonymous on the health and
 *                       version paths only, else 401 (WithAuthentication; auth.ts)
 *   requireKubernetesContentType  a body in anything but a Kubernetes media type: 415
 *   answerHealthChecks  /healthz, /livez, /readyz: answered before routing, so a cluster is ready
 *                       even while the learner's routing stub is not written
 *   resolveRequestInfo  the learner's parseRequestInfo (01-routing): WithRequestInfo
 *   authorize           may they: WithAuthorization
 *
 * Upstream resolves RequestInfo before authenticating (for its metrics and audit log); here
 * authentication comes first so that the health checks, answered before the learner's routing
 * runs, still refuse a wrong token as upstream does. No filter sends CORS headers (no
 * --cors-allowed-origins). Connection and in-flight limits (WithMaxInFlightLimit) go after
 * respondWithStatus.
 */
import { isNotImplemented } from '../../errors.ts';
import { ApiError, internalError } from '../../kube/errors.ts';
import { authenticateRequest, forbiddenMessage, type AuthorizationAttributes } from '../auth.ts';
import { sendRaw, sendStatus } from '../http.ts';
import { refuseForeignHosts, requireKubernetesContentType } from './browser-defences.ts';
import type { ApiContext, Filter, Handler } from './context.ts';

export type { Filter, Handler } from './context.ts';

/** The handler that runs `filters` in order, then `handler`. */
export function buildChain(filters: readonly Filter[], handler: Handler): Handler {
  return filters.reduceRight<Handler>((next, filter) => (request) => filter(request, next), handler);
}

/** Any error as an ApiError: ours as they are, a stub's NotImplemented and bugs as 500s. */
export function toStatusError(ctx: Pick<ApiContext, 'log'>, error: unknown, url?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isNotImplemented(error)) return internalError((error as Error).message);
  ctx.log.error('request failed', { URI: url, error: (error as Error)?.stack ?? String(error) });
  return internalError((error as Error)?.message ?? String(error));
}

export const logRequests: Filter = async (request, next) => {
  const { ctx, req, res } = request;
  const started = ctx.clock.now();
  try {
    await next(request);
  } finally {
    ctx.log.debug('HTTP', { verb: req.method, URI: req.url, latency: `${ctx.clock.now() - started}ms`, userAgent: req.headers['user-agent'], resp: res.statusCode });
  }
};

export const respondWithStatus: Filter = async (request, next) => {
  try {
    await next(request);
  } catch (error) {
    sendStatus(request.res, toStatusError(request.ctx, error, request.req.url).status, request.negotiated.format);
  }
};

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

export const answerHealthChecks: Filter = async (request, next) => {
  if (HEALTH_PATHS.has(request.path)) return sendRaw(request.res, 200, 'ok', 'text/plain; charset=utf-8');
  return next(request);
};

export const resolveRequestInfo: Filter = async (request, next) => {
  request.info = request.ctx.impl.parseRequestInfo(request.req.method ?? 'GET', request.req.url ?? '/');
  return next(request);
};

/** upstream's `Unauthorized` Status: no details, whatever was wrong (the reason goes to the log only). */
export function unauthorized(): ApiError {
  return new ApiError({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
}

export const authenticate: Filter = async (request, next) => {
  const { req } = request;
  const result = authenticateRequest(req.headers.authorization, request.path, request.ctx.tokens);
  if ('refused' in result) {
    request.ctx.log.debug('Unable to authenticate the request', { reason: result.refused, URI: req.url, userAgent: req.headers['user-agent'] });
    throw unauthorized();
  }
  // As upstream: once authenticated, the token is not needed any more, and nothing later may leak it.
  delete req.headers.authorization;
  request.user = result.user;
  return next(request);
};

export const authorize: Filter = async (request, next) => {
  const info = request.info!;
  const attributes: AuthorizationAttributes = {
    user: request.user!,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    path: info.path,
  };
  const decision = await request.ctx.authorizer.authorize(attributes);
  if (!decision.allowed) {
    throw new ApiError({
      code: 403,
      reason: 'Forbidden',
      message: forbiddenMessage(attributes, decision.reason),
      details: { name: info.name, ...(info.apiGroup ? { group: info.apiGroup } : {}), kind: info.resource },
    });
  }
  return next(request);
};

/** The chain, in order (see the header for where new filters go). */
export const FILTERS: readonly Filter[] = [refuseForeignHosts, logRequests, respondWithStatus, authenticate, requireKubernetesContentType, answerHealthChecks, resolveRequestInfo, authorize];
