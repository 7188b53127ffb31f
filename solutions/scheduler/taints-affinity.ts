/**
 * Reference for exercise 03-scheduler/02-taints-and-affinity: tolerations, NodeUnschedulable,
 * TaintToleration, NodeAffinity and NodePorts.
 * Kubernetes: pkg/scheduler/framework/plugins/{nodeunschedulable,tainttoleration,nodeaffinity,
 * nodeports}, k8s.io/api/core/v1 (ToleratesTaint) and k8s.io/component-helpers/scheduling/corev1
 * (node selector matching).
 */
import { loadComponent } from '#engine/impl.ts';
import { FITS, unresolvable, unschedulable, type FilterVerdict, type NodeInfo, type PodInfo } from '#engine/scheduler/framework.ts';
import type { NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from '#engine/scheduler/types.ts';

const objects = await loadComponent('objects');

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

function toleratesAny(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

export function nodeUnschedulable(pod: PodInfo, node: NodeInfo): FilterVerdict {
  if (!node.unschedulable) return FITS;
  if (toleratesAny(pod.pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return FITS;
  return unresolvable('node(s) were unschedulable');
}

function matchesRequirement(req: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (req.operator) {
    case 'In':
    case 'NotIn':
    case 'Exists':
    case 'DoesNotExist':
      // The set-based operators are exactly a label selector's (lesson 00).
      return objects.matchesSelector({ matchExpressions: [{ key: req.key, operator: req.operator, values: req.values }] }, value === undefined ? {} : { [req.key]: value });
    case 'Gt':
    case 'Lt': {
      if (value === undefined || req.values?.length !== 1) return false;
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(req.values[0]!)) return false;
      const have = BigInt(value);
      const limit = BigInt(req.values[0]!);
      return req.operator === 'Gt' ? have > limit : have < limit;
    }
    default:
      return false;
  }
}

/** One node selector term: every expression on labels and every field (metadata.name) must hold. */
export function matchesTerm(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const req of expressions) {
    if (!matchesRequirement(req, Object.hasOwn(node.labels, req.key) ? node.labels[req.key] : undefined)) return false;
  }
  for (const req of fields) {
    if (req.key !== 'metadata.name' || (req.operator !== 'In' && req.operator !== 'NotIn')) return false;
    if (!matchesRequirement(req, node.name)) return false;
  }
  return true;
}

export function nodeAffinity(pod: PodInfo, node: NodeInfo): FilterVerdict {
  const spec = pod.pod.spec;
  const fail = unresolvable("node(s) didn't match Pod's node affinity/selector");
  if (spec.nodeSelector && !objects.matchLabels(spec.nodeSelector, node.labels)) return fail;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !(required.nodeSelectorTerms ?? []).some((term) => matchesTerm(term, node))) return fail;
  return FITS;
}

/** v1helper.FindMatchingUntoleratedTaint: the first NoSchedule or NoExecute taint no toleration tolerates. */
function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!toleratesAny(tolerations, taint)) return taint;
  }
  return undefined;
}

export function taintToleration(pod: PodInfo, node: NodeInfo): FilterVerdict {
  if (node.taints.length === 0) return FITS;
  const taint = findUntoleratedTaint(node.taints, pod.pod.spec.tolerations);
  if (!taint) return FITS;
  return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
}

export function nodePorts(pod: PodInfo, node: NodeInfo): FilterVerdict {
  for (const want of pod.hostPorts) {
    for (const used of node.usedPorts) {
      if (used.port !== want.port || used.protocol !== want.protocol) continue;
      if (used.ip === want.ip || used.ip === '0.0.0.0' || want.ip === '0.0.0.0') {
        return unschedulable("node(s) didn't have free ports for the requested pod ports");
      }
    }
  }
  return FITS;
}
