/**
 * Admission: the step between authorization and validation where the apiserver itself changes or
 * refuses objects, with state the object alone does not carry.
 *
 * - NamespaceLifecycle: nothing is created in a namespace that does not exist; default,
 *   kube-system, kube-public and kube-node-lease may not be deleted.
 * - Service IP and NodePort allocation (the apiserver's own allocators, --service-cluster-ip-range and
 *   --service-node-port-range): a Service gets a free ClusterIP and its NodePorts here; an update
 *   that leaves them out keeps the old ones.
 * - Namespace deletion: the real namespace controller empties a namespace before it goes; here the
 *   apiserver does that inline, so `kubectl delete namespace` finishes at once (simplified).
 */
import { prefixEnd, type KVStore } from '../etcd/kv.ts';
import { invalidValue } from '../kube/field-errors.ts';
import { forbidden, invalid, isApiError, notFound } from '../kube/errors.ts';
import type { Registry } from './exercises.ts';
import type { Cacher } from './cacher.ts';
import { findResource, RESOURCES, type ResourceInfo } from '../kube/resources.ts';
import type { KubeObject, Service } from '../kube/types.ts';
import { SERVICE_CLUSTER_IP_RANGE, SERVICE_NODE_PORT_RANGE } from '../params.ts';

export const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
export const NAMESPACES = findResource('', 'v1', 'namespaces')!;
export const SERVICES = findResource('', 'v1', 'services')!;

/** IPv4 text to a number. */
export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The service CIDR as numbers: network address and size. */
export function serviceRange(cidr = SERVICE_CLUSTER_IP_RANGE): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  return { base: ipToNumber(ip!)!, size: 2 ** (32 - Number(bits)) };
}

/** The ClusterIP of the `kubernetes` Service: the first address of the range (10.96.0.1 in a real cluster). */
export function kubernetesServiceIP(): string {
  return numberToIp(serviceRange().base + 1);
}

/** First address handed out to ordinary Services; the ones below are kept for static use, as upstream does. */
const DYNAMIC_OFFSET = 10;
/** How long an allocation is held for a create in flight before the watch cache shows the Service. */
const RESERVATION_MS = 10_000;

export class ServiceAllocator {
  private reservedIPs = new Map<string, number>();
  private reservedPorts = new Map<number, number>();

  constructor(private readonly cacher: Cacher) {}

