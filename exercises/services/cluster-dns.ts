/**
 * Exercise 07-services/03-cluster-dns: the answers of cluster DNS, as CoreDNS's kubernetes plugin
 * gives them. The engine's DNS server (engine/proxy/dns-server.ts) reads and writes the packets
 * (with the dns-packet library) on UDP and TCP and asks your answerDns for each question.
 *
 * Names under the cluster domain (view.zone, `cluster.local`):
 *   <svc>.<ns>.svc.<zone>                   A: the ClusterIP; a headless Service (clusterIP None):
 *                                           one A per ready endpoint address; ExternalName: a
 *                                           CNAME to spec.externalName (for A, CNAME and ANY)
 *   <host>.<svc>.<ns>.svc.<zone>            A: the ready endpoints of a headless Service whose
 *                                           hostname is <host> (or whose address is <host> with
 *                                           dashes: 10-0-0-7)
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for a named port: ClusterIP: one record (priority
 *                                           0, weight 100, the Service port, target <svc>.<ns>.svc.
 *                                           <zone>); headless: one per ready endpoint with that port
 *                                           (weight floor(100 / n), its port, target its host name)
 *                                           with the target's A record in additionals
 *   <ns>.svc.<zone>, svc.<zone>, <zone>     exist (a namespace when a Service is in it): no records
 * A name that does not exist: NXDOMAIN. A name that exists without a record of the type asked:
 * NOERROR and no answers (NODATA). Names outside the zone: REFUSED (the engine does not forward).
 * Names compare without case and without the final dot; answer names are lower case. Every record
 * has view.ttl.
 *
 * Read: lessons/core/07-services/04-cluster-dns.md
 * Check: npx kubelings check 07-services/03-cluster-dns
 * Upstream: coredns plugin/kubernetes (kubernetes.go, parse.go), plugin/backend_lookup.go;
 * kubernetes/dns docs/specification.md.
 */
import type { DnsAnswer, DnsView } from '#engine/proxy/exercises.ts';
import { serviceKeyOfSlice, serviceSpec } from '#engine/proxy/service-util.ts';
import { NotImplemented } from '#engine/errors.ts';

const PAGE = 'lessons/core/07-services/04-cluster-dns.md';
void [serviceKeyOfSlice, serviceSpec];

/**
 * The names a pod in `namespace` tries for `name`, in order, as its resolv.conf makes them:
 * `search <ns>.svc.<zone> svc.<zone> <zone>` and `options ndots:5`. A name ending in a dot is
 * asked as is (without the dot) and alone; a name with at least 5 dots is tried as is first, then
 * with each search domain; otherwise each search domain first and the name as is last.
 */
export function searchNames(name: string, namespace: string, zone: string): string[] {
  // TODO
  throw new NotImplemented('07-services/03-cluster-dns', PAGE, 'searchNames()');
}

/** The answer to one question (see the file header). */
export function answerDns(name: string, type: string, view: DnsView): DnsAnswer {
  // TODO
  throw new NotImplemented('07-services/03-cluster-dns', PAGE, 'answerDns()');
}
