/**
 * The scale subresource (deployments, replicasets, statefulsets, replicationcontrollers; upstream's ScaleREST): an
 * autoscaling/v1 Scale view of spec.replicas and the selector. A new Scale goes back through the
 * ordinary update of its object, so validation, admission and optimistic concurrency apply.
 */
import { badRequest, conflict } from '../../kube/errors.ts';
import { formatLabels, formatSelector } from '../../kube/printers.ts';
import type { ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject, Scale } from '../../kube/types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Scale's status.selector: a LabelSelector's string form, or a ReplicationController's label map's. */
function selectorText(selector: Any | undefined): string {
  if (!selector) return '';
  const labelSelector = 'matchLabels' in selector || 'matchExpressions' in selector || Object.keys(selector).length === 0;
  return (labelSelector ? formatSelector(selector) : formatLabels(selector)).replace('<none>', '');
}

/** The Scale of a workload. */
export function scaleOf(object: KubeObject): Scale {
  const spec = (object.spec ?? {}) as Any;
  const status = (object.status ?? {}) as Any;
  const m = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorText(spec.selector) },
  };
}

/**
 * The object as it is to be stored after a Scale was written: spec.replicas from the Scale.
 * Conflict when the Scale pins a resourceVersion other than the object's; the result keeps it pinned.
 */
export function applyScale(kind: ResourceInfo, current: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale.spec as Any | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) {
    throw badRequest(`Scale in version "v1" cannot be handled as a Scale: spec.replicas must be a whole number`);
  }
  const wanted = scale.metadata.resourceVersion;
  if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(kind, current.metadata.name ?? '');
  const next = structuredClone(current);
  (next.spec as Any).replicas = replicas ?? 0;
  if (wanted) next.metadata.resourceVersion = wanted;
  return next;
}
