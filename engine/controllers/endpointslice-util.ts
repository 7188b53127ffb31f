/**
 * EndpointSlice helpers (given, not graded), after kubernetes staging/src/k8s.io/endpointslice
 * (utils.go: setEndpointSliceLabels, newEndpointSlice's metadata, ownedBy) and
 * k8s.io/api/discovery/v1 (the label names): the labels a Service's slices carry, and whether a
 * slice belongs to a Service. Pure functions.
 */
import type { EndpointSlice, Service } from '../kube/types.ts';

/** The label naming the Service a slice belongs to (discovery.LabelServiceName). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** The label naming the controller that manages a slice (discovery.LabelManagedBy). */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** Its value for the slices of this controller. */
export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** The label on the slices of a headless Service (clusterIP None): v1.IsHeadlessService. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';

const RESERVED = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/**
 * setEndpointSliceLabels: the labels a slice of `service` must carry: the Service's own labels
 * (except the reserved ones), the headless label when its clusterIP is None (or unset),
 * kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by.
 */
export function endpointSliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) if (!RESERVED.has(k)) labels[k] = v;
  const clusterIP = service.spec?.clusterIP;
  if (!clusterIP || clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = service.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER_NAME;
  return labels;
}

/** ownedBy: the slice's controller reference is to this very Service (same uid). */
export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.kind === 'Service' && r.uid === service.metadata.uid);
}

/** True when the two label maps hold the same keys and values. */
export function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => (b ?? {})[k] === (a ?? {})[k] && Object.hasOwn(b ?? {}, k));
}
