/**
 * The garbage collector's owner graph (given, not graded), after kubernetes
 * pkg/controller/garbagecollector/graph.go and graph_builder.go: a node per object uid with its
 * owner references and its dependents, fed by the informers of every resource the collector
 * watches, and the decisions of processGraphChanges about which nodes the collector must look at.
 *
 *   const graph = new OwnerGraph();
 *   const { attemptToDelete, attemptToOrphan } = graph.observe(oldObject, object);   // add or update
 *   graph.remove(object);                       // a delete event: its dependents are to be looked at
 *   graph.node(uid)?.dependents;
 *
 * Invariants:
 * - a node's `dependents` are exactly the nodes whose `owners` name its uid;
 * - an owner named before it is seen gets a "virtual" node, to be looked at (does it exist?);
 * - an object that starts being deleted with the `orphan` finalizer is to be orphaned; one that
 *   starts with `foregroundDeletion` becomes deletingDependents, and it and its dependents are to be
 *   looked at; a removed node's dependents are to be looked at, and so are its owners that wait for
 *   their dependents (it may have been the last one);
 * - nothing here talks to the apiserver: it returns the nodes, the caller queues them.
 */
import type { KubeObject } from '../kube/types.ts';
import type { OwnerReference } from '../objects/types.ts';
import type { ObjectIdentity } from './api.ts';
import type { GraphNode } from './exercises.ts';

/** metav1.FinalizerDeleteDependents: the owner waits for its blocking dependents to be deleted first. */
export const FOREGROUND_DELETION_FINALIZER = 'foregroundDeletion';
/** metav1.FinalizerOrphanDependents: the dependents lose their reference to the owner, and stay. */
export const ORPHAN_FINALIZER = 'orphan';

class OwnerNode implements GraphNode {
  readonly dependentSet = new Set<OwnerNode>();
  constructor(
    public identity: ObjectIdentity,
    public owners: readonly OwnerReference[],
    public beingDeleted: boolean,
    public deletingDependents: boolean,
    public virtual: boolean,
  ) {}
  get dependents(): readonly GraphNode[] {
    return [...this.dependentSet];
  }
}

/** The nodes the collector should look at after a change. */
export interface GraphChanges {
  attemptToDelete: GraphNode[];
  attemptToOrphan: GraphNode[];
}

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const deleting = (o: KubeObject) => Boolean(o.metadata.deletionTimestamp);
/** deletionStartsWithFinalizer: `object` is being deleted with finalizer `f`, and `old` (if any) was not. */
const startsWith = (old: KubeObject | undefined, object: KubeObject, f: string) => deleting(object) && hasFinalizer(object, f) && (!old || !deleting(old) || !hasFinalizer(old, f));

export function identityOfObject(o: KubeObject): ObjectIdentity {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' };
}

export class OwnerGraph {
  private readonly nodes = new Map<string, OwnerNode>();

  /** The node of a uid, if the graph has one. */
  node(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** An object added (old undefined) or updated in an informer. */
  observe(old: KubeObject | undefined, object: KubeObject): GraphChanges {
    const changes: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const uid = object.metadata.uid;
    if (!uid) return changes;
    const owners = object.metadata.ownerReferences ?? [];
    let node = this.nodes.get(uid);
    if (!node) {
      node = new OwnerNode(identityOfObject(object), owners, deleting(object), deleting(object) && hasFinalizer(object, FOREGROUND_DELETION_FINALIZER), false);
      this.nodes.set(uid, node);
      this.addToOwners(node, owners, changes);
    } else {
      if (node.virtual) {
        node.virtual = false;
        node.identity = identityOfObject(object);
      }
      const before = new Map(node.owners.map((r) => [r.uid, r]));
      const after = new Map(owners.map((r) => [r.uid, r]));
      const added = owners.filter((r) => !before.has(r.uid));
      const removed = node.owners.filter((r) => !after.has(r.uid));
      // addUnblockedOwnersToDeleteQueue: an owner waiting for us may go on once we stop blocking it.
      const unblocked = [...removed.filter((r) => r.blockOwnerDeletion), ...owners.filter((r) => r.blockOwnerDeletion !== true && before.get(r.uid)?.blockOwnerDeletion === true)];
      for (const r of unblocked) {
        const owner = this.nodes.get(r.uid);
        if (owner?.deletingDependents) changes.attemptToDelete.push(owner);
      }
      node.owners = owners;
      this.addToOwners(node, added, changes);
      for (const r of removed) this.nodes.get(r.uid)?.dependentSet.delete(node);
      if (deleting(object)) node.beingDeleted = true;
    }
    // processTransitions
    if (startsWith(old, object, ORPHAN_FINALIZER)) {
      changes.attemptToOrphan.push(node);
    } else if (startsWith(old, object, FOREGROUND_DELETION_FINALIZER)) {
      node.deletingDependents = true;
      changes.attemptToDelete.push(...node.dependentSet, node);
    }
    return changes;
  }

  /** A delete event: the node leaves the graph. */
  remove(object: KubeObject): GraphChanges {
    const node = object.metadata.uid ? this.nodes.get(object.metadata.uid) : undefined;
    return node ? this.removeNode(node) : { attemptToDelete: [], attemptToOrphan: [] };
  }

  /** The collector found `node`'s object gone (or under another uid): as a delete event, for that very node. */
  reportAbsent(node: GraphNode): GraphChanges {
    const ours = this.nodes.get(node.identity.uid);
    return ours === node ? this.removeNode(ours) : { attemptToDelete: [], attemptToOrphan: [] };
  }

  private removeNode(node: OwnerNode): GraphChanges {
    this.nodes.delete(node.identity.uid);
    for (const r of node.owners) this.nodes.get(r.uid)?.dependentSet.delete(node);
    const changes: GraphChanges = { attemptToDelete: [...node.dependentSet], attemptToOrphan: [] };
    // The owners waiting for their dependents may go on now.
    for (const r of node.owners) {
      const owner = this.nodes.get(r.uid);
      if (owner?.deletingDependents) changes.attemptToDelete.push(owner);
    }
    return changes;
  }

  /** addDependentToOwners: owners not seen yet get a virtual node, to be looked at. */
  private addToOwners(node: OwnerNode, owners: readonly OwnerReference[], changes: GraphChanges): void {
    for (const r of owners) {
      let owner = this.nodes.get(r.uid);
      if (!owner) {
        owner = new OwnerNode({ apiVersion: r.apiVersion, kind: r.kind, namespace: node.identity.namespace, name: r.name, uid: r.uid }, [], false, false, true);
        this.nodes.set(r.uid, owner);
        changes.attemptToDelete.push(owner);
      }
      owner.dependentSet.add(node);
    }
  }
}
