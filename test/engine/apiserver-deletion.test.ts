/**
 * The apiserver's side of garbage collection and namespace deletion, without any controller:
 * DELETE with propagationPolicy Orphan / Foreground puts the `orphan` / `foregroundDeletion`
 * finalizer on the object, which then stays marked until the finalizer is removed; Background
 * (and kubectl's default) adds none; batch/v1 Jobs orphan by default; an object being deleted
 * takes no new finalizer; a namespace goes Terminating, refuses new content and a second DELETE,
 * and is removed by the write to namespaces/<name>/finalize that empties spec.finalizers; and
 * apps/v1 ControllerRevisions are served. Upstream: k8s.io/apiserver registry/generic/registry/
 * store.go (Delete, updateForGracefulDeletionAndFinalizers, deletionFinalizersForGarbageCollection),
 * apimachinery validation (ValidateNoNewFinalizers), pkg/registry/core/namespace/storage
 * (Delete, ShouldDeleteNamespaceDuringUpdate), plugin/pkg/admission/namespace/lifecycle.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isApiError } from '#engine/kube/errors.ts';
import type { KubeObject, Namespace } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, rows, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

let server: TestServer;
let kubectl: Kubectl;
const k = (...args: string[]) => kubectl.run(args);

beforeAll(async () => {
  server = await startTestServer();
  if (HAS_KUBECTL) kubectl = kubectlFor(server.access);
});
afterAll(async () => {
  kubectl?.cleanup();
  await server?.close();
});

const cm = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...extra }, data: { a: 'b' } });
const error = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('DELETE with a propagationPolicy', () => {
  test('Orphan: the object stays, marked, with the orphan finalizer; removing it ends the object', async () => {
    const c = server.client;
    await c.create('configmaps', cm('orphaning'));
    await c.delete('configmaps', 'orphaning', { namespace: 'default', propagationPolicy: 'Orphan' });
    const marked = await c.get<KubeObject>('configmaps', 'orphaning', { namespace: 'default' });
    expect(marked.metadata.finalizers).toEqual(['orphan']);
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    await c.patch('configmaps', 'orphaning', { metadata: { finalizers: null } }, { namespace: 'default', type: 'merge' });
    expect(isApiError(await error(c.get('configmaps', 'orphaning', { namespace: 'default' })), 'NotFound')).toBe(true);
  });

  test('Foreground: the foregroundDeletion finalizer, other finalizers kept', async () => {
    const c = server.client;
    await c.create('configmaps', cm('fg', { finalizers: ['example.com/keep'] }));
    await c.delete('configmaps', 'fg', { namespace: 'default', propagationPolicy: 'Foreground' });
    const marked = await c.get<KubeObject>('configmaps', 'fg', { namespace: 'default' });
    expect(marked.metadata.finalizers).toEqual(['example.com/keep', 'foregroundDeletion']);
    await c.patch('configmaps', 'fg', { metadata: { finalizers: null } }, { namespace: 'default', type: 'merge' });
  });

  test("Background, or no policy: no finalizer, gone at once; a Job without a policy orphans (batch/v1's default)", async () => {
    const c = server.client;
    await c.create('configmaps', cm('bg'));
    await c.delete('configmaps', 'bg', { namespace: 'default', propagationPolicy: 'Background' });
    expect(isApiError(await error(c.get('configmaps', 'bg', { namespace: 'default' })), 'NotFound')).toBe(true);
    await c.create('configmaps', cm('plain'));
    await c.delete('configmaps', 'plain', { namespace: 'default' });
    expect(isApiError(await error(c.get('configmaps', 'plain', { namespace: 'default' })), 'NotFound')).toBe(true);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    await c.create('jobs', job as KubeObject);
    await c.delete('jobs', 'once', { namespace: 'default' });
    expect((await c.get<KubeObject>('jobs', 'once', { namespace: 'default' })).metadata.finalizers).toEqual(['orphan']);
    await c.delete('jobs', 'once', { namespace: 'default', propagationPolicy: 'Background' });
    expect(isApiError(await error(c.get('jobs', 'once', { namespace: 'default' })), 'NotFound'), 'a second DELETE with Background drops the orphan finalizer, and the Job goes').toBe(true);
  });

  test('a failed precondition writes nothing: the finalizer is not added', async () => {
    const c = server.client;
    await c.create('configmaps', cm('guarded'));
    const e = await error(c.delete('configmaps', 'guarded', { namespace: 'default', propagationPolicy: 'Orphan', preconditions: { uid: 'not-its-uid' } }));
    expect(isApiError(e, 'Conflict')).toBe(true);
    expect((await c.get<KubeObject>('configmaps', 'guarded', { namespace: 'default' })).metadata.finalizers).toBeUndefined();
  });

  test("an object being deleted takes no new finalizer (422, upstream's message)", async () => {
    const c = server.client;
    await c.create('configmaps', cm('leaving', { finalizers: ['example.com/a'] }));
    await c.delete('configmaps', 'leaving', { namespace: 'default' });
    const e = await error(c.patch('configmaps', 'leaving', { metadata: { finalizers: ['example.com/a', 'example.com/b'] } }, { namespace: 'default', type: 'merge' }));
    expect(isApiError(e, 'Invalid')).toBe(true);
    expect((e as Error).message).toBe(
      'ConfigMap "leaving" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    );
    await c.patch('configmaps', 'leaving', { metadata: { finalizers: null } }, { namespace: 'default', type: 'merge' });
    expect(isApiError(await error(c.get('configmaps', 'leaving', { namespace: 'default' })), 'NotFound')).toBe(true);
  });
});

describe('namespace deletion', () => {
  test('DELETE marks the namespace Terminating and keeps it while spec.finalizers holds kubernetes; a second DELETE is a Conflict', async () => {
    const c = server.client;
    await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-x' } });
    await c.create('configmaps', { ...cm('in-x'), metadata: { name: 'in-x', namespace: 'team-x' } });
    const answer = await c.delete<Namespace>('namespaces', 'team-x');
    expect(answer.status?.phase).toBe('Terminating');
    const ns = await c.get<Namespace>('namespaces', 'team-x');
    expect(ns.metadata.deletionTimestamp).toBeDefined();
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect((await c.get<KubeObject>('configmaps', 'in-x', { namespace: 'team-x' })).metadata.name, 'content stays for the namespace controller').toBe('in-x');
    const again = await error(c.delete('namespaces', 'team-x'));
    expect((again as Error).message).toBe(
      'Operation cannot be fulfilled on namespaces "team-x": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
    );
  });

  test('nothing new is created in a Terminating namespace (403, cause NamespaceTerminating)', async () => {
    const e = await error(server.client.create('configmaps', { ...cm('late'), metadata: { name: 'late', namespace: 'team-x' } }));
    expect(isApiError(e, 'Forbidden')).toBe(true);
    expect((e as Error).message).toBe('configmaps "late" is forbidden: unable to create new content in namespace team-x because it is being terminated');
  });

  test('status writes keep it; the finalize write that empties spec.finalizers removes it', async () => {
    const c = server.client;
    const ns = await c.get<Namespace>('namespaces', 'team-x');
    await c.updateStatus('namespaces', {
      ...ns,
      status: { phase: 'Terminating', conditions: [{ type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' }] },
    });
    const after = await c.get<Namespace>('namespaces', 'team-x');
    expect(after.status?.conditions?.[0]?.reason).toBe('ContentRemoved');
    await c.update('namespaces', { ...after, spec: { finalizers: [] } }, { subresource: 'finalize' });
    expect(isApiError(await error(c.get('namespaces', 'team-x')), 'NotFound')).toBe(true);
  });
});

describe.skipIf(!HAS_KUBECTL)('with the real kubectl (needs kubectl)', () => {
  test('kubectl get controllerrevisions lists a revision with its controller', async () => {
    await server.client.create('controllerrevisions', {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-abc', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }] },
      data: { spec: { template: { $patch: 'replace' } } },
      revision: 1,
    } as KubeObject);
    const table = rows((await k('get', 'controllerrevisions')).stdout);
    expect(table[0]).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    expect(table[1]!.slice(0, 3)).toEqual(['web-abc', 'statefulset.apps/web', '1']);
  });

  test('kubectl delete namespace --wait=false answers at once; kubectl get shows it Terminating', async () => {
    await k('create', 'namespace', 'team-y');
    expect((await k('delete', 'namespace', 'team-y', '--wait=false')).output).toBe('namespace "team-y" deleted\n');
    expect(rows((await k('get', 'namespace', 'team-y')).stdout)[1]!.slice(0, 2)).toEqual(['team-y', 'Terminating']);
  });
});
