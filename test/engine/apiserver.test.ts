/**
 * The engine's apiserver over HTTP, request by request: discovery and OpenAPI as kubectl reads
 * them, the Status of every kind of mistake, bodies in JSON, YAML and protobuf, lists with
 * selectors and pages, watches (initial state, resume, 410, selectors, tables), subresources, and
 * what a learner's unwritten stub looks like from the outside.
 */
import { createServer, type Server } from 'node:https';
import { createCa, createServingCert } from '#engine/apiserver/pki.ts';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApiserverExercises } from '#engine/apiserver/exercises.ts';
import { startApiServer } from '#engine/apiserver/server.ts';
import { createStore } from '#engine/etcd/store.ts';
import { loadComponent } from '#engine/impl.ts';
import type { KubeObject, Node, Pod, Status } from '#engine/kube/types.ts';
import { fetchWithToken, startTestServer, type TestServer } from './apiserver-harness.ts';
import { httpsFetch } from './https-fetch.ts';
import { usePristineStubs } from './pristine-stubs.ts';

let server: TestServer;
/** The CA the kubelets' serving certificates come from (the apiserver verifies them with it). */
const kubeletCa = createCa();

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...(body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array) ? { 'Content-Type': 'application/json' } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as RequestInit['body']) : JSON.stringify(body);
  const res = await server.fetch(path, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });

/** Reads a watch stream until `count` events arrived (or the stream ended). */
/**
 * Opens a watch and resolves once the server has answered its headers, which it sends only after it
 * has subscribed to changes: anything done after this reaches the watch. `events` then gives the
 * first `count` events.
 */
async function startWatch(path: string, count: number, headers: Record<string, string> = {}): Promise<{ events: Promise<any[]> }> {
  const controller = new AbortController();
  const res = await server.fetch(path, { signal: controller.signal, headers });
  const reader = res.body!.getReader();
  const read = async () => {
    const events: any[] = [];
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      while (events.length < count) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
        }
      }
    } finally {
      controller.abort();
    }
    return events;
  };
  return { events: read() };
}

async function watchEvents(path: string, count: number, headers: Record<string, string> = {}): Promise<any[]> {
  return (await startWatch(path, count, headers)).events;
}

// A tiny protobuf writer, enough to build the bodies kubectl 1.32 sends.
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
const bytesField = (no: number, payload: Uint8Array | number[] | string) => {
  const data = typeof payload === 'string' ? [...Buffer.from(payload)] : [...payload];
  return [...varint((no << 3) | 2), ...varint(data.length), ...data];
};
const mapEntry = (no: number, key: string, value: string) => bytesField(no, [...bytesField(1, key), ...bytesField(2, value)]);
function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bytesField(1, [...bytesField(1, apiVersion), ...bytesField(2, kind)]), ...bytesField(2, raw)]);
}

beforeAll(async () => {
  server = await startTestServer({ watchCacheCapacity: 3, maxBodyBytes: 64 * 1024, kubeletClient: { ca: kubeletCa.cert } });
});
afterAll(() => server.close());

