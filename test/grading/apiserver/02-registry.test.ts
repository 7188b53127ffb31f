/**
 * Hidden suite for 02-apiserver/02-registry: createRegistry over the reference store (in memory),
 * with a fixed clock and predictable uids, checked against the registry behaviour of the real
 * apiserver (k8s.io/apiserver pkg/registry/generic/registry/store.go).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isApiError } from '#engine/kube/errors.ts';
import type { Registry } from '#engine/apiserver/exercises.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { createStore } from '#engine/etcd/store.ts';
import { loadComponent } from '#engine/impl.ts';
import { findResource, objectKey } from '#engine/kube/resources.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { hint, show, useSeed } from '#grading';

const { createRegistry } = await loadComponent('apiserver');

const PODS = findResource('', 'v1', 'pods')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const NODES = findResource('', 'v1', 'nodes')!;

const START = Date.UTC(2024, 0, 1, 12, 0, 0);

interface Setup {
  store: KVStore;
  registry: Registry;
  clock: { now: number };
}

async function setup(store?: KVStore): Promise<Setup> {
  const s = store ?? (await createStore());
  const clock = { now: START };
  let uid = 0;
  const registry = createRegistry(s, { now: () => clock.now, newUid: () => `uid-${++uid}`, randomSuffix: () => 'x7k2p' });
  return { store: s, registry, clock };
}

const cm = (name: string, data: Record<string, string> = { a: '1' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  status: { phase: 'Pending' },
});
const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

async function failure(promise: Promise<unknown>): Promise<{ reason?: string; message: string; code?: number } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (isApiError(error)) return { reason: error.reason, code: error.code, message: error.message };
    throw error;
  }
}

async function raw(store: KVStore, key: string) {
  return (await store.range(key)).kvs[0];
}

describe('create', () => {
  test(
    'a new object gets a uid, a creationTimestamp and resourceVersion = the store revision',
    hint('Which store operation creates a key only if it does not exist yet? What revision does it answer with?'),
    async () => {
      const { store, registry } = await setup();
      const created = await registry.create(CONFIGMAPS, cm('a'));
      expect({ uid: created.metadata.uid, creationTimestamp: created.metadata.creationTimestamp, resourceVersion: created.metadata.resourceVersion }, 'registry.create(configmaps, a)').toEqual({
        uid: 'uid-1',
        creationTimestamp: '2024-01-01T12:00:00Z',
        resourceVersion: String(await store.revision()),
      });
      expect(created.data, 'the object itself is kept').toEqual({ a: '1' });
    },
  );

  test(
    'the stored value is the object without its resourceVersion (the store knows it already)',
    hint('Where does resourceVersion come from when you read the object back: the JSON, or the key-value?'),
    async () => {
      const { store, registry } = await setup();
      await registry.create(CONFIGMAPS, cm('a'));
      const kv = await raw(store, objectKey(CONFIGMAPS, 'default', 'a'));
      expect(kv, `the key ${objectKey(CONFIGMAPS, 'default', 'a')} after create`).toBeDefined();
      const stored = JSON.parse(kv!.value) as KubeObject;
      expect(stored.metadata.resourceVersion, 'resourceVersion in the stored JSON').toBeUndefined();
      expect(stored.metadata.uid, 'uid in the stored JSON').toBe('uid-1');
    },
  );

  test('generation starts at 1 for a kind with a spec, and is left out otherwise', hint('Which field of ResourceInfo says whether a kind tracks generation?'), async () => {
    const { registry } = await setup();
    expect((await registry.create(DEPLOYMENTS, deployment('web'))).metadata.generation, 'create a Deployment').toBe(1);
    const withGeneration = { ...cm('b'), metadata: { name: 'b', namespace: 'default', generation: 7 } };
    expect((await registry.create(CONFIGMAPS, withGeneration)).metadata.generation, 'create a ConfigMap that claims generation 7').toBeUndefined();
  });

  test('generateName makes the name: the prefix (at most 58 characters) plus five random ones', hint('When is generateName used? What does randomSuffix() give you?'), async () => {
    const { registry } = await setup();
    const made = await registry.create(PODS, { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } });
    expect(made.metadata.name, 'generateName web-').toBe('web-x7k2p');
    const long = await registry.create(PODS, { ...pod(''), metadata: { generateName: `${'a'.repeat(70)}-`, namespace: 'default' } });
    expect(long.metadata.name, 'generateName of 71 characters').toBe(`${'a'.repeat(58)}x7k2p`);
    const named = await registry.create(PODS, { ...pod('fixed'), metadata: { name: 'fixed', generateName: 'web-', namespace: 'default' } });
    expect(named.metadata.name, 'a name wins over generateName').toBe('fixed');
  });

  test(
    'what the server owns is never taken from the client, and the input is not modified',
    hint('Which metadata fields belong to the server? Did you copy the object before changing it?'),
    async () => {
      const { registry } = await setup();
      const input: KubeObject = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1', namespace: 'default', uid: 'mine', resourceVersion: '999', deletionTimestamp: '2020-01-01T00:00:00Z', deletionGracePeriodSeconds: 3 },
      };
      const before = JSON.stringify(input);
      const node = await registry.create(NODES, input);
      expect(
        { namespace: node.metadata.namespace, uid: node.metadata.uid, deletionTimestamp: node.metadata.deletionTimestamp, deletionGracePeriodSeconds: node.metadata.deletionGracePeriodSeconds },
        'create a Node with a namespace, a uid, a resourceVersion and a deletionTimestamp',
      ).toEqual({ namespace: undefined, uid: 'uid-1', deletionTimestamp: undefined, deletionGracePeriodSeconds: undefined });
      expect(JSON.stringify(input), 'the input object after create').toBe(before);
    },
  );

  test('a name that is taken is AlreadyExists', async () => {
    const { registry } = await setup();
    await registry.create(PODS, pod('a'));
    expect(await failure(registry.create(PODS, pod('a'))), 'create pod a twice').toEqual({ reason: 'AlreadyExists', code: 409, message: 'pods "a" already exists' });
    await registry.create(DEPLOYMENTS, deployment('web'));
    expect((await failure(registry.create(DEPLOYMENTS, deployment('web'))))?.message, 'create deployment web twice').toBe('deployments.apps "web" already exists');
  });

  test('two creates racing for one name: exactly one wins, decided by the store', hint('If you read first and write after, can two callers both read "absent"? What can a txn compare?'), async () => {
    const { registry } = await setup();
    const results = await Promise.allSettled([registry.create(CONFIGMAPS, cm('race', { who: 'first' })), registry.create(CONFIGMAPS, cm('race', { who: 'second' }))]);
    expect(results.map((r) => r.status).sort(), 'two creates of configmap race at once').toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isApiError(loser.reason, 'AlreadyExists'), 'the loser fails with AlreadyExists').toBe(true);
  });
});

describe('get', () => {
  test('resourceVersion is the modRevision of the key; a missing object is NotFound', async () => {
    const { store, registry } = await setup();
    await registry.create(CONFIGMAPS, cm('a'));
    await store.put('/registry/configmaps/default/other', JSON.stringify(cm('other')));
    const got = await registry.get(CONFIGMAPS, 'default', 'a');
    const kv = await raw(store, objectKey(CONFIGMAPS, 'default', 'a'));
    expect(got.metadata.resourceVersion, 'get configmap a (the store moved on since)').toBe(String(kv!.modRevision));
    expect(await failure(registry.get(CONFIGMAPS, 'default', 'nope')), 'get configmap nope').toEqual({ reason: 'NotFound', code: 404, message: 'configmaps "nope" not found' });
    expect((await failure(registry.get(DEPLOYMENTS, 'default', 'nope')))?.message, 'get deployment nope').toBe('deployments.apps "nope" not found');
  });
});

describe('update and optimistic concurrency', () => {
  test('with the current resourceVersion it writes, and returns the new resourceVersion', async () => {
    const { store, registry } = await setup();
    const created = await registry.create(CONFIGMAPS, cm('a'));
    const updated = await registry.update(CONFIGMAPS, { ...created, data: { a: '2' } });
    expect({ rv: updated.metadata.resourceVersion, data: updated.data }, 'update configmap a with its current resourceVersion').toEqual({ rv: String(await store.revision()), data: { a: '2' } });
  });

  test('with a stale resourceVersion it is a Conflict, and nothing is written', hint('What must the stored modRevision equal for the write to go ahead?'), async () => {
    const { store, registry } = await setup();
    const created = await registry.create(CONFIGMAPS, cm('a'));
    await registry.update(CONFIGMAPS, { ...created, data: { a: '2' } });
    const revision = await store.revision();
    expect(await failure(registry.update(CONFIGMAPS, { ...created, data: { a: '3' } })), 'update from the copy read before the last change').toEqual({
      reason: 'Conflict',
      code: 409,
      message: 'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(await store.revision(), 'store revision after the refused update').toBe(revision);
    expect((await registry.get(CONFIGMAPS, 'default', 'a')).data, 'the object after the refused update').toEqual({ a: '2' });
  });

  test('without a resourceVersion it writes over whatever is stored; a missing object is NotFound', async () => {
    const { registry } = await setup();
    await registry.create(CONFIGMAPS, cm('a'));
    await registry.update(CONFIGMAPS, cm('a', { a: '2' }));
    expect((await registry.get(CONFIGMAPS, 'default', 'a')).data, 'update without a resourceVersion').toEqual({ a: '2' });
    expect((await failure(registry.update(CONFIGMAPS, cm('ghost'))))?.reason, 'update of an object that does not exist').toBe('NotFound');
  });

  test('uid, creationTimestamp, name and namespace stay what they were', hint('Which metadata does the server own after create?'), async () => {
    const { registry, clock } = await setup();
    const created = await registry.create(CONFIGMAPS, cm('a'));
    clock.now += 60_000;
    const updated = await registry.update(CONFIGMAPS, { ...created, metadata: { ...created.metadata, uid: 'forged', creationTimestamp: '1999-01-01T00:00:00Z' }, data: { a: '2' } });
    expect({ uid: updated.metadata.uid, creationTimestamp: updated.metadata.creationTimestamp }, 'update that tries to change uid and creationTimestamp').toEqual({
      uid: 'uid-1',
      creationTimestamp: '2024-01-01T12:00:00Z',
    });
  });

  test('generation grows by one when the spec changes, and only then', hint('Compare the old and new spec: by value, or by their JSON text?'), async () => {
    const { registry } = await setup();
    let d = await registry.create(DEPLOYMENTS, deployment('web', 1));
    d = await registry.update(DEPLOYMENTS, { ...d, spec: { ...(d.spec as object), replicas: 3 } });
    expect(d.metadata.generation, 'after a change of spec.replicas').toBe(2);
    d = await registry.update(DEPLOYMENTS, { ...d, metadata: { ...d.metadata, labels: { tier: 'fe' } } });
    expect(d.metadata.generation, 'after a change of labels only').toBe(2);
    const reordered = Object.fromEntries(Object.entries(d.spec as object).reverse());
    d = await registry.update(DEPLOYMENTS, { ...d, spec: reordered, metadata: { ...d.metadata, labels: { tier: 'be' } } });
    expect(d.metadata.generation, "after a label change with the spec's keys in another order").toBe(2);
    d = await registry.update(DEPLOYMENTS, { ...d, status: { replicas: 3 } }, { subresource: 'status' });
    expect(d.metadata.generation, 'after a status change').toBe(2);
  });

  test(
    'the main resource keeps the stored status; the status subresource changes nothing but the status',
    hint('For a kind with a status subresource, whose status wins in each kind of update?'),
    async () => {
      const { registry } = await setup();
      const created = await registry.create(PODS, pod('p'));
      const main = await registry.update(PODS, { ...created, metadata: { ...created.metadata, labels: { a: 'b' } }, status: { phase: 'Failed' } });
      expect({ labels: main.metadata.labels, status: main.status }, 'main update that also sets status.phase Failed').toEqual({ labels: { a: 'b' }, status: { phase: 'Pending' } });
      const status = await registry.update(PODS, { ...main, metadata: { ...main.metadata, labels: { c: 'd' } }, spec: { containers: [] }, status: { phase: 'Running' } }, { subresource: 'status' });
      expect(
        { labels: status.metadata.labels, containers: (status.spec as { containers: unknown[] }).containers.length, status: status.status },
        'status update that also changes labels and spec',
      ).toEqual({ labels: { a: 'b' }, containers: 1, status: { phase: 'Running' } });
    },
  );

  test('an update that changes nothing writes nothing', hint('Two objects with the same fields in a different key order: are they different?'), async () => {
    const { store, registry } = await setup();
    const created = await registry.create(CONFIGMAPS, { ...cm('a'), data: { x: '1', y: '2' } });
    const revision = await store.revision();
    const same = await registry.update(CONFIGMAPS, { ...created, data: { y: '2', x: '1' } });
    expect({ storeRevision: await store.revision(), resourceVersion: same.metadata.resourceVersion }, 'update with the same data in another key order').toEqual({
      storeRevision: revision,
      resourceVersion: created.metadata.resourceVersion,
    });
  });
});

/** A store that lets another write in right after the registry first reads `key`. */
function interleaving(store: KVStore, key: string, write: () => Promise<unknown>): KVStore {
  let done = false;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'range') {
        return async (k: string, options?: object) => {
          const result = await target.range(k, options);
          if (!done && k === key) {
            done = true;
            await write();
          }
          return result;
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe("a write that lands between the registry's read and its write", () => {
  test(
    'is not lost: a status set meanwhile survives an update of the main resource',
    hint('Is your write conditional on the modRevision you read? What do you do when that condition fails and the caller pinned no version?'),
    async () => {
      const store = await createStore();
      const { registry: writer } = await setup(store);
      const created = await writer.create(PODS, pod('p'));
      const key = objectKey(PODS, 'default', 'p');
      const racing = interleaving(store, key, () => writer.update(PODS, { ...created, status: { phase: 'Running' } }, { subresource: 'status' }));
      const { registry } = await setup(racing);
      const updated = await registry.update(PODS, { ...created, metadata: { ...created.metadata, resourceVersion: undefined, labels: { x: 'y' } } });
      expect({ labels: updated.metadata.labels, phase: (updated.status as { phase: string }).phase }, 'label update racing a status update').toEqual({ labels: { x: 'y' }, phase: 'Running' });
      expect((await writer.get(PODS, 'default', 'p')).status, 'the stored status afterwards').toEqual({ phase: 'Running' });
    },
  );

  test('is a Conflict when the caller pinned the resourceVersion it read', async () => {
    const store = await createStore();
    const { registry: writer } = await setup(store);
    const created = await writer.create(CONFIGMAPS, cm('a'));
    const racing = interleaving(store, objectKey(CONFIGMAPS, 'default', 'a'), () => writer.update(CONFIGMAPS, cm('a', { a: 'theirs' })));
    const { registry } = await setup(racing);
    expect((await failure(registry.update(CONFIGMAPS, { ...created, data: { a: 'mine' } })))?.reason, 'pinned update racing another write').toBe('Conflict');
    expect((await writer.get(CONFIGMAPS, 'default', 'a')).data, 'the stored data afterwards').toEqual({ a: 'theirs' });
  });
});

describe('delete', () => {
  test('most objects are gone at once', async () => {
    const { store, registry } = await setup();
    await registry.create(CONFIGMAPS, cm('a'));
    const result = await registry.delete(CONFIGMAPS, 'default', 'a');
    expect({ deleted: result.deleted, name: result.object.metadata.name }, 'delete configmap a').toEqual({ deleted: true, name: 'a' });
    expect(await raw(store, objectKey(CONFIGMAPS, 'default', 'a')), 'the key after delete').toBeUndefined();
    expect((await failure(registry.delete(CONFIGMAPS, 'default', 'a')))?.reason, 'delete it again').toBe('NotFound');
  });

  test(
    'a pod running on a node is deleted gracefully: marked with deletionTimestamp = now + grace',
    hint('Which pods need time to stop? Where does the grace period come from: the options, the pod, or the default of 30 s?'),
    async () => {
      const { registry, clock } = await setup();
      await registry.create(PODS, pod('a', { nodeName: 'node-1' }));
      clock.now += 5_000;
      const result = await registry.delete(PODS, 'default', 'a');
      expect(
        { deleted: result.deleted, deletionTimestamp: result.object.metadata.deletionTimestamp, grace: result.object.metadata.deletionGracePeriodSeconds },
        'delete pod a (on node-1, no grace given)',
      ).toEqual({ deleted: false, deletionTimestamp: '2024-01-01T12:00:35Z', grace: 30 });
      expect((await registry.get(PODS, 'default', 'a')).metadata.deletionTimestamp, 'the pod is still there, marked').toBe('2024-01-01T12:00:35Z');

      await registry.create(PODS, pod('b', { nodeName: 'node-1', terminationGracePeriodSeconds: 10 }));
      expect((await registry.delete(PODS, 'default', 'b')).object.metadata.deletionGracePeriodSeconds, 'pod b with terminationGracePeriodSeconds 10').toBe(10);
      await registry.create(PODS, pod('c', { nodeName: 'node-1' }));
      expect((await registry.delete(PODS, 'default', 'c', { gracePeriodSeconds: 0 })).deleted, 'pod c with gracePeriodSeconds 0').toBe(true);
    },
  );

  test('a pod that never ran, or has finished, goes at once', async () => {
    const { registry } = await setup();
    await registry.create(PODS, pod('pending'));
    expect((await registry.delete(PODS, 'default', 'pending')).deleted, 'delete an unscheduled pod').toBe(true);
    const done = await registry.create(PODS, pod('done', { nodeName: 'node-1' }));
    await registry.update(PODS, { ...done, status: { phase: 'Succeeded' } }, { subresource: 'status' });
    expect((await registry.delete(PODS, 'default', 'done')).deleted, 'delete a Succeeded pod').toBe(true);
  });

  test('a second delete of a marked pod with no shorter grace period changes nothing; a shorter one moves the deadline', async () => {
    const { store, registry } = await setup();
    await registry.create(PODS, pod('a', { nodeName: 'node-1' }));
    await registry.delete(PODS, 'default', 'a');
    const revision = await store.revision();
    await registry.delete(PODS, 'default', 'a', { gracePeriodSeconds: 60 });
    expect(await store.revision(), 'delete again with a longer grace period').toBe(revision);
    const shorter = await registry.delete(PODS, 'default', 'a', { gracePeriodSeconds: 5 });
    expect({ ts: shorter.object.metadata.deletionTimestamp, grace: shorter.object.metadata.deletionGracePeriodSeconds }, 'delete again with 5 s').toEqual({ ts: '2024-01-01T12:00:05Z', grace: 5 });
  });

  test(
    'an object with finalizers is marked and stays until an update removes the last one',
    hint('Who removes a finalizer, and what should the registry do when the last one goes from a marked object?'),
    async () => {
      const { store, registry } = await setup();
      await registry.create(CONFIGMAPS, { ...cm('f'), metadata: { name: 'f', namespace: 'default', finalizers: ['example.com/a', 'example.com/b'] } });
      const marked = await registry.delete(CONFIGMAPS, 'default', 'f');
      expect({ deleted: marked.deleted, ts: marked.object.metadata.deletionTimestamp }, 'delete configmap f with two finalizers').toEqual({ deleted: false, ts: '2024-01-01T12:00:00Z' });
      const one = await registry.update(CONFIGMAPS, { ...marked.object, metadata: { ...marked.object.metadata, finalizers: ['example.com/b'] } });
      expect(one.metadata.deletionTimestamp, 'after removing one finalizer, deletionTimestamp is kept').toBe('2024-01-01T12:00:00Z');
      await registry.update(CONFIGMAPS, { ...one, metadata: { ...one.metadata, finalizers: [] } });
      expect(await raw(store, objectKey(CONFIGMAPS, 'default', 'f')), 'the key after the last finalizer went').toBeUndefined();
    },
  );

  test('preconditions: a uid or resourceVersion that does not match is a Conflict', async () => {
    const { registry } = await setup();
    const created = await registry.create(CONFIGMAPS, cm('a'));
    expect((await failure(registry.delete(CONFIGMAPS, 'default', 'a', { preconditions: { uid: 'someone-else' } })))?.message, 'delete with a wrong uid').toBe(
      'Operation cannot be fulfilled on configmaps "a": Precondition failed: UID in precondition: someone-else, UID in object meta: uid-1',
    );
    expect((await failure(registry.delete(CONFIGMAPS, 'default', 'a', { preconditions: { resourceVersion: '1' } })))?.reason, 'delete with a wrong resourceVersion').toBe('Conflict');
    expect(
      (await registry.delete(CONFIGMAPS, 'default', 'a', { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } })).deleted,
      'delete with matching preconditions',
    ).toBe(true);
  });
});

describe('any sequence of updates', () => {
  test('succeeds exactly when its resourceVersion is current or absent, and the object is the last one written', ({ task }) => {
    return fc.assert(
      fc.asyncProperty(fc.array(fc.record({ value: fc.integer({ min: 0, max: 9 }), rv: fc.constantFrom('current', 'stale', 'none') }), { minLength: 1, maxLength: 12 }), async (steps) => {
        const { registry } = await setup();
        let current = await registry.create(CONFIGMAPS, cm('m', { v: 'start' }));
        const first = current;
        let expected = 'start';
        for (const step of steps) {
          const rv = step.rv === 'current' ? current.metadata.resourceVersion : step.rv === 'stale' ? first.metadata.resourceVersion : undefined;
          const stale = step.rv === 'stale' && first.metadata.resourceVersion !== current.metadata.resourceVersion;
          const attempt = registry.update(CONFIGMAPS, { ...cm('m', { v: String(step.value) }), metadata: { name: 'm', namespace: 'default', resourceVersion: rv } });
          const error = await failure(attempt.then((o) => (current = o)));
          expect(error?.reason, `update to ${step.value} with a ${step.rv} resourceVersion, after ${show(steps.slice(0, steps.indexOf(step)))}`).toBe(stale ? 'Conflict' : undefined);
          if (!stale) expected = String(step.value);
        }
        expect((await registry.get(CONFIGMAPS, 'default', 'm')).data, `the object after ${show(steps)}`).toEqual({ v: expected });
      }),
      { seed: useSeed(task), numRuns: 40 },
    );
  });
});

// Edges the first tests left open (issue 10, the mutation run of solutions/apiserver): each test
// below catches a wrong answer that passed every test above.
describe('update: more edges', () => {
  test('an update that swaps, removes or changes one element of a list is written', hint('"Changes nothing" must compare both ways: a field only the stored object has is a change too.'), async () => {
    const { store, registry } = await setup();
    const created = await registry.create(CONFIGMAPS, { ...cm('a'), metadata: { name: 'a', namespace: 'default', labels: { app: 'a' } }, data: { x: '1', y: '2' } });
    const swapped = await registry.update(CONFIGMAPS, { ...created, metadata: { ...created.metadata, labels: undefined, annotations: { note: 'a' } } });
    expect({ labels: swapped.metadata.labels, annotations: swapped.metadata.annotations }, 'update that replaces the labels by annotations').toEqual({ labels: undefined, annotations: { note: 'a' } });
    const removed = await registry.update(CONFIGMAPS, { ...swapped, data: { x: '1' } });
    expect((await registry.get(CONFIGMAPS, 'default', 'a')).data, 'update that removes data.y').toEqual({ x: '1' });
    expect(removed.metadata.resourceVersion, 'resourceVersion after removing data.y').toBe(String(await store.revision()));

    type Spec = { template: { spec: { containers: { name: string; image: string }[] } } };
    const withContainers = (o: KubeObject, containers: { name: string; image: string }[]): KubeObject => {
      const spec = structuredClone(o.spec) as Spec;
      spec.template.spec.containers = containers;
      return { ...o, spec };
    };
    let d = await registry.create(DEPLOYMENTS, deployment('web'));
    d = await registry.update(
      DEPLOYMENTS,
      withContainers(d, [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'busybox' },
      ]),
    );
    const before = d.metadata.generation!;
    d = await registry.update(
      DEPLOYMENTS,
      withContainers(d, [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'busybox:2' },
      ]),
    );
    expect({ generation: d.metadata.generation, image: (d.spec as Spec).template.spec.containers[1]!.image }, 'update of the second of two containers').toEqual({
      generation: before + 1,
      image: 'busybox:2',
    });
  });

  test(
    "deletionTimestamp, deletionGracePeriodSeconds and generation are the server's: an update cannot set or change them",
    hint('Which metadata does the server own after create? Only create and delete set these.'),
    async () => {
      // k8s.io/apiserver/pkg/registry/rest/update.go (BeforeUpdate) keeps what the server set.
      const { registry } = await setup();
      const created = await registry.create(DEPLOYMENTS, deployment('web'));
      const forged = { ...created, metadata: { ...created.metadata, deletionTimestamp: '2024-01-01T12:00:00Z', deletionGracePeriodSeconds: 0, generation: 7, labels: { a: 'b' } } };
      const updated = await registry.update(DEPLOYMENTS, forged);
      const { deletionTimestamp, deletionGracePeriodSeconds, generation } = updated.metadata;
      expect({ deletionTimestamp, deletionGracePeriodSeconds, generation, labels: updated.metadata.labels }, 'update of an unmarked Deployment that sets all three').toEqual({
        deletionTimestamp: undefined,
        deletionGracePeriodSeconds: undefined,
        generation: 1,
        labels: { a: 'b' },
      });
    },
  );

  test(
    'an update of a pod that is terminating gracefully keeps it: only a grace period of 0 without finalizers ends it',
    hint('A marked object is deleted by an update only when its grace period is over (0) and it has no finalizers left.'),
    async () => {
      // k8s.io/apiserver/pkg/registry/generic/registry/store.go (ShouldDeleteDuringUpdate).
      const { store, registry } = await setup();
      await registry.create(PODS, pod('a', { nodeName: 'node-1' }));
      const marked = (await registry.delete(PODS, 'default', 'a')).object;
      await registry.update(PODS, { ...marked, metadata: { ...marked.metadata, labels: { x: 'y' } } });
      expect((await raw(store, objectKey(PODS, 'default', 'a'))) !== undefined, 'the pod is still stored after a label update while it terminates (grace 30 s)').toBe(true);
    },
  );

  test('removing the finalizers field altogether from a marked object deletes it, as an empty list does', hint('What is the list of finalizers when the field is not there?'), async () => {
    const { store, registry } = await setup();
    await registry.create(CONFIGMAPS, { ...cm('f'), metadata: { name: 'f', namespace: 'default', finalizers: ['example.com/a'] } });
    const marked = (await registry.delete(CONFIGMAPS, 'default', 'f')).object;
    const { finalizers: _dropped, ...metadata } = marked.metadata;
    await registry.update(CONFIGMAPS, { ...marked, metadata });
    expect(await raw(store, objectKey(CONFIGMAPS, 'default', 'f')), 'the key after an update without metadata.finalizers').toBeUndefined();
  });
});

