/**
 * Hollow pods that finish (kwok's stages: the kubelings.dev/complete-after and fail-after
 * annotations) and hollow nodes that go silent (pause/resume, as a crashed kubelet): the pure
 * parts, then against a real apiserver with three hollow nodes. Deadlines are generous: they say
 * what they wait for, never how fast a machine is.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { hollowNodesComponent, startHollowNodes, type HollowNodes } from '#engine/hollow/component.ts';
import { finishedPodStatus, nodeLease, parseDuration, podStage } from '#engine/hollow/objects.ts';
import type { Lease, Pod } from '#engine/kube/types.ts';

const stagePod = (annotations: Record<string, string>, restartPolicy = 'Never', node = 'hollow-node-0', name = 'p'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', annotations },
  spec: { restartPolicy, nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
});

describe('stages, pure', () => {
  test('durations as Kubernetes writes them; anything else is unreadable', () => {
    expect([parseDuration('5s'), parseDuration('1m30s'), parseDuration('250ms'), parseDuration('5'), parseDuration('soon')]).toEqual([5_000, 90_000, 250, undefined, undefined]);
  });

  test('complete-after and fail-after: the earlier decides; none: the pod runs until deleted', () => {
    const c = 'kubelings.dev/complete-after';
    const f = 'kubelings.dev/fail-after';
    expect(podStage(stagePod({ [c]: '5s' }), c, f)).toEqual({ afterMs: 5_000, outcome: 'Succeeded' });
    expect(podStage(stagePod({ [c]: '5s', [f]: '2s' }), c, f)).toEqual({ afterMs: 2_000, outcome: 'Failed' });
    expect(podStage(stagePod({}), c, f)).toBeUndefined();
  });

  test('a finished pod as the kubelet reports it: phase, exit code, reason, Ready False', () => {
    const done = finishedPodStatus(stagePod({}), 'Succeeded', 0, 5_000) as {
      phase: string;
      conditions: { type: string; status: string; reason?: string }[];
      containerStatuses: { state: { terminated: { exitCode: number; reason: string } } }[];
    };
    expect(done.phase).toBe('Succeeded');
    expect(done.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(done.conditions.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const failed = finishedPodStatus(stagePod({}), 'Failed', 0, 5_000) as typeof done;
    expect(failed.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });
});

describe("--node-lease-duration-seconds (kubelet's flag of that name)", () => {
  test("the Lease carries it; the default is the kubelet's 40 s", () => {
    expect(nodeLease('n', 0, 'u', 2).spec?.leaseDurationSeconds).toBe(2);
    expect(nodeLease('n', 0).spec?.leaseDurationSeconds).toBe(40);
  });

  test("anything but a whole number of seconds above 0 is refused with the flag's name", () => {
    for (const bad of ['soon', '0', '-3', '1.5', '']) {
      expect(() => hollowNodesComponent({ nodes: 1, hollow: true, 'node-lease-duration-seconds': bad }), bad).toThrow(
        `--node-lease-duration-seconds takes a whole number of seconds above 0, not "${bad}".`,
      );
    }
    expect(hollowNodesComponent({ nodes: 1, hollow: true, 'node-lease-duration-seconds': '2' })).toHaveLength(1);
  });
});

describe('on a cluster with three hollow nodes', () => {
  let cluster: Cluster;
  let hollow: HollowNodes;
  beforeAll(async () => {
    cluster = await startCluster({
      components: [
        {
          name: 'hollow-nodes',
          async start(ctx) {
            hollow = await startHollowNodes(ctx, { nodes: 3 });
            return { stop: () => hollow.stop() };
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last = await get();
    while (!ok(last)) {
      if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; last seen: ${JSON.stringify(last).slice(0, 600)}`);
      await new Promise((r) => setTimeout(r, 100));
      last = await get();
    }
    return last;
  }
  const get = (name: string) => () => cluster.client.get<Pod>('pods', name, { namespace: 'default' });

  test('complete-after: Running, then Succeeded; fail-after: Failed with exit code 1', async () => {
    await cluster.client.create('pods', stagePod({ 'kubelings.dev/complete-after': '1s' }, 'Never', 'hollow-node-0', 'ok'));
    await cluster.client.create('pods', stagePod({ 'kubelings.dev/fail-after': '1s' }, 'Never', 'hollow-node-1', 'bad'));
    await until('ok Running', get('ok'), (p) => p.status?.phase === 'Running');
    const ok = await until('ok Succeeded', get('ok'), (p) => p.status?.phase === 'Succeeded');
    expect(ok.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    const bad = await until('bad Failed', get('bad'), (p) => p.status?.phase === 'Failed');
    expect(bad.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  test('restartPolicy Always: the containers restart instead (restartCount grows, the pod stays Running)', async () => {
    await cluster.client.create('pods', stagePod({ 'kubelings.dev/complete-after': '500ms' }, 'Always', 'hollow-node-2', 'loop'));
    const p = await until('a restart', get('loop'), (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    expect(p.status?.phase).toBe('Running');
  });

  test('a paused node finishes no deletion; resumed, it renews its Lease at once and finishes it', async () => {
    const lease = () => cluster.client.get<Lease>('leases', 'hollow-node-1', { namespace: 'kube-node-lease' });
    await cluster.client.create('pods', stagePod({}, 'Always', 'hollow-node-1', 'stuck'));
    await until('stuck Running', get('stuck'), (p) => p.status?.phase === 'Running');
    hollow.pause('hollow-node-1');
    const before = (await lease()).spec?.renewTime;
    await cluster.client.delete('pods', 'stuck', { namespace: 'default' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await get('stuck')()).metadata.deletionTimestamp, 'the pod waits for its (paused) kubelet').toBeDefined();
    hollow.resume('hollow-node-1');
    await until('the Lease renewed', lease, (l) => l.spec?.renewTime !== before);
    await until(
      'the pod gone',
      () => cluster.client.list<Pod>('pods', { namespace: 'default' }),
      (l) => !l.items.some((p) => p.metadata.name === 'stuck'),
    );
  });
});