describe('discovery and OpenAPI, as kubectl reads them', () => {
  test('/version reports minor "32"; /api and /apis list the groups; /api/v1 lists pods with its subresources', async () => {
    expect((await call('GET', '/version')).json).toMatchObject({ major: '1', minor: '32' });
    expect((await call('GET', '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).json.groups.map((g: { name: string }) => g.name);
    expect(groups).toEqual(
      expect.arrayContaining(['apps', 'authorization.k8s.io', 'batch', 'coordination.k8s.io', 'discovery.k8s.io', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io']),
    );
    const v1 = (await call('GET', '/api/v1')).json;
    const names = v1.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/status',
        'pods/log',
        'pods/binding',
        'services',
        'namespaces',
        'nodes',
        'configmaps',
        'secrets',
        'events',
        'endpoints',
        'serviceaccounts',
        'persistentvolumes',
        'persistentvolumeclaims',
      ]),
    );
    expect(v1.resources.find((r: { name: string }) => r.name === 'pods')).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'] });
    const apps = (await call('GET', '/apis/apps/v1')).json;
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  });

  test('aggregated discovery answers with the Content-Type kubectl decides by', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const r = await call('GET', '/apis', undefined, { Accept: accept });
    expect(r.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const apps = r.json.items.find((i: { metadata: { name?: string } }) => i.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((x: { resource: string }) => x.resource === 'deployments');
    expect(deployments.subresources.map((s: { subresource: string }) => s.subresource)).toEqual(['scale', 'status']);
  });

  test('/openapi/v3 lists every group/version, each with PATCH operations that take fieldValidation; /openapi/v2 is JSON, or a 404 to a protobuf-only Accept', async () => {
    const root = (await call('GET', '/openapi/v3')).json;
    expect(Object.keys(root.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/rbac.authorization.k8s.io/v1']));
    const doc = (await call('GET', root.paths['apis/apps/v1'].serverRelativeURL)).json;
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
    expect((await call('GET', '/openapi/v2', undefined, { Accept: 'application/json' })).json).toMatchObject({ swagger: '2.0' });
    expect((await call('GET', '/openapi/v2', undefined, { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })).status).toBe(404);
  });
});

describe('errors are metav1.Status objects with the code and reason kubectl expects', () => {
  test('404 for a path nothing serves and for an object that does not exist', async () => {
    const path = await call('GET', '/apis/widgets.example.com/v1/widgets');
    expect(path.status).toBe(404);
    expect(path.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    const object = await call('GET', '/api/v1/namespaces/default/pods/nope');
    expect(object.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
  });

  test('409 AlreadyExists for a taken name, 409 Conflict for a stale resourceVersion', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', cm('taken'));
    expect(created.status).toBe(201);
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', cm('taken'));
    expect([again.status, again.json.reason, again.json.message]).toEqual([409, 'AlreadyExists', 'configmaps "taken" already exists']);
    await call('PUT', '/api/v1/namespaces/default/configmaps/taken', { ...created.json, data: { a: '2' } });
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/taken', { ...created.json, data: { a: '3' } });
    expect([stale.status, stale.json.reason]).toEqual([409, 'Conflict']);
  });

  test('422 Invalid lists one cause per field', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], restartPolicy: 'Sometimes' } });
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', field: 'spec.restartPolicy' },
    ]);
  });

  test('400 for malformed JSON and YAML, a kind or apiVersion that does not match the URL, and a mismatched name or namespace', async () => {
    const cases: [string, string, string | object | undefined, Record<string, string>, RegExp][] = [
      [
        'POST',
        '/api/v1/namespaces/default/configmaps',
        '{"kind": "ConfigMap", ',
        { 'Content-Type': 'application/json' },
        /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: /,
      ],
      ['POST', '/api/v1/namespaces/default/configmaps', 'kind: ConfigMap\nmetadata: [unclosed\n', { 'Content-Type': 'application/yaml' }, /error converting YAML to JSON/],
      ['POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, {}, /^Secret in version "v1" cannot be handled as a ConfigMap/],
      [
        'POST',
        '/api/v1/namespaces/default/configmaps',
        { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'x' } },
        {},
        /^the API version in the data \(v2\) does not match the expected API version \(v1\)$/,
      ],
      [
        'POST',
        '/api/v1/namespaces/default/configmaps',
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' } },
        {},
        /^the namespace of the provided object does not match the namespace sent on the request$/,
      ],
      [
        'PUT',
        '/api/v1/namespaces/default/configmaps/taken',
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } },
        {},
        /^the name of the object \(other\) does not match the name on the URL \(taken\)$/,
      ],
      ['POST', '/api/v1/namespaces/default/configmaps', '[1,2]', { 'Content-Type': 'application/json' }, /cannot unmarshal array/],
      ['GET', '/api/v1/pods?fieldSelector=spec.nodeNam%3Dx', undefined, {}, /^field label not supported: spec\.nodeNam$/],
      ['GET', '/api/v1/pods?labelSelector=app%20in%20(', undefined, {}, /unable to parse label selector/],
      ['GET', '/api/v1/pods?limit=ten', undefined, {}, /^limit: Invalid value: "ten"/],
    ];
    for (const [method, path, body, headers, message] of cases) {
      const r = await call(method, path, body, headers);
      expect(r.status, `${method} ${path} ${typeof body === 'string' ? body : JSON.stringify(body)}`).toBe(400);
      expect(r.json.reason).toBe('BadRequest');
      expect(r.json.message).toMatch(message);
    }
  });

  test('415 for a content type the server does not read, 413 for a body over the limit, 405 for a verb a resource lacks', async () => {
    const xml = await call('POST', '/api/v1/namespaces/default/configmaps', '<cm/>', { 'Content-Type': 'application/xml' });
    expect([xml.status, xml.json.reason]).toEqual([415, 'UnsupportedMediaType']);
    const big = await call('POST', '/api/v1/namespaces/default/configmaps', cm('big', { data: { blob: 'x'.repeat(70 * 1024) } }));
    expect([big.status, big.json.reason, big.json.message]).toEqual([413, 'RequestEntityTooLarge', 'Request entity too large: limit is 65536']);
    const list = await call('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect([list.status, list.json.reason]).toEqual([405, 'MethodNotAllowed']);
  });

  test('fieldValidation: Strict refuses an unknown field, Warn (the default) stores and warns, Ignore stores quietly', async () => {
    const typo = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typo', lables: { a: 'b' } }, dta: {} };
    const strict = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', typo);
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.lables", unknown field "dta"');
    const warn = await call('POST', '/api/v1/namespaces/default/configmaps', typo);
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"metadata.lables\\"", 299 - "unknown field \\"dta\\""');
    const ignore = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', { ...typo, metadata: { name: 'typo-2' } });
    expect([ignore.status, ignore.headers.get('warning')]).toEqual([201, null]);
  });

  test('a namespaced object in a namespace that does not exist is a 404 for the namespace', async () => {
    const r = await call('POST', '/api/v1/namespaces/nowhere/configmaps', cm('x'));
    expect([r.status, r.json.message]).toEqual([404, 'namespaces "nowhere" not found']);
  });
});

