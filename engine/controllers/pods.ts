/**
 * Pod and owner helpers every controller shares (given, not graded): the controllerRef of an
 * object, pod readiness, the pod a template stamps out (controller.GetPodFromTemplate), the key of
 * an object. Pure functions; nothing is modified in place.
 */
import { objectKeyOf } from '../client/client.ts';
import type { Condition, KubeObject, Pod, PodTemplateSpec } from '../kube/types.ts';
import type { OwnerReference } from '../objects/types.ts';

export { objectKeyOf };

/** The owner reference with controller: true, if any (metav1.GetControllerOf). */
export function getControllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The reference a controller puts on what it controls (metav1.NewControllerRef). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The pod's Ready condition, if it reports one. */
export function podReadyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** A time Kubernetes wrote (RFC 3339) as ms since the epoch; undefined when absent or unreadable. */
export function parseTime(text: string | undefined | null): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** metav1.Time as Kubernetes writes it: RFC 3339, whole seconds, UTC. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * controller.GetPodFromTemplate: the pod a controller creates from its template: the template's
 * labels, annotations and finalizers, generateName `<owner>-` (the apiserver adds 5 characters),
 * the owner's namespace, the controllerRef, and a copy of the template's spec.
 */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [{ ...controllerRef }],
    },
    spec: structuredClone(template.spec),
  };
}

/** Oldest first by creationTimestamp, then by name (controller.ReplicaSetsByCreationTimestamp). */
export function byCreationTimestamp(a: KubeObject, b: KubeObject): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
