/**
 * The ReplicaSet controller's wiring (given): informer handlers that turn pod and ReplicaSet
 * changes into ReplicaSet keys, and the context the learner's syncReplicaSet runs in. After
 * kubernetes pkg/controller/replicaset/replica_set.go (addPod, updatePod, deletePod,
 * resolveControllerRef, getPodReplicaSets).
 *
 * Invariants: a pod with a controllerRef wakes only that controller (when the ref resolves to a
 * ReplicaSet with the same uid); an orphan wakes every ReplicaSet of its namespace whose selector
 * matches it (one of them may adopt it); a pod seen created or deleted lowers its controller's
 * expectations before the key is queued, so the sync it wakes may act again.
 */
import type { ObjectsExercises } from '../objects/exercises.ts';
import type { Pod, ReplicaSet } from '../kube/types.ts';
import type { ControllerClient } from './api.ts';
import type { ControllersExercises, ReplicaSetSyncContext } from './exercises.ts';
import { ControllerExpectations } from './expectations.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import type { SharedInformerFactory } from './informers.ts';
import { getControllerOf, isPodReady, objectKeyOf } from './pods.ts';
import { QueueWorkers } from './workers.ts';
import type { Clock } from '../etcd/clock.ts';
import type { Logger } from '../cluster/logger.ts';
import { CONTROLLER_WORKERS, REPLICASET_BURST_REPLICAS } from '../params.ts';

export interface ControllerDeps {
  controllers: ControllersExercises;
  objects: ObjectsExercises;
  informers: SharedInformerFactory;
  client: ControllerClient;
  clock: Clock;
  logger: Logger;
  workers?: number;
}

export function newReplicaSetController(deps: ControllerDeps): { workers: QueueWorkers; expectations: ControllerExpectations } {
  const { controllers, objects, informers, clock } = deps;
  const replicaSets = informers.forResource<ReplicaSet>('replicasets');
  const pods = informers.forResource<Pod>('pods');
  const expectations = new ControllerExpectations(() => clock.now());
  const ctx: ReplicaSetSyncContext = {
    now: () => clock.now(),
    replicaSets: replicaSets.lister,
    pods: pods.lister,
    expectations,
    client: deps.client,
    burstReplicas: REPLICASET_BURST_REPLICAS,
  };
  const queue = controllers.newWorkQueue({ now: () => clock.now() });
  const workers = new QueueWorkers(queue, (key) => controllers.syncReplicaSet(key, ctx), { name: 'replicaset', workers: deps.workers ?? CONTROLLER_WORKERS, clock, logger: deps.logger });

  /** resolveControllerRef: the ReplicaSet a pod's controllerRef names, if it is that very one. */
  const controllerOf = (pod: Pod): ReplicaSet | undefined => {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = replicaSets.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  };
  const matching = (pod: Pod): ReplicaSet[] =>
    replicaSets.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '').filter((rs) => {
      try {
        return objects.matchesSelector(rs.spec.selector, pod.metadata.labels);
      } catch {
        return false;
      }
    });

  const podDeleted = (pod: Pod) => {
    const rs = controllerOf(pod);
    if (!rs) return;
    const key = objectKeyOf(rs);
    expectations.deletionObserved(key, objectKeyOf(pod));
    workers.enqueue(key);
  };

  replicaSets.on('add', (rs) => workers.enqueue(objectKeyOf(rs)));
  replicaSets.on('update', (_old, rs) => workers.enqueue(objectKeyOf(rs)));
  replicaSets.on('delete', (rs) => {
    expectations.deleteExpectations(objectKeyOf(rs));
    workers.enqueue(objectKeyOf(rs));
  });

  pods.on('add', (pod) => {
    if (pod.metadata.deletionTimestamp) return podDeleted(pod);
    if (getControllerOf(pod)) {
      const rs = controllerOf(pod);
      if (!rs) return;
      expectations.creationObserved(objectKeyOf(rs));
      workers.enqueue(objectKeyOf(rs));
      return;
    }
    for (const rs of matching(pod)) workers.enqueue(objectKeyOf(rs));
  });
  pods.on('update', (old, pod) => {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      podDeleted(pod);
      if (labelsChanged) podDeleted(old);
      return;
    }
    const oldRef = getControllerOf(old);
    const ref = getControllerOf(pod);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) {
      const oldRS = controllerOf(old);
      if (oldRS) workers.enqueue(objectKeyOf(oldRS));
    }
    if (ref) {
      const rs = controllerOf(pod);
      if (!rs) return;
      workers.enqueue(objectKeyOf(rs));
      // A pod that just became ready is available only after minReadySeconds: look again then.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) workers.enqueueAfter(objectKeyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of matching(pod)) workers.enqueue(objectKeyOf(rs));
  });
  pods.on('delete', podDeleted);

  return { workers, expectations };
}
