/**
 * Property-based fuzzing of the live apiserver: thousands of malformed requests (odd methods and
 * paths, broken query parameters, bodies that are random bytes, random JSON, truncated protobuf,
 * valid objects with random parts replaced, bodies over the limit) must each get an answer below
 * 500, a 4xx being a metav1.Status, and the server must still work afterwards. A client's mistake
 * is never a server error. One 5xx is upstream's own answer to a client: a list at a
 * resourceVersion the store has not reached waits for the watch cache, then gets 504 Timeout with
 * the cause ResourceVersionTooLarge (k8s.io/apiserver pkg/storage/cacher waitUntilFreshAndBlock);
 * that one is a Status too, and here it waits only 100 ms.
 */
import { Agent, request } from 'node:https';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { KubeObject } from '#engine/kube/types.ts';
import { useSeed } from '#grading';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

let server: TestServer;
let agent: Agent;

beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 16 * 1024, watchCacheCapacity: 50, cacheFreshnessWaitMs: 100 });
  agent = new Agent({ keepAlive: true, maxSockets: 8, ca: server.ca });
  // Objects for PUT and PATCH to find (the fuzzing may change or delete them).
  for (const object of VALID.slice(0, 6)) {
    const o = object as { apiVersion: string; kind: string };
    await server.client.create(o.kind.toLowerCase() === 'deployment' ? 'deployments' : o.kind === 'Job' ? 'jobs' : `${o.kind.toLowerCase()}s`, {
      ...object,
      metadata: { name: 'fuzz', namespace: 'default' },
    } as never);
  }
});
afterAll(async () => {
  agent?.destroy();
  await server.close();
});

interface Reply {
  status: number;
  body: string;
  contentType: string;
}

/** Upstream's 504 for a list at a resourceVersion newer than the store: the one 5xx a client may cause. */
function isTooLargeResourceVersion(reply: Reply): boolean {
  if (reply.status !== 504) return false;
  const status = (reply.contentType.startsWith('application/yaml') ? parseYaml(reply.body) : JSON.parse(reply.body)) as { reason?: string; details?: { causes?: { reason?: string }[] } };
  return status.reason === 'Timeout' && status.details?.causes?.[0]?.reason === 'ResourceVersionTooLarge';
}

/** How long the server may take to start its answer before the request counts as unanswered. */
const ANSWER_WITHIN_MS = 5_000;

