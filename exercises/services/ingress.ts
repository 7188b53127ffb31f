/**
 * Exercise 07-services/04-ingress: an Ingress controller's routing decision. The engine's Ingress
 * controller (engine/proxy/ingress-controller.ts) listens for HTTP, asks your routeIngress where
 * each request goes, and proxies it to that Service; it writes status.loadBalancer on the
 * Ingresses your ingressesForController says are its own.
 *
 * Shapes (engine/proxy/exercises.ts):
 *   Ingress { metadata: { namespace, name, creationTimestamp, annotations }, spec: { ingressClassName?,
 *             defaultBackend?: IngressBackend, rules?: [{ host?, http?: { paths: IngressPath[] } }] } }
 *   IngressPath { path?, pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific', backend: IngressBackend }
 *   IngressBackend { service?: { name, port?: { number? } | { name? } }, resource? }
 *   IngressClass { metadata: { name, annotations }, spec: { controller } }
 *   IngressRoute { ingress: 'ns/name', service: 'ns/name', port: number | string, matched }
 *
 * Read: lessons/core/07-services/05-ingress.md
 * Check: npx kubelings check 07-services/04-ingress
 * Upstream: networking/v1 types.go (PathType), the Ingress docs' path matching examples,
 * ingress-nginx (default IngressClass).
 */
import type { Ingress, IngressClass, IngressRoute } from '#engine/proxy/exercises.ts';
import { NotImplemented } from '#engine/errors.ts';

const PAGE = 'lessons/core/07-services/05-ingress.md';

/**
 * The Ingresses this controller serves, oldest first (creationTimestamp, then namespace/name):
 * those whose spec.ingressClassName (or, if unset, the old annotation kubernetes.io/ingress.class)
 * names an IngressClass whose spec.controller is `controller`; an Ingress naming no class at all
 * is this controller's when exactly one IngressClass is annotated
 * ingressclass.kubernetes.io/is-default-class: "true" and it is one of this controller's.
 */
export function ingressesForController(ingresses: readonly Ingress[], classes: readonly IngressClass[], controller: string): Ingress[] {
  // TODO
  throw new NotImplemented('07-services/04-ingress', PAGE, 'ingressesForController()');
}

/**
 * Where a request goes. The host compares without case, without a :port and a final dot.
 * - Rules whose host equals the request's win over wildcard rules (`*.example.com` matches
 *   exactly one more label: a.example.com, not example.com nor a.b.example.com), which win over
 *   rules without a host. The first of these three levels with any matching path decides.
 * - Paths (the request's, without ?query): Exact: equal, case-sensitive. Prefix: by path
 *   elements split on "/": /foo matches /foo, /foo/ and /foo/bar, but not /foobar; a trailing
 *   slash in the rule does not matter; / matches all. ImplementationSpecific: here, a plain string
 *   prefix (so /foo matches /foobar: that is the difference).
 * - Among matches at one level, the longest rule path wins (a Prefix rule's length without its
 *   trailing slashes); at equal length, Exact wins; still equal, the older Ingress.
 * - No rule matches: the defaultBackend of the oldest Ingress that has one; none: undefined.
 * A backend without a service (a resource backend) or without a port is skipped.
 */
export function routeIngress(ingresses: readonly Ingress[], host: string, path: string): IngressRoute | undefined {
  // TODO
  throw new NotImplemented('07-services/04-ingress', PAGE, 'routeIngress()');
}
