/**
 * The engine's Ingress controller end to end in loopback mode: a real apiserver, kube-proxy (the
 * userspace proxy) and the Ingress controller with the reference services component; two HTTP
 * "pods" on 127.64.x behind two Services; an IngressClass and an Ingress routing two hosts. Requests
 * carry a Host header as curl --resolve would; the answers, the 404 for an unknown host, the 503 for
 * a missing Service and the ADDRESS written into status.loadBalancer are read back.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startCluster } from '#engine/cluster/cluster.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import type { Ingress } from '#engine/proxy/exercises.ts';
import { pickEndpoint, runIngressController } from '#engine/proxy/ingress-controller.ts';
import { runKubeProxy } from '#engine/proxy/kube-proxy.ts';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function httpPod(name: string, ip: string): Promise<number> {
  const server = http.createServer((req, res) => res.end(`${name} ${req.url} ${req.headers['x-forwarded-host']}`));
  await new Promise<void>((r) => server.listen({ host: ip, port: 0 }, r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return (server.address() as net.AddressInfo).port;
}
function get(port: number, host: string, path: string): Promise<string> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.89.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(`${res.statusCode} ${body.trim()}`));
      })
      .on('error', (e) => resolve(e.message));
  });
}

test('an Ingress routes two hosts to two Services through kube-proxy, 404 elsewhere, and gets its ADDRESS', async () => {
  const cluster = await startCluster();
  cleanup.push(() => cluster.stop());
  const kp = await runKubeProxy(cluster.client, { nodeName: 'node-1', nodeIP: '127.88.0.9', minSyncPeriodMs: 50 });
  cleanup.push(() => kp.stop());
  const ic = await runIngressController(cluster.client, { host: '127.89.0.1' });
  cleanup.push(() => ic.stop());
  const ns = { namespace: 'default' };
  for (const [name, ip] of [
    ['shop', '127.64.203.1'],
    ['blog', '127.64.203.2'],
  ] as const) {
    const port = await httpPod(name, ip);
    await cluster.client.create<Service>(
      'services',
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 18081, protocol: 'TCP' }] } },
      ns,
    );
    await cluster.client.create<EndpointSlice>(
      'endpointslices',
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: 'http', protocol: 'TCP', port }],
      },
      ns,
    );
  }
  await cluster.client.create('ingressclasses', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'kubelings' },
    spec: { controller: 'kubelings.dev/ingress-controller' },
  });
  const backend = (name: string) => ({ service: { name, port: { number: 18081 } } });
  await cluster.client.create<Ingress>(
    'ingresses',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'sites', namespace: 'default' },
      spec: {
        ingressClassName: 'kubelings',
        rules: [
          { host: 'shop.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('shop') }] } },
          {
            host: 'blog.test',
            http: {
              paths: [
                { path: '/posts', pathType: 'Prefix', backend: backend('blog') },
                { path: '/gone', pathType: 'Exact', backend: backend('missing') },
              ],
            },
          },
        ],
      },
    },
    ns,
  );
  // kube-proxy programs each Service on its own sync: shop answering says nothing of blog, so each
  // backed route is waited for on its own (a full run once saw blog's listener still missing).
  // Generous: informers and kube-proxy's syncs on a loaded machine.
  const deadline = Date.now() + 90_000;
  const answered = async (host: string, path: string): Promise<string> => {
    let answer = '';
    while (Date.now() < deadline && !(answer = await get(ic.port, host, path)).startsWith('200')) await new Promise((r) => setTimeout(r, 50));
    return answer;
  };
  expect(await answered('shop.test', '/cart'), 'GET http://shop.test/cart').toBe('200 shop /cart shop.test');
  expect(await answered('blog.test:80', '/posts/1'), 'GET http://blog.test/posts/1').toBe('200 blog /posts/1 blog.test:80');
  expect(await get(ic.port, 'blog.test', '/postsx'), 'GET http://blog.test/postsx (Prefix /posts)').toBe('404 default backend - 404');
  expect(await get(ic.port, 'other.test', '/'), 'GET http://other.test/').toBe('404 default backend - 404');
  expect(await get(ic.port, 'blog.test', '/gone'), 'GET http://blog.test/gone (Service missing does not exist)').toBe('503 no endpoint for default/missing:18081');
  let address: unknown;
  while (Date.now() < deadline) {
    address = (await cluster.client.get<Ingress>('ingresses', 'sites', ns)).status?.loadBalancer?.ingress;
    if (Array.isArray(address) && address.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(address, 'status.loadBalancer.ingress of the Ingress').toEqual([{ ip: '127.89.0.1' }]);
}, 180_000);

describe('kernel mode: the endpoint the controller connects to (pickEndpoint)', () => {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 80 }] } } as Service;
  const slice = (
    name: string,
    labels: Record<string, string>,
    ports: { name?: string; port: number; protocol?: string }[],
    endpoints: { ip: string; ready?: boolean }[],
    namespace = 'shop',
  ): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels },
    addressType: 'IPv4',
    ports,
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: e.ready === undefined ? {} : { ready: e.ready } })),
  });
  const mine = { 'kubernetes.io/service-name': 'web' };
  test('only ready endpoints of this Service, with the slice port named as the Service port; none ready is undefined', () => {
    const slices = [
      slice(
        'web-a',
        mine,
        [
          { name: 'http', port: 8080 },
          { name: 'admin', port: 9090 },
        ],
        [{ ip: '10.244.0.5', ready: false }, { ip: '10.244.1.7' }],
      ),
      slice('other', { 'kubernetes.io/service-name': 'other' }, [{ name: 'http', port: 1 }], [{ ip: '10.244.0.9' }]),
      slice('web-b', mine, [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.8', ready: true }], 'elsewhere'),
      slice('web-udp', mine, [{ name: 'http', port: 53, protocol: 'UDP' }], [{ ip: '10.244.0.3' }]),
    ];
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const e = pickEndpoint(service, 'http', slices);
      seen.add(`${e?.address}:${e?.port}`);
    }
    expect([...seen]).toEqual(['10.244.1.7:8080']);
    expect(
      pickEndpoint(
        service,
        'http',
        [slices[0]!].map((s) => ({ ...s, endpoints: s.endpoints.slice(0, 1) })),
      ),
    ).toBeUndefined();
    expect(pickEndpoint(service, 'metrics', slices)).toBeUndefined();
  });
  test('spreads over every ready endpoint', () => {
    const slices = [slice('web-a', mine, [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.1.7' }, { ip: '10.244.1.8' }])];
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(pickEndpoint(service, 'http', slices)!.address);
    expect([...seen].sort()).toEqual(['10.244.0.5', '10.244.1.7', '10.244.1.8']);
  });
});
