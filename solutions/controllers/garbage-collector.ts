/**
 * Exercise 04-controllers/04-garbage-collector (reference): the garbage collector's decisions and
 * the namespace controller, after kubernetes pkg/controller/garbagecollector/garbagecollector.go
 * (attemptToDeleteItem, classifyReferences, isDangling, processDeletingDependentsItem,
 * orphanDependents, attemptToOrphanWorker) and pkg/controller/namespace/deletion/
 * namespaced_resources_deleter.go (Delete, deleteAllContent, deleteAllContentForGroupVersionResource,
 * estimateGracefulTerminationForPods, finalizeNamespace).
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { NamespacedResource, ObjectIdentity, PropagationPolicy } from '#engine/controllers/api.ts';
import type { GarbageCollectorContext, GraphNode, NamespaceSyncContext, OwnerLookup, OwnerReferenceClassification, SyncResult } from '#engine/controllers/exercises.ts';
import { FINALIZER_ESTIMATE_SECONDS, NAMESPACE_FINALIZER, updateNamespaceConditions } from '#engine/controllers/namespace-util.ts';
import { FOREGROUND_DELETION_FINALIZER, ORPHAN_FINALIZER } from '#engine/controllers/owner-graph.ts';
import { parseTime } from '#engine/controllers/pods.ts';
import type { KubeObject, Namespace, Pod } from '#engine/kube/types.ts';
import type { OwnerReference } from '#engine/objects/types.ts';

export function classifyOwnerReferences(references: readonly OwnerReference[], owners: readonly OwnerLookup[]): OwnerReferenceClassification {
  const result: OwnerReferenceClassification = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
  references.forEach((ref, i) => {
    const found = owners[i];
    if (!found?.exists || found.uid !== ref.uid) result.dangling.push(ref);
    else if (found.deletingDependents) result.waitingForDependentsDeletion.push(ref);
    else result.solid.push(ref);
  });
  return result;
}

const deletingDependents = (o: KubeObject) => Boolean(o.metadata.deletionTimestamp) && (o.metadata.finalizers ?? []).includes(FOREGROUND_DELETION_FINALIZER);

/** isDangling's live GET of one owner, in the item's namespace (cluster-scoped kinds ignore it). */
async function lookUpOwner(ref: OwnerReference, item: GraphNode, ctx: GarbageCollectorContext): Promise<OwnerLookup> {
  const owner = await ctx.client.getObject({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: item.identity.namespace, name: ref.name });
  if (!owner) return { exists: false };
  return { exists: true, uid: owner.metadata.uid, deletingDependents: deletingDependents(owner) };
}

/** processDeletingDependentsItem: the item waits for its blocking dependents; none left → drop its finalizer. */
async function processDeletingDependents(item: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult> {
  const blocking = item.dependents.filter((dep) => dep.owners.some((r) => r.uid === item.identity.uid && r.blockOwnerDeletion === true));
  if (blocking.length === 0) {
    await ctx.client.removeFinalizer(item.identity, FOREGROUND_DELETION_FINALIZER);
    return {};
  }
  for (const dep of blocking) if (!dep.deletingDependents) ctx.attemptToDelete(dep);
  return {};
}

export async function attemptToDeleteItem(item: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult> {
  // Being deleted, and not by us in the foreground: wait for it to go; its dependents are looked at then.
  if (item.beingDeleted && !item.deletingDependents) return {};
  const latest = await ctx.client.getObject(item.identity);
  if (!latest || latest.metadata.uid !== item.identity.uid) {
    ctx.reportAbsent(item);
    return {};
  }
  if (item.deletingDependents) return processDeletingDependents(item, ctx);
  const references = latest.metadata.ownerReferences ?? [];
  if (references.length === 0) return {};

  const lookups: OwnerLookup[] = [];
  for (const ref of references) lookups.push(await lookUpOwner(ref, item, ctx));
  const { solid, dangling, waitingForDependentsDeletion: waiting } = classifyOwnerReferences(references, lookups);

  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return {};
    // Drop the references to gone owners, and to owners waiting for us: they would wait for ever.
    const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
    await ctx.client.patchOwnerReferences(
      item.identity,
      references.filter((r) => !drop.has(r.uid)),
    );
    return {};
  }
  if (waiting.length > 0 && item.dependents.length > 0) {
    // A dependent of ours deletes in the foreground too: unblock our owners first, or we could wait in a cycle.
    if (item.dependents.some((d) => d.deletingDependents)) {
      await ctx.client.patchOwnerReferences(
        item.identity,
        references.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)),
      );
    }
    await ctx.client.deleteObject(item.identity, 'Foreground');
    return {};
  }
  const finalizers = latest.metadata.finalizers ?? [];
  const policy: PropagationPolicy = finalizers.includes(ORPHAN_FINALIZER) ? 'Orphan' : finalizers.includes(FOREGROUND_DELETION_FINALIZER) ? 'Foreground' : 'Background';
  await ctx.client.deleteObject(item.identity, policy);
  return {};
}