/**
 * Sends one request, with the admin's token so that it gets past authentication to what is fuzzed;
 * a watch (or any slow reply) is cut off after 300 ms, once its status is known.
 * A request the server does not start to answer within 5 s fails, naming the request, rather than
 * hanging the test until its timeout.
 */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { Authorization: `Bearer ${server.token}`, ...headers }, agent }, (res) => {
      clearTimeout(unanswered);
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') });
      }, 300);
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') });
      });
      res.on('error', () => undefined);
    });
    // Set once the request exists (request() throws at once on a path it cannot send).
    const unanswered = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${path} got no answer within ${ANSWER_WITHIN_MS / 1000} s`));
    }, ANSWER_WITHIN_MS);
    req.on('error', (error) => {
      clearTimeout(unanswered);
      reject(error);
    });
    req.end(body);
  });
}

const RESOURCES = ['pods', 'configmaps', 'services', 'secrets', 'namespaces', 'nodes', 'events', 'deployments', 'jobs', 'leases', 'roles', 'selfsubjectaccessreviews', 'bindings', 'widgets', ''];
const PREFIXES = [
  '/api/v1',
  '/apis/apps/v1',
  '/apis/batch/v1',
  '/apis/coordination.k8s.io/v1',
  '/apis/rbac.authorization.k8s.io/v1',
  '/apis/authorization.k8s.io/v1',
  '/apis/nope/v9',
  '/api',
  '/apis',
  '',
  '/api/v2',
];
const TRICKY = ['..', '.', '%2e%2e', '%zz', '%00', '%2F', 'a%2Fb', 'UPPER', 'x'.repeat(300), 'default', 'kube-system', 'web', 'status', 'scale', 'binding', 'log', 'exec', 'watch', 'finalize'];

const segment = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 12 }).map(encodeURIComponent), fc.stringMatching(/^[a-z0-9-]{1,10}$/));

const randomPath = fc
  .record({
    prefix: fc.constantFrom(...PREFIXES),
    namespace: fc.option(segment, { nil: undefined }),
    resource: fc.oneof(fc.constantFrom(...RESOURCES), segment),
    name: fc.option(segment, { nil: undefined }),
    sub: fc.option(segment, { nil: undefined }),
    extra: fc.array(segment, { maxLength: 2 }),
  })
  .map((p) => [p.prefix, p.namespace !== undefined ? `namespaces/${p.namespace}` : '', p.resource, p.name ?? '', p.sub ?? '', ...p.extra].filter((x, i) => i === 0 || x !== '').join('/') || '/');

/** Paths the server serves, so that bodies and queries reach decoding, admission and storage. */
const KNOWN = [
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/services',
  '/api/v1/namespaces/default/secrets',
  '/api/v1/namespaces',
  '/api/v1/nodes',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/batch/v1/namespaces/default/jobs',
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  '/api/v1/pods',
];
const knownPath = fc
  .tuple(
    fc.constantFrom(...KNOWN),
    fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: fc.constant('fuzz') }, { weight: 1, arbitrary: fc.constantFrom('fuzz-ns', 'big', 'kubernetes', 'default') }),
    fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('status', 'scale', 'binding', 'log', 'exec') }),
  )
  .map(([base, name, sub]) => (name ? `${base}/${name}${sub ? `/${sub}` : ''}` : base));

const path = fc.oneof({ weight: 3, arbitrary: knownPath }, { weight: 1, arbitrary: randomPath });

const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'true',
    'false',
    '0',
    '-1',
    '1e99',
    '99999999999999999999',
    'Strict',
    'Warn',
    'Ignore',
    'All',
    'Object',
    'None',
    'Background',
    'app in (',
    'a=b,,c',
    'metadata.name=web',
    'spec.nodeName!=',
    '\\',
  ),
);
const query = fc
  .dictionary(
    fc.constantFrom(
      'watch',
      'resourceVersion',
      'resourceVersionMatch',
      'limit',
      'continue',
      'labelSelector',
      'fieldSelector',
      'fieldValidation',
      'dryRun',
      'gracePeriodSeconds',
      'propagationPolicy',
      'includeObject',
      'allowWatchBookmarks',
      'timeoutSeconds',
      'container',
      'tailLines',
      'force',
      'fieldManager',
    ),
    queryValue,
    { maxKeys: 4 },
  )
  .map((q) => {
    const params = new URLSearchParams(q);
    if (params.get('watch') === 'true') params.set('timeoutSeconds', '1');
    const text = params.toString();
    return text ? `?${text}` : '';
  });

const VALID: Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz', namespace: 'default', labels: { app: 'x' } }, data: { a: 'b' } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'fuzz' },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }], restartPolicy: 'Always' },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fuzz' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fuzz' }, spec: { type: 'NodePort', selector: { app: 'f' }, ports: [{ port: 80, targetPort: 'http' }] } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fuzz' }, type: 'Opaque', stringData: { k: 'v' } },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fuzz' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz-ns' } },
  { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } },
  { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'fuzz' }, target: { kind: 'Node', name: 'n1' } },
  [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] as unknown as Record<string, unknown>,
];

/** Paths into a JSON value, to replace or remove one part of a valid object. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function mutate(base: unknown, at: (string | number)[], replacement: unknown, remove: boolean): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (remove) delete node[last];
  else node[last] = replacement;
  return copy;
}

const mutated = fc.tuple(fc.constantFrom(...VALID), fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.boolean()).map(([base, pick, replacement, remove]) => {
  const all = paths(base);
  return Buffer.from(JSON.stringify(mutate(base, all[pick % all.length]!, replacement, remove)));
});

const body = fc.oneof(
  { weight: 4, arbitrary: mutated },
  { weight: 2, arbitrary: fc.constantFrom(...VALID).map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map((j) => Buffer.from(j)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(b)])) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(`kind: ConfigMap\nmetadata:\n  name: ${s}\ndata: {${s}`)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 16 * 1024, max: 40 * 1024 }).map((n) => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(n) } }))),
  },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/json-patch+json',
      'application/apply-patch+yaml',
      'text/plain',
      'application/json; charset=utf-8',
      '*/*',
      '',
    ),
    fc.string({ maxLength: 20 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
  ),
  { nil: undefined },
);

const method = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('POST', 'PATCH') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'GET') },
  { weight: 1, arbitrary: fc.constantFrom('DELETE', 'HEAD', 'OPTIONS', 'PROPFIND') },
);

const accept = fc.constantFrom(
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/yaml',
  '*/*',
  'text/html',
  'application/json;as=Table;v=v9;g=nope',
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
);

/**
 * The time a fuzz run may take before it is reported as a failure (with its best counterexample so
 * far), before the test's own timeout. A run takes about 10 s on an idle machine and 25 s with a
 * load average of 20; this only stops a run that has stopped making progress.
 */
const FUZZ_BUDGET_MS = 240_000;

test(
  'thousands of malformed requests: none gets a 5xx, every 4xx is a Status, and the server still works',
  async ({ task }) => {
    const counts = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(method, path, query, contentType, accept, body, async (method, p, q, type, acc, payload) => {
        const headers: Record<string, string> = { Accept: acc };
        if (type !== undefined) headers['Content-Type'] = type;
        const sendsBody = method !== 'GET' && method !== 'HEAD';
        if (sendsBody) headers['Content-Length'] = String(payload.length);
        const reply = await send(method, `${p}${q}`, headers, sendsBody ? payload : undefined);
        counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
        const did = `${method} ${p}${q} (Content-Type ${type ?? 'none'}) with ${payload.length} bytes: ${payload.subarray(0, 120).toString('utf8')}`;
        expect(reply.status, `${did} → ${reply.body.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
        if (!isTooLargeResourceVersion(reply)) expect(reply.status, `${did} → ${reply.body.slice(0, 300)}`).toBeLessThan(500);
        if (reply.status >= 400 && method !== 'HEAD') {
          const status = (reply.contentType.startsWith('application/yaml') ? parseYaml(reply.body) : JSON.parse(reply.body)) as { kind: string; code: number; status: string };
          expect([status.kind, status.code, status.status], `${did}: the error body`).toEqual(['Status', reply.status, 'Failure']);
        }
      }),
      // A failure found late still gets reported (with the best counterexample so far) before the test's own timeout.
      { seed: useSeed(task), numRuns: 2000, interruptAfterTimeLimit: FUZZ_BUDGET_MS, markInterruptAsFailure: true },
    );
    const summary = [...counts]
      .sort(([a], [b]) => a - b)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    console.log(`status codes over the run: ${summary}`);
    expect(counts.get(400) ?? 0, `requests refused as malformed (${summary})`).toBeGreaterThan(150);
    expect((counts.get(200) ?? 0) + (counts.get(201) ?? 0), `requests that succeeded (${summary})`).toBeGreaterThan(50);
    const ready = await send('GET', '/readyz', {});
    expect(ready.status, 'the server answers /readyz after the fuzzing').toBe(200);
    const made = await server.client.create<KubeObject>('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-fuzz', namespace: 'default' }, data: { ok: 'yes' } });
    expect((await server.client.get('configmaps', 'after-fuzz', { namespace: 'default' })).metadata.uid, 'a create and a get after the fuzzing').toBe(made.metadata.uid);
  },
  FUZZ_BUDGET_MS + 60_000,
);

