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
    const longer = [ingress('a', { rules: [{ paths: [to('deep', '/aaa/bbb')] }] })];
    expect(where(longer, 'x.test', '/aaa'), 'backend for /aaa (rule: Prefix /aaa/bbb, longer than the request)').toBe('404');
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

  test(
    'ties: the older Ingress wins, whatever order they are given in; Exact beats Prefix in either order; a Prefix rule is as long as its path without the trailing slash',
    hint('Sort by age before you look. Compare lengths as the stub says: /api/ as a Prefix rule is as long as /api'),
    () => {
      const older = ingress('older', { rules: [{ paths: [to('old', '/api')] }] });
      const newer = ingress('newer', { rules: [{ paths: [to('new', '/api')] }] });
      expect(where([newer, older], 'x.test', '/api/x'), 'backend for /api/x (Prefix /api in two Ingresses, the newer given first)').toBe('default/old');
      const exactFirst = [ingress('a', { rules: [{ paths: [to('exact', '/api', 'Exact'), to('prefix', '/api/')] }] })];
      expect(where(exactFirst, 'x.test', '/api'), 'backend for /api (Exact /api listed before Prefix /api/)').toBe('default/exact');
      const mixed = [ingress('p', { rules: [{ paths: [to('prefix', '/api')] }] }), ingress('i', { rules: [{ paths: [to('impl', '/api', 'ImplementationSpecific')] }] })];
      expect(where(mixed, 'x.test', '/api/x'), 'backend for /api/x (older: Prefix /api; newer: ImplementationSpecific /api; equal length)').toBe('default/prefix');
      const slashImpl = [ingress('p', { rules: [{ paths: [to('prefix', '/foo/')] }] }), ingress('i', { rules: [{ paths: [to('impl', '/foo/', 'ImplementationSpecific')] }] })];
      expect(where(slashImpl, 'x.test', '/foo/x'), 'backend for /foo/x (older: Prefix /foo/, length 4; newer: ImplementationSpecific /foo/, length 5)').toBe('default/impl');
    },
  );

  test(
    'a path whose backend has no service (a resource backend) or no port is skipped, and so is a rule without http or an Ingress without spec',
    hint('Such a backend gives nowhere to send the request: the next best match decides. What does your code do with backend.service undefined?'),
    () => {
      const resource: IngressPath = { path: '/api/v1', pathType: 'Prefix', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } };
      const noPort: IngressPath = { path: '/api', pathType: 'Prefix', backend: { service: { name: 'portless' } } };
      const ings: Ingress[] = [
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'bare', namespace: 'default', creationTimestamp: '2023-01-01T00:00:00Z' } },
        { ...ingress('a', { rules: [{ paths: [resource, noPort, to('root', '/')] }] }) },
        { ...ingress('h'), spec: { rules: [{ host: 'x.test' }] } },
      ];
      expect(s.routeIngress(ings, 'x.test', '/api/v1/items'), 'route for /api/v1/items (Prefix /api/v1 to a resource, Prefix /api with no port, Prefix / to root)').toEqual({
        ingress: 'default/a',
        service: 'default/root',
        port: 80,
        matched: 'Prefix',
      });
      expect(s.routeIngress([ings[0]!], 'x.test', '/'), 'route for / among one Ingress without spec').toBeUndefined();
    },
  );

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

  test('a trailing dot on the host does not matter; a wildcard never matches its bare domain, even a one-label one', hint('*.localhost: is "localhost" one label more than "localhost"?'), () => {
    expect(where(ings, 'shop.example.com.', '/'), 'backend for Host shop.example.com.').toBe('default/shop');
    const local = [ingress('l', { rules: [{ host: '*.localhost', paths: [to('wild', '/')] }, { paths: [to('any', '/')] }] })];
    expect(show(['app.localhost', 'localhost', '.localhost'].map((h) => where(local, h, '/'))), 'backends for app.localhost, localhost and .localhost (rules: *.localhost, no host)').toBe(
      show(['default/wild', 'default/any', 'default/any']),
    );
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

  test("the default backend is the oldest Ingress's that has one, whatever order they come in", hint('Oldest first, but skip the Ingresses that have no defaultBackend'), () => {
    const ings = [ingress('oldest', { rules: [{ paths: [to('foo', '/foo')] }] }), ingress('middle', { defaultBackend: 'fallback' }), ingress('newest', { defaultBackend: 'other' })];
    expect(s.routeIngress([...ings].reverse(), 'x', '/bar'), 'route for /bar (oldest: no default backend; middle: fallback; newest: other; given newest first)').toEqual({
      ingress: 'default/middle',
      service: 'default/fallback',
      port: 80,
      matched: 'defaultBackend',
    });
  });

  test(
    'Ingresses as old as each other are ordered by namespace/name; routes name the Ingress and Service in its own namespace',
    hint('creationTimestamp has one-second steps: two Ingresses made in the same second tie. What then? And which namespace is the backend Service in?'),
    () => {
      const at = '2024-06-01T00:00:00Z';
      const same = (name: string, namespace: string, svc: string): Ingress => ({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name, namespace, creationTimestamp: at },
        spec: { rules: [{ http: { paths: [to(svc, '/')] } }] },
      });
      const specless: Ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'c', namespace: 'shop', creationTimestamp: at } };
      const ings = [same('b', 'shop', 'b'), same('a', 'shop', 'a'), specless, same('z', 'dev', 'z')];
      const classes: IngressClass[] = [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'IngressClass',
          metadata: { name: 'ours', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
          spec: { controller: 'kubelings.dev/ingress' },
        },
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'specless' } },
      ];
      expect(
        s.ingressesForController(ings, classes, 'kubelings.dev/ingress').map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
        'Ingresses created in the same second: shop/b, shop/a, shop/c (no spec), dev/z',
      ).toEqual(['dev/z', 'shop/a', 'shop/b', 'shop/c']);
      expect(s.routeIngress([ings[0]!, ings[1]!], 'x', '/'), 'route for / (shop/b and shop/a, same age, both Prefix /)').toEqual({ ingress: 'shop/a', service: 'shop/a', port: 80, matched: 'Prefix' });
    },
  );

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
