/**
 * Explains a scheduling decision node by node, as kube-scheduler-simulator does: every filter
 * plugin's verdict on every node (not only the first failure, which is all the scheduler itself
 * keeps), and every score plugin's weighted score on the nodes that pass. Pure: it takes the
 * nodes and pods (as listed from the apiserver) and the scheduler component, and recomputes.
 *
 * For a pod already bound, the pod is first taken off its node, so the explanation answers "why
 * there?" against the cluster as it is now (which may differ from the moment it was bound).
 */
import { SchedulerCache } from './cache.ts';
import type { SchedulerExercises } from './exercises.ts';
import type { FilterFailure, NodeScores, PodInfo } from './framework.ts';
import { newPodInfo, podKey } from './nodeinfo.ts';
import { defaultProfile } from './profile.ts';
import type { Node, Pod } from '../kube/types.ts';

export interface NodeExplanation {
  node: string;
  /** Per filter plugin, in order: 'fits', 'skipped' (PreFilter said Skip) or the failure. */
  filters: { plugin: string; verdict: 'fits' | 'skipped' | FilterFailure }[];
  /** The plugin the scheduler would report (the first that fails), or undefined when the node fits. */
  rejectedBy?: string;
  /** Weighted score per plugin and the total, for nodes that fit. */
  scores?: { plugin: string; weight: number; score: number }[];
  total?: number;
}

export interface Explanation {
  pod: string;
  boundTo?: string;
  requests: PodInfo['requests'];
  nodes: NodeExplanation[];
  /** Names of the nodes with the highest total (ties: the scheduler picks one of them at random). */
  best: string[];
  /** Upstream's message when no node fits. */
  message?: string;
}

export function explainPod(component: SchedulerExercises, nodes: readonly Node[], pods: readonly Pod[], target: Pod): Explanation {
  const cache = new SchedulerCache();
  const key = podKey(target);
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) {
    if (!p.spec?.nodeName || podKey(p) === key) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    cache.addPod(newPodInfo(p, component));
  }
  const snapshot = cache.updateSnapshot();
  const pod = newPodInfo({ ...target, spec: { ...target.spec, nodeName: undefined } }, component);
  const profile = defaultProfile(component);
  const explained: NodeExplanation[] = [];
  const feasible = [];
  const diagnosis = new Map<string, FilterFailure>();
  for (const node of snapshot.nodes) {
    const filters: NodeExplanation['filters'] = [];
    let rejectedBy: string | undefined;
    for (const plugin of profile.filters) {
      if (plugin.skip?.(pod)) {
        filters.push({ plugin: plugin.name, verdict: 'skipped' });
        continue;
      }
      const verdict = plugin.filter(pod, node);
      filters.push({ plugin: plugin.name, verdict: verdict ?? 'fits' });
      if (verdict && !rejectedBy) {
        rejectedBy = plugin.name;
        diagnosis.set(node.name, { ...verdict, plugin: plugin.name });
      }
    }
    if (!rejectedBy) feasible.push(node);
    explained.push({ node: node.name, filters, ...(rejectedBy ? { rejectedBy } : {}) });
  }
  const best: string[] = [];
  if (feasible.length > 0) {
    const scores: NodeScores = component.prioritizeNodes(profile, pod, feasible, snapshot.scoreContext);
    const top = Math.max(...scores.total);
    scores.nodes.forEach((n, i) => {
      const e = explained.find((x) => x.node === n.name)!;
      e.scores = profile.scores.filter((p) => scores.byPlugin[p.name]).map((p) => ({ plugin: p.name, weight: p.weight, score: scores.byPlugin[p.name]![i]! }));
      e.total = scores.total[i]!;
      if (scores.total[i] === top) best.push(n.name);
    });
  }
  return {
    pod: key,
    ...(target.spec?.nodeName ? { boundTo: target.spec.nodeName } : {}),
    requests: pod.requests,
    nodes: explained,
    best,
    ...(feasible.length === 0 ? { message: component.fitErrorMessage(snapshot.nodes.length, diagnosis) } : {}),
  };
}

const SHORT: Record<string, string> = { NodeResourcesBalancedAllocation: 'BalancedAllocation', NodeResourcesFit: 'LeastAllocated' };

/** The explanation as text for a terminal (no colour; one block per node). */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  const cpu = `${e.requests.milliCPU}m`;
  const memory = e.requests.memory >= 2 ** 20 ? `${Math.round(e.requests.memory / 2 ** 20)}Mi` : `${e.requests.memory}`;
  lines.push(`Pod ${e.pod}: requests cpu ${cpu}, memory ${memory}${e.boundTo ? `; bound to ${e.boundTo}` : '; not bound yet'}`);
  lines.push(e.boundTo ? `Recomputed against the cluster as it is now, with the pod taken off ${e.boundTo}.` : 'As the scheduler sees the cluster now.');
  lines.push('');
  const width = Math.max(4, ...e.nodes.map((n) => n.node.length));
  for (const n of e.nodes) {
    const name = n.node.padEnd(width);
    if (n.rejectedBy) {
      const failures = n.filters.filter((f) => typeof f.verdict === 'object') as { plugin: string; verdict: FilterFailure }[];
      const [first, ...others] = failures;
      lines.push(`${name}  ✗ ${first!.plugin}: ${first!.verdict.reasons.join(', ')}`);
      for (const o of others) lines.push(`${' '.repeat(width)}    also ${o.plugin}: ${o.verdict.reasons.join(', ')}`);
    } else {
      const parts = (n.scores ?? []).map((s) => `${SHORT[s.plugin] ?? s.plugin} ${s.score}${s.weight !== 1 ? ` (×${s.weight})` : ''}`);
      const mark = e.best.includes(n.node) ? (e.best.length > 1 ? '   ◀ best (tied)' : '   ◀ best') : '';
      lines.push(`${name}  ✓ fits   score ${n.total} = ${parts.join(' + ')}${mark}`);
    }
  }
  lines.push('');
  const passed = e.nodes.filter((n) => !n.rejectedBy).length;
  lines.push(`Filters: ${e.nodes.map((n) => n.filters.length)[0] ?? 0} plugins on ${e.nodes.length} node(s); ${passed} passed.`);
  if (e.message) lines.push(`The scheduler reports: ${e.message}`);
  else lines.push(`Highest total: ${e.best.join(', ')}${e.best.length > 1 ? ' (the scheduler picks one of these at random)' : ''}.`);
  return `${lines.join('\n')}\n`;
}
