/**
 * Paths that name no resource (upstream: the non-goRestful mux and the discovery handlers):
 * /version, discovery (/api, /apis, /api/v1, /apis/<group>, /apis/<group>/<version>, and the
 * aggregated form kubectl asks for first) and OpenAPI (/openapi/v3, /openapi/v2). Health checks are answered
 * earlier, by a filter. Anything else is a 404.
 */
import { noSuchPath } from '../../kube/errors.ts';
import { aggregatedDiscovery, aggregatedFormat, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, versionInfo } from '../discovery.ts';
import { send, sendRaw } from '../http.ts';
import { openApiDocument, openApiRoot, openApiV2 } from '../openapi.ts';
import type { ApiRequest } from './context.ts';

export async function serveNonResource(request: ApiRequest): Promise<void> {
  const { req, res, negotiated, ctx } = request;
  const path = request.info?.path || request.path;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw noSuchPath();
  const parts = path.split('/').filter(Boolean);
  const accept = req.headers.accept;
  if (path === '/version' || path === '/version/') return send(res, 200, versionInfo(), negotiated.format === 'yaml' ? 'yaml' : 'json');
  if (path === '/api' || path === '/apis') {
    const aggregated = aggregatedFormat(accept);
    if (aggregated) return sendRaw(res, 200, JSON.stringify(aggregatedDiscovery(path === '/api', aggregated.apiVersion, ctx.aggregator.list())), aggregated.contentType);
    return send(res, 200, path === '/api' ? apiVersions(ctx.serverAddress()) : apiGroupList(ctx.aggregator.list()));
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const list = apiResourceList('', parts[1]!);
    if (list) return send(res, 200, list);
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = apiGroupDocument(parts[1]!, ctx.aggregator.list());
    if (group) return send(res, 200, group);
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const list = apiResourceList(parts[1]!, parts[2]!);
    if (list) return send(res, 200, list);
  }
  if (path === '/openapi/v3' || path === '/openapi/v3/') return sendRaw(res, 200, openApiRoot());
  const v2 = path === '/openapi/v2' || path === '/openapi/v2/' ? openApiV2(accept) : undefined;
  if (v2) return sendRaw(res, 200, v2.body, v2.contentType);
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const doc = openApiDocument(parts.slice(2).join('/'));
    if (doc) return sendRaw(res, 200, doc);
  }
  throw noSuchPath();
}
