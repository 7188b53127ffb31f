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
import type { OwnerReference } from '#engine/objects/types.ts';
import { hint, show } from '#grading';
import { ApiError } from '#engine/kube/errors.ts';
import { Recorder, ago, daemonContext, daemonPod, daemonSet, forbidden, node, notFound, statefulContext, statefulPod, statefulSet } from './make.ts';

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

  test('a template naming this very node: run there', hint('Only a template nodeName that is another node rules a node out'), () => {
    const pinned = daemonSet('agent');
    pinned.spec.template.spec.nodeName = 'n1';
    expect(run(c.nodeShouldRunDaemonPod(node('n1'), pinned)), 'a template with spec.nodeName n1, node n1').toBe('run/keep');
  });

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

  test(
    'an orphan daemon pod that matches is adopted (and counts for its node); a pod of ours that no longer matches is released; one gone meanwhile (NotFound) is skipped',
    hint('claimObjects, then patch ownerReferences: add the DaemonSet to an orphan, drop it from a pod that no longer matches'),
    async () => {
      // ClaimPods (pkg/controller/controller_ref_manager.go) in syncDaemonSet's getDaemonPods.
      const orphan = daemonPod('agent-orphan', ds, 'n1', hash());
      orphan.metadata.ownerReferences = undefined;
      const stray = daemonPod('agent-stray', ds, 'n2', hash());
      stray.metadata.labels = { app: 'other' };
      const a = daemonContext({ daemonSets: [ds], nodes: [node('n1'), node('n2')], pods: [orphan, stray] });
      await c.syncDaemonSet('default/agent', a.ctx);
      expect(show(a.recorder.actions.filter((x) => !x.endsWith('status'))), 'actions: an orphan on n1, a relabelled pod of ours on n2').toBe(
        show(['patch pod default/agent-orphan ownerReferences=[DaemonSet/agent (controller)]', 'patch pod default/agent-stray ownerReferences=[]', 'create pod default/agent-']),
      );
      const gone = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [orphan] }, new Recorder((x) => (x.startsWith('patch') ? notFound('pods "agent-orphan"') : undefined)));
      await c.syncDaemonSet('default/agent', gone.ctx);
      expect(show(gone.recorder.actions.filter((x) => !x.endsWith('status'))), 'actions when the orphan is gone before the patch').toBe(
        show(['patch pod default/agent-orphan ownerReferences=[DaemonSet/agent (controller)]', 'create pod default/agent-']),
      );
    },
  );

  test(
    'two pods on one node: a bound pod is kept before an unbound one; of two the same age, the first by name',
    hint('podByCreationTimestampAndPhase: bound first, then the oldest, then by name'),
    async () => {
      const pods = [
        daemonPod('agent-a', ds, 'n1', hash(), { unbound: true, age: 600 }),
        daemonPod('agent-b', ds, 'n1', hash(), { age: 10 }),
        daemonPod('agent-d', ds, 'n2', hash(), { age: 60 }),
        daemonPod('agent-c', ds, 'n2', hash(), { age: 60 }),
      ];
      const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: [node('n1'), node('n2')], pods });
      await c.syncDaemonSet('default/agent', ctx);
      expect(show(recorder.actions.filter((a) => a.startsWith('delete')).sort()), 'deletes').toBe(show(['delete pod default/agent-a', 'delete pod default/agent-d']));
    },
  );

  test(
    'a delete refused fails the sync (after the status) and is no longer expected; one already gone (NotFound) is fine',
    hint('deletionObserved for each failed delete; throw the first error that is not NotFound'),
    async () => {
      const picky = daemonSet('agent', { nodeSelector: { role: 'edge' } });
      const h = c.computeHash(picky.spec.template);
      const pods = [daemonPod('agent-a', picky, 'n1', h), daemonPod('agent-b', picky, 'n2', h)];
      const fail = (a: string) => (a === 'delete pod default/agent-a' ? forbidden('pods "agent-a" is forbidden') : a === 'delete pod default/agent-b' ? notFound('pods "agent-b"') : undefined);
      const { ctx, recorder, expectations } = daemonContext({ daemonSets: [picky], nodes: [node('n1'), node('n2')], pods }, new Recorder(fail));
      const error = await c.syncDaemonSet('default/agent', ctx).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      expect(show({ error, status: recorder.actions.at(-1), pending: expectations.pending('default/agent') }), 'neither node fits any more; deleting agent-a refused, agent-b gone').toBe(
        show({ error: 'pods "agent-a" is forbidden', status: 'update daemonset default/agent status', pending: { add: 0, del: 0 } }),
      );
    },
  );

  test(
    'minReadySeconds: a pod Ready for less is ready but not available, and the sync asks to look again after minReadySeconds; without it, nothing to look again for',
    hint('Return { requeueAfterMs: minReadySeconds * 1000 } while numberReady differs from numberAvailable'),
    async () => {
      const slow = daemonSet('agent');
      slow.spec.minReadySeconds = 30;
      const p = daemonPod('agent-a', slow, 'n1', c.computeHash(slow.spec.template));
      p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: ago(10) }];
      const a = daemonContext({ daemonSets: [slow], nodes: [node('n1')], pods: [p] });
      const result = await c.syncDaemonSet('default/agent', a.ctx);
      const s = a.recorder.lastStatus<DaemonSetStatus>();
      expect(show({ result, ready: s.numberReady, available: s.numberAvailable, unavailable: s.numberUnavailable }), 'minReadySeconds 30, the pod Ready for 10 s').toBe(
        show({ result: { requeueAfterMs: 30_000 }, ready: 1, available: 0, unavailable: 1 }),
      );
      const b = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [daemonPod('agent-a', ds, 'n1', hash())] });
      expect(show(await c.syncDaemonSet('default/agent', b.ctx)), 'no minReadySeconds, the pod Ready').toBe(show({}));
    },
  );

  test('a status already right is not written again', hint('Compare the new status with ds.status field by field; write only a change'), async () => {
    const settled = daemonSet('agent', {
      status: {
        currentNumberScheduled: 1,
        numberMisscheduled: 0,
        desiredNumberScheduled: 1,
        numberReady: 1,
        observedGeneration: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
        numberUnavailable: 0,
      },
    });
    const { ctx, recorder } = daemonContext({ daemonSets: [settled], nodes: [node('n1')], pods: [daemonPod('agent-a', settled, 'n1', c.computeHash(settled.spec.template))] });
    await c.syncDaemonSet('default/agent', ctx);
    expect(recorder.actions, 'actions for a DaemonSet whose one pod is up to date').toEqual([]);
  });

  test('a DaemonSet being deleted does nothing; OnDelete never deletes old pods itself', hint('A deletionTimestamp: return. updateStrategy OnDelete: no rolling update'), async () => {
    const leaving = { ...ds, metadata: { ...ds.metadata, deletionTimestamp: ago(1) } };
    const a = daemonContext({ daemonSets: [leaving], nodes: nodes() });
    await c.syncDaemonSet('default/agent', a.ctx);
    expect(a.recorder.actions, 'actions for a DaemonSet being deleted, no pods yet').toEqual([]);
    const manual = daemonSet('agent', { updateStrategy: 'OnDelete' });
    const old = [daemonPod('a', manual, 'n1', 'old'), daemonPod('b', manual, 'n2', 'old'), daemonPod('c', manual, 'n3', 'old')];
    const b = daemonContext({ daemonSets: [manual], nodes: nodes(), pods: old });
    await c.syncDaemonSet('default/agent', b.ctx);
    expect(
      b.recorder.actions.filter((x) => x.startsWith('delete')),
      'deletes with OnDelete and 3 old pods',
    ).toEqual([]);
  });

  test(
    'rolling update: an old pod that is unavailable is replaced at once; a new pod not yet available, or a node whose pod is terminating, uses up maxUnavailable; maxUnavailable 2 allows two',
    hint('update.go rollingUpdate: count unavailable nodes; old unavailable pods always go; old available ones only within maxUnavailable - unavailable'),
    async () => {
      const deletes = async (d: typeof ds, pods: Pod[], n = nodes()) => {
        const { ctx, recorder } = daemonContext({ daemonSets: [d], nodes: n, pods });
        await c.syncDaemonSet('default/agent', ctx);
        return recorder.actions.filter((a) => !a.endsWith('status'));
      };
      const old = (name: string, n: string, o: Parameters<typeof daemonPod>[4] = {}) => daemonPod(name, ds, n, 'old', o);
      expect(await deletes(ds, [old('a', 'n1', { ready: false }), old('b', 'n2'), old('c', 'n3')]), 'maxUnavailable 1; old pods, the one on n1 not Ready').toEqual([
        'delete pod default/a',
        'delete pod default/b',
      ]);
      expect(await deletes(ds, [daemonPod('a2', ds, 'n1', hash()), old('b', 'n2'), old('c', 'n3')]), 'maxUnavailable 1; n1 updated and available').toEqual(['delete pod default/b']);
      expect(await deletes(ds, [old('a', 'n1', { deleting: true }), old('b', 'n2'), old('c', 'n3')]), 'maxUnavailable 1; the pod on n1 terminating').toEqual([]);
      const two = daemonSet('agent', { maxUnavailable: 2 });
      const mine = (name: string, n: string, h: string, o: Parameters<typeof daemonPod>[4] = {}) => daemonPod(name, two, n, h, o);
      const h2 = c.computeHash(two.spec.template);
      const four = [...nodes(), node('n4')];
      expect(
        await deletes(two, [mine('a', 'n1', h2, { ready: false }), mine('b', 'n2', 'old'), mine('c', 'n3', 'old'), mine('d', 'n4', 'old')], four),
        'maxUnavailable 2; n1 updated but not Ready, three old pods',
      ).toEqual(['delete pod default/b']);
      expect(await deletes(two, [mine('b', 'n2', 'old'), mine('c', 'n3', 'old'), mine('d', 'n4', 'old')], [node('n2'), node('n3'), node('n4')]), 'maxUnavailable 2; three old pods').toEqual([
        'delete pod default/b',
        'delete pod default/c',
      ]);
    },
  );

  test('a percentage of maxUnavailable is of the nodes that should run a pod, rounded up', hint('desired = the nodes where shouldRun; ceil(percent * desired / 100)'), async () => {
    const half = daemonSet('agent', { maxUnavailable: '50%', nodeSelector: { role: 'edge' } });
    const edge = (n: string) => node(n, { labels: { role: 'edge' } });
    const pods = ['n1', 'n2', 'n3'].map((n, i) => daemonPod(`p${i}`, half, n, 'old'));
    const { ctx, recorder } = daemonContext({ daemonSets: [half], nodes: [edge('n1'), edge('n2'), edge('n3'), node('n4'), node('n5')], pods });
    await c.syncDaemonSet('default/agent', ctx);
    expect(recorder.actions.filter((a) => a.startsWith('delete')).length, 'deletes: 50% of 3 edge nodes (of 5 nodes) rounds up to 2').toBe(2);
  });

  test('after creating pods, the rolling update waits for the next sync (expectations satisfied)', hint('Only roll out when ctx.expectations.satisfiedExpectations(key) after manage'), async () => {
    const pods = [daemonPod('b', ds, 'n2', 'old'), daemonPod('c', ds, 'n3', 'old')];
    const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: nodes(), pods });
    await c.syncDaemonSet('default/agent', ctx);
    expect(
      recorder.actions.filter((a) => !a.endsWith('status')),
      'actions: n1 has no pod, n2 and n3 old pods',
    ).toEqual(['create pod default/agent-']);
  });

  test(
    'terminating pods are not deleted again; a pod bound to a node that is gone is left to the pod garbage collector; an unbound pod pinned to a node that exists is kept',
    hint('Skip pods with a deletionTimestamp; for unknown nodes delete only unbound pods'),
    async () => {
      const picky = daemonSet('agent', { nodeSelector: { role: 'edge' } });
      const h = c.computeHash(picky.spec.template);
      const pods = [
        daemonPod('agent-old', picky, 'n1', h, { age: 600, deleting: true }),
        daemonPod('agent-new', picky, 'n1', h, { age: 10 }),
        daemonPod('agent-leaving', picky, 'n2', h, { deleting: true }),
        daemonPod('agent-orphaned', picky, 'n9', h),
        daemonPod('agent-unbound', picky, 'n3', h, { unbound: true }),
      ];
      const edge = (n: string) => node(n, { labels: { role: 'edge' } });
      const { ctx, recorder } = daemonContext({ daemonSets: [picky], nodes: [edge('n1'), node('n2'), edge('n3')], pods });
      await c.syncDaemonSet('default/agent', ctx);
      expect(
        recorder.actions.filter((a) => !a.endsWith('status')),
        'actions: n1 a terminating old pod and a new one; n2 (does not fit) a terminating pod; n9 (gone) a bound pod; n3 an unbound pod',
      ).toEqual([]);
    },
  );

  test(
    "the status counts a terminating pod but not a finished one being deleted, the node's oldest pod, a node that does not fit only if it has a pod; collisionCount is kept",
    hint('Leave out pods that are both finished and being deleted; look at the oldest pod of a node'),
    async () => {
      const picky = daemonSet('agent', { nodeSelector: { role: 'edge' }, status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount: 1 } });
      const h = c.computeHash(picky.spec.template, 1);
      const edge = (n: string) => node(n, { labels: { role: 'edge' } });
      const pods = [
        daemonPod('gone', picky, 'n1', h, { phase: 'Failed', deleting: true }),
        daemonPod('leaving', picky, 'n2', h, { deleting: true }),
        daemonPod('young', picky, 'n3', h, { age: 10, ready: false }),
        daemonPod('old', picky, 'n3', h, { age: 600 }),
      ];
      const { ctx, recorder } = daemonContext({ daemonSets: [picky], nodes: [edge('n1'), edge('n2'), edge('n3'), node('n4')], pods });
      await c.syncDaemonSet('default/agent', ctx).catch(() => undefined);
      const s = recorder.statuses[0] as DaemonSetStatus;
      expect(
        show({ desired: s.desiredNumberScheduled, current: s.currentNumberScheduled, ready: s.numberReady, misscheduled: s.numberMisscheduled, collisionCount: s.collisionCount }),
        'n1 a Failed pod being deleted, n2 a terminating pod, n3 a young not-Ready pod and an old Ready one, n4 (does not fit) none',
      ).toBe(show({ desired: 3, current: 2, ready: 2, misscheduled: 0, collisionCount: 1 }));
    },
  );

  test('a DaemonSet gone from the cache: its expectations are forgotten, nothing is written', async () => {
    const { ctx, recorder, expectations } = daemonContext({});
    expectations.expectCreations('default/gone', 2);
    expect(show(await c.syncDaemonSet('default/gone', ctx)), 'syncDaemonSet("default/gone")').toBe(show({}));
    expect(show({ actions: recorder.actions, pending: expectations.pending('default/gone') ?? null }), 'after the sync').toBe(show({ actions: [], pending: null }));
  });

  test('a selector with only matchExpressions is not empty', hint('Empty means no matchLabels AND no matchExpressions'), async () => {
    const expr = daemonSet('agent', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['agent'] }] } });
    const { ctx, recorder } = daemonContext({ daemonSets: [expr], nodes: [node('n1')] });
    await c.syncDaemonSet('default/agent', ctx);
    expect(show({ creates: recorder.actions.filter((a) => a.startsWith('create')), events: recorder.events }), 'a DaemonSet selecting app In (agent)').toBe(
      show({ creates: ['create pod default/agent-'], events: [] }),
    );
  });

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

  test(
    'scaling down under OrderedReady: an unhealthy condemned pod is deleted only if it is the first unhealthy pod; otherwise wait',
    hint('firstUnhealthy: the lowest replica that is missing or unhealthy, else the lowest unhealthy condemned pod'),
    () => {
      // processCondemned (stateful_set_control.go): `if monotonic && !isHealthy(condemned) && condemned != firstUnhealthyPod` → wait.
      const set = statefulSet('web', { replicas: 1 });
      const up = (i: number) => statefulPod(set, i, 'web-a');
      const down = (i: number) => statefulPod(set, i, 'web-a', { ready: false });
      expect(plan(set, [up(0), up(1), down(2)]), 'replicas 1; web-0, web-1 Ready, web-2 not').toEqual(['delete web-2 (condemned)']);
      expect(plan(set, [up(0), down(1), down(2)]), 'replicas 1; web-0 Ready, web-1 and web-2 not').toEqual([]);
      expect(plan(set, [up(0), down(1), up(2)]), 'replicas 1; web-0, web-2 Ready, web-1 not').toEqual(['delete web-2 (condemned)']);
    },
  );

  test(
    'minReadySeconds: OrderedReady waits until the pod has been Ready that long; a terminating updated pod holds the rollout; a finished pod being deleted is not deleted again',
    hint('available = Running, Ready, and Ready for minReadySeconds; healthy = available and not terminating'),
    () => {
      const slow = statefulSet('web');
      slow.spec.minReadySeconds = 30;
      const young = statefulPod(slow, 0, 'web-a');
      young.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: ago(10) }];
      expect(plan(slow, [young]), 'minReadySeconds 30, web-0 Ready for 10 s').toEqual([]);
      const par = statefulSet('web', { policy: 'Parallel' });
      const r = { current: 'web-a', update: 'web-b' };
      expect(plan(par, [statefulPod(par, 0, 'web-a'), statefulPod(par, 1, 'web-a'), statefulPod(par, 2, 'web-b', { deleting: true })], r), 'Parallel; web-2 updated but terminating').toEqual([]);
      const set = statefulSet('web');
      expect(plan(set, [statefulPod(set, 0, 'web-a'), statefulPod(set, 1, 'web-a', { phase: 'Failed', deleting: true })]), 'web-1 Failed and being deleted').toEqual([]);
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

  test('partition 1: the rollout goes down to web-1 (the partition itself is updated)', hint('Update ordinals from replicas - 1 down to the partition, inclusive'), () => {
    const set = statefulSet('web', { partition: 1 });
    const r = { current: 'web-a', update: 'web-b' };
    expect(plan(set, [statefulPod(set, 0, 'web-a'), statefulPod(set, 1, 'web-a'), statefulPod(set, 2, 'web-b')], r), 'web-2 updated and Ready, web-0 and web-1 old').toEqual(['delete web-1 (update)']);
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

  test(
    'an orphan pod with our name and labels is adopted; a pod of ours that no longer matches is released; one gone meanwhile is skipped',
    hint('Claim the pods named <set>-<ordinal> like a ReplicaSet does: adopt matching orphans, release what no longer matches'),
    async () => {
      const set = statefulSet('web', { replicas: 2 });
      const orphan = statefulPod(set, 0, 'x');
      orphan.metadata.ownerReferences = undefined;
      const stray = statefulPod(set, 1, 'x');
      stray.metadata.labels = { app: 'other' };
      const a = statefulContext({ statefulSets: [set], pods: [orphan, stray] });
      await c.syncStatefulSet('default/web', a.ctx);
      expect(show(a.recorder.actions.filter((x) => x.startsWith('patch'))), 'patches: web-0 an orphan, web-1 ours but relabelled').toBe(
        show(['patch pod default/web-0 ownerReferences=[StatefulSet/web (controller)]', 'patch pod default/web-1 ownerReferences=[]']),
      );
      const gone = statefulContext({ statefulSets: [set], pods: [orphan] }, new Recorder((x) => (x.startsWith('patch') ? notFound('pods "web-0"') : undefined)));
      await c.syncStatefulSet('default/web', gone.ctx);
      expect(gone.recorder.actions.includes('create pod default/web-0'), 'web-0 created again after the orphan was found gone').toBe(true);
    },
  );

  test(
    'the status: ready, available, current and updated per revision (terminating pods not counted as current or updated); collisionCount kept; a rollout not finished keeps currentRevision',
    hint('computeReplicaStatus: every pod counts in replicas; current/updated only when not terminating'),
    async () => {
      const set = { ...statefulSet('web'), status: { replicas: 3, currentRevision: 'web-a', collisionCount: 2 } };
      const rA = { ...newRevision(statefulSet('web', { image: 'nginx:0' }), 1, 'a'), metadata: { ...newRevision(set, 1, 'a').metadata, uid: 'uid-ra' } } as ControllerRevision;
      const rB = { ...newRevision(set, 2, 'b'), metadata: { ...newRevision(set, 2, 'b').metadata, uid: 'uid-rb' } } as ControllerRevision;
      const pods = [statefulPod(set, 0, 'web-a'), statefulPod(set, 1, 'web-b', { ready: false }), statefulPod(set, 2, 'web-b', { deleting: true })];
      const { ctx, recorder } = statefulContext({ statefulSets: [set], pods, revisions: [rB, rA] });
      await c.syncStatefulSet('default/web', ctx);
      const s = recorder.lastStatus<StatefulSetStatus>();
      expect(
        show({
          replicas: s.replicas,
          ready: s.readyReplicas,
          available: s.availableReplicas,
          current: s.currentReplicas,
          updated: s.updatedReplicas,
          currentRevision: s.currentRevision,
          updateRevision: s.updateRevision,
          collisionCount: s.collisionCount,
        }),
        'web-0 at web-a Ready, web-1 at web-b not Ready, web-2 at web-b Ready and terminating',
      ).toBe(show({ replicas: 3, ready: 2, available: 2, current: 1, updated: 1, currentRevision: 'web-a', updateRevision: 'web-b', collisionCount: 2 }));
      expect(
        recorder.actions.filter((x) => x.includes('controllerrevision')),
        'revision writes (web-b is the latest and matches the template)',
      ).toEqual([]);
    },
  );

  test(
    'OnDelete: every pod updated and Ready does not make the update revision current (only RollingUpdate completes a rollout)',
    hint('completeRollingUpdate only for the RollingUpdate strategy'),
    async () => {
      const set = { ...statefulSet('web', { onDelete: true }), status: { replicas: 3, currentRevision: 'web-a' } };
      const rA = { ...newRevision(statefulSet('web', { image: 'nginx:0' }), 1, 'a'), metadata: { ...newRevision(set, 1, 'a').metadata, uid: 'uid-ra' } } as ControllerRevision;
      const rB = { ...newRevision(set, 2, 'b'), metadata: { ...newRevision(set, 2, 'b').metadata, uid: 'uid-rb' } } as ControllerRevision;
      const pods = [0, 1, 2].map((i) => statefulPod(set, i, 'web-b'));
      const { ctx, recorder } = statefulContext({ statefulSets: [set], pods, revisions: [rA, rB] });
      await c.syncStatefulSet('default/web', ctx);
      const s = recorder.lastStatus<StatefulSetStatus>();
      expect(show({ current: s.currentReplicas, updated: s.updatedReplicas, currentRevision: s.currentRevision }), 'OnDelete, 3 Ready pods at web-b, currentRevision web-a').toBe(
        show({ current: 0, updated: 3, currentRevision: 'web-a' }),
      );
    },
  );

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

/** A Recorder that also keeps the owner references each adoption or release patch writes. */
class RefRecorder extends Recorder {
  readonly refs: OwnerReference[][] = [];
  override patchPodOwnerReferences(p: Pod, refs: OwnerReference[]) {
    this.refs.push(structuredClone(refs));
    return super.patchPodOwnerReferences(p, refs);
  }
}
const syncError = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

describe('syncDaemonSet: finished pods, ownership, errors and limits', () => {
  const ds = daemonSet('agent');
  const hash = () => c.computeHash(ds.spec.template);

  test('a Succeeded daemon pod is deleted as a Failed one is', hint('Finished means Failed or Succeeded: both are deleted, to be created again'), async () => {
    // daemon_controller.go podsShouldBeOnNode: "Found succeeded daemon pod ... will try to delete it".
    const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [daemonPod('agent-done', ds, 'n1', hash(), { phase: 'Succeeded' })] });
    await c.syncDaemonSet('default/agent', ctx);
    expect(
      recorder.actions.filter((a) => !a.endsWith('status')),
      'actions: the pod on n1 Succeeded',
    ).toEqual(['delete pod default/agent-done']);
  });

  test(
    'two pods on one node: the older is kept even when its name sorts later; of two the same age, the first by name whatever order the cache lists them in',
    hint('Compare creationTimestamp first, the name only when they are equal'),
    async () => {
      // podByCreationTimestampAndPhase (daemon_controller.go): bound first, then CreationTimestamp, then Name.
      const deletes = async (pods: Pod[]) => {
        const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods });
        await c.syncDaemonSet('default/agent', ctx);
        return recorder.actions.filter((a) => a.startsWith('delete'));
      };
      expect(await deletes([daemonPod('agent-z', ds, 'n1', hash(), { age: 600 }), daemonPod('agent-a', ds, 'n1', hash(), { age: 10 })]), 'agent-z 10 min old, agent-a 10 s old').toEqual([
        'delete pod default/agent-a',
      ]);
      expect(await deletes([daemonPod('agent-c', ds, 'n1', hash(), { age: 60 }), daemonPod('agent-d', ds, 'n1', hash(), { age: 60 })]), 'agent-c and agent-d, the same age, listed c first').toEqual([
        'delete pod default/agent-d',
      ]);
    },
  );

  test(
    "adoption writes a full controller reference (apps/v1 DaemonSet); a new pod is controlled by the DaemonSet; a release keeps the pod's other owners",
    hint("newControllerRef(ds, 'apps/v1', 'DaemonSet'); a release removes only the reference with the DaemonSet's uid"),
    async () => {
      // controller_ref_manager.go AdoptPod / ReleasePod; daemon_controller.go syncNodes (metav1.NewControllerRef(ds, controllerKind)).
      const orphan = daemonPod('agent-orphan', ds, 'n1', hash());
      orphan.metadata.ownerReferences = undefined;
      const stray = daemonPod('agent-stray', ds, 'n2', hash());
      stray.metadata.labels = { app: 'other' };
      stray.metadata.ownerReferences = [...stray.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'uid-keeper' }];
      const recorder = new RefRecorder();
      const { ctx } = daemonContext({ daemonSets: [ds], nodes: [node('n1'), node('n2')], pods: [orphan, stray] }, recorder);
      await c.syncDaemonSet('default/agent', ctx);
      const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true };
      expect(show(recorder.refs), 'the references written: adopting agent-orphan, releasing agent-stray (also owned by ConfigMap keeper)').toBe(
        show([[ref], [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'uid-keeper' }]]),
      );
      expect(show(recorder.created[0]?.metadata.ownerReferences), 'the ownerReferences of the pod created for n2').toBe(show([ref]));
    },
  );

  test(
    'an adoption or release refused (not NotFound) fails the sync; a release that finds the pod gone is fine',
    hint('Only NotFound is ignored when patching ownerReferences; any other error is thrown'),
    async () => {
      // syncDaemonSet → getDaemonPods → ClaimPods returns the patch error; ReleasePod ignores NotFound.
      const orphan = daemonPod('agent-orphan', ds, 'n1', hash());
      orphan.metadata.ownerReferences = undefined;
      const stray = daemonPod('agent-stray', ds, 'n1', hash());
      stray.metadata.labels = { app: 'other' };
      const refuse = (error: Error) => new Recorder((a) => (a.startsWith('patch') ? error : undefined));
      const adopt = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [orphan] }, refuse(forbidden('pods "agent-orphan" is forbidden')));
      const release = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [stray] }, refuse(forbidden('pods "agent-stray" is forbidden')));
      const gone = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [stray] }, refuse(notFound('pods "agent-stray"')));
      expect(
        show({
          adopt: await syncError(c.syncDaemonSet('default/agent', adopt.ctx)),
          release: await syncError(c.syncDaemonSet('default/agent', release.ctx)),
          gone: await syncError(c.syncDaemonSet('default/agent', gone.ctx)),
          goneActions: gone.recorder.actions.filter((a) => !a.endsWith('status')),
        }),
        'the adoption patch Forbidden; the release patch Forbidden; the release patch NotFound',
      ).toBe(
        show({
          adopt: 'pods "agent-orphan" is forbidden',
          release: 'pods "agent-stray" is forbidden',
          gone: 'no error',
          goneActions: ['patch pod default/agent-stray ownerReferences=[]', 'create pod default/agent-'],
        }),
      );
    },
  );

  test('at most burstReplicas creates and burstReplicas deletes in one sync, each expected', hint('Cut both lists to ctx.burstReplicas before setExpectations'), async () => {
    // daemon_controller.go syncNodes: createDiff and deleteDiff are capped at dsc.burstReplicas.
    const up = daemonContext({ daemonSets: [ds], nodes: [node('n1'), node('n2'), node('n3')] });
    up.ctx.burstReplicas = 2;
    await c.syncDaemonSet('default/agent', up.ctx);
    const picky = daemonSet('agent', { nodeSelector: { role: 'edge' } });
    const h = c.computeHash(picky.spec.template);
    const down = daemonContext({ daemonSets: [picky], nodes: [node('n1'), node('n2'), node('n3')], pods: ['n1', 'n2', 'n3'].map((n) => daemonPod(`agent-${n}`, picky, n, h)) });
    down.ctx.burstReplicas = 2;
    await c.syncDaemonSet('default/agent', down.ctx);
    expect(
      show({
        creates: up.recorder.actions.filter((a) => a.startsWith('create')).length,
        expectedUp: up.expectations.pending('default/agent'),
        deletes: down.recorder.actions.filter((a) => a.startsWith('delete')).length,
        expectedDown: down.expectations.pending('default/agent'),
      }),
      'burstReplicas 2: three nodes without a pod; then three pods on nodes that no longer fit',
    ).toBe(show({ creates: 2, expectedUp: { add: 2, del: 0 }, deletes: 2, expectedDown: { add: 0, del: 2 } }));
  });

  test(
    'a refused create stops the slow-start batches, fails the sync, and the creates not made are no longer expected',
    hint('creationObserved for every pod not created (the failed one and those never tried)'),
    async () => {
      // daemon_controller.go syncNodes: "skippedPods := createDiff - (batchSize + pos)" lowers the expectations.
      const { ctx, recorder, expectations } = daemonContext(
        { daemonSets: [ds], nodes: [node('n1'), node('n2'), node('n3')] },
        new Recorder((a) => (a.startsWith('create') ? forbidden('pods is forbidden: quota') : undefined)),
      );
      const error = await syncError(c.syncDaemonSet('default/agent', ctx));
      expect(show({ error, creates: recorder.actions.filter((a) => a.startsWith('create')).length, pending: expectations.pending('default/agent') }), 'three nodes, every create Forbidden').toBe(
        show({ error: 'pods is forbidden: quota', creates: 1, pending: { add: 0, del: 0 } }),
      );
    },
  );

  test('a delete that finds the pod gone (NotFound) alone is no error', hint('Only an error other than NotFound fails the sync'), async () => {
    const picky = daemonSet('agent', { nodeSelector: { role: 'edge' } });
    const { ctx } = daemonContext(
      { daemonSets: [picky], nodes: [node('n1')], pods: [daemonPod('agent-a', picky, 'n1', c.computeHash(picky.spec.template))] },
      new Recorder((a) => (a.startsWith('delete') ? notFound('pods "agent-a"') : undefined)),
    );
    expect(await syncError(c.syncDaemonSet('default/agent', ctx)), 'the one delete answered NotFound').toBe('no error');
  });

  test('a matching pod pinned to no node (no nodeName, no node affinity) is left alone', hint('targetNodeOf(pod) undefined: skip the pod'), async () => {
    // getNodesToDaemonPods: a pod whose GetTargetNodeName fails is logged and skipped.
    const loose = daemonPod('agent-loose', ds, 'n1', hash(), { unbound: true });
    loose.spec.affinity = undefined;
    const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: [node('n1')], pods: [loose, daemonPod('agent-a', ds, 'n1', hash())] });
    await c.syncDaemonSet('default/agent', ctx);
    expect(
      recorder.actions.filter((a) => !a.endsWith('status')),
      'actions: agent-a on n1, agent-loose pinned nowhere',
    ).toEqual([]);
  });

  test('maxUnavailable 0 (with no surge) is taken as 1', hint('A maxUnavailable that resolves to 0 counts as 1, or the rollout would never move'), async () => {
    // update.go updatedDesiredNodeCounts: "not configured for surge or unavailability, defaulting to accepting unavailability".
    const zero = daemonSet('agent', { maxUnavailable: 0 });
    const { ctx, recorder } = daemonContext({ daemonSets: [zero], nodes: [node('n1'), node('n2')], pods: [daemonPod('a', zero, 'n1', 'old'), daemonPod('b', zero, 'n2', 'old')] });
    await c.syncDaemonSet('default/agent', ctx);
    expect(
      recorder.actions.filter((a) => a.startsWith('delete')),
      'deletes: maxUnavailable 0, two old pods',
    ).toEqual(['delete pod default/a']);
  });

  test(
    'rolling update: a node with two old pods, or two new ones, counts as unavailable (pods still bound to a node that left)',
    hint('findUpdatedPodsOnNode: more than one new or more than one old pod on a node → that node is unavailable'),
    async () => {
      // update.go rollingUpdate: findUpdatedPodsOnNode returns !ok for two of a kind → numUnavailable++.
      const deletes = async (extra: Pod[]) => {
        const pods = [daemonPod('a', ds, 'n1', 'old'), daemonPod('b', ds, 'n2', 'old'), ...extra];
        const { ctx, recorder } = daemonContext({ daemonSets: [ds], nodes: [node('n1'), node('n2')], pods });
        await c.syncDaemonSet('default/agent', ctx);
        return recorder.actions.filter((a) => !a.endsWith('status'));
      };
      expect(await deletes([daemonPod('x1', ds, 'n9', 'old'), daemonPod('x2', ds, 'n9', 'old')]), 'n1, n2 one old pod each; n9 (gone) two old pods').toEqual([]);
      expect(await deletes([daemonPod('y1', ds, 'n9', hash()), daemonPod('y2', ds, 'n9', hash())]), 'n1, n2 one old pod each; n9 (gone) two new pods').toEqual([]);
    },
  );

  test('minReadySeconds with every ready pod available already: nothing to look again for', async () => {
    const slow = daemonSet('agent');
    slow.spec.minReadySeconds = 30;
    const { ctx } = daemonContext({ daemonSets: [slow], nodes: [node('n1')], pods: [daemonPod('agent-a', slow, 'n1', c.computeHash(slow.spec.template))] });
    expect(show(await c.syncDaemonSet('default/agent', ctx)), 'minReadySeconds 30, the pod Ready for 60 s').toBe(show({}));
  });
});