  private used(now: number): { ips: Set<string>; ports: Set<number> } {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const svc of this.cacher.cacheFor(SERVICES).list() as Service[]) {
      for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) ips.add(ip);
      for (const p of svc.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    }
    for (const [ip, until] of this.reservedIPs) if (until > now) ips.add(ip); else this.reservedIPs.delete(ip);
    for (const [port, until] of this.reservedPorts) if (until > now) ports.add(port); else this.reservedPorts.delete(port);
    return { ips, ports };
  }

  /** Fills in spec.clusterIP(s) and nodePorts of a new Service; 422 when a requested one is taken. */
  allocate(service: Service, now: number, old?: Service): void {
    const spec = service.spec;
    if (!spec) return;
    const type = spec.type ?? 'ClusterIP';
    const { ips, ports } = this.used(now);
    if (old?.spec?.clusterIP) {
      for (const ip of old.spec.clusterIPs ?? [old.spec.clusterIP]) ips.delete(ip);
      for (const p of old.spec.ports ?? []) if (p.nodePort) ports.delete(p.nodePort);
    }
    const name = service.metadata.name ?? '';
    if (type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else if (old?.spec?.clusterIP && !spec.clusterIP) {
      spec.clusterIP = old.spec.clusterIP;
      spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else if (spec.clusterIP) {
      const { base, size } = serviceRange();
      const n = ipToNumber(spec.clusterIP);
      if (n === undefined || n <= base || n >= base + size - 1) {
        throw invalid(SERVICES, name, [invalidValue('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is not in the valid range. The range of valid IPs is ${SERVICE_CLUSTER_IP_RANGE}`)]);
      }
      if (ips.has(spec.clusterIP) && spec.clusterIP !== old?.spec?.clusterIP) {
        throw invalid(SERVICES, name, [invalidValue('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`)]);
      }
      spec.clusterIPs = [spec.clusterIP];
      this.reservedIPs.set(spec.clusterIP, now + RESERVATION_MS);
    } else {
      const { base, size } = serviceRange();
      let chosen: string | undefined;
      for (let n = base + DYNAMIC_OFFSET; n < base + size - 1; n++) {
        const ip = numberToIp(n);
        if (!ips.has(ip)) {
          chosen = ip;
          break;
        }
      }
      if (!chosen) throw invalid(SERVICES, name, [invalidValue('spec.clusterIPs', [], `failed to allocate a serviceIP: range is full`)]);
      spec.clusterIP = chosen;
      spec.clusterIPs = [chosen];
      this.reservedIPs.set(chosen, now + RESERVATION_MS);
    }

    const oldPorts = new Map((old?.spec?.ports ?? []).map((p) => [`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort]));
    (spec.ports ?? []).forEach((port, i) => {
      if (type !== 'NodePort' && type !== 'LoadBalancer') {
        delete port.nodePort;
        return;
      }
      if (!port.nodePort) {
        const kept = oldPorts.get(`${port.port}/${port.protocol ?? 'TCP'}`);
        if (kept) {
          port.nodePort = kept;
          ports.add(kept);
          return;
        }
        for (let p = SERVICE_NODE_PORT_RANGE.first; p <= SERVICE_NODE_PORT_RANGE.last; p++) {
          if (!ports.has(p)) {
            port.nodePort = p;
            break;
          }
        }
        if (!port.nodePort) throw invalid(SERVICES, name, [invalidValue(`spec.ports[${i}].nodePort`, 0, 'failed to allocate a nodePort: range is full')]);
      } else if (ports.has(port.nodePort) && ![...oldPorts.values()].includes(port.nodePort)) {
        throw invalid(SERVICES, name, [invalidValue(`spec.ports[${i}].nodePort`, port.nodePort, 'provided port is already allocated')]);
      }
      ports.add(port.nodePort);
      this.reservedPorts.set(port.nodePort, now + RESERVATION_MS);
    });
  }
}

/** NamespaceLifecycle: 404 when a namespaced object is created in a namespace that does not exist. */
export async function requireNamespace(registry: Registry, info: ResourceInfo, namespace: string | undefined, cacher?: Cacher): Promise<void> {
  if (!info.namespaced || !namespace) return;
  // The watch cache answers almost always; only a miss (a namespace created a moment ago) reads the store.
  if (cacher?.cacheFor(NAMESPACES).list().some((ns) => ns.metadata.name === namespace && !ns.metadata.deletionTimestamp)) return;
  try {
    await registry.get(NAMESPACES, undefined, namespace);
  } catch (error) {
    if (isApiError(error, 'NotFound')) throw notFound(NAMESPACES, namespace);
    throw error;
  }
}

/** Deletes a namespace and everything in it (the namespace controller's job, done inline). */
export async function deleteNamespace(store: KVStore, registry: Registry, name: string): Promise<KubeObject> {
  if (PROTECTED_NAMESPACES.includes(name)) throw forbidden(NAMESPACES, name, 'this namespace may not be deleted');
  const namespace = await registry.get(NAMESPACES, undefined, name);
  for (const info of RESOURCES) {
    if (!info.namespaced || info.virtual) continue;
    const prefix = `${info.prefix}/${name}/`;
    await store.delete(prefix, { end: prefixEnd(prefix) });
  }
  const result = await registry.delete(NAMESPACES, undefined, name, { gracePeriodSeconds: 0 });
  const object = result.object;
  return { ...object, status: { ...((object.status as object) ?? {}), phase: 'Terminating' } };
}
