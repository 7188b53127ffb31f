/**
 * The engine's simulated cloud ("kubelings"): load balancers that really carry TCP. Each load
 * balancer gets one address from LOAD_BALANCER_ADDRESS_POOL (in 127/8, so it is local without
 * root) and, for each Service port, a listener on address:port that forwards to that port's
 * NodePort on the nodes it is given (lb-listener.ts): what a cloud's network load balancer in
 * front of NodePorts does. kube-proxy on each node takes it from there.
 *
 * The address a load balancer gets: spec.loadBalancerIP when set (it must be a free address of the
 * pool), else the one status.loadBalancer shows already (so a restarted cloud-controller-manager
 * gives a Service back its address), else the lowest free one; an address another program already
 * listens on (another cluster's cloud on this machine) is passed over for the next, up to
 * LOAD_BALANCER_ADDRESS_ATTEMPTS addresses, except a requested one. What the cloud refuses, with an
 * error the controller turns into a SyncLoadBalancerFailed event: a port that is not TCP, a port
 * without a NodePort (spec.allocateLoadBalancerNodePorts false: this cloud forwards to NodePorts
 * only), an address it cannot listen on.
 *
 * Invariants: calls run one at a time, in order; a deleted load balancer has no listener left and
 * its address is free again; everything is held in memory (the cloud lives as long as its process).
 */
import type { Socket } from 'node:net';
import { formatIPv4, parseCidr, parseIPv4 } from '../cni/ipv4.ts';
import type { Node, Service } from '../kube/types.ts';
import { LOAD_BALANCER_ADDRESS_ATTEMPTS, LOAD_BALANCER_ADDRESS_POOL } from '../params.ts';
import { loadBalancerName, nodeAddress, type LoadBalancerCloud, type LoadBalancerStatus } from './cloud.ts';
import { LoadBalancerListener, type Backend } from './lb-listener.ts';

export const SIMULATED_CLOUD_PROVIDER = 'kubelings';

interface LoadBalancer {
  name: string;
  /** namespace/name of its Service, for messages. */
  service: string;
  address: string;
  /** By service port (`80/TCP`). */
  listeners: Map<string, LoadBalancerListener>;
}

export interface SimulatedCloudOptions {
  /** The address pool as a CIDR block (default LOAD_BALANCER_ADDRESS_POOL). */
  pool?: string;
  /** Where a node's NodePorts answer (default: its InternalIP, cloud.ts nodeAddress); undefined: not a backend. */
  nodeAddress?: (node: Node) => string | undefined;
  /** How the load balancers connect to a node's address (default: directly; kernel mode: through a relay into the nodes' network). */
  dial?: (host: string, port: number) => Promise<Socket>;
  log?: (line: string) => void;
}

export class SimulatedCloud implements LoadBalancerCloud {
  readonly providerName = SIMULATED_CLOUD_PROVIDER;
  private readonly balancers = new Map<string, LoadBalancer>();
  private readonly pool: { first: number; last: number; text: string };
  private readonly log: (line: string) => void;
  private readonly nodeAddress: (node: Node) => string | undefined;
  private readonly dial: ((host: string, port: number) => Promise<Socket>) | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(options: SimulatedCloudOptions = {}) {
    const text = options.pool ?? LOAD_BALANCER_ADDRESS_POOL;
    const cidr = parseCidr(text, true);
    // The network and broadcast addresses are not handed out.
    this.pool = { first: cidr.network + 1, last: cidr.last - 1, text };
    this.log = options.log ?? (() => {});
    this.nodeAddress = options.nodeAddress ?? nodeAddress;
    this.dial = options.dial;
  }

  getLoadBalancer(_cluster: string, service: Service): Promise<{ exists: boolean; status?: LoadBalancerStatus }> {
    return this.serially(async () => {
      const lb = this.balancers.get(loadBalancerName(service));
      return lb ? { exists: true, status: statusOf(lb) } : { exists: false };
    });
  }

  ensureLoadBalancer(_cluster: string, service: Service, nodes: Node[]): Promise<LoadBalancerStatus> {
    return this.serially(async () => {
      const ports = forwardedPorts(service);
      const name = loadBalancerName(service);
      let lb = this.balancers.get(name);
      if (lb && service.spec?.loadBalancerIP && lb.address !== service.spec.loadBalancerIP) {
        // A new address was asked for: a new load balancer, as clouds do.
        await this.remove(lb);
        lb = undefined;
      }
      if (lb) await this.applyPorts(lb, ports, nodes);
      else lb = await this.create(service, ports, nodes);
      return statusOf(lb);
    });
  }

  updateLoadBalancer(_cluster: string, service: Service, nodes: Node[]): Promise<void> {
    return this.serially(async () => {
      const lb = this.balancers.get(loadBalancerName(service));
      if (!lb) throw new Error(`load balancer ${loadBalancerName(service)} for ${keyOf(service)} does not exist`);
      await this.applyPorts(lb, forwardedPorts(service), nodes);
    });
  }

  ensureLoadBalancerDeleted(_cluster: string, service: Service): Promise<void> {
    return this.serially(async () => {
      const lb = this.balancers.get(loadBalancerName(service));
      if (lb) await this.remove(lb);
    });
  }

  /** Every load balancer's address and what it listens on (`address:port`), for tests and logs. */
  inventory(): { name: string; service: string; address: string; listening: string[]; backends: string[] }[] {
    return [...this.balancers.values()].map((lb) => ({
      name: lb.name,
      service: lb.service,
      address: lb.address,
      listening: [...lb.listeners.keys()].map((p) => `${lb.address}:${p.split('/')[0]}`),
      backends: [...new Set([...lb.listeners.values()].flatMap((l) => l.currentBackends().map((b) => `${b.ip}:${b.port}`)))],
    }));
  }

