/**
 * DaemonSet helpers (given, not graded), after kubernetes pkg/controller/daemon/util/daemonset_util.go
 * (CreatePodTemplate, AddOrUpdateDaemonPodTolerations, ReplaceDaemonSetPodNodeNameNodeAffinity,
 * GetTargetNodeName, IsPodUpdated) and daemon_controller.go (NewPod): the tolerations every daemon
 * pod gets, the template it is made from, how it is pinned to its node, and how to read its node
 * back before the scheduler has bound it. Pure functions; nothing is modified in place.
 */
import type { DaemonSet, Node, Pod, PodSpec, PodTemplateSpec } from '../kube/types.ts';
import type { SchedulerExercises } from '../scheduler/exercises.ts';
import { newNodeInfo, newPodInfo, type RequestCalculator } from '../scheduler/nodeinfo.ts';
import type { Node as SchedulerNode, NodeAffinity, Pod as SchedulerPod, Toleration } from '../scheduler/types.ts';

/** A pod's spec.affinity, as far as node affinity goes. */
export type Affinity = { nodeAffinity?: NodeAffinity; [kind: string]: unknown };

/** The label carrying the hash of the template a daemon (or stateful) pod was made from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The deprecated label carrying the DaemonSet's generation when the pod was made. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/**
 * AddOrUpdateDaemonPodTolerations: a daemon pod stays on a node that is not ready or unreachable
 * (NoExecute, for ever), and is placed on nodes under disk, memory or PID pressure and on
 * unschedulable (cordoned) ones; with hostNetwork, on nodes whose network is unavailable too.
 */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const exists = (key: string, effect: Toleration['effect']): Toleration => ({ key, operator: 'Exists', effect });
  return [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

/** The spec with the daemon tolerations added (an equal one already there is not repeated). */
function withDaemonTolerations(spec: PodSpec): PodSpec {
  const tolerations = [...((spec.tolerations ?? []) as Toleration[])];
  for (const t of daemonPodTolerations(spec.hostNetwork === true)) {
    const same = (o: Toleration) => (o.key ?? '') === t.key && (o.operator ?? 'Equal') === t.operator && (o.value ?? '') === '' && (o.effect ?? '') === t.effect;
    const i = tolerations.findIndex(same);
    if (i >= 0) tolerations[i] = t;
    else tolerations.push(t);
  }
  return { ...spec, tolerations };
}

/** NewPod: the pod the DaemonSet would run on `node`: its template, the daemon tolerations, spec.nodeName set. */
export function daemonPodFor(ds: DaemonSet, node: Node): Pod {
  const template = structuredClone(ds.spec.template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...(template.metadata ?? {}), namespace: ds.metadata.namespace },
    spec: { ...withDaemonTolerations(template.spec), nodeName: node.metadata.name },
  };
}

/** CreatePodTemplate: the template with the daemon tolerations and the labels pod-template-generation and controller-revision-hash. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = structuredClone(ds.spec.template);
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1), [CONTROLLER_REVISION_HASH_LABEL]: hash };
  return { metadata: { ...(template.metadata ?? {}), labels }, spec: withDaemonTolerations(template.spec) };
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's affinity with its required node affinity
 * replaced by one term, metadata.name In [nodeName], so that the scheduler binds it to that node.
 */
export function pinToNode(affinity: PodSpec['affinity'], nodeName: string): Affinity {
  const current = affinity as Affinity | undefined;
  const nodeAffinity: NodeAffinity = {
    ...(current?.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
  };
  return { ...(current ?? {}), nodeAffinity };
}

/**
 * GetTargetNodeName: the node a daemon pod is for: spec.nodeName once bound, before that the node
 * its required affinity pins it to (a single metadata.name In [node] term); undefined otherwise.
 */
export function targetNodeOf(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec.affinity as Affinity | undefined)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

/**
 * The NodeAffinity filter of the scheduler (lesson 03) on one pod and node: spec.nodeSelector and
 * the required node affinity match the node's labels (and name). `scheduler` is the scheduler
 * component (loadComponent('scheduler')): yours once lesson 03 passes, the reference otherwise.
 */
export function fitsNodeAffinity(scheduler: Pick<SchedulerExercises, 'nodeAffinity'>, pod: Pod, node: Node): boolean {
  const none = { podRequests: () => ({ milliCPU: 0, memory: 0 }), nonZeroRequests: () => ({ milliCPU: 0, memory: 0 }) } as unknown as RequestCalculator;
  return scheduler.nodeAffinity(newPodInfo(pod as unknown as SchedulerPod, none), newNodeInfo(node as unknown as SchedulerNode)) === null;
}
