/**
 * Hidden suite for 04-controllers/02-replicaset. Pure parts first (which pods count, which are
 * available, claiming, the deletion ranking, slow start, the status), then whole syncs with
 * preloaded listers and a recording client, compared action by action, as upstream's
 * pkg/controller/replicaset/replica_set_test.go does (TestSyncReplicaSetCreateFailures,
 * TestSyncReplicaSetDormancy, TestPodControllerLookup, TestGetPodsToDelete), with the ranking of
 * pkg/controller/controller_utils_test.go (TestSortingActivePodsWithRanks).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { NOW, Recorder, ago, forbidden, notFound, pod, readyPod, replicaSet, rsContext, template } from './make.ts';

const c = await loadComponent('controllers');
const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata.name);

describe('which pods count', () => {
  test('isPodActive: pods that finished or are being deleted do not count', hint('Succeeded, Failed, or a deletionTimestamp: not active'), () => {
    const cases: [string, Pod, boolean][] = [
      ['Pending', pod('a', { phase: 'Pending' }), true],
      ['Running', pod('b', { phase: 'Running', node: 'n' }), true],
      ['Unknown', pod('c', { phase: 'Unknown', node: 'n' }), true],
      ['Succeeded', pod('d', { phase: 'Succeeded', node: 'n' }), false],
      ['Failed', pod('e', { phase: 'Failed', node: 'n' }), false],
      ['Running, being deleted', pod('f', { phase: 'Running', node: 'n', deleting: true }), false],
    ];
    for (const [what, p, want] of cases) expect(c.isPodActive(p), `isPodActive(a ${what} pod)`).toBe(want);
  });

  test('isPodAvailable: Ready, and Ready for strictly more than minReadySeconds', hint('lastTransitionTime of Ready + minReadySeconds must be before now'), () => {
    expect(c.isPodAvailable(pod('a', { node: 'n', readySince: 0 }), 0, NOW), 'ready just now, minReadySeconds 0').toBe(true);
    expect(c.isPodAvailable(pod('b', { node: 'n', readySince: false }), 0, NOW), 'not ready, minReadySeconds 0').toBe(false);
    expect(c.isPodAvailable(pod('c', { node: 'n', readySince: 10 }), 10, NOW), 'ready for exactly 10 s, minReadySeconds 10').toBe(false);
    expect(c.isPodAvailable(pod('d', { node: 'n', readySince: 11 }), 10, NOW), 'ready for 11 s, minReadySeconds 10').toBe(true);
    expect(c.isPodAvailable(pod('e', { node: 'n', readySince: 5 }), 10, NOW), 'ready for 5 s, minReadySeconds 10').toBe(false);
  });
});

describe('claiming: owner references and adoption (controller_ref_manager.go)', () => {
  const rs = replicaSet('web');
  const other = replicaSet('other');

  test('an orphan whose labels match is adopted; one whose labels do not is left alone', hint('No controller: adopt if the selector matches'), () => {
    const r = c.claimObjects(rs, rs.spec.selector, [pod('orphan'), pod('stranger', { labels: { app: 'db' } })]);
    expect(show({ claimed: names(r.claimed), adopt: names(r.adopt), release: names(r.release) }), 'claimObjects(web, app=web, [orphan app=web, stranger app=db])').toBe(
      show({ claimed: ['orphan'], adopt: ['orphan'], release: [] }),
    );
  });

  test('a pod of ours whose labels stopped matching is released; one that matches is kept', hint('Controlled by us and not matching: release'), () => {
    const r = c.claimObjects(rs, rs.spec.selector, [pod('mine', { owner: rs }), pod('relabelled', { owner: rs, labels: { app: 'debug' } })]);
    expect(show({ claimed: names(r.claimed), adopt: names(r.adopt), release: names(r.release) }), 'claimObjects(web, app=web, [mine, relabelled app=debug])').toBe(
      show({ claimed: ['mine'], adopt: [], release: ['relabelled'] }),
    );
  });

  test('a pod controlled by another ReplicaSet is never taken, even if the labels match', hint("Compare the controllerRef's uid with the owner's uid"), () => {
    const r = c.claimObjects(rs, rs.spec.selector, [pod('theirs', { owner: other })]);
    expect(r.claimed.length + r.adopt.length + r.release.length, 'claimObjects(web, [a pod controlled by other])').toBe(0);
  });

  test('nothing is adopted by an owner being deleted, nor released; a pod being deleted is not adopted', () => {
    const dying = replicaSet('dying', { deleting: true });
    const r = c.claimObjects(dying, dying.spec.selector, [pod('orphan'), pod('mine', { owner: dying, labels: { app: 'x' } })]);
    expect(show({ claimed: names(r.claimed), adopt: names(r.adopt), release: names(r.release) }), 'claimObjects(an owner with a deletionTimestamp, ...)').toBe(
      show({ claimed: [], adopt: [], release: [] }),
    );
    const r2 = c.claimObjects(rs, rs.spec.selector, [pod('leaving', { deleting: true })]);
    expect(r2.adopt.length, 'an orphan with a deletionTimestamp').toBe(0);
  });
});

describe('which pods go first on scale-down (ActivePodsWithRanks)', () => {
  const rs = replicaSet('web');
  const first = (a: Pod, b: Pod, related: Pod[] = []) => c.getPodsToDelete([b, a], related, 1, NOW)[0]!.metadata.name;

  test('a pod not on a node yet goes before one on a node', hint('1. unassigned < assigned'), () => {
    expect(first(pod('unassigned', { owner: rs }), readyPod('assigned', rs)), 'unassigned vs assigned and ready').toBe('unassigned');
  });

  test('Pending before Unknown before Running', hint('2. the phase: Pending 0, Unknown 1, Running 2'), () => {
    expect(first(pod('pending', { owner: rs, node: 'n', phase: 'Pending' }), pod('unknown', { owner: rs, node: 'n', phase: 'Unknown' })), 'pending vs unknown, both on a node').toBe('pending');
    expect(first(pod('unknown', { owner: rs, node: 'n', phase: 'Unknown' }), pod('running', { owner: rs, node: 'n', phase: 'Running' })), 'unknown vs running').toBe('unknown');
  });

  test('a not-ready pod before a ready one', hint('3. not ready < ready: deleting a ready pod loses capacity'), () => {
    expect(first(pod('not-ready', { owner: rs, node: 'n', phase: 'Running', readySince: false }), readyPod('ready', rs, 'n')), 'running not ready vs running ready').toBe('not-ready');
  });

  test('the lower pod-deletion-cost first', hint('4. the controller.kubernetes.io/pod-deletion-cost annotation'), () => {
    expect(first(readyPod('cheap', rs, 'n', { deletionCost: -10 }), readyPod('dear', rs, 'n', { deletionCost: 100 })), 'cost -10 vs cost 100').toBe('cheap');
  });

  test('a pod sharing its node with more related pods first (spread what stays)', hint('5. rank: count active related pods per node'), () => {
    const crowded = readyPod('crowded', rs, 'node-a');
    const alone = readyPod('alone', rs, 'node-b');
    const related = [crowded, alone, readyPod('x', rs, 'node-a'), readyPod('y', rs, 'node-a')];
    expect(first(crowded, alone, related), 'three related pods on node-a, one on node-b').toBe('crowded');
  });

  test(
    'the pod Ready more recently first, compared in doubling buckets of time',
    hint('6. floor(log2(nanoseconds since Ready)): a different bucket decides; the same bucket falls through to the uid'),
    () => {
      expect(first(readyPod('new', rs, 'n', { readySince: 10 }), readyPod('old', rs, 'n', { readySince: 1_000 })), 'ready 10 s ago vs 1,000 s ago').toBe('new');
    },
  );

  test('more restarts first; then the pod created more recently', hint('7. restarts, 8. creationTimestamp'), () => {
    const a = readyPod('flappy', rs, 'n', { readySince: 100, restarts: 5, uid: 'b' });
    const b = readyPod('steady', rs, 'n', { readySince: 100, restarts: 0, uid: 'a' });
    expect(first(a, b), 'same ready time, 5 restarts vs 0').toBe('flappy');
    const young = pod('young', { owner: rs, node: 'n', phase: 'Running', readySince: false, age: 5, uid: 'z' });
    const old = pod('old', { owner: rs, node: 'n', phase: 'Running', readySince: false, age: 3_000, uid: 'a' });
    expect(first(young, old), 'not ready, created 5 s ago vs 3,000 s ago').toBe('young');
  });

  test('with several pods, the order of the issue: unassigned, pending, not ready, then ready ones', () => {
    const pods = [
      readyPod('ready', rs, 'n'),
      pod('not-ready', { owner: rs, node: 'n', phase: 'Running', readySince: false }),
      pod('pending', { owner: rs, node: 'n', phase: 'Pending' }),
      pod('unassigned', { owner: rs }),
    ];
    expect(show(names(c.getPodsToDelete(pods, [], 3, NOW))), 'getPodsToDelete(4 pods, diff 3)').toBe(show(['unassigned', 'pending', 'not-ready']));
  });
});

describe('slowStartBatch', () => {
  test('calls in batches of 1, 2, 4, 8, ... each batch at once, never more than remain', hint('batch = min(remaining, initial), then min(2 × batch, remaining)'), async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const result = await c.slowStartBatch(10, 1, async () => {
      calls++;
      inFlight++;
      await new Promise((r) => setTimeout(r, 1));
      if (inFlight > 0) batches.push(inFlight);
      inFlight = 0;
    });
    expect(show(result), 'slowStartBatch(10, 1, ok)').toBe(show({ successes: 10 }));
    expect(calls, 'calls').toBe(10);
    expect(show(batches.filter((b) => b > 0)), 'calls in flight together, batch by batch').toBe(show([1, 2, 4, 3]));
  });

  test('a failure stops it after its batch: a quota error costs 3 calls, not 500', hint('Wait for the whole batch, count its failures, and stop if there were any'), async () => {
    let calls = 0;
    const result = await c.slowStartBatch(500, 1, async () => {
      calls++;
      if (calls === 2) throw forbidden('exceeded quota');
    });
    expect(calls, 'calls made, the 2nd failing').toBe(3);
    expect(result.successes, 'successes').toBe(2);
    expect(result.error?.message, 'the error').toBe('exceeded quota');
  });
});

describe('the status (calculateStatus)', () => {
  test('replicas, fully labelled, ready and available pods, and the observed generation', hint("fullyLabeledReplicas: the pod's labels include every label of the template"), () => {
    const rs = replicaSet('web', { generation: 4, minReadySeconds: 30, template: template({ app: 'web', tier: 'fe' }) });
    const pods = [
      pod('a', { owner: rs, node: 'n', readySince: 60, labels: { app: 'web', tier: 'fe' } }),
      pod('b', { owner: rs, node: 'n', readySince: 10, labels: { app: 'web', tier: 'fe' } }),
      pod('c', { owner: rs, node: 'n', readySince: false, labels: { app: 'web' } }),
    ];
    const s = c.calculateReplicaSetStatus(rs, pods, undefined, NOW);
    expect(
      show({ replicas: s.replicas, fullyLabeledReplicas: s.fullyLabeledReplicas, readyReplicas: s.readyReplicas, availableReplicas: s.availableReplicas, observedGeneration: s.observedGeneration }),
      'status of 3 pods: ready 60 s, ready 10 s, not ready; minReadySeconds 30',
    ).toBe(show({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 }));
  });

  test('a failed create adds ReplicaFailure FailedCreate with the error; a good sync removes it', hint('reason FailedCreate when there are fewer pods than replicas, FailedDelete when more'), () => {
    const rs = replicaSet('web', { replicas: 3 });
    const s = c.calculateReplicaSetStatus(rs, [], forbidden('pods "web-x" is forbidden: exceeded quota'), NOW);
    expect(show(s.conditions), 'conditions after a create failed').toBe(
      show([{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: ago(0), reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota' }]),
    );
    const healed = c.calculateReplicaSetStatus({ ...rs, status: s }, [], undefined, NOW);
    expect(healed.conditions ?? [], 'conditions after a sync without error').toEqual([]);
  });
});

describe('syncReplicaSet, one sync at a time (recorded actions)', () => {
  test(
    'a new ReplicaSet of 3 creates 3 pods from its template, each controlled by it (its status, 0 pods, is already right)',
    hint('podFromTemplate(rs.spec.template, rs, newControllerRef(rs, "apps/v1", "ReplicaSet"))'),
    async () => {
      const rs = replicaSet('web', { replicas: 3 });
      const { ctx, recorder, expectations } = rsContext({ replicaSets: [rs] });
      await c.syncReplicaSet('default/web', ctx);
      expect(show(recorder.actions), 'actions of one sync').toBe(show(['create pod default/web-', 'create pod default/web-', 'create pod default/web-']));
      const created = recorder.created[0] as Pod;
      expect(show(created.metadata.ownerReferences), 'ownerReferences of a created pod').toBe(
        show([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]),
      );
      expect(show(expectations.pending('default/web')), 'expectations after the creates').toBe(show({ add: 3, del: 0 }));
    },
  );

  test(
    'while earlier creates have not been seen in the informer, it creates nothing more, but still writes the status',
    hint('Check ctx.expectations.satisfiedExpectations(key) before creating or deleting'),
    async () => {
      const rs = replicaSet('web', { replicas: 3, status: { replicas: 3, observedGeneration: 1 } });
      const { ctx, recorder, expectations } = rsContext({ replicaSets: [rs] });
      expectations.expectCreations('default/web', 3);
      await c.syncReplicaSet('default/web', ctx);
      expect(show(recorder.actions), 'actions while 3 creations are expected').toBe(show(['update replicaset default/web status']));
    },
  );

  test(
    '5 pods for 3 replicas: the two worst go (pending and unassigned), and the deletions are expected',
    hint('getPodsToDelete(pods, related, diff), then ctx.expectations.expectDeletions'),
    async () => {
      const rs = replicaSet('web', { replicas: 3 });
      const pods = [readyPod('r1', rs, 'n1'), readyPod('r2', rs, 'n2'), readyPod('r3', rs, 'n3'), pod('pending', { owner: rs, node: 'n1', phase: 'Pending' }), pod('unassigned', { owner: rs })];
      const { ctx, recorder, expectations } = rsContext({ replicaSets: [rs], pods });
      await c.syncReplicaSet('default/web', ctx);
      expect(show(recorder.actions.filter((a) => a.startsWith('delete')).sort()), 'pods deleted').toBe(show(['delete pod default/pending', 'delete pod default/unassigned']));
      expect(show(expectations.pending('default/web')), 'expectations').toBe(show({ add: 0, del: 2 }));
    },
  );

  test('pods being deleted and finished pods do not count: they are replaced', hint('Filter with isPodActive before counting'), async () => {
    const rs = replicaSet('web', { replicas: 3 });
    const pods = [readyPod('r1', rs), readyPod('leaving', rs, 'node-1', { deleting: true }), pod('done', { owner: rs, node: 'n', phase: 'Succeeded' })];
    const { ctx, recorder } = rsContext({ replicaSets: [rs], pods });
    await c.syncReplicaSet('default/web', ctx);
    expect(recorder.actions.filter((a) => a.startsWith('create')).length, 'pods created: 1 active of 3 wanted').toBe(2);
    expect(show(recorder.lastStatus<ReplicaSetStatus>().replicas), 'status.replicas').toBe(show(1));
  });

  test(
    'an orphan with matching labels is adopted (a patch) and counted; a pod whose labels changed is released',
    hint('claimObjects, then a patch per adoption and per release, before counting'),
    async () => {
      const rs = replicaSet('web', { replicas: 2 });
      const pods = [readyPod('mine', rs), pod('orphan', { node: 'n', readySince: 5 }), pod('debugged', { owner: rs, node: 'n', labels: { app: 'debug' } })];
      const { ctx, recorder } = rsContext({ replicaSets: [rs], pods });
      await c.syncReplicaSet('default/web', ctx);
      expect(show(recorder.actions), 'actions').toBe(
        show(['patch pod default/orphan ownerReferences=[ReplicaSet/web (controller)]', 'patch pod default/debugged ownerReferences=[]', 'update replicaset default/web status']),
      );
    },
  );

  test('at most burstReplicas pods in one sync, in slow-start batches', async () => {
    const rs = replicaSet('web', { replicas: 600 });
    const { ctx, recorder, expectations } = rsContext({ replicaSets: [rs] });
    await c.syncReplicaSet('default/web', ctx);
    expect(recorder.actions.filter((a) => a.startsWith('create')).length, 'creates for 600 replicas with burstReplicas 500').toBe(500);
    expect(show(expectations.pending('default/web')), 'expectations').toBe(show({ add: 500, del: 0 }));
  });

  test(
    'a refused create stops the batches, lowers the expectations, sets ReplicaFailure, and fails the sync',
    hint('creationObserved for every pod that was not created; throw the error after writing the status'),
    async () => {
      const rs = replicaSet('web', { replicas: 5 });
      const recorder = new Recorder((action, n) => (action.startsWith('create') && n === 2 ? forbidden('pods "web-2" is forbidden: exceeded quota') : undefined));
      const { ctx, expectations } = rsContext({ replicaSets: [rs] }, recorder);
      await expect(c.syncReplicaSet('default/web', ctx), 'syncReplicaSet when the 2nd create is refused').rejects.toThrow('exceeded quota');
      expect(recorder.actions.filter((a) => a.startsWith('create')).length, 'creates attempted (batches of 1, then 2)').toBe(3);
      expect(show(expectations.pending('default/web')), 'expectations: only the 2 created pods are awaited').toBe(show({ add: 2, del: 0 }));
      expect(show(recorder.lastStatus<ReplicaSetStatus>().conditions?.map((c) => [c.type, c.reason])), 'conditions written').toBe(show([['ReplicaFailure', 'FailedCreate']]));
    },
  );

  test('a deletion that fails with NotFound is no error (the pod is gone already)', async () => {
    const rs = replicaSet('web', { replicas: 1 });
    const recorder = new Recorder((action) => (action === 'delete pod default/b' ? notFound('pods "b"') : undefined));
    const { ctx, expectations } = rsContext({ replicaSets: [rs], pods: [readyPod('a', rs, 'n', { readySince: 500 }), readyPod('b', rs, 'n', { readySince: 5 })] }, recorder);
    await c.syncReplicaSet('default/web', ctx);
    expect(show(expectations.pending('default/web')), 'expectations after the NotFound: the deletion is not awaited').toBe(show({ add: 0, del: 0 }));
  });

  test('a second sync with nothing changed writes nothing (level-triggered and idempotent)', hint('Write the status only when it differs'), async () => {
    const rs = replicaSet('web', { replicas: 2, status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 } });
    const { ctx, recorder } = rsContext({ replicaSets: [rs], pods: [readyPod('a', rs), readyPod('b', rs)] });
    await c.syncReplicaSet('default/web', ctx);
    expect(show(recorder.actions), 'actions for a ReplicaSet already as it should be').toBe(show([]));
  });

  test('every pod ready but not yet available for minReadySeconds: look again after minReadySeconds', async () => {
    const rs = replicaSet('web', { replicas: 1, minReadySeconds: 30 });
    const { ctx } = rsContext({ replicaSets: [rs], pods: [readyPod('a', rs, 'n', { readySince: 5 })] });
    const result = await c.syncReplicaSet('default/web', ctx);
    expect(show(result), 'what syncReplicaSet returned').toBe(show({ requeueAfterMs: 30_000 }));
  });

  test('a ReplicaSet gone from the cache: its expectations are forgotten, nothing is written', async () => {
    const { ctx, recorder, expectations } = rsContext({});
    expectations.expectCreations('default/gone', 2);
    await c.syncReplicaSet('default/gone', ctx);
    expect(recorder.actions, 'actions').toEqual([]);
    expect(expectations.pending('default/gone'), 'expectations of default/gone').toBeUndefined();
  });

  test('other namespaces are not looked at', async () => {
    const rs = replicaSet('web', { replicas: 1 });
    const elsewhere: Pod = pod('twin', { ns: 'other', node: 'n', readySince: 60 });
    const { ctx, recorder } = rsContext({ replicaSets: [rs as ReplicaSet], pods: [elsewhere] });
    await c.syncReplicaSet('default/web', ctx);
    expect(recorder.actions[0], 'first action').toBe('create pod default/web-');
  });
});
