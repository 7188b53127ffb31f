/**
 * kube-controller-manager as a cluster component (`kubelings cluster up` runs it): leader election
 * on the Lease kube-system/kube-controller-manager, then, while leading, shared informers on pods,
 * ReplicaSets and Deployments and the ReplicaSet and Deployment controllers, whose sync functions
 * and workqueue come from the controllers component chosen by the door (the learner's with
 * `--impl mine` once lesson 04 passes, the reference otherwise).
 *
 * Flags: `--leader-elect false` runs the controllers at once without a Lease (as
 * --leader-elect=false does). Losing the Lease stops the controllers and their informers; the
 * manager keeps campaigning and starts them afresh when it leads again.
 *
 * Not here yet (lesson 04's later exercises, see DESIGN-04-07.md): the garbage collector (deleting
 * a Deployment leaves its ReplicaSets and pods for now), namespaces, EndpointSlices, node
 * lifecycle, DaemonSets, StatefulSets, Jobs and CronJobs.
 */
import type { ClusterComponent, ClusterContext } from '../cluster/cluster.ts';
import { loadComponent } from '../impl.ts';
import { EventRecorder } from '../scheduler/component.ts';
import { LEADER_ELECTION_LEASE_NAME } from '../params.ts';
import { newDeploymentController } from './deployment-controller.ts';
import { SharedInformerFactory } from './informers.ts';
import { kubeControllerClient } from './kube-api.ts';
import { LeaderElector, leaseStoreFor } from './leader-election.ts';
import { newReplicaSetController } from './replicaset-controller.ts';
import type { QueueWorkers } from './workers.ts';

export const CONTROLLER_MANAGER_NAME = 'kube-controller-manager';

export interface ControllerManagerOptions {
  /** Campaign for the Lease first (default true). */
  leaderElect?: boolean;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  workers?: number;
}

export interface RunningControllerManager {
  readonly elector?: LeaderElector;
  /** True while its controllers run. */
  running(): boolean;
  /** The workers of each running controller (for tests and the benchmark). */
  controllers(): Record<string, QueueWorkers>;
  stop(options?: { release?: boolean }): Promise<void>;
}

export async function runControllerManager(ctx: Pick<ClusterContext, 'client' | 'logger' | 'clock'>, options: ControllerManagerOptions = {}): Promise<RunningControllerManager> {
  const controllers = await loadComponent('controllers');
  const objects = await loadComponent('objects');
  let stopping = false;
  const warn = (m: string) => {
    if (!stopping) ctx.logger.warn(m);
  };
  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (source: string) => {
    let recorder = recorders.get(source);
    if (!recorder) recorders.set(source, (recorder = new EventRecorder(ctx.client, source, warn)));
    return recorder;
  };
  const client = kubeControllerClient(ctx.client, recorderFor);
  let current: { informers: SharedInformerFactory; workers: Record<string, QueueWorkers> } | undefined;
  let transition = Promise.resolve();

  const startControllers = async () => {
    const informers = new SharedInformerFactory(ctx.client, { logger: ctx.logger, clock: ctx.clock });
    const deps = { controllers, objects, informers, client, clock: ctx.clock, logger: ctx.logger, workers: options.workers };
    const rs = newReplicaSetController(deps);
    const deploy = newDeploymentController(deps);
    current = { informers, workers: { replicaset: rs.workers, deployment: deploy.workers } };
    await informers.start();
    rs.workers.start();
    deploy.workers.start();
    ctx.logger.info('controllers started', { controllers: 'replicaset,deployment' });
  };
  const stopControllers = async () => {
    const c = current;
    current = undefined;
    if (!c) return;
    c.informers.stop();
    await Promise.all(Object.values(c.workers).map((w) => w.stop()));
  };
  // Leading and losing alternate strictly, even if a renewal fails while the informers list.
  const serially = (fn: () => Promise<void>) => () => {
    transition = transition.then(fn, fn);
    return transition;
  };

  let elector: LeaderElector | undefined;
  if (options.leaderElect === false) {
    await startControllers();
  } else {
    elector = new LeaderElector({
      store: leaseStoreFor(ctx.client, 'kube-system', LEADER_ELECTION_LEASE_NAME),
      identity: options.identity,
      clock: ctx.clock,
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      onStartedLeading: serially(startControllers),
      onStoppedLeading: serially(stopControllers),
      logger: ctx.logger,
    });
    elector.run();
  }

  return {
    elector,
    running: () => current !== undefined,
    controllers: () => current?.workers ?? {},
    stop: async (o = { release: true }) => {
      stopping = true;
      if (elector) await elector.stop(o);
      await transition;
      await stopControllers();
      await Promise.all([...recorders.values()].map((r) => r.stop()));
    },
  };
}

/** The cluster component; `--leader-elect false` turns leader election off. */
export function controllerManagerComponent(flags: Record<string, unknown> = {}): ClusterComponent {
  return {
    name: CONTROLLER_MANAGER_NAME,
    async start(ctx) {
      const leaderElect = !(flags['leader-elect'] === 'false' || flags.leaderElect === false || flags.leaderElect === 'false');
      const running = await runControllerManager(ctx, { leaderElect });
      return { stop: () => running.stop() };
    },
  };
}
