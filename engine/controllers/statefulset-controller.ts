/**
 * The StatefulSet controller's wiring (given): StatefulSet keys queued for the learner's
 * syncStatefulSet when a StatefulSet changes, when one of its pods or ControllerRevisions changes,
 * and when an orphan pod its selector matches appears. After kubernetes
 * pkg/controller/statefulset/stateful_set.go (addPod, updatePod, deletePod, resolveControllerRef).
 */
import type { ControllerRevision, Pod, StatefulSet } from '../kube/types.ts';
import { CONTROLLER_WORKERS } from '../params.ts';
import type { StatefulSetSyncContext } from './exercises.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import { getControllerOf, objectKeyOf } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

export function newStatefulSetController(deps: ControllerDeps): { workers: QueueWorkers } {
  const { controllers, objects, informers, clock } = deps;
  const sets = informers.forResource<StatefulSet>('statefulsets');
  const pods = informers.forResource<Pod>('pods');
  const revisions = informers.forResource<ControllerRevision>('controllerrevisions');
  const ctx: StatefulSetSyncContext = { now: () => clock.now(), statefulSets: sets.lister, pods: pods.lister, revisions: revisions.lister, client: deps.client };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => controllers.syncStatefulSet(key, ctx), {
    name: 'statefulset',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });
  const owner = (o: Pod | ControllerRevision) => {
    const ref = getControllerOf(o);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const set = sets.lister.get(`${o.metadata.namespace}/${ref.name}`);
    return set?.metadata.uid === ref.uid ? set : undefined;
  };
  const wake = (o: Pod | ControllerRevision) => {
    const set = owner(o);
    if (set) return workers.enqueue(objectKeyOf(set));
    if (getControllerOf(o) || o.kind === 'ControllerRevision') return;
    for (const s of sets.lister.byIndex(NAMESPACE_INDEX, o.metadata.namespace ?? '')) {
      try {
        if (objects.matchesSelector(s.spec.selector, o.metadata.labels)) workers.enqueue(objectKeyOf(s));
      } catch {
        // An invalid selector matches nothing.
      }
    }
  };
  sets.on('add', (s) => workers.enqueue(objectKeyOf(s)));
  sets.on('update', (_old, s) => workers.enqueue(objectKeyOf(s)));
  sets.on('delete', (s) => workers.enqueue(objectKeyOf(s)));
  pods.on('add', wake);
  pods.on('update', (old, p) => {
    if (old.metadata.resourceVersion === p.metadata.resourceVersion) return;
    wake(p);
    if (getControllerOf(old)?.uid !== getControllerOf(p)?.uid) wake(old);
  });
  pods.on('delete', wake);
  revisions.on('add', wake);
  revisions.on('delete', wake);
  return { workers };
}
