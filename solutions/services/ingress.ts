/**
 * Exercise 07-services/04-ingress: an Ingress controller's routing decision. Which Ingresses are
 * this controller's (IngressClass), and for one HTTP request (host, path) which Service port it
 * goes to: host rules (exact, then a one-label wildcard), then paths (Exact, Prefix by path
 * elements, ImplementationSpecific as a plain string prefix here), the longest match winning,
 * then the default backend.
 *
 * Read: lessons/core/07-services/05-ingress.md
 * Check: npx kubelings check 07-services/04-ingress
 * Upstream: the Ingress API (networking/v1 types.go: PathType docs), the Ingress spec's path
 * matching examples (kubernetes.io/docs/concepts/services-networking/ingress/#examples),
 * ingress-nginx internal/ingress/controller/store (default IngressClass).
 */
import type { Ingress, IngressBackend, IngressClass, IngressRoute } from '#engine/proxy/exercises.ts';

const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const keyOf = (o: Ingress) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
const byAge = (a: Ingress, b: Ingress) => {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
};

export function ingressesForController(ingresses: readonly Ingress[], classes: readonly IngressClass[], controller: string): Ingress[] {
  const mine = new Set(classes.filter((c) => c.spec?.controller === controller).map((c) => c.metadata.name));
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  const defaultIsMine = defaults.length === 1 && mine.has(defaults[0]!.metadata.name);
  return ingresses
    .filter((i) => {
      const name = i.spec?.ingressClassName ?? i.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
      return name === undefined ? defaultIsMine : mine.has(name);
    })
    .sort(byAge);
}

/** Prefix matching by path elements: /foo matches /foo, /foo/ and /foo/bar, not /foobar. */
function prefixMatches(prefix: string, path: string): boolean {
  const want = prefix.split('/').filter((e) => e !== '');
  const got = path.split('/').filter((e) => e !== '');
  if (want.length > got.length) return false;
  return want.every((e, i) => got[i] === e);
}

function hostMatches(ruleHost: string | undefined, host: string): 'exact' | 'wildcard' | 'any' | undefined {
  if (!ruleHost) return 'any';
  const rule = ruleHost.toLowerCase();
  if (rule.startsWith('*.')) {
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === rule.slice(2) ? 'wildcard' : undefined;
  }
  return rule === host ? 'exact' : undefined;
}

function routeTo(ingress: Ingress, backend: IngressBackend, matched: IngressRoute['matched']): IngressRoute | undefined {
  const service = backend.service;
  if (!service) return undefined;
  const port = service.port?.number ?? service.port?.name;
  if (port === undefined) return undefined;
  return { ingress: keyOf(ingress), service: `${ingress.metadata.namespace ?? 'default'}/${service.name}`, port, matched };
}

export function routeIngress(ingresses: readonly Ingress[], host: string, path: string): IngressRoute | undefined {
  const requestHost = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const requestPath = path.split('?')[0] || '/';
  const ordered = [...ingresses].sort(byAge);
  for (const level of ['exact', 'wildcard', 'any'] as const) {
    let best: { route: IngressRoute; length: number; exact: boolean } | undefined;
    for (const ingress of ordered) {
      for (const rule of ingress.spec?.rules ?? []) {
        if (hostMatches(rule.host, requestHost) !== level) continue;
        for (const p of rule.http?.paths ?? []) {
          const rulePath = p.path ?? '/';
          const ok = p.pathType === 'Exact' ? rulePath === requestPath : p.pathType === 'Prefix' ? prefixMatches(rulePath, requestPath) : requestPath.startsWith(rulePath);
          if (!ok) continue;
          const length = p.pathType === 'Prefix' ? rulePath.replace(/\/+$/, '').length : rulePath.length;
          const exact = p.pathType === 'Exact';
          if (best && (best.length > length || (best.length === length && (best.exact || !exact)))) continue;
          const route = routeTo(ingress, p.backend, p.pathType);
          if (route) best = { route, length, exact };
        }
      }
    }
    if (best) return best.route;
  }
  for (const ingress of ordered) {
    const backend = ingress.spec?.defaultBackend;
    const route = backend && routeTo(ingress, backend, 'defaultBackend');
    if (route) return route;
  }
  return undefined;
}
