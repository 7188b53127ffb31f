/**
 * Hidden suite for 04-controllers/06-node-lifecycle: a node's health from its Lease and heartbeat
 * (the grace period, to the millisecond), the taints of each Ready status, when the taint manager
 * evicts a pod (tolerationSeconds from the taint's timeAdded, the first matching toleration, for
 * ever without seconds), and whole syncs with a recording client. After upstream's
 * pkg/controller/nodelifecycle/node_lifecycle_controller_test.go (TestMonitorNodeHealthUpdateStatus,
 * TestMonitorNodeHealthUpdateNodeAndPodStatusWithLease, TestApplyNoExecuteTaints,
 * TestSwapUnreachableNotReadyTaints, TestTaintsNodeByCondition) and
 * pkg/controller/tainteviction/taint_eviction_test.go (TestGetMinTolerationTime, TestUpdateNode).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Condition, Node } from '#engine/kube/types.ts';
import type { Taint } from '#engine/scheduler/types.ts';
import { hint, show } from '#grading';
import { DEFAULT_TOLERATIONS, GRACE_MS, NOW, Recorder, ago, forbidden, lease, node, nodeContext, notFound, podOn } from './make.ts';

const c = await loadComponent('controllers');
const byType = (conds: Condition[]) => Object.fromEntries(conds.map((x) => [x.type, `${x.status} ${x.reason}`]));
const unreachable = (addedAgo: number): Taint[] => [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: ago(addedAgo) },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: ago(addedAgo) },
];
const unknownNode = (name: string, taints: Taint[]): Node => {
  const n = node(name, { heartbeatAgo: 400, taints });
  n.status!.conditions = n.status!.conditions!.map((x) => ({ ...x, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }));
  return n;
};

describe('node health (tryUpdateNodeHealth)', () => {
  test('a Lease renewed within the grace period: the conditions come back unchanged', hint('Compare now with the last heartbeat + the grace period'), () => {
    const n = node('n1', { heartbeatAgo: 60 });
    expect(c.nodeHealth(n, lease('n1', 10), NOW, GRACE_MS), 'Ready heartbeat 60 s ago, Lease renewed 10 s ago, grace 50 s').toEqual(n.status!.conditions);
  });

  test('exactly the grace period since the last heartbeat is still in time; a millisecond more is not', hint('Upstream: now.After(probe + grace): strictly later'), () => {
    const n = node('n1', { heartbeatAgo: 100 });
    expect(byType(c.nodeHealth(n, lease('n1', 50), NOW, GRACE_MS)).Ready, 'Lease renewed exactly 50 s ago').toBe('True KubeletReady');
    expect(byType(c.nodeHealth(n, lease('n1', 50), NOW + 1, GRACE_MS)).Ready, 'Lease renewed 50 s and 1 ms ago').toBe('Unknown NodeStatusUnknown');
  });

  test('the later of the Lease renewal and the Ready heartbeat counts', hint('Either sign of life will do: take the latest of the two'), () => {
    const n = node('n1', { heartbeatAgo: 5 });
    expect(byType(c.nodeHealth(n, lease('n1', 500), NOW, GRACE_MS)).Ready, 'Ready heartbeat 5 s ago, Lease renewed 500 s ago').toBe('True KubeletReady');
  });

  test(
    "past the grace period: Ready and the three pressures become Unknown with upstream's reason and message; other conditions are left alone",
    hint('NodeStatusUnknown, "Kubelet stopped posting node status.", lastTransitionTime now'),
    () => {
      const n = node('n1', { heartbeatAgo: 100 });
      n.status!.conditions!.push({ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'ok', lastTransitionTime: ago(3600) });
      const got = c.nodeHealth(n, lease('n1', 100), NOW, GRACE_MS);
      expect(byType(got), 'conditions 100 s after the last heartbeat').toEqual({
        MemoryPressure: 'Unknown NodeStatusUnknown',
        DiskPressure: 'Unknown NodeStatusUnknown',
        PIDPressure: 'Unknown NodeStatusUnknown',
        Ready: 'Unknown NodeStatusUnknown',
        NetworkUnavailable: 'False RouteCreated',
      });
      const ready = got.find((x) => x.type === 'Ready')!;
      expect(show({ message: ready.message, lastTransitionTime: ready.lastTransitionTime, lastHeartbeatTime: ready.lastHeartbeatTime }), 'the Ready condition').toBe(
        show({ message: 'Kubelet stopped posting node status.', lastTransitionTime: ago(0), lastHeartbeatTime: ago(100) }),
      );
      expect(n.status!.conditions![3]!.status, 'the node passed in (must not be modified)').toBe('True');
    },
  );

  test('a condition already Unknown keeps its times; a missing one is added as NodeStatusNeverUpdated', () => {
    const n = node('n1', { heartbeatAgo: 100 });
    n.status!.conditions = [
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: ago(100), lastTransitionTime: ago(50) },
    ];
    const got = c.nodeHealth(n, undefined, NOW, GRACE_MS);
    expect(got.find((x) => x.type === 'Ready')?.lastTransitionTime, "Ready's lastTransitionTime").toBe(ago(50));
    expect(
      got.find((x) => x.type === 'MemoryPressure'),
      'the MemoryPressure condition',
    ).toEqual({
      type: 'MemoryPressure',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: n.metadata.creationTimestamp,
      lastTransitionTime: ago(0),
    });
  });

  test('no heartbeat at all: the node counts from its creation', () => {
    const young = node('n1', { createdAgo: 10, conditions: [] });
    expect(c.nodeHealth(young, undefined, NOW, GRACE_MS), 'a node created 10 s ago that never reported').toEqual([]);
    const old = node('n2', { createdAgo: 100, conditions: [] });
    expect(byType(c.nodeHealth(old, undefined, NOW, GRACE_MS)).Ready, 'one created 100 s ago').toBe('Unknown NodeStatusNeverUpdated');
  });

  test("the Ready condition's heartbeat counts, not another condition's", hint('Find the condition of type Ready: it is not always the first'), () => {
    // tryUpdateNodeHealth reads the Ready condition (currentReadyCondition) and the Lease.
    const n = node('n1', { heartbeatAgo: 5 });
    n.status!.conditions = n.status!.conditions!.map((x) => (x.type === 'Ready' ? x : { ...x, lastHeartbeatTime: ago(500) }));
    expect(byType(c.nodeHealth(n, undefined, NOW, GRACE_MS)).Ready, 'Ready heartbeat 5 s ago, the pressures 500 s ago, no Lease').toBe('True KubeletReady');
  });

  test('a node with no status at all (created by hand, no kubelet) counts from its creation', hint('node.status may be missing: read it with ?.'), () => {
    const bare: Node = { ...node('n1', { createdAgo: 100 }), status: undefined };
    expect(byType(c.nodeHealth(bare, undefined, NOW, GRACE_MS)), 'a node created 100 s ago without a status').toEqual({
      MemoryPressure: 'Unknown NodeStatusNeverUpdated',
      DiskPressure: 'Unknown NodeStatusNeverUpdated',
      PIDPressure: 'Unknown NodeStatusNeverUpdated',
      Ready: 'Unknown NodeStatusNeverUpdated',
    });
  });
});

describe('the taints of a Ready condition', () => {
  test(
    'Unknown: unreachable, NoSchedule and NoExecute; False: not-ready; True: none',
    hint('node.kubernetes.io/unreachable for Unknown, node.kubernetes.io/not-ready for False; timeAdded = now'),
    () => {
      const cond = (status: 'True' | 'False' | 'Unknown'): Condition => ({ type: 'Ready', status });
      expect(c.taintsForReadiness(cond('Unknown'), NOW), 'Ready Unknown').toEqual(unreachable(0));
      expect(c.taintsForReadiness(cond('False'), NOW), 'Ready False').toEqual([
        { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: ago(0) },
        { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: ago(0) },
      ]);
      expect(c.taintsForReadiness(cond('True'), NOW), 'Ready True').toEqual([]);
    },
  );
});

describe('when a pod is evicted (the taint manager)', () => {
  test('a NoExecute taint the pod does not tolerate: now; NoSchedule taints do not evict', hint('No matching toleration: evict at once'), () => {
    const p = podOn('a', 'n1');
    expect(c.evictionTime(p, unreachable(10), NOW), 'no tolerations, unreachable NoExecute').toBe(NOW);
    expect(c.evictionTime(p, [unreachable(10)[0]!], NOW), 'only the NoSchedule taint').toBeUndefined();
  });

  test("tolerationSeconds count from the taint's timeAdded, not from now", hint('The pod may stay until timeAdded + tolerationSeconds'), () => {
    const p = podOn('a', 'n1', DEFAULT_TOLERATIONS);
    expect(c.evictionTime(p, unreachable(100), NOW), 'tolerated for 300 s, tainted 100 s ago').toBe(NOW + 200_000);
    expect(c.evictionTime(p, unreachable(301), NOW), 'tolerated for 300 s, tainted 301 s ago').toBe(NOW - 1_000);
  });

  test('without tolerationSeconds a toleration lasts for ever; 0 or less means at once', () => {
    expect(c.evictionTime(podOn('a', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]), unreachable(1000), NOW), 'tolerated with no seconds').toBeUndefined();
    expect(
      c.evictionTime(podOn('b', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -5 }]), unreachable(10), NOW),
      'tolerationSeconds -5',
    ).toBe(NOW - 10_000);
  });

  test(
    'the earliest taint decides; for each taint the first toleration that matches is the one that counts',
    hint('GetMatchingTolerations takes the first toleration that tolerates each taint'),
    () => {
      const both: Taint[] = [...unreachable(10), { key: 'example.com/drain', effect: 'NoExecute', timeAdded: ago(0) }];
      const p = podOn('a', 'n1', [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
        { key: 'example.com/drain', operator: 'Exists', tolerationSeconds: 20 },
      ]);
      expect(c.evictionTime(p, both, NOW), 'unreachable tolerated 60 s (tainted 10 s ago), drain tolerated 20 s (just now)').toBe(NOW + 20_000);
      const first = podOn('b', 'n1', [{ operator: 'Exists' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
      expect(c.evictionTime(first, unreachable(10), NOW), 'an Exists-everything toleration listed first').toBeUndefined();
    },
  );

  test('the earliest eviction wins whatever the order of the taints', hint('Keep the minimum over every NoExecute taint, not the last one seen'), () => {
    // getMinTolerationTime (taint_eviction.go): the smallest tolerationSeconds over the matching tolerations.
    const both: Taint[] = [{ key: 'example.com/drain', effect: 'NoExecute', timeAdded: ago(0) }, ...unreachable(10)];
    const p = podOn('a', 'n1', [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
      { key: 'example.com/drain', operator: 'Exists', tolerationSeconds: 20 },
    ]);
    expect(c.evictionTime(p, both, NOW), 'drain tolerated 20 s (just now), then unreachable tolerated 60 s (tainted 10 s ago)').toBe(NOW + 20_000);
  });
});

describe('syncNode, one sync at a time (recorded actions)', () => {
  test('a healthy node: nothing is written', async () => {
    const { ctx, recorder } = nodeContext({ nodes: [node('n1')], leases: [lease('n1', 3)], pods: [podOn('a', 'n1', DEFAULT_TOLERATIONS)] });
    expect(show(await c.syncNode('n1', ctx)), 'what syncNode returned').toBe(show({}));
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test(
    'heartbeats stopped: Ready Unknown written, NodeNotReady recorded, unreachable taints added, pods marked not ready; the 300 s tolerations wait',
    hint('Status, then taints, then pods; return when to look again for the first eviction'),
    async () => {
      const pods = [podOn('a', 'n1', DEFAULT_TOLERATIONS), podOn('b', 'n1', DEFAULT_TOLERATIONS), podOn('elsewhere', 'n2', DEFAULT_TOLERATIONS)];
      const { ctx, recorder } = nodeContext({ nodes: [node('n1', { heartbeatAgo: 60 }), node('n2')], leases: [lease('n1', 60), lease('n2', 1)], pods });
      const result = await c.syncNode('n1', ctx);
      expect(show(recorder.actions), 'actions').toBe(
        show([
          'update node n1 status',
          'update node n1 taints=[node.kubernetes.io/unreachable:NoSchedule, node.kubernetes.io/unreachable:NoExecute]',
          'mark pod default/a not ready',
          'mark pod default/b not ready',
        ]),
      );
      expect(show(recorder.events), 'events').toBe(show(['Normal NodeNotReady Node n1 status is now: NodeNotReady']));
      expect(show(result), 'what syncNode returned').toBe(show({ requeueAfterMs: 300_000 }));
    },
  );

  test(
    'a taint already there keeps its timeAdded: 301 s after it, a pod tolerating 300 s is evicted',
    hint("Writing the taint again with a new timeAdded would restart every pod's clock"),
    async () => {
      const n = unknownNode('n1', unreachable(301));
      const { ctx, recorder } = nodeContext({ nodes: [n], pods: [podOn('a', 'n1', DEFAULT_TOLERATIONS, { ready: false })] });
      await c.syncNode('n1', ctx);
      expect(show(recorder.actions), 'actions').toBe(show(['evict pod default/a']));
    },
  );

  test('on a tainted node: a pod that tolerates nothing is evicted at once, one tolerating for ever stays, one being deleted is left alone', async () => {
    const n = unknownNode('n1', unreachable(5));
    const forever = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const }];
    const pods = [podOn('bare', 'n1', [], { ready: false }), podOn('daemon', 'n1', forever, { ready: false }), podOn('leaving', 'n1', [], { ready: false, deleting: true })];
    const { ctx, recorder } = nodeContext({ nodes: [n], pods });
    expect(show(await c.syncNode('n1', ctx)), 'what syncNode returned').toBe(show({}));
    expect(show(recorder.actions), 'actions').toBe(show(['evict pod default/bare']));
  });

  test('the node is back (Lease renewed, Ready True): our taints go, the others stay', hint('Keep every taint that is not node.kubernetes.io/not-ready or unreachable'), async () => {
    const cordon: Taint = { key: 'example.com/maintenance', effect: 'NoSchedule' };
    const { ctx, recorder } = nodeContext({ nodes: [node('n1', { taints: [cordon, ...unreachable(30)] })], leases: [lease('n1', 2)] });
    await c.syncNode('n1', ctx);
    expect(show(recorder.actions), 'actions').toBe(show(['update node n1 taints=[example.com/maintenance:NoSchedule]']));
  });

  test('the kubelet reports Ready False: the not-ready taints replace unreachable', async () => {
    const { ctx, recorder } = nodeContext({ nodes: [node('n1', { ready: 'False', taints: unreachable(30) })], leases: [lease('n1', 2)] });
    await c.syncNode('n1', ctx);
    expect(recorder.actions[0], 'first action').toBe('update node n1 taints=[node.kubernetes.io/not-ready:NoSchedule, node.kubernetes.io/not-ready:NoExecute]');
    expect(
      recorder.taints[0]?.map((t) => t.timeAdded),
      'timeAdded of the new taints',
    ).toEqual([ago(0), ago(0)]);
  });

  test('a young node that has not reported yet (no conditions, or no status): nothing is written', hint('No Ready condition yet: no taints; read node.status?.conditions?'), async () => {
    const noConditions: Node = { ...node('n1', { createdAgo: 10 }), status: {} };
    const noStatus: Node = { ...node('n2', { createdAgo: 10 }), status: undefined };
    const { ctx, recorder } = nodeContext({ nodes: [noConditions, noStatus] });
    await c.syncNode('n1', ctx);
    await c.syncNode('n2', ctx);
    expect(recorder.actions, 'actions for two nodes created 10 s ago that never reported').toEqual([]);
  });

  test(
    'a node that never reported, past the grace period: its Unknown conditions are written and it is tainted, but no NodeNotReady (it never was Ready)',
    hint('NodeNotReady only when Ready goes from True to something else'),
    async () => {
      const silent: Node = { ...node('n1', { createdAgo: 100 }), status: {} };
      const { ctx, recorder } = nodeContext({ nodes: [silent] });
      await c.syncNode('n1', ctx);
      expect(show(recorder.actions), 'actions').toBe(show(['update node n1 status', 'update node n1 taints=[node.kubernetes.io/unreachable:NoSchedule, node.kubernetes.io/unreachable:NoExecute]']));
      expect(byType(((recorder.statuses[0] as Node['status'])?.conditions ?? []) as Condition[]).Ready, 'the Ready condition in the status written').toBe('Unknown NodeStatusNeverUpdated');
      expect(recorder.events, 'events').toEqual([]);
    },
  );

  test("syncNode reads the node's Lease in kube-node-lease: a renewed Lease keeps an old heartbeat node healthy", hint('ctx.leases key: kube-node-lease/<node name>'), async () => {
    const { ctx, recorder } = nodeContext({ nodes: [node('n1', { heartbeatAgo: 100 })], leases: [lease('n1', 2)] });
    await c.syncNode('n1', ctx);
    expect(recorder.actions, 'actions for a node whose Ready heartbeat is 100 s old, Lease renewed 2 s ago').toEqual([]);
  });

  test('Ready True again: the not-ready taints go too', async () => {
    const notReady: Taint[] = [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: ago(30) },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: ago(30) },
    ];
    const { ctx, recorder } = nodeContext({ nodes: [node('n1', { taints: notReady })], leases: [lease('n1', 2)] });
    await c.syncNode('n1', ctx);
    expect(show(recorder.actions), 'actions').toBe(show(['update node n1 taints=[]']));
  });

  test('only the NoSchedule half of the taints there: the NoExecute one is added, the other keeps its timeAdded', hint('A taint is the same only with the same key AND effect'), async () => {
    const n = unknownNode('n1', [unreachable(30)[0]!]);
    const { ctx, recorder } = nodeContext({ nodes: [n] });
    await c.syncNode('n1', ctx);
    expect(show(recorder.taints[0]?.map((t) => `${t.key}:${t.effect} ${t.timeAdded}`)), 'the taints written').toBe(
      show([`node.kubernetes.io/unreachable:NoSchedule ${ago(30)}`, `node.kubernetes.io/unreachable:NoExecute ${ago(0)}`]),
    );
  });

  test('several pods waiting: look again at the earliest eviction; a pod tolerating for ever adds nothing', hint('requeueAfterMs = the earliest eviction time of all the pods - now'), async () => {
    const n = unknownNode('n1', unreachable(0));
    const tolerating = (name: string, seconds?: number) =>
      podOn(name, 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds === undefined ? {} : { tolerationSeconds: seconds }) }], { ready: false });
    const { ctx } = nodeContext({ nodes: [n], pods: [tolerating('short', 60), tolerating('long', 300), tolerating('forever')] });
    expect(show(await c.syncNode('n1', ctx)), 'pods tolerating the new unreachable taint 60 s, 300 s and for ever').toBe(show({ requeueAfterMs: 60_000 }));
  });

  test('a pod already not Ready, or not reporting conditions yet, is not marked again', hint('Find the Ready condition by type; mark only a pod whose Ready is not already False'), async () => {
    // MarkPodsNotReady (pkg/controller/util/node): UpdatePodCondition reports no change for a pod already not ready.
    const n = unknownNode('n1', unreachable(0));
    const sick = podOn('sick', 'n1', DEFAULT_TOLERATIONS);
    sick.status!.conditions = [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False' },
    ];
    const fresh = podOn('fresh', 'n1', DEFAULT_TOLERATIONS);
    fresh.status = { phase: 'Pending' };
    const { ctx, recorder } = nodeContext({ nodes: [n], pods: [sick, fresh] });
    await c.syncNode('n1', ctx);
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test('an eviction of a pod already gone (NotFound) is fine; another error fails the sync', hint('evictPod: NotFound is fine, anything else is thrown (the queue retries)'), async () => {
    const n = unknownNode('n1', unreachable(5));
    const bare = podOn('bare', 'n1', [], { ready: false });
    const gone = nodeContext({ nodes: [n], pods: [bare] }, new Recorder(() => notFound('pods "bare"')));
    expect(show(await c.syncNode('n1', gone.ctx)), 'syncNode when the pod is already gone').toBe(show({}));
    const refused = nodeContext({ nodes: [n], pods: [bare] }, new Recorder(() => forbidden('pods "bare" is forbidden')));
    await expect(c.syncNode('n1', refused.ctx), 'syncNode when the eviction is refused (403)').rejects.toThrow('pods "bare" is forbidden');
  });

  test('a node gone from the cache: nothing happens', async () => {
    const { ctx, recorder } = nodeContext({});
    expect(show(await c.syncNode('gone', ctx)), 'syncNode("gone")').toBe(show({}));
    expect(recorder.actions, 'actions').toEqual([]);
  });
});
