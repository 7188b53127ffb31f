/**
 * The node lifecycle controller's wiring (given): node names queued for the learner's syncNode
 * when a node or its Lease changes, when a pod lands on or changes on a node (the taint manager
 * must look at it), and every monitor period for every node (monitorNodeHealth's loop: a node
 * whose heartbeats stop sends no event). After kubernetes
 * pkg/controller/nodelifecycle/node_lifecycle_controller.go (Run, monitorNodeHealth) and
 * pkg/controller/tainteviction (handlePodUpdate, handleNodeUpdate).
 *
 * Durations: --node-monitor-grace-period and --node-monitor-period flags of the controller-manager
 * (`cluster up --node-monitor-grace-period 10s`), else NODE_MONITOR_GRACE_PERIOD_MS and
 * NODE_MONITOR_PERIOD_MS.
 */
import type { Lease, Node, Pod } from '../kube/types.ts';
import { CONTROLLER_WORKERS, NODE_MONITOR_GRACE_PERIOD_MS, NODE_MONITOR_PERIOD_MS } from '../params.ts';
import type { NodeLifecycleContext } from './exercises.ts';
import { NODE_LEASE_NAMESPACE } from './node-util.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

export interface NodeLifecycleOptions {
  gracePeriodMs?: number;
  monitorPeriodMs?: number;
}

export function newNodeLifecycleController(deps: ControllerDeps, options: NodeLifecycleOptions = {}): { workers: QueueWorkers; start(): void; stop(): void } {
  const { controllers, informers, clock } = deps;
  const nodes = informers.forResource<Node>('nodes');
  const leases = informers.forResource<Lease>('leases');
  const pods = informers.forResource<Pod>('pods');
  const ctx: NodeLifecycleContext = {
    now: () => clock.now(),
    nodes: nodes.lister,
    leases: leases.lister,
    pods: pods.lister,
    client: deps.client,
    gracePeriodMs: options.gracePeriodMs ?? NODE_MONITOR_GRACE_PERIOD_MS,
  };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => controllers.syncNode(key, ctx), {
    name: 'nodelifecycle',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });
  const enqueue = (name: string | undefined) => {
    if (name) workers.enqueue(name);
  };
  nodes.on('add', (n) => enqueue(n.metadata.name));
  nodes.on('update', (_old, n) => enqueue(n.metadata.name));
  leases.on('add', (l) => l.metadata.namespace === NODE_LEASE_NAMESPACE && enqueue(l.metadata.name));
  leases.on('update', (_old, l) => l.metadata.namespace === NODE_LEASE_NAMESPACE && enqueue(l.metadata.name));
  pods.on('add', (p) => enqueue(p.spec.nodeName));
  pods.on('update', (old, p) => {
    if (old.spec.nodeName !== p.spec.nodeName || JSON.stringify(old.spec.tolerations ?? []) !== JSON.stringify(p.spec.tolerations ?? [])) enqueue(p.spec.nodeName);
  });

  const period = options.monitorPeriodMs ?? NODE_MONITOR_PERIOD_MS;
  let cancel: (() => void) | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    for (const n of nodes.lister.list()) enqueue(n.metadata.name);
    cancel = clock.setTimer(period, tick);
  };
  return {
    workers,
    start: () => {
      stopped = false;
      cancel = clock.setTimer(period, tick);
    },
    stop: () => {
      stopped = true;
      cancel?.();
    },
  };
}
