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
import type { FilterFailure, FilterPlugin, FilterRunner, FilterVerdict, NodeInfo, PodInfo, Profile } from './framework.ts';
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
      { name: 'ImageLocality', weight: 1, score: s.imageLocalityScore, normalize: 'none' },
    ],
  };
}

/**
 * A FilterRunner for a profile. The nominator lists pods nominated to a node by preemption;
 * those with a priority at least the pod's are counted as already there, so a preemptor's place
 * is kept for it.
 */
export interface Nominator {
  /** How many pods are nominated anywhere (read on every node, so a field, not a call). */
  readonly nominatedCount: number;
  nominatedPods(nodeName: string): readonly PodInfo[];
}

const NO_NOMINATIONS: Nominator = { nominatedCount: 0, nominatedPods: () => [] };

export function filterRunner(profile: Profile, nominator: Nominator = NO_NOMINATIONS): FilterRunner {
  let lastPod: PodInfo | undefined;
  let run: (pod: PodInfo, node: NodeInfo) => FilterVerdict = () => null;
  return (pod, node) => {
    if (pod !== lastPod) {
      lastPod = pod;
      run = compileFilters(profile.filters.filter((p) => !p.skip?.(pod)));
    }
    if (nominator.nominatedCount === 0) return run(pod, node);
    const waiting = nominator.nominatedPods(node.name);
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

const tag = (verdict: FilterFailure, plugin: FilterPlugin): FilterFailure => ({ ...verdict, plugin: plugin.name });

/**
 * The filters in order, first failure wins. Each plugin gets a call site of its own (up to six),
 * so the JIT sees one target per site instead of one site with every plugin behind it; this is
 * the framework's concern only and changes no answer.
 */
function compileFilters(active: readonly FilterPlugin[]): (pod: PodInfo, node: NodeInfo) => FilterVerdict {
  const [p0, p1, p2, p3, p4, p5] = active;
  if (active.length > 6) {
    return (pod, node) => {
      for (const plugin of active) {
        const verdict = plugin.filter(pod, node);
        if (verdict) return tag(verdict, plugin);
      }
      return null;
    };
  }
  const f0 = p0?.filter, f1 = p1?.filter, f2 = p2?.filter, f3 = p3?.filter, f4 = p4?.filter, f5 = p5?.filter;
  return (pod, node) => {
    let v: FilterVerdict;
    if (f0 && (v = f0(pod, node))) return tag(v, p0!);
    if (f1 && (v = f1(pod, node))) return tag(v, p1!);
    if (f2 && (v = f2(pod, node))) return tag(v, p2!);
    if (f3 && (v = f3(pod, node))) return tag(v, p3!);
    if (f4 && (v = f4(pod, node))) return tag(v, p4!);
    if (f5 && (v = f5(pod, node))) return tag(v, p5!);
    return null;
  };
}
