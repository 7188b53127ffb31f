/**
 * The Deployment controller's wiring (given): handlers that turn Deployment, ReplicaSet and pod
 * changes into Deployment keys, and the context the learner's syncDeployment runs in. After
 * kubernetes pkg/controller/deployment/deployment_controller.go (addReplicaSet, updateReplicaSet,
 * deleteReplicaSet, deletePod, getDeploymentsForReplicaSet). Keys that keep failing are dropped
 * after DEPLOYMENT_MAX_RETRIES, as upstream's maxRetries.
 */
import type { Deployment, Pod, ReplicaSet } from '../kube/types.ts';
import type { DeploymentSyncContext } from './exercises.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import { getControllerOf, objectKeyOf } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';
import { CONTROLLER_WORKERS, DEPLOYMENT_MAX_RETRIES } from '../params.ts';

export function newDeploymentController(deps: ControllerDeps): { workers: QueueWorkers } {
  const { controllers, objects, informers, clock } = deps;
  const deployments = informers.forResource<Deployment>('deployments');
  const replicaSets = informers.forResource<ReplicaSet>('replicasets');
  const pods = informers.forResource<Pod>('pods');
  const ctx: DeploymentSyncContext = {
    now: () => clock.now(),
    deployments: deployments.lister,
    replicaSets: replicaSets.lister,
    pods: pods.lister,
    client: deps.client,
  };
  const queue = controllers.newWorkQueue({ now: () => clock.now() });
  const workers = new QueueWorkers(queue, (key) => controllers.syncDeployment(key, ctx), {
    name: 'deployment',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
    maxRetries: DEPLOYMENT_MAX_RETRIES,
  });

  const deploymentOf = (rs: ReplicaSet): Deployment | undefined => {
    const ref = getControllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = deployments.lister.get(`${rs.metadata.namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  };
  const matching = (rs: ReplicaSet): Deployment[] =>
    deployments.lister.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '').filter((d) => {
      try {
        return objects.matchesSelector(d.spec.selector, rs.metadata.labels);
      } catch {
        return false;
      }
    });
  const enqueueFor = (rs: ReplicaSet) => {
    if (getControllerOf(rs)) {
      const d = deploymentOf(rs);
      if (d) workers.enqueue(objectKeyOf(d));
      return;
    }
    for (const d of matching(rs)) workers.enqueue(objectKeyOf(d));
  };

  deployments.on('add', (d) => workers.enqueue(objectKeyOf(d)));
  deployments.on('update', (_old, d) => workers.enqueue(objectKeyOf(d)));
  deployments.on('delete', (d) => workers.enqueue(objectKeyOf(d)));

  replicaSets.on('add', enqueueFor);
  replicaSets.on('update', (old, rs) => {
    if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    if (getControllerOf(old)?.uid !== getControllerOf(rs)?.uid) {
      const before = deploymentOf(old);
      if (before) workers.enqueue(objectKeyOf(before));
    }
    enqueueFor(rs);
  });
  replicaSets.on('delete', (rs) => {
    const d = deploymentOf(rs);
    if (d) workers.enqueue(objectKeyOf(d));
  });

  // Recreate waits for the old pods to be gone: each pod deletion may let it go on.
  pods.on('delete', (pod) => {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = replicaSets.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    const d = rs && deploymentOf(rs);
    if (d && d.spec.strategy?.type === 'Recreate') workers.enqueue(objectKeyOf(d));
  });

  return { workers };
}
