/**
 * Exercise 04-controllers/07-daemonset-statefulset (reference): the DaemonSet controller, after
 * kubernetes pkg/controller/daemon/daemon_controller.go (NodeShouldRunDaemonPod, predicates,
 * syncDaemonSet, manage, podsShouldBeOnNode, syncNodes, getUnscheduledPodsWithoutNode,
 * updateDaemonSetStatus), update.go (rollingUpdate without surge, findUpdatedPodsOnNode) and
 * util/daemonset_util.go; and the StatefulSet controller, after pkg/controller/statefulset/
 * stateful_set_control.go (updateStatefulSet, processReplica, processCondemned, the rolling update
 * loop, computeReplicaStatus, completeRollingUpdate, getStatefulSetRevisions) and
 * stateful_set_utils.go (newVersionedStatefulSetPod, isHealthy).
 */
import { isApiError } from '#engine/kube/errors.ts';
import { CONTROLLER_REVISION_HASH_LABEL, daemonPodFor, daemonPodTemplate, fitsNodeAffinity, pinToNode, targetNodeOf } from '#engine/controllers/daemon-util.ts';
import type { DaemonSetSyncContext, StatefulSetAction, StatefulSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { newControllerRef, objectKeyOf, parseTime, podFromTemplate } from '#engine/controllers/pods.ts';
import { isRunningAndReady, newRevision, ordinalOf, revisionHoldsTemplate, revisionOfPod, statefulSetPod, templateOfRevision } from '#engine/controllers/statefulset-util.ts';
import { loadComponent } from '#engine/impl.ts';
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, Pod, StatefulSet, StatefulSetStatus } from '#engine/kube/types.ts';
import { SLOW_START_INITIAL_BATCH_SIZE } from '#engine/params.ts';
import type { Taint, Toleration } from '#engine/scheduler/types.ts';
import { computeHash } from './deployment.ts';
import { claimObjects, isPodAvailable, slowStartBatch } from './replicaset.ts';

/** Toleration and node affinity matching, from lesson 03 (the reference unless yours passes). */
const scheduler = await loadComponent('scheduler');

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const no = { shouldRun: false, shouldContinueRunning: false };
  const wanted = ds.spec.template.spec.nodeName;
  if (wanted && wanted !== node.metadata.name) return no;
  const pod = daemonPodFor(ds, node);
  if (!fitsNodeAffinity(scheduler, pod, node)) return no;
  const tolerations = (pod.spec.tolerations ?? []) as Toleration[];
  const untolerated = (effects: string[]) => ((node.spec?.taints ?? []) as Taint[]).some((t) => effects.includes(t.effect) && !tolerations.some((tol) => scheduler.tolerates(tol, t)));
  if (!untolerated(['NoSchedule', 'NoExecute'])) return { shouldRun: true, shouldContinueRunning: true };
  // Not for new pods; one already there stays unless a NoExecute taint evicts it.
  return { shouldRun: false, shouldContinueRunning: !untolerated(['NoExecute']) };
}

const isFinished = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
/** podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name. */
const oldestFirst = (a: Pod, b: Pod) => {
  if (Boolean(a.spec.nodeName) !== Boolean(b.spec.nodeName)) return a.spec.nodeName ? -1 : 1;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  return ta !== tb ? ta - tb : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
};

