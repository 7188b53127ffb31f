/**
 * GET of one object or a list (upstream: handlers/get.go GetResource and ListResource). A
 * subresource is read as its definition says: the status with its object, a Scale, a stream
 * proxied from elsewhere (pods/log), or a 400 saying why it is not served.
 */
import { badRequest } from '../../kube/errors.ts';
import type { StoredScope } from './context.ts';
import { checkResourceVersion } from './decode.ts';
import { proxyStream } from './proxy.ts';
import { respondList, respondObject, respondPlain } from './respond.ts';

function parseLimit(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`limit: Invalid value: "${text}": must be a whole number`);
  return Number(text);
}

export async function get(scope: StoredScope): Promise<void> {
  const { registry } = scope.request.ctx;
  const serve = scope.subresource?.serve;
  if (serve?.type === 'stream') {
    const location = await registry.streamLocation(scope.kind, scope.subresource!, scope.namespace, scope.name, scope.query);
    return proxyStream(scope.request.res, location, scope.request.ctx.kubeletClient);
  }
  if (serve?.type === 'unavailable') throw badRequest(serve.message);
  if (serve?.type === 'scale') return respondPlain(scope, 200, await registry.getScale(scope.kind, scope.namespace, scope.name));
  respondObject(scope, 200, await registry.get(scope.kind, scope.namespace, scope.name));
}

export async function list(scope: StoredScope): Promise<void> {
  const q = scope.query;
  const limit = parseLimit(q.get('limit'));
  const cont = q.get('continue') || undefined;
  const resourceVersion = q.get('resourceVersion') ?? '';
  checkResourceVersion(resourceVersion);
  if (cont && resourceVersion !== '' && resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
  const result = await scope.request.ctx.registry.list(scope.kind, scope.namespace, {
    labelSelector: q.get('labelSelector') ?? '',
    fieldSelector: q.get('fieldSelector') ?? '',
    limit,
    continue: cont,
    resourceVersion,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? '',
  });
  respondList(scope, result);
}
