/**
 * kube-controller-manager as a cluster component (`kubelings cluster up` runs it): leader election
 * on the Lease kube-system/kube-controller-manager, then, while leading, shared informers and the
 * controllers: ReplicaSet, Deployment, the garbage collector, namespace, EndpointSlice, node
 * lifecycle (with the taint manager), DaemonSet, StatefulSet (when the apiserver serves
 * ControllerRevisions), Job and CronJob. Their sync functions and workqueue come from the
 * controllers component chosen by the door (the learner's with `--impl mine` once lesson 04
 * passes, the reference otherwise); the Job and CronJob controllers are the engine's own, with the
 * learner's CronJob schedule. The disruption controller (PodDisruptionBudget status) and the
 * HorizontalPodAutoscaler controller (metrics from metrics.k8s.io) are the engine's own too.
 *
 * Flags: `--leader-elect false` runs the controllers at once without a Lease (as
 * --leader-elect=false does); `--node-monitor-grace-period 10s` and `--node-monitor-period 1s`
 * scale the node lifecycle controller down (the live demo); the HPA's
 * `--horizontal-pod-autoscaler-sync-period`, `-downscale-stabilization`,
 * `-cpu-initialization-period` and `-initial-readiness-delay` scale the autoscaler down (a demo or
 * a test that waits seconds, not five minutes). Losing the Lease stops the controllers
 * and their informers; the manager keeps campaigning and starts them afresh when it leads again.
 */
import { KUBE_CONTROLLER_MANAGER } from '../apiserver/auth.ts';
import type { ClusterComponent, ClusterContext } from '../cluster/cluster.ts';
import { loadComponent } from '../impl.ts';
import { EventRecorder } from '../scheduler/component.ts';
import { LEADER_ELECTION_LEASE_NAME } from '../params.ts';
import { newDeploymentController } from './deployment-controller.ts';
import { newDisruptionController } from './disruption-controller.ts';
import { SharedInformerFactory } from './informers.ts';
import { kubeControllerClient } from './kube-api.ts';
import { LeaderElector, leaseStoreFor } from './leader-election.ts';
import { newReplicaSetController } from './replicaset-controller.ts';
import { newCronJobController } from './cronjob-controller.ts';
import { newDaemonSetController } from './daemonset-controller.ts';
import { newEndpointSliceController } from './endpointslice-controller.ts';
import { newGarbageCollector } from './garbage-collector-controller.ts';
import { newHorizontalController, type HpaTunables } from './horizontal-controller.ts';
import { newJobController } from './job-controller.ts';
import { newNamespaceController } from './namespace-controller.ts';
import { newNodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle-controller.ts';
import { newStatefulSetController } from './statefulset-controller.ts';
import { findResource } from '../kube/resources.ts';
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
  /** The node lifecycle controller's grace and monitor periods (default NODE_MONITOR_*). */
  nodeLifecycle?: NodeLifecycleOptions;
  /** The HPA controller's periods (default HPA_* of engine/params.ts). */
  hpa?: Partial<HpaTunables>;
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
  let current: { informers: SharedInformerFactory; workers: Record<string, QueueWorkers>; timers: { stop(): void }[] } | undefined;
  let transition = Promise.resolve();

  const startControllers = async () => {
    const informers = new SharedInformerFactory(ctx.client, { logger: ctx.logger, clock: ctx.clock });
    const deps = { controllers, objects, informers, client, clock: ctx.clock, logger: ctx.logger, workers: options.workers };
    const gc = newGarbageCollector(deps);
    const nodes = newNodeLifecycleController(deps, options.nodeLifecycle);
    const workers: Record<string, QueueWorkers> = {
      replicaset: newReplicaSetController(deps).workers,
      deployment: newDeploymentController(deps).workers,
      garbagecollector: gc.deleteWorkers,
      'garbagecollector-orphan': gc.orphanWorkers,
      namespace: newNamespaceController(deps).workers,
      endpointslice: newEndpointSliceController(deps).workers,
      nodelifecycle: nodes.workers,
      daemonset: newDaemonSetController(deps).workers,
      job: newJobController(deps).workers,
      cronjob: newCronJobController(deps).workers,
      disruption: newDisruptionController({ ...deps, kube: ctx.client, recorder: recorderFor('controllermanager') }).workers,
      horizontalpodautoscaling: newHorizontalController({ ...deps, kube: ctx.client, recorder: recorderFor('horizontal-pod-autoscaler'), tunables: options.hpa }).workers,
    };
    // StatefulSets keep their history in ControllerRevisions: only where the apiserver serves them.
    if (findResource('apps', 'v1', 'controllerrevisions')) workers.statefulset = newStatefulSetController(deps).workers;
    current = { informers, workers, timers: [nodes] };
    await informers.start();
    for (const w of Object.values(workers)) w.start();
    nodes.start();
    ctx.logger.info('controllers started', { controllers: Object.keys(workers).join(',') });
  };
  const stopControllers = async () => {
    const c = current;
    current = undefined;
    if (!c) return;
    for (const t of c.timers) t.stop();
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
    user: KUBE_CONTROLLER_MANAGER,
    async start(ctx) {
      const leaderElect = !(flags['leader-elect'] === 'false' || flags.leaderElect === false || flags.leaderElect === 'false');
      // As written in code ('node-monitor-period') or as `cluster up --node-monitor-period` hands it over (camelCase).
      const nodeLifecycle = {
        gracePeriodMs: durationFlag(flags['node-monitor-grace-period'] ?? flags.nodeMonitorGracePeriod),
        monitorPeriodMs: durationFlag(flags['node-monitor-period'] ?? flags.nodeMonitorPeriod),
      };
      const running = await runControllerManager(ctx, { leaderElect, nodeLifecycle, hpa: hpaFlags(flags) });
      return { stop: () => running.stop() };
    },
  };
}

/** The HPA's kube-controller-manager flags (`--horizontal-pod-autoscaler-sync-period 2s`, ...), as written or camelCased; only those given. */
export function hpaFlags(flags: Record<string, unknown>): Partial<HpaTunables> {
  const flag = (name: string) =>
    durationFlag(flags[`horizontal-pod-autoscaler-${name}`] ?? flags[`horizontalPodAutoscaler${name.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase())}`]);
  const tunables: Partial<HpaTunables> = {
    syncPeriodMs: flag('sync-period'),
    downscaleStabilizationMs: flag('downscale-stabilization'),
    cpuInitializationPeriodMs: flag('cpu-initialization-period'),
    initialReadinessDelayMs: flag('initial-readiness-delay'),
  };
  if (tunables.syncPeriodMs === 0) throw new Error('--horizontal-pod-autoscaler-sync-period must be more than 0s');
  return Object.fromEntries(Object.entries(tunables).filter(([, v]) => v !== undefined));
}

/** A duration flag as Kubernetes writes them (`40s`, `500ms`, `5m`, `1m30s`); undefined when absent. */
export function durationFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: "${text}" (write 40s, 500ms or 5m)`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}
