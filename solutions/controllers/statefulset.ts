/**
 * Exercise 04-controllers/07-daemonset-statefulset, StatefulSet half (reference), after kubernetes
 * pkg/controller/statefulset/stateful_set_control.go (updateStatefulSet, processReplica,
 * processCondemned, the rolling update loop, computeReplicaStatus, completeRollingUpdate,
 * getStatefulSetRevisions) and stateful_set_utils.go (newVersionedStatefulSetPod, isHealthy).
 */
import { isApiError } from '#engine/apiserver/errors.ts';
import type { StatefulSetAction, StatefulSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { newControllerRef } from '#engine/controllers/pods.ts';
import { isRunningAndReady, newRevision, ordinalOf, revisionHoldsTemplate, revisionOfPod, statefulSetPod, templateOfRevision } from '#engine/controllers/statefulset-util.ts';
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '#engine/kube/types.ts';
import { computeHash } from './deployment.ts';
import { claimObjects, isPodAvailable } from './replicaset.ts';

const isFinished = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
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

async function claimPods(set: StatefulSet, ctx: StatefulSetSyncContext): Promise<Pod[]> {
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
      await ctx.client.patchPodOwnerReferences(pod, (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid));
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
  const status: StatefulSetStatus = { observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0, currentRevision: current, updateRevision: update };
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

const FIELDS = ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision'] as const;

export async function syncStatefulSet(key: string, ctx: StatefulSetSyncContext): Promise<SyncResult> {
  const cached = ctx.statefulSets.get(key);
  if (!cached) return {};
  const set = structuredClone(cached);
  const namespace = set.metadata.namespace ?? '';
  const now = ctx.now();
  const pods = (await claimPods(set, ctx)).filter((p) => ordinalOf(set, p) !== undefined);
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
  if (FIELDS.some((f) => (set.status?.[f] ?? 0) !== (status[f] ?? 0))) await ctx.client.updateStatefulSetStatus({ ...set, status });
  const minReady = set.spec.minReadySeconds ?? 0;
  return minReady > 0 && status.readyReplicas !== status.availableReplicas ? { requeueAfterMs: minReady * 1000 } : {};
}
