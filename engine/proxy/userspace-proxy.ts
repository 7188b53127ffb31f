/**
 * The engine's kube-proxy backend in loopback mode: a userspace TCP proxy, as kube-proxy's retired
 * userspace mode was. It receives the learner's rules ({ full, upsert, remove }) and listens on
 * each rule's ClusterIP:port while the rule has internal endpoints, and on nodeIP:nodePort while
 * it has external ones; each accepted connection is joined to a second connection to one endpoint,
 * chosen at random (nftables' `numgen random mod N`) or by the client's address under ClientIP
 * affinity.
 *
 * Invariants: no listener for a rule without endpoints, so a connection is refused at once (as
 * kube-proxy's REJECT; a Local policy's DROP is refused too here, where upstream lets it time out).
 * Listener changes run one at a time, in order, each against the newest rules, so a close and a
 * listen on one address never race. A changed endpoint list applies to new connections; open ones
 * are left alone, as conntrack leaves established flows. Only TCP is carried: UDP and SCTP rules are
 * accepted and logged, not served.
 */
import net from 'node:net';
import type { ProxyBackend, ProxyEndpoint, ProxyRule, RuleChanges } from './exercises.ts';
import { USERSPACE_PROXY_CONNECT_ATTEMPTS, USERSPACE_PROXY_CONNECT_TIMEOUT_MS } from '../params.ts';
import { spliceSockets } from './splice.ts';

export interface UserspaceProxyOptions {
  /** Node ports listen on this address (the node's InternalIP, in 127.0.0.0/8). */
  nodeIP: string;
  /** For tests: the random choice of endpoint, in [0, 1). */
  random?: () => number;
  /** For affinity timeouts, in ms. */
  now?: () => number;
  log?: (line: string) => void;
}

interface Listener {
  server: net.Server;
  /** The rule and the side (ClusterIP or node port) this address serves. */
  rule: string;
  external: boolean;
}

export class UserspaceProxy implements ProxyBackend {
  private readonly rules = new Map<string, ProxyRule>();
  private readonly listeners = new Map<string, Listener>();
  private readonly affinity = new Map<string, Map<string, { endpoint: string; expiresAt: number }>>();
  private readonly open = new Set<net.Socket>();
  private readonly warnedProtocols = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private reconcileQueued = false;
  private closed = false;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: UserspaceProxyOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  apply(changes: RuleChanges): void {
    if (this.closed) throw new Error('the userspace proxy is closed');
    if (changes.full) this.rules.clear();
    for (const name of changes.remove) {
      this.rules.delete(name);
      this.affinity.delete(name);
    }
    for (const rule of changes.upsert) {
      this.rules.set(rule.servicePortName, rule);
      if (rule.affinityTimeoutSeconds === undefined) this.affinity.delete(rule.servicePortName);
    }
    if (changes.full) for (const name of this.affinity.keys()) if (!this.rules.has(name)) this.affinity.delete(name);
    this.queueReconcile();
  }

  /** Resolves once every listener change asked for so far is done. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** The rules the proxy holds now, by servicePortName. */
  currentRules(): ProxyRule[] {
    return [...this.rules.values()];
  }

  /** The addresses it listens on now (`ip:port`). */
  listening(): string[] {
    return [...this.listeners.keys()].sort();
  }

  /** Stops listening and resets every proxied connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.rules.clear();
    for (const socket of this.open) socket.destroy();
    this.queueReconcile();
    await this.chain;
  }

  private queueReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    this.chain = this.chain.then(async () => {
      this.reconcileQueued = false;
      await this.reconcile();
    });
  }

  /** Listens where the newest rules want, and nowhere else. */
  private async reconcile(): Promise<void> {
    const wanted = new Map<string, { rule: string; external: boolean; ip: string; port: number }>();
    for (const rule of this.rules.values()) {
      if (rule.protocol !== 'TCP') {
        if (!this.warnedProtocols.has(rule.servicePortName)) this.log(`${rule.servicePortName}: ${rule.protocol} is not carried by the userspace proxy (TCP only)`);
        this.warnedProtocols.add(rule.servicePortName);
        continue;
      }
      if (rule.internalEndpoints.length > 0) wanted.set(`${rule.clusterIP}:${rule.port}`, { rule: rule.servicePortName, external: false, ip: rule.clusterIP, port: rule.port });
      if (rule.nodePort !== undefined && rule.externalEndpoints.length > 0) {
        wanted.set(`${this.options.nodeIP}:${rule.nodePort}`, { rule: rule.servicePortName, external: true, ip: this.options.nodeIP, port: rule.nodePort });
      }
    }
    const closing: Promise<void>[] = [];
    for (const [address, listener] of this.listeners) {
      if (wanted.has(address)) continue;
      this.listeners.delete(address);
      // close() stops listening at once, but its callback waits for every open connection to end;
      // open connections are left alone (as conntrack leaves established flows), so wait only for
      // the listening socket itself to be released.
      listener.server.close();
      closing.push(new Promise((resolve) => setImmediate(resolve)));
    }
    await Promise.all(closing);
    const opening: Promise<void>[] = [];
    for (const [address, want] of wanted) {
      const existing = this.listeners.get(address);
      if (existing) {
        existing.rule = want.rule;
        existing.external = want.external;
        continue;
      }
      const listener: Listener = { server: net.createServer({ allowHalfOpen: true, pauseOnConnect: true }), rule: want.rule, external: want.external };
      listener.server.on('connection', (socket) => this.accept(socket, listener));
      this.listeners.set(address, listener);
      opening.push(
        new Promise<void>((resolve) => {
          listener.server.once('error', (error: NodeJS.ErrnoException) => {
            this.log(`${want.rule}: cannot listen on ${address}: ${error.code ?? error.message}`);
            if (this.listeners.get(address) === listener) this.listeners.delete(address);
            resolve();
          });
          listener.server.listen({ host: want.ip, port: want.port, exclusive: true }, () => resolve());
        }),
      );
    }
    await Promise.all(opening);
  }

