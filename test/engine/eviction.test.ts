/**
 * The pods/eviction subresource and DeleteOptions bodies, through raw HTTP requests in JSON and in
 * protobuf (as client-go sends them), against upstream's behaviour:
 * - pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create, checkAndDecrement,
 *   canIgnorePDB, createTooManyRequestsError) and eviction_test.go (TestEviction,
 *   TestEvictionIgnorePDB, TestEvictionDryRun: the 429 message and its DisruptionBudget cause,
 *   the 500 for a pod with two budgets, unready pods when the budget is met);
 * - k8s.io/api policy/v1 generated.proto (Eviction {metadata = 1, deleteOptions = 2}) and
 *   apimachinery meta/v1 generated.proto (DeleteOptions {gracePeriodSeconds = 1, preconditions = 2}).
 * The PodDisruptionBudget statuses are written by the tests here (the disruption controller has its
 * own tests in disruption-controller.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject, Pod, PodDisruptionBudget } from '#engine/kube/types.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

// Protobuf as client-go writes it: length-delimited fields, varints, the runtime.Unknown envelope.
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
};
const field = (no: number, payload: number[] | string): number[] => {
  const data = typeof payload === 'string' ? [...Buffer.from(payload)] : payload;
  return [(no << 3) | 2, ...varint(data.length), ...data];
};
const intField = (no: number, value: number): number[] => [no << 3, ...varint(value)];
const envelope = (apiVersion: string, kind: string, raw: number[]) => Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...field(1, [...field(1, apiVersion), ...field(2, kind)]), ...field(2, raw)]);

interface Answer {
  status: number;
  json: Record<string, any>;
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const r = await server.fetch(path, {
    method,
    headers: { 'Content-Type': contentType },
    body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

let seq = 0;
/**
 * A Running, Ready pod on a node with `labels` (a pod without a status counts for no budget: it is
 * Pending; one on no node is deleted without grace, as upstream's CheckGracefulDelete does).
 */
async function runningPod(labels: Record<string, string>, ready = true): Promise<Pod> {
  const name = `p${++seq}`;
  const pod = await server.client.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx' }] },
  });
  return server.client.updateStatus<Pod>('pods', {
    ...pod,
    status: { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

/** A budget whose status says what the disruption controller would have written. */
async function budget(
  name: string,
  selector: Record<string, string>,
  status: NonNullable<PodDisruptionBudget['status']>,
  spec: Partial<NonNullable<PodDisruptionBudget['spec']>> = { minAvailable: 1 },
): Promise<PodDisruptionBudget> {
  const created = await server.client.create<PodDisruptionBudget>('poddisruptionbudgets', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default' },
    spec: { ...spec, selector: { matchLabels: selector } },
  });
  if (Object.keys(status).length === 0) return created;
  return server.client.updateStatus<PodDisruptionBudget>('poddisruptionbudgets', { ...created, status: { observedGeneration: created.metadata.generation, ...status } });
}

const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace: 'default' },
  ...(deleteOptions ? { deleteOptions } : {}),
});
const evict = (name: string, body: unknown = eviction(name), query = '') => call('POST', `/api/v1/namespaces/default/pods/${name}/eviction${query}`, body);
const exists = async (name: string) => (await call('GET', `/api/v1/namespaces/default/pods/${name}`)).status === 200;

