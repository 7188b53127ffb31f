/**
 * What a fresh cluster has, created through the registry at every apiserver start when missing:
 * each kind's bootstrap objects (the namespaces default, kube-system, kube-public and
 * kube-node-lease; the system PriorityClasses), and the `kubernetes` Service with its Endpoints
 * and EndpointSlice pointing at this server (upstream's controlplane "kubernetes service"
 * controller). Existing objects are kept (data survives restarts), and the endpoints follow the
 * port if it changed.
 */
import { canonical } from '../kube/canonical.ts';
import { isApiError } from '../kube/errors.ts';
import { ENDPOINTS } from '../kube/kinds/core/endpoints.ts';
import { SERVICES } from '../kube/kinds/core/service.ts';
import { kubernetesServiceIP } from '../kube/kinds/core/service-allocator.ts';
import { ENDPOINT_SLICES } from '../kube/kinds/discovery/endpointslice.ts';
import type { StoredKind } from '../kube/kinds/types.ts';
import { KINDS } from '../kube/resources.ts';
import type { KubeObject } from '../kube/types.ts';
import type { GenericRegistry } from './registry/generic.ts';

/** The field manager of what the apiserver writes itself (upstream: its User-Agent, kube-apiserver/v1.32…). */
const MANAGER = 'kube-apiserver';

/** Creates `object` unless it exists; returns what is stored. */
async function ensure(registry: GenericRegistry, kind: StoredKind, object: KubeObject): Promise<KubeObject> {
  try {
    return await registry.get(kind, object.metadata.namespace, object.metadata.name!);
  } catch (error) {
    if (!isApiError(error, 'NotFound')) throw error;
  }
  try {
    return await registry.create(kind, object, { manager: MANAGER });
  } catch (error) {
    if (isApiError(error, 'AlreadyExists')) return registry.get(kind, object.metadata.namespace, object.metadata.name!);
    throw error;
  }
}

export async function bootstrap(registry: GenericRegistry, host: string, port: number, serviceClusterIPRange: string): Promise<void> {
  for (const kind of KINDS) {
    if (kind.virtual) continue;
    for (const object of kind.bootstrap ?? []) await ensure(registry, kind, object);
  }
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const servicePort = { name: 'https', port: 443, protocol: 'TCP', targetPort: port };
  const clusterIP = kubernetesServiceIP(serviceClusterIPRange);
  const wantedService: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: [servicePort], sessionAffinity: 'None' },
  };
  let service = await ensure(registry, SERVICES, wantedService);
  if ((service.spec as { clusterIP?: string }).clusterIP !== clusterIP) {
    // Data kept from a cluster with another range (loopback mode, then --network kernel): a
    // ClusterIP cannot change in place, so the Service is made again at the new range's first address.
    await registry.delete(SERVICES, 'default', 'kubernetes', {});
    service = await ensure(registry, SERVICES, wantedService);
  }
  const ports = (service.spec as { ports?: { targetPort?: number }[] }).ports ?? [];
  if (ports[0]?.targetPort !== port) {
    await registry.update(SERVICES, { ...service, spec: { ...(service.spec as object), ports: [servicePort] } }, { manager: MANAGER });
  }
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [host], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  for (const [kind, object] of [
    [ENDPOINTS, endpoints],
    [ENDPOINT_SLICES, slice],
  ] as const) {
    const stored = await ensure(registry, kind, object);
    const { metadata: _m, ...wanted } = object;
    const { metadata: _s, ...have } = stored;
    if (canonical(wanted) !== canonical(have)) {
      await registry.update(kind, { ...object, metadata: { ...stored.metadata } }, { manager: MANAGER });
    }
  }
}