  private accept(client: net.Socket, listener: Listener): void {
    const rule = this.rules.get(listener.rule);
    const endpoints = rule ? (listener.external ? rule.externalEndpoints : rule.internalEndpoints) : [];
    if (!rule || endpoints.length === 0) {
      client.resetAndDestroy();
      return;
    }
    this.track(client);
    client.on('error', () => client.destroy());
    // The client's address costs a getpeername() call: asked for only where affinity needs it.
    const clientIP = rule.affinityTimeoutSeconds === undefined ? '' : (client.remoteAddress ?? '');
    this.connect(client, clientIP, rule, endpoints, undefined);
  }

  /**
   * Joins `client` to an endpoint not tried yet; after the last attempt, resets the client. The
   * client stays paused (pauseOnConnect) until the endpoint answers, so nothing it sent is lost
   * when an attempt fails and the next endpoint is tried.
   */
  private connect(client: net.Socket, clientIP: string, rule: ProxyRule, endpoints: ProxyEndpoint[], tried: Set<string> | undefined): void {
    const endpoint = this.choose(clientIP, rule, endpoints, tried);
    if (!endpoint || (tried?.size ?? 0) >= USERSPACE_PROXY_CONNECT_ATTEMPTS || client.destroyed) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: endpoint.ip, port: endpoint.port, allowHalfOpen: true, noDelay: true });
    // One timer per attempt, cleared on connect (the socket's own idle timeout would be re-armed
    // by every read and write of the connection's life).
    const timer = setTimeout(() => retry(), USERSPACE_PROXY_CONNECT_TIMEOUT_MS);
    const retry = () => {
      clearTimeout(timer);
      upstream.destroy();
      const id = `${endpoint.ip}:${endpoint.port}`;
      this.forgetAffinity(rule, clientIP, id);
      const seen = tried ?? new Set<string>();
      seen.add(id);
      this.connect(client, clientIP, rule, endpoints, seen);
    };
    upstream.once('error', retry);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', retry);
      this.track(upstream);
      spliceSockets(client, upstream);
    });
  }

  /** The endpoint for a new connection from `clientIP`: its affinity if still valid, else at random. */
  private choose(clientIP: string, rule: ProxyRule, endpoints: ProxyEndpoint[], tried: Set<string> | undefined): ProxyEndpoint | undefined {
    const candidates = tried ? endpoints.filter((e) => !tried.has(`${e.ip}:${e.port}`)) : endpoints;
    if (candidates.length === 0) return undefined;
    const timeout = rule.affinityTimeoutSeconds;
    if (timeout !== undefined) {
      const now = this.now();
      const table = this.affinity.get(rule.servicePortName);
      const sticky = table?.get(clientIP);
      const still = sticky && sticky.expiresAt > now ? candidates.find((e) => `${e.ip}:${e.port}` === sticky.endpoint) : undefined;
      const chosen = still ?? candidates[Math.floor(this.random() * candidates.length)]!;
      const forRule = table ?? new Map<string, { endpoint: string; expiresAt: number }>();
      if (forRule.size >= 1024) for (const [ip, entry] of forRule) if (entry.expiresAt <= now) forRule.delete(ip);
      forRule.set(clientIP, { endpoint: `${chosen.ip}:${chosen.port}`, expiresAt: now + timeout * 1000 });
      this.affinity.set(rule.servicePortName, forRule);
      return chosen;
    }
    return candidates[Math.floor(this.random() * candidates.length)];
  }

  private forgetAffinity(rule: ProxyRule, clientIP: string, endpoint: string): void {
    const table = this.affinity.get(rule.servicePortName);
    if (table?.get(clientIP)?.endpoint === endpoint) table.delete(clientIP);
  }

  private track(socket: net.Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }
}
