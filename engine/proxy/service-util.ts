/**
 * Small helpers the proxy's exercises and plumbing share: a typed view of a Service's spec (the
 * fields kube-proxy reads, as stored: no defaults filled in), the label that ties an EndpointSlice
 * to its Service, and a numeric sort key for IPv4 addresses.
 */
import { LABEL_SERVICE_NAME } from '../controllers/endpointslice-util.ts';
import type { EndpointSlice, Service, ServicePort } from '../kube/types.ts';
import { SERVICE_AFFINITY_DEFAULT_TIMEOUT_SECONDS } from '../params.ts';

/** The default ClientIP affinity timeout (params.ts). */
export { LABEL_SERVICE_NAME, SERVICE_AFFINITY_DEFAULT_TIMEOUT_SECONDS as DEFAULT_AFFINITY_TIMEOUT_SECONDS };

/** The spec fields kube-proxy reads, typed, exactly as stored (unset stays undefined). */
export interface ServiceSpecView {
  type?: string;
  clusterIP?: string;
  ports: ServicePort[];
  sessionAffinity?: string;
  /** spec.sessionAffinityConfig.clientIP.timeoutSeconds */
  affinityTimeoutSeconds?: number;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  publishNotReadyAddresses?: boolean;
  externalName?: string;
}

export function serviceSpec(service: Service): ServiceSpecView {
  const spec = service.spec ?? {};
  const config = spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: number } } | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    type: spec.type,
    clusterIP: spec.clusterIP,
    ports: spec.ports ?? [],
    sessionAffinity: spec.sessionAffinity,
    affinityTimeoutSeconds: typeof config?.clientIP?.timeoutSeconds === 'number' ? config.clientIP.timeoutSeconds : undefined,
    internalTrafficPolicy: str(spec.internalTrafficPolicy),
    externalTrafficPolicy: str(spec.externalTrafficPolicy),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    externalName: spec.externalName,
  };
}

/** `namespace/name` of the Service an EndpointSlice belongs to (its kubernetes.io/service-name label), or undefined. */
export function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata.namespace ?? 'default'}/${name}` : undefined;
}

/** `namespace/name` of a Service. */
export function serviceKey(service: Service): string {
  return `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
}

/** An IPv4 address as a number, for sorting (not an address: NaN sorts it nowhere in particular). */
export function ipSortKey(ip: string): number {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 ? ((parts[0]! * 256 + parts[1]!) * 256 + parts[2]!) * 256 + parts[3]! : Number.NaN;
}
