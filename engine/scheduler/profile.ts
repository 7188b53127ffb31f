/**
 * The default profile: the scheduler component's functions wired as kube-scheduler's default plugins
 * (pkg/scheduler/apis/config/v1/default_plugins.go), in upstream's order and with upstream's weights,
 * which runtime.ts runs.
 *
 * Filters run NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit
 * and stop at the first that says no, so a node reports one plugin's reasons. Scores: TaintToleration
 * ×3, NodeAffinity ×2, NodeResourcesFit (LeastAllocated) ×1, NodeResourcesBalancedAllocation ×1,
 * ImageLocality ×1. PreFilter/PreScore "Skip" is modelled by `skip(pod)`.
 */
import type { SchedulerExercises } from './exercises.ts';
import type { PodInfo, Profile } from './framework.ts';

function selectsNodes(pod: PodInfo): boolean {
  const spec = pod.pod.spec;
  return Object.keys(spec.nodeSelector ?? {}).length > 0 || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
}

function prefersNodes(pod: PodInfo): boolean {
  return (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

export function defaultProfile(s: SchedulerExercises): Profile {
  return {
    filters: [
      { name: 'NodeUnschedulable', filter: s.nodeUnschedulable },
      { name: 'NodeName', filter: s.nodeName },
      { name: 'TaintToleration', filter: s.taintToleration },
      { name: 'NodeAffinity', filter: s.nodeAffinity, skip: (pod) => !selectsNodes(pod) },
      { name: 'NodePorts', filter: s.nodePorts, skip: (pod) => pod.hostPorts.length === 0 },
      { name: 'NodeResourcesFit', filter: s.nodeResourcesFit },
    ],
    scores: [
      { name: 'TaintToleration', weight: 3, score: s.taintTolerationScore, normalize: 'reverse' },
      { name: 'NodeAffinity', weight: 2, score: s.nodeAffinityScore, normalize: 'default', skip: (pod) => !prefersNodes(pod) },
      { name: 'NodeResourcesFit', weight: 1, score: s.leastAllocatedScore, normalize: 'none' },
      { name: 'NodeResourcesBalancedAllocation', weight: 1, score: s.balancedAllocationScore, normalize: 'none' },
      { name: 'ImageLocality', weight: 1, score: s.imageLocalityScore, normalize: 'none' },
    ],
  };
}