async function claimPods(ds: DaemonSet, ctx: DaemonSetSyncContext): Promise<Pod[]> {
  const { claimed, adopt, release } = claimObjects(ds, ds.spec.selector, ctx.pods.byIndex(NAMESPACE_INDEX, ds.metadata.namespace ?? ''));
  const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
  const adopted = new Map<Pod, Pod>();
  for (const pod of adopt) {
    try {
      adopted.set(pod, await ctx.client.patchPodOwnerReferences(pod, [...(pod.metadata.ownerReferences ?? []), ref]));
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  for (const pod of release) {
    try {
      await ctx.client.patchPodOwnerReferences(
        pod,
        (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== ds.metadata.uid),
      );
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  return claimed.filter((p) => !adopt.includes(p) || adopted.has(p)).map((p) => adopted.get(p) ?? p);
}

/** syncNodes: create a pod pinned to each node, in slow-start batches, and delete the pods, with expectations. */
async function syncNodes(ds: DaemonSet, key: string, hash: string, toDelete: Pod[], nodes: string[], ctx: DaemonSetSyncContext): Promise<Error | undefined> {
  const creates = nodes.slice(0, ctx.burstReplicas);
  const deletes = toDelete.slice(0, ctx.burstReplicas);
  ctx.expectations.setExpectations(key, creates.length, deletes.map(objectKeyOf));
  const template = daemonPodTemplate(ds, hash);
  const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
  let next = 0;
  const { successes, error } = await slowStartBatch(creates.length, SLOW_START_INITIAL_BATCH_SIZE, () => {
    const pod = podFromTemplate(template, ds, ref);
    pod.spec.affinity = pinToNode(pod.spec.affinity, creates[next++]!);
    return ctx.client.createPod(ds.metadata.namespace ?? '', pod, ds);
  });
  for (let i = successes; i < creates.length; i++) ctx.expectations.creationObserved(key);
  let first = error;
  const results = await Promise.allSettled(deletes.map((p) => ctx.client.deletePod(p.metadata.namespace ?? '', p.metadata.name ?? '', ds)));
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    ctx.expectations.deletionObserved(key, objectKeyOf(deletes[i]!));
    if (!isApiError(r.reason, 'NotFound')) first ??= r.reason as Error;
  });
  return first;
}

/** The pods of each node (GetTargetNodeName: bound, or pinned by affinity). */
function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = targetNodeOf(pod);
    if (node === undefined) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return byNode;
}

/** manage: which nodes need a pod and which pods must go. */
function plan(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>): { create: string[]; remove: Pod[] } {
  const create: string[] = [];
  const remove: Pod[] = [];
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name) ?? [];
    if (shouldRun && pods.length === 0) {
      create.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (isFinished(pod)) remove.push(pod);
        else running.push(pod);
      }
      // One pod per node: keep the oldest.
      remove.push(...running.sort(oldestFirst).slice(1));
    } else {
      remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
  }
  // Pods pinned to nodes that no longer exist, not yet bound: nobody else will remove them.
  const known = new Set(nodes.map((n) => n.metadata.name));
  for (const [name, pods] of byNode) if (!known.has(name)) remove.push(...pods.filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp));
  return { create, remove };
}

/** rollingUpdate (no surge): delete old pods while no more than maxUnavailable daemon pods are unavailable. */
function oldPodsToDelete(ds: DaemonSet, byNode: Map<string, Pod[]>, hash: string, desired: number, now: number): Pod[] {
  const raw = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  let maxUnavailable = typeof raw === 'string' && raw.endsWith('%') ? Math.ceil((Number(raw.slice(0, -1)) * desired) / 100) : Number(raw);
  if (!(maxUnavailable > 0)) maxUnavailable = 1;
  const minReady = ds.spec.minReadySeconds ?? 0;
  let unavailable = 0;
  const replace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const name of [...byNode.keys()].sort()) {
    const live = byNode.get(name)!.filter((p) => !p.metadata.deletionTimestamp);
    const fresh = live.filter((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash);
    const old = live.filter((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== hash);
    if (fresh.length > 1 || old.length > 1 || (fresh.length === 0) === (old.length === 0)) {
      unavailable++; // manage handles this node
    } else if (fresh.length === 1) {
      if (!isPodAvailable(fresh[0]!, minReady, now)) unavailable++;
    } else if (!isPodAvailable(old[0]!, minReady, now)) {
      replace.push(old[0]!);
    } else if (unavailable < maxUnavailable) {
      candidates.push(old[0]!);
    }
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  return [...replace, ...candidates.slice(0, room)];
}

function daemonSetStatus(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, hash: string, now: number, observe: boolean): DaemonSetStatus {
  let desired = 0,
    current = 0,
    misscheduled = 0,
    ready = 0,
    available = 0,
    updated = 0;
  for (const node of nodes) {
    const pods = (byNode.get(node.metadata.name ?? '') ?? []).filter((p) => !(isFinished(p) && p.metadata.deletionTimestamp));
    if (nodeShouldRunDaemonPod(node, ds).shouldRun) {
      desired++;
      if (pods.length === 0) continue;
      current++;
      const pod = [...pods].sort(oldestFirst)[0]!;
      if (isPodAvailable(pod, 0, now)) {
        ready++;
        if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) available++;
      }
      if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) updated++;
    } else if (pods.length > 0) {
      misscheduled++;
    }
  }
  return {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: observe ? ds.metadata.generation : ds.status?.observedGeneration,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
    ...(ds.status?.collisionCount !== undefined ? { collisionCount: ds.status.collisionCount } : {}),
  };
}

const FIELDS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const;
const sameStatus = (a: DaemonSetStatus | undefined, b: DaemonSetStatus) => FIELDS.every((f) => (a?.[f] ?? 0) === (b[f] ?? 0));