describe('bodies in YAML and protobuf', () => {
  test('a YAML body is read like JSON, and Accept: application/yaml answers in YAML', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n', { 'Content-Type': 'application/yaml' });
    expect(r.status).toBe(201);
    const yaml = await call('GET', '/api/v1/namespaces/default/configmaps/from-yaml', undefined, { Accept: 'application/yaml' });
    expect(yaml.headers.get('content-type')).toBe('application/yaml');
    expect(yaml.text).toMatch(/^apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n/);
  });

  test('a protobuf ConfigMap in the runtime.Unknown envelope is created; a SelfSubjectAccessReview is allowed', async () => {
    const meta = [...bytesField(1, 'from-proto')];
    const raw = [...bytesField(1, meta), ...mapEntry(2, 'mode', 'fast'), ...mapEntry(2, 'level', '3')];
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', envelope('v1', 'ConfigMap', raw), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect(created.status, created.text).toBe(201);
    expect(created.json.data).toEqual({ mode: 'fast', level: '3' });
    const attrs = [...bytesField(1, 'default'), ...bytesField(2, 'create'), ...bytesField(5, 'pods')];
    const review = await call(
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', [...bytesField(2, bytesField(1, attrs))]),
      { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
    );
    expect(review.status).toBe(201);
    expect(review.json.spec.resourceAttributes).toEqual({ namespace: 'default', verb: 'create', resource: 'pods' });
    expect(review.json.status.allowed).toBe(true);
  });

  test('protobuf for a kind it does not read is a 415 saying which kinds it reads; a broken envelope is a 400', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods', envelope('v1', 'PodTemplate', []), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect(r.status).toBe(415);
    expect(r.json.message).toMatch(/^this server reads protobuf bodies only for ConfigMap, Namespace, Pod, .*, Secret, .*, not for PodTemplate \(v1\)/);
    const truncated = await call('POST', '/api/v1/namespaces/default/configmaps', Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x50, 0x01]), {
      'Content-Type': 'application/vnd.kubernetes.protobuf',
    });
    expect([truncated.status, truncated.json.reason]).toEqual([400, 'BadRequest']);
  });
});

