/**
 * Exercise 04-controllers/05-endpointslices: the EndpointSlice controller, which keeps, for each
 * Service with a selector, the list of its pods' addresses and ports that kube-proxy and cluster
 * DNS read.
 *
 * Endpoints are grouped by the ports they resolve to (a named targetPort may be a different number
 * in different pods) and packed into EndpointSlices of at most maxEndpointsPerSlice (100)
 * endpoints each, owned by the Service. A change touches as few slices as it can.
 *
 * Shapes (engine/kube/types.ts, engine/controllers/exercises.ts):
 *   Service { metadata, spec?: { selector?, ports?: ServicePort[], clusterIP?, type?, publishNotReadyAddresses? } }
 *   ServicePort { name?, protocol?, port, targetPort?: number | string }
 *   Pod { metadata, spec: { containers: [{ ports?: [{ name?, containerPort, protocol? }] }], nodeName?, hostname?, subdomain? },
 *         status?: { phase?, podIP?, podIPs?: [{ ip }], conditions? } }
 *   EndpointSlice { metadata, addressType: 'IPv4', endpoints: Endpoint[], ports?: EndpointPort[] }
 *   Endpoint { addresses: string[], conditions: { ready?, serving?, terminating? }, hostname?,
 *              nodeName?, targetRef?: { kind, namespace, name, uid } }
 *   EndpointPort { name?, protocol?, port?, appProtocol? }
 *   PodEndpoint { endpoint: Endpoint, ports: EndpointPort[] }
 *   EndpointSliceChanges { create: EndpointSlice[], update: EndpointSlice[], delete: EndpointSlice[] }
 *   EndpointSliceSyncContext { now(), services, pods, endpointSlices (Listers), expectations, client, maxEndpointsPerSlice }
 *
 * Read: lessons/core/04-controllers/08-endpointslices.md
 * Check: npx kubelings check 04-controllers/05-endpointslices
 * Upstream: kubernetes pkg/controller/endpointslice and staging/src/k8s.io/endpointslice
 * (reconciler.go, utils.go); FindPort in pkg/api/v1/pod/util.go.
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { EndpointSliceChanges, EndpointSliceSyncContext, PodEndpoint, SyncResult } from '#engine/controllers/exercises.ts';
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, endpointSliceLabels, ownedBy, sameLabels } from '#engine/controllers/endpointslice-util.ts';
import { deepHashString } from '#engine/controllers/deployment-util.ts';
import { NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { isPodReady, newControllerRef } from '#engine/controllers/pods.ts';
import { NotImplemented } from '#engine/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Endpoint, EndpointPort, EndpointSlice, Pod, Service, ServicePort } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/04-controllers/08-endpointslices.md';
const todo = (what: string) => new NotImplemented('04-controllers/05-endpointslices', PAGE, what);

/** Label selectors, from lesson 00 (the reference unless yours passes): objects.matchLabels. */
const objects = await loadComponent('objects');
void [
  isApiError,
  ENDPOINTSLICE_CONTROLLER_NAME,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  endpointSliceLabels,
  ownedBy,
  sameLabels,
  deepHashString,
  NAMESPACE_INDEX,
  isPodReady,
  newControllerRef,
  objects,
];

/**
 * One PodEndpoint per pod that can receive traffic, in the order of `pods`:
 * - skip pods that finished (Succeeded, Failed) and pods without an IPv4 address
 *   (status.podIPs, or status.podIP; an address with ':' is IPv6);
 * - endpoint: addresses; conditions serving (the pod is Ready), terminating (it has a
 *   deletionTimestamp), ready (serving and not terminating, or always when the Service says
 *   publishNotReadyAddresses); hostname when the pod's spec.hostname is set and its
 *   spec.subdomain is the Service's name (same namespace); targetRef { kind: 'Pod', namespace,
 *   name, uid }; nodeName when the pod has one;
 * - ports: for each Service port, the number in this pod (FindPort): targetPort a number (or
 *   unset: the port itself) as is; a name is looked up in this pod's containers' ports (and
 *   sidecar init containers, restartPolicy Always) with the same protocol (TCP when unset); not
 *   found: leave that port out for this pod. Each: { name (or ''), port, protocol (or TCP),
 *   appProtocol when set }.
 */
export function podEndpoints(service: Service, pods: readonly Pod[]): PodEndpoint[] {
  // TODO
  throw todo('podEndpoints()');
}

/**
 * The reconciler (reconciler.go), pure. Group the desired endpoints by their set of ports (in any
 * order), and the existing slices by theirs; an endpoint is known by its addresses and target pod.
 * An existing slice not owned by the Service (ownedBy: e.g. left by a deleted Service of the same
 * name) is deleted, never kept or filled. For each group of ports:
 * 1. In each existing slice keep the endpoints still desired (replaced by the desired version)
 *    and drop the others: none left → delete the slice; some changed or dropped → update it;
 *    otherwise update it only if its labels differ from endpointSliceLabels(service); else it is
 *    unchanged. Found endpoints are placed: take them out of the desired ones.
 * 2. Fill the slices being updated with the endpoints left, fullest slice first, up to the max.
 * 3. While endpoints are left: if fewer than the max are left, put them all in the unchanged slice
 *    that they fill closest to full (it becomes an update); else start a new slice:
 *    { apiVersion discovery.k8s.io/v1, kind EndpointSlice, metadata: { generateName
 *    `<service>-`, namespace, labels: endpointSliceLabels(service), ownerReferences:
 *    [newControllerRef(service, 'v1', 'Service')] }, addressType 'IPv4', endpoints, ports }.
 * Existing slices whose ports no group wants are deleted. If every existing slice is to be
 * deleted and none created, the Service keeps one empty placeholder slice (no endpoints, no
 * ports): keep an existing one that is exactly that, or create it. Last (finalize): while a slice
 * is to be created and one owned by the Service (ownedBy) is to be deleted, update the latter
 * with the former's content instead, under its own name and metadata.
 */
export function reconcileEndpointSlices(service: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], maxEndpointsPerSlice: number): EndpointSliceChanges {
  // TODO
  throw todo('reconcileEndpointSlices()');
}

/**
 * One sync of the Service `key`:
 * 1. Gone from ctx.services: ctx.expectations.deleteExpectations(key); done (the garbage
 *    collector deletes its slices). No selector, or type ExternalName: done.
 * 2. Slices created by an earlier sync not yet seen (not satisfiedExpectations): done for now.
 * 3. Its pods: those of its namespace whose labels match the selector (objects.matchLabels),
 *    sorted by name. Its slices: those of its namespace labelled with its name
 *    (LABEL_SERVICE_NAME) and managed by us (LABEL_MANAGED_BY = ENDPOINTSLICE_CONTROLLER_NAME),
 *    without a deletionTimestamp.
 * 4. reconcileEndpointSlices, then: creates (only if the Service is not being deleted), after
 *    ctx.expectations.expectCreations(key, n), each with ctx.client.createEndpointSlice (a failure:
 *    creationObserved for it and each one not tried, then throw); updates; deletes (NotFound is fine).
 */
export async function syncService(key: string, ctx: EndpointSliceSyncContext): Promise<SyncResult> {
  // TODO
  throw todo('syncService()');
}