async function writeStatus(ds: DaemonSet, status: DaemonSetStatus, ctx: DaemonSetSyncContext): Promise<SyncResult> {
  if (!sameStatus(ds.status, status)) await ctx.client.updateDaemonSetStatus({ ...ds, status });
  const minReady = ds.spec.minReadySeconds ?? 0;
  return minReady > 0 && status.numberReady !== status.numberAvailable ? { requeueAfterMs: minReady * 1000 } : {};
}

export async function syncDaemonSet(key: string, ctx: DaemonSetSyncContext): Promise<SyncResult> {
  const cached = ctx.daemonSets.get(key);
  if (!cached) {
    ctx.expectations.deleteExpectations(key);
    return {};
  }
  const ds = structuredClone(cached);
  const selector = ds.spec.selector ?? {};
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    ctx.client.recordEvent(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
    return {};
  }
  if (ds.metadata.deletionTimestamp) return {};
  const now = ctx.now();
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
  const nodes = [...ctx.nodes.list()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const pods = await claimPods(ds, ctx);
  const byNode = podsByNode(pods);
  if (!ctx.expectations.satisfiedExpectations(key)) return writeStatus(ds, daemonSetStatus(ds, nodes, byNode, hash, now, false), ctx);

  const { create, remove } = plan(ds, nodes, byNode);
  let error = create.length || remove.length ? await syncNodes(ds, key, hash, remove, create, ctx) : undefined;
  if (!error && ctx.expectations.satisfiedExpectations(key) && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
    const old = oldPodsToDelete(ds, byNode, hash, desired, now);
    if (old.length) error = await syncNodes(ds, key, hash, old, [], ctx);
  }
  const result = await writeStatus(ds, daemonSetStatus(ds, nodes, byNode, hash, now, true), ctx);
  if (error) throw error;
  return result;
}

// ── StatefulSets ──────────────────────────────────────────────────────────────────────────────────

const isTerminating = (p: Pod) => Boolean(p.metadata.deletionTimestamp);

export function statefulSetActions(set: StatefulSet, pods: readonly Pod[], revisions: { current: string; update: string }, now: number): StatefulSetAction[] {
  if (set.metadata.deletionTimestamp) return [];
  const replicas = set.spec.replicas ?? 1;
  const monotonic = set.spec.podManagementPolicy !== 'Parallel';
  const minReady = set.spec.minReadySeconds ?? 0;
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = rolling ? (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
  const available = (p: Pod) => isRunningAndReady(p) && isPodAvailable(p, minReady, now);
  const healthy = (p: Pod) => available(p) && !isTerminating(p);

  const slots = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ordinal = ordinalOf(set, pod);
    if (ordinal === undefined) continue;
    if (ordinal < replicas) slots.set(ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);

  const actions: StatefulSetAction[] = [];
  // The lowest unhealthy pod: a missing replica counts, then the condemned from the lowest ordinal up.
  let firstUnhealthy: Pod | 'missing' | undefined;
  for (let i = 0; i < replicas && !firstUnhealthy; i++) {
    const pod = slots.get(i);
    if (!pod) firstUnhealthy = 'missing';
    else if (!healthy(pod)) firstUnhealthy = pod;
  }
  for (const pod of [...condemned].reverse()) if (!firstUnhealthy && !healthy(pod)) firstUnhealthy = pod;

  // 1. Every replica, in ordinal order: replace finished pods, create missing ones; OrderedReady
  //    stops at the first that is not there, not Running and Ready, or not yet available.
  for (let i = 0; i < replicas; i++) {
    const pod = slots.get(i);
    if (!pod) {
      actions.push({ action: 'create', ordinal: i, revision: rolling && i < partition ? 'current' : 'update' });
      if (monotonic) return actions;
      continue;
    }
    if (isFinished(pod)) {
      if (!isTerminating(pod)) actions.push({ action: 'delete', pod, reason: 'finished' });
      if (monotonic) return actions;
      continue;
    }
    if (monotonic && (isTerminating(pod) || !available(pod))) return actions;
  }
  // 2. Scale down: the highest ordinal first, one at a time when ordered.
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return actions;
      continue;
    }
    if (monotonic && !available(pod) && pod !== firstUnhealthy) return actions;
    actions.push({ action: 'delete', pod, reason: 'condemned' });
    if (monotonic) return actions;
  }
  // 3. Roll out: from the highest ordinal down to the partition, one pod at a time.
  if (!rolling) return actions;
  for (let target = replicas - 1; target >= partition; target--) {
    const pod = slots.get(target);
    if (!pod) return actions;
    if (revisionOfPod(pod) !== revisions.update && !isTerminating(pod)) {
      actions.push({ action: 'delete', pod, reason: 'update' });
      return actions;
    }
    if (!healthy(pod)) return actions;
  }
  return actions;
}

