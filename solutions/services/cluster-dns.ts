/**
 * Exercise 07-services/03-cluster-dns: the answers of cluster DNS, as CoreDNS's kubernetes plugin
 * gives them, for names under the cluster domain (`cluster.local`):
 *   <svc>.<ns>.svc.<zone>                A: the ClusterIP; headless: each ready endpoint's address;
 *                                        ExternalName: a CNAME to spec.externalName
 *   <host>.<svc>.<ns>.svc.<zone>         A: the endpoint with that hostname (headless Services)
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for a named port
 * A name that does not exist is NXDOMAIN; a name that exists but has no record of the type asked is
 * NOERROR with no answer (NODATA). Names outside the zone are REFUSED (the engine does not forward).
 *
 * Read: lessons/core/07-services/04-cluster-dns.md
 * Check: npx kubelings check 07-services/03-cluster-dns
 * Upstream: coredns plugin/kubernetes (kubernetes.go Records, parse.go, xfr.go), plugin/backend_lookup.go;
 * the DNS specification for Services and Pods (kubernetes/dns docs/specification.md).
 */
import type { DnsAnswer, DnsRecord, DnsView } from '#engine/proxy/exercises.ts';
import { serviceKeyOfSlice, serviceSpec } from '#engine/proxy/service-util.ts';
import type { Endpoint, EndpointSlice, Service } from '#engine/kube/types.ts';

/** The names tried for `name` from a pod in `namespace`, as resolv.conf's search list with ndots:5 makes them. */
export function searchNames(name: string, namespace: string, zone: string): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const search = [`${namespace}.svc.${zone}`, `svc.${zone}`, zone];
  const dots = name.split('.').length - 1;
  const expanded = search.map((s) => `${name}.${s}`);
  return dots >= 5 ? [name, ...expanded] : [...expanded, name];
}

export function answerDns(name: string, type: string, view: DnsView): DnsAnswer {
  const qname = name.toLowerCase().replace(/\.$/, '');
  const zone = view.zone.toLowerCase();
  const none = (rcode: DnsAnswer['rcode']): DnsAnswer => ({ rcode, answers: [], additionals: [] });
  if (qname !== zone && !qname.endsWith(`.${zone}`)) return none('REFUSED');
  const labels = qname === zone ? [] : qname.slice(0, -(zone.length + 1)).split('.');
  // cluster.local, svc.cluster.local: they exist, with no records of their own.
  if (labels.length === 0 || (labels.length === 1 && labels[0] === 'svc')) return none('NOERROR');
  if (labels[labels.length - 1] !== 'svc') return none('NXDOMAIN');
  const rest = labels.slice(0, -1).reverse(); // [ns, svc, host or _proto, _port]
  const [namespace, serviceName] = rest;
  const inNamespace = view.services.filter((s) => (s.metadata.namespace ?? 'default') === namespace);
  if (rest.length === 1) return none(inNamespace.length > 0 ? 'NOERROR' : 'NXDOMAIN');
  const service = inNamespace.find((s) => s.metadata.name === serviceName);
  if (!service) return none('NXDOMAIN');
  const spec = serviceSpec(service);
  const base = `${serviceName}.${namespace}.svc.${zone}`;
  const ttl = view.ttl;
  const headless = spec.clusterIP === 'None';
  const endpoints = headless ? readyEndpoints(service, view.endpointSlices) : [];

  if (rest.length === 2) {
    if (spec.type === 'ExternalName') {
      const target = (spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
      return { rcode: 'NOERROR', answers: type === 'A' || type === 'CNAME' || type === 'ANY' ? [{ name: base, type: 'CNAME', ttl, data: target }] : [], additionals: [] };
    }
    if (type !== 'A' && type !== 'ANY') return none('NOERROR');
    if (!headless) return spec.clusterIP ? { rcode: 'NOERROR', answers: [{ name: base, type: 'A', ttl, data: spec.clusterIP }], additionals: [] } : none('NOERROR');
    return { rcode: 'NOERROR', answers: uniqueAddresses(endpoints).map((ip) => ({ name: base, type: 'A', ttl, data: ip })), additionals: [] };
  }

  if (rest.length === 3 && !rest[2]!.startsWith('_')) {
    // <host>.<svc>.<ns>.svc: an endpoint of a headless Service, by hostname or by dashed address.
    const host = rest[2]!;
    const match = endpoints.filter((e) => endpointHost(e.endpoint) === host);
    if (match.length === 0) return none('NXDOMAIN');
    if (type !== 'A' && type !== 'ANY') return none('NOERROR');
    return { rcode: 'NOERROR', answers: uniqueAddresses(match).map((ip) => ({ name: `${host}.${base}`, type: 'A', ttl, data: ip })), additionals: [] };
  }

  if (rest.length === 4 && rest[2]!.startsWith('_') && rest[3]!.startsWith('_')) {
    const protocol = rest[2]!.slice(1).toUpperCase();
    const portName = rest[3]!.slice(1);
    const port = spec.ports.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol && portName !== '');
    if (!port || spec.type === 'ExternalName') return none('NXDOMAIN');
    if (type !== 'SRV' && type !== 'ANY') return none('NOERROR');
    const owner = `${rest[3]}.${rest[2]}.${base}`;
    if (!headless) {
      return {
        rcode: 'NOERROR',
        answers: [{ name: owner, type: 'SRV', ttl, data: { priority: 0, weight: 100, port: port.port, target: base } }],
        additionals: spec.clusterIP ? [{ name: base, type: 'A', ttl, data: spec.clusterIP }] : [],
      };
    }
    const withPort = endpoints.filter((e) => e.ports.some((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol));
    const weight = withPort.length > 0 ? Math.floor(100 / withPort.length) : 0;
    const answers: DnsRecord[] = [];
    const additionals: DnsRecord[] = [];
    for (const e of withPort) {
      const target = `${endpointHost(e.endpoint)}.${base}`;
      const p = e.ports.find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol)!;
      answers.push({ name: owner, type: 'SRV', ttl, data: { priority: 0, weight, port: p.port ?? 0, target } });
      additionals.push({ name: target, type: 'A', ttl, data: e.endpoint.addresses[0]! });
    }
    return { rcode: 'NOERROR', answers, additionals };
  }
  return none('NXDOMAIN');
}

type SliceEndpoint = { endpoint: Endpoint; ports: NonNullable<EndpointSlice['ports']> };

/** The ready endpoints of a Service, with their slice's ports, in slice order. */
function readyEndpoints(service: Service, slices: readonly EndpointSlice[]): SliceEndpoint[] {
  const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
  const out: SliceEndpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' || serviceKeyOfSlice(slice) !== key) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if ((endpoint.conditions?.ready ?? true) && endpoint.addresses?.[0]) out.push({ endpoint, ports: slice.ports ?? [] });
    }
  }
  return out;
}

/** An endpoint's name under its Service: its hostname, or its address with dashes (10-0-0-7). */
function endpointHost(e: Endpoint): string {
  return (e.hostname ?? e.addresses[0]!.replaceAll('.', '-')).toLowerCase();
}

function uniqueAddresses(endpoints: SliceEndpoint[]): string[] {
  return [...new Set(endpoints.map((e) => e.endpoint.addresses[0]!))];
}
