/**
 * Hollow nodes (`kubelings cluster up --nodes N --hollow`), after kubemark's hollow kubelet and kwok:
 * N Node objects whose Ready condition and node Lease are kept fresh, and whose "kubelet" marks
 * every pod bound to them Running and Ready (with an IP from the node's podCIDR) without starting
 * anything, and finishes the deletion of pods deleted from them. A pod annotated
 * `kubelings.dev/complete-after: 5s` (or `fail-after`) finishes that long after it started, as
 * kwok's stages do: Succeeded with exit code 0 (Failed, exit code 1) when its restartPolicy is
 * Never (or OnFailure and it completed); otherwise its containers restart (restartCount + 1), as a
 * kubelet restarts them. pause(node) stops one node's heartbeats and its kubelet (as a crashed
 * kubelet would: Lease, status and pods left as they are); resume(node) starts them again. One process, one shared pod watch
 * (`spec.nodeName!=`) and one timer for every node, so 5,000 nodes cost a few hundred writes a second:
 * Lease renewals spread evenly over HOLLOW_LEASE_RENEW_MS, status heartbeats over
 * HOLLOW_STATUS_REPORT_MS, at most HOLLOW_MAX_WRITES_IN_FLIGHT requests at once.
 *
 * Identities: each node writes its Node, its Lease and its pods' status as its own kubelet would,
 * `system:node:<name>` in `system:nodes` (a token each, sharing the component's sockets). The one
 * shared pod watch, which has no upstream counterpart (each kubelet watches its own pods), runs as
 * the component, HOLLOW_NODES_USER.
 */
import { ALL_AUTHENTICATED, nodeUser, type UserInfo } from '../apiserver/auth.ts';
import { isApiError } from '../kube/errors.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { ClusterComponent, ClusterContext, RunningComponent } from '../cluster/cluster.ts';
import { KubelingsError } from '../errors.ts';
import {
  HOLLOW_COMPLETE_AFTER_ANNOTATION,
  HOLLOW_FAIL_AFTER_ANNOTATION,
  HOLLOW_HEARTBEAT_TICK_MS,
  HOLLOW_LEASE_RENEW_MS,
  HOLLOW_MAX_WRITES_IN_FLIGHT,
  HOLLOW_STATUS_REPORT_MS,
  WRITES_DRAIN_POLL_MS,
} from '../params.ts';
import type { Node, Pod } from '../kube/types.ts';
import { HeartbeatWheel } from './heartbeats.ts';
import {
  finishedPodStatus,
  HOLLOW_NODE_PREFIX,
  rfc3339,
  hollowNode,
  microTime,
  nodeConditions,
  nodeIP,
  nodeLease,
  podIP,
  podStage,
  runningPodStatus,
  type HollowNodeOptions,
  type PodStage,
} from './objects.ts';

/** A bounded pool of API writes: callers wait for a free slot, so bursts never open 5,000 sockets. */
class WritePool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  constructor(private readonly limit: number) {}
  async run<T>(write: () => Promise<T>): Promise<T | undefined> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.closed) {
      this.waiting.shift()?.();
      return undefined;
    }
    this.active++;
    try {
      return await write();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
  /** Refuses further writes and waits for those under way. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.waiting.length) this.waiting.shift()!();
    while (this.active > 0) await new Promise((r) => setTimeout(r, WRITES_DRAIN_POLL_MS));
  }
}

export interface HollowOptions extends HollowNodeOptions {
  nodes: number;
  /**
   * Register the Node objects and nothing more: no Leases, no heartbeats, no pod status, as
   * scheduler_perf creates its nodes (`--hollow static`). For measuring the scheduler alone.
   */
  static?: boolean;
  /** Index of the first node (default 0): hollow-node-<first>... */
  first?: number;
  /**
   * The node Leases' leaseDurationSeconds (kubelet's --node-lease-duration-seconds, default 40);
   * renewed at a quarter of it, as the kubelet does. Shorter for a node lifecycle controller with a
   * shorter grace period (the live demo, the tests).
   */
  leaseDurationSeconds?: number;
}

