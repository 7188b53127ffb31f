/**
 * Where lists are served from, as upstream 1.32 decides it, and what a list with a resourceVersion
 * the watch cache has not reached gets: it waits, then 504 "Too large resource version".
 *
 * Upstream references (k8s.io/apiserver v0.32):
 * - pkg/storage/cacher/cacher.go: shouldDelegateList (continue, Exact, limit with a resourceVersion
 *   go to etcd; the rest to the cache when ConsistentListFromCache is on) and computeListLimit
 *   ("the limit is ignored for requests that set RV == 0");
 * - pkg/storage/cacher/watch_cache.go: waitUntilFreshAndBlock (blocks up to blockTimeout, then
 *   NewTooLargeResourceVersionError);
 * - pkg/storage/errors.go NewTooLargeResourceVersionError and apimachinery errors.NewTimeoutError:
 *   504, reason Timeout, "Timeout: Too large resource version: X, current: Y", cause
 *   ResourceVersionTooLarge, retryAfterSeconds 1; pkg/endpoints/handlers/responsewriters
 *   ErrorNegotiated sets Retry-After from it.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listSource } from '#engine/apiserver/storage/list.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

/** How long the short-wait server lets a list wait for its cache before the 504. */
const SHORT_WAIT_MS = 300;

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await server.fetch(path, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('where a list is served from (shouldDelegateList, computeListLimit)', () => {
  const token = () => 42;
  const cases: [string, Parameters<typeof listSource>[0], ReturnType<typeof listSource>][] = [
    ['no resourceVersion: the cache, once fresh (a consistent read)', { resourceVersion: '' }, { from: 'cache', atLeast: 'now', limit: 0 }],
    ['no resourceVersion, limit 500 (kubectl get): the cache, paged', { resourceVersion: '', limit: 500 }, { from: 'cache', atLeast: 'now', limit: 500 }],
    ['resourceVersion=0: the cache as it is, limit ignored', { resourceVersion: '0', limit: 500 }, { from: 'cache', atLeast: 'anything', limit: 0 }],
    ['resourceVersion=N: the cache once at N', { resourceVersion: '17' }, { from: 'cache', atLeast: 17, limit: 0 }],
    ['resourceVersion=N, NotOlderThan, limit: the cache, paged', { resourceVersion: '17', resourceVersionMatch: 'NotOlderThan', limit: 2 }, { from: 'cache', atLeast: 17, limit: 2 }],
    ['resourceVersion=N with a limit and no match (legacy exact): the store at N', { resourceVersion: '17', limit: 2 }, { from: 'store', revision: 17 }],
    ['Exact: the store at N', { resourceVersion: '17', resourceVersionMatch: 'Exact' }, { from: 'store', revision: 17 }],
    ["continue: the store at the token's revision", { resourceVersion: '', continue: 'tok', limit: 2 }, { from: 'store', revision: 42 }],
  ];
  for (const [title, options, expected] of cases) {
    test(title, () => expect(listSource(options, token)).toEqual(expected));
  }
});

describe('a list with a resourceVersion the cache has not reached', () => {
  let short: TestServer;
  let long: TestServer;
  let kubectl: Kubectl | undefined;

  beforeAll(async () => {
    short = await startTestServer({ cacheFreshnessWaitMs: SHORT_WAIT_MS });
    // Waits far longer than any write below takes: the list is answered when the write lands.
    long = await startTestServer({ cacheFreshnessWaitMs: 60_000 });
    if (HAS_KUBECTL) kubectl = kubectlFor(short.access);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await short?.close();
    await long?.close();
  });

  test('waits for the cache, then answers 504 Too large resource version, with the cause and Retry-After', async () => {
    const current = await short.store.revision();
    const wanted = current + 1000;
    const started = performance.now();
    const r = await call(short, 'GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${wanted}`);
    const waited = performance.now() - started;
    expect(r.status, 'GET configmaps?resourceVersion=<1000 past the store>').toBe(504);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Timeout: Too large resource version: ${wanted}, current: ${current}`,
      reason: 'Timeout',
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }], retryAfterSeconds: 1 },
      code: 504,
    });
    expect(r.headers.get('retry-after')).toBe('1');
    expect(waited, 'the server waits for its cache before it gives up').toBeGreaterThanOrEqual(SHORT_WAIT_MS - 20);
  });

  test('a resourceVersion too large to be a revision is a 400, at once, for lists and watches', async () => {
    for (const path of ['/api/v1/configmaps?resourceVersion=99999999999999999999', '/api/v1/configmaps?watch=true&resourceVersion=99999999999999999999']) {
      const r = await call(short, 'GET', path);
      expect([r.status, r.json.message], path).toEqual([400, 'resourceVersion: Invalid value: "99999999999999999999": strconv.ParseUint: parsing "99999999999999999999": value out of range']);
    }
  });

  test('resourceVersionMatch=NotOlderThan waits the same way; a watch cache that reaches it answers', async () => {
    const current = await short.store.revision();
    const r = await call(short, 'GET', `/api/v1/configmaps?resourceVersion=${current + 5}&resourceVersionMatch=NotOlderThan`);
    expect([r.status, r.json.reason]).toEqual([504, 'Timeout']);
    const ok = await call(short, 'GET', `/api/v1/configmaps?resourceVersion=${current}&resourceVersionMatch=NotOlderThan`);
    expect([ok.status, Number(ok.json.metadata.resourceVersion) >= current]).toEqual([200, true]);
  });

  test('a write that lands while the list waits lets it answer, with the written object', async () => {
    const next = (await long.store.revision()) + 1;
    const listing = call(long, 'GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${next}`);
    // Let the list reach the server and start waiting before the write.
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(long, 'POST', '/api/v1/namespaces/default/configmaps', cm('arrives-while-waiting'))).status).toBe(201);
    const r = await listing;
    expect(r.status, 'the waiting list').toBe(200);
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThanOrEqual(next);
    expect(r.json.items.map((i: KubeObject) => i.metadata.name)).toContain('arrives-while-waiting');
  });

  test('@kubernetes/client-node gets the 504 as an ApiException carrying the Status', async () => {
    const files = kubectlFor(short.access);
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(files.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const current = await short.store.revision();
      const error = (await core.listNamespacedConfigMap({ namespace: 'default', resourceVersion: String(current + 50) }).then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: number; body?: unknown } | undefined;
      expect(error?.code, 'client-node listNamespacedConfigMap with a future resourceVersion').toBe(504);
      const body = typeof error!.body === 'string' ? JSON.parse(error!.body) : error!.body;
      expect(body).toMatchObject({ reason: 'Timeout', message: `Timeout: Too large resource version: ${current + 50}, current: ${current}`, details: { retryAfterSeconds: 1 } });
    } finally {
      files.cleanup();
    }
  });

  test.skipIf(!HAS_KUBECTL)('kubectl honours Retry-After: it asks again, and gets the list once a write brings the store there', async () => {
    const current = await short.store.revision();
    const run = kubectl!.start(['get', '--raw', `/api/v1/namespaces/default/configmaps?resourceVersion=${current + 1}`, '-v=6']);
    // client-go's with_retry.go logs each 504 with Retry-After before it waits and asks again.
    await run.waitFor('Got a Retry-After 1s response', 20_000);
    expect((await call(short, 'POST', '/api/v1/namespaces/default/configmaps', cm('brings-the-store-there'))).status).toBe(201);
    const output = await run.waitFor('"brings-the-store-there"', 20_000);
    expect(output).toContain('"kind":"ConfigMapList"');
  });
});

