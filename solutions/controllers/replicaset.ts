/**
 * Exercise 04-controllers/02-replicaset (reference): the ReplicaSet controller's sync, after
 * kubernetes pkg/controller/replicaset/replica_set.go (syncReplicaSet, manageReplicas,
 * slowStartBatch, getPodsToDelete), replica_set_utils.go (calculateStatus),
 * pkg/controller/controller_ref_manager.go (ClaimObject) and pkg/controller/controller_utils.go
 * (IsPodActive, ActivePodsWithRanks), pkg/api/v1/pod/util.go (IsPodAvailable).
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { ClaimResult, ReplicaSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { getControllerOf, isPodReady, newControllerRef, objectKeyOf, parseTime, podFromTemplate, podReadyCondition } from '#engine/controllers/pods.ts';
import { formatTime } from '#engine/controllers/pods.ts';
import { SLOW_START_INITIAL_BATCH_SIZE } from '#engine/params.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject, LabelSelector, Pod, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from '#engine/kube/types.ts';
import type { OwnerReference } from '#engine/objects/types.ts';

const objects = await loadComponent('objects');

export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** podReadyTime: when a Ready pod became Ready; undefined for a pod that is not Ready. */
function readyTime(pod: Pod): number | undefined {
  return isPodReady(pod) ? parseTime(podReadyCondition(pod)?.lastTransitionTime) : undefined;
}

export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  // No ready time counts as Ready just now: not available yet (upstream: LastTransitionTime.IsZero()).
  return (readyTime(pod) ?? now) + minReadySeconds * 1000 < now;
}

export function claimObjects<T extends KubeObject>(owner: KubeObject, selector: LabelSelector, items: readonly T[]): ClaimResult<T> {
  const result: ClaimResult<T> = { claimed: [], adopt: [], release: [] };
  const ownerDeleting = Boolean(owner.metadata.deletionTimestamp);
  for (const item of items) {
    const ref = getControllerOf(item);
    const matches = objects.matchesSelector(selector, item.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue; // another controller's
      if (matches) result.claimed.push(item);
      else if (!ownerDeleting) result.release.push(item);
      continue;
    }
    // An orphan: adopt it if it matches, unless the owner or the orphan is on its way out.
    if (ownerDeleting || !matches || item.metadata.deletionTimestamp) continue;
    result.adopt.push(item);
    result.claimed.push(item);
  }
  return result;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const phaseOrdinal = (pod: Pod) => PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;

/**
 * The pod-deletion-cost annotation as GetDeletionCostFromPodAnnotations reads it: base-10 digits
 * with an optional leading '-' (no '+', no leading zero but for "0" itself, no spaces, no "1e3" or
 * "0x10"), in the int32 range. No annotation, or anything else, is 0.
 */
function deletionCost(pod: Pod): number {
  const text = pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  // Upstream checks only the first character for a leading zero, so "-07" is -7 there too.
  if (text === undefined || !/^(0|[1-9][0-9]*|-[0-9]+)$/.test(text)) return 0;
  const n = Number(text);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/** How many whole doublings of a nanosecond fit in now - t (-1 when t is not in the past). */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function restarts(pod: Pod): { regular: number; sidecar: number } {
  const sidecars = new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount));
  const sidecar = Math.max(0, ...(pod.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name)).map((s) => s.restartCount));
  return { regular, sidecar };
}

/**
 * Two times of pods i and j: negative when i's ranks it first (the newer), 0 when they are equal.
 * afterOrZero (an unset time first), then the logarithmic buckets (LogarithmicScaleDown), then the uid.
 */
function newerFirst(ti: number | undefined, tj: number | undefined, i: Pod, j: Pod, now: number): number {
  if (ti === tj) return 0;
  if (ti === undefined || tj === undefined) return ti === undefined ? -1 : 1;
  return logRank(ti, now) - logRank(tj, now) || ((i.metadata.uid ?? '') < (j.metadata.uid ?? '') ? -1 : 1);
}

/** ActivePodsWithRanks.Less as a comparator: negative when pod i should be deleted before pod j. */
function compareForDeletion(i: Pod, j: Pod, rankI: number, rankJ: number, now: number): number {
  const nodeI = i.spec.nodeName ?? '';
  const nodeJ = j.spec.nodeName ?? '';
  if (nodeI !== nodeJ && (nodeI === '' || nodeJ === '')) return nodeI === '' ? -1 : 1;
  const ri = restarts(i);
  const rj = restarts(j);
  return (
    phaseOrdinal(i) - phaseOrdinal(j) ||
    Number(isPodReady(i)) - Number(isPodReady(j)) ||
    deletionCost(i) - deletionCost(j) ||
    rankJ - rankI ||
    // Both Ready or neither here; readyTime is unset for a pod that is not, so then this is 0.
    newerFirst(readyTime(i), readyTime(j), i, j, now) ||
    rj.regular - ri.regular ||
    rj.sidecar - ri.sidecar ||
    newerFirst(parseTime(i.metadata.creationTimestamp), parseTime(j.metadata.creationTimestamp), i, j, now)
  );
}

export function getPodsToDelete(pods: readonly Pod[], relatedPods: readonly Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of relatedPods) if (isPodActive(p)) onNode.set(p.spec.nodeName ?? '', (onNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => compareForDeletion(a.pod, b.pod, a.rank, b.rank, now));
  return ranked.slice(0, diff).map((r) => r.pod);
}

export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<unknown>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length > 0) return { successes, error: failures[0]!.reason as Error };
    remaining -= batch;
  }
  return { successes };
}

