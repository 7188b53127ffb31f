/**
 * The kubelet's status manager against the in-process apiserver: a status written over a stale
 * pod (another writer changed it since) meets the apiserver's 409 Conflict, is read again and
 * written; conditions other components own are kept (mergePodStatus); a pod replaced under the same
 * name (another uid) is never written; an unchanged status is not written again; the final delete
 * carries the uid precondition, so it never removes a pod re-created under the same name.
 * Upstream: pkg/kubelet/status/status_manager.go (syncPod, mergePodStatus, canBeDeleted).
 */
import { describe, expect, test } from 'vitest';
import type { Pod } from '#engine/kube/types.ts';
import { StatusManager } from '#engine/kubelet/status-manager.ts';
import { onCleanup } from './cri-harness.ts';
import { startTestServer } from './apiserver-harness.ts';

async function setup() {
  const server = await startTestServer();
  onCleanup(() => server.close());
  const pod = await server.client.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
  });
  return { server, pod, status: new StatusManager(server.client) };
}

describe('status manager', () => {
  test('a write over a stale pod is read again and written, keeping conditions the kubelet does not own', async () => {
    const { server, pod, status } = await setup();
    // Another component adds its own condition meanwhile: `pod` is now stale.
    await server.client.updateStatus('pods', { ...pod, status: { ...pod.status, conditions: [...(pod.status?.conditions ?? []), { type: 'example.com/Gate', status: 'True' }] } });
    const written = await status.setStatus(pod, { phase: 'Running', podIP: '127.64.0.9', conditions: [{ type: 'Ready', status: 'True' }] });
    expect(status.conflicts).toBe(1);
    expect(written?.status?.phase).toBe('Running');
    const stored = await server.client.get<Pod>('pods', 'p', { namespace: 'default' });
    expect(stored.status?.podIP).toBe('127.64.0.9');
    expect(stored.status?.conditions?.map((c) => c.type).sort()).toEqual(['Ready', 'example.com/Gate']);
    const writes = status.writes;
    await status.setStatus(stored, { phase: 'Running', podIP: '127.64.0.9', conditions: [{ type: 'Ready', status: 'True' }] });
    expect(status.writes).toBe(writes);
  });

  test("a pod deleted and re-created under the same name is neither written nor deleted by the old one's kubelet", async () => {
    const { server, pod, status } = await setup();
    await server.client.delete('pods', 'p', { namespace: 'default', gracePeriodSeconds: 0 });
    const again = await server.client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
    });
    expect(await status.setStatus(pod, { phase: 'Failed' })).toBeUndefined();
    expect(await status.finishDeletion(pod)).toBe(true);
    const stored = await server.client.get<Pod>('pods', 'p', { namespace: 'default' });
    expect(stored.metadata.uid).toBe(again.metadata.uid);
    expect(stored.status?.phase).not.toBe('Failed');
  });
});
