/**
 * Hidden suite for 04-controllers/04-garbage-collector: classifying owner references, the
 * collector's decision for one object (keep, drop dangling references, delete in the background
 * or the foreground, wait for blocking dependents), orphaning, and the namespace controller, each
 * sync compared action by action. After upstream's
 * pkg/controller/garbagecollector/garbagecollector_test.go (TestAttemptToDeleteItem,
 * TestProcessDeletingDependentsItem, TestOrphanDependentsFailure, TestCascadingDeletion-style
 * cases) and pkg/controller/namespace/deletion/namespaced_resources_deleter_test.go
 * (TestFinalizeNamespaceFunc, TestSyncNamespaceThatIsTerminating, testSyncNamespaceThatIsActive)
 * with the condition messages of status_condition_utils.go.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Condition, Namespace } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { CONFIGMAPS, DEPLOYMENTS, NOW, PODS, Recorder, forbidden, gcContext, graphOf, namespace, namespaceContext, notFound, obj, refTo } from './make.ts';

const c = await loadComponent('controllers');

const deploy = obj('Deployment', 'web', { uid: 'uid-deploy' });
const rsOf = (owner = deploy, name = 'web-1', extra: Parameters<typeof obj>[2] = {}) => obj('ReplicaSet', name, { uid: `uid-${name}`, owners: [refTo(owner)], ...extra });

describe('classifying owner references (classifyReferences)', () => {
  const a = refTo(obj('Deployment', 'a', { uid: 'uid-a' }));
  const b = refTo(obj('Deployment', 'b', { uid: 'uid-b' }));
  const d = refTo(obj('Deployment', 'd', { uid: 'uid-d' }));

  test('an owner found with the same uid is solid; one not found, or found with another uid, is dangling', hint('Compare the uid the reference holds with the uid of what the GET found'), () => {
    const r = c.classifyOwnerReferences([a, b, d], [{ exists: true, uid: 'uid-a' }, { exists: false }, { exists: true, uid: 'uid-d-recreated' }]);
    expect(
      show({ solid: r.solid.map((x) => x.name), dangling: r.dangling.map((x) => x.name), waiting: r.waitingForDependentsDeletion.map((x) => x.name) }),
      'a found (same uid), b not found, d found with another uid',
    ).toBe(show({ solid: ['a'], dangling: ['b', 'd'], waiting: [] }));
  });

  test('an owner being deleted in the foreground is waitingForDependentsDeletion, not solid', hint('deletingDependents: a deletionTimestamp and the foregroundDeletion finalizer'), () => {
    const r = c.classifyOwnerReferences(
      [a, b],
      [
        { exists: true, uid: 'uid-a', deletingDependents: true },
        { exists: true, uid: 'uid-b' },
      ],
    );
    expect(show({ solid: r.solid.map((x) => x.name), dangling: r.dangling.map((x) => x.name), waiting: r.waitingForDependentsDeletion.map((x) => x.name) }), 'a deleting its dependents, b alive').toBe(
      show({ solid: ['b'], dangling: [], waiting: ['a'] }),
    );
  });
});

describe('attemptToDeleteItem: one object, its owners looked up live', () => {
  test('a ReplicaSet whose Deployment is gone is deleted in the background', hint('No solid owner, no waiting owner: delete it, Background unless its own finalizers say otherwise'), async () => {
    const rs = rsOf();
    const graph = graphOf(rs);
    const { ctx, recorder } = gcContext(new Recorder().store(rs));
    await c.attemptToDeleteItem(graph.node('uid-web-1')!, ctx);
    expect(show(recorder.actions), 'actions for default/web-1, owner default/web gone').toBe(
      show(['get replicaset default/web-1', 'get deployment default/web', 'delete replicaset default/web-1 propagationPolicy=Background']),
    );
  });

  test('an owner the graph has not seen, but the apiserver has, keeps its dependent', hint('The graph (the informers) may be behind: only a live GET says an owner is gone'), async () => {
    const rs = rsOf();
    const graph = graphOf(rs); // the Deployment is only a virtual node
    const { ctx, recorder } = gcContext(new Recorder().store(rs, deploy));
    await c.attemptToDeleteItem(graph.node('uid-web-1')!, ctx);
    expect(show(recorder.actions), 'actions when the owner exists in the apiserver but not in the graph').toBe(show(['get replicaset default/web-1', 'get deployment default/web']));
  });

  test('an owner deleted and re-created under the same name is another object: the dependent is collected', hint('Same name, other uid: the reference is dangling'), async () => {
    const rs = rsOf();
    const again = obj('Deployment', 'web', { uid: 'uid-deploy-again' });
    const graph = graphOf(again, rs);
    const { ctx, recorder } = gcContext(new Recorder().store(rs, again));
    await c.attemptToDeleteItem(graph.node('uid-web-1')!, ctx);
    expect(recorder.actions.at(-1), 'last action').toBe('delete replicaset default/web-1 propagationPolicy=Background');
  });

  test(
    'one owner alive and one gone: the object stays, and the dangling reference is removed',
    hint('A solid owner keeps the item; patch the owner references to drop only the dangling ones'),
    async () => {
      const other = obj('ConfigMap', 'gone', { uid: 'uid-gone' });
      const shared = obj('ConfigMap', 'shared', { uid: 'uid-shared', owners: [refTo(deploy, { controller: false }), refTo(other, { controller: false, blocking: false })] });
      const graph = graphOf(deploy, shared);
      const { ctx, recorder } = gcContext(new Recorder().store(deploy, shared));
      await c.attemptToDeleteItem(graph.node('uid-shared')!, ctx);
      expect(show(recorder.actions), 'actions').toBe(
        show(['get configmap default/shared', 'get deployment default/web', 'get configmap default/gone', 'patch configmap default/shared ownerReferences=[Deployment/web (blocking)]']),
      );
    },
  );

  test('an object already being deleted (not in the foreground) is left alone, without a read', hint('beingDeleted and not deletingDependents: someone else is deleting it'), async () => {
    const rs = rsOf(deploy, 'web-1', { deletedAgo: 1 });
    const graph = graphOf(rs);
    const { ctx, recorder } = gcContext(new Recorder().store(rs));
    await c.attemptToDeleteItem(graph.node('uid-web-1')!, ctx);
    expect(show(recorder.actions), 'actions').toBe(show([]));
  });

  test(
    'an object gone from the apiserver, or there under another uid, is reported absent and nothing is deleted',
    hint('ctx.reportAbsent(item) when the live GET finds nothing, or another uid'),
    async () => {
      const rs = rsOf();
      const graph = graphOf(rs);
      const gone = gcContext(new Recorder());
      await c.attemptToDeleteItem(graph.node('uid-web-1')!, gone.ctx);
      expect(show({ actions: gone.recorder.actions, absent: gone.absent }), 'the ReplicaSet is not in the apiserver').toBe(
        show({ actions: ['get replicaset default/web-1'], absent: ['replicaset default/web-1'] }),
      );
      const replaced = gcContext(new Recorder().store(obj('ReplicaSet', 'web-1', { uid: 'uid-other' })));
      await c.attemptToDeleteItem(graph.node('uid-web-1')!, replaced.ctx);
      expect(show({ actions: replaced.recorder.actions, absent: replaced.absent }), 'default/web-1 in the apiserver has another uid').toBe(
        show({ actions: ['get replicaset default/web-1'], absent: ['replicaset default/web-1'] }),
      );
    },
  );

  test('an object whose own finalizers say orphan is deleted with propagationPolicy Orphan; foregroundDeletion: Foreground', async () => {
    const orphaning = rsOf(deploy, 'web-1', { finalizers: ['orphan'] });
    const a = gcContext(new Recorder().store(orphaning));
    await c.attemptToDeleteItem(graphOf(orphaning).node('uid-web-1')!, a.ctx);
    expect(a.recorder.actions.at(-1), 'an item with the orphan finalizer, owner gone').toBe('delete replicaset default/web-1 propagationPolicy=Orphan');
    const foreground = rsOf(deploy, 'web-2', { finalizers: ['foregroundDeletion'] });
    const b = gcContext(new Recorder().store(foreground));
    await c.attemptToDeleteItem(graphOf(foreground).node('uid-web-2')!, b.ctx);
    expect(b.recorder.actions.at(-1), 'an item with the foregroundDeletion finalizer, owner gone').toBe('delete replicaset default/web-2 propagationPolicy=Foreground');
  });

  test('an object without owner references is left alone', hint('No owner references: nothing to collect (never delete it)'), async () => {
    // attemptToDeleteItem: `if len(ownerReferences) == 0 { return nil }` (garbagecollector.go).
    const free = obj('ConfigMap', 'free', { uid: 'uid-free' });
    const { ctx, recorder } = gcContext(new Recorder().store(free));
    await c.attemptToDeleteItem(graphOf(free).node('uid-free')!, ctx);
    expect(show(recorder.actions), 'actions for a ConfigMap with no owners').toBe(show(['get configmap default/free']));
  });

  test(
    'an owner being deleted in the background (a deletionTimestamp, no foregroundDeletion finalizer) is still solid',
    hint('deletingDependents needs BOTH a deletionTimestamp and the foregroundDeletion finalizer'),
    async () => {
      const leaving = obj('Deployment', 'web', { uid: 'uid-deploy', deletedAgo: 1, finalizers: ['example.com/hold'] });
      const rs = rsOf(leaving);
      const { ctx, recorder } = gcContext(new Recorder().store(leaving, rs));
      await c.attemptToDeleteItem(graphOf(leaving, rs).node('uid-web-1')!, ctx);
      expect(show(recorder.actions), 'actions for a ReplicaSet whose Deployment is being deleted, held by another finalizer').toBe(
        show(['get replicaset default/web-1', 'get deployment default/web']),
      );
    },
  );

  test('an object with dependents whose owners are all gone (none waiting) is deleted in the background', hint('Foreground only when an owner waits for it AND it has dependents'), async () => {
    const rs = rsOf();
    const pod = obj('Pod', 'web-1-x', { uid: 'uid-pod', owners: [refTo(rs)] });
    const { ctx, recorder } = gcContext(new Recorder().store(rs, pod));
    await c.attemptToDeleteItem(graphOf(rs, pod).node('uid-web-1')!, ctx);
    expect(recorder.actions.at(-1), 'last action for a ReplicaSet with a pod, its Deployment gone').toBe('delete replicaset default/web-1 propagationPolicy=Background');
  });
});

describe('foreground deletion: owners wait for their blocking dependents', () => {
  const dying = obj('Deployment', 'web', { uid: 'uid-deploy', deletedAgo: 1, finalizers: ['foregroundDeletion'] });

  test('an owner deleting its dependents waits while a blocking dependent remains, and has it looked at', hint("Blocking: the dependent's reference to it has blockOwnerDeletion: true"), async () => {
    const rs = rsOf(dying);
    const graph = graphOf(dying, rs);
    const { ctx, recorder, queued } = gcContext(new Recorder().store(dying, rs));
    await c.attemptToDeleteItem(graph.node('uid-deploy')!, ctx);
    expect(show({ actions: recorder.actions, queued }), 'the Deployment, its ReplicaSet still there').toBe(show({ actions: ['get deployment default/web'], queued: ['replicaset default/web-1'] }));
  });

  test(
    'with no blocking dependent left (none, or only non-blocking references), its foregroundDeletion finalizer is removed',
    hint('Remove the finalizer: the apiserver then deletes the owner'),
    async () => {
      const loose = obj('ConfigMap', 'loose', { uid: 'uid-loose', owners: [refTo(dying, { blocking: false })] });
      const graph = graphOf(dying, loose);
      const { ctx, recorder, queued } = gcContext(new Recorder().store(dying, loose));
      await c.attemptToDeleteItem(graph.node('uid-deploy')!, ctx);
      expect(show({ actions: recorder.actions, queued }), 'the Deployment, only a non-blocking dependent left').toBe(
        show({ actions: ['get deployment default/web', 'remove finalizer foregroundDeletion from deployment default/web'], queued: [] }),
      );
    },
  );

  test(
    'a dependent whose owner waits for it, and which has dependents of its own, is deleted in the foreground too',
    hint('The owner waits for the whole chain: Foreground passes the wait down'),
    async () => {
      const rs = rsOf(dying);
      const pod = obj('Pod', 'web-1-x', { uid: 'uid-pod', owners: [refTo(rs)] });
      const graph = graphOf(dying, rs, pod);
      const { ctx, recorder } = gcContext(new Recorder().store(dying, rs, pod));
      await c.attemptToDeleteItem(graph.node('uid-web-1')!, ctx);
      expect(show(recorder.actions), 'the ReplicaSet of a Deployment deleted in the foreground').toBe(
        show(['get replicaset default/web-1', 'get deployment default/web', 'delete replicaset default/web-1 propagationPolicy=Foreground']),
      );
    },
  );

  test('a dependent without dependents of its own, whose owner waits for it, is simply deleted (Background)', async () => {
    const rs = rsOf(dying);
    const graph = graphOf(dying, rs);
    const { ctx, recorder } = gcContext(new Recorder().store(dying, rs));
    await c.attemptToDeleteItem(graph.node('uid-web-1')!, ctx);
    expect(recorder.actions.at(-1), 'last action').toBe('delete replicaset default/web-1 propagationPolicy=Background');
  });

  test("a waiting owner next to a solid one: the object stays, and the waiting owner's reference is dropped so that it can finish", async () => {
    const alive = obj('Deployment', 'keeper', { uid: 'uid-keeper' });
    const cm = obj('ConfigMap', 'both', { uid: 'uid-both', owners: [refTo(dying, { controller: false }), refTo(alive, { controller: false })] });
    const graph = graphOf(dying, alive, cm);
    const { ctx, recorder } = gcContext(new Recorder().store(dying, alive, cm));
    await c.attemptToDeleteItem(graph.node('uid-both')!, ctx);
    expect(recorder.actions.at(-1), 'last action').toBe('patch configmap default/both ownerReferences=[Deployment/keeper (blocking)]');
  });

  test(
    'blocking is per reference: a dependent blocks only through ITS reference to this owner with blockOwnerDeletion',
    hint('Look at the reference whose uid is the owner: blockOwnerDeletion true on that one'),
    async () => {
      // processDeletingDependentsItem: blockingDependents = dependents whose reference to the owner has blockOwnerDeletion.
      const other = obj('Deployment', 'other', { uid: 'uid-other' });
      const loose = obj('ConfigMap', 'loose', { uid: 'uid-loose', owners: [refTo(dying, { blocking: false, controller: false }), refTo(other, { controller: false })] });
      const a = gcContext(new Recorder().store(dying, other, loose));
      await c.attemptToDeleteItem(graphOf(dying, other, loose).node('uid-deploy')!, a.ctx);
      expect(show({ actions: a.recorder.actions, queued: a.queued }), 'a dependent blocking another owner, not this one').toBe(
        show({ actions: ['get deployment default/web', 'remove finalizer foregroundDeletion from deployment default/web'], queued: [] }),
      );
      const tight = obj('ConfigMap', 'tight', { uid: 'uid-tight', owners: [refTo(other, { blocking: false, controller: false }), refTo(dying, { controller: false })] });
      const b = gcContext(new Recorder().store(dying, other, tight));
      await c.attemptToDeleteItem(graphOf(dying, other, tight).node('uid-deploy')!, b.ctx);
      expect(show({ actions: b.recorder.actions, queued: b.queued }), 'a dependent blocking this owner, not its other one').toBe(
        show({ actions: ['get deployment default/web'], queued: ['configmap default/tight'] }),
      );
    },
  );

  test('a blocking dependent that is itself deleting its dependents is not queued again', hint('It is being dealt with: only queue blocking dependents that are not deletingDependents'), async () => {
    const rs = rsOf(dying, 'web-1', { deletedAgo: 1, finalizers: ['foregroundDeletion'] });
    const { ctx, recorder, queued } = gcContext(new Recorder().store(dying, rs));
    await c.attemptToDeleteItem(graphOf(dying, rs).node('uid-deploy')!, ctx);
    expect(show({ actions: recorder.actions, queued }), 'the Deployment, its ReplicaSet deleting in the foreground too').toBe(show({ actions: ['get deployment default/web'], queued: [] }));
  });

  test(
    'a dependent of ours deletes in the foreground too: first unblock our owner references (blockOwnerDeletion false), then delete in the foreground',
    hint('Cycle guard: patch every blocking reference of the item to blockOwnerDeletion: false before the Foreground delete'),
    async () => {
      // attemptToDeleteItem: "if dep.isDeletingDependents() ... unblockOwnerReferences" before the foreground delete.
      const rs = rsOf(dying);
      const calm = obj('Pod', 'web-1-a', { uid: 'uid-pod-a', owners: [refTo(rs)] });
      const busy = obj('Pod', 'web-1-b', { uid: 'uid-pod-b', owners: [refTo(rs)], deletedAgo: 1, finalizers: ['foregroundDeletion'] });
      const { ctx, recorder } = gcContext(new Recorder().store(dying, rs, calm, busy));
      await c.attemptToDeleteItem(graphOf(dying, rs, calm, busy).node('uid-web-1')!, ctx);
      expect(show(recorder.actions), 'the ReplicaSet of a Deployment deleted in the foreground, one of its pods deleting in the foreground').toBe(
        show([
          'get replicaset default/web-1',
          'get deployment default/web',
          'patch replicaset default/web-1 ownerReferences=[Deployment/web]',
          'delete replicaset default/web-1 propagationPolicy=Foreground',
        ]),
      );
    },
  );
});

describe('orphaning (propagationPolicy Orphan)', () => {
  const owner = obj('Deployment', 'web', { uid: 'uid-deploy', deletedAgo: 1, finalizers: ['orphan'] });
  const other = obj('Deployment', 'other', { uid: 'uid-other' });

  test(
    "each dependent loses its reference to the owner (other owners kept), then the owner's orphan finalizer is removed",
    hint('Patch every dependent first; remove the orphan finalizer last, or the owner goes while dependents still point at it'),
    async () => {
      const a = obj('ReplicaSet', 'web-a', { uid: 'uid-a', owners: [refTo(owner)] });
      const b = obj('ReplicaSet', 'web-b', { uid: 'uid-b', owners: [refTo(owner), refTo(other, { controller: false })] });
      const graph = graphOf(owner, other, a, b);
      const { ctx, recorder } = gcContext(new Recorder().store(owner, other, a, b));
      await c.orphanDependents(graph.node('uid-deploy')!, ctx);
      expect(show([...recorder.actions.slice(0, 2)].sort()), 'the patches').toBe(
        show(['patch replicaset default/web-a ownerReferences=[]', 'patch replicaset default/web-b ownerReferences=[Deployment/other (blocking)]']),
      );
      expect(recorder.actions.at(-1), 'the last action').toBe('remove finalizer orphan from deployment default/web');
      expect(recorder.actions.length, 'actions in all').toBe(3);
    },
  );

  test(
    'a dependent that cannot be patched keeps the finalizer on and fails the sync; one already gone is fine',
    hint('Throw when a patch failed (other than NotFound), before removing the finalizer'),
    async () => {
      const a = obj('ReplicaSet', 'web-a', { uid: 'uid-a', owners: [refTo(owner)] });
      const graph = graphOf(owner, a);
      const refusing = gcContext(new Recorder((action) => (action.startsWith('patch') ? forbidden('replicasets "web-a" is forbidden') : undefined)));
      const outcome = await c.orphanDependents(graph.node('uid-deploy')!, refusing.ctx).then(
        () => 'returned',
        () => 'threw',
      );
      expect(show({ outcome, actions: refusing.recorder.actions }), 'orphanDependents when the patch of web-a is refused (403)').toBe(
        show({ outcome: 'threw', actions: ['patch replicaset default/web-a ownerReferences=[]'] }),
      );
      const gone = gcContext(new Recorder((action) => (action.startsWith('patch') ? notFound('replicasets "web-a"') : undefined)));
      await c.orphanDependents(graph.node('uid-deploy')!, gone.ctx);
      expect(gone.recorder.actions.at(-1), 'the dependent was gone already').toBe('remove finalizer orphan from deployment default/web');
    },
  );
});

describe('the namespace controller', () => {
  const conditionsOf = (r: Recorder) => (r.lastStatus<Namespace['status']>()?.conditions ?? []) as Condition[];
  const summary = (conds: Condition[]) => Object.fromEntries(conds.map((x) => [x.type, `${x.status} ${x.reason}: ${x.message}`]));

  test('a namespace not being deleted is left alone', async () => {
    const ns = namespace('team-a');
    const { ctx, recorder } = namespaceContext([ns], [PODS], new Recorder().store(ns));
    await c.syncNamespace('team-a', ctx);
    expect(show(recorder.actions), 'actions').toBe(show(['get namespace team-a']));
  });

  test(
    'deleting: Terminating, each resource deleted, all five conditions written, then the kubernetes finalizer removed with finalize',
    hint('Terminating first; delete every resource; finalize only when nothing is left'),
    async () => {
      const ns = namespace('team-a', { deletedAgo: 1 });
      const cm = obj('ConfigMap', 'settings', { ns: 'team-a' });
      const { ctx, recorder } = namespaceContext([ns], [PODS, CONFIGMAPS], new Recorder().store(ns, cm));
      const result = await c.syncNamespace('team-a', ctx);
      expect(show(recorder.actions), 'actions').toBe(
        show([
          'get namespace team-a',
          'update namespace team-a status',
          'list pods in team-a',
          'deletecollection pods in team-a',
          'list pods in team-a',
          'deletecollection configmaps in team-a',
          'list configmaps in team-a',
          'update namespace team-a status',
          'finalize namespace team-a finalizers=[]',
        ]),
      );
      expect((recorder.statuses[0] as Namespace['status'])?.phase, 'the phase written first').toBe('Terminating');
      expect(summary(conditionsOf(recorder)), 'conditions written').toEqual({
        NamespaceDeletionDiscoveryFailure: 'False ResourcesDiscovered: All resources successfully discovered',
        NamespaceDeletionGroupVersionParsingFailure: 'False ParsedGroupVersions: All legacy kube types successfully parsed',
        NamespaceDeletionContentFailure: 'False ContentDeleted: All content successfully deleted, may be waiting on finalization',
        NamespaceContentRemaining: 'False ContentRemoved: All content successfully removed',
        NamespaceFinalizersRemaining: 'False ContentRemoved: All content successfully removed',
      });
      expect(show(result), 'what syncNamespace returned').toBe(show({}));
    },
  );

  test(
    'pods still terminating: NamespaceContentRemaining names them, no finalize, and a look again after grace / 2 + 1 s',
    hint('The estimate is the longest terminationGracePeriodSeconds of the pods: 30 s gives a requeue after 16 s'),
    async () => {
      const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
      const pods = ['a', 'b'].map((n) => obj('Pod', n, { ns: 'team-a', extra: { spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [] }, status: { phase: 'Running' } } }));
      const { ctx, recorder } = namespaceContext([ns], [PODS], new Recorder().store(ns, ...pods));
      const result = await c.syncNamespace('team-a', ctx);
      expect(show(result), 'what syncNamespace returned').toBe(show({ requeueAfterMs: 16_000 }));
      expect(
        recorder.actions.some((a) => a.startsWith('finalize')),
        'finalized while pods remain',
      ).toBe(false);
      expect(summary(conditionsOf(recorder)).NamespaceContentRemaining, 'NamespaceContentRemaining').toBe('True SomeResourcesRemain: Some resources are remaining: pods. has 2 resource instances');
      expect(recorder.actions[1], 'no phase written: it was Terminating already').toBe('list pods in team-a');
    },
  );

  test(
    'objects held by finalizers: NamespaceFinalizersRemaining names the finalizers, and it looks again after 15 / 2 + 1 s',
    hint('Count the finalizers of what is left; with no other estimate, wait FINALIZER_ESTIMATE_SECONDS'),
    async () => {
      const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
      const held = ['x', 'y'].map((n) => obj('Deployment', n, { ns: 'team-a', finalizers: ['example.com/keep'] }));
      const { ctx, recorder } = namespaceContext([ns], [DEPLOYMENTS], new Recorder().store(ns, ...held));
      const result = await c.syncNamespace('team-a', ctx);
      expect(show(result), 'what syncNamespace returned').toBe(show({ requeueAfterMs: 8_000 }));
      const s = summary(conditionsOf(recorder));
      expect(s.NamespaceFinalizersRemaining, 'NamespaceFinalizersRemaining').toBe('True SomeFinalizerRemain: Some finalizers are remaining: example.com/keep in 2 resource instances');
      expect(s.NamespaceContentRemaining, 'NamespaceContentRemaining').toBe('True SomeResourcesRemain: Some resources are remaining: deployments.apps has 2 resource instances');
    },
  );

  test(
    'pods left after their grace period with no finalizer: an error, NamespaceDeletionContentFailure, no finalize',
    hint('Past the grace period since the namespace was deleted, the estimate is 0; what remains without finalizers is unexpected'),
    async () => {
      const ns = namespace('team-a', { deletedAgo: 60, phase: 'Terminating' });
      const stuck = obj('Pod', 'stuck', { ns: 'team-a', extra: { spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [] }, status: { phase: 'Running' } } });
      const { ctx, recorder } = namespaceContext([ns], [PODS], new Recorder().store(ns, stuck));
      await expect(c.syncNamespace('team-a', ctx), 'syncNamespace').rejects.toThrow('unexpected items still remain in namespace: team-a for gvr: /v1, Resource=pods');
      expect(summary(conditionsOf(recorder)).NamespaceDeletionContentFailure, 'NamespaceDeletionContentFailure').toBe(
        'True ContentDeletionFailed: Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: team-a for gvr: /v1, Resource=pods',
      );
      expect(
        recorder.actions.some((a) => a.startsWith('finalize')),
        'finalized anyway',
      ).toBe(false);
    },
  );

  test('a resource without deletecollection is listed and each object deleted in the background', async () => {
    const widgets = { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', verbs: ['delete', 'get', 'list'] };
    const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
    const w = { ...obj('Widget', 'w1', { ns: 'team-a', uid: 'uid-w1' }), apiVersion: 'example.com/v1' };
    const { ctx, recorder } = namespaceContext([ns], [widgets], new Recorder().store(ns, w));
    await c.syncNamespace('team-a', ctx);
    expect(recorder.actions.slice(1, 3), 'the first actions after the read').toEqual(['list widgets in team-a', 'delete widget team-a/w1 propagationPolicy=Background']);
  });

  test('the namespace is read from the apiserver: a cache that does not show the deletion yet does not stop it', hint('ctx.namespaces may lag; GET the namespace itself'), async () => {
    const cached = namespace('team-a');
    const live = namespace('team-a', { deletedAgo: 1 });
    const { ctx, recorder } = namespaceContext([cached], [], new Recorder().store(live));
    await c.syncNamespace('team-a', ctx);
    expect(recorder.actions.at(-1), 'last action').toBe('finalize namespace team-a finalizers=[]');
  });

  test('another finalizer in spec.finalizers stays; a namespace already finalized is left alone', async () => {
    const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating', finalizers: ['kubernetes', 'example.com/audit'] });
    const a = namespaceContext([ns], [], new Recorder().store(ns));
    await c.syncNamespace('team-a', a.ctx);
    expect(a.recorder.actions.at(-1), 'last action').toBe('finalize namespace team-a finalizers=[example.com/audit]');
    const done = namespace('team-b', { deletedAgo: 1, phase: 'Terminating', finalizers: [] });
    const b = namespaceContext([done], [PODS], new Recorder().store(done));
    await c.syncNamespace('team-b', b.ctx);
    expect(show(b.recorder.actions), 'actions for a namespace with no spec.finalizers').toBe(show(['get namespace team-b']));
  });

  test('a namespace that is gone from the cache: nothing is read or written', async () => {
    const { ctx, recorder } = namespaceContext([], [PODS], new Recorder());
    expect(show(await c.syncNamespace('gone', ctx)), 'syncNamespace("gone")').toBe(show({}));
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test(
    'pods that finished (Succeeded, Failed) do not count in the estimate; the longest grace period of the others does',
    hint('Skip Succeeded and Failed pods; take terminationGracePeriodSeconds of the others, the longest'),
    async () => {
      // estimateGracefulTerminationForPods (namespaced_resources_deleter.go) skips PodSucceeded and PodFailed.
      const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
      const done = (name: string, phase: string) =>
        obj('Pod', name, { ns: 'team-a', finalizers: ['example.com/keep'], extra: { spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [] }, status: { phase } } });
      const a = namespaceContext([ns], [PODS], new Recorder().store(ns, done('ok', 'Succeeded'), done('bad', 'Failed')));
      expect(show(await c.syncNamespace('team-a', a.ctx)), 'a Succeeded and a Failed pod (grace 30 s), held by a finalizer').toBe(show({ requeueAfterMs: 8_000 }));
      const slow = obj('Pod', 'slow', { ns: 'team-a', extra: { spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 60, containers: [] }, status: { phase: 'Running' } } });
      const b = namespaceContext([ns], [PODS], new Recorder().store(ns, slow));
      expect(show(await c.syncNamespace('team-a', b.ctx)), 'a Running pod with a grace period of 60 s').toBe(show({ requeueAfterMs: 31_000 }));
      expect(b.recorder.lastStatus<Namespace['status']>()?.phase, 'the phase in the status written with the conditions').toBe('Terminating');
    },
  );

  test('exactly the grace period after the namespace was deleted, the estimate is over', hint('duration >= allowed estimate → estimate 0 (at least that long ago)'), async () => {
    // estimateGracefulTermination: `if duration >= allowedEstimate { estimate = 0 }`.
    const ns = namespace('team-a', { deletedAgo: 30, phase: 'Terminating' });
    const stuck = obj('Pod', 'stuck', { ns: 'team-a', extra: { spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [] }, status: { phase: 'Running' } } });
    const { ctx } = namespaceContext([ns], [PODS], new Recorder().store(ns, stuck));
    await expect(c.syncNamespace('team-a', ctx), 'syncNamespace 30 s after the deletion, a pod with 30 s of grace still there').rejects.toThrow('unexpected items still remain in namespace: team-a');
  });

  test(
    'a resource without `list` is only deleted, never listed; resources with nothing left add no estimate',
    hint('Without the list verb there is nothing to count: return no estimate (0), not undefined'),
    async () => {
      const gadgets = { group: 'example.com', version: 'v1', resource: 'gadgets', kind: 'Gadget', verbs: ['delete', 'deletecollection'] };
      const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
      const pod = obj('Pod', 'p', { ns: 'team-a', extra: { spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [] }, status: { phase: 'Running' } } });
      const { ctx, recorder } = namespaceContext([ns], [gadgets, CONFIGMAPS, PODS], new Recorder().store(ns, pod));
      const result = await c.syncNamespace('team-a', ctx);
      expect(show({ result, gadgets: recorder.actions.filter((a) => a.includes('gadgets')) }), 'gadgets (delete, deletecollection), configmaps (none), a pod terminating').toBe(
        show({ result: { requeueAfterMs: 16_000 }, gadgets: ['deletecollection gadgets in team-a'] }),
      );
    },
  );

  test(
    'each object deleted on its own uses its apiVersion; NotFound is fine; another error is reported, the other resources still deleted, errors joined with ", "',
    hint("Catch each resource's error, go on with the next, throw them all at the end"),
    async () => {
      const widgets = { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', verbs: ['delete', 'get', 'list'] };
      const gizmos = { group: 'example.com', version: 'v1', resource: 'gizmos', kind: 'Gizmo', verbs: ['delete', 'get', 'list'] };
      const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
      const w = { ...obj('Widget', 'w1', { ns: 'team-a', uid: 'uid-w1' }), apiVersion: 'example.com/v1' };
      const g = { ...obj('Gizmo', 'g1', { ns: 'team-a', uid: 'uid-g1' }), apiVersion: 'example.com/v1' };
      const apiVersions: string[] = [];
      class Watching extends Recorder {
        override deleteObject(ref: Parameters<Recorder['deleteObject']>[0], policy: Parameters<Recorder['deleteObject']>[1]) {
          apiVersions.push(ref.apiVersion);
          const answer = super.deleteObject(ref, policy);
          // Someone else deleted it just before us: the 404, and nothing left to list.
          for (const [key, o] of this.live) if (o.kind === 'Widget') this.live.delete(key);
          return answer;
        }
      }
      const gone = new Watching((a) => (a.startsWith('delete widget') ? notFound('widgets "w1"') : undefined)).store(ns, w);
      await c.syncNamespace('team-a', namespaceContext([ns], [widgets], gone).ctx);
      expect(show({ apiVersions, last: gone.actions.at(-1) }), 'a widget deleted, already gone (404)').toBe(show({ apiVersions: ['example.com/v1'], last: 'finalize namespace team-a finalizers=[]' }));
      const refused = new Recorder((a) => (a.startsWith('delete') ? forbidden(`${a.split(' ')[1]}s is forbidden`) : undefined)).store(ns, w, g);
      await expect(c.syncNamespace('team-a', namespaceContext([ns], [widgets, gizmos, CONFIGMAPS], refused).ctx), 'deleting the widget and the gizmo refused (403)').rejects.toThrow(
        'widgets is forbidden, gizmos is forbidden',
      );
      expect(refused.actions.includes('deletecollection configmaps in team-a'), 'configmaps deleted after the failures').toBe(true);
    },
  );

  test('the namespace gone by the time it is read, or without spec.finalizers: nothing more is done', async () => {
    // Delete(): a NotFound GET ends the sync; an empty spec.finalizers means it was finalized already.
    const cached = namespace('team-a', { deletedAgo: 1 });
    const a = namespaceContext([cached], [PODS], new Recorder());
    expect(show(await c.syncNamespace('team-a', a.ctx)), 'syncNamespace when the GET finds nothing').toBe(show({}));
    expect(show(a.recorder.actions), 'actions').toBe(show(['get namespace team-a']));
    const bare = { ...namespace('team-b', { deletedAgo: 1, phase: 'Terminating' }), spec: {} };
    const b = namespaceContext([bare], [PODS], new Recorder().store(bare));
    await c.syncNamespace('team-b', b.ctx);
    expect(show(b.recorder.actions), 'actions for a namespace whose spec has no finalizers field').toBe(show(['get namespace team-b']));
  });

  test('finalize: a namespace already gone (NotFound) is fine; another error fails the sync', hint('Only NotFound is fine when finalizing'), async () => {
    const ns = namespace('team-a', { deletedAgo: 1, phase: 'Terminating' });
    const gone = namespaceContext([ns], [], new Recorder((a) => (a.startsWith('finalize') ? notFound('namespaces "team-a"') : undefined)).store(ns));
    expect(show(await c.syncNamespace('team-a', gone.ctx)), 'finalize answered 404').toBe(show({}));
    const refused = namespaceContext([ns], [], new Recorder((a) => (a.startsWith('finalize') ? forbidden('namespaces "team-a" is forbidden') : undefined)).store(ns));
    await expect(c.syncNamespace('team-a', refused.ctx), 'finalize answered 403').rejects.toThrow('namespaces "team-a" is forbidden');
  });
});

void NOW;
