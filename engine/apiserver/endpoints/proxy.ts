/**
 * Streaming a subresource from where its kind says it lives (upstream: handlers/rest.go
 * ConnectResource with a LocationStreamer): pods/log is read from the kubelet of the pod's node
 * over TLS (kubelet-client.ts) and piped to the client as it comes, until either side goes. A
 * kubelet's refusal becomes a Status as upstream's GenericHttpResponseChecker makes it: 400 and
 * 500 keep their code, others keep theirs with the kubelet's text as the message.
 */
import type { ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../../kube/errors.ts';
import type { StreamLocation } from '../../kube/kinds/types.ts';
import { kubeletRequest, type KubeletClientConfig } from './kubelet-client.ts';

/** The most of a kubelet's error body read into a Status (upstream maxReadLength). */
const MAX_ERROR_BYTES = 50_000;

export function kubeletRefusal(code: number, text: string): ApiError {
  const message = text.trim() || `the kubelet answered ${code}`;
  if (code === 400) return badRequest(message);
  if (code === 500) return new ApiError({ code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}` });
  const reasons: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 429: 'TooManyRequests' };
  return new ApiError({ code, reason: reasons[code] ?? 'InternalError', message });
}

export function proxyStream(res: ServerResponse, location: StreamLocation, client: KubeletClientConfig): Promise<void> {
  const { host, port, path } = location;
  return new Promise<void>((resolve, reject) => {
    const upstream = kubeletRequest(client, location, 'GET', {});
    upstream.on('response', (reply) => {
      if (reply.statusCode !== 200) {
        const chunks: Buffer[] = [];
        let size = 0;
        reply.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BYTES) chunks.push(c.subarray(0, MAX_ERROR_BYTES - size));
          size += c.length;
        });
        reply.on('end', () => reject(kubeletRefusal(reply.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'))));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      reply.pipe(res);
      reply.on('end', resolve);
      res.on('close', () => {
        reply.destroy();
        resolve();
      });
    });
    upstream.on('error', (error) => reject(new ApiError({ code: 500, reason: 'InternalError', message: `Get "https://${host}:${port}${path}": ${error.message}` })));
    upstream.end();
  });
}