export interface HollowNodes {
  readonly names: string[];
  /** Pods marked Running so far. */
  readonly started: () => number;
  /** Stops this node's heartbeats and kubelet (a crashed kubelet); for tests and demos. */
  pause(name: string): void;
  /** Starts them again: the Lease and status are renewed at once, and its pods looked at. */
  resume(name: string): void;
  stop(): Promise<void>;
}

/** Who the hollow-nodes component is (its shared pod watch); each node writes as nodeUser(name). */
export const HOLLOW_NODES_USER: UserInfo = { username: 'kubelings:hollow-nodes', groups: [ALL_AUTHENTICATED] };

/**
 * Starts the nodes. With `ctx.clientAs` (a cluster's context), each node's writes go out as that
 * node's kubelet; without it (a test's bare client), every write goes out as `ctx.client`.
 */
export async function startHollowNodes(ctx: Pick<ClusterContext, 'client' | 'logger' | 'clock'> & Partial<Pick<ClusterContext, 'clientAs'>>, options: HollowOptions): Promise<HollowNodes> {
  const client: KubeClient = ctx.client;
  const kubelets = new Map<string, KubeClient>();
  /** The client of node `name`'s kubelet. */
  const kubelet = (name: string): KubeClient => {
    if (!ctx.clientAs) return client;
    let found = kubelets.get(name);
    if (!found) kubelets.set(name, (found = ctx.clientAs(nodeUser(name))));
    return found;
  };
  const logger = ctx.logger;
  const log = {
    warn: (m: string) => {
      if (!stopped) logger.warn(m);
    },
    info: (m: string, f?: Record<string, unknown>) => logger.info(m, f),
  };
  const pool = new WritePool(HOLLOW_MAX_WRITES_IN_FLIGHT);
  const first = options.first ?? 0;
  const indexes = Array.from({ length: options.nodes }, (_, i) => first + i);
  const names = indexes.map((i) => `${HOLLOW_NODE_PREFIX}${i}`);
  const byName = new Map(indexes.map((i) => [`${HOLLOW_NODE_PREFIX}${i}`, i]));
  const since = ctx.clock.now();
  const uids = new Map<string, string>();
  let stopped = false;

  // Register the nodes and their leases.
  await Promise.all(
    indexes.map((i) =>
      pool.run(async () => {
        const node = hollowNode(i, since, options);
        const client = kubelet(node.metadata.name!);
        let created: Node;
        try {
          created = await client.create('nodes', node);
        } catch (error) {
          if (!isApiError(error, 'AlreadyExists')) throw error;
          created = await client.get<Node>('nodes', node.metadata.name!);
          await client.patch(
            'nodes',
            node.metadata.name!,
            { status: { conditions: nodeConditions(since, since), capacity: node.status!.capacity, allocatable: node.status!.allocatable } },
            { subresource: 'status', type: 'strategic' },
          );
        }
        uids.set(node.metadata.name!, created.metadata.uid ?? '');
        if (options.static) return;
        const lease = nodeLease(node.metadata.name!, since, created.metadata.uid, options.leaseDurationSeconds);
        try {
          await client.create('leases', lease, { namespace: 'kube-node-lease' });
        } catch (error) {
          if (!isApiError(error, 'AlreadyExists')) throw error;
        }
      }),
    ),
  );

  if (options.static) {
    log.info('static hollow nodes registered', { nodes: indexes.length });
    return { names, started: () => 0, pause: () => {}, resume: () => {}, stop: async () => void (stopped = true) };
  }

  // The hollow kubelets: mark bound pods Running, finish deletions.
  const podsSeen = new Map<string, number>(); // node → pods given an IP so far
  const handled = new Set<string>();
  const paused = new Set<string>();
  /** Pods that finish later: key → when, how, and the pod as it was started. */
  const stages = new Map<string, { due: number; stage: PodStage; pod: Pod; startedAt: number }>();
  let started = 0;
  const onPod = (pod: Pod) => {
    const nodeName = pod.spec.nodeName;
    if (!nodeName || stopped || paused.has(nodeName)) return;
    const index = byName.get(nodeName);
    if (index === undefined) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`;
    if (pod.metadata.deletionTimestamp) {
      if (handled.has(`delete:${key}`)) return;
      handled.add(`delete:${key}`);
      stages.delete(key);
      void pool
        .run(() => kubelet(nodeName).delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }))
        .catch((error: Error) => {
          if (!isApiError(error, 'NotFound') && !isApiError(error, 'Conflict')) log.warn(`finishing the deletion of ${key}: ${error.message}`);
        });
      return;
    }
    if (handled.has(key)) return;
    handled.add(key);
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      // Already started (a restart of the cluster): keep its IP taken.
      podsSeen.set(nodeName, (podsSeen.get(nodeName) ?? 0) + 1);
      return;
    }
    const n = podsSeen.get(nodeName) ?? 0;
    podsSeen.set(nodeName, n + 1);
    const now = ctx.clock.now();
    const status = runningPodStatus(pod, nodeIP(index), podIP(index, n), now);
    const stage = podStage(pod, HOLLOW_COMPLETE_AFTER_ANNOTATION, HOLLOW_FAIL_AFTER_ANNOTATION);
    void pool
      .run(() => kubelet(nodeName).patch('pods', pod.metadata.name!, { status }, { namespace: pod.metadata.namespace, subresource: 'status', type: 'merge' }))
      .then(() => {
        started++;
        if (stage) stages.set(key, { due: now + stage.afterMs, stage, pod, startedAt: now });
      })
      .catch((error: Error) => {
        handled.delete(key);
        if (!isApiError(error, 'NotFound')) log.warn(`marking ${key} Running: ${error.message}`);
      });
  };
  const pods = new Informer<Pod>(client, 'pods', { fieldSelector: 'spec.nodeName!=', logger });
  pods.on('add', onPod);
  pods.on('update', (_old, pod) => onPod(pod));
  pods.on('delete', (pod) => {
    stages.delete(`${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`);
    handled.delete(`${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`);
    handled.delete(`delete:${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`);
  });
  await pods.start();

  // Heartbeats: leases every HOLLOW_LEASE_RENEW_MS, Ready every HOLLOW_STATUS_REPORT_MS, spread out.
  const renewMs = options.leaseDurationSeconds !== undefined ? (options.leaseDurationSeconds * 1000) / 4 : HOLLOW_LEASE_RENEW_MS;
  const leases = new HeartbeatWheel(indexes.length, renewMs, since + renewMs);
  const statuses = new HeartbeatWheel(indexes.length, HOLLOW_STATUS_REPORT_MS, since + HOLLOW_STATUS_REPORT_MS);
  /** A pod's containers exited: the pod finishes, or (restartPolicy) its containers start again. */
  const finish = (key: string, entry: { stage: PodStage; pod: Pod; startedAt: number }, t: number) => {
    const { pod, stage } = entry;
    const policy = pod.spec.restartPolicy ?? 'Always';
    const ends = policy === 'Never' || (policy === 'OnFailure' && stage.outcome === 'Succeeded');
    let status: Record<string, unknown>;
    if (ends) {
      stages.delete(key);
      status = finishedPodStatus(pod, stage.outcome, entry.startedAt, t);
    } else {
      // Restarted by the kubelet: one more restart, and the same stage again.
      const restarts = (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) + 1;
      const restarted = { ...pod, status: { ...pod.status, containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, restartCount: restarts })) } } as Pod;
      stages.set(key, { ...entry, pod: restarted, due: t + stage.afterMs });
      status = {
        containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image ?? '', ready: true, started: true, restartCount: restarts, state: { running: { startedAt: rfc3339(t) } } })),
      };
    }
    void pool
      .run(() => kubelet(pod.spec.nodeName!).patch('pods', pod.metadata.name!, { status }, { namespace: pod.metadata.namespace, subresource: 'status', type: 'merge' }))
      .catch((error: Error) => {
        if (!isApiError(error, 'NotFound')) log.warn(`finishing ${key}: ${error.message}`);
      });
  };
  const beat = () => {
    if (stopped) return;
    const t = ctx.clock.now();
    for (const [key, entry] of stages) if (entry.due <= t && !paused.has(entry.pod.spec.nodeName ?? '')) finish(key, entry, t);
    for (const i of leases.due(t)) {
      const name = names[i]!;
      if (paused.has(name)) continue;
      void pool
        .run(() => kubelet(name).patch('leases', name, { spec: { renewTime: microTime(t), holderIdentity: name } }, { namespace: 'kube-node-lease', type: 'merge' }))
        .catch((error: Error) => log.warn(`renewing the lease of ${name}: ${error.message}`));
    }
    for (const i of statuses.due(t)) {
      const name = names[i]!;
      if (paused.has(name)) continue;
      void pool
        .run(() => kubelet(name).patch('nodes', name, { status: { conditions: nodeConditions(t, since) } }, { subresource: 'status', type: 'strategic' }))
        .catch((error: Error) => log.warn(`posting the status of ${name}: ${error.message}`));
    }
  };
  const timer = setInterval(beat, HOLLOW_HEARTBEAT_TICK_MS);
  timer.unref();
  log.info('hollow nodes ready', { nodes: indexes.length });

  return {
    names,
    started: () => started,
    pause: (name) => {
      if (!byName.has(name)) throw new Error(`no hollow node named ${name}`);
      paused.add(name);
    },
    resume: (name) => {
      if (!paused.delete(name)) return;
      const t = ctx.clock.now();
      void pool.run(() => kubelet(name).patch('leases', name, { spec: { renewTime: microTime(t), holderIdentity: name } }, { namespace: 'kube-node-lease', type: 'merge' })).catch(() => undefined);
      void pool.run(() => kubelet(name).patch('nodes', name, { status: { conditions: nodeConditions(t, t) } }, { subresource: 'status', type: 'strategic' })).catch(() => undefined);
      for (const pod of pods.list()) if (pod.spec.nodeName === name) onPod(pod);
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      pods.stop();
      await pool.close();
    },
  };
}

/** The running component: stop, and pause/resume of one node (for in-process tests and demos). */
export type RunningHollowNodes = RunningComponent & Pick<HollowNodes, 'pause' | 'resume'>;

/**
 * `--nodes N --hollow` (flags.nodes, flags.hollow), with optional flags nodeCpu, nodeMemory, nodePods
 * and --node-lease-duration-seconds (see HollowOptions.leaseDurationSeconds);
 * `--hollow static` registers the nodes only (see HollowOptions.static).
 */
export function hollowNodesComponent(flags: Record<string, unknown>): ClusterComponent[] {
  const nodes = Number(flags.nodes ?? 0);
  if (!flags.hollow || !(nodes > 0)) return [];
  const leaseFlag = flags['node-lease-duration-seconds'] ?? flags.nodeLeaseDurationSeconds; // as code writes it, or as `cluster up` hands it over
  const leaseDurationSeconds = leaseFlag === undefined ? undefined : Number(leaseFlag);
  if (leaseDurationSeconds !== undefined && !(Number.isInteger(leaseDurationSeconds) && leaseDurationSeconds > 0)) {
    throw new KubelingsError(`--node-lease-duration-seconds takes a whole number of seconds above 0, not "${String(leaseFlag)}".`);
  }
  return [
    {
      name: 'hollow-nodes',
      user: HOLLOW_NODES_USER,
      // Each node's kubelet, as startHollowNodes names the nodes (first 0).
      identities: Array.from({ length: nodes }, (_, i) => nodeUser(`${HOLLOW_NODE_PREFIX}${i}`)),
      async start(ctx) {
        const running = await startHollowNodes(ctx, {
          nodes,
          static: flags.hollow === 'static',
          cpu: flags.nodeCpu === undefined ? undefined : String(flags.nodeCpu),
          memory: flags.nodeMemory === undefined ? undefined : String(flags.nodeMemory),
          pods: flags.nodePods === undefined ? undefined : String(flags.nodePods),
          leaseDurationSeconds,
        });
        const handle: RunningHollowNodes = { stop: () => running.stop(), pause: (name) => running.pause(name), resume: (name) => running.resume(name) };
        return handle;
      },
    },
  ];
}
