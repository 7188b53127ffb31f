/**
 * Exercise 04-controllers/03-deployment (reference): the Deployment controller, after kubernetes
 * pkg/controller/deployment/ (deployment_controller.go syncDeployment, sync.go getNewReplicaSet,
 * scale, calculateStatus, cleanupDeployment; rolling.go; recreate.go; progress.go
 * syncRolloutStatus, requeueStuckDeployment), util/deployment_util.go (ResolveFenceposts,
 * NewRSNewReplicas, SetNewReplicaSetAnnotations) and pkg/controller/controller_utils.go
 * (ComputeHash).
 */
import { isApiError } from '#engine/kube/errors.ts';
import {
  ANNOTATIONS_TO_SKIP,
  AVAILABLE,
  DEPLOYMENT_PAUSED,
  DEPLOYMENT_RESUMED,
  DESIRED_REPLICAS_ANNOTATION,
  FOUND_NEW_REPLICA_SET,
  MAX_REPLICAS_ANNOTATION,
  MESSAGES,
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_REPLICA_SET_CREATED,
  NEW_RS_AVAILABLE,
  POD_TEMPLATE_HASH_LABEL,
  PROGRESS_DEADLINE_EXCEEDED,
  PROGRESSING,
  REPLICA_FAILURE,
  REPLICA_SET_CREATE_ERROR,
  REPLICA_SET_UPDATED,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  availableReplicasOf,
  deepHashString,
  desiredReplicas,
  equalIgnoreHash,
  getDeploymentCondition,
  maxRevision,
  newDeploymentCondition,
  removeDeploymentCondition,
  revisionOf,
  sameDeploymentStatus,
  setDeploymentCondition,
  specReplicasOf,
} from '#engine/controllers/deployment-util.ts';
import type { DeploymentSyncContext, Fenceposts, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { byCreationTimestamp, getControllerOf, newControllerRef, parseTime } from '#engine/controllers/pods.ts';
import type { Deployment, DeploymentStatus, PodTemplateSpec, ReplicaSet } from '#engine/kube/types.ts';
import { claimObjects } from './replicaset.ts';

// ── arithmetic ──

/** intstr.GetScaledValueFromIntOrPercent: a whole number, or a percentage of `total` rounded up or down. */
function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  // Validation (ValidatePositiveIntOrPercent) admits only "N%" strings; upstream refuses any other.
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, replicas: number): Fenceposts {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: unavailable };
}

const isRollingUpdate = (d: Deployment) => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

function fenceposts(d: Deployment): Fenceposts {
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desiredReplicas(d));
}

/** MaxSurge: 0 for Recreate. */
function maxSurgeOf(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).maxSurge : 0;
}