describe('delete: more edges', () => {
  test(
    'a Failed pod goes at once, as a Succeeded one does; a bound pod without a status is deleted gracefully',
    hint("Which phases mean the pod's containers have all stopped? And what if the pod has no status at all?"),
    async () => {
      const { registry } = await setup();
      const failed = await registry.create(PODS, pod('failed', { nodeName: 'node-1' }));
      await registry.update(PODS, { ...failed, status: { phase: 'Failed' } }, { subresource: 'status' });
      expect((await registry.delete(PODS, 'default', 'failed')).deleted, 'delete a Failed pod').toBe(true);
      const { status: _none, ...bare } = pod('bare', { nodeName: 'node-1' });
      await registry.create(PODS, bare);
      const result = await registry.delete(PODS, 'default', 'bare');
      expect({ deleted: result.deleted, grace: result.object.metadata.deletionGracePeriodSeconds }, 'delete a pod on node-1 that has no status').toEqual({ deleted: false, grace: 30 });
    },
  );

  test(
    'a second delete with the same grace period changes nothing and says the object is still there',
    hint('Is your comparison "no longer than" (<=) or "shorter" (<)? What do you return when nothing changes?'),
    async () => {
      // k8s.io/apiserver/pkg/registry/rest/delete.go (BeforeDelete): only a shorter grace period moves the deadline.
      const { store, registry, clock } = await setup();
      await registry.create(PODS, pod('a', { nodeName: 'node-1' }));
      const first = await registry.delete(PODS, 'default', 'a');
      const revision = await store.revision();
      clock.now += 10_000;
      const again = await registry.delete(PODS, 'default', 'a', { gracePeriodSeconds: 30 });
      expect(
        { revision: await store.revision(), deleted: again.deleted, deletionTimestamp: again.object?.metadata.deletionTimestamp },
        'delete again 10 s later with the same 30 s grace period',
      ).toEqual({ revision, deleted: false, deletionTimestamp: first.object.metadata.deletionTimestamp });
    },
  );

  test("the resourceVersion precondition's message names both versions, as the apiserver's does", async () => {
    // k8s.io/apiserver/pkg/storage/interfaces.go (Preconditions.Check).
    const { registry } = await setup();
    const created = await registry.create(CONFIGMAPS, cm('a'));
    expect((await failure(registry.delete(CONFIGMAPS, 'default', 'a', { preconditions: { resourceVersion: '1' } })))?.message, 'delete with resourceVersion 1').toBe(
      `Operation cannot be fulfilled on configmaps "a": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${created.metadata.resourceVersion}`,
    );
  });

  test(
    "a write that lands between the delete's read and its write is not lost: the delete is decided on the object as it is now",
    hint('Is your delete conditional on the modRevision you read? What do you do when that condition fails?'),
    async () => {
      const store = await createStore();
      const { registry: writer } = await setup(store);
      const created = await writer.create(CONFIGMAPS, cm('a'));
      const key = objectKey(CONFIGMAPS, 'default', 'a');
      const racing = interleaving(store, key, () => writer.update(CONFIGMAPS, { ...created, metadata: { ...created.metadata, finalizers: ['example.com/keep'] } }));
      const { registry } = await setup(racing);
      const result = await registry.delete(CONFIGMAPS, 'default', 'a');
      const stored = await writer.get(CONFIGMAPS, 'default', 'a').catch(() => undefined);
      expect({ deleted: result.deleted, finalizers: stored?.metadata.finalizers, marked: stored?.metadata.deletionTimestamp !== undefined }, 'delete racing an update that adds a finalizer').toEqual({
        deleted: false,
        finalizers: ['example.com/keep'],
        marked: true,
      });

      const podStore = await createStore();
      const { registry: podWriter } = await setup(podStore);
      const p = await podWriter.create(PODS, pod('p', { nodeName: 'node-1' }));
      const podRacing = interleaving(podStore, objectKey(PODS, 'default', 'p'), () => podWriter.update(PODS, { ...p, metadata: { ...p.metadata, labels: { x: 'y' } } }));
      const { registry: podRegistry } = await setup(podRacing);
      await podRegistry.delete(PODS, 'default', 'p');
      const storedPod = await podWriter.get(PODS, 'default', 'p');
      expect({ labels: storedPod.metadata.labels, grace: storedPod.metadata.deletionGracePeriodSeconds }, 'graceful delete of a pod racing a label update').toEqual({ labels: { x: 'y' }, grace: 30 });
    },
  );
});
