/**
 * Exercise 04-controllers/03-deployment: the Deployment controller, which rolls a Deployment's pods
 * from one template to the next through ReplicaSets.
 *
 * Each template gets its own ReplicaSet, named `<deployment>-<pod-template-hash>`. A rolling update
 * scales the new one up and the old ones down, never going above replicas + maxSurge pods nor
 * below replicas - maxUnavailable available ones. Each ReplicaSet carries a revision; `kubectl
 * rollout undo` puts an old template back, and the old ReplicaSet becomes the new one again. The
 * status carries the conditions `kubectl rollout status` reads: Available and Progressing.
 *
 * Read: lessons/core/04-controllers/05-deployment.md
 * Check: npx kubelings check 04-controllers/03-deployment
 * Upstream: kubernetes pkg/controller/deployment/ (sync.go, rolling.go, recreate.go, progress.go)
 * and util/deployment_util.go; ComputeHash in pkg/controller/controller_utils.go.
 */
import { isApiError } from '#engine/kube/errors.ts';
import * as util from '#engine/controllers/deployment-util.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { DeploymentSyncContext, Fenceposts, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { byCreationTimestamp, getControllerOf, newControllerRef, parseTime } from '#engine/controllers/pods.ts';
import type { Deployment, DeploymentStatus, PodTemplateSpec, ReplicaSet } from '#engine/kube/types.ts';
import { claimObjects } from './replicaset.ts';

const PAGE = 'lessons/core/04-controllers/05-deployment.md';
const todo = (what: string) => new NotImplemented('04-controllers/03-deployment', PAGE, what);
void [isApiError, util, CONTROLLER_INDEX, NAMESPACE_INDEX, byCreationTimestamp, getControllerOf, newControllerRef, parseTime, claimObjects];

/**
 * ResolveFenceposts: maxSurge and maxUnavailable as numbers of pods. Each is a whole number, or a
 * percentage string ("25%") of `replicas`: maxSurge rounds up, maxUnavailable rounds down. If both
 * come out 0, maxUnavailable is 1 (a rollout must be able to move). undefined counts as 0.
 */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, replicas: number): Fenceposts {
  // TODO
  throw todo('resolveFenceposts()');
}

/**
 * ComputeHash: FNV-32a (offset basis 2166136261, prime 16777619, over bytes) of the UTF-8 bytes of
 * util.deepHashString(template), then, if collisionCount is given, of 8 more bytes: collisionCount
 * as a little-endian uint32, then 4 zero bytes. The hash, written in decimal, is then made safe:
 * each character c becomes "bcdfghjklmnpqrstvwxz2456789"[c's char code % 27].
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  // TODO
  throw todo('computeHash()');
}

/**
 * NewRSNewReplicas: the new ReplicaSet's replicas now. Recreate: spec.replicas. RollingUpdate: the
 * pods may total spec.replicas + maxSurge (counting every ReplicaSet's spec.replicas); scale the new
 * one up by what is left of that, but never past spec.replicas.
 */
export function newRSNewReplicas(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  // TODO
  throw todo('newRSNewReplicas()');
}

/**
 * reconcileOldReplicaSets' arithmetic (rolling.go), returning name → new spec.replicas for each old
 * ReplicaSet to scale down (none: an empty map). minAvailable = spec.replicas - maxUnavailable
 * (maxUnavailable never above spec.replicas). With the active old ReplicaSets (spec.replicas > 0)
 * oldest first: maxScaledDown = all pods (spec) - minAvailable - the new ReplicaSet's unavailable
 * pods (spec - available); nothing if <= 0. First take up to maxScaledDown unavailable pods off the
 * old ReplicaSets (cleanupUnhealthyReplicas); then, while the available pods of the old and new
 * ReplicaSets exceed minAvailable, scale old ones down by the excess, oldest first.
 */
export function scaleDownOldReplicaSets(deployment: Deployment, oldRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): Map<string, number> {
  // TODO
  throw todo('scaleDownOldReplicaSets()');
}

/**
 * calculateStatus (sync.go): observedGeneration, replicas (sum of status.replicas), updatedReplicas
 * (the new ReplicaSet's status.replicas), readyReplicas, availableReplicas, unavailableReplicas
 * (sum of spec.replicas - available, at least 0), collisionCount kept, the current conditions
 * copied, and Available set (util.setDeploymentCondition): True MinimumReplicasAvailable when
 * available >= spec.replicas - maxUnavailable, else False MinimumReplicasUnavailable.
 */
export function calculateDeploymentStatus(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  // TODO
  throw todo('calculateDeploymentStatus()');
}

/**
 * syncRolloutStatus (progress.go): calculateDeploymentStatus, then, unless the rollout already
 * completed (replicas == updatedReplicas and Progressing's reason is NewReplicaSetAvailable), the
 * first that applies: complete (every replica updated and available, generation observed) → True
 * NewReplicaSetAvailable; progressing (more updated, ready or available pods, or fewer old ones,
 * than the Deployment's current status says) → True ReplicaSetUpdated (keep lastTransitionTime if
 * it was True); timed out (lastUpdateTime + progressDeadlineSeconds < now) → False
 * ProgressDeadlineExceeded (a NewReplicaSetAvailable condition never times out). Messages:
 * util.MESSAGES, or with no new ReplicaSet `Deployment "<name>" is progressing.` (has successfully
 * progressed. / has timed out progressing.). A ReplicaFailure of a ReplicaSet (the new one first)
 * is copied. When nothing changed and the rollout is neither complete nor timed out, requeueAfterMs
 * is the time left to the deadline plus 1 s (at least 1 s).
 */
export function rolloutStatus(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): { status: DeploymentStatus; requeueAfterMs?: number } {
  // TODO
  throw todo('rolloutStatus()');
}

/**
 * One sync of the Deployment `key` (syncDeployment; see the page for the whole walk-through):
 * 1. Gone? done. Claim the ReplicaSets of the namespace with claimObjects (adopt, release).
 * 2. Paused → the Progressing condition DeploymentPaused (Unknown), scale only, no new ReplicaSet.
 * 3. The new ReplicaSet: the oldest whose template equals the Deployment's (util.equalIgnoreHash);
 *    if none, create `<name>-<hash>` with the hash label in its template and selector, revision
 *    max(old revisions) + 1, replicas newRSNewReplicas; an existing one reused (a rollback) gets the
 *    new revision too. Set the Deployment's revision annotation (ctx.client.updateDeployment).
 * 4. RollingUpdate: scale the new one up (newRSNewReplicas); if nothing changed, scale old ones
 *    down (scaleDownOldReplicaSets). Recreate: old ones to 0, wait until their pods are gone, then
 *    the new one to spec.replicas. Record "Scaled up/down replica set <name> from <a> to <b>".
 * 5. Write rolloutStatus if it changed; delete old empty ReplicaSets beyond revisionHistoryLimit
 *    once the rollout is complete.
 */
export async function syncDeployment(key: string, ctx: DeploymentSyncContext): Promise<SyncResult> {
  // TODO
  throw todo('syncDeployment()');
}
