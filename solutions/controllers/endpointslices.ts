/**
 * Exercise 04-controllers/05-endpointslices (reference): the EndpointSlice controller, after
 * kubernetes pkg/controller/endpointslice/endpointslice_controller.go (syncService) and
 * staging/src/k8s.io/endpointslice (reconciler.go: reconcile, reconcileByPortMapping, finalize,
 * getSliceToFill; utils.go: podToEndpoint, getEndpointPorts, ShouldPodBeInEndpoints) and
 * pkg/api/v1/pod/util.go (FindPort).
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { EndpointSliceChanges, EndpointSliceSyncContext, PodEndpoint, SyncResult } from '#engine/controllers/exercises.ts';
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, endpointSliceLabels, ownedBy, sameLabels } from '#engine/controllers/endpointslice-util.ts';
import { deepHashString } from '#engine/controllers/deployment-util.ts';
import { NAMESPACE_INDEX } from '#engine/controllers/indexer.ts';
import { isPodReady, newControllerRef } from '#engine/controllers/pods.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Endpoint, EndpointPort, EndpointSlice, Pod, Service, ServicePort } from '#engine/kube/types.ts';

const objects = await loadComponent('objects');

/**
 * FindPort: a number targetPort as is; a string is a port name (validation requires a letter in it,
 * so never all digits), looked up in this pod's containers (and sidecars), same protocol.
 */
function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const protocol = port.protocol ?? 'TCP';
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...pod.spec.containers, ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function ipv4Addresses(pod: Pod): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip) => !ip.includes(':'));
}

export function podEndpoints(service: Service, pods: readonly Pod[]): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  const publishNotReady = (service.spec as { publishNotReadyAddresses?: boolean } | undefined)?.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const addresses = ipv4Addresses(pod);
    if (addresses.length === 0) continue;
    const serving = isPodReady(pod);
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const endpoint: Endpoint = {
      addresses,
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      ...(pod.spec.hostname && pod.spec.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace ? { hostname: pod.spec.hostname as string } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    };
    const ports: EndpointPort[] = [];
    for (const sp of service.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...((sp as { appProtocol?: string }).appProtocol ? { appProtocol: (sp as { appProtocol?: string }).appProtocol } : {}) });
    }
    out.push({ endpoint, ports });
  }
  return out;
}

/** NewPortMapKey: the same ports in any order give the same key. */
const portKey = (ports: readonly EndpointPort[] | undefined) => deepHashString([...(ports ?? [])].map((p) => deepHashString(p)).sort());
/** The endpoint set's identity of an endpoint: its addresses and the pod it stands for. */
const endpointKey = (e: Endpoint) => deepHashString({ addresses: [...e.addresses].sort(), hostname: e.hostname, ns: e.targetRef?.namespace, name: e.targetRef?.name });
const sameEndpoint = (a: Endpoint, b: Endpoint) => deepHashString(a) === deepHashString(b);

function newSlice(service: Service, ports: EndpointPort[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace,
      labels: endpointSliceLabels(service),
      ownerReferences: [newControllerRef(service, 'v1', 'Service')],
    },
    addressType: 'IPv4',
    endpoints: [],
    ports,
  };
}