/** MaxUnavailable: 0 for Recreate or 0 replicas, never above the replicas. */
function maxUnavailableOf(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, replicas);
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let hash = 0x811c9dc5;
  const write = (bytes: Uint8Array) => {
    for (const byte of bytes) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  };
  write(new TextEncoder().encode(deepHashString(template)));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    write(bytes);
  }
  return [...String(hash >>> 0)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

export function newRSNewReplicas(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const desired = desiredReplicas(deployment);
  const current = newRS.spec.replicas ?? 0;
  if (!isRollingUpdate(deployment)) return desired;
  const maxTotal = desired + maxSurgeOf(deployment);
  const podCount = specReplicasOf(allRSs);
  if (podCount >= maxTotal) return current;
  return current + Math.min(maxTotal - podCount, desired - current);
}

export function scaleDownOldReplicaSets(deployment: Deployment, oldRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const active = oldRSs.filter((rs) => (rs.spec.replicas ?? 0) > 0).sort(byCreationTimestamp);
  const oldPods = specReplicasOf(active);
  if (oldPods === 0) return out;
  const newReplicas = newRS?.spec.replicas ?? 0;
  const allPods = oldPods + newReplicas;
  const minAvailable = desiredReplicas(deployment) - maxUnavailableOf(deployment);
  const newUnavailable = newReplicas - (newRS?.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  // Unhealthy replicas of old ReplicaSets go first: they would otherwise block the rollout.
  const replicas = new Map(active.map((rs) => [rs.metadata.name!, rs.spec.replicas ?? 0]));
  let cleaned = 0;
  for (const rs of active) {
    if (cleaned >= maxScaledDown) break;
    const spec = replicas.get(rs.metadata.name!)!;
    const unhealthy = spec - (rs.status?.availableReplicas ?? 0);
    if (spec === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    replicas.set(rs.metadata.name!, spec - down);
    out.set(rs.metadata.name!, spec - down);
    cleaned += down;
  }
  // Then available ones, oldest first, while more than minAvailable pods are available.
  const available = availableReplicasOf(active) + (newRS?.status?.availableReplicas ?? 0);
  if (available <= minAvailable) return out;
  const total = available - minAvailable;
  let scaled = 0;
  for (const rs of active) {
    if (scaled >= total) break;
    const spec = replicas.get(rs.metadata.name!)!;
    if (spec === 0) continue;
    const down = Math.min(spec, total - scaled);
    out.set(rs.metadata.name!, spec - down);
    replicas.set(rs.metadata.name!, spec - down);
    scaled += down;
  }
  return out;
}

// ── status ──

export function calculateDeploymentStatus(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const available = availableReplicasOf(allRSs);
  const unavailable = Math.max(0, specReplicasOf(allRSs) - available);
  const sum = (rss: readonly ReplicaSet[], f: (rs: ReplicaSet) => number | undefined) => rss.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const status: DeploymentStatus = {
    observedGeneration: deployment.metadata.generation,
    replicas: sum(allRSs, (rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    ...(deployment.status?.collisionCount !== undefined ? { collisionCount: deployment.status.collisionCount } : {}),
    conditions: (deployment.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  if (available >= desiredReplicas(deployment) - maxUnavailableOf(deployment)) {
    setDeploymentCondition(status, newDeploymentCondition(AVAILABLE, 'True', MINIMUM_REPLICAS_AVAILABLE, MESSAGES.available, now));
  } else {
    setDeploymentCondition(status, newDeploymentCondition(AVAILABLE, 'False', MINIMUM_REPLICAS_UNAVAILABLE, MESSAGES.unavailable, now));
  }
  return status;
}

const hasProgressDeadline = (d: Deployment) => d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/** DeploymentComplete: every replica updated and available, and the newest spec observed. */
function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: something moved since the status the Deployment has. */
function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getDeploymentCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === PROGRESS_DEADLINE_EXCEEDED) return true;
  if (c.reason === NEW_RS_AVAILABLE) return false;
  const from = parseTime(c.lastUpdateTime) ?? 0;
  return from + d.spec.progressDeadlineSeconds! * 1000 < now;
}

export function rolloutStatus(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): { status: DeploymentStatus; requeueAfterMs?: number } {
  const status = calculateDeploymentStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(status, PROGRESSING);
  const current = getDeploymentCondition(d.status, PROGRESSING);
  const complete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE;
  // Without a new ReplicaSet (Recreate, while old pods still run) the messages name the Deployment.
  const message = (ofReplicaSet: (rs: string) => string, ofDeployment: string) => (newRS ? ofReplicaSet(newRS.metadata.name ?? '') : `Deployment "${d.metadata.name}" ${ofDeployment}`);
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'True', NEW_RS_AVAILABLE, message(MESSAGES.complete, 'has successfully progressed.'), now));
    } else if (deploymentProgressing(d, status)) {
      const condition = newDeploymentCondition(PROGRESSING, 'True', REPLICA_SET_UPDATED, message(MESSAGES.progressing, 'is progressing.'), now);
      if (current) {
        if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
        removeDeploymentCondition(status, PROGRESSING);
      }
      setDeploymentCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'False', PROGRESS_DEADLINE_EXCEEDED, message(MESSAGES.timedOut, 'has timed out progressing.'), now));
    }
  }
  // A ReplicaFailure of the new (or else an old) ReplicaSet becomes the Deployment's.
  const failing = [newRS, ...allRSs]
    .filter((rs): rs is ReplicaSet => rs !== undefined)
    .map((rs) => rs.status?.conditions?.find((c) => c.type === REPLICA_FAILURE))
    .find((c) => c !== undefined);
  if (failing)
    setDeploymentCondition(status, {
      type: REPLICA_FAILURE,
      status: failing.status,
      reason: failing.reason,
      message: failing.message,
      lastUpdateTime: failing.lastTransitionTime,
      lastTransitionTime: failing.lastTransitionTime,
    });
  else removeDeploymentCondition(status, REPLICA_FAILURE);
  if (!sameDeploymentStatus(d.status, status)) return { status };
  // Nothing new: if the rollout is stuck, look again when its deadline would pass (requeueStuckDeployment).
  if (!hasProgressDeadline(d) || !current || deploymentComplete(d, status) || current.reason === PROGRESS_DEADLINE_EXCEEDED) return { status };
  const after = (parseTime(current.lastUpdateTime) ?? now) + d.spec.progressDeadlineSeconds! * 1000 - now;
  return { status, requeueAfterMs: after < 1000 ? 1000 : after + 1000 };
}