const COLLECTIONS: Record<string, string> = {
  ConfigMap: '/api/v1/namespaces/default/configmaps',
  Pod: '/api/v1/namespaces/default/pods',
  Deployment: '/apis/apps/v1/namespaces/default/deployments',
  Service: '/api/v1/namespaces/default/services',
  Secret: '/api/v1/namespaces/default/secrets',
  Job: '/apis/batch/v1/namespaces/default/jobs',
  Namespace: '/api/v1/namespaces',
  SelfSubjectAccessReview: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
};

test(
  'valid objects with one part replaced by random JSON, sent to their own collection, never get a 5xx',
  async ({ task }) => {
    const bases = VALID.filter((v) => !Array.isArray(v) && COLLECTIONS[(v as { kind: string }).kind]);
    const counts = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.nat(),
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        fc.constantFrom('POST', 'PUT', 'PATCH-merge', 'PATCH-strategic', 'PATCH-apply'),
        async (base, pick, replacement, remove, how) => {
          const all = paths(base);
          const object = mutate(base, all[pick % all.length]!, replacement, remove);
          const kind = (base as { kind: string }).kind;
          const payload = Buffer.from(JSON.stringify(object));
          const [method, patchType] = how.split('-') as [string, string | undefined];
          const type = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', apply: 'application/apply-patch+yaml' }[patchType ?? ''] ?? 'application/json';
          const target = method === 'POST' ? COLLECTIONS[kind]! : `${COLLECTIONS[kind]}/fuzz`;
          const reply = await send(method, `${target}?fieldValidation=${remove ? 'Strict' : 'Warn'}&fieldManager=fuzz`, { 'Content-Type': type, 'Content-Length': String(payload.length) }, payload);
          counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
          expect(reply.status, `${method} ${target} (${type}) ${payload.toString('utf8').slice(0, 400)} → ${reply.body.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { seed: useSeed(task), numRuns: 1000, interruptAfterTimeLimit: FUZZ_BUDGET_MS, markInterruptAsFailure: true },
    );
    const summary = [...counts]
      .sort(([a], [b]) => a - b)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    console.log(`status codes over the run: ${summary}`);
    expect(counts.get(422) ?? 0, `requests refused as invalid (${summary})`).toBeGreaterThan(20);
  },
  FUZZ_BUDGET_MS + 60_000,
);
