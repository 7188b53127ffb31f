/**
 * Reference for exercise 03-scheduler/01-filters: the default filter plugins.
 * Kubernetes: pkg/scheduler/framework/plugins/{nodename,nodeunschedulable,noderesources,nodeaffinity,
 * tainttoleration,nodeports}, k8s.io/component-helpers/resource (PodRequests) and
 * k8s.io/component-helpers/scheduling/corev1 (node selector matching).
 */
import { loadComponent } from '#engine/impl.ts';
import { FITS, unresolvable, unschedulable, type FilterVerdict, type NodeInfo, type PodInfo, type Resources } from '#engine/scheduler/framework.ts';
import type { Container, NodeSelectorRequirement, NodeSelectorTerm, Pod, ResourceList, Taint, Toleration } from '#engine/scheduler/types.ts';

const objects = await loadComponent('objects');

function amount(list: ResourceList | undefined, name: 'cpu' | 'memory'): number {
  const raw = list?.[name];
  if (raw === undefined) return 0;
  const q = objects.parseQuantity(String(raw));
  return name === 'cpu' ? objects.milliValue(q) : objects.value(q);
}

function requestsOf(container: Container): Resources {
  const requests = container.resources?.requests;
  return { milliCPU: amount(requests, 'cpu'), memory: amount(requests, 'memory') };
}

/**
 * Sums the requests as resourcehelper.PodRequests does: regular containers and sidecars (init
 * containers with restartPolicy Always) run together, so they add up; each plain init container runs
 * alone (beside the sidecars started before it), so only the largest such moment counts; the pod
 * needs the larger of the two, plus spec.overhead.
 */
export function sumRequests(pod: Pod, requestsOfContainer: (c: Container) => Resources): Resources {
  const total: Resources = { milliCPU: 0, memory: 0 };
  for (const c of pod.spec.containers ?? []) {
    const r = requestsOfContainer(c);
    total.milliCPU += r.milliCPU;
    total.memory += r.memory;
  }
  const sidecars: Resources = { milliCPU: 0, memory: 0 };
  const initPeak: Resources = { milliCPU: 0, memory: 0 };
  for (const c of pod.spec.initContainers ?? []) {
    const r = requestsOfContainer(c);
    let during: Resources;
    if (c.restartPolicy === 'Always') {
      total.milliCPU += r.milliCPU;
      total.memory += r.memory;
      sidecars.milliCPU += r.milliCPU;
      sidecars.memory += r.memory;
      during = sidecars;
    } else {
      during = { milliCPU: r.milliCPU + sidecars.milliCPU, memory: r.memory + sidecars.memory };
    }
    initPeak.milliCPU = Math.max(initPeak.milliCPU, during.milliCPU);
    initPeak.memory = Math.max(initPeak.memory, during.memory);
  }
  total.milliCPU = Math.max(total.milliCPU, initPeak.milliCPU);
  total.memory = Math.max(total.memory, initPeak.memory);
  total.milliCPU += amount(pod.spec.overhead, 'cpu');
  total.memory += amount(pod.spec.overhead, 'memory');
  return total;
}

export function podRequests(pod: Pod): Resources {
  return sumRequests(pod, requestsOf);
}

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

export function nodeName(pod: PodInfo, node: NodeInfo): FilterVerdict {
  const wanted = pod.pod.spec.nodeName;
  if (!wanted || wanted === node.name) return FITS;
  return unresolvable("node(s) didn't match the requested node name");
}

export function nodeUnschedulable(pod: PodInfo, node: NodeInfo): FilterVerdict {
  if (!node.unschedulable) return FITS;
  if (toleratesAny(pod.pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return FITS;
  return unresolvable('node(s) were unschedulable');
}

export function nodeResourcesFit(pod: PodInfo, node: NodeInfo): FilterVerdict {
  const want = pod.requests;
  const tooMany = node.pods.length + 1 > node.allocatable.pods;
  const cpu = want.milliCPU > 0 && want.milliCPU > node.allocatable.milliCPU - node.requested.milliCPU;
  const memory = want.memory > 0 && want.memory > node.allocatable.memory - node.requested.memory;
  if (!tooMany && !cpu && !memory) return FITS;
  const reasons: string[] = [];
  if (tooMany) reasons.push('Too many pods');
  if (cpu) reasons.push('Insufficient cpu');
  if (memory) reasons.push('Insufficient memory');
  return unschedulable(...reasons);
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
