/**
 * The `kubelings/echo` image: an HTTP server on the pod's address (port 8080 unless the container
 * declares another) answering every request with a JSON description of it and of the pod that
 * answered: the pod's name, namespace and IP come from POD_NAME, POD_NAMESPACE and POD_IP when
 * the manifest sets them (the downward API), else from HOSTNAME and the runtime's address. One log
 * line per request on stdout.
 */
import { hostname } from 'node:os';
import { exitOn, listenAddress, readBody, serveHttp } from './common.ts';

const MAX_BODY = 64 * 1024;
const address = listenAddress(8080);
const pod = {
  name: process.env.POD_NAME ?? process.env.HOSTNAME ?? hostname(),
  namespace: process.env.POD_NAMESPACE ?? '',
  ip: process.env.POD_IP ?? address.host,
};

const server = await serveHttp(
  address,
  (req, res) => {
    void readBody(req, MAX_BODY).then((body) => {
      const url = new URL(req.url ?? '/', 'http://echo');
      const answer = {
        pod,
        request: {
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          remoteAddress: req.socket.remoteAddress,
          body: body === undefined ? `(more than ${MAX_BODY} bytes)` : body.toString('utf8'),
        },
      };
      const text = `${JSON.stringify(answer, null, 2)}\n`;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
      process.stdout.write(`${new Date().toISOString()} ${req.socket.remoteAddress} ${req.method} ${req.url} 200\n`);
    });
  },
  'kubelings/echo',
);
process.stdout.write(`kubelings/echo: pod ${pod.namespace ? `${pod.namespace}/` : ''}${pod.name} listening on ${address.host}:${address.port}\n`);
exitOn(server, ['SIGTERM', 'SIGINT'], (signal) => process.stdout.write(`kubelings/echo: ${signal}, stopping\n`));
