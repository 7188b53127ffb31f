/**
 * The connect subresources (upstream: handlers/rest.go ConnectResource and
 * apimachinery/pkg/util/proxy UpgradeAwareHandler): pods/exec, pods/attach and pods/portforward
 * are upgrades (WebSocket, or SPDY in kubectl's fallback) proxied byte for byte to the kubelet of
 * the pod's node; nodes/NAME/proxy/PATH is any request proxied to that node's kubelet. The
 * apiserver speaks to kubelets over TLS with its own credential (kubelet-client.ts).
 *
 * Authorization: the filter chain authorized the request's own verb (get for kubectl's WebSocket
 * GET, create for the SPDY POST); an upgrade of exec, attach or portforward must also be allowed to
 * `create` the subresource, so that `get pods/exec` alone never runs a command (upstream 1.35's
 * AuthorizePodWebsocketUpgradeCreatePermission, on by default).
 *
 * Invariants: a refusal before the upgrade (the kubelet's or ours) is a Status on the client's
 * socket, then the socket ends; once upgraded, either side closing closes the other.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../../kube/errors.ts';
import { forbiddenMessage, type AuthorizationAttributes } from '../auth.ts';
import type { ResourceScope, StoredScope } from './context.ts';
import { kubeletRequest } from './kubelet-client.ts';
import { kubeletRefusal } from './proxy.ts';

const MAX_ERROR_BYTES = 50_000;

async function requireCreate(scope: ResourceScope): Promise<void> {
  const { info, user, ctx } = scope.request;
  if (info.verb === 'create') return;
  const attributes: AuthorizationAttributes = {
    user,
    verb: 'create',
    isResourceRequest: true,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    path: info.path,
  };
  const decision = await ctx.authorizer.authorize(attributes);
  if (!decision.allowed) throw new ApiError({ code: 403, reason: 'Forbidden', message: forbiddenMessage(attributes, decision.reason), details: { name: info.name, kind: info.resource } });
}

/** Reads a bounded error body. */
function readBody(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      if (size < MAX_ERROR_BYTES) chunks.push(c.subarray(0, MAX_ERROR_BYTES - size));
      size += c.length;
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function joinSockets(a: Duplex, b: Duplex): void {
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
  a.pipe(b);
  b.pipe(a);
}

export async function connect(scope: StoredScope): Promise<void> {
  const { request, kind, subresource } = scope;
  const serve = subresource?.serve;
  if (serve?.type !== 'connect') throw badRequest(`${kind.resource}/${subresource?.name} is not a connect subresource`);
  const { ctx, req, upgrade } = request;
  if (serve.upgrade) {
    await requireCreate(scope);
    if (!upgrade) throw badRequest('Upgrade request required');
  }
  const rest = request.info.parts.slice(3).join('/') + (request.path.endsWith('/') && request.info.parts.length > 3 ? '/' : '');
  const location = await ctx.registry.streamLocation(kind, subresource!, scope.namespace, scope.name, scope.query, rest);
  const method = req.method ?? 'GET';
  const upstream = kubeletRequest(ctx.kubeletClient, location, method, req.headers);
  const failed = (error: Error) =>
    new ApiError({
      code: 503,
      reason: 'ServiceUnavailable',
      message: `error trying to reach service: ${method} "https://${location.host}:${location.port}${location.path.split('?')[0]}": ${error.message}`,
    });

  if (upgrade) {
    await new Promise<void>((resolve, reject) => {
      upstream.on('upgrade', (reply, kubeletSocket, kubeletHead) => {
        const client = upgrade.socket;
        request.res.detachSocket(client as Socket);
        let head = `HTTP/1.1 101 Switching Protocols\r\n`;
        for (let i = 0; i < reply.rawHeaders.length; i += 2) head += `${reply.rawHeaders[i]}: ${reply.rawHeaders[i + 1]}\r\n`;
        client.write(`${head}\r\n`);
        if (kubeletHead.length > 0) client.write(kubeletHead);
        if (upgrade.head.length > 0) kubeletSocket.write(upgrade.head);
        joinSockets(client, kubeletSocket);
        resolve();
      });
      upstream.on('response', (reply) => {
        void readBody(reply).then((text) => reject(kubeletRefusal(reply.statusCode ?? 500, text)));
      });
      upstream.on('error', (error) => reject(failed(error)));
      upstream.end();
    });
    return;
  }

  // nodes/proxy: a plain request, its body streamed on, the kubelet's answer streamed back.
  await new Promise<void>((resolve, reject) => {
    upstream.on('response', (reply) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(reply.headers)) if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding') headers[name] = value;
      request.res.writeHead(reply.statusCode ?? 502, headers);
      reply.pipe(request.res);
      reply.on('end', resolve);
      request.res.on('close', () => {
        reply.destroy();
        resolve();
      });
    });
    upstream.on('error', (error) => reject(failed(error)));
    req.pipe(upstream);
  });
}
