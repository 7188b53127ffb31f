/**
 * Real nodes in a cluster: kubeletComponents() as startCluster runs them (the same component the
 * daemon's supervisor runs as a process per node): `--real-nodes 1` registers node-0, which runs
 * a pod scheduled by the scheduler (nginx answering on its pod IP); stopping the cluster stops
 * every container process. The flags' arithmetic (real beside hollow) is checked without starting.
 */
import { describe, expect, test } from 'vitest';
import { startCluster } from '#engine/cluster/cluster.ts';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { isLive } from '#engine/cri/procfs.ts';
import { CONTAINER_ID_ENV } from '#engine/cri/launch.ts';
import { pidsWithEnv } from '#engine/cri/procfs.ts';
import { kubeletComponents, realNodeCount } from '#engine/kubelet/component.ts';
import type { ApiContainerStatus } from '#engine/kubelet/exercises.ts';
import type { Node, Pod } from '#engine/kube/types.ts';
import { onCleanup, waitFor, waitForHttp } from './cri-harness.ts';
import { NGINX_INDEX_HTML } from '#engine/images/programs/welcome.ts';

describe('real nodes', () => {
  test('--real-nodes, --nodes and --hollow: how many real kubelets a cluster runs', () => {
    expect(realNodeCount({})).toBe(1);
    expect(realNodeCount({ nodes: '3' })).toBe(3);
    expect(realNodeCount({ nodes: '100', hollow: true })).toBe(0);
    expect(realNodeCount({ nodes: '100', hollow: true, 'real-nodes': '2' })).toBe(2);
    expect(() => realNodeCount({ 'real-nodes': 'many' })).toThrow('--real-nodes takes a whole number from 0 to 64, not "many".');
    expect(() => realNodeCount({ 'real-nodes': '-1' })).toThrow(/whole number/);
    expect(kubeletComponents({ 'real-nodes': 2 }).map((c) => [c.name, c.user?.username])).toEqual([
      ['kubelet-node-0', 'system:node:node-0'],
      ['kubelet-node-1', 'system:node:node-1'],
    ]);
  });

  test('a cluster with one real node runs a scheduled nginx pod that answers on its pod IP, and stop() leaves no container process', { timeout: 120_000 }, async () => {
    // node-0 claims a block of the pod network machine-wide (engine/kubelet/node-block.ts).
    const flags = { 'real-nodes': 1 };
    const cluster = await startCluster({ components: [...builtinComponents({}).filter((c) => c.name === 'kube-scheduler'), ...kubeletComponents(flags)], flags });
    let stopped = false;
    onCleanup(async () => {
      if (!stopped) await cluster.stop();
    });
    const client = cluster.client;
    const node = await waitFor('node-0 to be Ready', async () => {
      const n = await client.get<Node>('nodes', 'node-0').catch(() => undefined);
      return n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? n : undefined;
    });
    expect(node.spec?.podCIDR).toMatch(/^127\.\d+\.\d+\.0\/24$/);
    await client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
    });
    const pod = await waitFor('the pod to be scheduled to node-0 and Running', async () => {
      const p = await client.get<Pod>('pods', 'web', { namespace: 'default' });
      return p.status?.phase === 'Running' && p.spec.nodeName === 'node-0' ? p : undefined;
    });
    expect((await waitForHttp(pod.status!.podIP!, 8080)).body).toBe(NGINX_INDEX_HTML);
    const id = (pod.status!.containerStatuses![0] as ApiContainerStatus).containerID!.replace('kubelings://', '');
    const pids = pidsWithEnv(CONTAINER_ID_ENV, id);
    expect(pids.length).toBeGreaterThan(0);
    stopped = true;
    await cluster.stop();
    expect(pids.filter((p) => isLive(p))).toEqual([]);
  });
});