// ── the sync ──

interface SyncState {
  d: Deployment;
  ctx: DeploymentSyncContext;
  /** The deployment's annotations or status changed and must be written. */
}

function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision, keep the history. */
function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = a[REVISION_ANNOTATION];
  const old = had === undefined ? 0 : Number(had);
  if (!Number.isInteger(old)) return changed;
  if (old < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had !== undefined) a[REVISION_HISTORY_ANNOTATION] = a[REVISION_HISTORY_ANNOTATION] ? `${a[REVISION_HISTORY_ANNOTATION]},${had}` : had;
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurgeOf(d))) changed = true;
  return changed;
}

async function scaleReplicaSet(s: SyncState, rs: ReplicaSet, replicas: number, operation: 'up' | 'down'): Promise<ReplicaSet> {
  const copy = structuredClone(rs);
  const sizeChanged = (rs.spec.replicas ?? 0) !== replicas;
  const annotationsChanged = setReplicasAnnotations(copy, desiredReplicas(s.d), desiredReplicas(s.d) + maxSurgeOf(s.d));
  if (!sizeChanged && !annotationsChanged) return rs;
  copy.spec.replicas = replicas;
  const updated = await s.ctx.client.updateReplicaSet(copy);
  if (sizeChanged) s.ctx.client.recordEvent(s.d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${rs.spec.replicas ?? 0} to ${replicas}`);
  return updated ?? copy;
}

async function scaleAndRecord(s: SyncState, rs: ReplicaSet, replicas: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if ((rs.spec.replicas ?? 0) === replicas) return { scaled: false, rs };
  const updated = await scaleReplicaSet(s, rs, replicas, (rs.spec.replicas ?? 0) < replicas ? 'up' : 'down');
  return { scaled: true, rs: updated };
}

/** getReplicaSetsForDeployment: claim the ReplicaSets of the namespace (adopt and release through the API). */
async function replicaSetsFor(s: SyncState): Promise<ReplicaSet[]> {
  const { d, ctx } = s;
  const inNamespace = ctx.replicaSets.byIndex(NAMESPACE_INDEX, d.metadata.namespace ?? '');
  const { claimed, adopt, release } = claimObjects(d, d.spec.selector, inNamespace);
  const ref = newControllerRef(d, 'apps/v1', 'Deployment');
  const out: ReplicaSet[] = [];
  for (const rs of claimed) {
    if (!adopt.includes(rs)) {
      out.push(structuredClone(rs));
      continue;
    }
    try {
      out.push(await ctx.client.patchReplicaSetOwnerReferences(rs, [...(rs.metadata.ownerReferences ?? []), ref]));
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  for (const rs of release) {
    try {
      await ctx.client.patchReplicaSetOwnerReferences(
        rs,
        (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid),
      );
    } catch (error) {
      if (!isApiError(error, 'NotFound') && !isApiError(error, 'Invalid')) throw error;
    }
  }
  return out;
}

async function writeStatus(s: SyncState, status: DeploymentStatus): Promise<void> {
  s.d = (await s.ctx.client.updateDeploymentStatus({ ...s.d, status })) ?? { ...s.d, status };
}

async function setDeploymentRevision(s: SyncState, revision: string): Promise<void> {
  if (s.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
  const next = structuredClone(s.d);
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
  const written = await s.ctx.client.updateDeployment(next);
  s.d = { ...(written ?? next), status: s.d.status };
}

/** getNewReplicaSet: find the ReplicaSet whose template is the Deployment's, or create it. */
async function getNewReplicaSet(s: SyncState, rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const { ctx } = s;
  const existing = [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, s.d.spec.template));
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(s.d, copy, newRevision, true);
    const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (s.d.spec.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      copy.spec.minReadySeconds = s.d.spec.minReadySeconds ?? 0;
      return (await ctx.client.updateReplicaSet(copy)) ?? copy;
    }
    await setDeploymentRevision(s, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
    if (hasProgressDeadline(s.d) && !getDeploymentCondition(s.d.status, PROGRESSING)) {
      const status = structuredClone(s.d.status ?? {});
      setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'True', FOUND_NEW_REPLICA_SET, MESSAGES.found(copy.metadata.name ?? ''), ctx.now()));
      await writeStatus(s, status);
    }
    return copy;
  }
  if (!create) return undefined;
  const d = s.d;
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')] },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);
  let created: ReplicaSet;
  let alreadyExisted = false;
  try {
    created = (await ctx.client.createReplicaSet(newRS)) ?? newRS;
  } catch (error) {
    if (isApiError(error, 'AlreadyExists')) {
      const found = ctx.replicaSets.get(`${d.metadata.namespace}/${newRS.metadata.name}`);
      if (found && getControllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(found.spec.template, d.spec.template)) {
        created = structuredClone(found);
        alreadyExisted = true;
      } else {
        // A hash collision: another template hashed to this name. Bump collisionCount and retry.
        await writeStatus(s, { ...structuredClone(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
        throw error;
      }
    } else {
      const message = `Failed to create new replica set "${newRS.metadata.name}": ${(error as Error).message}`;
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'False', REPLICA_SET_CREATE_ERROR, message, ctx.now()));
        await writeStatus(s, status).catch(() => undefined);
      }
      ctx.client.recordEvent(d, 'Warning', REPLICA_SET_CREATE_ERROR, message);
      throw error;
    }
  }
  if (!alreadyExisted && (newRS.spec.replicas ?? 0) > 0) {
    ctx.client.recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newRS.spec.replicas}`);
  }
  await setDeploymentRevision(s, String(newRevision));
  if (!alreadyExisted && hasProgressDeadline(s.d)) {
    const status = structuredClone(s.d.status ?? {});
    setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'True', NEW_REPLICA_SET_CREATED, MESSAGES.created(created.metadata.name ?? ''), ctx.now()));
    await writeStatus(s, status);
  }
  return created;
}