async function claimStatefulPods(set: StatefulSet, ctx: StatefulSetSyncContext): Promise<Pod[]> {
  const members = ctx.pods.byIndex(NAMESPACE_INDEX, set.metadata.namespace ?? '').filter((p) => ordinalOf(set, p) !== undefined);
  const { claimed, adopt, release } = claimObjects(set, set.spec.selector, members);
  const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
  const adopted = new Map<Pod, Pod>();
  for (const pod of adopt) {
    try {
      adopted.set(pod, await ctx.client.patchPodOwnerReferences(pod, [...(pod.metadata.ownerReferences ?? []), ref]));
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  for (const pod of release) {
    try {
      await ctx.client.patchPodOwnerReferences(
        pod,
        (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid),
      );
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  return claimed.filter((p) => !adopt.includes(p) || adopted.has(p)).map((p) => adopted.get(p) ?? p);
}

/** getStatefulSetRevisions: the update revision (found, rolled back to, or created) and the current one. */
async function revisionsOf(set: StatefulSet, ctx: StatefulSetSyncContext): Promise<{ current: ControllerRevision; update: ControllerRevision }> {
  const history = ctx.revisions.byIndex(CONTROLLER_INDEX, set.metadata.uid ?? '').sort((a, b) => a.revision - b.revision);
  const latest = history[history.length - 1];
  const equal = history.filter((r) => revisionHoldsTemplate(r, set.spec.template));
  const found = equal[equal.length - 1];
  let update: ControllerRevision;
  if (found && found === latest) update = found;
  else if (found) update = await ctx.client.updateControllerRevision({ ...structuredClone(found), revision: (latest?.revision ?? 0) + 1 });
  else update = await ctx.client.createControllerRevision(newRevision(set, (latest?.revision ?? 0) + 1, computeHash(set.spec.template, set.status?.collisionCount)));
  const current = history.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update };
}

function statefulSetStatus(set: StatefulSet, pods: readonly Pod[], current: string, update: string, now: number): StatefulSetStatus {
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: current,
    updateRevision: update,
  };
  for (const pod of pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isPodAvailable(pod, set.spec.minReadySeconds ?? 0, now)) status.availableReplicas!++;
    }
    if (!isTerminating(pod)) {
      if (revisionOfPod(pod) === current) status.currentReplicas!++;
      if (revisionOfPod(pod) === update) status.updatedReplicas!++;
    }
  }
  // completeRollingUpdate: every pod updated and ready, the update revision becomes the current one.
  if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = update;
  }
  if (set.status?.collisionCount !== undefined) status.collisionCount = set.status.collisionCount;
  return status;
}

const SET_FIELDS = ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision'] as const;

export async function syncStatefulSet(key: string, ctx: StatefulSetSyncContext): Promise<SyncResult> {
  const cached = ctx.statefulSets.get(key);
  if (!cached) return {};
  const set = structuredClone(cached);
  const namespace = set.metadata.namespace ?? '';
  const now = ctx.now();
  const pods = (await claimStatefulPods(set, ctx)).filter((p) => ordinalOf(set, p) !== undefined);
  const { current, update } = await revisionsOf(set, ctx);
  const names = { current: current.metadata.name ?? '', update: update.metadata.name ?? '' };
  for (const step of statefulSetActions(set, pods, names, now)) {
    if (step.action === 'create') {
      const revision = step.revision === 'current' ? current : update;
      try {
        await ctx.client.createPod(namespace, statefulSetPod(set, templateOfRevision(revision), step.ordinal, revision.metadata.name ?? ''), set);
      } catch (error) {
        // Created by an earlier sync whose pod the cache has not shown yet.
        if (!isApiError(error, 'AlreadyExists')) throw error;
      }
    } else {
      try {
        await ctx.client.deletePod(namespace, step.pod.metadata.name ?? '', set);
      } catch (error) {
        if (!isApiError(error, 'NotFound')) throw error;
      }
    }
  }
  const status = statefulSetStatus(set, pods, names.current, names.update, now);
  if (SET_FIELDS.some((f) => (set.status?.[f] ?? 0) !== (status[f] ?? 0))) await ctx.client.updateStatefulSetStatus({ ...set, status });
  const minReady = set.spec.minReadySeconds ?? 0;
  return minReady > 0 && status.readyReplicas !== status.availableReplicas ? { requeueAfterMs: minReady * 1000 } : {};
}
