/**
 * @kubernetes/client-node 1.4.0 (the official JavaScript client) against the engine's apiserver:
 * typed calls with their hard-coded paths, the generic object API (which reads discovery), the
 * three patch content types, and an informer (makeInformer: list, then watch from the list's
 * resourceVersion) that survives a watch the server closes and a 410 Expired.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, makeInformer, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { kubectlFor, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

let server: TestServer;
let files: Kubectl;
let kc: KubeConfig;
let core: CoreV1Api;

// Waits poll for their condition and name it; generous, so that a loaded machine is slow, not wrong.
vi.setConfig({ testTimeout: 60_000 });

/** Waits until `check` returns true (polling), or fails with `what`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: still not true after ${ms} ms`);
}

const configMap = (name: string, data: Record<string, string> = { a: '1' }): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('@kubernetes/client-node 1.4.0 against the engine', () => {
  beforeAll(async () => {
    // A small watch history, so that a watcher that misses a few changes gets 410 Expired.
    server = await startTestServer({ watchCacheCapacity: 5 });
    files = kubectlFor(server.access);
    kc = new KubeConfig();
    kc.loadFromFile(files.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    files?.cleanup();
    await server?.close();
  });

  test('lists namespaces and pods with the typed API', async () => {
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name).sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(namespaces.metadata?.resourceVersion).toMatch(/^\d+$/);
    const pods = await core.listNamespacedPod({ namespace: 'default' });
    expect(pods.items).toEqual([]);
  });

  test('creates objects, and reads them back with defaults filled in', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('from-node') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
      },
    });
    const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.template.spec?.restartPolicy).toBe('Always');
    const duplicate = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('from-node') }).catch((e: { code?: number; body?: string }) => e);
    expect((duplicate as { code?: number }).code).toBe(409);
  });

  test('patches: JSON patch by default, merge patch when asked, and an object sent as a JSON patch is refused', async () => {
    await core.patchNamespacedConfigMap({ name: 'from-node', namespace: 'default', body: [{ op: 'add', path: '/data/b', value: '2' }] });
    await core.patchNamespacedConfigMap({ name: 'from-node', namespace: 'default', body: { data: { c: '3' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const cm = await core.readNamespacedConfigMap({ name: 'from-node', namespace: 'default' });
    expect(cm.data).toEqual({ a: '1', b: '2', c: '3' });
    const refused = (await core.patchNamespacedConfigMap({ name: 'from-node', namespace: 'default', body: { data: { d: '4' } } }).catch((e: unknown) => e)) as { code?: number; body?: unknown };
    expect(refused.code).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });

  test('the generic object API (which reads discovery) creates and strategic-merge-patches a Deployment', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await objects.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as never);
    await objects.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } } as never,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    const read = (await objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } } as never)) as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(read.spec.template.spec.containers.map((c) => c.image)).toEqual(['nginx:1.27']);
  });

  test('an informer keeps its cache through a watch the server closes and through a 410 Expired', async () => {
    let lists = 0;
    const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default' });
    });
    const added: string[] = [];
    const deleted: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await eventually('the informer lists from-node', () => added.includes('from-node'));
      expect(lists, 'one list at start').toBe(1);

      await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('seen-live') });
      await eventually('the watch delivers seen-live', () => added.includes('seen-live'));

      // 1. The server ends every watch stream (as a restart or a timeout does): the informer
      //    watches again from the last resourceVersion it saw, without listing again.
      expect(server.api.closeWatches(), 'one informer watch was open').toBe(1);
      await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('after-close') });
      await eventually('the resumed watch delivers after-close', () => added.includes('after-close'));
      expect(lists, 'resuming needs no new list').toBe(1);
      expect(
        added.filter((n) => n === 'seen-live'),
        'no event is delivered twice',
      ).toHaveLength(1);

      // 2. While the informer is away, more changes happen than the watch history keeps (5):
      //    its watch from the old resourceVersion gets 410 Expired, and it lists again.
      const resume = server.api.pauseWatches();
      server.api.closeWatches();
      for (let i = 0; i < 8; i++) await core.createNamespacedConfigMap({ namespace: 'default', body: configMap(`while-away-${i}`) });
      await core.deleteNamespacedConfigMap({ name: 'seen-live', namespace: 'default' });
      resume();
      await eventually('the informer relists after the 410', () => lists === 2);
      const expected = ['after-close', 'from-node', ...Array.from({ length: 8 }, (_, i) => `while-away-${i}`)].sort();
      await eventually('the cache holds every configmap again', () => informer.list().length === expected.length);
      expect(
        informer
          .list()
          .map((o) => o.metadata!.name)
          .sort(),
      ).toEqual(expected);
      expect(deleted, 'the relist noticed the delete it missed').toEqual(['seen-live']);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });
});