async function allReplicaSets(s: SyncState, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
  const found = [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, s.d.spec.template));
  const oldRSs = rsList.filter((rs) => rs !== found);
  const newRS = await getNewReplicaSet(s, rsList, oldRSs, create);
  return { newRS, oldRSs };
}

const active = (rss: readonly (ReplicaSet | undefined)[]) => rss.filter((rs): rs is ReplicaSet => rs !== undefined && (rs.spec.replicas ?? 0) > 0);

/** scale(): a change of spec.replicas, spread over the active ReplicaSets. */
async function scale(s: SyncState, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const d = s.d;
  const want = desiredReplicas(d);
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const live = active([...newestFirst, newRS]);
  const activeOrLatest = live.length === 1 ? live[0] : live.length === 0 ? (newRS ?? newestFirst[0]) : undefined;
  if (activeOrLatest) {
    if ((activeOrLatest.spec.replicas ?? 0) !== want) await scaleAndRecord(s, activeOrLatest, want);
    return;
  }
  const saturated = newRS && newRS.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(want) && (newRS.spec.replicas ?? 0) === want && (newRS.status?.availableReplicas ?? 0) === want;
  if (saturated) {
    for (const old of active(oldRSs)) await scaleAndRecord(s, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  // Proportional scaling: each active ReplicaSet gets its share of the change, the largest the leftover.
  const all = active([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurgeOf(d) : 0;
  const toAdd = allowed - specReplicasOf(all);
  const bySize = (newerFirst: boolean) => (a: ReplicaSet, b: ReplicaSet) => (b.spec.replicas ?? 0) - (a.spec.replicas ?? 0) || (newerFirst ? byCreationTimestamp(b, a) : byCreationTimestamp(a, b));
  if (toAdd > 0) all.sort(bySize(true));
  else if (toAdd < 0) all.sort(bySize(false));
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    const size = rs.spec.replicas ?? 0;
    if (toAdd === 0 || size === 0 || toAdd === added) {
      sizes.set(rs, size);
      continue;
    }
    let fraction: number;
    if (want === 0) fraction = -size;
    else {
      const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? d.status?.replicas ?? 0);
      fraction = Math.round((size * (want + maxSurgeOf(d))) / (annotated || 1)) - size;
    }
    const proportion = toAdd > 0 ? Math.min(fraction, toAdd - added) : Math.max(fraction, toAdd - added);
    sizes.set(rs, size + proportion);
    added += proportion;
  }
  for (const [i, rs] of all.entries()) {
    let size = sizes.get(rs)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await scaleReplicaSet(s, rs, size, toAdd > 0 ? 'up' : 'down');
  }
}

/** cleanupDeployment: delete the oldest empty ReplicaSets beyond revisionHistoryLimit. */
async function cleanup(s: SyncState, oldRSs: ReplicaSet[]): Promise<void> {
  const limit = s.d.spec.revisionHistoryLimit;
  if (limit === undefined) return;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return;
  alive.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreationTimestamp(a, b));
  for (const rs of alive.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec.replicas ?? 0) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    await s.ctx.client.deleteReplicaSet(rs.metadata.namespace ?? '', rs.metadata.name ?? '');
  }
}

