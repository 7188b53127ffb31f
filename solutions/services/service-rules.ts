/**
 * Exercise 07-services/01-service-rules: from Services and their EndpointSlices to the rules
 * kube-proxy programs, as a pure function.
 *
 * For every port of every Service that has a ClusterIP (not headless, not ExternalName): the
 * endpoints of that port from the Service's EndpointSlices (label kubernetes.io/service-name,
 * port matched by name and protocol), then the endpoints traffic may use, as upstream's
 * CategorizeEndpoints chooses them: ready ones; serving-and-terminating ones only when no ready
 * one is left; with a Local traffic policy only the endpoints on this node.
 *
 * Read: lessons/core/07-services/02-service-rules.md
 * Check: npx kubelings check 07-services/01-service-rules
 * Upstream: pkg/proxy/topology.go (CategorizeEndpoints), pkg/proxy/serviceport.go
 * (UsesClusterEndpoints, UsesLocalEndpoints), pkg/proxy/endpointslicecache.go.
 */
import type { ProxyEndpoint, ProxyRule } from '#engine/proxy/exercises.ts';
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS, ipSortKey, serviceKey, serviceKeyOfSlice, serviceSpec } from '#engine/proxy/service-util.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';

/** Every Service port's rule on node `nodeName`, sorted by servicePortName. */
export function serviceRules(services: readonly Service[], endpointSlices: readonly EndpointSlice[], nodeName: string): ProxyRule[] {
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of endpointSlices) {
    const key = serviceKeyOfSlice(slice);
    if (!key || slice.addressType !== 'IPv4') continue;
    const list = slicesByService.get(key) ?? [];
    list.push(slice);
    slicesByService.set(key, list);
  }
  const rules: ProxyRule[] = [];
  for (const service of services) {
    const spec = serviceSpec(service);
    if (spec.type === 'ExternalName' || !spec.clusterIP || spec.clusterIP === 'None') continue;
    const key = serviceKey(service);
    const slices = slicesByService.get(key) ?? [];
    const hasNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const affinityTimeoutSeconds = spec.sessionAffinity === 'ClientIP' ? (spec.affinityTimeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) : undefined;
    for (const port of spec.ports) {
      const protocol = (port.protocol ?? 'TCP') as ProxyRule['protocol'];
      const endpoints = endpointsForPort(slices, port.name ?? '', protocol, nodeName);
      const nodePort = hasNodePorts && port.nodePort ? port.nodePort : undefined;
      const externallyAccessible = nodePort !== undefined;
      const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
      const externalPolicyLocal = externallyAccessible && spec.externalTrafficPolicy === 'Local';
      const { cluster, local, hasAny } = categorize(endpoints, !internalPolicyLocal || externallyAccessible, internalPolicyLocal || externalPolicyLocal);
      rules.push({
        service: key,
        servicePortName: port.name ? `${key}:${port.name}` : key,
        protocol,
        clusterIP: spec.clusterIP,
        port: port.port,
        ...(nodePort !== undefined ? { nodePort } : {}),
        ...(affinityTimeoutSeconds !== undefined ? { affinityTimeoutSeconds } : {}),
        internalPolicyLocal,
        externalPolicyLocal,
        internalEndpoints: internalPolicyLocal ? local : cluster,
        externalEndpoints: !externallyAccessible ? [] : externalPolicyLocal ? local : cluster,
        hasEndpoints: hasAny,
      });
    }
  }
  return rules.sort((a, b) => (a.servicePortName < b.servicePortName ? -1 : a.servicePortName > b.servicePortName ? 1 : 0));
}

/** The endpoints of one Service port, one per ip:port, sorted (a ready copy wins over a not-ready one). */
function endpointsForPort(slices: readonly EndpointSlice[], portName: string, protocol: string, nodeName: string): ProxyEndpoint[] {
  const found = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port || port.port === undefined) continue;
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip) continue;
      const ready = e.conditions?.ready ?? true;
      const endpoint: ProxyEndpoint = {
        ip,
        port: port.port,
        local: e.nodeName !== undefined && e.nodeName === nodeName,
        ready,
        serving: e.conditions?.serving ?? ready,
        terminating: e.conditions?.terminating ?? false,
      };
      const id = `${ip}:${port.port}`;
      const before = found.get(id);
      if (!before || (endpoint.ready && !before.ready)) found.set(id, endpoint);
    }
  }
  return [...found.values()].sort((a, b) => ipSortKey(a.ip) - ipSortKey(b.ip) || a.port - b.port);
}

/** CategorizeEndpoints without topology hints: the cluster and local lists, and whether any is usable. */
function categorize(endpoints: ProxyEndpoint[], usesCluster: boolean, usesLocal: boolean): { cluster: ProxyEndpoint[]; local: ProxyEndpoint[]; hasAny: boolean } {
  const servingTerminating = (e: ProxyEndpoint) => e.serving && e.terminating;
  let cluster: ProxyEndpoint[] = [];
  let local: ProxyEndpoint[] = [];
  let hasAny = false;
  if (usesCluster) {
    cluster = endpoints.filter((e) => e.ready);
    if (cluster.length === 0) cluster = endpoints.filter(servingTerminating);
    hasAny = cluster.length > 0;
  }
  if (usesLocal) {
    if (endpoints.some((e) => e.ready || servingTerminating(e))) hasAny = true;
    local = endpoints.filter((e) => e.local && e.ready);
    if (local.length === 0) local = endpoints.filter((e) => e.local && servingTerminating(e));
  }
  return { cluster, local, hasAny };
}
