/**
 * The node lifecycle controller as the controller-manager wires it without flags
 * (engine/controllers/node-lifecycle-controller.ts): its grace period is the 1.32 default of
 * --node-monitor-grace-period, 50 s. Kubernetes 1.32 raised it from 40 s (kubernetes
 * CHANGELOG/CHANGELOG-1.32.md, v1.32.0-alpha.1: "The default value for node-monitor-grace-period has
 * been increased to 50s (earlier 40s)", #126287; pkg/controller/nodelifecycle/config/v1alpha1/defaults.go
 * RecommendedDefaultNodeLifecycleControllerConfiguration), so that it exceeds the 45 s a client may
 * take to notice a dead HTTP/2 connection (pkg/controller/nodelifecycle/node_lifecycle_controller.go,
 * the comment on nodeMonitorGracePeriod). One sync of one node, with the informers' caches filled by
 * hand and a recording client.
 */
import { describe, expect, test } from 'vitest';
import type { KubeClient } from '#engine/client/client.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import type { ControllersExercises } from '#engine/controllers/exercises.ts';
import { SharedInformerFactory } from '#engine/controllers/informers.ts';
import { newNodeLifecycleController } from '#engine/controllers/node-lifecycle-controller.ts';
import { ManualClock } from '#engine/etcd/clock.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Lease, Node } from '#engine/kube/types.ts';
import { NOW, Recorder, lease, node } from '../grading/controllers/make.ts';

const controllers = await loadComponent('controllers');
const objects = await loadComponent('objects');

/** What one sync of node n1 writes, its Ready heartbeat 400 s old and its Lease renewed `leaseAgeS` ago. */
async function syncWithDefaults(leaseAgeS: number): Promise<string[]> {
  // Never started: the test fills the caches itself, so the client is never called.
  const informers = new SharedInformerFactory({} as KubeClient);
  informers.forResource<Node>('nodes').indexer.upsert(node('n1', { heartbeatAgo: 400 }));
  informers.forResource<Lease>('leases').indexer.upsert(lease('n1', leaseAgeS));
  const recorder = new Recorder();
  let synced!: () => void;
  const done = new Promise<void>((resolve) => (synced = resolve));
  const counted: ControllersExercises = {
    ...controllers,
    syncNode: async (key, ctx) => {
      try {
        return await controllers.syncNode(key, ctx);
      } finally {
        synced();
      }
    },
  };
  const lifecycle = newNodeLifecycleController({ controllers: counted, objects, informers, client: recorder, clock: new ManualClock(NOW), logger: silentLogger, workers: 1 });
  lifecycle.workers.enqueue('n1');
  lifecycle.workers.start();
  await done;
  await lifecycle.workers.stop();
  return recorder.actions;
}

describe('the default --node-monitor-grace-period is 50 s, as in 1.32', () => {
  test('a Lease renewed 45 s ago: in time (it was late with the 40 s of 1.31)', async () => {
    expect(await syncWithDefaults(45)).toEqual([]);
  });

  test('a Lease renewed 51 s ago: late, so the node is written Unknown and tainted', async () => {
    expect(await syncWithDefaults(51)).toEqual(['update node n1 status', 'update node n1 taints=[node.kubernetes.io/unreachable:NoSchedule, node.kubernetes.io/unreachable:NoExecute]']);
  });
});
