/**
 * engine/client (KubeClient, Informer) and engine/cluster (startCluster with pluggable components),
 * the pieces the scheduler, hollow nodes and controllers are built on.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { isApiError } from '#engine/kube/errors.ts';
import { Informer } from '#engine/client/informer.ts';
import { KubeClient, objectKeyOf } from '#engine/client/client.ts';
import { startCluster, type ClusterComponent, type ClusterContext } from '#engine/cluster/cluster.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

let server: TestServer;

// Waits poll for their condition and name it; generous, so that a loaded machine is slow, not wrong.
vi.setConfig({ testTimeout: 60_000 });

async function eventually(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
});

beforeAll(async () => {
  server = await startTestServer({ watchCacheCapacity: 4 });
});
afterAll(() => server.close());

describe('KubeClient', () => {
  test('create, get, list with a label selector, update, patch and delete', async () => {
    const c = server.client;
    const created = await c.create('pods', pod('a', { app: 'web' }));
    await c.create('pods', pod('b', { app: 'db' }));
    expect((await c.get<Pod>('po', 'a', { namespace: 'default' })).metadata.uid).toBe(created.metadata.uid);
    const web = await c.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=web' });
    expect(web.items.map((p) => p.metadata.name)).toEqual(['a']);
    const updated = await c.update('pods', { ...created, metadata: { ...created.metadata, labels: { app: 'web', v: '2' } } });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const stale = await c.update('pods', created).catch((e: unknown) => e);
    expect(isApiError(stale, 'Conflict'), 'an update from a stale copy is a Conflict').toBe(true);
    await c.patch('pods', 'a', { metadata: { labels: { v: '3' } } }, { namespace: 'default', type: 'merge' });
    expect((await c.get<Pod>('pods', 'a', { namespace: 'default' })).metadata.labels).toEqual({ app: 'web', v: '3' });
    await c.delete('pods', 'b', { namespace: 'default' });
    const gone = await c.get('pods', 'b', { namespace: 'default' }).catch((e: unknown) => e);
    expect(isApiError(gone, 'NotFound')).toBe(true);
    expect((gone as Error).message).toBe('pods "b" not found');
  });

  test('bind puts a pod on a node once; updateStatus writes only the status', async () => {
    const c = server.client;
    await c.bind({ namespace: 'default', name: 'a' }, 'node-1');
    const bound = await c.get<Pod>('pods', 'a', { namespace: 'default' });
    expect(bound.spec.nodeName).toBe('node-1');
    expect(bound.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status).toBe('True');
    const again = await c.bind({ namespace: 'default', name: 'a' }, 'node-2').catch((e: unknown) => e);
    expect((again as Error).message).toBe('Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "node-1"');
    await c.updateStatus('pods', { ...bound, spec: { ...bound.spec, nodeName: 'elsewhere' }, status: { ...bound.status, phase: 'Running' } });
    const after = await c.get<Pod>('pods', 'a', { namespace: 'default' });
    expect([after.status?.phase, after.spec.nodeName]).toEqual(['Running', 'node-1']);
  });

  test('watch delivers changes in order and ends with onClose', async () => {
    const c = server.client;
    const list = await c.list('pods', { namespace: 'default' });
    const events: string[] = [];
    let closed = false;
    const w = c.watch<KubeObject>(
      'pods',
      { namespace: 'default', resourceVersion: list.metadata.resourceVersion },
      {
        onEvent: (e) => events.push(`${e.type} ${e.object.metadata.name}`),
        onClose: () => (closed = true),
      },
    );
    await c.create('pods', pod('w1'));
    await c.delete('pods', 'w1', { namespace: 'default' });
    await eventually('both events arrive', () => events.length === 2);
    expect(events).toEqual(['ADDED w1', 'DELETED w1']);
    w.stop();
    expect(closed).toBe(true);
  });
});

describe('Informer', () => {
  test('lists, watches, resumes after the server closes the watch, and relists after a 410', async () => {
    const c = server.client;
    const informer = new Informer<Pod>(c, 'pods', { namespace: 'default' });
    const log: string[] = [];
    informer.on('add', (p) => log.push(`add ${p.metadata.name}`));
    informer.on('update', (_o, p) => log.push(`update ${p.metadata.name}`));
    informer.on('delete', (p) => log.push(`delete ${p.metadata.name}`));
    await informer.start();
    try {
      expect(informer.hasSynced()).toBe(true);
      expect(informer.list().map(objectKeyOf)).toEqual(['default/a']);
      await c.create('pods', pod('i1'));
      await eventually('add i1', () => log.includes('add i1'));

      server.api.closeWatches();
      await c.create('pods', pod('i2'));
      await eventually('add i2 after the watch was closed', () => log.includes('add i2'));
      expect(informer.lists, 'resumed without a new list').toBe(1);

      const resume = server.api.pauseWatches();
      server.api.closeWatches();
      for (let i = 0; i < 6; i++) await c.create('pods', pod(`x${i}`));
      await c.delete('pods', 'i1', { namespace: 'default' });
      resume();
      await eventually('relisted after 410', () => informer.lists === 2 && informer.list().length === 8);
      expect(log.filter((l) => l.startsWith('delete'))).toEqual(['delete i1']);
      expect(informer.get('default/x5')?.metadata.name).toBe('x5');
    } finally {
      informer.stop();
    }
  });
});

describe('startCluster', () => {
  test('starts the apiserver and each component with its context, and stops them in reverse order', async () => {
    const order: string[] = [];
    let seen: ClusterContext | undefined;
    const component = (name: string): ClusterComponent => ({
      name,
      async start(ctx) {
        seen ??= ctx;
        order.push(`start ${name}`);
        await ctx.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
        return { stop: () => void order.push(`stop ${name}`) };
      },
    });
    const cluster = await startCluster({ components: [component('first'), component('second')], flags: { nodes: 2 } });
    try {
      expect(cluster.components).toEqual(['first', 'second']);
      expect(seen?.apiserverUrl).toBe(cluster.url);
      expect(seen?.options.flags).toEqual({ nodes: 2 });
      const names = (await cluster.client.list('configmaps', { namespace: 'default' })).items.map((o) => o.metadata.name);
      expect(names).toEqual(['first', 'second']);
    } finally {
      await cluster.stop();
    }
    expect(order).toEqual(['start first', 'start second', 'stop second', 'stop first']);
    const after = await new KubeClient({ server: cluster.url }).get('namespaces', 'default').catch((e: unknown) => e);
    expect(isApiError(after, 'ConnectionFailed'), 'the apiserver is gone after stop()').toBe(true);
  });

  test('a component that fails to start stops the ones before it and the error reaches the caller', async () => {
    const stopped: string[] = [];
    const ok: ClusterComponent = { name: 'ok', start: () => ({ stop: () => void stopped.push('ok') }) };
    const broken: ClusterComponent = { name: 'broken', start: () => Promise.reject(new Error('no kubelet today')) };
    await expect(startCluster({ components: [ok, broken] })).rejects.toThrow('no kubelet today');
    expect(stopped).toEqual(['ok']);
  });
});