  /** Deletes every load balancer (the cloud-controller-manager is stopping: its cloud goes with it). */
  close(): Promise<void> {
    return this.serially(async () => {
      for (const lb of [...this.balancers.values()]) await this.remove(lb);
    });
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * A new load balancer. An address something else listens on (another cluster's cloud on this
   * machine) is passed over for the next free one, unless spec.loadBalancerIP asked for it.
   */
  private async create(service: Service, ports: ForwardedPort[], nodes: Node[]): Promise<LoadBalancer> {
    const skip = new Set<number>();
    for (;;) {
      const lb: LoadBalancer = { name: loadBalancerName(service), service: keyOf(service), address: this.addressFor(service, skip), listeners: new Map() };
      this.balancers.set(lb.name, lb);
      try {
        await this.applyPorts(lb, ports, nodes);
        this.log(`load balancer ${lb.name} for ${lb.service} at ${lb.address}`);
        return lb;
      } catch (error) {
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!inUse || requestedIP(service) !== undefined || skip.size + 1 >= LOAD_BALANCER_ADDRESS_ATTEMPTS) {
          // Kept (with the listeners that did open) so a retry starts from the same address.
          throw error;
        }
        await this.remove(lb);
        this.log(`${lb.address} is in use by another program: the next address is tried`);
        skip.add(parseIPv4(lb.address));
      }
    }
  }

  /** Opens, re-points and closes listeners so that each forwarded port has one, pointing at `nodes`. */
  private async applyPorts(lb: LoadBalancer, ports: ForwardedPort[], nodes: Node[]): Promise<void> {
    const wanted = new Set(ports.map((p) => p.key));
    for (const [key, listener] of lb.listeners) {
      if (wanted.has(key)) continue;
      lb.listeners.delete(key);
      await listener.close();
    }
    for (const p of ports) {
      const backends: Backend[] = nodes.flatMap((n) => {
        const ip = this.nodeAddress(n);
        return ip ? [{ node: n.metadata.name ?? '', ip, port: p.nodePort }] : [];
      });
      const existing = lb.listeners.get(p.key);
      if (existing && existing.currentBackends().every((b) => b.port === p.nodePort)) {
        existing.setBackends(backends);
        continue;
      }
      if (existing) {
        // The port's NodePort changed: a listener of its own replaces the old one.
        lb.listeners.delete(p.key);
        await existing.close();
      }
      const listener = new LoadBalancerListener({ address: lb.address, port: p.port, backends, log: this.log, ...(this.dial ? { dial: this.dial } : {}) });
      try {
        await listener.listen();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw Object.assign(new Error(`cannot listen on ${lb.address}:${p.port}: ${code ?? (error as Error).message}`), { code });
      }
      lb.listeners.set(p.key, listener);
    }
  }

  private async remove(lb: LoadBalancer): Promise<void> {
    this.balancers.delete(lb.name);
    await Promise.all([...lb.listeners.values()].map((l) => l.close()));
    lb.listeners.clear();
    this.log(`load balancer ${lb.name} for ${lb.service} deleted, ${lb.address} released`);
  }

  /** The address for a new load balancer (see the header); `skip`: addresses found in use elsewhere. */
  private addressFor(service: Service, skip: Set<number>): string {
    const taken = new Set([...this.balancers.values()].map((lb) => parseIPv4(lb.address)));
    for (const n of skip) taken.add(n);
    const requested = requestedIP(service);
    if (requested !== undefined) {
      const n = this.inPool(requested);
      if (n === undefined) throw new Error(`spec.loadBalancerIP ${requested} is not an address of this cloud's pool ${this.pool.text}`);
      if (taken.has(n)) throw new Error(`spec.loadBalancerIP ${requested} is in use by another load balancer`);
      return requested;
    }
    for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
      const n = ingress.ip ? this.inPool(ingress.ip) : undefined;
      if (n !== undefined && !taken.has(n)) return ingress.ip!;
    }
    for (let n = this.pool.first; n <= this.pool.last; n++) if (!taken.has(n)) return formatIPv4(n);
    throw new Error(`no free address left in this cloud's pool ${this.pool.text}`);
  }

  private inPool(ip: string): number | undefined {
    let n: number;
    try {
      n = parseIPv4(ip);
    } catch {
      return undefined;
    }
    return n >= this.pool.first && n <= this.pool.last ? n : undefined;
  }
}

/** spec.loadBalancerIP when set. */
function requestedIP(service: Service): string | undefined {
  const ip = service.spec?.loadBalancerIP;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

interface ForwardedPort {
  /** `port/protocol`. */
  key: string;
  port: number;
  nodePort: number;
}

const keyOf = (s: Service) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name ?? ''}`;

function statusOf(lb: LoadBalancer): LoadBalancerStatus {
  return { ingress: [{ ip: lb.address, ipMode: 'VIP' }] };
}

/** The Service's ports as this cloud forwards them, or the reason it cannot. */
function forwardedPorts(service: Service): ForwardedPort[] {
  return (service.spec?.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    const name = p.name ? `port "${p.name}" (${p.port}/${protocol})` : `port ${p.port}/${protocol}`;
    if (protocol !== 'TCP') throw new Error(`${name}: the kubelings cloud's load balancers carry TCP only`);
    if (!p.nodePort) throw new Error(`${name} has no nodePort (spec.allocateLoadBalancerNodePorts is false?): the kubelings cloud forwards to NodePorts only`);
    return { key: `${p.port}/${protocol}`, port: p.port, nodePort: p.nodePort };
  });
}