async function syncRollout(s: SyncState, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<SyncResult> {
  const { status, requeueAfterMs } = rolloutStatus(s.d, allRSs, newRS, s.ctx.now());
  if (!sameDeploymentStatus(s.d.status, status)) {
    await writeStatus(s, status);
    return {};
  }
  return requeueAfterMs === undefined ? {} : { requeueAfterMs };
}

async function syncStatusOnly(s: SyncState, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<SyncResult> {
  const status = calculateDeploymentStatus(s.d, allRSs, newRS, s.ctx.now());
  if (!sameDeploymentStatus(s.d.status, status)) await writeStatus(s, status);
  return {};
}

async function rolloutRolling(s: SyncState, rsList: ReplicaSet[]): Promise<SyncResult> {
  const { newRS, oldRSs } = await allReplicaSets(s, rsList, true);
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  if (newRS) {
    const want = desiredReplicas(s.d);
    const current = newRS.spec.replicas ?? 0;
    if (current !== want) {
      const target = current > want ? want : newRSNewReplicas(s.d, all, newRS);
      const { scaled, rs } = await scaleAndRecord(s, newRS, target);
      if (scaled)
        return syncRollout(
          s,
          all.map((r) => (r === newRS ? rs : r)),
          rs,
        );
    }
  }
  const plan = scaleDownOldReplicaSets(s.d, oldRSs, newRS);
  if (plan.size > 0) {
    const updated = [...all];
    for (const [name, replicas] of plan) {
      const i = updated.findIndex((rs) => rs.metadata.name === name);
      updated[i] = (await scaleAndRecord(s, updated[i]!, replicas)).rs;
    }
    return syncRollout(s, updated, newRS);
  }
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanup(s, oldRSs);
  return syncRollout(s, all, newRS);
}

async function rolloutRecreate(s: SyncState, rsList: ReplicaSet[]): Promise<SyncResult> {
  let { newRS, oldRSs } = await allReplicaSets(s, rsList, false);
  let all = [...oldRSs, ...(newRS ? [newRS] : [])];
  let scaledDown = false;
  for (const rs of active(oldRSs)) {
    const { scaled } = await scaleAndRecord(s, rs, 0);
    scaledDown ||= scaled;
  }
  if (scaledDown) return syncRollout(s, all, newRS);
  const oldPodsRunning =
    oldRSs.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0) > 0 ||
    oldRSs.some((rs) => s.ctx.pods.byIndex(CONTROLLER_INDEX, rs.metadata.uid ?? '').some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'));
  if (oldPodsRunning) return syncRollout(s, all, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await allReplicaSets(s, rsList, true));
    all = [...oldRSs, ...(newRS ? [newRS] : [])];
  }
  if (newRS) {
    const { rs } = await scaleAndRecord(s, newRS, desiredReplicas(s.d));
    all = all.map((r) => (r === newRS ? rs : r));
    newRS = rs;
  }
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanup(s, oldRSs);
  return syncRollout(s, all, newRS);
}

/** checkPausedConditions: Progressing Unknown, DeploymentPaused or DeploymentResumed. */
async function checkPausedConditions(s: SyncState): Promise<void> {
  if (!hasProgressDeadline(s.d)) return;
  const c = getDeploymentCondition(s.d.status, PROGRESSING);
  if (c?.reason === PROGRESS_DEADLINE_EXCEEDED) return;
  const paused = s.d.spec.paused === true;
  const pausedBefore = c?.reason === DEPLOYMENT_PAUSED;
  let condition;
  if (paused && !pausedBefore) condition = newDeploymentCondition(PROGRESSING, 'Unknown', DEPLOYMENT_PAUSED, MESSAGES.paused, s.ctx.now());
  else if (!paused && pausedBefore) condition = newDeploymentCondition(PROGRESSING, 'Unknown', DEPLOYMENT_RESUMED, MESSAGES.resumed, s.ctx.now());
  if (!condition) return;
  const status = structuredClone(s.d.status ?? {});
  setDeploymentCondition(status, condition);
  await writeStatus(s, status);
}

export async function syncDeployment(key: string, ctx: DeploymentSyncContext): Promise<SyncResult> {
  const cached = ctx.deployments.get(key);
  if (!cached) return {};
  const s: SyncState = { d: structuredClone(cached), ctx };
  const sel = s.d.spec.selector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
    ctx.client.recordEvent(s.d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((s.d.metadata.generation ?? 0) !== (s.d.status?.observedGeneration ?? 0)) await writeStatus(s, { ...structuredClone(s.d.status ?? {}), observedGeneration: s.d.metadata.generation });
    return {};
  }
  const rsList = await replicaSetsFor(s);
  if (s.d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = await allReplicaSets(s, rsList, false);
    return syncStatusOnly(s, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }
  await checkPausedConditions(s);
  const scalingEvent = async () => {
    const { newRS, oldRSs } = await allReplicaSets(s, rsList, false);
    return active([...oldRSs, newRS]).some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return desired !== undefined && Number(desired) !== desiredReplicas(s.d);
    });
  };
  if (s.d.spec.paused || (await scalingEvent())) {
    const { newRS, oldRSs } = await allReplicaSets(s, rsList, false);
    await scale(s, newRS, oldRSs);
    if (s.d.spec.paused) await cleanup(s, oldRSs);
    // Read what scale() wrote back from the cache on the next sync; report what we know now.
    return syncStatusOnly(s, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }
  return (s.d.spec.strategy?.type ?? 'RollingUpdate') === 'Recreate' ? rolloutRecreate(s, rsList) : rolloutRolling(s, rsList);
}
