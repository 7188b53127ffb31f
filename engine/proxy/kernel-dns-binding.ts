/**
 * One node's share of cluster DNS in kernel mode: a DNS server on sockets bound inside that node's
 * namespace (kln-<tag>-n<i>) at the node's address, port 53, UDP and TCP (../cni/netns-listen.ts
 * binds them there and hands them to this process), answering from the answers it is given (one
 * set of informers for every node: ./dns-server.ts clusterDnsAnswers).
 *
 * `sync()` is level-triggered and cheap to call often (on every /run/netns event and every
 * CLUSTER_DNS_NETNS_CHECK_MS): when the sockets' namespace is gone or is no longer the one of that
 * name (a restarted kubelet makes the node's namespace anew), the binding is not ready at once and
 * its server goes lame duck (answers on for CLUSTER_DNS_LAMEDUCK_MS at most, as CoreDNS does while
 * kube-proxy catches up); when nothing is bound and the namespace exists, it binds there. A bind that fails (the node's address not added
 * yet) is tried again after CLUSTER_DNS_BIND_RETRY_FIRST_MS, doubled up to NETWORK_LISTEN_RETRY_MS,
 * or at once in a namespace made since.
 *
 * Invariants: `ready()` is true only while a server runs on sockets in the live namespace; every
 * change of it calls `changed()` (after the change); calls to sync() never overlap (one that comes
 * while another runs is remembered and runs once more after it); stop() closes the server and the
 * retry timer and the lame ducks, and a bind that ends after it closes its sockets at once.
 */
import { statSync } from 'node:fs';
import type { Logger } from '../cluster/logger.ts';
import { listenInNetns, type NetnsSockets } from '../cni/netns-listen.ts';
import { CLUSTER_DNS_BIND_RETRY_FIRST_MS, CLUSTER_DNS_LAMEDUCK_MS, CLUSTER_DNS_PORT, NETWORK_COMPONENT_START_WAIT_MS, NETWORK_LISTEN_RETRY_MS } from '../params.ts';
import { startDnsServer, type DnsServer } from './dns-server.ts';
import type { DnsAnswer } from './exercises.ts';

/** The inode of namespace `netns` (a namespace made again under the same name has another one), or undefined when there is none. */
export function netnsInode(netns: string): number | undefined {
  try {
    return statSync(`/run/netns/${netns}`).ino;
  } catch {
    return undefined;
  }
}

export interface NodeDnsTarget {
  nodeName: string;
  netns: string;
  /** The node's address in its namespace: where the server listens. */
  address: string;
}

export class NodeDnsBinding {
  private running: { sockets: NetnsSockets; server: DnsServer } | undefined;
  private syncing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The last failed bind: in which namespace (its inode), when to try again, and the wait after that. */
  private failed: { inode: number; nextAt: number; nextWaitMs: number; since: number; warned: boolean } | undefined;
  private saidWaiting = false;
  /** Servers whose namespace is gone, still answering for a while (lameDuck), with their closing timer. */
  private readonly lameDucks = new Map<DnsServer, NodeJS.Timeout>();

  constructor(
    readonly target: NodeDnsTarget,
    private readonly deps: { resolve(name: string, type: string): DnsAnswer; logger: Logger; changed(): void },
  ) {}

  private get where(): string {
    return `${this.target.address}:${CLUSTER_DNS_PORT} in ${this.target.netns}`;
  }

  /** True while this node's server runs on sockets bound in the node's live namespace. */
  ready(): boolean {
    return this.running !== undefined && this.running.sockets.stillThere();
  }

  /** Brings the binding in line with the node's namespace now (see the header); resolves once done. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    if (this.running && !this.running.sockets.stillThere()) {
      const gone = this.running;
      this.running = undefined;
      this.deps.changed();
      this.deps.logger.warn(`${this.target.netns} was removed or made again (${this.target.nodeName} restarted?): its endpoint of kube-dns is not ready until cluster DNS binds in the new one`);
      this.lameDuck(gone.server);
    }
    if (this.running) return;
    const inode = netnsInode(this.target.netns);
    if (inode === undefined) {
      if (!this.saidWaiting) this.deps.logger.info(`cluster DNS waits for ${this.target.nodeName}'s namespace ${this.target.netns}`);
      this.saidWaiting = true;
      return; // a /run/netns event or the periodic check calls again
    }
    this.saidWaiting = false;
    if (this.failed && this.failed.inode === inode && Date.now() < this.failed.nextAt) return; // the retry timer calls again
    await this.bind(inode);
  }

  private async bind(inode: number): Promise<void> {
    try {
      const sockets = await listenInNetns(this.target.netns, this.target.address, CLUSTER_DNS_PORT);
      const server = await startDnsServer({ host: this.target.address, port: CLUSTER_DNS_PORT, bound: sockets, resolve: this.deps.resolve, log: (line) => this.deps.logger.warn(line) }).catch(
        (error: unknown) => {
          sockets.tcp.close();
          sockets.udp.close();
          throw error;
        },
      );
      if (this.stopped) return void (await server.close());
      this.running = { sockets, server };
      await this.closeLameDucks(); // the old namespace is out of the network by now: nothing reaches them
      this.failed = undefined;
      clearTimeout(this.retryTimer);
      this.deps.changed();
      this.deps.logger.info(`cluster DNS on ${this.where} (UDP and TCP): ${this.target.nodeName}'s endpoint of kube-dns is ready`);
    } catch (error) {
      const now = Date.now();
      const first = this.failed === undefined || this.failed.inode !== inode;
      const since = first ? now : this.failed!.since;
      const waitMs = first ? CLUSTER_DNS_BIND_RETRY_FIRST_MS : this.failed!.nextWaitMs;
      // Right after a node starts its address is not there yet: said once, as a warning only when it lasts.
      const lasting = now - since > NETWORK_COMPONENT_START_WAIT_MS;
      const warned = !first && this.failed!.warned;
      if (first || (lasting && !warned)) {
        const line = `cluster DNS cannot listen on ${this.where} yet (${(error as Error).message}): trying again within ${NETWORK_LISTEN_RETRY_MS / 1000} s`;
        if (lasting) this.deps.logger.warn(line);
        else this.deps.logger.info(line);
      }
      this.failed = { inode, nextAt: now + waitMs, nextWaitMs: Math.min(waitMs * 2, NETWORK_LISTEN_RETRY_MS), since, warned: warned || lasting };
      clearTimeout(this.retryTimer);
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.sync(), waitMs);
    }
  }

  /**
   * Keeps a server whose namespace was removed answering for CLUSTER_DNS_LAMEDUCK_MS, or until the
   * new one listens, as CoreDNS's `lameduck` keeps serving while kube-proxy learns that its
   * endpoint is no longer ready: a query kube-proxy still sends there meanwhile is answered while
   * the old namespace is still wired, not refused.
   */
  private lameDuck(server: DnsServer): void {
    const timer = setTimeout(() => {
      this.lameDucks.delete(server);
      void server.close();
    }, CLUSTER_DNS_LAMEDUCK_MS);
    this.lameDucks.set(server, timer);
  }

  private async closeLameDucks(): Promise<void> {
    const servers = [...this.lameDucks];
    this.lameDucks.clear();
    for (const [, timer] of servers) clearTimeout(timer);
    await Promise.all(servers.map(([server]) => server.close()));
  }

  /** Closes the servers now; a bind still under way closes what it gets (it sees `stopped`). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const running = this.running;
    this.running = undefined;
    await Promise.all([running?.server.close(), this.closeLameDucks()]);
  }
}
