/**
 * Streaming a subresource from where its kind says it lives (upstream: handlers/rest.go
 * ConnectResource with a LocationStreamer): pods/log is read from the kubelet of the pod's node
 * and piped to the client as it comes, until either side goes.
 */
import { request as httpRequest, type ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../../kube/errors.ts';
import type { StreamLocation } from '../../kube/kinds/types.ts';

export function proxyStream(res: ServerResponse, location: StreamLocation): Promise<void> {
  const { host, port, path } = location;
  return new Promise<void>((resolve, reject) => {
    const upstream = httpRequest({ host, port, path, method: 'GET' }, (reply) => {
      if (reply.statusCode !== 200) {
        const chunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => chunks.push(c));
        reply.on('end', () => reject(badRequest(Buffer.concat(chunks).toString('utf8').trim() || `the kubelet answered ${reply.statusCode}`)));
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
    upstream.on('error', (error) => reject(new ApiError({ code: 500, reason: 'InternalError', message: `Get "http://${host}:${port}${path}": ${error.message}` })));
    upstream.end();
  });
}
