/**
 * The scheduler component (lesson 03): every function the engine's scheduler reaches through
 * `loadComponent('scheduler')`. Don't change this file: fill in the exercise files it imports.
 */
import type { SchedulerExercises } from '#engine/scheduler/exercises.ts';
import { nodeName, nodeResourcesFit, podRequests } from './filters.ts';
import { preempt } from './preemption.ts';
import { newSchedulingQueue } from './queue.ts';
import { findNodesThatFit, fitErrorMessage, scheduleOne, selectHost } from './schedule-one.ts';
import {
  balancedAllocationScore,
  imageLocalityScore,
  leastAllocatedScore,
  nodeAffinityScore,
  nonZeroRequests,
  normalizeScores,
  numFeasibleNodesToFind,
  prioritizeNodes,
  taintTolerationScore,
} from './scores.ts';
import { nodeAffinity, nodePorts, nodeUnschedulable, taintToleration, tolerates } from './taints-affinity.ts';

export default {
  podRequests,
  tolerates,
  nodeName,
  nodeUnschedulable,
  nodeResourcesFit,
  nodeAffinity,
  taintToleration,
  nodePorts,
  nonZeroRequests,
  leastAllocatedScore,
  balancedAllocationScore,
  nodeAffinityScore,
  taintTolerationScore,
  imageLocalityScore,
  normalizeScores,
  prioritizeNodes,
  numFeasibleNodesToFind,
  newSchedulingQueue,
  findNodesThatFit,
  selectHost,
  fitErrorMessage,
  scheduleOne,
  preempt,
} satisfies SchedulerExercises;