/** reconcileByPortMapping: the slices of one set of ports. */
function reconcileByPorts(service: Service, existing: readonly EndpointSlice[], desired: Map<string, Endpoint>, ports: EndpointPort[], max: number, out: EndpointSliceChanges): void {
  const labels = endpointSliceLabels(service);
  const toUpdate: EndpointSlice[] = [];
  const unchanged: EndpointSlice[] = [];
  // 1. Keep the wanted endpoints of each slice (updated if they changed); drop the others.
  for (const slice of existing) {
    const kept: Endpoint[] = [];
    let changed = false;
    for (const e of slice.endpoints ?? []) {
      const want = desired.get(endpointKey(e));
      if (!want) continue;
      kept.push(want);
      if (!sameEndpoint(want, e)) changed = true;
      desired.delete(endpointKey(e));
    }
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) out.delete.push(slice);
      else toUpdate.push({ ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
    } else if (!sameLabels(slice.metadata.labels, labels)) {
      toUpdate.push({ ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
    } else {
      unchanged.push(slice);
    }
  }
  const left = [...desired.values()];
  // 2. Fill the slices being updated anyway, fullest first.
  for (const slice of [...toUpdate].sort((a, b) => b.endpoints.length - a.endpoints.length)) {
    while (left.length > 0 && slice.endpoints.length < max) slice.endpoints.push(left.shift()!);
  }
  // 3. The rest: into the unchanged slice that ends closest to full, or into new slices.
  while (left.length > 0) {
    let fill: EndpointSlice | undefined;
    if (left.length < max) {
      let closest = max;
      for (const slice of unchanged) {
        const diff = max - (left.length + slice.endpoints.length);
        if (diff >= 0 && diff < closest) {
          closest = diff;
          fill = slice;
        }
      }
    }
    if (fill) {
      unchanged.splice(unchanged.indexOf(fill), 1);
      fill = structuredClone(fill);
      toUpdate.push(fill);
    } else {
      fill = newSlice(service, ports);
      out.create.push(fill);
    }
    while (left.length > 0 && fill.endpoints.length < max) fill.endpoints.push(left.shift()!);
  }
  out.update.push(...toUpdate);
}

export function reconcileEndpointSlices(service: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], maxEndpointsPerSlice: number): EndpointSliceChanges {
  const out: EndpointSliceChanges = { create: [], update: [], delete: [] };
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const { endpoint, ports } of podEndpoints(service, pods)) {
    const key = portKey(ports);
    let group = desired.get(key);
    if (!group) desired.set(key, (group = { ports, endpoints: new Map() }));
    group.endpoints.set(endpointKey(endpoint), endpoint);
  }
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    // A slice with our labels but not owned by this Service (e.g. left by an older Service of the
    // same name, another uid) is deleted, never filled: reconcileByAddressType.
    if (!ownedBy(slice, service)) {
      out.delete.push(slice);
      continue;
    }
    const key = portKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  for (const [key, group] of desired) reconcileByPorts(service, existingByPorts.get(key) ?? [], group.endpoints, group.ports, maxEndpointsPerSlice, out);
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) out.delete.push(...slices);

  // No endpoints at all: keep (or make) one empty placeholder slice.
  if (existing.length === out.delete.length && out.create.length === 0) {
    const placeholder = newSlice(service, []);
    const only = out.delete.length === 1 ? out.delete[0]! : undefined;
    const isPlaceholder = only && (only.endpoints ?? []).length === 0 && (only.ports ?? []).length === 0 && sameLabels(only.metadata.labels, placeholder.metadata.labels) && ownedBy(only, service);
    if (isPlaceholder) out.delete = [];
    else out.create.push(placeholder);
  }
  // finalize: a slice about to be deleted is reused, under its name, for a slice about to be created.
  for (let i = 0; i < out.delete.length && out.create.length > 0;) {
    const old = out.delete[i]!;
    if (old.addressType === 'IPv4' && ownedBy(old, service)) {
      const slice = out.create.pop()!;
      out.update.push({ ...slice, metadata: { ...old.metadata, labels: slice.metadata.labels, ownerReferences: slice.metadata.ownerReferences } });
      out.delete.splice(i, 1);
    } else {
      i++;
    }
  }
  return out;
}

const byName = (a: Pod, b: Pod) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export async function syncService(key: string, ctx: EndpointSliceSyncContext): Promise<SyncResult> {
  const service = ctx.services.get(key);
  if (!service) {
    ctx.expectations.deleteExpectations(key);
    return {};
  }
  const selector = service.spec?.selector;
  if (!selector || service.spec?.type === 'ExternalName') return {};
  // Slices we created are not in the cache yet: counting without them would create them again.
  if (!ctx.expectations.satisfiedExpectations(key)) return {};
  const namespace = service.metadata.namespace ?? '';
  const pods = ctx.pods
    .byIndex(NAMESPACE_INDEX, namespace)
    .filter((p) => objects.matchLabels(selector, p.metadata.labels))
    .sort(byName);
  const slices = ctx.endpointSlices
    .byIndex(NAMESPACE_INDEX, namespace)
    .filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === service.metadata.name && s.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME && !s.metadata.deletionTimestamp);
  const changes = reconcileEndpointSlices(service, pods, slices, ctx.maxEndpointsPerSlice);
  if (!service.metadata.deletionTimestamp && changes.create.length > 0) {
    ctx.expectations.expectCreations(key, changes.create.length);
    for (let i = 0; i < changes.create.length; i++) {
      try {
        await ctx.client.createEndpointSlice(changes.create[i]!);
      } catch (error) {
        for (let j = i; j < changes.create.length; j++) ctx.expectations.creationObserved(key);
        throw error;
      }
    }
  }
  for (const slice of changes.update) await ctx.client.updateEndpointSlice(slice);
  for (const slice of changes.delete) {
    try {
      await ctx.client.deleteEndpointSlice(namespace, slice.metadata.name ?? '');
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
  }
  return {};
}