export function calculateReplicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: Error | undefined, now: number): ReplicaSetStatus {
  const templateLabels = rs.spec.template.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (objects.matchLabels(templateLabels, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, rs.spec.minReadySeconds ?? 0, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: formatTime(now), reason, message: manageError.message });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  return {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation,
    ...(conditions.length ? { conditions } : {}),
  };
}

/** Adopts and releases through the API; returns the pods the ReplicaSet controls (claimPods). */
async function claimPods(rs: ReplicaSet, pods: Pod[], ctx: ReplicaSetSyncContext): Promise<Pod[]> {
  const { claimed, adopt, release } = claimObjects(rs, rs.spec.selector, pods);
  const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
  const adopted = new Map<Pod, Pod>();
  for (const pod of adopt) {
    try {
      adopted.set(pod, await ctx.client.patchPodOwnerReferences(pod, [...(pod.metadata.ownerReferences ?? []), ref]));
    } catch (error) {
      if (isApiError(error, 'NotFound')) continue; // gone meanwhile: nothing to adopt
      throw error;
    }
  }
  for (const pod of release) {
    const rest: OwnerReference[] = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    try {
      await ctx.client.patchPodOwnerReferences(pod, rest);
    } catch (error) {
      if (!isApiError(error, 'NotFound') && !isApiError(error, 'Invalid')) throw error;
    }
  }
  return claimed.filter((p) => !adopt.includes(p) || adopted.has(p)).map((p) => adopted.get(p) ?? p);
}

/** The active pods of every ReplicaSet with the same controller as `rs` (getIndirectlyRelatedPods). */
function relatedPods(rs: ReplicaSet, namespacePods: Pod[], ctx: ReplicaSetSyncContext): Pod[] {
  const ref = getControllerOf(rs);
  if (!ref) return [];
  const seen = new Set<Pod>(); // a pod matched by two of them counts once (upstream: by uid)
  const out: Pod[] = [];
  for (const other of ctx.replicaSets.byIndex(CONTROLLER_INDEX, ref.uid)) {
    if (other.metadata.namespace !== rs.metadata.namespace) continue;
    for (const pod of namespacePods) {
      if (seen.has(pod) || !objects.matchesSelector(other.spec.selector, pod.metadata.labels)) continue;
      seen.add(pod);
      out.push(pod);
    }
  }
  return out;
}

async function manageReplicas(rs: ReplicaSet, key: string, pods: Pod[], namespacePods: Pod[], ctx: ReplicaSetSyncContext): Promise<Error | undefined> {
  let diff = pods.length - (rs.spec.replicas ?? 1);
  if (diff < 0) {
    const creations = Math.min(-diff, ctx.burstReplicas);
    ctx.expectations.expectCreations(key, creations);
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const { successes, error } = await slowStartBatch(creations, SLOW_START_INITIAL_BATCH_SIZE, () =>
      ctx.client.createPod(rs.metadata.namespace ?? '', podFromTemplate(rs.spec.template, rs, ref), rs),
    );
    // Pods that were never created will never be observed: stop expecting them.
    for (let i = successes; i < creations; i++) ctx.expectations.creationObserved(key);
    return error;
  }
  if (diff > 0) {
    diff = Math.min(diff, ctx.burstReplicas);
    const victims = getPodsToDelete(pods, relatedPods(rs, namespacePods, ctx), diff, ctx.now());
    ctx.expectations.expectDeletions(key, victims.map(objectKeyOf));
    const results = await Promise.allSettled(victims.map((pod) => ctx.client.deletePod(pod.metadata.namespace ?? '', pod.metadata.name ?? '', rs)));
    let first: Error | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      ctx.expectations.deletionObserved(key, objectKeyOf(victims[i]!));
      if (!isApiError(r.reason, 'NotFound')) first ??= r.reason as Error;
    });
    return first;
  }
  return undefined;
}

function sameStatus(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const s: Partial<ReplicaSetStatus> = rs.status ?? {};
  return (
    (s.replicas ?? 0) === next.replicas &&
    (s.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (s.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (s.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (rs.metadata.generation ?? 0) === (s.observedGeneration ?? 0) &&
    JSON.stringify(s.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}

export async function syncReplicaSet(key: string, ctx: ReplicaSetSyncContext): Promise<SyncResult> {
  const cached = ctx.replicaSets.get(key);
  if (!cached) {
    ctx.expectations.deleteExpectations(key);
    return {};
  }
  const rs = structuredClone(cached);
  const needsSync = ctx.expectations.satisfiedExpectations(key);
  const namespacePods = ctx.pods.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '');
  const pods = await claimPods(rs, namespacePods.filter(isPodActive), ctx);
  let manageError: Error | undefined;
  if (needsSync && !rs.metadata.deletionTimestamp) manageError = await manageReplicas(rs, key, pods, namespacePods, ctx);
  const status = calculateReplicaSetStatus(rs, pods, manageError, ctx.now());
  let written = rs;
  if (!sameStatus(rs, status)) written = await ctx.client.updateReplicaSetStatus({ ...rs, status });
  if (manageError) throw manageError;
  const replicas = written.spec.replicas ?? 1;
  const minReady = written.spec.minReadySeconds ?? 0;
  const s = written.status ?? status;
  if (minReady > 0 && (s.readyReplicas ?? 0) === replicas && (s.availableReplicas ?? 0) !== replicas) return { requeueAfterMs: minReady * 1000 };
  return {};
}
