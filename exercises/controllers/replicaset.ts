/**
 * Exercise 04-controllers/02-replicaset: the ReplicaSet controller, which keeps `spec.replicas`
 * pods alive for a ReplicaSet.
 *
 * One sync, level-triggered: read the ReplicaSet and the pods of its namespace from the informers'
 * caches (ctx.replicaSets, ctx.pods; never modify what they return), claim the pods it should
 * control (adopting orphans that match its selector, releasing its own that no longer match), then
 * create the missing pods in slow-start batches or delete the surplus, the least useful first, and
 * write the status. Every write goes through ctx.client; the suites record each call and compare.
 *
 * Read: lessons/core/04-controllers/04-replicaset.md
 * Check: npx kubelings check 04-controllers/02-replicaset
 * Upstream: kubernetes pkg/controller/replicaset/replica_set.go, replica_set_utils.go,
 * pkg/controller/controller_ref_manager.go, pkg/controller/controller_utils.go.
 */
import { isApiError } from '#engine/kube/errors.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { ClaimResult, ReplicaSetSyncContext, SyncResult } from '#engine/controllers/exercises.ts';
import { CONTROLLER_INDEX, NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { formatTime, getControllerOf, isPodReady, newControllerRef, objectKeyOf, parseTime, podFromTemplate, podReadyCondition } from '#engine/controllers/pods.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject, LabelSelector, Pod, ReplicaSet, ReplicaSetStatus } from '#engine/kube/types.ts';
import { SLOW_START_INITIAL_BATCH_SIZE } from '#engine/params.ts';

const PAGE = 'lessons/core/04-controllers/04-replicaset.md';
const todo = (what: string) => new NotImplemented('04-controllers/02-replicaset', PAGE, what);

/** Label selectors, from lesson 00 (the reference unless yours passes): objects.matchesSelector, objects.matchLabels. */
const objects = await loadComponent('objects');
void [
  isApiError,
  CONTROLLER_INDEX,
  NAMESPACE_INDEX,
  formatTime,
  getControllerOf,
  isPodReady,
  newControllerRef,
  objectKeyOf,
  parseTime,
  podFromTemplate,
  podReadyCondition,
  SLOW_START_INITIAL_BATCH_SIZE,
  objects,
];

/** A pod still counts: its phase is neither Succeeded nor Failed, and it has no deletionTimestamp. */
export function isPodActive(pod: Pod): boolean {
  // TODO
  throw todo('isPodActive()');
}

/**
 * Ready (isPodReady), and, unless minReadySeconds is 0, Ready since strictly more than
 * minReadySeconds before `now` (the Ready condition's lastTransitionTime; parseTime reads it).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  // TODO
  throw todo('isPodAvailable()');
}

/**
 * ClaimObject, for each object (controller_ref_manager.go):
 * - controlled by another owner (getControllerOf(o).uid is not owner's uid): not ours, skip;
 * - controlled by `owner`: claimed if the selector matches its labels; otherwise released,
 *   unless the owner is being deleted (then neither);
 * - an orphan (no controller): adopted (and claimed) if the selector matches, unless the owner
 *   or the orphan is being deleted (deletionTimestamp).
 * Pure: it decides; syncReplicaSet sends the patches.
 */
export function claimObjects<T extends KubeObject>(owner: KubeObject, selector: LabelSelector, items: readonly T[]): ClaimResult<T> {
  // TODO
  throw todo('claimObjects()');
}

/**
 * The `diff` pods to delete, best candidates first (ActivePodsWithRanks.Less): a pod not yet
 * on a node before one on a node; Pending before Unknown before Running; not Ready before Ready;
 * lower pod-deletion-cost annotation first; more active related pods on its node first (its
 * "rank": relatedPods are the pods of every ReplicaSet of the same Deployment); Ready more
 * recently first; more container restarts first; created more recently first. The last two times
 * compare in logarithmic buckets: floor(log2(nanoseconds since)), or -1 for a time not before
 * `now` (a node's clock may run ahead), ties broken by uid. When diff >= pods.length, every pod,
 * unsorted. The pod-deletion-cost is read as Go's strconv.ParseInt(text, 10, 32): base-10 digits
 * with an optional leading '-' (no '+', no leading zero, no spaces, no "0x10", "1e3" or "5.0"),
 * from -2147483648 to 2147483647; no annotation, or anything else, counts as 0.
 */
export function getPodsToDelete(pods: readonly Pod[], relatedPods: readonly Pod[], diff: number, now: number): Pod[] {
  // TODO
  throw todo('getPodsToDelete()');
}

/**
 * Calls fn() `count` times: first initialBatchSize calls at once, then twice as many, and so on
 * (never more than remain), waiting for each batch. After a batch in which a call failed, stop:
 * resolve with the successes so far and the first error. Why: a ReplicaSet of 500 pods whose
 * quota is exhausted fails 1 create, not 500.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<unknown>): Promise<{ successes: number; error?: Error }> {
  // TODO
  throw todo('slowStartBatch()');
}

/**
 * calculateStatus (replica_set_utils.go), from the ReplicaSet's active claimed pods:
 * replicas (how many), fullyLabeledReplicas (whose labels include the template's labels),
 * readyReplicas, availableReplicas (isPodAvailable with spec.minReadySeconds), observedGeneration
 * (metadata.generation); conditions: with a manageError and no ReplicaFailure condition yet, add
 * { type: ReplicaFailure, status: True, reason: FailedCreate (too few pods) or FailedDelete (too
 * many), message: the error's message, lastTransitionTime: now }; without one, remove it.
 */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: Error | undefined, now: number): ReplicaSetStatus {
  // TODO
  throw todo('calculateReplicaSetStatus()');
}

/**
 * One sync of the ReplicaSet `key` (syncReplicaSet):
 * 1. Gone from ctx.replicaSets? ctx.expectations.deleteExpectations(key); done.
 * 2. The active pods of its namespace (ctx.pods.byIndex(NAMESPACE_INDEX, ns)), claimed with
 *    claimObjects: adopt each with ctx.client.patchPodOwnerReferences(pod, [...its refs,
 *    newControllerRef(rs, 'apps/v1', 'ReplicaSet')]), release each with its refs minus ours.
 *    A pod that is gone (NotFound) is skipped; another error fails the sync.
 * 3. Only if ctx.expectations.satisfiedExpectations(key) and the ReplicaSet is not being deleted,
 *    manage the replicas: too few: expectCreations(key, n) with n at most ctx.burstReplicas,
 *    create podFromTemplate(...) pods with slowStartBatch, and creationObserved(key) for each one
 *    that was not created; too many: pick getPodsToDelete, expectDeletions(key, their keys),
 *    delete them all at once, deletionObserved for each failed delete (NotFound is no error).
 * 4. Write the status with ctx.client.updateReplicaSetStatus, only if it changed.
 * 5. Throw the error of step 3 if there was one (the workers retry with backoff); otherwise, if
 *    minReadySeconds > 0 and every replica is ready but not all available, ask to be run again
 *    after minReadySeconds.
 */
export async function syncReplicaSet(key: string, ctx: ReplicaSetSyncContext): Promise<SyncResult> {
  // TODO
  throw todo('syncReplicaSet()');
}
