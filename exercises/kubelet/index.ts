/**
 * The kubelet component (lesson 05): every function the engine's kubelet agent reaches through
 * `loadComponent('kubelet')`. Don't change this file: fill in the exercise files it imports.
 */
import type { KubeletExercises } from '#engine/kubelet/exercises.ts';
import { getPhase, containerStatuses, generateAPIPodStatus, shouldContainerBeRestarted } from './pod-status.ts';
import { computePodActions, terminationGracePeriod, stopTimeout } from './sync-pod.ts';
import { newBackoff, doBackOff } from './restarts.ts';
import { newProbeWorker } from './probes.ts';
import { nodeConditions, nodeAllocatable, admitPod } from './node-status.ts';

export default {
  getPhase,
  containerStatuses,
  generateAPIPodStatus,
  computePodActions,
  terminationGracePeriod,
  stopTimeout,
  shouldContainerBeRestarted,
  newBackoff,
  doBackOff,
  newProbeWorker,
  nodeConditions,
  nodeAllocatable,
  admitPod,
} satisfies KubeletExercises;