describe('DeleteOptions bodies', () => {
  test('a delete with DeleteOptions in protobuf (as kubectl drain sends without eviction) deletes at once with gracePeriodSeconds 0', async () => {
    const pod = await runningPod({ app: 'del' });
    const r = await call('DELETE', `/api/v1/namespaces/default/pods/${pod.metadata.name}`, envelope('v1', 'DeleteOptions', intField(1, 0)), 'application/vnd.kubernetes.protobuf');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(await exists(pod.metadata.name!)).toBe(false);
  });

  test('DeleteOptions are read in protobuf whatever group version names them, and their preconditions hold', async () => {
    const pod = await runningPod({ app: 'del' });
    const pre = field(2, field(1, 'not-the-uid'));
    const r = await call('DELETE', `/api/v1/namespaces/default/pods/${pod.metadata.name}`, envelope('apps/v1', 'DeleteOptions', [...intField(1, 0), ...pre]), 'application/vnd.kubernetes.protobuf');
    expect([r.status, r.json.reason]).toEqual([409, 'Conflict']);
    expect(r.json.message).toContain('Precondition failed: UID in precondition: not-the-uid');
  });

  test('JSON DeleteOptions with gracePeriodSeconds mark a pod for deletion', async () => {
    const pod = await runningPod({ app: 'del' });
    const r = await call('DELETE', `/api/v1/namespaces/default/pods/${pod.metadata.name}`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 30 });
    expect(r.status).toBe(202);
    expect(r.json.metadata.deletionTimestamp).toBeTruthy();
  });
});