export async function orphanDependents(owner: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult> {
  const failures: string[] = [];
  for (const dep of owner.dependents) {
    const rest = dep.owners.filter((r) => r.uid !== owner.identity.uid);
    try {
      await ctx.client.patchOwnerReferences(dep.identity, rest);
    } catch (error) {
      if (!isApiError(error, 'NotFound')) failures.push((error as Error).message);
    }
  }
  if (failures.length > 0) throw new Error(`orphaning the dependents of ${owner.identity.kind} ${owner.identity.name} failed: ${failures.join('; ')}`);
  await ctx.client.removeFinalizer(owner.identity, ORPHAN_FINALIZER);
  return {};
}

// ── the namespace controller ──────────────────────────────────────────────────────────────────────

interface ResourceTotals {
  estimateSeconds: number;
  remaining: number;
  finalizers: Map<string, number>;
  error?: string;
}

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const identity = (r: NamespacedResource, o: KubeObject): ObjectIdentity => ({
  apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
  kind: r.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name ?? '',
  uid: o.metadata.uid ?? '',
});

/** deleteAllContentForGroupVersionResource: delete, then count what is left and how long to wait for it. */
async function deleteAllOf(r: NamespacedResource, namespace: string, deletedAt: number, ctx: NamespaceSyncContext): Promise<ResourceTotals> {
  let estimateSeconds = 0;
  if (r.group === '' && r.resource === 'pods') {
    for (const pod of (await ctx.client.listObjects(r, namespace)) as Pod[]) {
      if (!isTerminal(pod)) estimateSeconds = Math.max(estimateSeconds, pod.spec.terminationGracePeriodSeconds ?? 30);
    }
    if (ctx.now() - deletedAt >= estimateSeconds * 1000) estimateSeconds = 0;
  }
  if (r.verbs.includes('deletecollection')) {
    await ctx.client.deleteCollection(r, namespace);
  } else if (r.verbs.includes('list')) {
    for (const item of await ctx.client.listObjects(r, namespace)) {
      try {
        await ctx.client.deleteObject(identity(r, item), 'Background');
      } catch (error) {
        if (!isApiError(error, 'NotFound')) throw error;
      }
    }
  }
  if (!r.verbs.includes('list')) return { estimateSeconds, remaining: 0, finalizers: new Map() };
  const left = await ctx.client.listObjects(r, namespace);
  if (left.length === 0) return { estimateSeconds: 0, remaining: 0, finalizers: new Map() };
  const finalizers = new Map<string, number>();
  for (const item of left) for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  if (estimateSeconds > 0) return { estimateSeconds, remaining: left.length, finalizers };
  if (finalizers.size > 0) return { estimateSeconds: FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
  const gvr = `${r.group}/${r.version}, Resource=${r.resource}`;
  return { estimateSeconds: 0, remaining: left.length, finalizers, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${gvr}` };
}

export async function syncNamespace(key: string, ctx: NamespaceSyncContext): Promise<SyncResult> {
  if (!ctx.namespaces.get(key)) return {};
  // Several controllers edit a namespace while it terminates: work from the latest, not the cache.
  let ns = (await ctx.client.getObject({ apiVersion: 'v1', kind: 'Namespace', name: key })) as Namespace | undefined;
  if (!ns?.metadata.deletionTimestamp) return {};
  if (ns.status?.phase !== 'Terminating') {
    ns = await ctx.client.updateNamespaceStatus({ ...structuredClone(ns), status: { ...structuredClone(ns.status ?? {}), phase: 'Terminating' } });
  }
  if ((ns.spec?.finalizers ?? []).length === 0) return {};

  const deletedAt = parseTime(ns.metadata.deletionTimestamp) ?? ctx.now();
  let estimateSeconds = 0;
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  const errors: string[] = [];
  for (const r of ctx.resources) {
    if (!r.verbs.includes('delete')) continue;
    let totals: ResourceTotals;
    try {
      totals = await deleteAllOf(r, key, deletedAt, ctx);
    } catch (error) {
      errors.push((error as Error).message);
      continue;
    }
    if (totals.error) errors.push(totals.error);
    estimateSeconds = Math.max(estimateSeconds, totals.estimateSeconds);
    if (totals.remaining > 0) {
      remaining.set(`${r.resource}.${r.group}`, totals.remaining);
      for (const [f, n] of totals.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
    }
  }
  const status = structuredClone(ns.status ?? {});
  if (updateNamespaceConditions(status, { remaining, finalizers, errors }, ctx.now())) {
    try {
      ns = await ctx.client.updateNamespaceStatus({ ...ns, status });
    } catch {
      // Upstream only logs a failed condition update: the next pass writes them again.
    }
  }
  if (errors.length > 0) throw new Error(errors.join(', '));
  if (estimateSeconds > 0) return { requeueAfterMs: (Math.floor(estimateSeconds / 2) + 1) * 1000 };
  try {
    await ctx.client.finalizeNamespace({ ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) } });
  } catch (error) {
    if (!isApiError(error, 'NotFound')) throw error;
  }
  return {};
}
