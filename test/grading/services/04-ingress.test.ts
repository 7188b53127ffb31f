/**
 * Hidden suite for 07-services/04-ingress: which Ingresses a controller serves, and where a request
 * goes. After the Ingress docs' path matching table (kubernetes.io/docs/concepts/services-networking/
 * ingress/#examples: Prefix /foo matches /foo/ and /foo/bar, not /foobar; /aaa/bb does not match
 * /aaa/bbb; Exact over Prefix; longest path wins), networking/v1 types.go (wildcard hosts match one
 * label) and the default IngressClass annotation (ingressclass.kubernetes.io/is-default-class).
 *
 * Likely bugs, each caught below: Prefix /foo matching /foobar (a string prefix); a trailing slash
 * breaking Prefix; the first matching path winning instead of the longest; Prefix over Exact at
 * equal length; a wildcard matching two labels or the bare domain; a hostless rule beating a host
 * rule; the query string or the :port kept; the default backend used while a rule matches; an
 * Ingress of another class served; no default class.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Ingress, IngressClass, IngressPath } from '#engine/proxy/exercises.ts';
import { hint, show } from '#grading';

const s = await loadComponent('services');

let age = 0;
function ingress(name: string, o: { rules?: { host?: string; paths: IngressPath[] }[]; defaultBackend?: string; className?: string; annotations?: Record<string, string> } = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, ++age)).toISOString(), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      ...(o.className ? { ingressClassName: o.className } : {}),
      ...(o.defaultBackend ? { defaultBackend: { service: { name: o.defaultBackend, port: { number: 80 } } } } : {}),
      rules: (o.rules ?? []).map((r) => ({ ...(r.host ? { host: r.host } : {}), http: { paths: r.paths } })),
    },
  };
}
const to = (service: string, path: string, pathType: IngressPath['pathType'] = 'Prefix'): IngressPath => ({ path, pathType, backend: { service: { name: service, port: { number: 80 } } } });
const where = (ings: Ingress[], host: string, path: string) => s.routeIngress(ings, host, path)?.service ?? '404';

describe('paths', () => {
  const ing = [ingress('a', { rules: [{ paths: [to('foo', '/foo'), to('exact', '/exact', 'Exact'), to('impl', '/impl', 'ImplementationSpecific')] }] })];

  test('Prefix matches by path elements: /foo matches /foo, /foo/ and /foo/bar, not /foobar', hint('Is /foobar "under" /foo? Split both on "/" and compare elements'), () => {
    expect(show(['/foo', '/foo/', '/foo/bar', '/foobar', '/fo'].map((p) => where(ing, 'x.test', p))), 'backends for /foo, /foo/, /foo/bar, /foobar, /fo (rule: Prefix /foo)').toBe(
      show(['default/foo', 'default/foo', 'default/foo', '404', '404']),
    );
  });

  test('a trailing slash in a Prefix rule does not matter; Prefix / matches everything', () => {
    const slash = [ingress('a', { rules: [{ paths: [to('foo', '/foo/'), to('root', '/')] }] })];
    expect(show(['/foo', '/foo/x', '/bar'].map((p) => where(slash, 'x.test', p))), 'backends for /foo, /foo/x, /bar (rules: Prefix /foo/, Prefix /)').toBe(
      show(['default/foo', 'default/foo', 'default/root']),
    );
    const deep = [ingress('a', { rules: [{ paths: [to('bb', '/aaa/bb')] }] })];
    expect(where(deep, 'x.test', '/aaa/bbb'), 'backend for /aaa/bbb (rule: Prefix /aaa/bb)').toBe('404');
  });

  test('Exact matches only the same path; ImplementationSpecific here is a string prefix', hint('Exact /exact does not match /exact/'), () => {
    expect(show(['/exact', '/exact/', '/impl', '/implx'].map((p) => where(ing, 'x.test', p))), 'backends for /exact, /exact/, /impl, /implx').toBe(
      show(['default/exact', '404', 'default/impl', 'default/impl']),
    );
  });

  test('the longest matching path wins, whatever the order; at equal length Exact beats Prefix', hint('Do you return the first path that matches?'), () => {
    const ordered = [ingress('a', { rules: [{ paths: [to('short', '/'), to('long', '/api/v1'), to('mid', '/api')] }] })];
    expect(where(ordered, 'x.test', '/api/v1/users'), 'backend for /api/v1/users (Prefix /, /api/v1, /api)').toBe('default/long');
    const tie = [ingress('a', { rules: [{ paths: [to('prefix', '/api'), to('exact', '/api', 'Exact')] }] })];
    expect(where(tie, 'x.test', '/api'), 'backend for /api (Prefix /api listed before Exact /api)').toBe('default/exact');
  });

  test('the query string is not part of the path', () => {
    expect(where(ing, 'x.test', '/exact?x=1'), 'backend for /exact?x=1').toBe('default/exact');
  });
});

describe('hosts', () => {
  const ings = [
    ingress('a', {
      rules: [
        { host: 'shop.example.com', paths: [to('shop', '/')] },
        { host: '*.example.com', paths: [to('wild', '/')] },
      ],
    }),
    ingress('b', { rules: [{ paths: [to('any', '/')] }] }),
  ];

  test('a host rule, then a one-label wildcard, then a rule without host', hint('Which is more specific: shop.example.com, *.example.com, or no host?'), () => {
    expect(
      show(['shop.example.com', 'api.example.com', 'example.com', 'a.b.example.com', 'other.test'].map((h) => where(ings, h, '/'))),
      'backends for shop., api., bare example.com, a.b.example.com, other.test',
    ).toBe(show(['default/shop', 'default/wild', 'default/any', 'default/any', 'default/any']));
  });

  test('the host compares without case and without its port', hint('A Host header may carry :8080'), () => {
    expect(where(ings, 'SHOP.Example.com:8080', '/'), 'backend for Host SHOP.Example.com:8080').toBe('default/shop');
  });

  test('a host with no matching path falls to the next level', () => {
    const narrow = [ingress('a', { rules: [{ host: 'shop.example.com', paths: [to('cart', '/cart')] }, { paths: [to('any', '/')] }] })];
    expect(where(narrow, 'shop.example.com', '/about'), 'backend for shop.example.com/about (host rule has only /cart)').toBe('default/any');
  });
});

describe('default backend and classes', () => {
  test("the default backend only when no rule matches; the oldest Ingress's; named ports kept", hint('defaultBackend is the last resort'), () => {
    const ings = [ingress('old', { defaultBackend: 'fallback', rules: [{ paths: [to('foo', '/foo')] }] }), ingress('new', { defaultBackend: 'other' })];
    expect(show([where(ings, 'x', '/foo'), where(ings, 'x', '/bar')]), 'backends for /foo and /bar').toBe(show(['default/foo', 'default/fallback']));
    expect(s.routeIngress(ings, 'x', '/bar')?.matched, 'matched').toBe('defaultBackend');
    const named: Ingress = ingress('n', { rules: [{ paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] }] });
    expect(s.routeIngress([named], 'x', '/'), 'route to a port by name').toEqual({ ingress: 'default/n', service: 'default/web', port: 'http', matched: 'Prefix' });
  });

  test("Ingresses of this controller's classes, the default class for those without one, oldest first", hint('spec.controller of the IngressClass says whose it is'), () => {
    const classes: IngressClass[] = [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'ours', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: { controller: 'kubelings.dev/ingress' },
      },
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
    ];
    const ings = [
      ingress('mine', { className: 'ours' }),
      ingress('theirs', { className: 'nginx' }),
      ingress('unclassed'),
      ingress('legacy', { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }),
    ];
    expect(
      s.ingressesForController([...ings].reverse(), classes, 'kubelings.dev/ingress').map((i) => i.metadata.name),
      'Ingresses served by kubelings.dev/ingress',
    ).toEqual(['mine', 'unclassed']);
    const noDefault = classes.map((c) => ({ ...c, metadata: { name: c.metadata.name } }));
    expect(
      s.ingressesForController(ings, noDefault, 'kubelings.dev/ingress').map((i) => i.metadata.name),
      'without a default class',
    ).toEqual(['mine']);
  });
});
