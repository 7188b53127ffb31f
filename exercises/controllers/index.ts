/**
 * The controllers component (lesson 04): every function the engine's controller-manager reaches
 * through `loadComponent('controllers')`. Don't change this file: fill in the exercise files it imports.
 */
import type { ControllersExercises } from '#engine/controllers/exercises.ts';
import { calculateDeploymentStatus, computeHash, newRSNewReplicas, resolveFenceposts, rolloutStatus, scaleDownOldReplicaSets, syncDeployment } from './deployment.ts';
import { nextScheduleTime } from './cronjob-schedule.ts';
import { nodeShouldRunDaemonPod, statefulSetActions, syncDaemonSet, syncStatefulSet } from './daemonset-statefulset.ts';
import { podEndpoints, reconcileEndpointSlices, syncService } from './endpointslices.ts';
import { attemptToDeleteItem, classifyOwnerReferences, orphanDependents, syncNamespace } from './garbage-collector.ts';
import { evictionTime, nodeHealth, syncNode, taintsForReadiness } from './node-lifecycle.ts';
import { calculateReplicaSetStatus, claimObjects, getPodsToDelete, isPodActive, isPodAvailable, slowStartBatch, syncReplicaSet } from './replicaset.ts';
import { newBucketRateLimiter, newDefaultControllerRateLimiter, newItemExponentialFailureRateLimiter, newMaxOfRateLimiter, newWorkQueue } from './workqueue.ts';

export default {
  newItemExponentialFailureRateLimiter,
  newBucketRateLimiter,
  newMaxOfRateLimiter,
  newDefaultControllerRateLimiter,
  newWorkQueue,
  isPodActive,
  isPodAvailable,
  claimObjects,
  getPodsToDelete,
  slowStartBatch,
  calculateReplicaSetStatus,
  syncReplicaSet,
  resolveFenceposts,
  computeHash,
  newRSNewReplicas,
  scaleDownOldReplicaSets,
  calculateDeploymentStatus,
  rolloutStatus,
  syncDeployment,
  classifyOwnerReferences,
  attemptToDeleteItem,
  orphanDependents,
  syncNamespace,
  podEndpoints,
  reconcileEndpointSlices,
  syncService,
  nodeHealth,
  taintsForReadiness,
  evictionTime,
  syncNode,
  nodeShouldRunDaemonPod,
  syncDaemonSet,
  statefulSetActions,
  syncStatefulSet,
  nextScheduleTime,
} satisfies ControllersExercises;
