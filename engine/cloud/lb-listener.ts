/**
 * One port of a simulated cloud load balancer: it listens on address:port and joins each accepted
 * TCP connection to a node's NodePort, as a cloud's network load balancer in front of the nodes
 * does. Nodes are taken in turn (round robin); a node that refuses or does not answer in time is
 * skipped for LOAD_BALANCER_BACKEND_UNHEALTHY_MS (a failed health check) and the next one is
 * tried, so a connection reaches the first healthy node. With every node marked unhealthy they are
 * all tried again rather than none.
 *
 * A cloud whose nodes are not on this machine's network (kernel mode: they live in network
 * namespaces) gives `dial`, which opens the connection to a node's address from where the nodes
 * are (through a relay); without it the listener connects directly.
 *
 * Invariants: the client is paused until a node answers, so nothing it sends is lost when a node
 * is skipped; after the last node fails the client is reset. setBackends() applies to new
 * connections only. close() stops listening and resets every connection it carries (the load
 * balancer is gone), and resolves once the address:port is free again.
 */
import net from 'node:net';
import { LOAD_BALANCER_BACKEND_CONNECT_TIMEOUT_MS, LOAD_BALANCER_BACKEND_UNHEALTHY_MS } from '../params.ts';
import { spliceSockets } from '../proxy/splice.ts';

export interface Backend {
  /** The node's name, for logs. */
  node: string;
  ip: string;
  port: number;
}

export interface ListenerOptions {
  address: string;
  port: number;
  backends: Backend[];
  /** How to open a connection to a node's ip:port (default: a direct TCP connection). */
  dial?: (host: string, port: number) => Promise<net.Socket>;
  now?: () => number;
  log?: (line: string) => void;
}

export class LoadBalancerListener {
  private readonly server: net.Server;
  private backends: Backend[];
  private next = 0;
  private readonly unhealthyUntil = new Map<string, number>();
  private readonly open = new Set<net.Socket>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ListenerOptions) {
    this.backends = options.backends;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
  }

  /** Starts listening; rejects with the system's error (EADDRINUSE, EACCES) when it cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.address, port: this.options.port, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  setBackends(backends: Backend[]): void {
    this.backends = backends;
    for (const id of this.unhealthyUntil.keys()) if (!backends.some((b) => idOf(b) === id)) this.unhealthyUntil.delete(id);
  }

  /** The nodes new connections go to. */
  currentBackends(): Backend[] {
    return this.backends;
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const order = this.order();
    if (order.length === 0) {
      client.resetAndDestroy();
      return;
    }
    this.connect(client, order, 0);
  }

  /** Every backend once, starting at the next in turn, the healthy ones first. */
  private order(): Backend[] {
    const n = this.backends.length;
    if (n === 0) return [];
    const start = this.next++ % n;
    const turn = [...this.backends.slice(start), ...this.backends.slice(0, start)];
    const now = this.now();
    const healthy = turn.filter((b) => (this.unhealthyUntil.get(idOf(b)) ?? 0) <= now);
    return [...healthy, ...turn.filter((b) => !healthy.includes(b))];
  }

  private connect(client: net.Socket, order: Backend[], index: number): void {
    const backend = order[index];
    if (!backend || client.destroyed) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    let done = false;
    let upstream: net.Socket | undefined;
    const timer = setTimeout(() => fail('no answer'), LOAD_BALANCER_BACKEND_CONNECT_TIMEOUT_MS);
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      upstream?.destroy();
      this.unhealthyUntil.set(idOf(backend), this.now() + LOAD_BALANCER_BACKEND_UNHEALTHY_MS);
      this.log(`${this.options.address}:${this.options.port}: node ${backend.node} (${idOf(backend)}) failed: ${why}`);
      this.connect(client, order, index + 1);
    };
    const onError = (error: NodeJS.ErrnoException) => fail(error.code ?? error.message);
    const connected = (socket: net.Socket) => {
      if (done) return void socket.destroy(); // too late: the next node is being tried
      done = true;
      upstream = socket;
      clearTimeout(timer);
      socket.off('error', onError);
      this.join(client, socket, backend);
    };
    if (this.options.dial) {
      this.options.dial(backend.ip, backend.port).then(connected, onError);
      return;
    }
    upstream = net.connect({ host: backend.ip, port: backend.port, allowHalfOpen: true, noDelay: true });
    upstream.once('error', onError);
    upstream.once('connect', () => connected(upstream!));
  }

  /** Pipes the client and the node's connection into each other. */
  private join(client: net.Socket, upstream: net.Socket, backend: Backend): void {
    this.unhealthyUntil.delete(idOf(backend));
    if (client.destroyed) return void upstream.destroy(); // the client left while the node was dialled
    this.track(upstream);
    spliceSockets(client, upstream);
  }

  private track(socket: net.Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }
}

const idOf = (b: Backend) => `${b.ip}:${b.port}`;