describe('statefulSetActions and syncStatefulSet: finished pods, Parallel, revisions, errors and the status', () => {
  const at = Date.parse('2024-01-01T00:10:00Z');
  /** Each action as it is: its action field printed as it stands. */
  const plan = (set: StatefulSet, pods: Pod[], r = { current: 'web-a', update: 'web-a' }) =>
    c.statefulSetActions(set, pods, r, at).map((a) => (a.action === 'create' ? `create ${a.ordinal} (${a.revision})` : `${a.action} ${a.pod.metadata.name} (${a.reason})`));
  const revision = (image: string, n: number, hash: string) => {
    const r = newRevision(statefulSet('web', { image }), n, hash);
    return { ...r, metadata: { ...r.metadata, uid: `uid-r${hash}` } } as ControllerRevision;
  };

  test('a Succeeded pod is deleted, to be created again, as a Failed one is', () => {
    // stateful_set_control.go processReplica: isFailed(replica) || isSucceeded(replica) → delete it.
    const set = statefulSet('web');
    expect(plan(set, [statefulPod(set, 0, 'web-a'), statefulPod(set, 1, 'web-a', { phase: 'Succeeded' })]), 'web-1 Succeeded').toEqual(['delete web-1 (finished)']);
  });

  test('a pod whose name has no ordinal of this set is neither a replica nor condemned', hint('ordinalOf(set, pod) undefined: leave the pod out of the plan'), () => {
    // stateful_set_control.go updateStatefulSet: only pods with a valid ordinal go to replicas or condemned.
    const set = statefulSet('web', { replicas: 1 });
    const other = statefulPod(set, 0, 'web-a');
    other.metadata.name = 'web-canary';
    expect(plan(set, [statefulPod(set, 0, 'web-a'), other]), 'web-0 Ready and a pod named web-canary').toEqual([]);
  });

  test('Parallel goes on past a finished pod and past a terminating condemned pod', hint('Only OrderedReady stops after deleting a finished pod or at a condemned pod being deleted'), () => {
    // processReplica / processCondemned: `if monotonic { return true }`, otherwise the next pod.
    const par = statefulSet('web', { policy: 'Parallel' });
    expect(plan(par, [statefulPod(par, 0, 'web-a', { phase: 'Failed' })]), 'Parallel; web-0 Failed, web-1 and web-2 missing').toEqual([
      'delete web-0 (finished)',
      'create 1 (update)',
      'create 2 (update)',
    ]);
    const one = statefulSet('web', { replicas: 1, policy: 'Parallel' });
    expect(plan(one, [statefulPod(one, 0, 'web-a'), statefulPod(one, 1, 'web-a'), statefulPod(one, 2, 'web-a', { deleting: true })]), 'Parallel, replicas 1; web-2 terminating').toEqual([
      'delete web-1 (condemned)',
    ]);
  });

  test('RollingUpdate given without rollingUpdate: partition 0, every pod is rolled', hint('rollingUpdate and its partition may be absent: partition 0'), () => {
    // SetDefaults_StatefulSet fills the partition only when rollingUpdate is given.
    const set = statefulSet('web');
    set.spec.updateStrategy = { type: 'RollingUpdate' };
    expect(
      plan(
        set,
        [0, 1, 2].map((i) => statefulPod(set, i, 'web-a')),
        { current: 'web-a', update: 'web-b' },
      ),
      'all three at the old revision',
    ).toEqual(['delete web-2 (update)']);
  });

  test('status.currentRevision names the current revision, wherever it is in the history', async () => {
    // getStatefulSetRevisions: the current revision is the one named by status.currentRevision.
    const set = { ...statefulSet('web', { image: 'nginx:3' }), status: { replicas: 3, currentRevision: 'web-b' } };
    const pods = [0, 1, 2].map((i) => statefulPod(set, i, 'web-b'));
    const { ctx, recorder } = statefulContext({ statefulSets: [set], pods, revisions: [revision('nginx:1', 1, 'a'), revision('nginx:2', 2, 'b'), revision('nginx:3', 3, 'c')] });
    await c.syncStatefulSet('default/web', ctx);
    const s = recorder.lastStatus<StatefulSetStatus>();
    expect(show({ currentRevision: s.currentRevision, updateRevision: s.updateRevision, current: s.currentReplicas }), 'web-a, web-b, web-c; currentRevision web-b, every pod at web-b').toBe(
      show({ currentRevision: 'web-b', updateRevision: 'web-c', current: 3 }),
    );
  });

  test(
    'a pod created below the partition is made from the current revision, above it from the update revision',
    hint("step.revision 'current': the current revision's template and name"),
    async () => {
      // processReplica: newVersionedStatefulSetPod(currentSet, updateSet, currentRevision.Name, updateRevision.Name, ord, replicas).
      const set = { ...statefulSet('web', { policy: 'Parallel', partition: 1, image: 'nginx:2' }), status: { replicas: 0, currentRevision: 'web-a' } };
      const { ctx, recorder } = statefulContext({ statefulSets: [set], revisions: [revision('nginx:1', 1, 'a'), revision('nginx:2', 2, 'b')] });
      await c.syncStatefulSet('default/web', ctx);
      const made = (recorder.created.filter((o) => o.kind === 'Pod') as Pod[]).map((p) => `${p.metadata.name} ${p.spec.containers[0]?.image} ${p.metadata.labels?.['controller-revision-hash']}`);
      expect(made, 'Parallel, partition 1, no pods; current web-a (nginx:1), update web-b (nginx:2)').toEqual(['web-0 nginx:1 web-a', 'web-1 nginx:2 web-b', 'web-2 nginx:2 web-b']);
    },
  );

  test(
    'minReadySeconds: a pod Ready for less is ready but not available, and the sync asks to look again after minReadySeconds; once available, not',
    hint('availableReplicas counts pods Ready for minReadySeconds; return { requeueAfterMs } while ready != available'),
    async () => {
      // computeReplicaStatus: availableReplicas with isRunningAndAvailable(pod, minReadySeconds); the controller requeues after minReadySeconds.
      const sync = async (readyFor: number) => {
        const set = statefulSet('web', { replicas: 1 });
        set.spec.minReadySeconds = 30;
        const p = statefulPod(set, 0, `web-${c.computeHash(set.spec.template)}`);
        p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: ago(readyFor) }];
        const { ctx, recorder } = statefulContext({ statefulSets: [set], pods: [p] });
        const result = await c.syncStatefulSet('default/web', ctx);
        const s = recorder.lastStatus<StatefulSetStatus>();
        return { result, ready: s.readyReplicas, available: s.availableReplicas };
      };
      expect(show(await sync(10)), 'minReadySeconds 30, web-0 Ready for 10 s').toBe(show({ result: { requeueAfterMs: 30_000 }, ready: 1, available: 0 }));
      expect(show(await sync(60)), 'minReadySeconds 30, web-0 Ready for 60 s').toBe(show({ result: {}, ready: 1, available: 1 }));
    },
  );

  test('a rollout is complete only when every pod is updated and every pod is Ready', hint('completeRollingUpdate: updatedReplicas == replicas AND readyReplicas == replicas'), async () => {
    // stateful_set_control.go completeRollingUpdate.
    const current = async (pods: (set: StatefulSet) => Pod[]) => {
      const set = { ...statefulSet('web', { image: 'nginx:2' }), status: { replicas: 3, currentRevision: 'web-a' } };
      const { ctx, recorder } = statefulContext({ statefulSets: [set], pods: pods(set), revisions: [revision('nginx:1', 1, 'a'), revision('nginx:2', 2, 'b')] });
      await c.syncStatefulSet('default/web', ctx);
      return recorder.lastStatus<StatefulSetStatus>().currentRevision;
    };
    expect(await current((s) => [statefulPod(s, 0, 'web-b'), statefulPod(s, 1, 'web-b'), statefulPod(s, 2, 'web-b', { ready: false })]), 'all three at web-b, web-2 not Ready').toBe('web-a');
    expect(await current((s) => [statefulPod(s, 0, 'web-a'), statefulPod(s, 1, 'web-b'), statefulPod(s, 2, 'web-b')]), 'all three Ready, web-0 still at web-a').toBe('web-a');
  });

  test('a StatefulSet gone from the cache: nothing is done', async () => {
    const { ctx, recorder } = statefulContext({});
    expect(show({ result: await c.syncStatefulSet('default/gone', ctx), actions: recorder.actions }), 'syncStatefulSet("default/gone")').toBe(show({ result: {}, actions: [] }));
  });

  test('a status already right is not written again', hint('Compare each status field with set.status; write only a change'), async () => {
    const set = statefulSet('web');
    const hash = `web-${c.computeHash(set.spec.template)}`;
    set.status = { observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, currentRevision: hash, updateRevision: hash };
    const rev = { ...newRevision(set, 1, c.computeHash(set.spec.template)), metadata: { ...newRevision(set, 1, c.computeHash(set.spec.template)).metadata, uid: 'uid-rev' } } as ControllerRevision;
    const { ctx, recorder } = statefulContext({ statefulSets: [set], pods: [0, 1, 2].map((i) => statefulPod(set, i, hash)), revisions: [rev] });
    await c.syncStatefulSet('default/web', ctx);
    expect(recorder.actions, 'actions for a StatefulSet of 3 Ready pods at its only revision').toEqual([]);
  });

  test(
    'an adoption refused fails the sync; a release refused fails it, a release finding the pod gone is fine; the reference written is apps/v1 StatefulSet and other owners are kept',
    hint('Only NotFound is ignored when patching ownerReferences'),
    async () => {
      // ClaimPods in stateful_set.go getPodsForStatefulSet; controller_ref_manager.go AdoptPod / ReleasePod.
      const set = statefulSet('web', { replicas: 1 });
      const hash = `web-${c.computeHash(set.spec.template)}`;
      const orphan = statefulPod(set, 0, hash);
      orphan.metadata.ownerReferences = undefined;
      const stray = statefulPod(set, 0, hash);
      stray.metadata.labels = { app: 'other' };
      stray.metadata.ownerReferences = [...stray.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'uid-keeper' }];
      const refuse = (error: Error) => new Recorder((a) => (a.startsWith('patch') ? error : undefined));
      const adopt = statefulContext({ statefulSets: [set], pods: [orphan] }, refuse(forbidden('pods "web-0" is forbidden')));
      const release = statefulContext({ statefulSets: [set], pods: [stray] }, refuse(forbidden('pods "web-0" is forbidden')));
      const gone = statefulContext({ statefulSets: [set], pods: [stray] }, refuse(notFound('pods "web-0"')));
      expect(
        show({
          adopt: await syncError(c.syncStatefulSet('default/web', adopt.ctx)),
          release: await syncError(c.syncStatefulSet('default/web', release.ctx)),
          gone: await syncError(c.syncStatefulSet('default/web', gone.ctx)),
        }),
        'adopting web-0 Forbidden; releasing web-0 Forbidden; releasing web-0 NotFound',
      ).toBe(show({ adopt: 'pods "web-0" is forbidden', release: 'pods "web-0" is forbidden', gone: 'no error' }));
      const recorder = new RefRecorder();
      await c.syncStatefulSet('default/web', statefulContext({ statefulSets: [set], pods: [orphan] }, recorder).ctx);
      await c.syncStatefulSet('default/web', statefulContext({ statefulSets: [set], pods: [stray] }, recorder).ctx);
      expect(show(recorder.refs), 'the references written: adopting the orphan web-0, releasing web-0 also owned by ConfigMap keeper').toBe(
        show([
          [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }],
          [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'uid-keeper' }],
        ]),
      );
    },
  );

  test(
    'a create answered AlreadyExists (an earlier sync made the pod) and a delete answered NotFound are fine; any other error fails the sync',
    hint('Catch AlreadyExists on create and NotFound on delete; throw the rest'),
    async () => {
      const set = statefulSet('web', { replicas: 1 });
      const hash = `web-${c.computeHash(set.spec.template)}`;
      const exists = new ApiError({ code: 409, reason: 'AlreadyExists', message: 'pods "web-0" already exists' });
      const outcome = async (pods: Pod[], fail: (a: string) => Error | undefined) =>
        syncError(c.syncStatefulSet('default/web', statefulContext({ statefulSets: [set], pods }, new Recorder(fail)).ctx));
      const condemned = [statefulPod(set, 0, hash), statefulPod(set, 1, hash)];
      expect(
        show({
          createExists: await outcome([], (a) => (a.startsWith('create pod') ? exists : undefined)),
          createForbidden: await outcome([], (a) => (a.startsWith('create pod') ? forbidden('pods "web-0" is forbidden') : undefined)),
          deleteGone: await outcome(condemned, (a) => (a.startsWith('delete pod') ? notFound('pods "web-1"') : undefined)),
          deleteForbidden: await outcome(condemned, (a) => (a.startsWith('delete pod') ? forbidden('pods "web-1" is forbidden') : undefined)),
        }),
        'creating web-0: AlreadyExists, Forbidden; deleting the condemned web-1: NotFound, Forbidden',
      ).toBe(show({ createExists: 'no error', createForbidden: 'pods "web-0" is forbidden', deleteGone: 'no error', deleteForbidden: 'pods "web-1" is forbidden' }));
    },
  );
});
