/**
 * Hidden suite for 04-controllers/07-daemonset-statefulset. DaemonSets: which nodes run a daemon
 * pod (selectors, taints, the tolerations daemon pods get), one pod per node pinned by affinity,
 * nodes coming and going, the rolling update and the status. StatefulSets: the plan of one sync
 * (OrderedReady and Parallel, scale down from the top, roll out from the top down to the
 * partition, OnDelete) and whole syncs with revisions. After upstream's
 * pkg/controller/daemon/daemon_controller_test.go (TestSimpleDaemonSetLaunchesPods,
 * TestNodeShouldRunDaemonPod, TestTaintedNodeDaemonDoesNotLaunchIntolerantPods,
 * TestNodeDaemonLaunchesToleratePods, TestDeleteUnscheduledPodForNotExistingNode,
 * TestDaemonSetRespectsTermination), update_test.go (TestDaemonSetUpdatesPods) and
 * pkg/controller/statefulset/stateful_set_control_test.go (ScalesUp, ScalesDown,
 * ReplacesPods, TestStatefulSetControlRollingUpdateWithPartition, TestStatefulSetControlOnDeleteUpdate,
 * Parallel*).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { ControllerRevision, DaemonSetStatus, Pod, StatefulSet, StatefulSetStatus } from '#engine/kube/types.ts';
import { newRevision } from '#engine/controllers/statefulset-util.ts';
import type { Toleration } from '#engine/scheduler/types.ts';
import { hint, show } from '#grading';
import { daemonContext, daemonPod, daemonSet, node, statefulContext, statefulPod, statefulSet } from './make.ts';

const c = await loadComponent('controllers');

const pinnedTo = (p: Pod) =>
  (p.spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: { matchFields?: { values?: string[] }[] }[] } } } | undefined)?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
const run = (r: { shouldRun: boolean; shouldContinueRunning: boolean }) => `${r.shouldRun ? 'run' : 'no'}/${r.shouldContinueRunning ? 'keep' : 'remove'}`;

describe('which nodes run a daemon pod (NodeShouldRunDaemonPod)', () => {
  const ds = daemonSet('agent');

  test('a node that fits: run a pod there, and keep it', () => {
    expect(run(c.nodeShouldRunDaemonPod(node('n1'), ds)), 'a plain node').toBe('run/keep');
  });

  test(
    'a nodeSelector that does not match, or a template naming another node: neither',
    hint("nodeSelector and required node affinity are checked with the scheduler's NodeAffinity (fitsNodeAffinity)"),
    () => {
      const ssd = daemonSet('agent', { nodeSelector: { disk: 'ssd' } });
      expect(run(c.nodeShouldRunDaemonPod(node('n1'), ssd)), 'nodeSelector disk=ssd, a node without that label').toBe('no/remove');
      expect(run(c.nodeShouldRunDaemonPod(node('n2', { labels: { disk: 'ssd' } }), ssd)), 'nodeSelector disk=ssd, a node with it').toBe('run/keep');
      const pinned = daemonSet('agent');
      pinned.spec.template.spec.nodeName = 'n9';
      expect(run(c.nodeShouldRunDaemonPod(node('n1'), pinned)), 'a template with spec.nodeName n9, node n1').toBe('no/remove');
    },
  );

  test('an untolerated NoSchedule taint: no new pod, but one already there stays; an untolerated NoExecute taint: neither', hint('shouldContinueRunning looks only at NoExecute taints'), () => {
    expect(run(c.nodeShouldRunDaemonPod(node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), ds)), 'taint dedicated=db:NoSchedule').toBe('no/keep');
    expect(run(c.nodeShouldRunDaemonPod(node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }), ds)), 'taint dedicated=db:NoExecute').toBe('no/remove');
  });

  test(
    'daemon pods tolerate sick nodes: unreachable, not-ready, disk pressure, unschedulable',
    hint('Check the taints against daemonPodFor(ds, node): the template plus the DaemonSet tolerations'),
    () => {
      const sick = node('n1', {
        taints: [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
        ],
      });
      expect(run(c.nodeShouldRunDaemonPod(sick, ds)), 'a node unreachable, not ready, under disk pressure and cordoned').toBe('run/keep');
    },
  );

  test('network-unavailable is tolerated only by hostNetwork daemon pods', () => {
    const noNetwork = node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
    expect(run(c.nodeShouldRunDaemonPod(noNetwork, ds)), 'an ordinary DaemonSet').toBe('no/keep');
    expect(run(c.nodeShouldRunDaemonPod(noNetwork, daemonSet('cni', { hostNetwork: true }))), 'a hostNetwork DaemonSet').toBe('run/keep');
  });
});

describe('syncDaemonSet, one sync at a time (recorded actions)', () => {
  const ds = daemonSet('agent');
  const hash = () => c.computeHash(ds.spec.template);
  const nodes = () => [node('n1'), node('n2'), node('n3')];

  test(
    'three nodes, no pods: three pods, each pinned to its node by affinity, with the daemon tolerations and the revision hash',
    hint('podFromTemplate(daemonPodTemplate(ds, hash), ...) with affinity pinToNode(..., node)'),
    async () => {
      const { ctx, recorder, expectations } = daemonContext({ daemonSets: [ds], nodes: nodes() });
      await c.syncDaemonSet('default/agent', ctx);
      const created = recorder.created as Pod[];
      expect(show(created.map(pinnedTo).sort()), 'the nodes the new pods are pinned to').toBe(show(['n1', 'n2', 'n3']));
      expect(created[0]?.spec.nodeName, 'spec.nodeName of a new pod (the scheduler binds it)').toBeUndefined();
      expect(created[0]?.metadata.labels?.['controller-revision-hash'], 'its controller-revision-hash label').toBe(hash());
      expect(
        (created[0]?.spec.tolerations as Toleration[] | undefined)?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.operator === 'Exists' && t.tolerationSeconds === undefined),
        'it tolerates unreachable for ever',
      ).toBe(true);
      expect(show(expectations.pending('default/agent')), 'expectations').toBe(show({ add: 3, del: 0 }));
    },
  );

  test('a pod created but not bound yet counts for the node it is pinned to: nothing more is created', hint('targetNodeOf(pod): spec.nodeName, or the node its affinity names'), async () => {
    const pods = [daemonPod('agent-a', ds, 'n1', hash()), daemonPod('agent-b', ds, 'n2', hash(), { unbound: true }), daemonPod('agent-c', ds, 'n3', hash())];
    const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: nodes(), pods });
    await c.syncDaemonSet('default/agent', ctx);
    expect(
      recorder.actions.filter((a) => a.startsWith('create')),
      'creates',
    ).toEqual([]);
  });

  test(
    'a node that stops fitting loses its pod; a pod pinned to a node that left, not yet bound, is deleted',
    hint('Nodes that must not run it: delete; unbound pods for nodes that are gone: delete'),
    async () => {
      const picky = daemonSet('agent', { nodeSelector: { role: 'edge' } });
      const h = c.computeHash(picky.spec.template);
      const pods = [daemonPod('agent-a', picky, 'n1', h), daemonPod('agent-b', picky, 'n2', h), daemonPod('agent-gone', picky, 'n9', h, { unbound: true })];
      const { ctx, recorder } = daemonContext({ daemonSets: [picky], nodes: [node('n1', { labels: { role: 'edge' } }), node('n2', { labels: { role: 'core' } })], pods });
      await c.syncDaemonSet('default/agent', ctx);
      expect(show(recorder.actions.filter((a) => a.startsWith('delete')).sort()), 'deletes').toBe(show(['delete pod default/agent-b', 'delete pod default/agent-gone']));
    },
  );

  test(
    'two pods on one node: the younger goes; a Failed pod is deleted; a node whose pod is terminating gets none yet',
    hint('Keep the oldest running pod; a terminating pod still occupies its node'),
    async () => {
      const pods = [
        daemonPod('agent-old', ds, 'n1', hash(), { age: 600 }),
        daemonPod('agent-young', ds, 'n1', hash(), { age: 10 }),
        daemonPod('agent-failed', ds, 'n2', hash(), { phase: 'Failed' }),
        daemonPod('agent-leaving', ds, 'n3', hash(), { deleting: true }),
      ];
      const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: nodes(), pods });
      await c.syncDaemonSet('default/agent', ctx);
      expect(show(recorder.actions.filter((a) => a !== 'update daemonset default/agent status').sort()), 'actions').toBe(show(['delete pod default/agent-failed', 'delete pod default/agent-young']));
    },
  );

  test(
    'the status: desired, current, ready, available, updated, misscheduled, unavailable, observedGeneration',
    hint('Count per node: should it run one, has it one, is its oldest pod ready and updated'),
    async () => {
      const picky = daemonSet('agent', { nodeSelector: { role: 'edge' }, generation: 3 });
      const h = c.computeHash(picky.spec.template);
      const edge = (n: string) => node(n, { labels: { role: 'edge' } });
      const pods = [daemonPod('a', picky, 'n1', h), daemonPod('b', picky, 'n2', 'oldhash'), daemonPod('c', picky, 'n3', h, { ready: false }), daemonPod('d', picky, 'n4', h)];
      const { ctx, recorder } = daemonContext({ daemonSets: [picky], nodes: [edge('n1'), edge('n2'), edge('n3'), node('n4'), edge('n5')], pods });
      await c.syncDaemonSet('default/agent', ctx).catch(() => undefined);
      const s = recorder.statuses[0] as DaemonSetStatus;
      expect(
        show({
          desired: s.desiredNumberScheduled,
          current: s.currentNumberScheduled,
          ready: s.numberReady,
          available: s.numberAvailable,
          updated: s.updatedNumberScheduled,
          misscheduled: s.numberMisscheduled,
          unavailable: s.numberUnavailable,
          generation: s.observedGeneration,
        }),
        'n1 ready+new, n2 ready+old, n3 new not ready, n4 does not fit but has one, n5 none yet',
      ).toBe(show({ desired: 4, current: 3, ready: 2, available: 2, updated: 2, misscheduled: 1, unavailable: 2, generation: 3 }));
    },
  );

  test(
    'a new template rolls out one node at a time (maxUnavailable 1), and waits while a new pod is unavailable',
    hint('Count unavailable nodes first; delete old available pods only while below maxUnavailable'),
    async () => {
      const pods = [daemonPod('a', ds, 'n1', 'old'), daemonPod('b', ds, 'n2', 'old'), daemonPod('c', ds, 'n3', 'old')];
      const first = daemonContext({ daemonSets: [ds], nodes: nodes(), pods });
      await c.syncDaemonSet('default/agent', first.ctx);
      expect(show(first.recorder.actions.filter((a) => a.startsWith('delete'))), 'deletes with 3 old pods').toBe(show(['delete pod default/a']));
      const next = [daemonPod('a2', ds, 'n1', hash(), { ready: false }), pods[1]!, pods[2]!];
      const second = daemonContext({ daemonSets: [ds], nodes: nodes(), pods: next });
      await c.syncDaemonSet('default/agent', second.ctx);
      expect(
        second.recorder.actions.filter((a) => a.startsWith('delete')),
        'deletes while the new pod on n1 is not ready',
      ).toEqual([]);
      const wide = daemonSet('agent', { maxUnavailable: '50%' });
      const third = daemonContext({ daemonSets: [wide], nodes: nodes(), pods: pods.map((p) => ({ ...p })) });
      await c.syncDaemonSet('default/agent', third.ctx);
      expect(third.recorder.actions.filter((a) => a.startsWith('delete')).length, 'deletes with maxUnavailable 50% of 3 nodes (rounds up to 2)').toBe(2);
    },
  );

  test('while earlier creates are still expected, only the status is written, keeping observedGeneration', async () => {
    const ds2 = daemonSet('agent', { generation: 2, status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, observedGeneration: 1 } });
    const { ctx, recorder, expectations } = daemonContext({ daemonSets: [ds2], nodes: nodes() });
    expectations.expectCreations('default/agent', 3);
    await c.syncDaemonSet('default/agent', ctx);
    expect(show(recorder.actions), 'actions').toBe(show(['update daemonset default/agent status']));
    expect((recorder.statuses[0] as DaemonSetStatus).observedGeneration, 'observedGeneration written').toBe(1);
  });

  test('a DaemonSet that selects every pod (an empty selector) is refused with a SelectingAll event', async () => {
    const all = daemonSet('agent', { selector: {} });
    const { ctx, recorder } = daemonContext({ daemonSets: [all], nodes: nodes() });
    await c.syncDaemonSet('default/agent', ctx);
    expect(show({ actions: recorder.actions, events: recorder.events }), 'what happened').toBe(
      show({ actions: [], events: ['Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.'] }),
    );
  });
});

describe('the StatefulSet plan (statefulSetActions)', () => {
  const revs = { current: 'web-a', update: 'web-a' };
  const plan = (set: StatefulSet, pods: Pod[], r = revs) =>
    c.statefulSetActions(set, pods, r, Date.parse('2024-01-01T00:10:00Z')).map((a) => (a.action === 'create' ? `create ${a.ordinal} (${a.revision})` : `delete ${a.pod.metadata.name} (${a.reason})`));

  test('OrderedReady: web-0 first, and nothing else in that sync', hint('OrderedReady is monotonic: create the lowest missing ordinal and stop'), () => {
    expect(plan(statefulSet('web'), []), 'a new StatefulSet of 3').toEqual(['create 0 (update)']);
  });

  test(
    'web-1 waits for web-0 to be Running and Ready (OrderedReady); Parallel creates the rest at once',
    hint('Under OrderedReady, an existing pod that is not Running and Ready stops the plan'),
    () => {
      const set = statefulSet('web');
      const notReady = [statefulPod(set, 0, 'web-a', { ready: false })];
      expect(plan(set, notReady), 'OrderedReady, web-0 Running but not Ready').toEqual([]);
      expect(plan(set, [statefulPod(set, 0, 'web-a')]), 'OrderedReady, web-0 Running and Ready').toEqual(['create 1 (update)']);
      expect(plan(statefulSet('web', { policy: 'Parallel' }), notReady), 'Parallel, web-0 not Ready').toEqual(['create 1 (update)', 'create 2 (update)']);
    },
  );

  test(
    'scaling 3 → 1 removes web-2 first, then web-1 once web-2 is gone; Parallel removes both at once',
    hint('Condemned pods go highest ordinal first, one at a time, each waiting for the one before to be gone'),
    () => {
      const set = statefulSet('web', { replicas: 1 });
      const all = [0, 1, 2].map((i) => statefulPod(set, i, 'web-a'));
      expect(plan(set, all), 'OrderedReady, web-0..2 ready, replicas 1').toEqual(['delete web-2 (condemned)']);
      expect(plan(set, [all[0]!, all[1]!, statefulPod(set, 2, 'web-a', { deleting: true })]), 'OrderedReady, web-2 terminating').toEqual([]);
      expect(plan(statefulSet('web', { replicas: 1, policy: 'Parallel' }), all), 'Parallel').toEqual(['delete web-2 (condemned)', 'delete web-1 (condemned)']);
    },
  );

  test('a failed pod is deleted, to be created again', () => {
    const set = statefulSet('web');
    expect(plan(set, [statefulPod(set, 0, 'web-a'), statefulPod(set, 1, 'web-a', { phase: 'Failed' })]), 'web-1 Failed').toEqual(['delete web-1 (finished)']);
  });

  test(
    'a rolling update replaces the highest ordinal first, one at a time, each waiting for the last to be healthy',
    hint('From replicas - 1 down: the first pod not at the update revision is deleted, then stop'),
    () => {
      const set = statefulSet('web');
      const r = { current: 'web-a', update: 'web-b' };
      const old = [0, 1, 2].map((i) => statefulPod(set, i, 'web-a'));
      expect(plan(set, old, r), 'all three at the old revision').toEqual(['delete web-2 (update)']);
      expect(plan(set, [old[0]!, old[1]!, statefulPod(set, 2, 'web-b', { ready: false })], r), 'web-2 updated but not Ready yet').toEqual([]);
      expect(plan(set, [old[0]!, old[1]!, statefulPod(set, 2, 'web-b')], r), 'web-2 updated and Ready').toEqual(['delete web-1 (update)']);
    },
  );

  test('partition 1: web-0 keeps the old revision, and is recreated at it if it goes', hint('Below the partition: not updated, and created at the current revision'), () => {
    const set = statefulSet('web', { partition: 1 });
    const r = { current: 'web-a', update: 'web-b' };
    expect(plan(set, [statefulPod(set, 0, 'web-a'), statefulPod(set, 1, 'web-b'), statefulPod(set, 2, 'web-b')], r), 'web-1 and web-2 updated').toEqual([]);
    expect(plan(set, [statefulPod(set, 1, 'web-b'), statefulPod(set, 2, 'web-b')], r), 'web-0 missing').toEqual(['create 0 (current)']);
  });

  test('OnDelete: pods are only replaced when someone deletes them', () => {
    const set = statefulSet('web', { onDelete: true });
    expect(
      plan(
        set,
        [0, 1, 2].map((i) => statefulPod(set, i, 'web-a')),
        { current: 'web-a', update: 'web-b' },
      ),
      'OnDelete, a new revision',
    ).toEqual([]);
  });

  test('a StatefulSet being deleted: no plan', () => {
    expect(plan(statefulSet('web', { deleting: true }), []), 'a set with a deletionTimestamp').toEqual([]);
  });
});

describe('syncStatefulSet, one sync at a time (recorded actions)', () => {
  test(
    'the first sync: ControllerRevision web-<hash> (revision 1), then web-0 from it, with its identity',
    hint('newRevision(set, 1, computeHash(template)), then statefulSetPod(set, template, 0, its name)'),
    async () => {
      const set = statefulSet('web');
      const hash = c.computeHash(set.spec.template);
      const { ctx, recorder } = statefulContext({ statefulSets: [set] });
      await c.syncStatefulSet('default/web', ctx);
      expect(show(recorder.actions), 'actions').toBe(show([`create controllerrevision default/web-${hash} revision=1`, 'create pod default/web-0', 'update statefulset default/web status']));
      const p = recorder.created.find((o) => o.kind === 'Pod') as Pod;
      expect(
        show({ hostname: p.spec.hostname, subdomain: p.spec.subdomain, podName: p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], revision: p.metadata.labels?.['controller-revision-hash'] }),
        "web-0's identity",
      ).toBe(show({ hostname: 'web-0', subdomain: 'web', podName: 'web-0', revision: `web-${hash}` }));
      expect(show(recorder.lastStatus<StatefulSetStatus>()), 'status written').toBe(
        show({ observedGeneration: 1, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0, currentRevision: `web-${hash}`, updateRevision: `web-${hash}` }),
      );
    },
  );

  test(
    'a template changed back to an older one reuses that revision, numbered after the last',
    hint('An equal older revision is a rollback: update its revision number rather than create another'),
    async () => {
      const v1 = statefulSet('web', { image: 'nginx:1' });
      const v2 = statefulSet('web', { image: 'nginx:2' });
      const r1 = { ...newRevision(v1, 1, 'aaa'), metadata: { ...newRevision(v1, 1, 'aaa').metadata, uid: 'uid-r1' } } as ControllerRevision;
      const r2 = { ...newRevision(v2, 2, 'bbb'), metadata: { ...newRevision(v2, 2, 'bbb').metadata, uid: 'uid-r2' } } as ControllerRevision;
      const back = { ...v1, status: { replicas: 3, currentRevision: 'web-bbb' } };
      const pods = [0, 1, 2].map((i) => statefulPod(back, i, 'web-bbb'));
      const { ctx, recorder } = statefulContext({ statefulSets: [back], pods, revisions: [r1, r2] });
      await c.syncStatefulSet('default/web', ctx);
      expect(recorder.actions.slice(0, 2), 'the first actions').toEqual(['update controllerrevision default/web-aaa revision=3', 'delete pod default/web-2']);
    },
  );

  test('the status counts pods per revision; a finished rollout makes the update revision current', async () => {
    const set = { ...statefulSet('web'), status: { replicas: 3, currentRevision: 'web-old' } };
    const rev = { ...newRevision(set, 2, 'new'), metadata: { ...newRevision(set, 2, 'new').metadata, uid: 'uid-rnew' } } as ControllerRevision;
    const old = { ...newRevision(statefulSet('web', { image: 'nginx:0' }), 1, 'old'), metadata: { ...newRevision(set, 1, 'old').metadata, name: 'web-old', uid: 'uid-rold' } } as ControllerRevision;
    const pods = [0, 1, 2].map((i) => statefulPod(set, i, 'web-new'));
    const { ctx, recorder } = statefulContext({ statefulSets: [set], pods, revisions: [old, rev] });
    await c.syncStatefulSet('default/web', ctx);
    const s = recorder.lastStatus<StatefulSetStatus>();
    expect(
      show({ replicas: s.replicas, ready: s.readyReplicas, current: s.currentReplicas, updated: s.updatedReplicas, currentRevision: s.currentRevision, updateRevision: s.updateRevision }),
      'status with 3 ready pods at the update revision',
    ).toBe(show({ replicas: 3, ready: 3, current: 3, updated: 3, currentRevision: 'web-new', updateRevision: 'web-new' }));
  });

  test("pods named like another set's are not claimed", async () => {
    const set = statefulSet('web', { replicas: 1 });
    const stranger = statefulPod(statefulSet('web-db'), 0, 'x');
    stranger.metadata.ownerReferences = undefined;
    stranger.metadata.labels = { app: 'web' };
    const { ctx, recorder } = statefulContext({ statefulSets: [set], pods: [stranger] });
    await c.syncStatefulSet('default/web', ctx);
    expect(
      recorder.actions.some((a) => a.startsWith('patch')),
      'an orphan named web-db-0 was adopted',
    ).toBe(false);
    expect(recorder.actions.includes('create pod default/web-0'), 'web-0 created').toBe(true);
  });
});
