/**
 * The namespace controller's wiring (given): namespaces that carry a deletionTimestamp are queued,
 * after NAMESPACE_DELETION_DELAY_MS (upstream waits 5 s so that every apiserver has seen the
 * deletion and no create can still land in the namespace), for the learner's syncNamespace, with
 * the namespaced resources the apiserver serves that can be deleted. After kubernetes
 * pkg/controller/namespace/namespace_controller.go (enqueueNamespace, worker).
 */
import { RESOURCES, type ResourceInfo } from '../kube/resources.ts';
import type { Namespace } from '../kube/types.ts';
import { CONTROLLER_WORKERS, NAMESPACE_DELETION_DELAY_MS } from '../params.ts';
import type { NamespacedResource } from './api.ts';
import type { NamespaceSyncContext } from './exercises.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

/** Discovery's namespaced resources with the delete verb, as the namespace controller sees them. */
export function deletableNamespacedResources(resources: readonly ResourceInfo[] = RESOURCES): NamespacedResource[] {
  return resources.filter((r) => r.namespaced && !r.virtual && r.verbs.includes('delete')).map((r) => ({ group: r.group, version: r.version, resource: r.resource, kind: r.kind, verbs: r.verbs }));
}

export function newNamespaceController(deps: ControllerDeps): { workers: QueueWorkers } {
  const { controllers, informers, clock } = deps;
  const namespaces = informers.forResource<Namespace>('namespaces');
  const ctx: NamespaceSyncContext = { now: () => clock.now(), namespaces: namespaces.lister, resources: deletableNamespacedResources(), client: deps.client };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => controllers.syncNamespace(key, ctx), {
    name: 'namespace',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });
  const enqueue = (ns: Namespace) => {
    if (ns.metadata.deletionTimestamp) workers.enqueueAfter(ns.metadata.name ?? '', NAMESPACE_DELETION_DELAY_MS);
  };
  namespaces.on('add', enqueue);
  namespaces.on('update', (_old, ns) => enqueue(ns));
  return { workers };
}