describe('lists', () => {
  test('label and field selectors, across all namespaces and in one', async () => {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (const [ns, name, app] of [
      ['default', 'l1', 'web'],
      ['default', 'l2', 'db'],
      ['other', 'l3', 'web'],
    ]) {
      await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(name!, { metadata: { name, labels: { app } } }));
    }
    const all = (await call('GET', '/api/v1/configmaps?labelSelector=app%3Dweb')).json;
    expect(all.kind).toBe('ConfigMapList');
    expect(all.items.map((i: KubeObject) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(['default/l1', 'other/l3']);
    const one = (await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=app+in+(web,db)&fieldSelector=metadata.name!%3Dl2')).json;
    expect(one.items.map((i: KubeObject) => i.metadata.name)).toEqual(['l1']);
  });

  test('limit and continue page through a list at one resourceVersion', async () => {
    const first = (await call('GET', '/api/v1/namespaces/default/configmaps?limit=2')).json;
    expect(first.items).toHaveLength(2);
    expect(first.metadata.continue).toBeTruthy();
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('zz-added-later'));
    const names: string[] = first.items.map((i: KubeObject) => i.metadata.name);
    let cont = first.metadata.continue as string | undefined;
    while (cont) {
      const page = (await call('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(cont)}`)).json;
      expect(page.metadata.resourceVersion, "every page is read at the first page's revision").toBe(first.metadata.resourceVersion);
      names.push(...page.items.map((i: KubeObject) => i.metadata.name));
      cont = page.metadata.continue;
    }
    expect(names).not.toContain('zz-added-later');
    expect(names).toEqual([...names].sort());
    const bad = await call('GET', '/api/v1/namespaces/default/configmaps?limit=2&continue=not-a-token');
    expect([bad.status, bad.json.message]).toEqual([400, expect.stringMatching(/^continue key is not valid/)]);
  });

  test('a Table for kubectl: columns once, one row per object', async () => {
    const t = (await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=app', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })).json;
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(t.rows.map((r: { cells: unknown[] }) => r.cells.slice(0, 2))).toEqual([
      ['l1', 1],
      ['l2', 1],
    ]);
    expect(t.rows[0].object.kind).toBe('PartialObjectMetadata');
  });
});

describe('watches', () => {
  test('from resourceVersion 0: the current objects as ADDED, then changes', async () => {
    const { events: pending } = await startWatch('/api/v1/namespaces/other/configmaps?watch=true&resourceVersion=0', 2);
    await call('POST', '/api/v1/namespaces/other/configmaps', cm('w-new'));
    const events = await pending;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED l3', 'ADDED w-new']);
  });

  test('from a resourceVersion: every change after it, in order', async () => {
    const rv = (await call('GET', '/api/v1/namespaces/other/configmaps')).json.metadata.resourceVersion;
    await call('PATCH', '/api/v1/namespaces/other/configmaps/w-new', { data: { b: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
    await call('DELETE', '/api/v1/namespaces/other/configmaps/w-new');
    const events = await watchEvents(`/api/v1/namespaces/other/configmaps?watch=true&resourceVersion=${rv}`, 2);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED w-new', 'DELETED w-new']);
    expect(Number(events[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[0].object.metadata.resourceVersion));
  });

  test('from a resourceVersion older than the history kept: 200, one ERROR event with a 410 Expired Status, the end', async () => {
    const rv = Number((await call('GET', '/api/v1/namespaces/other/configmaps')).json.metadata.resourceVersion);
    for (let i = 0; i < 5; i++) await call('POST', '/api/v1/namespaces/other/configmaps', cm(`flood-${i}`));
    const events = await watchEvents(`/api/v1/namespaces/other/configmaps?watch=true&resourceVersion=${rv}`, 5);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expect(events[0].object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(events[0].object.message).toMatch(new RegExp(`^too old resource version: ${rv} \\(\\d+\\)$`));
  });

  test("a label change moves an object out of a watcher's selector: it sees DELETED", async () => {
    await call('POST', '/api/v1/namespaces/other/configmaps', cm('mover', { metadata: { name: 'mover', labels: { app: 'web' } } }));
    const { events: pending } = await startWatch('/api/v1/namespaces/other/configmaps?watch=true&labelSelector=app%3Dweb', 3);
    await call('PATCH', '/api/v1/namespaces/other/configmaps/mover', { metadata: { labels: { app: 'db' } } }, { 'Content-Type': 'application/merge-patch+json' });
    const events = await pending;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED l3', 'ADDED mover', 'DELETED mover']);
  });

  test('a Table watch sends the column definitions in the first event only', async () => {
    const { events: pending } = await startWatch('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app', 3, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('t3', { metadata: { name: 't3', labels: { app: 'x' } } }));
    const events = await pending;
    expect(events.map((e) => e.object.kind)).toEqual(['Table', 'Table', 'Table']);
    expect(events.map((e) => e.object.columnDefinitions.length)).toEqual([3, 0, 0]);
    expect(events.map((e) => e.object.rows[0].cells[0])).toEqual(['l1', 'l2', 't3']);
  });
});

describe('subresources', () => {
  test('scale reads and writes spec.replicas through an autoscaling/v1 Scale', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment);
    const scale = (await call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale')).json;
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 0, selector: 'app=web' } });
    const put = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', { ...scale, spec: { replicas: 4 } }, { 'Content-Type': '' });
    expect([put.status, put.json.spec.replicas]).toEqual([200, 4]);
    const negative = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: -1 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect([negative.status, negative.json.details.causes[0].field]).toEqual([422, 'spec.replicas']);
  });

  test("pods get the admission defaults (service account, tolerations, priority); a Deployment's template does not", async () => {
    const pod = (await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'adm' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }))
      .json as Pod;
    expect([pod.spec.serviceAccountName, pod.spec.enableServiceLinks, pod.spec.priority, pod.spec.tolerations?.map((t) => t.key)]).toEqual([
      'default',
      true,
      0,
      ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'],
    ]);
    const template = ((await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
    expect(Object.keys(template).sort()).toEqual(['containers', 'dnsPolicy', 'restartPolicy', 'schedulerName', 'securityContext', 'terminationGracePeriodSeconds']);
  });

  test('status writes only the status, the main resource never does', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 's1' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
      status: { phase: 'Running' },
    });
    const pod = (await call('GET', '/api/v1/namespaces/default/pods/s1')).json as Pod;
    expect(pod.status?.phase, "a create ignores the client's status").toBe('Pending');
    const viaMain = await call('PUT', '/api/v1/namespaces/default/pods/s1', { ...pod, status: { phase: 'Failed' } });
    expect(viaMain.json.status.phase).toBe('Pending');
    const viaStatus = await call('PUT', '/api/v1/namespaces/default/pods/s1/status', { ...viaMain.json, status: { ...viaMain.json.status, phase: 'Running' } });
    expect(viaStatus.json.status.phase).toBe('Running');
  });

  test("log is proxied to the kubelet of the pod's node, over TLS, with the apiserver's own kubelet-client token", async () => {
    const serving = createServingCert(kubeletCa, ['127.0.0.1']);
    const kubelet: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`logs for ${req.url} as ${req.headers.authorization === `Bearer ${server.api.kubeletClient.token}` ? 'the apiserver' : 'someone else'}\n`);
    });
    await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
    try {
      const port = (kubelet.address() as AddressInfo).port;
      await server.client.create<Node>('nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1' },
        status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
      });
      await server.client.bind({ namespace: 'default', name: 's1' }, 'n1');
      const r = await call('GET', '/api/v1/namespaces/default/pods/s1/log?tailLines=5');
      expect([r.status, r.text]).toEqual([200, 'logs for /containerLogs/default/s1/c?tailLines=5 as the apiserver\n']);
      const unscheduled = await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 's2' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
      expect(unscheduled.status).toBe(201);
      const waiting = await call('GET', '/api/v1/namespaces/default/pods/s2/log');
      expect([waiting.status, waiting.json.message]).toEqual([400, 'container "c" in pod "s2" is waiting to start: ContainerCreating']);
    } finally {
      kubelet.close();
    }
  });
});

describe("the learner's code runs in the request path", () => {
  const pristine = usePristineStubs();
  test('an unwritten routing stub turns every API request into a 500 that names the exercise', async () => {
    const reference = await loadComponent('apiserver');
    const stubs = (await import(pristine.file('apiserver/routing.ts'))) as Pick<ApiserverExercises, 'parseRequestInfo'>;
    const store = await createStore();
    const api = await startApiServer({ store, port: 0, impl: { ...reference, parseRequestInfo: stubs.parseRequestInfo } });
    try {
      const r = await fetchWithToken(api.adminToken, api.ca)(`${api.url}/api/v1/namespaces/default/pods`);
      const status = (await r.json()) as Status;
      expect(r.status).toBe(500);
      expect(status.reason).toBe('InternalError');
      expect(status.message).toContain('parseRequestInfo() is not written yet: it is exercise 02-apiserver/01-routing');
      expect((await httpsFetch(api.ca)(`${api.url}/readyz`)).status, 'health checks do not depend on it (nor on a token)').toBe(200);
    } finally {
      await api.close();
      await store.close();
    }
  });
});
