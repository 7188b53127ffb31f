/**
 * Exercise 07-services/01-service-rules: from Services and their EndpointSlices to the rules
 * kube-proxy programs, as a pure function. The engine shows your rules as the nftables ruleset
 * kube-proxy would write (`npx kubelings explain proxy`), and its userspace proxy carries real TCP
 * connections to the endpoints they name.
 *
 * Shapes (engine/kube/types.ts, engine/proxy/exercises.ts):
 *   Service { metadata: { namespace, name }, spec: { type?, clusterIP?, ports?: ServicePort[],
 *             sessionAffinity?, sessionAffinityConfig?: { clientIP?: { timeoutSeconds? } },
 *             internalTrafficPolicy?, externalTrafficPolicy? } }   (serviceSpec() types them)
 *   ServicePort { name?, protocol?, port, targetPort?, nodePort? }
 *   EndpointSlice { metadata: { namespace, labels: { 'kubernetes.io/service-name': svc } },
 *                   addressType, endpoints: Endpoint[], ports?: EndpointPort[] }
 *   Endpoint { addresses: string[], conditions: { ready?, serving?, terminating? }, nodeName? }
 *   EndpointPort { name?, protocol?, port? }
 *   ProxyRule, ProxyEndpoint: engine/proxy/exercises.ts
 *
 * Read: lessons/core/07-services/02-service-rules.md
 * Check: npx kubelings check 07-services/01-service-rules
 * Upstream: pkg/proxy/topology.go (CategorizeEndpoints), pkg/proxy/serviceport.go
 * (UsesClusterEndpoints, UsesLocalEndpoints), pkg/proxy/endpointslicecache.go.
 */
import type { ProxyRule } from '#engine/proxy/exercises.ts';
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS, ipSortKey, serviceKey, serviceKeyOfSlice, serviceSpec } from '#engine/proxy/service-util.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import { NotImplemented } from '#engine/errors.ts';

const PAGE = 'lessons/core/07-services/02-service-rules.md';
void [DEFAULT_AFFINITY_TIMEOUT_SECONDS, ipSortKey, serviceKey, serviceKeyOfSlice, serviceSpec];

/**
 * Every Service port's rule on node `nodeName`, sorted by servicePortName.
 *
 * - Only Services with a ClusterIP get rules: skip ExternalName, headless (clusterIP None) and
 *   Services without one. One rule per port: servicePortName `ns/name:portName` (`ns/name` when
 *   the port has no name), protocol (TCP when unset), clusterIP, port; nodePort only for type
 *   NodePort or LoadBalancer; affinityTimeoutSeconds only for sessionAffinity ClientIP (its
 *   sessionAffinityConfig timeout, or DEFAULT_AFFINITY_TIMEOUT_SECONDS).
 * - A port's endpoints come from the IPv4 slices labelled with the Service's name (same
 *   namespace), from the slice port with the same name and protocol: a named targetPort was
 *   already turned into a number per pod by the EndpointSlice controller. One endpoint per
 *   ip:port (a pod may sit in two slices for a moment; a ready copy wins). Conditions: ready
 *   unset means true, serving unset means ready, terminating unset means false. local: the
 *   endpoint's nodeName is `nodeName`. Sort by IP numerically (ipSortKey), then port.
 * - Which endpoints traffic may use (CategorizeEndpoints): the cluster list is the ready
 *   endpoints, or, only when there is no ready one, the serving-and-terminating ones. The local
 *   list is the same choice among the local endpoints alone. internalEndpoints: the local list
 *   when internalTrafficPolicy is Local, else the cluster list. externalEndpoints (only with a
 *   node port, else []): the local list when externalTrafficPolicy is Local, else the cluster
 *   list. hasEndpoints: some endpoint anywhere is ready, or serving and terminating.
 */
export function serviceRules(services: readonly Service[], endpointSlices: readonly EndpointSlice[], nodeName: string): ProxyRule[] {
  // TODO
  throw new NotImplemented('07-services/01-service-rules', PAGE, 'serviceRules()');
}
