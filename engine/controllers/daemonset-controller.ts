/**
 * The DaemonSet controller's wiring (given): DaemonSet keys queued for the learner's syncDaemonSet
 * when a DaemonSet changes, when a node comes, goes or changes (labels, taints, conditions: every
 * DaemonSet may now fit it or not), and when one of its pods changes (seen created or deleted: its
 * expectations are lowered first); an orphan pod wakes the DaemonSets whose selector matches it.
 * After kubernetes pkg/controller/daemon/daemon_controller.go (addNode, updateNode, deleteNode,
 * addPod, updatePod, deletePod, resolveControllerRef).
 */
import type { DaemonSet, Node, Pod } from '../kube/types.ts';
import { CONTROLLER_WORKERS, DAEMONSET_BURST_REPLICAS } from '../params.ts';
import type { DaemonSetSyncContext } from './exercises.ts';
import { ControllerExpectations } from './expectations.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import { getControllerOf, objectKeyOf } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

export function newDaemonSetController(deps: ControllerDeps): { workers: QueueWorkers; expectations: ControllerExpectations } {
  const { controllers, objects, informers, clock } = deps;
  const daemonSets = informers.forResource<DaemonSet>('daemonsets');
  const nodes = informers.forResource<Node>('nodes');
  const pods = informers.forResource<Pod>('pods');
  const expectations = new ControllerExpectations(() => clock.now());
  const ctx: DaemonSetSyncContext = {
    now: () => clock.now(),
    daemonSets: daemonSets.lister,
    nodes: nodes.lister,
    pods: pods.lister,
    expectations,
    client: deps.client,
    burstReplicas: DAEMONSET_BURST_REPLICAS,
  };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => controllers.syncDaemonSet(key, ctx), {
    name: 'daemonset',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });
  const all = () => daemonSets.lister.list().forEach((ds) => workers.enqueue(objectKeyOf(ds)));
  const controllerOf = (pod: Pod): DaemonSet | undefined => {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = daemonSets.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  };
  const matching = (pod: Pod) =>
    daemonSets.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '').filter((ds) => {
      try {
        return objects.matchesSelector(ds.spec.selector, pod.metadata.labels);
      } catch {
        return false;
      }
    });
  const deleted = (pod: Pod) => {
    const ds = controllerOf(pod);
    if (!ds) return;
    expectations.deletionObserved(objectKeyOf(ds), objectKeyOf(pod));
    workers.enqueue(objectKeyOf(ds));
  };

  daemonSets.on('add', (ds) => workers.enqueue(objectKeyOf(ds)));
  daemonSets.on('update', (_old, ds) => workers.enqueue(objectKeyOf(ds)));
  daemonSets.on('delete', (ds) => {
    expectations.deleteExpectations(objectKeyOf(ds));
    workers.enqueue(objectKeyOf(ds));
  });
  nodes.on('add', all);
  nodes.on('update', (old, n) => {
    const shape = (x: Node) => JSON.stringify([x.metadata.labels ?? {}, x.spec?.taints ?? [], (x.status?.conditions ?? []).map((c) => [c.type, c.status])]);
    if (shape(old) !== shape(n)) all();
  });
  nodes.on('delete', all);
  pods.on('add', (pod) => {
    if (pod.metadata.deletionTimestamp) return deleted(pod);
    const ds = controllerOf(pod);
    if (ds) {
      expectations.creationObserved(objectKeyOf(ds));
      workers.enqueue(objectKeyOf(ds));
    } else if (!getControllerOf(pod)) {
      for (const m of matching(pod)) workers.enqueue(objectKeyOf(m));
    }
  });
  pods.on('update', (old, pod) => {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp) return deleted(pod);
    const ds = controllerOf(pod) ?? controllerOf(old);
    if (ds) workers.enqueue(objectKeyOf(ds));
    else if (!getControllerOf(pod)) for (const m of matching(pod)) workers.enqueue(objectKeyOf(m));
  });
  pods.on('delete', deleted);
  return { workers, expectations };
}