describe('pods/eviction', () => {
  test('discovery lists pods/eviction as policy/v1 Eviction (what kubectl drain looks for)', async () => {
    const list = (await call('GET', '/api/v1')).json as { resources: Record<string, unknown>[] };
    expect(list.resources.find((r) => r.name === 'pods/eviction')).toEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
  });

  test('a pod without a budget is evicted: 201 Success, DisruptionTarget set, deletion started', async () => {
    const pod = await runningPod({ app: 'none' });
    const r = await evict(pod.metadata.name!);
    expect([r.status, r.json]).toEqual([201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }]);
    const after = await server.client.get<Pod>('pods', pod.metadata.name!, { namespace: 'default' });
    expect(after.metadata.deletionTimestamp).toBeTruthy();
    expect(after.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
  });

  test('an Eviction in protobuf, with its DeleteOptions (gracePeriodSeconds 0), evicts the pod at once', async () => {
    const pod = await runningPod({ app: 'none' });
    const raw = [...field(1, [...field(1, pod.metadata.name!), ...field(3, 'default')]), ...field(2, intField(1, 0))];
    const r = await call('POST', `/api/v1/namespaces/default/pods/${pod.metadata.name}/eviction`, envelope('policy/v1', 'Eviction', raw), 'application/vnd.kubernetes.protobuf');
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(await exists(pod.metadata.name!)).toBe(false);
  });

  test('the Eviction must name the pod of the URL (400), and a missing pod is a 404', async () => {
    const pod = await runningPod({ app: 'none' });
    const r = await evict(pod.metadata.name!, eviction('someone-else'));
    expect([r.status, r.json.message]).toEqual([400, 'name in URL does not match name in Eviction object']);
    const missing = await evict('no-such-pod');
    expect([missing.status, missing.json.message]).toEqual([404, 'pods "no-such-pod" not found']);
  });

  test('a budget whose status is older than its spec (no status yet) refuses with 429 "still being processed"', async () => {
    const pod = await runningPod({ app: 'fresh' });
    await budget('fresh', { app: 'fresh' }, {});
    const r = await evict(pod.metadata.name!);
    expect([r.status, r.json.reason, r.json.message]).toEqual([429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."]);
    expect(r.json.details).toEqual({ causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget fresh is still being processed by the server.', field: '' }], retryAfterSeconds: 10 });
    expect(r.headers.get('retry-after')).toBe('10');
    expect(await exists(pod.metadata.name!)).toBe(true);
  });

  test('a budget with no disruption allowed refuses with 429 and says how many healthy pods it needs', async () => {
    const a = await runningPod({ app: 'full' });
    await runningPod({ app: 'full' });
    await budget('full', { app: 'full' }, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 }, { minAvailable: 2 });
    const r = await evict(a.metadata.name!);
    expect([r.status, r.json.message]).toEqual([429, "Cannot evict pod as it would violate the pod's disruption budget."]);
    expect(r.json.details.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget full needs 2 healthy pods and has 2 currently', field: '' }]);
    expect(r.headers.get('retry-after')).toBeNull();
  });

  test('an allowed eviction spends the budget: disruptionsAllowed down by one, the pod in disruptedPods, DisruptionAllowed False at 0', async () => {
    const pod = await runningPod({ app: 'spend' });
    await runningPod({ app: 'spend' });
    await budget('spend', { app: 'spend' }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });
    const r = await evict(pod.metadata.name!);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const pdb = await server.client.get<PodDisruptionBudget>('poddisruptionbudgets', 'spend', { namespace: 'default' });
    expect(pdb.status?.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.status?.disruptedPods ?? {})).toEqual([pod.metadata.name]);
    expect(pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed')).toMatchObject({ status: 'False', reason: 'InsufficientPods', message: '' });
    // The next one is refused until the controller recounts.
    const other = (await server.client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=spend' })).items.find((p) => !p.metadata.deletionTimestamp)!;
    expect((await evict(other.metadata.name!)).status).toBe(429);
  });

  test('a pod two budgets select is a 500, as the eviction subresource supports one', async () => {
    const pod = await runningPod({ app: 'two', tier: 'x' });
    await budget('two-a', { app: 'two' }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
    await budget('two-b', { tier: 'x' }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
    const r = await evict(pod.metadata.name!);
    expect([r.status, r.json.message]).toEqual([500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.']);
    expect(await exists(pod.metadata.name!)).toBe(true);
  });

  test('a Pending pod is deleted whatever its budget says (it disrupts nothing)', async () => {
    const pod = await server.client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pending', namespace: 'default', labels: { app: 'pend' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await budget('pend', { app: 'pend' }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    expect(pod.status?.phase).toBe('Pending');
    expect((await evict('pending')).status).toBe(201);
  });

  test('an unready pod goes without spending the budget when the budget is met; not when it is not', async () => {
    const unready = await runningPod({ app: 'unready' }, false);
    await runningPod({ app: 'unready' });
    await budget('unready', { app: 'unready' }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 });
    expect((await evict(unready.metadata.name!)).status).toBe(201);
    const pdb = await server.client.get<PodDisruptionBudget>('poddisruptionbudgets', 'unready', { namespace: 'default' });
    expect(pdb.status?.disruptedPods).toBeUndefined();

    const second = await runningPod({ app: 'unmet' }, false);
    await budget('unmet', { app: 'unmet' }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    expect((await evict(second.metadata.name!)).status).toBe(429);
  });

  test('unhealthyPodEvictionPolicy AlwaysAllow lets an unready pod go even when the budget is not met', async () => {
    const pod = await runningPod({ app: 'always' }, false);
    await budget('always', { app: 'always' }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 }, { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect((await evict(pod.metadata.name!)).status).toBe(201);
  });

  test('dry run (dryRun=All, or in the body) answers 201 and changes neither the pod nor the budget', async () => {
    const pod = await runningPod({ app: 'dry' });
    await budget('dry', { app: 'dry' }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
    expect((await evict(pod.metadata.name!, eviction(pod.metadata.name!), '?dryRun=All')).status).toBe(201);
    expect((await evict(pod.metadata.name!, eviction(pod.metadata.name!, { dryRun: ['All'] }))).status).toBe(201);
    const after = await server.client.get<Pod>('pods', pod.metadata.name!, { namespace: 'default' });
    expect(after.metadata.deletionTimestamp).toBeUndefined();
    const pdb = await server.client.get<PodDisruptionBudget>('poddisruptionbudgets', 'dry', { namespace: 'default' });
    expect(pdb.status?.disruptionsAllowed).toBe(1);
  });

  test('the budget a label selector cannot match (an empty selector) guards nothing', async () => {
    const pod = await runningPod({ app: 'empty' });
    const created = await server.client.create<KubeObject>('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'empty', namespace: 'default' },
      spec: { minAvailable: 1, selector: {} },
    });
    expect(created.metadata.name).toBe('empty');
    expect((await evict(pod.metadata.name!)).status).toBe(201);
  });
});
