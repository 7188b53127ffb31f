/**
 * The garbage collector's wiring (given): an informer on every resource that can be listed,
 * watched and deleted (events excepted, as upstream ignores them), feeding the owner graph
 * (owner-graph.ts), and two queues of node uids on the learner's workqueue: attemptToDelete, whose
 * workers call the learner's attemptToDeleteItem, and attemptToOrphan, whose workers call
 * orphanDependents. After kubernetes pkg/controller/garbagecollector (garbagecollector.go:
 * attemptToDeleteWorker, attemptToOrphanWorker; graph_builder.go: processGraphChanges).
 *
 * Invariants: every graph change is applied before the nodes it names are queued; a virtual node
 * whose object exists but has not been seen by an informer yet is looked at again after
 * GC_VIRTUAL_NODE_RECHECK_MS (upstream requeues it until it is observed).
 */
import { RESOURCES, type ResourceInfo } from '../kube/resources.ts';
import type { KubeObject } from '../kube/types.ts';
import { CONTROLLER_WORKERS, GC_VIRTUAL_NODE_RECHECK_MS } from '../params.ts';
import type { GarbageCollectorContext, GraphNode } from './exercises.ts';
import { OwnerGraph, type GraphChanges } from './owner-graph.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

/** The resources the collector watches: listable, watchable, deletable, stored; not events. */
export function collectableResources(resources: readonly ResourceInfo[] = RESOURCES): ResourceInfo[] {
  return resources.filter((r) => !r.virtual && r.resource !== 'events' && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)));
}

export function newGarbageCollector(
  deps: ControllerDeps,
  resources: readonly ResourceInfo[] = collectableResources(),
): { deleteWorkers: QueueWorkers; orphanWorkers: QueueWorkers; graph: OwnerGraph } {
  const { controllers, informers, clock } = deps;
  const graph = new OwnerGraph();
  const workers = deps.workers ?? CONTROLLER_WORKERS;
  let deleteWorkers: QueueWorkers;
  let orphanWorkers: QueueWorkers;
  const queue = (changes: GraphChanges) => {
    for (const n of changes.attemptToDelete) deleteWorkers.enqueue(n.identity.uid);
    for (const n of changes.attemptToOrphan) orphanWorkers.enqueue(n.identity.uid);
  };
  const ctx: GarbageCollectorContext = {
    now: () => clock.now(),
    client: deps.client,
    attemptToDelete: (n: GraphNode) => deleteWorkers.enqueue(n.identity.uid),
    reportAbsent: (n: GraphNode) => queue(graph.reportAbsent(n)),
  };
  deleteWorkers = new QueueWorkers(
    controllers.newWorkQueue({ now: () => clock.now() }),
    async (uid) => {
      const node = graph.node(uid);
      if (!node) return {};
      const result = await controllers.attemptToDeleteItem(node, ctx);
      // Not observed yet: look again, until an informer shows it or the apiserver says it is gone.
      if (graph.node(uid) === node && node.virtual) return { requeueAfterMs: GC_VIRTUAL_NODE_RECHECK_MS };
      return result;
    },
    { name: 'garbagecollector', workers, clock, logger: deps.logger },
  );
  orphanWorkers = new QueueWorkers(
    controllers.newWorkQueue({ now: () => clock.now() }),
    async (uid) => {
      const node = graph.node(uid);
      return node ? controllers.orphanDependents(node, ctx) : {};
    },
    { name: 'garbagecollector-orphan', workers, clock, logger: deps.logger },
  );

  for (const info of resources) {
    const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    const typed = (o: KubeObject): KubeObject => (o.apiVersion && o.kind ? o : { ...o, apiVersion, kind: info.kind });
    const informer = informers.forResource<KubeObject>(info.resource);
    informer.on('add', (o) => queue(graph.observe(undefined, typed(o))));
    informer.on('update', (old, o) => queue(graph.observe(typed(old), typed(o))));
    informer.on('delete', (o) => queue(graph.remove(typed(o))));
  }
  return { deleteWorkers, orphanWorkers, graph };
}
