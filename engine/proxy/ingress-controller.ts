/**
 * The engine's Ingress controller: an HTTP/1.1 reverse proxy on a loopback address. For each
 * request it asks the learner's routeIngress (over the Ingresses ingressesForController says are
 * its own) where to go, and forwards to that Service's ClusterIP and port, so the request also
 * crosses kube-proxy's rules. It writes its address into status.loadBalancer.ingress of its own
 * Ingresses (kubectl get ingress shows it as ADDRESS).
 *
 * Invariants: no route is 404 (ingress-nginx's "default backend - 404"), a route to a Service
 * that does not exist or has no ClusterIP or port is 503, a backend that cannot be reached is 502;
 * a routing function that throws is 500 and logged; the proxy never crashes on a client's error.
 * No TLS, no rewrites.
 *
 * Kernel mode (`dial` given): this machine's namespace routes neither ClusterIPs nor pod addresses,
 * so the controller does what ingress-nginx does anyway: it picks a ready endpoint of the Service
 * from its EndpointSlices (the slice port named as the Service port) and connects to that pod
 * address through `dial` (a node's relay, ../cni/netns-layout.ts); no ready endpoint is 503.
 */
import http from 'node:http';
import type net from 'node:net';
import type { KubeClient } from '../client/client.ts';
import type { Logger } from '../cluster/logger.ts';
import { SharedInformerFactory } from '../controllers/informers.ts';
import { loadComponent } from '../impl.ts';
import type { EndpointSlice, Service } from '../kube/types.ts';
import { INGRESS_CONTROLLER_NAME } from '../params.ts';
import type { Ingress, IngressClass, ServicesExercises } from './exercises.ts';

export interface IngressControllerOptions {
  host: string;
  port?: number;
  controller?: string;
  /** The port kube-proxy really listens on for a Service port (default: the same; `cluster up` without low ports: P + 10000 below 1024). */
  proxyPort?: (port: number) => number;
  /** More ports it answers on, the same way (`cluster up`: 10080 beside 80, so one URL works as root or not). */
  alsoPorts?: number[];
  services?: ServicesExercises;
  logger?: Logger;
  /** Kernel mode: connect to a pod address this way (a node's relay), choosing an endpoint rather than the ClusterIP. */
  dial?: (host: string, port: number) => Promise<net.Socket>;
}

/** A ready endpoint (address and port) of `svc`'s port `portName` from `slices`, picked at random; undefined when none is ready. */
export function pickEndpoint(svc: Service, portName: string | undefined, slices: readonly EndpointSlice[]): { address: string; port: number } | undefined {
  const found: { address: string; port: number }[] = [];
  for (const slice of slices) {
    if (slice.metadata.namespace !== svc.metadata.namespace || slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (portName ?? '') && (p.protocol ?? 'TCP') === 'TCP')?.port;
    if (port === undefined || port === null) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses.slice(0, 1)) found.push({ address, port });
    }
  }
  return found.length ? found[Math.floor(Math.random() * found.length)] : undefined;
}

export interface RunningIngressController {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function runIngressController(client: KubeClient, options: IngressControllerOptions): Promise<RunningIngressController> {
  const log = (line: string) => options.logger?.info(line);
  const exercises = options.services ?? (await loadComponent('services'));
  const controller = options.controller ?? INGRESS_CONTROLLER_NAME;
  const factory = new SharedInformerFactory(client);
  const ingresses = factory.forResource<Ingress>('ingresses');
  const classes = factory.forResource<IngressClass>('ingressclasses');
  const services = factory.forResource<Service>('services');
  const slices = options.dial ? factory.forResource<EndpointSlice>('endpointslices') : undefined;
  const dial = options.dial;
  const mine = () => exercises.ingressesForController(ingresses.lister.list(), classes.lister.list(), controller);

  const handle: http.RequestListener = (req, res) => {
    const reply = (code: number, text: string) => {
      if (!res.headersSent) res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(`${text}\n`);
    };
    let route;
    try {
      route = exercises.routeIngress(mine(), req.headers.host ?? '', req.url ?? '/');
    } catch (error) {
      log(`routeIngress failed: ${(error as Error).message}`);
      return reply(500, 'the Ingress routing failed');
    }
    if (!route) return reply(404, 'default backend - 404');
    const [namespace, name] = route.service.split('/');
    const svc = services.lister.list().find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
    const port = svc?.spec?.ports?.find((p) => (typeof route.port === 'number' ? p.port === route.port : p.name === route.port));
    const clusterIP = svc?.spec?.clusterIP;
    if (!svc || !port || !clusterIP || clusterIP === 'None') return reply(503, `no endpoint for ${route.service}:${route.port}`);
    const forwarded = req.socket.remoteAddress ?? '';
    let target = { host: clusterIP, port: options.proxyPort ? options.proxyPort(port.port) : port.port };
    let createConnection: http.RequestOptions['createConnection'];
    if (dial && slices) {
      const endpoint = pickEndpoint(svc, port.name, slices.lister.list());
      if (!endpoint) return reply(503, `no ready endpoint for ${route.service}:${route.port}`);
      target = { host: endpoint.address, port: endpoint.port };
      createConnection = (_o, done) => {
        dial(endpoint.address, endpoint.port).then(
          (socket) => done(null, socket),
          (error: Error) => done(error, undefined as unknown as net.Socket),
        );
        return undefined;
      };
    }
    const upstream = http.request(
      {
        ...target,
        ...(createConnection ? { createConnection } : {}),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': forwarded, 'x-forwarded-host': req.headers.host ?? '', 'x-forwarded-proto': 'http' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      log(`${req.headers.host ?? ''}${req.url ?? ''} → ${route.service}:${route.port} at ${target.host}:${target.port}: ${error.message}`);
      reply(502, `${route.service}:${route.port} did not answer`);
    });
    req.pipe(upstream);
    req.on('error', () => upstream.destroy());
  };
  const servers = [options.port ?? 0, ...(options.alsoPorts ?? [])].map((port) => {
    const server = http.createServer(handle);
    server.on('clientError', (_e, socket: net.Socket) => socket.destroy());
    return { server, port };
  });

  const writeStatus = async (ing: Ingress) => {
    if (!mine().some((i) => i.metadata.uid === ing.metadata.uid)) return;
    const want = [{ ip: options.host }];
    if (JSON.stringify(ing.status?.loadBalancer?.ingress ?? []) === JSON.stringify(want)) return;
    try {
      await client.updateStatus('ingresses', { ...ing, status: { loadBalancer: { ingress: want } } }, { namespace: ing.metadata.namespace });
    } catch (error) {
      log(`status of ${ing.metadata.namespace}/${ing.metadata.name}: ${(error as Error).message}`);
    }
  };
  ingresses.on('add', (i) => void writeStatus(i));
  ingresses.on('update', (_o, i) => void writeStatus(i));
  classes.on('add', () => mine().forEach((i) => void writeStatus(i)));
  await factory.start();
  const closeAll = () =>
    Promise.all(
      servers.map(({ server }) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      }),
    );
  try {
    for (const { server, port } of servers) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: options.host, port }, () => resolve());
      });
    }
  } catch (error) {
    factory.stop(); // the address is taken: no informer and no listener is left behind
    await closeAll();
    throw error;
  }
  return {
    host: options.host,
    port: (servers[0]!.server.address() as net.AddressInfo).port,
    async stop() {
      factory.stop();
      await closeAll();
    },
  };
}
