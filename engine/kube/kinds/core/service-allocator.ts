/**
 * The apiserver's own Service allocators (--service-cluster-ip-range, --service-node-port-range;
 * upstream pkg/registry/core/service/ipallocator and portallocator, run by the Service REST
 * storage before a Service is stored): a Service gets a free ClusterIP and its NodePorts here; an
 * update that leaves them out keeps the old ones; one that asks for a taken one is refused (422).
 *
 * What is in use is read from the watch cache; an allocation is also held for RESERVATION_MS, so
 * two creates in flight before the cache shows either never get the same address.
 */
import { invalidValue } from '../../field-errors.ts';
import { invalid } from '../../errors.ts';
import type { Service } from '../../types.ts';
import { SERVICE_CLUSTER_IP_RANGE, SERVICE_NODE_PORT_RANGE } from '../../../params.ts';

/** What 422s name: `Service "web" is invalid: ...`. */
const SERVICE = { group: '', kind: 'Service' };

/** IPv4 text to a number. */
export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * The service CIDR as numbers: network address and size. Throws a sentence for a range the
 * apiserver cannot serve (as kube-apiserver refuses its --service-cluster-ip-range at start): not
 * IPv4 CIDR text, host bits set, or fewer than 16 addresses (the `kubernetes` and kube-dns
 * Services take the first and the tenth).
 */
export function serviceRange(cidr = SERVICE_CLUSTER_IP_RANGE): { base: number; size: number } {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr);
  const base = m ? ipToNumber(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (base === undefined || !(bits >= 1 && bits <= 28)) throw new Error(`service-cluster-ip-range "${cidr}" is not an IPv4 CIDR of /1 to /28`);
  const size = 2 ** (32 - bits);
  if (base % size !== 0) throw new Error(`service-cluster-ip-range "${cidr}" has host bits set (the network is ${numberToIp(base - (base % size))}/${bits})`);
  return { base, size };
}

/** The ClusterIP of the `kubernetes` Service: the first address of the range (10.96.0.1 in a real cluster). */
export function kubernetesServiceIP(cidr = SERVICE_CLUSTER_IP_RANGE): string {
  return numberToIp(serviceRange(cidr).base + 1);
}

/**
 * The ClusterIP of cluster DNS, kube-system/kube-dns: the tenth address of the range `cidr`
 * (10.96.0.10 in a kubeadm cluster). A cluster component gets its cluster's range with
 * serviceClusterIPRange(ctx.options.flags) (engine/cluster/service-range.ts).
 */
export function clusterDnsServiceIP(cidr = SERVICE_CLUSTER_IP_RANGE): string {
  return numberToIp(serviceRange(cidr).base + 10);
}

/** First address handed out to ordinary Services; the ones below (the `kubernetes` and kube-dns Services') are kept for static use, as upstream does. */
const DYNAMIC_OFFSET = 11;
/** How long an allocation is held for a create in flight before the watch cache shows the Service. */
const RESERVATION_MS = 10_000;

export class ServiceAllocator {
  private reservedIPs = new Map<string, number>();
  private reservedPorts = new Map<number, number>();

  private readonly range: { base: number; size: number };

  /** `services` lists the Services as the watch cache holds them now; `cidr` is the ClusterIP range. */
  constructor(
    private readonly services: () => readonly Service[],
    private readonly cidr: string = SERVICE_CLUSTER_IP_RANGE,
  ) {
    this.range = serviceRange(cidr);
  }

  private used(now: number): { ips: Set<string>; ports: Set<number> } {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const svc of this.services()) {
      for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) ips.add(ip);
      for (const p of svc.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    }
    for (const [ip, until] of this.reservedIPs)
      if (until > now) ips.add(ip);
      else this.reservedIPs.delete(ip);
    for (const [port, until] of this.reservedPorts)
      if (until > now) ports.add(port);
      else this.reservedPorts.delete(port);
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
    // Fields only a LoadBalancer has are wiped when the type changes away (upstream dropTypeDependentFields).
    if (type !== 'LoadBalancer' && old?.spec?.type === 'LoadBalancer') {
      delete spec.allocateLoadBalancerNodePorts;
      delete spec.loadBalancerClass;
    }
    if (type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else if (old?.spec?.clusterIP && !spec.clusterIP) {
      spec.clusterIP = old.spec.clusterIP;
      spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else if (spec.clusterIP) {
      const { base, size } = this.range;
      const n = ipToNumber(spec.clusterIP);
      if (n === undefined || n <= base || n >= base + size - 1) {
        throw invalid(SERVICE, name, [
          invalidValue('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is not in the valid range. The range of valid IPs is ${this.cidr}`),
        ]);
      }
      if (ips.has(spec.clusterIP) && spec.clusterIP !== old?.spec?.clusterIP) {
        throw invalid(SERVICE, name, [invalidValue('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`)]);
      }
      spec.clusterIPs = [spec.clusterIP];
      this.reservedIPs.set(spec.clusterIP, now + RESERVATION_MS);
    } else {
      const { base, size } = this.range;
      let chosen: string | undefined;
      for (let n = base + DYNAMIC_OFFSET; n < base + size - 1; n++) {
        const ip = numberToIp(n);
        if (!ips.has(ip)) {
          chosen = ip;
          break;
        }
      }
      if (!chosen) throw invalid(SERVICE, name, [invalidValue('spec.clusterIPs', [], `failed to allocate a serviceIP: range is full`)]);
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
      // allocateLoadBalancerNodePorts: false: no NodePort unless asked for or already held (upstream's alloc.go).
      const allocate = !(type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false);
      if (!port.nodePort) {
        const kept = oldPorts.get(`${port.port}/${port.protocol ?? 'TCP'}`);
        if (kept) {
          port.nodePort = kept;
          ports.add(kept);
          return;
        }
        if (!allocate) return;
        for (let p = SERVICE_NODE_PORT_RANGE.first; p <= SERVICE_NODE_PORT_RANGE.last; p++) {
          if (!ports.has(p)) {
            port.nodePort = p;
            break;
          }
        }
        if (!port.nodePort) throw invalid(SERVICE, name, [invalidValue(`spec.ports[${i}].nodePort`, 0, 'failed to allocate a nodePort: range is full')]);
      } else if (ports.has(port.nodePort) && ![...oldPorts.values()].includes(port.nodePort)) {
        throw invalid(SERVICE, name, [invalidValue(`spec.ports[${i}].nodePort`, port.nodePort, 'provided port is already allocated')]);
      }
      ports.add(port.nodePort);
      this.reservedPorts.set(port.nodePort, now + RESERVATION_MS);
    });
  }
}
