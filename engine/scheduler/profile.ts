/**
 * The default profile: the scheduler component's functions wired as kube-scheduler's default plugins
 * (pkg/scheduler/apis/config/v1/default_plugins.go), in upstream's order and with upstream's weights,
 * and the filter runner (framework.RunFilterPluginsWithNominatedPods).
 *
 * Filters run NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit
 * and stop at the first that says no, so a node reports one plugin's reasons. Scores: TaintToleration
 * ×3, NodeAffinity ×2, NodeResourcesFit (LeastAllocated) ×1, NodeResourcesBalancedAllocation ×1,
 * ImageLocality ×1. PreFilter/PreScore "Skip" is modelled by `skip(pod)`.
 */
import type { SchedulerExercises } from './exercises.ts';
import type { FilterPlugin, FilterRunner, NodeInfo, PodInfo, Profile } from './framework.ts';
import { addPod, cloneNodeInfo } from './nodeinfo.ts';

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
      { name: 'ImageLocality', weight: 1, score: (pod, node, context) => s.imageLocalityScore(pod, node, context), normalize: 'none' },
    ],
  };
}

/**
 * A FilterRunner for a profile. `nominated(node)` lists pods nominated to a node by preemption;
 * those with a priority at least the pod's are counted as already there, so a preemptor's place
 * is kept for it.
 */
export function filterRunner(profile: Profile, nominated: (nodeName: string) => readonly PodInfo[] = () => []): FilterRunner {
  let lastPod: PodInfo | undefined;
  let active: readonly FilterPlugin[] = profile.filters;
  const run = (pod: PodInfo, node: NodeInfo) => {
    for (const plugin of active) {
      const verdict = plugin.filter(pod, node);
      if (verdict) return { ...verdict, plugin: plugin.name };
    }
    return null;
  };
  return (pod, node) => {
    if (pod !== lastPod) {
      lastPod = pod;
      active = profile.filters.filter((p) => !p.skip?.(pod));
    }
    const waiting = nominated(node.name);
    if (waiting.length > 0) {
      const ahead = waiting.filter((p) => p.key !== pod.key && p.priority >= pod.priority && !node.pods.some((q) => q.key === p.key));
      if (ahead.length > 0) {
        const withNominated = cloneNodeInfo(node);
        for (const p of ahead) addPod(withNominated, p);
        return run(pod, withNominated);
      }
    }
    return run(pod, node);
  };
}
