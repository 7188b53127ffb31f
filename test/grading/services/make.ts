/**
 * Builders for the services suites: Services and EndpointSlices as the informers' caches hold them
 * (the shapes the apiserver stores after defaulting, and the EndpointSlice controller writes).
 */
import type { Endpoint, EndpointSlice, Service, ServicePort } from '#engine/kube/types.ts';

export interface ServiceOptions {
  ns?: string;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  ports?: ServicePort[];
  sessionAffinity?: 'None' | 'ClientIP';
  affinityTimeoutSeconds?: number;
  internalTrafficPolicy?: 'Cluster' | 'Local';
  externalTrafficPolicy?: 'Cluster' | 'Local';
  externalName?: string;
}

export function service(name: string, o: ServiceOptions = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-svc-${name}` },
    spec: {
      type: o.type ?? 'ClusterIP',
      ...(o.type === 'ExternalName' ? {} : { clusterIP: o.clusterIP ?? '127.96.0.10' }),
      ports: o.ports ?? [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: name },
      ...(o.sessionAffinity ? { sessionAffinity: o.sessionAffinity } : {}),
      ...(o.affinityTimeoutSeconds !== undefined ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: o.affinityTimeoutSeconds } } } : {}),
      ...(o.internalTrafficPolicy ? { internalTrafficPolicy: o.internalTrafficPolicy } : {}),
      ...(o.externalTrafficPolicy ? { externalTrafficPolicy: o.externalTrafficPolicy } : {}),
      ...(o.externalName ? { externalName: o.externalName } : {}),
    },
  };
}

export interface EndpointOptions {
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  hostname?: string;
  /** Leave the conditions out altogether (an EndpointSlice written by hand). */
  noConditions?: boolean;
}

/** An endpoint at `ip`: ready and serving unless told otherwise. */
export function ep(ip: string, o: EndpointOptions = {}): Endpoint {
  const ready = o.ready ?? !o.terminating;
  return {
    addresses: [ip],
    conditions: o.noConditions ? {} : { ready, serving: o.serving ?? (o.terminating ? true : ready), terminating: o.terminating ?? false },
    ...(o.node ? { nodeName: o.node } : {}),
    ...(o.hostname ? { hostname: o.hostname } : {}),
    targetRef: { kind: 'Pod', namespace: 'default', name: `pod-${ip.replaceAll('.', '-')}`, uid: `uid-${ip}` },
  };
}

let slices = 0;
/** An EndpointSlice of Service `svc` with these endpoints and ports (default: http 8080 TCP). */
export function slice(svc: string, endpoints: Endpoint[], o: { ns?: string; ports?: EndpointSlice['ports']; name?: string; addressType?: EndpointSlice['addressType'] } = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: o.name ?? `${svc}-${(++slices).toString(36).padStart(5, 'x')}`,
      namespace: o.ns ?? 'default',
      labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: o.addressType ?? 'IPv4',
    endpoints,
    ports: o.ports ?? [{ name: 'http', protocol: 'TCP', port: 8080 }],
  };
}
