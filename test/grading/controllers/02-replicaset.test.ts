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
import { ApiError } from '#engine/kube/errors.ts';
import { NOW, Recorder, ago, deployment, forbidden, notFound, pod, readyPod, replicaSet, rsContext, template } from './make.ts';

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
  // Less(i, j) must agree with !Less(j, i), as TestSortingActivePodsWithRanks checks both ways: the
  // pod to delete is asked for with the two pods given in both orders.
  const first = (a: Pod, b: Pod, related: Pod[] = []) => {
    const one = c.getPodsToDelete([b, a], related, 1, NOW)[0]!.metadata.name;
    const other = c.getPodsToDelete([a, b], related, 1, NOW)[0]!.metadata.name;
    return one === other ? one : `${one} or ${other}, depending on the order the pods are given`;
  };
  const withCost = (p: Pod, text: string): Pod => ({ ...p, metadata: { ...p.metadata, annotations: { 'controller.kubernetes.io/pod-deletion-cost': text } } });
  /** A ready pod with a restartable init container (a sidecar) `sidecar` and a plain init container `init`. */
  const withInit = (p: Pod, restarts: { sidecar: number; init: number }): Pod => ({
    ...p,
    spec: {
      ...p.spec,
      initContainers: [
        { name: 'sidecar', image: 'envoy', restartPolicy: 'Always' },
        { name: 'init', image: 'busybox' },
      ],
    },
    status: {
      ...p.status,
      initContainerStatuses: [
        { name: 'sidecar', ready: true, restartCount: restarts.sidecar },
        { name: 'init', ready: false, restartCount: restarts.init },
      ],
    },
  });

  test('a pod not on a node yet goes before one on a node', hint('1. unassigned < assigned'), () => {
    expect(first(pod('unassigned', { owner: rs }), readyPod('assigned', rs)), 'unassigned vs assigned and ready').toBe('unassigned');
    const old = pod('unassigned', { owner: rs, age: 3_000 });
    const young = pod('assigned', { owner: rs, node: 'n', phase: 'Pending', age: 5 });
    expect(first(old, young), 'unassigned created 3,000 s ago vs assigned, Pending, created 5 s ago').toBe('unassigned');
  });

  test('two pods on no node, with no container statuses yet: the younger first', hint('Both unassigned: rule 1 does not decide; a pod with no containerStatuses has 0 restarts'), () => {
    const bare = (name: string, age: number, uid: string): Pod => {
      const p = pod(name, { owner: rs, age, uid });
      return { ...p, status: { phase: 'Pending' } };
    };
    expect(first(bare('young', 5, 'z'), bare('old', 3_000, 'a')), 'two unassigned Pending pods created 5 s and 3,000 s ago').toBe('young');
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
    expect(first(withCost(readyPod('lowest', rs, 'n'), '-2147483648'), readyPod('low', rs, 'n', { deletionCost: -5 })), 'cost -2147483648 (the lowest int32) vs cost -5').toBe('lowest');
  });

  // GetDeletionCostFromPodAnnotations parses the cost as an int32 (strconv.ParseInt(v, 10, 32)); Less
  // ignores its error, so a cost that does not parse counts as 0 (pkg/apis/core/helper, controller_utils.go).
  test('a pod-deletion-cost that is not a whole int32 counts as 0', hint('Parse the cost as a whole number in the int32 range; anything else is 0 (not NaN, not 1.5)'), () => {
    const zero = (name: string, text: string) => withCost(readyPod(name, rs, 'n', { readySince: 1_000 }), text);
    for (const text of ['abc', '1.5', '2147483648', '-2147483649']) {
      expect(first(zero('odd', text), readyPod('one', rs, 'n', { deletionCost: 1, readySince: 1_000 })), `cost "${text}" vs cost 1`).toBe('odd');
      expect(first(zero('odd', text), readyPod('minus-one', rs, 'n', { deletionCost: -1, readySince: 1_000 })), `cost "${text}" vs cost -1`).toBe('minus-one');
    }
  });

  // Number() reads all of these; upstream does not: validFirstDigit refuses a leading '+' or zero
  // ("+5", "007"), and strconv.ParseInt(v, 10, 32) refuses spaces, "0x", "1e3" and "5.0" (pkg/apis/core/
  // helper/helpers.go GetDeletionCostFromPodAnnotations; the apiserver refuses them on a new pod with
  // "must be a 32bit integer", pkg/apis/core/validation/validation.go ValidatePodSpecificAnnotations).
  test(
    'a pod-deletion-cost that JavaScript reads as a number but Go does not counts as 0',
    hint('Only base-10 digits with an optional leading "-": no "+", no leading zero, no spaces, no "0x", "1e3" or "5.0"'),
    () => {
      const zero = (name: string, text: string) => withCost(readyPod(name, rs, 'n', { readySince: 1_000 }), text);
      for (const text of ['0x10', '0b11', ' 5', '5 ', '1e3', '+5', '007', '5.0', '-1e3', '-0x10', '-5.0', '- 5']) {
        expect(first(zero('odd', text), readyPod('one', rs, 'n', { deletionCost: 1, readySince: 1_000 })), `cost ${JSON.stringify(text)} vs cost 1`).toBe('odd');
        expect(first(zero('odd', text), readyPod('minus-one', rs, 'n', { deletionCost: -1, readySince: 1_000 })), `cost ${JSON.stringify(text)} vs cost -1`).toBe('minus-one');
      }
      expect(first(withCost(readyPod('zero', rs, 'n'), '0'), readyPod('one', rs, 'n', { deletionCost: 1 })), 'cost "0" vs cost 1').toBe('zero');
    },
  );

  test('a pod sharing its node with more related pods first (spread what stays)', hint('5. rank: count active related pods per node'), () => {
    const crowded = readyPod('crowded', rs, 'node-a');
    const alone = readyPod('alone', rs, 'node-b');
    const related = [crowded, alone, readyPod('x', rs, 'node-a'), readyPod('y', rs, 'node-a')];
    expect(first(crowded, alone, related), 'three related pods on node-a, one on node-b').toBe('crowded');
    const gone = [1, 2, 3].map((i) => readyPod(`leaving-${i}`, rs, 'node-b', { deleting: true }));
    expect(first(crowded, alone, [...related, ...gone]), 'three related pods on node-a; on node-b one, and three being deleted').toBe('crowded');
  });

  test(
    'the pod Ready more recently first, compared in doubling buckets of time',
    hint('6. floor(log2(nanoseconds since Ready)): a different bucket decides; the same bucket falls through to the uid'),
    () => {
      expect(first(readyPod('new', rs, 'n', { readySince: 10 }), readyPod('old', rs, 'n', { readySince: 1_000 })), 'ready 10 s ago vs 1,000 s ago').toBe('new');
      // 10 s and 16 s are 1e10 and 1.6e10 ns: both floor(log2) = 33, so the uid decides (LogarithmicScaleDown).
      expect(first(readyPod('later', rs, 'n', { readySince: 16, uid: 'a' }), readyPod('sooner', rs, 'n', { readySince: 10, uid: 'b' })), 'ready 16 s ago (uid a) vs 10 s ago (uid b)').toBe('later');
    },
  );

  test(
    "a Ready time not before now (the node's clock runs ahead) is the newest bucket, -1: such pods tie and the uid decides",
    hint('log2 of a time difference that is 0 or negative is -Infinity or NaN: give such a time the bucket -1, as upstream does'),
    () => {
      // logarithmicRankDiff (pkg/controller/controller_utils.go): r := -1; if d > 0 { r = int64(math.Log2(float64(d))) }.
      // The kubelet writes lastTransitionTime with its node's clock, which may be ahead of the controller's.
      expect(first(readyPod('ahead', rs, 'n', { readySince: -5, uid: 'b' }), readyPod('ready', rs, 'n', { readySince: 10, uid: 'a' })), 'ready 5 s from now (uid b) vs 10 s ago (uid a)').toBe('ahead');
      expect(first(readyPod('now', rs, 'n', { readySince: 0, uid: 'b' }), readyPod('ahead', rs, 'n', { readySince: -5, uid: 'a' })), 'ready right now (uid b) vs 5 s from now (uid a)').toBe('ahead');
    },
  );

  test('two pods that are not ready compare restarts, not when they stopped being ready', hint('6. compares Ready times only when both pods are ready'), () => {
    const flappy = pod('flappy', { owner: rs, node: 'n', phase: 'Running', readySince: false, restarts: 5, uid: 'b' });
    const stuck = { ...pod('stuck', { owner: rs, node: 'n', phase: 'Running', readySince: false, uid: 'a' }) };
    stuck.status = { ...stuck.status, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(1) }] };
    expect(first(flappy, stuck), 'not ready, 5 restarts (not ready for 30 s) vs 0 restarts (not ready for 1 s)').toBe('flappy');
  });

  // compareMaxContainerRestarts (controller_utils.go): regular containers first, then restartable
  // init containers (sidecars); a plain init container's restarts do not count.
  test('same restarts in the containers: more sidecar restarts first; plain init containers do not count', hint('7. then the restarts of init containers with restartPolicy Always'), () => {
    const a = withInit(readyPod('sidecar-flaps', rs, 'n', { readySince: 100, restarts: 1, uid: 'b' }), { sidecar: 4, init: 0 });
    const b = withInit(readyPod('init-flapped', rs, 'n', { readySince: 100, restarts: 1, uid: 'a' }), { sidecar: 0, init: 9 });
    expect(first(a, b), 'both 1 restart; sidecar 4 restarts vs plain init container 9').toBe('sidecar-flaps');
  });

  test('more restarts first; then the pod created more recently', hint('7. restarts, 8. creationTimestamp'), () => {
    const a = readyPod('flappy', rs, 'n', { readySince: 100, restarts: 5, uid: 'b' });
    const b = readyPod('steady', rs, 'n', { readySince: 100, restarts: 0, uid: 'a' });
    expect(first(a, b), 'same ready time, 5 restarts vs 0').toBe('flappy');
    const young = pod('young', { owner: rs, node: 'n', phase: 'Running', readySince: false, age: 5, uid: 'z' });
    const old = pod('old', { owner: rs, node: 'n', phase: 'Running', readySince: false, age: 3_000, uid: 'a' });
    expect(first(young, old), 'not ready, created 5 s ago vs 3,000 s ago').toBe('young');
    const newer = pod('newer', { owner: rs, node: 'n', phase: 'Running', readySince: false, age: 10, uid: 'b' });
    const older = pod('older', { owner: rs, node: 'n', phase: 'Running', readySince: false, age: 16, uid: 'a' });
    expect(first(newer, older), 'not ready, created 10 s (uid b) and 16 s (uid a) ago: the same doubling bucket').toBe('older');
  });

  test('asked for every pod or more, it returns them all as given, without ranking', hint('When diff >= pods.length, return the pods unsorted'), () => {
    const pods = [readyPod('ready', rs, 'n'), pod('unassigned', { owner: rs })];
    expect(show(names(c.getPodsToDelete(pods, [], 2, NOW))), 'getPodsToDelete([ready, unassigned], diff 2)').toBe(show(['ready', 'unassigned']));
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
    const one = c.calculateReplicaSetStatus(rs, [readyPod('a', rs)], forbidden('exceeded quota'), NOW);
    expect(one.conditions?.[0]?.reason, 'reason with 1 pod of 3 after a failed create').toBe('FailedCreate');
  });

  test('a failed delete (more pods than replicas) sets ReplicaFailure FailedDelete', hint('diff = pods - replicas: above 0 is FailedDelete'), () => {
    const rs = replicaSet('web', { replicas: 1 });
    const s = c.calculateReplicaSetStatus(rs, [readyPod('a', rs), readyPod('b', rs)], forbidden('pods "b" is forbidden'), NOW);
    expect(show(s.conditions?.map((x) => [x.type, x.reason, x.message])), 'conditions with 2 pods of 1 after a failed delete').toBe(
      show([['ReplicaFailure', 'FailedDelete', 'pods "b" is forbidden']]),
    );
  });

  // replica_set_utils.go calculateStatus: a ReplicaFailure already there is kept as it is while errors go on.
  test('an error again while ReplicaFailure is already set keeps that condition as it was', hint('Add ReplicaFailure only when there is none yet'), () => {
    const since = { type: 'ReplicaFailure', status: 'True' as const, lastTransitionTime: ago(100), reason: 'FailedCreate', message: 'first error' };
    const rs = replicaSet('web', { replicas: 3, status: { replicas: 0, observedGeneration: 1, conditions: [since] } });
    const s = c.calculateReplicaSetStatus(rs, [], forbidden('second error'), NOW);
    expect(show(s.conditions), 'conditions after a second failure').toBe(show([since]));
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

  // controller_ref_manager.go AdoptPod: the patch adds {apiVersion apps/v1, kind ReplicaSet, name,
  // uid, controller: true, blockOwnerDeletion: true}; ReleasePod removes only the owner's own reference.
  test(
    'the adoption patch adds a full controller reference; a release keeps the other owners',
    hint('newControllerRef(rs, "apps/v1", "ReplicaSet"); release: the refs minus the one with our uid'),
    async () => {
      const rs = replicaSet('web', { replicas: 2 });
      const other = replicaSet('keeper');
      const refs: unknown[] = [];
      const recorder = new Recorder();
      const patch = recorder.patchPodOwnerReferences.bind(recorder);
      recorder.patchPodOwnerReferences = (p, r) => (refs.push(r), patch(p, r));
      const shared = pod('debugged', { owner: rs, node: 'n', labels: { app: 'debug' } });
      shared.metadata.ownerReferences = [...shared.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: other.metadata.uid! }];
      const { ctx } = rsContext({ replicaSets: [rs], pods: [readyPod('mine', rs), pod('orphan', { node: 'n', readySince: 5 }), shared] }, recorder);
      await c.syncReplicaSet('default/web', ctx);
      expect(show(refs), 'ownerReferences sent: adopting orphan, releasing debugged').toBe(
        show([
          [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
          [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: other.metadata.uid }],
        ]),
      );
    },
  );

  // controller_ref_manager.go AdoptPod/ReleasePod: NotFound (the pod is gone) is no error for either;
  // Invalid is no error for a release (the reference was removed meanwhile); any other error fails the sync.
  test('an orphan gone before its adoption is not counted; another adoption error fails the sync', hint('Adopting: skip on NotFound, throw anything else; count only the pods adopted'), async () => {
    const rs = replicaSet('web', { replicas: 2 });
    const pods = () => [readyPod('mine', rs), pod('orphan', { node: 'n', readySince: 5 })];
    const gone = new Recorder((a) => (a.startsWith('patch pod default/orphan') ? notFound('pods "orphan"') : undefined));
    await c.syncReplicaSet('default/web', rsContext({ replicaSets: [rs], pods: pods() }, gone).ctx);
    expect(gone.actions.filter((a) => a.startsWith('create')).length, 'pods created when the orphan vanished before its adoption (1 of 2 left)').toBe(1);
    const refused = new Recorder((a) => (a.startsWith('patch pod default/orphan') ? forbidden('patch refused') : undefined));
    await expect(c.syncReplicaSet('default/web', rsContext({ replicaSets: [rs], pods: pods() }, refused).ctx), 'syncReplicaSet when the adoption patch is refused (Forbidden)').rejects.toThrow(
      'patch refused',
    );
  });

  test('a release that finds the pod gone or already released is fine; another release error fails the sync', hint('Releasing: NotFound and Invalid are no error; anything else is'), async () => {
    const rs = replicaSet('web', { replicas: 1 });
    const invalid = new ApiError({ code: 422, reason: 'Invalid', message: 'pods "debugged" is invalid' });
    for (const [what, error, fails] of [
      ['NotFound', notFound('pods "debugged"'), false],
      ['Invalid', invalid, false],
      ['Forbidden', forbidden('release refused'), true],
    ] as const) {
      const recorder = new Recorder((a) => (a.startsWith('patch pod default/debugged') ? error : undefined));
      const { ctx } = rsContext({ replicaSets: [rs], pods: [readyPod('mine', rs), pod('debugged', { owner: rs, node: 'n', labels: { app: 'debug' } })] }, recorder);
      const outcome = await c.syncReplicaSet('default/web', ctx).then(
        () => 'returned',
        () => 'threw',
      );
      expect(outcome, `syncReplicaSet when the release patch fails with ${what}`).toBe(fails ? 'threw' : 'returned');
    }
  });

  // replica_set.go getIndirectlyRelatedPods + getPodsRankedByRelatedPodsOnSameNode: the rank counts the
  // active pods of every ReplicaSet of the same Deployment on each node, not only this one's.
  test(
    'scaling down, the pod on the node crowded by its sibling ReplicaSets goes, counting only their active pods',
    hint('relatedPods: the pods matching any ReplicaSet with the same controller (ctx.replicaSets.byIndex(CONTROLLER_INDEX, ...)); getPodsToDelete counts the active ones per node'),
    async () => {
      const d = deployment('web');
      const mine = replicaSet('web-new', { replicas: 1, owner: d, labels: { app: 'web', v: 'new' } });
      const sibling = replicaSet('web-old', { replicas: 2, owner: d, labels: { app: 'web', v: 'old' } });
      const pods = [
        readyPod('a', mine, 'node-a', { readySince: 10 }), // the newest: without ranks it would go first
        readyPod('b', mine, 'node-b', { readySince: 1_000 }),
        readyPod('old-1', sibling, 'node-b'),
        readyPod('old-2', sibling, 'node-b'),
        ...[1, 2, 3].map((i) => readyPod(`old-leaving-${i}`, sibling, 'node-a', { deleting: true })),
        ...[1, 2, 3, 4, 5].map((i) => pod(`db-${i}`, { node: 'node-a', readySince: 60, labels: { app: 'db' } })),
      ];
      const { ctx, recorder } = rsContext({ replicaSets: [mine, sibling], pods });
      await c.syncReplicaSet('default/web-new', ctx);
      expect(
        recorder.actions.filter((a) => a.startsWith('delete')),
        'pods deleted: node-a holds a, 3 sibling pods being deleted and 5 pods of another app; node-b holds b and 2 sibling pods',
      ).toEqual(['delete pod default/b']);
    },
  );

  test('a deletion refused (not NotFound) fails the sync with ReplicaFailure FailedDelete', hint('Keep the first error other than NotFound, write the status, then throw it'), async () => {
    const rs = replicaSet('web', { replicas: 1 });
    const recorder = new Recorder((action) => (action.startsWith('delete pod') ? forbidden('pods "b" is forbidden') : undefined));
    const { ctx } = rsContext({ replicaSets: [rs], pods: [readyPod('a', rs, 'n', { readySince: 500 }), readyPod('b', rs, 'n', { readySince: 5 })] }, recorder);
    await expect(c.syncReplicaSet('default/web', ctx), 'syncReplicaSet when the delete is refused').rejects.toThrow('forbidden');
    expect(show(recorder.lastStatus<ReplicaSetStatus>().conditions?.map((x) => [x.type, x.reason])), 'conditions written').toBe(show([['ReplicaFailure', 'FailedDelete']]));
  });

  // replica_set.go updateReplicaSetStatus: no write only when replicas, fullyLabeled, ready and
  // available replicas, the observed generation and the conditions are all unchanged.
  test('the status is written when any of its counts or the generation changed', hint('Compare every field of the status, and metadata.generation with status.observedGeneration'), async () => {
    const rs0 = replicaSet('web', { replicas: 2 });
    const right = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 };
    for (const [what, status, generation] of [
      ['fullyLabeledReplicas 1', { ...right, fullyLabeledReplicas: 1 }, 1],
      ['readyReplicas 1', { ...right, readyReplicas: 1 }, 1],
      ['availableReplicas 1', { ...right, availableReplicas: 1 }, 1],
      ['generation 2, observedGeneration 1', right, 2],
    ] as const) {
      const rs = replicaSet('web', { replicas: 2, status, generation });
      rs.metadata.uid = rs0.metadata.uid;
      const { ctx, recorder } = rsContext({ replicaSets: [rs], pods: [readyPod('a', rs0), readyPod('b', rs0)] });
      await c.syncReplicaSet('default/web', ctx);
      expect(show(recorder.actions), `actions when the status says ${what} (2 pods, both ready and available)`).toBe(show(['update replicaset default/web status']));
    }
  });

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

  // replica_set.go syncReplicaSet: AddAfter(minReadySeconds) only when minReadySeconds > 0, every replica
  // is ready, and not every replica is available.
  test(
    'every pod ready but not yet available for minReadySeconds: look again after minReadySeconds; otherwise not',
    hint('requeue only when readyReplicas == replicas and availableReplicas != replicas'),
    async () => {
      const rs = replicaSet('web', { replicas: 2, minReadySeconds: 30 });
      const sync = async (r: ReplicaSet, pods: Pod[]) => show(await c.syncReplicaSet('default/web', rsContext({ replicaSets: [r], pods }).ctx));
      expect(await sync(rs, [readyPod('a', rs, 'n', { readySince: 5 }), readyPod('b', rs, 'n', { readySince: 5 })]), 'returned: 2 of 2 ready for 5 s, minReadySeconds 30').toBe(
        show({ requeueAfterMs: 30_000 }),
      );
      expect(await sync(rs, [readyPod('a', rs, 'n', { readySince: 5 }), pod('b', { owner: rs, node: 'n', readySince: false })]), 'returned: 1 of 2 ready, minReadySeconds 30').toBe(show({}));
      expect(await sync(rs, [readyPod('a', rs, 'n', { readySince: 60 }), readyPod('b', rs, 'n', { readySince: 60 })]), 'returned: 2 of 2 ready for 60 s, minReadySeconds 30').toBe(show({}));
      const plain = replicaSet('web', { replicas: 2 });
      expect(await sync(plain, [readyPod('a', plain), pod('b', { owner: plain, node: 'n', readySince: false })]), 'returned: 1 of 2 ready, minReadySeconds 0').toBe(show({}));
    },
  );

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
