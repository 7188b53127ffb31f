/**
 * The node's two heartbeats (upstream kubelet_node_status.go syncNodeStatus and pkg/kubelet/nodelease):
 * - the Lease, renewed every leaseDuration × KUBELET_LEASE_RENEW_FRACTION;
 * - the node status, computed every statusUpdateMs (conditions from the learner's nodeConditions,
 *   allocatable from nodeAllocatable, the runtime's Status for RuntimeReady and NetworkReady) and
 *   posted (a strategic-merge PATCH of nodes/<name>/status) when anything but the heartbeat times
 *   changed, or when statusReportMs passed since the last post.
 * A failed write is logged and tried again at the next tick; stop() ends both timers and waits for
 * the writes under way.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeClient } from '../client/client.ts';
import type { RuntimeService } from '../cri/api.ts';
import type { Condition, Node, NodeStatus } from '../kube/types.ts';
import type { KubeletExercises, NodeReservations } from './exercises.ts';
import type { NodeLease } from './node-registration.ts';

export interface HeartbeatOptions {
  client: KubeClient;
  logic: KubeletExercises;
  runtime: RuntimeService;
  lease: NodeLease;
  nodeName: string;
  capacity: Record<string, string>;
  reservations: NodeReservations;
  leaseRenewMs: number;
  statusUpdateMs: number;
  statusReportMs: number;
  now: () => number;
  warn: (message: string) => void;
  /** Called with the Node as stored after each post. */
  onNode: (node: Node) => void;
}

/** Conditions without their heartbeat times: what decides whether the status changed. */
function withoutHeartbeats(conditions: readonly Condition[]): unknown {
  return conditions.map(({ lastHeartbeatTime: _h, ...rest }) => rest);
}

export class NodeHeartbeats {
  private leaseTimer?: NodeJS.Timeout;
  private statusTimer?: NodeJS.Timeout;
  private lastPosted?: { status: NodeStatus; at: number };
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;
  /** Lease renewals and status posts done (tests, the benchmark). */
  renewals = 0;
  posts = 0;

  constructor(
    private readonly o: HeartbeatOptions,
    private conditions: Condition[] | undefined,
  ) {}

  /** The node status the kubelet would post now. */
  async computeStatus(): Promise<NodeStatus> {
    const { status } = await this.o.runtime.status();
    const conditions = this.o.logic.nodeConditions(this.conditions, { runtimeConditions: status.conditions, memoryPressure: false, diskPressure: false, pidPressure: false }, this.o.now());
    this.conditions = conditions;
    return { capacity: { ...this.o.capacity }, allocatable: this.o.logic.nodeAllocatable(this.o.capacity, this.o.reservations), conditions };
  }

  private track<T>(p: Promise<T>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
  }

  async renewLease(): Promise<void> {
    await this.o.lease.renew(this.o.now());
    this.renewals++;
  }

  /** Computes the status and posts it if it changed or the report period passed. */
  async syncStatus(force = false): Promise<void> {
    const status = await this.computeStatus();
    const now = this.o.now();
    const last = this.lastPosted;
    const changed =
      !last ||
      !isDeepStrictEqual(withoutHeartbeats(status.conditions ?? []), withoutHeartbeats(last.status.conditions ?? [])) ||
      !isDeepStrictEqual(status.allocatable, last.status.allocatable) ||
      !isDeepStrictEqual(status.capacity, last.status.capacity);
    if (!force && !changed && now - last!.at < this.o.statusReportMs) return;
    const node = await this.o.client.patch<Node>('nodes', this.o.nodeName, { status }, { subresource: 'status', type: 'strategic' });
    this.lastPosted = { status, at: now };
    this.posts++;
    this.o.onNode(node);
  }

  start(): void {
    const leaseTick = () => {
      if (this.stopped) return;
      this.track(this.renewLease().catch((error: Error) => this.o.warn(`renewing the node lease: ${error.message}`)));
    };
    const statusTick = () => {
      if (this.stopped) return;
      this.track(this.syncStatus().catch((error: Error) => this.o.warn(`updating the node status: ${error.message}`)));
    };
    this.leaseTimer = setInterval(leaseTick, this.o.leaseRenewMs);
    this.statusTimer = setInterval(statusTick, this.o.statusUpdateMs);
    this.leaseTimer.unref();
    this.statusTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    await Promise.allSettled([...this.pending]);
  }
}