describe('lists from the cache and from the store agree', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    for (const name of ['a', 'b', 'c']) await call(server, 'POST', '/api/v1/namespaces/default/configmaps', cm(name));
  });
  afterAll(() => server?.close());

  test('a list right after a write sees it (the cache catches up before it answers)', async () => {
    for (let i = 0; i < 20; i++) {
      const name = `rw-${i}`;
      expect((await call(server, 'POST', '/api/v1/namespaces/default/configmaps', cm(name))).status).toBe(201);
      const list = await call(server, 'GET', '/api/v1/namespaces/default/configmaps');
      expect(
        list.json.items.map((o: KubeObject) => o.metadata.name),
        `the list just after creating ${name}`,
      ).toContain(name);
    }
  });

  test('resourceVersion=0 ignores limit: every object, no continue token', async () => {
    const r = await call(server, 'GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0&limit=1');
    expect(r.json.items.length).toBeGreaterThan(1);
    expect(r.json.metadata.continue).toBeUndefined();
  });

  test('limit with a resourceVersion and no match reads the store at that revision (legacy exact)', async () => {
    const before = (await call(server, 'GET', '/api/v1/namespaces/default/configmaps')).json;
    await call(server, 'POST', '/api/v1/namespaces/default/configmaps', cm('zz-later'));
    const r = await call(server, 'GET', `/api/v1/namespaces/default/configmaps?limit=500&resourceVersion=${before.metadata.resourceVersion}`);
    expect(r.json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(r.json.items.map((o: KubeObject) => o.metadata.name)).toEqual(before.items.map((o: KubeObject) => o.metadata.name));
  });

  test('a first page from the cache continues from the store at the same revision, across namespaces and in one', async () => {
    await call(server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } });
    for (const name of ['p1', 'p2', 'p3']) await call(server, 'POST', '/api/v1/namespaces/pages/configmaps', cm(name));
    for (const path of ['/api/v1/configmaps', '/api/v1/namespaces/pages/configmaps']) {
      const all = (await call(server, 'GET', path)).json.items.map((o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`);
      const paged: string[] = [];
      let cont: string | undefined;
      let rv: string | undefined;
      do {
        const page = (await call(server, 'GET', `${path}?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).json;
        rv ??= page.metadata.resourceVersion;
        expect(page.metadata.resourceVersion, `every page of ${path} at the first page's revision`).toBe(rv);
        paged.push(...page.items.map((o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`));
        cont = page.metadata.continue;
      } while (cont);
      expect(paged, `${path} page by page`).toEqual(all);
    }
  });
});

/**
 * A continue token whose revision was compacted (k8s.io/apiserver/pkg/storage/etcd3/errors.go,
 * interpretListError → handleCompactedErrorForPaging, and its test TestListContinuation's
 * "compacted" case in store_test.go): 410 Expired with the "inconsistent list" message and, in the
 * Status's metadata.continue, a token for the same key at resourceVersion -1; that token lists the
 * rest at the latest revision, objects written since included.
 */
describe('a continue token whose revision was compacted', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({});
  });
  afterAll(async () => server?.close());

  test('410 Expired with a token that goes on at the latest revision; that token pages on to the end', async () => {
    await call(server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    for (const name of ['a1', 'a2', 'a3', 'a4']) await call(server, 'POST', '/api/v1/namespaces/gone/configmaps', cm(name));
    const first = (await call(server, 'GET', '/api/v1/namespaces/gone/configmaps?limit=2')).json;
    expect(first.items.map((o: KubeObject) => o.metadata.name)).toEqual(['a1', 'a2']);
    const firstRv = Number(first.metadata.resourceVersion);
    // Written after the first page: a consistent list would not show them; the inconsistent one does.
    await call(server, 'POST', '/api/v1/namespaces/gone/configmaps', cm('a5'));
    await call(server, 'DELETE', '/api/v1/namespaces/gone/configmaps/a3');
    await server.store.compact(await server.store.revision());

    const expired = await call(server, 'GET', `/api/v1/namespaces/gone/configmaps?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect([expired.status, expired.json.kind, expired.json.reason, expired.json.code]).toEqual([410, 'Status', 'Expired', 410]);
    expect(expired.json.message).toBe(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
    const token = expired.json.metadata?.continue as string;
    expect(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')), 'the same start key at rv -1').toEqual({ v: 'meta.k8s.io/v1', rv: -1, start: 'a2\u0000' });

    const rest: string[] = [];
    const revisions = new Set<string>();
    let cont: string | undefined = token;
    while (cont) {
      const page = await call(server, 'GET', `/api/v1/namespaces/gone/configmaps?limit=1&continue=${encodeURIComponent(cont)}`);
      expect(page.status, JSON.stringify(page.json)).toBe(200);
      rest.push(...page.json.items.map((o: KubeObject) => o.metadata.name));
      revisions.add(page.json.metadata.resourceVersion);
      cont = page.json.metadata.continue;
    }
    expect(rest, 'the rest, as it is now: a3 deleted, a5 created').toEqual(['a4', 'a5']);
    expect(revisions.size, 'the pages after the 410 are one snapshot, at the latest revision').toBe(1);
    expect(Number([...revisions][0])).toBeGreaterThan(firstRv);
  });

  test('a token at rv -1 is not taken for a learner-made token: a malformed one is still a 400', async () => {
    const bad = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: -1, start: '' })).toString('base64url');
    const answer = await call(server, 'GET', `/api/v1/namespaces/default/configmaps?limit=1&continue=${bad}`);
    expect([answer.status, answer.json.reason]).toEqual([400, 'BadRequest']);
    expect(answer.json.message).toMatch(/^continue key is not valid/);
  });
});
