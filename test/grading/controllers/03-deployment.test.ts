/**
 * Hidden suite for 04-controllers/03-deployment: the rollout arithmetic (fenceposts, how far the new
 * ReplicaSet may grow and the old ones shrink), the template hash, the status and its conditions,
 * then whole syncs with a recording client. After upstream's
 * pkg/controller/deployment/util/deployment_util_test.go (TestResolveFenceposts, TestNewRSNewReplicas),
 * rolling_test.go (TestDeploymentController_reconcileNewReplicaSet, _reconcileOldReplicaSets,
 * _cleanupUnhealthyReplicas, _scaleDownOldReplicaSetsForRollingUpdate), progress_test.go
 * (TestSyncRolloutStatus, TestRequeueStuckDeployment), sync_test.go (TestDeploymentController_cleanupDeployment)
 * and recreate_test.go.
 */
import { describe, expect, test } from 'vitest';
import { deepHashString } from '#engine/controllers/deployment-util.ts';
import { ApiError } from '#engine/kube/errors.ts';
import { Indexer } from '#engine/controllers/indexer.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Deployment, DeploymentStatus, ReplicaSet } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { NOW, Recorder, ago, deployment, deploymentContext, forbidden, notFound, pod, replicaSet, template } from './make.ts';

const notFoundError = () => notFound('replicasets.apps "web"');

const c = await loadComponent('controllers');

/** FNV-32a and client-go's SafeEncodeString, written independently for the check. */
function expectedHash(text: string, collisionCount?: number): string {
  const bytes = [...new TextEncoder().encode(text)];
  if (collisionCount !== undefined) bytes.push(collisionCount & 255, (collisionCount >> 8) & 255, (collisionCount >> 16) & 255, (collisionCount >>> 24) & 255, 0, 0, 0, 0);
  let h = 2166136261n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 16777619n) % 2n ** 32n;
  return [...h.toString()].map((d) => 'bcdfghjklmnpqrstvwxz2456789'[d.charCodeAt(0) % 27]).join('');
}

const rolling = (replicas: number, maxSurge: number | string, maxUnavailable: number | string, extra: Partial<Deployment['spec']> = {}) =>
  deployment('web', { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } }, ...extra });
const rs = (name: string, replicas: number, available: number, age = 600, extra: Parameters<typeof replicaSet>[1] = {}) =>
  replicaSet(name, { replicas, age, status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 }, ...extra });

describe('fenceposts: maxSurge and maxUnavailable as pods', () => {
  test('percentages: maxSurge rounds up, maxUnavailable rounds down', hint('25% of 10 is 2.5: surge 3, unavailable 2'), () => {
    expect(show(c.resolveFenceposts('25%', '25%', 10)), "resolveFenceposts('25%', '25%', 10)").toBe(show({ maxSurge: 3, maxUnavailable: 2 }));
    expect(show(c.resolveFenceposts('30%', '30%', 1)), "resolveFenceposts('30%', '30%', 1)").toBe(show({ maxSurge: 1, maxUnavailable: 0 }));
  });

  test('whole numbers are taken as they are', () => {
    expect(show(c.resolveFenceposts(1, 0, 3)), 'resolveFenceposts(1, 0, 3)').toBe(show({ maxSurge: 1, maxUnavailable: 0 }));
    expect(show(c.resolveFenceposts(0, 2, 3)), 'resolveFenceposts(0, 2, 3)').toBe(show({ maxSurge: 0, maxUnavailable: 2 }));
  });

  test('both resolving to 0 would never move: maxUnavailable becomes 1', hint('After rounding, if both are 0, set maxUnavailable to 1'), () => {
    expect(show(c.resolveFenceposts('10%', '10%', 3)), "resolveFenceposts('10%', '10%', 3): 0.3 up is 1, 0.3 down is 0").toBe(show({ maxSurge: 1, maxUnavailable: 0 }));
    expect(show(c.resolveFenceposts('0%', '10%', 3)), "resolveFenceposts('0%', '10%', 3)").toBe(show({ maxSurge: 0, maxUnavailable: 1 }));
  });

  // deployment_util.go ResolveFenceposts: an unset value counts as 0 (intstrutil.ValueOrDefault(x, 0)).
  test('an unset maxSurge or maxUnavailable counts as 0', hint('undefined is 0 pods, not an error and not NaN'), () => {
    expect(show(c.resolveFenceposts(undefined, 2, 4)), 'resolveFenceposts(undefined, 2, 4)').toBe(show({ maxSurge: 0, maxUnavailable: 2 }));
    expect(show(c.resolveFenceposts('50%', undefined, 4)), "resolveFenceposts('50%', undefined, 4)").toBe(show({ maxSurge: 2, maxUnavailable: 0 }));
  });
});

describe('pod-template-hash', () => {
  test("FNV-32a of the template's printed form, safe-encoded", hint('FNV-32a: start at 2166136261; for each byte, xor it in, then multiply by 16777619 modulo 2^32'), () => {
    const t = template({ app: 'nginx' }, 'nginx:1.14.2');
    expect(c.computeHash(t), 'computeHash(nginx:1.14.2 template)').toBe(expectedHash(deepHashString(t)));
  });

  test('collisionCount is hashed in too, so a collision gives a new name', hint('8 more bytes: the count as a little-endian uint32, then four zeros'), () => {
    const t = template();
    expect(c.computeHash(t, 1), 'computeHash(t, 1)').toBe(expectedHash(deepHashString(t), 1));
    expect(c.computeHash(t, 0), 'computeHash(t, 0) differs from computeHash(t)').not.toBe(c.computeHash(t));
  });
});

describe('how far the new ReplicaSet may grow (NewRSNewReplicas)', () => {
  test('10 replicas, maxSurge 25%: the pods may total 13, so the new ReplicaSet starts at 3', hint('maxTotal = replicas + maxSurge; count every ReplicaSet, the new one included'), () => {
    const d = rolling(10, '25%', '25%');
    const newRS = rs('new', 0, 0);
    expect(c.newRSNewReplicas(d, [rs('old', 10, 10), newRS], newRS), 'old 10 + new 0, room up to 13').toBe(3);
  });

  test("the new ReplicaSet's own pods count against the surge too", hint('Did you add up only the old ReplicaSets?'), () => {
    const d = rolling(10, '25%', '25%');
    const newRS = rs('new', 3, 0);
    expect(c.newRSNewReplicas(d, [rs('old', 8, 8), newRS], newRS), 'old 8 + new 3 = 11, room for 2 more').toBe(5);
    const full = rs('new', 3, 3);
    expect(c.newRSNewReplicas(d, [rs('old', 10, 10), full], full), 'old 10 + new 3 = 13: no room').toBe(3);
  });

  test('never past spec.replicas; Recreate goes straight to spec.replicas', () => {
    const newRS = rs('new', 9, 9);
    expect(c.newRSNewReplicas(rolling(10, 5, 0), [rs('old', 1, 1), newRS], newRS), 'room for 5, but only 1 missing').toBe(10);
    const recreate = deployment('web', { replicas: 4, strategy: { type: 'Recreate' } });
    expect(c.newRSNewReplicas(recreate, [rs('new', 0, 0)], rs('new', 0, 0)), 'Recreate, 4 replicas').toBe(4);
    expect(c.newRSNewReplicas(recreate, [rs('old', 4, 4), rs('new', 0, 0)], rs('new', 0, 0)), 'Recreate, 4 replicas, an old ReplicaSet of 4 still there').toBe(4);
    const over = rs('new', 3, 3);
    expect(c.newRSNewReplicas(rolling(10, '25%', '25%'), [rs('old', 11, 11), over], over), 'old 11 + new 3 = 14, over the 13 allowed: the new one stays at 3').toBe(3);
  });
});

describe('how far the old ReplicaSets may shrink (reconcileOldReplicaSets)', () => {
  const plan = (m: Map<string, number>) => show(Object.fromEntries([...m].sort()));

  test('with maxUnavailable 0, old pods go only as new ones become available', hint('minAvailable = replicas - maxUnavailable; scale down by available - minAvailable'), () => {
    const d = rolling(3, 1, 0);
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('old', 3, 3)], rs('new', 1, 0))), 'old 3 available, new 1 not yet available').toBe(plan(new Map()));
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('old', 3, 3)], rs('new', 1, 1))), 'new 1 available').toBe(plan(new Map([['old', 2]])));
  });

  test('maxUnavailable 25% of 10 is 2 (rounded down): two old pods go at once', hint('Rounding maxUnavailable up would allow 3'), () => {
    const d = rolling(10, '25%', '25%');
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('old', 10, 10)], rs('new', 3, 0))), 'old 10 available, new 3 starting').toBe(plan(new Map([['old', 8]])));
  });

  test('unavailable old pods are removed first, and the oldest ReplicaSet shrinks first', hint('cleanupUnhealthyReplicas, then scale down oldest first'), () => {
    const d = rolling(4, 0, 1);
    const oldest = rs('oldest', 2, 1, 900);
    const older = rs('older', 2, 2, 600);
    expect(plan(c.scaleDownOldReplicaSets(d, [older, oldest], rs('new', 0, 0, 10))), 'oldest 2 (1 available), older 2 available, new 0, maxUnavailable 1').toBe(plan(new Map([['oldest', 1]])));
  });
});

// rolling.go reconcileOldReplicaSets: cleanupUnhealthyReplicas (oldest first, at most maxScaledDown
// in all), then scaleDownOldReplicaSetsForRollingUpdate (oldest first, by available - minAvailable).
describe('how far the old ReplicaSets may shrink, with several of them', () => {
  const plan = (m: Map<string, number>) => show(Object.fromEntries([...m].sort()));

  test('unhealthy pods first, then available ones, oldest first', hint('cleanupUnhealthyReplicas, then scale down by available - minAvailable'), () => {
    const d = rolling(10, 0, 3); // minAvailable 7
    const older = rs('older', 4, 2, 900);
    const old = rs('old', 6, 6, 600);
    expect(plan(c.scaleDownOldReplicaSets(d, [old, older], rs('new', 0, 0, 10))), 'older 4 (2 available), old 6 available, new 0; maxUnavailable 3').toBe(plan(new Map([['older', 1]])));
  });

  test('no more unhealthy pods removed than maxScaledDown', hint("maxScaledDown = all pods - minAvailable - the new ReplicaSet's unavailable pods caps the cleanup too"), () => {
    const d = rolling(10, 0, 1); // minAvailable 9
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('older', 5, 0, 900), rs('old', 5, 5, 600)], rs('new', 0, 0, 10))), 'older 5 (none available), old 5 available, maxUnavailable 1').toBe(
      plan(new Map([['older', 4]])),
    );
  });

  test('the scale-down spans ReplicaSets: the oldest to 0, then the next one', hint('Keep going to the next old ReplicaSet until available - minAvailable pods are gone'), () => {
    const d = rolling(4, 0, 2); // minAvailable 2
    const got = c.scaleDownOldReplicaSets(d, [rs('old', 2, 2, 600), rs('older', 2, 2, 900), rs('empty', 0, 0, 1_000)], rs('new', 2, 1, 10));
    expect(plan(got), 'older 2, old 2, an empty one, new 2 (1 available); maxUnavailable 2').toBe(
      plan(
        new Map([
          ['older', 0],
          ['old', 1],
        ]),
      ),
    );
  });

  // rolling.go reconcileOldReplicaSets: only the active old ReplicaSets (FilterActiveReplicaSets) and
  // the new one are counted (allRSs = append(oldRSs, newRS) before scaleDownOldReplicaSetsForRollingUpdate).
  test(
    'an old ReplicaSet already at 0 whose pods are still available does not count',
    hint('Count only the old ReplicaSets with spec.replicas > 0: pods of one scaled to 0 are on their way out'),
    () => {
      const d = rolling(3, 1, 0); // minAvailable 3
      const got = c.scaleDownOldReplicaSets(d, [rs('gone', 0, 0, 900, { status: { replicas: 2, availableReplicas: 2, observedGeneration: 1 } }), rs('old', 3, 3, 600)], rs('new', 1, 1, 10));
      expect(plan(got), 'gone 0 (2 pods still available), old 3 available, new 1 available; maxUnavailable 0').toBe(plan(new Map([['old', 2]])));
    },
  );

  test('enough new pods unavailable: nothing goes, even with old pods available', () => {
    const d = rolling(4, 1, 1); // minAvailable 3
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('old', 3, 3, 600)], rs('new', 2, 0, 10))), 'old 3 available, new 2 unavailable: 5 - 3 - 2 = 0').toBe(plan(new Map()));
  });
});

test(
  'the worked example of the lesson, step by step: 4 replicas, 25%/25%, never above 5 pods or below 3 available',
  hint('Alternate: grow the new ReplicaSet while there is room, else shrink old ones while enough stay available'),
  () => {
    const d = rolling(4, '25%', '25%');
    let old = 4;
    let neu = 0;
    let newAvailable = 0;
    const steps: string[] = [];
    for (let i = 0; i < 8 && !(old === 0 && neu === 4); i++) {
      const oldRS = rs('old', old, old, 600);
      const newRS = rs('new', neu, newAvailable, 10);
      const grown = c.newRSNewReplicas(d, [oldRS, newRS], newRS);
      if (grown !== neu) {
        neu = grown;
        steps.push(`new ${neu}`);
      } else {
        const plan = c.scaleDownOldReplicaSets(d, [oldRS], newRS);
        if (!plan.has('old')) break;
        old = plan.get('old')!;
        steps.push(`old ${old}`);
      }
      expect(old + neu, `pods after ${steps.join(', ')}`).toBeLessThanOrEqual(5);
      expect(old + newAvailable, `available after ${steps.join(', ')}`).toBeGreaterThanOrEqual(3);
      newAvailable = neu; // the new pods become available before the next step
    }
    expect(show(steps), 'the steps of the table in "Rollouts"').toBe(show(['new 1', 'old 2', 'new 3', 'old 0', 'new 4']));
  },
);

describe('the status and its conditions', () => {
  test('counts from the ReplicaSets, and Available False while fewer than replicas - maxUnavailable are available', hint('Available True needs available >= replicas - maxUnavailable'), () => {
    const d = rolling(4, 1, 1, {});
    const s = c.calculateDeploymentStatus(d, [rs('old', 2, 2), rs('new', 2, 0)], rs('new', 2, 0), NOW);
    expect(
      show({ replicas: s.replicas, updatedReplicas: s.updatedReplicas, readyReplicas: s.readyReplicas, availableReplicas: s.availableReplicas, unavailableReplicas: s.unavailableReplicas }),
      'counts',
    ).toBe(show({ replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 2 }));
    expect(show(s.conditions), 'conditions').toBe(
      show([
        { type: 'Available', status: 'False', lastUpdateTime: ago(0), lastTransitionTime: ago(0), reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
      ]),
    );
  });

  test('Recreate allows no unavailable pod: Available False with 3 of 4 available', hint('MaxUnavailable is 0 for Recreate (and for 0 replicas)'), () => {
    const d = deployment('web', { replicas: 4, strategy: { type: 'Recreate' } });
    const s = c.calculateDeploymentStatus(d, [rs('new', 4, 3)], rs('new', 4, 3), NOW);
    expect(s.conditions?.find((x) => x.type === 'Available')?.status, 'Available, Recreate, 3 of 4 available').toBe('False');
  });

  test('Available True exactly at replicas - maxUnavailable; collisionCount is kept', hint('available >= replicas - maxUnavailable; copy status.collisionCount when set'), () => {
    const d = rolling(4, 1, 1, {});
    d.status = { collisionCount: 2 };
    const s = c.calculateDeploymentStatus(d, [rs('old', 1, 1), rs('new', 3, 2)], rs('new', 3, 2), NOW);
    expect(show([s.conditions?.find((x) => x.type === 'Available')?.status, s.collisionCount]), 'Available with 3 of 4 available, maxUnavailable 1; collisionCount').toBe(show(['True', 2]));
    const none = c.calculateDeploymentStatus(rolling(4, 1, 1), [rs('new', 4, 4)], rs('new', 4, 4), NOW);
    expect('collisionCount' in none, 'a collisionCount key when the Deployment has none').toBe(false);
  });

  // progress.go syncRolloutStatus and deployment_util.go DeploymentProgressing: any of more updated
  // replicas, fewer old ones, more ready or more available is progress.
  test('each sign of progress on its own makes Progressing ReplicaSetUpdated', hint('DeploymentProgressing: updated up, old down, ready up, or available up'), () => {
    const before = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 };
    const stale = {
      type: 'Progressing',
      status: 'True' as const,
      reason: 'ReplicaSetUpdated',
      message: 'ReplicaSet "web-new" is progressing.',
      lastUpdateTime: ago(100),
      lastTransitionTime: ago(100),
    };
    const cases: [string, ReplicaSet, ReplicaSet][] = [
      ['one more updated', rs('web-old', 3, 3), replicaSet('web-new', { replicas: 2, status: { replicas: 2, observedGeneration: 1 } })],
      [
        'one old pod fewer',
        replicaSet('web-old', { replicas: 2, status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 } }),
        replicaSet('web-new', { replicas: 1, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } }),
      ],
      ['one more ready', rs('web-old', 3, 3), replicaSet('web-new', { replicas: 1, status: { replicas: 1, readyReplicas: 1, observedGeneration: 1 } })],
      ['one more available', rs('web-old', 3, 3), replicaSet('web-new', { replicas: 1, status: { replicas: 1, availableReplicas: 1, observedGeneration: 1 } })],
    ];
    for (const [what, old, newRS] of cases) {
      const d = rolling(3, 1, 0, { progressDeadlineSeconds: 600 });
      d.status = { ...before, conditions: [stale] };
      const { status } = c.rolloutStatus(d, [old, newRS], newRS, NOW);
      const p = status.conditions?.find((x) => x.type === 'Progressing');
      expect(show([p?.reason, p?.lastUpdateTime]), `Progressing after ${what}`).toBe(show(['ReplicaSetUpdated', ago(0)]));
    }
  });

  test('not complete while any count is short of replicas', hint('DeploymentComplete: updatedReplicas, replicas and availableReplicas all equal spec.replicas'), () => {
    const full = { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 };
    const cases: [string, ReplicaSet[], ReplicaSet, number][] = [
      [
        '2 of 3 updated',
        [rs('web-old', 1, 1), replicaSet('web-new', { replicas: 2, status: { ...full, replicas: 2, availableReplicas: 2, readyReplicas: 2 } })],
        replicaSet('web-new', { replicas: 2, status: { ...full, replicas: 2, availableReplicas: 2, readyReplicas: 2 } }),
        1,
      ],
      ['4 pods for 3', [rs('web-old', 1, 0), replicaSet('web-new', { replicas: 3, status: full })], replicaSet('web-new', { replicas: 3, status: full }), 1],
      ['2 of 3 available', [replicaSet('web-new', { replicas: 3, status: { ...full, availableReplicas: 2 } })], replicaSet('web-new', { replicas: 3, status: { ...full, availableReplicas: 2 } }), 1],
    ];
    for (const [what, all, newRS, generation] of cases) {
      const d = rolling(3, 1, 0);
      d.metadata.generation = generation;
      d.status = { observedGeneration: 1 };
      const { status } = c.rolloutStatus(d, all, newRS, NOW);
      expect(status.conditions?.find((x) => x.type === 'Progressing')?.reason ?? 'none', `Progressing reason when ${what}`).not.toBe('NewReplicaSetAvailable');
    }
  });

  test('no progress deadline (unset or the maximum int32): no Progressing condition at all', hint('hasProgressDeadline: progressDeadlineSeconds set and not 2147483647'), () => {
    const old = { type: 'Progressing', status: 'True' as const, reason: 'NewReplicaSetAvailable', message: 'x', lastUpdateTime: ago(100), lastTransitionTime: ago(100) };
    for (const deadline of [undefined, 2147483647]) {
      const d = rolling(3, 1, 0, { progressDeadlineSeconds: deadline });
      d.status = { conditions: [old] };
      const newRS = replicaSet('web-new', { replicas: 1, status: { replicas: 1, observedGeneration: 1 } });
      const { status, requeueAfterMs } = c.rolloutStatus(d, [rs('web-old', 3, 3), newRS], newRS, NOW);
      expect(show([status.conditions?.map((x) => x.type), requeueAfterMs]), `conditions and requeue with progressDeadlineSeconds ${deadline}`).toBe(show([['Available'], undefined]));
    }
  });

  // progress.go syncRolloutStatus: a ReplicaFailure of a ReplicaSet (the new one first) is the Deployment's; none: removed.
  test("a ReplicaSet's ReplicaFailure is copied to the Deployment, and removed once gone", hint('GetReplicaSetFailure: look in the new ReplicaSet, then the old ones'), () => {
    const failure = { type: 'ReplicaFailure', status: 'True' as const, lastTransitionTime: ago(5), reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota' };
    const newRS = replicaSet('web-new', { replicas: 2, status: { replicas: 1, observedGeneration: 1, conditions: [failure] } });
    const d = rolling(3, 1, 0);
    const { status } = c.rolloutStatus(d, [rs('web-old', 2, 2), newRS], newRS, NOW);
    expect(show(status.conditions?.find((x) => x.type === 'ReplicaFailure')), 'ReplicaFailure of the Deployment').toBe(
      show({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure.message, lastUpdateTime: ago(5), lastTransitionTime: ago(5) }),
    );
    const healed = replicaSet('web-new', { replicas: 2, status: { replicas: 1, observedGeneration: 1 } });
    const after = c.rolloutStatus({ ...d, status }, [rs('web-old', 2, 2), healed], healed, NOW).status;
    expect(
      after.conditions?.some((x) => x.type === 'ReplicaFailure'),
      'ReplicaFailure once the ReplicaSet has none',
    ).toBe(false);
  });

  test('a finished rollout: Progressing True NewReplicaSetAvailable, as kubectl rollout status waits for', hint('Every replica updated and available, and the generation observed'), () => {
    const d = rolling(3, 1, 0);
    const newRS = replicaSet('web-abc', { replicas: 3, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 } });
    const { status } = c.rolloutStatus(d, [newRS], newRS, NOW);
    expect(show(status.conditions?.find((x) => x.type === 'Progressing')), 'Progressing').toBe(
      show({ type: 'Progressing', status: 'True', lastUpdateTime: ago(0), lastTransitionTime: ago(0), reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.' }),
    );
  });

  test('more pods updated than the status said: Progressing ReplicaSetUpdated, keeping when it became True', () => {
    const d = rolling(3, 1, 0, {});
    d.status = {
      replicas: 3,
      updatedReplicas: 0,
      availableReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'Created new replica set "web-new"', lastUpdateTime: ago(100), lastTransitionTime: ago(100) }],
    };
    const newRS = replicaSet('web-new', { replicas: 1, status: { replicas: 1, observedGeneration: 1 } });
    const old = rs('web-old', 3, 3);
    const { status } = c.rolloutStatus(d, [old, newRS], newRS, NOW);
    expect(show(status.conditions?.find((x) => x.type === 'Progressing')), 'Progressing').toBe(
      show({ type: 'Progressing', status: 'True', lastUpdateTime: ago(0), lastTransitionTime: ago(100), reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.' }),
    );
  });

  test('no progress for progressDeadlineSeconds: Progressing False ProgressDeadlineExceeded', hint('lastUpdateTime + progressDeadlineSeconds < now'), () => {
    const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60 });
    const newRS = replicaSet('web-new', { replicas: 1, status: { replicas: 1, observedGeneration: 1 } });
    const old = rs('web-old', 3, 3);
    d.status = {
      replicas: 4,
      updatedReplicas: 1,
      availableReplicas: 3,
      readyReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.', lastUpdateTime: ago(61), lastTransitionTime: ago(61) }],
    };
    const { status } = c.rolloutStatus(d, [old, newRS], newRS, NOW);
    expect(show(status.conditions?.find((x) => x.type === 'Progressing')), 'Progressing').toBe(
      show({
        type: 'Progressing',
        status: 'False',
        lastUpdateTime: ago(0),
        lastTransitionTime: ago(0),
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "web-new" has timed out progressing.',
      }),
    );
  });

  test('a stuck rollout with nothing new asks to be looked at again when its deadline passes', hint('requeueStuckDeployment: lastUpdateTime + deadline - now, plus 1 s'), () => {
    const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60 });
    const newRS = replicaSet('web-new', { replicas: 1, status: { replicas: 1, observedGeneration: 1 } });
    const old = rs('web-old', 3, 3);
    const first = c.rolloutStatus(d, [old, newRS], newRS, NOW - 20_000).status; // written 20 s ago
    const again = c.rolloutStatus({ ...d, status: first }, [old, newRS], newRS, NOW);
    expect(show(again.requeueAfterMs), 'requeueAfterMs, 20 s into a 60 s deadline').toBe(show(41_000));
  });
});

describe('syncDeployment, one sync at a time (recorded actions)', () => {
  test(
    'a new Deployment creates its ReplicaSet <name>-<hash>, revision 1, with the hash in its labels and selector',
    hint('ReplicaSet name, template label and selector all carry pod-template-hash; annotations revision, desired-replicas, max-replicas'),
    async () => {
      const d = deployment('web');
      const { ctx, recorder } = deploymentContext({ deployments: [d] });
      await c.syncDeployment('default/web', ctx);
      const hash = c.computeHash(d.spec.template);
      // Two status writes, as upstream: Progressing NewReplicaSetCreated, then the counts (syncRolloutStatus).
      expect(show(recorder.actions), 'actions').toBe(
        show([`create replicaset default/web-${hash} replicas=3`, 'update deployment default/web revision=1', 'update deployment default/web status', 'update deployment default/web status']),
      );
      const created = recorder.created[0] as ReplicaSet;
      expect(show(created.spec.selector), 'selector').toBe(show({ matchLabels: { app: 'web', 'pod-template-hash': hash } }));
      expect(show(created.spec.template.metadata?.labels), 'template labels').toBe(show({ app: 'web', 'pod-template-hash': hash }));
      expect(show(created.metadata.annotations), 'annotations').toBe(
        show({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' }),
      );
      expect(show(created.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller])), 'ownerReferences').toBe(show([['Deployment', 'web', true]]));
      expect(recorder.lastStatus<DeploymentStatus>().conditions?.find((x) => x.type === 'Progressing')?.reason, 'Progressing reason').toBe('NewReplicaSetCreated');
      expect(recorder.events, 'events').toContain(`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`);
    },
  );

  test(
    'a new image with maxSurge 1, maxUnavailable 0: a new ReplicaSet of 1 (revision 2); the old one keeps its 3',
    hint('The surge counts every pod: 3 old + 1 new = 4 = replicas + maxSurge'),
    async () => {
      const d = rolling(3, 1, 0, { template: template({ app: 'web' }, 'nginx:1.16.1') });
      const old = rs('web-old', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'nginx:1.14.2'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [old] });
      await c.syncDeployment('default/web', ctx);
      const hash = c.computeHash(d.spec.template);
      expect(recorder.actions[0], 'first action').toBe(`create replicaset default/web-${hash} replicas=1`);
      expect((recorder.created[0] as ReplicaSet).metadata.annotations?.['deployment.kubernetes.io/revision'], 'revision of the new ReplicaSet').toBe('2');
      expect(
        recorder.actions.some((a) => a.startsWith('update replicaset default/web-old')),
        'the old ReplicaSet is not touched yet',
      ).toBe(false);
    },
  );

  test('once the new pod is available, an old one goes: 3 → 2', async () => {
    const d = rolling(3, 1, 0, { template: template({ app: 'web' }, 'nginx:1.16.1') });
    const old = rs('web-old', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'nginx:1.14.2'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
    const newRS = rs('web-new', 1, 1, 10, {
      owner: d,
      template: template({ app: 'web' }, 'nginx:1.16.1'),
      annotations: { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
    });
    const { ctx, recorder } = deploymentContext({ deployments: [{ ...d, metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '2' } } }], replicaSets: [old, newRS] });
    await c.syncDeployment('default/web', ctx);
    expect(
      recorder.actions.filter((a) => a.startsWith('update replicaset')),
      'ReplicaSets scaled',
    ).toEqual(['update replicaset default/web-old replicas=2']);
    expect(recorder.events, 'events').toContain('Normal ScalingReplicaSet Scaled down replica set web-old from 3 to 2');
  });

  test(
    'rollout undo: the old ReplicaSet whose template matches again becomes the new one, with the next revision',
    hint('FindNewReplicaSet compares templates (equalIgnoreHash), not names; its revision becomes max(old revisions) + 1'),
    async () => {
      const d = rolling(3, 1, 0, { template: template({ app: 'web' }, 'nginx:1.14.2') });
      const v1 = rs('web-v1', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'nginx:1.14.2'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
      const v2 = rs('web-v2', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'nginx:1.16.1'), annotations: { 'deployment.kubernetes.io/revision': '2' } });
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [v1, v2] });
      await c.syncDeployment('default/web', ctx);
      expect(recorder.actions[0], 'first action: web-v1 takes revision 3').toBe('update replicaset default/web-v1 replicas=0');
      expect(
        recorder.actions.some((a) => a.startsWith('create replicaset')),
        'no new ReplicaSet is created',
      ).toBe(false);
      expect(recorder.actions, 'actions').toContain('update replicaset default/web-v1 replicas=1');
    },
  );

  test('Recreate: every old pod goes first; the new ReplicaSet waits until they are gone', hint('Scale old ReplicaSets to 0; do not create the new one while old pods still run'), async () => {
    const d = deployment('web', { replicas: 2, strategy: { type: 'Recreate' }, template: template({ app: 'web' }, 'v2') });
    const old = rs('web-old', 2, 2, 600, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
    const first = deploymentContext({ deployments: [d], replicaSets: [old] });
    await c.syncDeployment('default/web', first.ctx);
    expect(
      first.recorder.actions.filter((a) => a.includes('replicaset')),
      'first sync',
    ).toEqual(['update replicaset default/web-old replicas=0']);
    const draining = { ...old, spec: { ...old.spec, replicas: 0 }, status: { replicas: 1, observedGeneration: 1 } };
    const second = deploymentContext({ deployments: [d], replicaSets: [draining], pods: [pod('old-pod', { owner: draining, node: 'n', readySince: 60 })] });
    await c.syncDeployment('default/web', second.ctx);
    expect(
      second.recorder.actions.filter((a) => a.includes('replicaset')),
      'while an old pod still runs',
    ).toEqual([]);
  });

  test('a paused Deployment does not start a rollout: no new ReplicaSet, Progressing Unknown DeploymentPaused', hint('Paused: only scale what exists'), async () => {
    const d = rolling(3, 1, 0, { paused: true, template: template({ app: 'web' }, 'v2') });
    const old = rs('web-old', 3, 3, 600, {
      owner: d,
      template: template({ app: 'web' }, 'v1'),
      annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3' },
    });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [old] });
    await c.syncDeployment('default/web', ctx);
    expect(
      recorder.actions.some((a) => a.startsWith('create replicaset')),
      'a ReplicaSet created while paused',
    ).toBe(false);
    const progressing = (recorder.statuses as DeploymentStatus[]).flatMap((s) => s.conditions ?? []).find((x) => x.type === 'Progressing');
    expect(show([progressing?.status, progressing?.reason, progressing?.message]), 'Progressing').toBe(show(['Unknown', 'DeploymentPaused', 'Deployment is paused']));
  });

  // progress.go syncRolloutStatus: nothing new to write → requeueStuckDeployment, so the sync is
  // looked at again when the deadline would pass (TestRequeueStuckDeployment).
  test(
    'a stuck rollout with nothing to write: the sync asks to be run again when its deadline passes',
    hint('Return { requeueAfterMs } from rolloutStatus when the status did not change'),
    async () => {
      const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60, template: template({ app: 'web' }, 'v2') });
      d.metadata.annotations = { 'deployment.kubernetes.io/revision': '2' };
      const old = rs('web-old', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
      const newRS = rs('web-new', 1, 0, 30, {
        owner: d,
        template: template({ app: 'web' }, 'v2'),
        annotations: { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
      });
      // The status the sync of 20 s ago wrote: the new pod has not become available since.
      d.status = {
        observedGeneration: 1,
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: 1,
        conditions: [
          { type: 'Available', status: 'True', lastUpdateTime: ago(20), lastTransitionTime: ago(20), reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
          { type: 'Progressing', status: 'True', lastUpdateTime: ago(20), lastTransitionTime: ago(20), reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.' },
        ],
      };
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [old, newRS] });
      const result = await c.syncDeployment('default/web', ctx);
      expect(show({ actions: recorder.actions, result }), 'actions and the result of the sync, 20 s into a 60 s deadline').toBe(show({ actions: [], result: { requeueAfterMs: 41_000 } }));
    },
  );

  test('kubectl scale after a rollout: the one active ReplicaSet follows spec.replicas', async () => {
    const d = rolling(5, 1, 0);
    const only = rs('web-abc', 3, 3, 600, {
      owner: d,
      annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
    });
    const progressing = {
      type: 'Progressing',
      status: 'True' as const,
      reason: 'NewReplicaSetAvailable',
      message: 'ReplicaSet "web-abc" has successfully progressed.',
      lastUpdateTime: ago(60),
      lastTransitionTime: ago(60),
    };
    const scaled = {
      ...d,
      metadata: { ...d.metadata, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3, conditions: [progressing] },
    };
    const { ctx, recorder } = deploymentContext({ deployments: [scaled], replicaSets: [only] });
    await c.syncDeployment('default/web', ctx);
    expect(recorder.actions[0], 'first action').toBe('update replicaset default/web-abc replicas=5');
    expect(recorder.events, 'events').toContain('Normal ScalingReplicaSet Scaled up replica set web-abc from 3 to 5');
  });

  test('old empty ReplicaSets beyond revisionHistoryLimit are deleted, lowest revisions first', hint('cleanupDeployment, once the rollout is complete'), async () => {
    const d = rolling(1, 1, 0, { revisionHistoryLimit: 1 });
    const cur = rs('web-r4', 1, 1, 10, {
      owner: d,
      annotations: { 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/desired-replicas': '1', 'deployment.kubernetes.io/max-replicas': '2' },
    });
    const olds = [1, 2, 3].map((r) =>
      rs(`web-r${r}`, 0, 0, 1000 - r * 100, { owner: d, template: template({ app: 'web' }, `v${r}`), annotations: { 'deployment.kubernetes.io/revision': String(r) } }),
    );
    const complete = {
      ...d,
      metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '4' } },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
    };
    const { ctx, recorder } = deploymentContext({ deployments: [complete], replicaSets: [cur, ...olds] });
    await c.syncDeployment('default/web', ctx);
    expect(
      recorder.actions.filter((a) => a.startsWith('delete')),
      'deletions',
    ).toEqual(['delete replicaset default/web-r1', 'delete replicaset default/web-r2']);
  });

  test('an orphan ReplicaSet matching the selector is adopted', async () => {
    const d = deployment('web');
    const orphan = rs(`web-${c.computeHash(d.spec.template)}`, 3, 3, 600, { template: d.spec.template, annotations: { 'deployment.kubernetes.io/revision': '1' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [orphan] });
    await c.syncDeployment('default/web', ctx);
    expect(recorder.actions[0], 'first action').toBe(`patch replicaset default/${orphan.metadata.name} ownerReferences=[Deployment/web]`);
  });

  // sync.go scale() and deployment_util.go GetProportion, as upstream's sync_test.go TestScale: a change
  // of spec.replicas mid-rollout is shared among the active ReplicaSets in proportion to their size
  // (against the max-replicas annotation), the largest taking what rounding left.
  describe('kubectl scale in the middle of a rollout (proportional scaling)', () => {
    const REV = 'deployment.kubernetes.io/revision';
    /** Syncs a Deployment of `want` replicas (maxSurge 0) whose ReplicaSets were sized for `before`; returns name → replicas written. */
    async function scaleTo(
      want: number,
      before: number,
      sets: { name: string; size: number; age: number; current?: boolean; available?: number }[],
      strategy: 'RollingUpdate' | 'Recreate' = 'RollingUpdate',
    ) {
      const d = deployment('web', {
        replicas: want,
        template: template({ app: 'web' }, 'v2'),
        strategy: strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      });
      d.metadata.annotations = { [REV]: '2' };
      const rss = sets.map((x) =>
        rs(x.name, x.size, x.available ?? x.size, x.age, {
          owner: d,
          template: template({ app: 'web' }, x.current ? 'v2' : `v1-${x.name}`),
          annotations: { [REV]: x.current ? '2' : '1', 'deployment.kubernetes.io/desired-replicas': String(before), 'deployment.kubernetes.io/max-replicas': String(before) },
        }),
      );
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: rss });
      await c.syncDeployment('default/web', ctx);
      const sizes: Record<string, number> = {};
      for (const a of recorder.actions) {
        const m = /^update replicaset default\/(\S+) replicas=(\d+)$/.exec(a);
        if (m) sizes[m[1]!] = Number(m[2]);
      }
      return show(Object.fromEntries(Object.entries(sizes).sort()));
    }

    test('5 → 10 with new 2, old 3: new 4, old 6', hint('Each active ReplicaSet grows by round(size × (replicas + maxSurge) / max-replicas) - size'), async () => {
      expect(
        await scaleTo(10, 5, [
          { name: 'new', size: 2, age: 10, current: true },
          { name: 'old', size: 3, age: 600 },
        ]),
        'sizes written',
      ).toBe(show({ new: 4, old: 6 }));
    });

    test('5 → 3 with new 2, old 3: new 1, old 2', hint('Scaling down takes the same proportion off each, at most what must go'), async () => {
      expect(
        await scaleTo(3, 5, [
          { name: 'new', size: 2, age: 10, current: true },
          { name: 'old', size: 3, age: 600 },
        ]),
        'sizes written',
      ).toBe(show({ new: 1, old: 2 }));
    });

    test('9 → 4 with new 8, old 1: new 4, old 0', async () => {
      expect(
        await scaleTo(4, 9, [
          { name: 'new', size: 8, age: 10, current: true },
          { name: 'old', size: 1, age: 600 },
        ]),
        'sizes written',
      ).toBe(show({ new: 4, old: 0 }));
    });

    test(
      '10 → 11 with new 4 and two old of 3: rounding leaves 1, which goes to the largest',
      hint('What the rounded shares do not cover goes to the first ReplicaSet, the largest (newer first when scaling up)'),
      async () => {
        const sets = [
          { name: 'older', size: 3, age: 900 },
          { name: 'new', size: 4, age: 10, current: true },
          { name: 'old', size: 3, age: 600 },
        ];
        expect(await scaleTo(11, 10, sets), 'sizes written').toBe(show({ new: 5, old: 3, older: 3 }));
      },
    );

    test(
      '10 → 8 with new 4 and two old of 3: the largest gives one, then the older of the two equal ones',
      hint('Scaling down, ReplicaSets go largest first, ties oldest first; stop once the change is shared out'),
      async () => {
        const sets = [
          { name: 'older', size: 3, age: 900 },
          { name: 'new', size: 4, age: 10, current: true },
          { name: 'old', size: 3, age: 600 },
        ];
        // shares: new round(4 × 0.8) - 4 = -1, older round(3 × 0.8) - 3 = -1: the 2 are shared out, old keeps 3.
        expect(await scaleTo(8, 10, sets), 'sizes written').toBe(show({ new: 3, old: 3, older: 2 }));
      },
    );

    test('5 → 0: every active ReplicaSet goes to 0', async () => {
      expect(
        await scaleTo(0, 5, [
          { name: 'new', size: 2, age: 10, current: true },
          { name: 'old', size: 3, age: 600 },
        ]),
        'sizes written',
      ).toBe(show({ new: 0, old: 0 }));
    });

    test(
      'the new ReplicaSet already saturated (all desired replicas available): the old ones go to 0',
      hint('IsSaturated: desired-replicas annotation, spec.replicas and availableReplicas all equal replicas'),
      async () => {
        const d = deployment('web', { replicas: 3, template: template({ app: 'web' }, 'v2'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
        d.metadata.annotations = { [REV]: '2' };
        const newRS = rs('new', 3, 3, 10, {
          owner: d,
          template: template({ app: 'web' }, 'v2'),
          annotations: { [REV]: '2', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '3' },
        });
        const old = rs('old', 1, 1, 600, {
          owner: d,
          template: template({ app: 'web' }, 'v1'),
          annotations: { [REV]: '1', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '2' },
        });
        const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [newRS, old] });
        await c.syncDeployment('default/web', ctx);
        expect(
          recorder.actions.filter((a) => a.startsWith('update replicaset')),
          'ReplicaSets written',
        ).toEqual(['update replicaset default/old replicas=0']);
      },
    );

    test('Recreate: no proportional scaling of two active ReplicaSets', hint('Proportional scaling is for RollingUpdate only'), async () => {
      expect(
        await scaleTo(
          10,
          5,
          [
            { name: 'new', size: 2, age: 10, current: true },
            { name: 'old', size: 3, age: 600 },
          ],
          'Recreate',
        ),
        'sizes written during the scaling sync',
      ).toBe(show({}));
    });

    test('paused with every ReplicaSet at 0: the latest one takes spec.replicas', hint('No active ReplicaSet: scale the new one, or else the newest old one'), async () => {
      for (const [what, newImage, expected] of [
        ['the new one exists', 'v2', 'new'],
        ['no new one (the template changed while paused)', 'v3', 'newer'],
      ] as const) {
        const d = deployment('web', { replicas: 3, paused: true, template: template({ app: 'web' }, newImage) });
        d.metadata.annotations = { [REV]: '2' };
        const sets = [
          rs('new', 0, 0, 10, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '2', 'deployment.kubernetes.io/desired-replicas': '0' } }),
          rs('newer', 0, 0, 100, { owner: d, template: template({ app: 'web' }, 'v1b'), annotations: { [REV]: '1', 'deployment.kubernetes.io/desired-replicas': '0' } }),
          rs('oldest', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'v0'), annotations: { [REV]: '0', 'deployment.kubernetes.io/desired-replicas': '0' } }),
        ];
        const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: what.startsWith('no') ? sets.slice(1) : sets });
        await c.syncDeployment('default/web', ctx);
        expect(
          recorder.actions.filter((a) => a.startsWith('update replicaset')),
          `ReplicaSets written when ${what}`,
        ).toEqual([`update replicaset default/${expected} replicas=3`]);
      }
    });
  });

  // sync.go getNewReplicaSet, the create error cases: AlreadyExists of our own ReplicaSet with this
  // template (the informer was behind) is taken as created; AlreadyExists of anything else is a hash
  // collision: status.collisionCount + 1, and the sync fails so the next one hashes anew; any other
  // error sets Progressing False ReplicaSetCreateError and records a warning.
  describe('when creating the new ReplicaSet fails', () => {
    const alreadyExists = (name: string) => new ApiError({ code: 409, reason: 'AlreadyExists', message: `replicasets.apps "${name}" already exists` });

    test(
      'AlreadyExists, and the informer now holds our ReplicaSet with this template: it is used as the new one',
      hint('Look it up in ctx.replicaSets: controlled by this Deployment and equalIgnoreHash with its template'),
      async () => {
        const d = deployment('web');
        const name = `web-${c.computeHash(d.spec.template)}`;
        const ours = rs(name, 3, 0, 1, { owner: d, template: d.spec.template, annotations: { 'deployment.kubernetes.io/revision': '1' } });
        // The create is refused because the ReplicaSet exists, and the informer delivers it meanwhile.
        const informer = Indexer.of<ReplicaSet>([]);
        const recorder = new Recorder((a) => (a.startsWith('create replicaset') ? (informer.upsert(ours), alreadyExists(name)) : undefined));
        const { ctx } = deploymentContext({ deployments: [d] }, recorder);
        ctx.replicaSets = informer;
        const result = await c.syncDeployment('default/web', ctx).then(
          () => 'returned',
          (e: Error) => `threw ${e.message}`,
        );
        expect(result, 'syncDeployment').toBe('returned');
        expect(show(recorder.events), 'events (nothing was scaled up by this sync)').toBe(show([]));
        const progressing = (recorder.statuses as DeploymentStatus[]).flatMap((x) => x.conditions ?? []).filter((x) => x.type === 'Progressing');
        expect(
          progressing.some((x) => x.reason === 'NewReplicaSetCreated'),
          'a Progressing NewReplicaSetCreated written for a ReplicaSet this sync did not create',
        ).toBe(false);
      },
    );

    test(
      'AlreadyExists of a ReplicaSet that is not ours: collisionCount goes up by one and the sync fails',
      hint('A hash collision: write status.collisionCount + 1, then throw the error'),
      async () => {
        for (const before of [undefined, 2]) {
          const d = deployment('web', {}, { status: before === undefined ? {} : { collisionCount: before } });
          const name = `web-${c.computeHash(d.spec.template, before)}`;
          const recorder = new Recorder((a) => (a.startsWith('create replicaset') ? alreadyExists(name) : undefined));
          const { ctx } = deploymentContext({ deployments: [d] }, recorder);
          await expect(c.syncDeployment('default/web', ctx), `syncDeployment when ${name} exists and is not ours`).rejects.toThrow('already exists');
          expect(recorder.lastStatus<DeploymentStatus>()?.collisionCount, `collisionCount written (it was ${before})`).toBe((before ?? 0) + 1);
        }
      },
    );

    test(
      'another error: Progressing False ReplicaSetCreateError, a warning, and the sync fails',
      hint('Set the condition with the message "Failed to create new replica set ...", record the event, throw'),
      async () => {
        const d = deployment('web');
        const name = `web-${c.computeHash(d.spec.template)}`;
        const recorder = new Recorder((a) => (a.startsWith('create replicaset') ? forbidden('exceeded quota') : undefined));
        const { ctx } = deploymentContext({ deployments: [d] }, recorder);
        await expect(c.syncDeployment('default/web', ctx), 'syncDeployment when the create is refused').rejects.toThrow('exceeded quota');
        const message = `Failed to create new replica set "${name}": exceeded quota`;
        const progressing = recorder.lastStatus<DeploymentStatus>()?.conditions?.find((x) => x.type === 'Progressing');
        expect(show([progressing?.status, progressing?.reason, progressing?.message]), 'Progressing written').toBe(show(['False', 'ReplicaSetCreateError', message]));
        expect(recorder.events, 'events').toEqual([`Warning ReplicaSetCreateError ${message}`]);
      },
    );
  });

  // recreate.go rolloutRecreate: scale old ones down and return; wait while old pods run (status
  // replicas, or pods in the cache that have not finished); then create or scale the new one.
  describe('Recreate, sync by sync', () => {
    const old = (d: Deployment, spec: number, statusReplicas: number) =>
      rs('web-old', spec, 0, 600, {
        owner: d,
        template: template({ app: 'web' }, 'v1'),
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        status: { replicas: statusReplicas, observedGeneration: 1 },
      });
    const recreate = () => deployment('web', { replicas: 2, strategy: { type: 'Recreate' }, template: template({ app: 'web' }, 'v2') });
    const replicaSetActions = (actions: string[]) => actions.filter((a) => a.includes('replicaset'));

    test('a sync that scaled old ReplicaSets down stops there, even if no old pod shows yet', hint('After scaling old ReplicaSets to 0, write the status and return'), async () => {
      const d = recreate();
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [old(d, 2, 0)] });
      await c.syncDeployment('default/web', ctx);
      expect(replicaSetActions(recorder.actions), 'actions on ReplicaSets').toEqual(['update replicaset default/web-old replicas=0']);
    });

    test(
      'old pods still counted in the status, or still running in the cache: wait',
      hint('oldPodsRunning: status.replicas of old ReplicaSets, or their pods that are neither Failed nor Succeeded'),
      async () => {
        const d = recreate();
        const counted = deploymentContext({ deployments: [d], replicaSets: [old(d, 0, 1)] });
        await c.syncDeployment('default/web', counted.ctx);
        expect(replicaSetActions(counted.recorder.actions), 'actions while old status.replicas is 1 (no pod in the cache)').toEqual([]);
        const o = old(d, 0, 0);
        const running = deploymentContext({ deployments: [d], replicaSets: [o], pods: [pod('old-pod', { owner: o, node: 'n', phase: 'Running', readySince: false })] });
        await c.syncDeployment('default/web', running.ctx);
        expect(replicaSetActions(running.recorder.actions), 'actions while an old pod is Running (status.replicas 0)').toEqual([]);
      },
    );

    test(
      'old pods all Failed or Succeeded: the new ReplicaSet is created with every replica at once',
      hint('Finished pods do not hold up a Recreate; the new ReplicaSet starts at spec.replicas'),
      async () => {
        const d = recreate();
        const o = old(d, 0, 0);
        const pods = [pod('failed', { owner: o, node: 'n', phase: 'Failed' }), pod('done', { owner: o, node: 'n', phase: 'Succeeded' })];
        const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [o], pods });
        await c.syncDeployment('default/web', ctx);
        expect(replicaSetActions(recorder.actions), 'actions on ReplicaSets').toEqual([`create replicaset default/web-${c.computeHash(d.spec.template)} replicas=2`]);
      },
    );

    test('rolling back with Recreate: the old ReplicaSet of this template is scaled up to spec.replicas', async () => {
      const d = recreate();
      const back = rs('web-v2', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [back, old(d, 0, 0)] });
      await c.syncDeployment('default/web', ctx);
      expect(replicaSetActions(recorder.actions).at(-1), 'last action on ReplicaSets').toBe('update replicaset default/web-v2 replicas=2');
    });
  });

  // deployment_controller.go syncDeployment: an empty selector selects everything: a warning, the
  // generation observed, nothing else; a Deployment being deleted only gets its status.
  test('an empty selector: a SelectingAll warning and the generation observed, nothing created', hint('Check the selector before anything else'), async () => {
    const d = deployment('web', { selector: {} }, { generation: 2, status: { observedGeneration: 1 } });
    const { ctx, recorder } = deploymentContext({ deployments: [d] });
    await c.syncDeployment('default/web', ctx);
    expect(show(recorder.actions), 'actions').toBe(show(['update deployment default/web status']));
    expect(recorder.lastStatus<DeploymentStatus>().observedGeneration, 'observedGeneration written').toBe(2);
    expect(recorder.events, 'events').toEqual(['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
    const seen = deploymentContext({ deployments: [deployment('web', { selector: {} }, { generation: 2, status: { observedGeneration: 2 } })] });
    await c.syncDeployment('default/web', seen.ctx);
    expect(show(seen.recorder.actions), 'actions once the generation is observed').toBe(show([]));
  });

  test('a selector of matchExpressions only is not empty', async () => {
    const d = deployment('web', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } });
    const { ctx, recorder } = deploymentContext({ deployments: [d] });
    await c.syncDeployment('default/web', ctx);
    expect(recorder.actions[0], 'first action').toBe(`create replicaset default/web-${c.computeHash(d.spec.template)} replicas=3`);
  });

  test('a Deployment being deleted gets its status written, and no ReplicaSet', hint('deletionTimestamp set: only syncStatusOnly'), async () => {
    const d = deployment('web', {}, { generation: 2, status: { observedGeneration: 1 } });
    d.metadata.deletionTimestamp = ago(1);
    const { ctx, recorder } = deploymentContext({ deployments: [d] });
    await c.syncDeployment('default/web', ctx);
    expect(show(recorder.actions), 'actions').toBe(show(['update deployment default/web status']));
  });

  // sync.go cleanupDeployment: counts the old ReplicaSets not being deleted, sorts them by revision,
  // and deletes among the first (count - limit) only those with no pods, 0 replicas and the newest
  // generation observed.
  test(
    'cleanup keeps ReplicaSets that still have pods or an unobserved generation, and never counts those being deleted',
    hint('Skip any with status.replicas, spec.replicas, or generation > observedGeneration; filter deletionTimestamp before counting'),
    async () => {
      const d = rolling(1, 1, 0, { revisionHistoryLimit: 1 });
      const cur = rs('web-r9', 1, 1, 10, {
        owner: d,
        annotations: { 'deployment.kubernetes.io/revision': '9', 'deployment.kubernetes.io/desired-replicas': '1', 'deployment.kubernetes.io/max-replicas': '2' },
      });
      const old = (r: number, age: number, extra: Parameters<typeof replicaSet>[1] = {}) =>
        rs(`web-r${r}`, 0, 0, age, { owner: d, template: template({ app: 'web' }, `v${r}`), annotations: { 'deployment.kubernetes.io/revision': String(r) }, ...extra });
      const olds = [
        old(5, 700), // the highest old revision: kept by the limit
        old(4, 100), // newer than r3 by age, older by revision
        old(2, 800, { status: { replicas: 1, observedGeneration: 1 } }), // pods still terminating
        old(3, 900, { generation: 2 }), // generation not observed yet
        old(1, 1_000, { deleting: true }), // being deleted: not counted
      ];
      const complete = {
        ...d,
        metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '9' } },
        status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
      };
      const { ctx, recorder } = deploymentContext({ deployments: [complete], replicaSets: [cur, ...olds] });
      await c.syncDeployment('default/web', ctx);
      expect(
        recorder.actions.filter((a) => a.startsWith('delete')),
        'deletions (4 old ReplicaSets counted, limit 1: r2, r3, r4 considered)',
      ).toEqual(['delete replicaset default/web-r4']);
      const few = deploymentContext({ deployments: [{ ...complete, spec: { ...complete.spec, revisionHistoryLimit: 10 } }], replicaSets: [cur, old(5, 700), old(4, 100)] });
      await c.syncDeployment('default/web', few.ctx);
      expect(
        few.recorder.actions.filter((a) => a.startsWith('delete')),
        'deletions with 2 old ReplicaSets and a limit of 10',
      ).toEqual([]);
    },
  );

  // sync.go getNewReplicaSet / deployment_util.go SetNewReplicaSetAnnotations: the Deployment's own
  // annotations are copied to the new ReplicaSet, except kubectl's last-applied-configuration and the
  // controller's; a rollback records the revision it had in revision-history.
  test("a new ReplicaSet carries the Deployment's annotations, not kubectl's last-applied-configuration", hint('Copy every annotation not in util.ANNOTATIONS_TO_SKIP'), async () => {
    const d = deployment('web', {}, { annotations: { team: 'checkout', 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d] });
    await c.syncDeployment('default/web', ctx);
    const a = (recorder.created[0] as ReplicaSet).metadata.annotations ?? {};
    expect(show([a.team, a['kubectl.kubernetes.io/last-applied-configuration']]), 'team and last-applied-configuration on the new ReplicaSet').toBe(show(['checkout', undefined]));
  });

  test('a rollback records the revision the ReplicaSet had in revision-history', hint('deployment.kubernetes.io/revision-history: the earlier revisions, comma-separated'), async () => {
    const d = rolling(3, 1, 0, { template: template({ app: 'web' }, 'nginx:1.14.2') });
    const v1 = rs('web-v1', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'nginx:1.14.2'), annotations: { 'deployment.kubernetes.io/revision': '1' } });
    const v2 = rs('web-v2', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'nginx:1.16.1'), annotations: { 'deployment.kubernetes.io/revision': '2' } });
    const written: ReplicaSet[] = [];
    const recorder = new Recorder();
    const update = recorder.updateReplicaSet.bind(recorder);
    recorder.updateReplicaSet = (r) => (written.push(structuredClone(r)), update(r));
    await c.syncDeployment('default/web', deploymentContext({ deployments: [d], replicaSets: [v1, v2] }, recorder).ctx);
    const a = written[0]?.metadata.annotations ?? {};
    expect(show([a['deployment.kubernetes.io/revision'], a['deployment.kubernetes.io/revision-history']]), 'revision and revision-history of web-v1').toBe(show(['3', '1']));
  });

  test(
    'the new ReplicaSet follows a change of minReadySeconds; a Deployment without Progressing gets FoundNewReplicaSet',
    hint('getNewReplicaSet: update the existing one when annotations or minReadySeconds differ'),
    async () => {
      const d = rolling(3, 1, 0, { minReadySeconds: 10 });
      d.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
      const cur = rs('web-abc', 3, 3, 600, {
        owner: d,
        annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
      });
      const changed = deploymentContext({ deployments: [d], replicaSets: [cur] });
      await c.syncDeployment('default/web', changed.ctx);
      expect(changed.recorder.actions[0], 'first action when minReadySeconds went from 0 to 10').toBe('update replicaset default/web-abc replicas=3');
      const same = { ...cur, spec: { ...cur.spec, minReadySeconds: 10 } };
      const found = deploymentContext({ deployments: [d], replicaSets: [same] });
      await c.syncDeployment('default/web', found.ctx);
      const progressing = (found.recorder.statuses as DeploymentStatus[])[0]?.conditions?.find((x) => x.type === 'Progressing');
      expect(show([progressing?.status, progressing?.reason, progressing?.message]), 'first Progressing written').toBe(show(['True', 'FoundNewReplicaSet', 'Found new replica set "web-abc"']));
    },
  );

  // controller_ref_manager.go ClaimReplicaSets (AdoptReplicaSet, ReleaseReplicaSet), as for pods.
  test(
    'claiming ReplicaSets: an orphan gone or a release gone/invalid is fine; other errors fail the sync; a release keeps the other owners',
    hint('NotFound: skip; Invalid on release: skip; anything else: throw'),
    async () => {
      const d = deployment('web');
      const orphan = rs(`web-${c.computeHash(d.spec.template)}`, 3, 3, 600, { template: d.spec.template, annotations: { 'deployment.kubernetes.io/revision': '1' } });
      const stray = rs('web-debug', 0, 0, 900, { owner: d, labels: { app: 'debug' } });
      stray.metadata.ownerReferences = [...stray.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'uid-keeper' }];
      const invalid = new ApiError({ code: 422, reason: 'Invalid', message: 'invalid' });
      const cases: [string, string, Error, string][] = [
        ['adoption', 'patch replicaset default/web-', notFoundError(), 'returned'],
        ['adoption', 'patch replicaset default/web-', forbidden('adoption refused'), 'threw'],
        ['release', 'patch replicaset default/web-debug', notFoundError(), 'returned'],
        ['release', 'patch replicaset default/web-debug', invalid, 'returned'],
        ['release', 'patch replicaset default/web-debug', forbidden('release refused'), 'threw'],
      ];
      for (const [what, prefix, error, want] of cases) {
        const target = what === 'release' ? prefix : `patch replicaset default/${orphan.metadata.name}`;
        const recorder = new Recorder((a) => (a.startsWith(target) ? error : undefined));
        const outcome = await c.syncDeployment('default/web', deploymentContext({ deployments: [d], replicaSets: [orphan, stray] }, recorder).ctx).then(
          () => 'returned',
          () => 'threw',
        );
        expect(outcome, `syncDeployment when the ${what} patch fails with ${error.message}`).toBe(want);
      }
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [orphan, stray] });
      await c.syncDeployment('default/web', ctx);
      expect(recorder.actions, 'actions').toContain('patch replicaset default/web-debug ownerReferences=[ConfigMap/keeper]');
    },
  );
});

// ── Issue 10: the mutants that survived the run of the suite above (each test names the learner bug) ──

describe('the rollout arithmetic, edge by edge', () => {
  const plan = (m: Map<string, number>) => show(Object.fromEntries([...m].sort()));

  test('an integer maxSurge is used as it is, not the 25% default', hint('Read spec.strategy.rollingUpdate.maxSurge; the 25% is only the default'), () => {
    const newRS = rs('new', 0, 0, 10);
    expect(c.newRSNewReplicas(rolling(4, 2, 0), [rs('old', 4, 4), newRS], newRS), '4 replicas, maxSurge 2, old 4 + new 0').toBe(2);
  });

  // rolling.go reconcileOldReplicaSets, "case 1" of its comment: the new pods crashloop and an old pod
  // becomes unavailable: 13 - 8 - 5 = 0, so the old ReplicaSet is not scaled down.
  test(
    'new pods that never become available block the scale-down, even of unhealthy old pods',
    hint("maxScaledDown = all pods - minAvailable - the new ReplicaSet's unavailable pods (subtract them)"),
    () => {
      const d = rolling(10, 3, 2); // minAvailable 8
      expect(plan(c.scaleDownOldReplicaSets(d, [rs('old', 8, 7, 600)], rs('new', 5, 0, 10))), 'old 8 (7 available), new 5 (none available)').toBe(plan(new Map()));
    },
  );

  test("an old ReplicaSet's status still counting pods it was just scaled away from: nothing more goes", hint('if maxScaledDown <= 0, scale nothing down, whatever the available count says'), () => {
    const d = rolling(3, 1, 0); // minAvailable 3
    // old was scaled 3 → 2 a moment ago; its status still shows 3 available pods.
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('old', 2, 3, 600)], rs('new', 2, 1, 10))), 'old spec 2 (status: 3 available), new 2 (1 available)').toBe(plan(new Map()));
  });

  test('the cleanup of unhealthy pods stops at maxScaledDown and leaves the other ReplicaSets out of the plan', hint('Stop the loop once maxScaledDown pods are cleaned'), () => {
    const d = rolling(10, 0, 1); // minAvailable 9, maxScaledDown 1
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('older', 5, 0, 900), rs('old', 5, 4, 600)], rs('new', 0, 0, 10))), 'older 5 (none available), old 5 (4 available)').toBe(
      plan(new Map([['older', 4]])),
    );
  });

  test('the cleanup shares maxScaledDown across the old ReplicaSets', hint('Each takes at most maxScaledDown - what was cleaned already'), () => {
    const d = rolling(6, 0, 2); // minAvailable 4, maxScaledDown 2
    expect(plan(c.scaleDownOldReplicaSets(d, [rs('older', 3, 2, 900), rs('old', 3, 0, 600)], rs('new', 0, 0, 10))), 'older 3 (2 available), old 3 (none available)').toBe(
      plan(
        new Map([
          ['older', 2],
          ['old', 2],
        ]),
      ),
    );
  });
});

// progress.go syncRolloutStatus and requeueStuckDeployment; deployment_util.go DeploymentTimedOut
// (TestRequeueStuckDeployment, TestSyncRolloutStatus).
describe('rolloutStatus, edge by edge', () => {
  const available = {
    type: 'Available',
    status: 'True' as const,
    lastUpdateTime: ago(100),
    lastTransitionTime: ago(100),
    reason: 'MinimumReplicasAvailable',
    message: 'Deployment has minimum availability.',
  };
  const progressing = (status: 'True' | 'False' | 'Unknown', reason: string, message: string, seconds: number) => ({
    type: 'Progressing',
    status,
    lastUpdateTime: ago(seconds),
    lastTransitionTime: ago(seconds),
    reason,
    message,
  });
  /** old 3 available, new 1 not available: a rollout that stands still. */
  const stuck = () => {
    const newRS = replicaSet('web-new', { replicas: 1, status: { replicas: 1, observedGeneration: 1 } });
    return { all: [rs('web-old', 3, 3), newRS], newRS, counts: { observedGeneration: 1, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 } };
  };
  const progressingOf = (s: DeploymentStatus) => s.conditions?.find((x) => x.type === 'Progressing');

  test(
    'no Progressing condition yet and nothing moved: none is added, and no requeue',
    hint('DeploymentTimedOut: no Progressing condition → not timed out; requeueStuckDeployment: none → no requeue'),
    () => {
      const { all, newRS, counts } = stuck();
      const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60 });
      d.status = { ...counts, conditions: [available] };
      const { status, requeueAfterMs } = c.rolloutStatus(d, all, newRS, NOW);
      expect(show({ conditions: status.conditions?.map((x) => x.type), requeueAfterMs }), 'conditions and requeue').toBe(show({ conditions: ['Available'], requeueAfterMs: undefined }));
    },
  );

  test(
    'the deadline passes only after lastUpdateTime + progressDeadlineSeconds; under a second left still waits 1 s',
    hint('timed out when lastUpdateTime + deadline < now (strictly); requeue after max(1 s, left + 1 s)'),
    () => {
      const { all, newRS, counts } = stuck();
      const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60 });
      d.status = { ...counts, conditions: [available, progressing('True', 'ReplicaSetUpdated', 'ReplicaSet "web-new" is progressing.', 60)] };
      const cases: [string, number, string, number][] = [
        ['exactly at the deadline', NOW, 'ReplicaSetUpdated', 1_000],
        ['0.5 s before it', NOW - 500, 'ReplicaSetUpdated', 1_000],
        ['1 s before it', NOW - 1_000, 'ReplicaSetUpdated', 2_000],
      ];
      for (const [when, now, reason, after] of cases) {
        const { status, requeueAfterMs } = c.rolloutStatus(d, all, newRS, now);
        expect(show([progressingOf(status)?.reason, requeueAfterMs]), `Progressing reason and requeueAfterMs ${when}`).toBe(show([reason, after]));
      }
    },
  );

  test('a rollout that completed never times out, even with an old pod left', hint('DeploymentTimedOut: reason NewReplicaSetAvailable → false'), () => {
    const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60 });
    const newRS = rs('web-new', 3, 3);
    d.status = {
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 3,
      readyReplicas: 4,
      availableReplicas: 4,
      unavailableReplicas: 0,
      conditions: [available, progressing('True', 'NewReplicaSetAvailable', 'ReplicaSet "web-new" has successfully progressed.', 600)],
    };
    const { status } = c.rolloutStatus(d, [rs('web-old', 1, 1), newRS], newRS, NOW);
    expect(progressingOf(status)?.reason, 'Progressing reason, 10 min after completing, deadline 60 s').toBe('NewReplicaSetAvailable');
  });

  test('a completed rollout whose pod restarts stays NewReplicaSetAvailable', hint('Skip the checks when replicas == updatedReplicas and the reason is already NewReplicaSetAvailable'), () => {
    const d = rolling(3, 1, 1);
    const newRS = replicaSet('web-new', { replicas: 3, status: { replicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 1 } });
    d.status = {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      conditions: [available, progressing('True', 'NewReplicaSetAvailable', 'ReplicaSet "web-new" has successfully progressed.', 100)],
    };
    const { status } = c.rolloutStatus(d, [newRS], newRS, NOW);
    expect(show(progressingOf(status)), 'Progressing, one more pod ready (not yet available)').toBe(
      show(progressing('True', 'NewReplicaSetAvailable', 'ReplicaSet "web-new" has successfully progressed.', 100)),
    );
  });

  test(
    'rolled back after completing: the next sign of progress is ReplicaSetUpdated again',
    hint('"Already complete" needs replicas == updatedReplicas too, not only the NewReplicaSetAvailable reason'),
    () => {
      const d = rolling(3, 1, 0);
      const back = replicaSet('web-v1', { replicas: 1, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } });
      d.status = {
        observedGeneration: 1,
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: 1,
        conditions: [available, progressing('True', 'NewReplicaSetAvailable', 'ReplicaSet "web-v2" has successfully progressed.', 100)],
      };
      const { status } = c.rolloutStatus(d, [rs('web-v2', 3, 3), back], back, NOW);
      expect(show([progressingOf(status)?.reason, progressingOf(status)?.message]), 'Progressing once web-v1 has a ready pod').toBe(show(['ReplicaSetUpdated', 'ReplicaSet "web-v1" is progressing.']));
    },
  );

  test(
    'progress after a pause: a new lastTransitionTime (the condition was Unknown), and no requeue since the status changed',
    hint('Keep lastTransitionTime only from a Progressing condition that was True'),
    () => {
      const { all, newRS, counts } = stuck();
      const d = rolling(3, 1, 0);
      d.status = { ...counts, updatedReplicas: 0, replicas: 3, conditions: [available, progressing('Unknown', 'DeploymentResumed', 'Deployment is resumed', 100)] };
      const { status, requeueAfterMs } = c.rolloutStatus(d, all, newRS, NOW);
      expect(show({ progressing: progressingOf(status), requeueAfterMs }), 'Progressing and requeue').toBe(
        show({ progressing: { ...progressing('True', 'ReplicaSetUpdated', 'ReplicaSet "web-new" is progressing.', 0) }, requeueAfterMs: undefined }),
      );
    },
  );

  test('a ReplicaFailure of an old ReplicaSet is copied when the new one has none', hint('Look in the new ReplicaSet first, then in every other one'), () => {
    const failure = { type: 'ReplicaFailure', status: 'True' as const, lastTransitionTime: ago(5), reason: 'FailedCreate', message: 'pods "web-old-x" is forbidden: exceeded quota' };
    const old = replicaSet('web-old', { replicas: 3, status: { replicas: 2, availableReplicas: 2, observedGeneration: 1, conditions: [failure] } });
    const newRS = replicaSet('web-new', { replicas: 1, status: { replicas: 1, observedGeneration: 1 } });
    const { status } = c.rolloutStatus(rolling(3, 1, 0), [old, newRS], newRS, NOW);
    expect(status.conditions?.find((x) => x.type === 'ReplicaFailure')?.message, 'ReplicaFailure message').toBe(failure.message);
  });

  test('nothing changed: no requeue once complete or timed out, or without a Progressing condition', hint('requeueStuckDeployment: only a stuck rollout is looked at again'), () => {
    const { all, newRS, counts } = stuck();
    const complete = replicaSet('web-new', { replicas: 3, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 } });
    const cases: [string, DeploymentStatus, ReplicaSet[], ReplicaSet][] = [
      [
        'complete',
        {
          observedGeneration: 1,
          replicas: 3,
          updatedReplicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
          unavailableReplicas: 0,
          conditions: [available, progressing('True', 'NewReplicaSetAvailable', 'ReplicaSet "web-new" has successfully progressed.', 100)],
        },
        [complete],
        complete,
      ],
      ['timed out', { ...counts, conditions: [available, progressing('False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-new" has timed out progressing.', 100)] }, all, newRS],
      ['without a Progressing condition', { ...counts, conditions: [available] }, all, newRS],
    ];
    for (const [what, before, rss, neu] of cases) {
      const d = rolling(3, 1, 0, { progressDeadlineSeconds: 60 });
      d.status = before;
      const { status, requeueAfterMs } = c.rolloutStatus(d, rss, neu, NOW);
      expect(show({ status, requeueAfterMs }), `status and requeueAfterMs when ${what}`).toBe(show({ status: before, requeueAfterMs: undefined }));
    }
  });

  // progress.go syncRolloutStatus: without a new ReplicaSet the messages name the Deployment.
  test(
    'no new ReplicaSet yet (Recreate, old pods still going): the messages name the Deployment',
    hint('Deployment "<name>" is progressing. / has timed out progressing. / has successfully progressed.'),
    () => {
      const d = deployment('web', { replicas: 2, strategy: { type: 'Recreate' }, progressDeadlineSeconds: 60 });
      const draining = replicaSet('web-old', { replicas: 0, status: { replicas: 1, observedGeneration: 1 } });
      d.status = { observedGeneration: 1, replicas: 2, conditions: [progressing('True', 'ReplicaSetUpdated', 'ReplicaSet "web-old" is progressing.', 100)] };
      expect(progressingOf(c.rolloutStatus(d, [draining], undefined, NOW).status)?.message, 'one old pod fewer').toBe('Deployment "web" is progressing.');
      d.status = { observedGeneration: 1, replicas: 1, conditions: [progressing('True', 'ReplicaSetUpdated', 'Deployment "web" is progressing.', 100)] };
      expect(progressingOf(c.rolloutStatus(d, [draining], undefined, NOW).status)?.message, 'no change for 100 s, deadline 60 s').toBe('Deployment "web" has timed out progressing.');
      const none = deployment('web', { replicas: 0, strategy: { type: 'Recreate' }, progressDeadlineSeconds: 60 });
      expect(progressingOf(c.rolloutStatus(none, [], undefined, NOW).status)?.message, '0 replicas, no ReplicaSet').toBe('Deployment "web" has successfully progressed.');
    },
  );
});

describe('syncDeployment, edge by edge', () => {
  const REV = 'deployment.kubernetes.io/revision';
  const DESIRED = 'deployment.kubernetes.io/desired-replicas';
  const MAX = 'deployment.kubernetes.io/max-replicas';
  const replicaSetActions = (actions: string[]) => actions.filter((a) => a.includes('replicaset'));
  /** A Recorder that keeps a copy of every ReplicaSet and Deployment written with update. */
  const keeping = () => {
    const recorder = new Recorder();
    const replicaSets: ReplicaSet[] = [];
    const deployments: Deployment[] = [];
    const updateRS = recorder.updateReplicaSet.bind(recorder);
    recorder.updateReplicaSet = (r) => (replicaSets.push(structuredClone(r)), updateRS(r));
    const updateD = recorder.updateDeployment.bind(recorder);
    recorder.updateDeployment = (x) => (deployments.push(structuredClone(x)), updateD(x));
    return { recorder, replicaSets, deployments };
  };
  const counts = (s: DeploymentStatus | undefined) =>
    show({ replicas: s?.replicas, updatedReplicas: s?.updatedReplicas, availableReplicas: s?.availableReplicas, unavailableReplicas: s?.unavailableReplicas });

  // deployment_controller.go syncDeployment: a Deployment no longer in the cache is done with.
  test('a key no longer in the cache: nothing to do', hint('ctx.deployments.get(key) undefined → return {}'), async () => {
    const { ctx, recorder } = deploymentContext({ deployments: [] });
    expect(show([await c.syncDeployment('default/web', ctx), recorder.actions]), 'result and actions').toBe(show([{}, []]));
  });

  // sync.go getNewReplicaSet: the new ReplicaSet as created (apps/v1 ReplicaSet, the template's labels
  // plus the hash, a controller reference, minReadySeconds), and the Deployment's other annotations and
  // status fields kept in what is written back.
  test(
    'the new ReplicaSet in full, and what the Deployment gets written back',
    hint('Copy the template (all its metadata), add the hash; keep the annotations and status the Deployment had'),
    async () => {
      const t = template({ app: 'web' }, 'nginx:1.16.1');
      t.metadata!.annotations = { 'prometheus.io/scrape': 'true' };
      const d = deployment('web', { replicas: 2, minReadySeconds: 10, template: t }, { annotations: { team: 'checkout' }, status: { collisionCount: 1 } });
      const { recorder, deployments } = keeping();
      await c.syncDeployment('default/web', deploymentContext({ deployments: [d] }, recorder).ctx);
      const hash = c.computeHash(t, 1);
      const created = recorder.created[0] as ReplicaSet;
      expect(
        show({
          apiVersion: created.apiVersion,
          kind: created.kind,
          name: created.metadata.name,
          labels: created.metadata.labels,
          ownerReferences: created.metadata.ownerReferences,
          minReadySeconds: created.spec.minReadySeconds,
          templateAnnotations: created.spec.template.metadata?.annotations,
        }),
        'the ReplicaSet created',
      ).toBe(
        show({
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `web-${hash}`,
          labels: { app: 'web', 'pod-template-hash': hash },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
          minReadySeconds: 10,
          templateAnnotations: { 'prometheus.io/scrape': 'true' },
        }),
      );
      expect(show(deployments[0]?.metadata.annotations), 'annotations of the Deployment written with its revision').toBe(show({ team: 'checkout', [REV]: '1' }));
      const first = (recorder.statuses as DeploymentStatus[])[0];
      expect(show({ collisionCount: first?.collisionCount, progressing: first?.conditions?.find((x) => x.type === 'Progressing') }), 'the first status written').toBe(
        show({
          collisionCount: 1,
          progressing: { type: 'Progressing', status: 'True', lastUpdateTime: ago(0), lastTransitionTime: ago(0), reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` },
        }),
      );
    },
  );

  test('a new ReplicaSet created with 0 replicas (no room to surge) records no "Scaled up" event', hint('Record "Scaled up replica set ... from 0 to N" only when N > 0'), async () => {
    const d = rolling(3, 0, 1, { template: template({ app: 'web' }, 'v2') });
    const old = rs('web-old', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '3' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [old] });
    await c.syncDeployment('default/web', ctx);
    expect(show({ first: recorder.actions[0], events: recorder.events }), 'first action and events').toBe(
      show({ first: `create replicaset default/web-${c.computeHash(d.spec.template)} replicas=0`, events: ['Normal ScalingReplicaSet Scaled down replica set web-old from 3 to 2'] }),
    );
  });

  // controller_ref_manager.go AdoptReplicaSet: the controller reference patched in is apps/v1 Deployment.
  test('adoption patches in a full controller reference', hint('newControllerRef(d, "apps/v1", "Deployment")'), async () => {
    const d = deployment('web');
    const orphan = rs(`web-${c.computeHash(d.spec.template)}`, 3, 3, 600, { template: d.spec.template, annotations: { [REV]: '1' } });
    const recorder = new Recorder();
    const refs: unknown[] = [];
    const patch = recorder.patchReplicaSetOwnerReferences.bind(recorder);
    recorder.patchReplicaSetOwnerReferences = (r, o) => (refs.push(structuredClone(o)), patch(r, o));
    await c.syncDeployment('default/web', deploymentContext({ deployments: [d], replicaSets: [orphan] }, recorder).ctx);
    expect(show(refs[0]), 'ownerReferences patched').toBe(show([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]));
  });

  // deployment_util.go getReplicaSetFraction: no max-replicas annotation (a ReplicaSet made by hand and
  // adopted) → the Deployment's status.replicas stands in for it.
  test(
    'an adopted ReplicaSet without any annotation: a scaling sync reads it as sized for status.replicas',
    hint('metadata.annotations may be absent: read it with ?. and fall back to status.replicas'),
    async () => {
      const d = rolling(6, 0, 1, { template: template({ app: 'web' }, 'v2') });
      d.metadata.annotations = { [REV]: '2' };
      d.status = { observedGeneration: 1, replicas: 4 };
      const neu = rs('web-new', 2, 2, 10, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '2', [DESIRED]: '4', [MAX]: '4' } });
      const handMade = rs('web-by-hand', 2, 2, 600, { template: template({ app: 'web' }, 'v0') });
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [neu, handMade] });
      const outcome = await c.syncDeployment('default/web', ctx).then(
        () => 'returned',
        (e: Error) => `threw ${e.message}`,
      );
      expect(show({ outcome, actions: replicaSetActions(recorder.actions) }), 'syncDeployment 4 → 6').toBe(
        show({
          outcome: 'returned',
          actions: ['patch replicaset default/web-by-hand ownerReferences=[Deployment/web]', 'update replicaset default/web-new replicas=3', 'update replicaset default/web-by-hand replicas=3'],
        }),
      );
    },
  );

  // deployment_util.go FindNewReplicaSet: "We deterministically choose the oldest new ReplicaSet" (#40415).
  test("two ReplicaSets with the Deployment's template: the oldest is the new one", hint('Sort by creationTimestamp before looking for the template'), async () => {
    const d = rolling(3, 1, 0);
    d.metadata.annotations = { [REV]: '2' };
    const younger = rs('web-b', 0, 0, 100, { owner: d, template: d.spec.template, annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4' } });
    const oldest = rs('web-a', 3, 3, 900, { owner: d, template: d.spec.template, annotations: { [REV]: '2', [DESIRED]: '3', [MAX]: '4' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [younger, oldest] });
    await c.syncDeployment('default/web', ctx);
    expect(replicaSetActions(recorder.actions), 'actions on ReplicaSets (web-a is the new one, revision 2 already)').toEqual([]);
  });

  // sync.go getNewReplicaSet / SetNewReplicaSetAnnotations (copyDeploymentAnnotationsToReplicaSet).
  test("the new ReplicaSet is updated when the Deployment's own annotations change, and only then", hint('Compare each copied annotation; write only when one differs'), async () => {
    const base = rolling(3, 1, 0);
    const withTeam = (team: string) => ({ ...base, metadata: { ...base.metadata, annotations: { [REV]: '1', team } } });
    const cur = rs('web-abc', 3, 3, 600, { owner: base, annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4', team: 'checkout' } });
    const same = keeping();
    await c.syncDeployment('default/web', deploymentContext({ deployments: [withTeam('checkout')], replicaSets: [cur] }, same.recorder).ctx);
    expect(replicaSetActions(same.recorder.actions), 'actions when the ReplicaSet has team=checkout already').toEqual([]);
    const changed = keeping();
    await c.syncDeployment('default/web', deploymentContext({ deployments: [withTeam('payments')], replicaSets: [cur] }, changed.recorder).ctx);
    expect(changed.replicaSets[0]?.metadata.annotations?.team, 'team written to the ReplicaSet when the Deployment says payments').toBe('payments');
  });

  test('a second rollback to the same ReplicaSet appends to revision-history', hint('revision-history: the earlier list, a comma, then the revision it had'), async () => {
    const d = rolling(3, 1, 0, { template: template({ app: 'web' }, 'nginx:1.14.2') });
    const v1 = rs('web-v1', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'nginx:1.14.2'), annotations: { [REV]: '3', 'deployment.kubernetes.io/revision-history': '1' } });
    const v2 = rs('web-v2', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'nginx:1.16.1'), annotations: { [REV]: '4' } });
    const { recorder, replicaSets } = keeping();
    await c.syncDeployment('default/web', deploymentContext({ deployments: [d], replicaSets: [v1, v2] }, recorder).ctx);
    const a = replicaSets[0]?.metadata.annotations ?? {};
    expect(show([a[REV], a['deployment.kubernetes.io/revision-history']]), 'revision and revision-history of web-v1').toBe(show(['5', '1,3']));
  });

  test('a change of minReadySeconds is written to the new ReplicaSet', hint('Set spec.minReadySeconds of the copy before the update'), async () => {
    const d = rolling(3, 1, 0, { minReadySeconds: 10 });
    d.metadata.annotations = { [REV]: '1' };
    const cur = rs('web-abc', 3, 3, 600, { owner: d, annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4' } });
    const { recorder, replicaSets } = keeping();
    await c.syncDeployment('default/web', deploymentContext({ deployments: [d], replicaSets: [cur] }, recorder).ctx);
    expect(replicaSets[0]?.spec.minReadySeconds, 'minReadySeconds written').toBe(10);
  });

  // rolling.go rolloutRolling: a sync that scaled the new ReplicaSet up writes the status and stops;
  // scaleReplicaSet writes desired-replicas and max-replicas (replicas + maxSurge).
  test(
    'scaling the new ReplicaSet up ends the sync: no old one goes in the same sync, and the status counts what the ReplicaSets report',
    hint('After scaling up, return syncRolloutStatus with the updated new ReplicaSet in place of the old copy'),
    async () => {
      const d = rolling(3, 1, 1, { template: template({ app: 'web' }, 'v2') });
      d.metadata.annotations = { [REV]: '2' };
      const old = rs('web-old', 2, 2, 600, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4' } });
      const neu = rs('web-new', 1, 1, 10, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '2', [DESIRED]: '3', [MAX]: '4' } });
      const { recorder, replicaSets } = keeping();
      await c.syncDeployment('default/web', deploymentContext({ deployments: [d], replicaSets: [old, neu] }, recorder).ctx);
      expect(replicaSetActions(recorder.actions), 'actions on ReplicaSets').toEqual(['update replicaset default/web-new replicas=2']);
      expect(show([replicaSets[0]?.metadata.annotations?.[DESIRED], replicaSets[0]?.metadata.annotations?.[MAX]]), 'desired-replicas and max-replicas written').toBe(show(['3', '4']));
      expect(counts(recorder.lastStatus<DeploymentStatus>()), 'status counts').toBe(show({ replicas: 3, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1 }));
    },
  );

  // rolling.go reconcileNewReplicaSet: a new ReplicaSet above spec.replicas is scaled down to it.
  test('a new ReplicaSet scaled above spec.replicas by hand goes back down', hint('current > replicas: scale the new ReplicaSet down to replicas'), async () => {
    const d = rolling(3, 1, 0);
    d.metadata.annotations = { [REV]: '1' };
    const cur = rs('web-abc', 5, 5, 600, { owner: d, annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [cur] });
    await c.syncDeployment('default/web', ctx);
    expect(show({ actions: replicaSetActions(recorder.actions), events: recorder.events }), 'actions and events').toBe(
      show({ actions: ['update replicaset default/web-abc replicas=3'], events: ['Normal ScalingReplicaSet Scaled down replica set web-abc from 5 to 3'] }),
    );
  });

  test('the old ReplicaSet the plan names is the one scaled, wherever it is in the list', hint('Find the ReplicaSet by name'), async () => {
    const d = rolling(3, 1, 0, { template: template({ app: 'web' }, 'v3') });
    d.metadata.annotations = { [REV]: '3' };
    const empty = rs('web-v1', 0, 0, 300, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { [REV]: '1' } });
    const old = rs('web-v2', 3, 3, 600, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '2', [DESIRED]: '3', [MAX]: '4' } });
    const neu = rs('web-v3', 1, 1, 10, { owner: d, template: template({ app: 'web' }, 'v3'), annotations: { [REV]: '3', [DESIRED]: '3', [MAX]: '4' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [empty, old, neu] });
    await c.syncDeployment('default/web', ctx);
    expect(replicaSetActions(recorder.actions), 'actions on ReplicaSets').toEqual(['update replicaset default/web-v2 replicas=2']);
  });

  // rolling.go rolloutRolling and deployment_util.go DeploymentComplete: old ReplicaSets are cleaned up
  // only once the Deployment's status says the rollout is complete for its current generation.
  test(
    'no cleanup while the rollout is not complete, or its newest generation not yet observed',
    hint('cleanupDeployment only when DeploymentComplete(d, d.status): counts at replicas and observedGeneration >= generation'),
    async () => {
      const d = rolling(1, 1, 0, { revisionHistoryLimit: 1 });
      const cur = rs('web-r4', 1, 1, 10, { owner: d, annotations: { [REV]: '4', [DESIRED]: '1', [MAX]: '2' } });
      const olds = [1, 2, 3].map((r) => rs(`web-r${r}`, 0, 0, 1000 - r * 100, { owner: d, template: template({ app: 'web' }, `v${r}`), annotations: { [REV]: String(r) } }));
      const full = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 };
      const cases: [string, Deployment][] = [
        ['the status says 0 of 1 updated', { ...d, metadata: { ...d.metadata, annotations: { [REV]: '4' } }, status: { ...full, updatedReplicas: 0 } }],
        ['generation 2 not observed yet', { ...d, metadata: { ...d.metadata, generation: 2, annotations: { [REV]: '4' } }, status: full }],
      ];
      for (const [what, x] of cases) {
        const { ctx, recorder } = deploymentContext({ deployments: [x], replicaSets: [cur, ...olds] });
        await c.syncDeployment('default/web', ctx);
        expect(
          recorder.actions.filter((a) => a.startsWith('delete')),
          `deletions when ${what}`,
        ).toEqual([]);
      }
    },
  );

  test('fewer old ReplicaSets than revisionHistoryLimit: none deleted', hint('diff = old ReplicaSets - limit; nothing when diff <= 0'), async () => {
    const d = rolling(1, 1, 0, { revisionHistoryLimit: 4 });
    const cur = rs('web-r4', 1, 1, 10, { owner: d, annotations: { [REV]: '4', [DESIRED]: '1', [MAX]: '2' } });
    const olds = [1, 2, 3].map((r) => rs(`web-r${r}`, 0, 0, 1000 - r * 100, { owner: d, template: template({ app: 'web' }, `v${r}`), annotations: { [REV]: String(r) } }));
    const complete = { ...d, metadata: { ...d.metadata, annotations: { [REV]: '4' } }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 } };
    const { ctx, recorder } = deploymentContext({ deployments: [complete], replicaSets: [cur, ...olds] });
    await c.syncDeployment('default/web', ctx);
    expect(
      recorder.actions.filter((a) => a.startsWith('delete')),
      'deletions with 3 old ReplicaSets and a limit of 4',
    ).toEqual([]);
  });

  // sync.go sync(): cleanupDeployment for a paused Deployment only, and never an old ReplicaSet that
  // still has spec.replicas.
  test(
    'paused: old empty ReplicaSets beyond the limit are cleaned up, not one with replicas; a scaling sync of a running Deployment cleans nothing',
    hint('sync(): cleanup only when paused; cleanupDeployment skips a ReplicaSet with spec.replicas > 0'),
    async () => {
      const make = (paused: boolean) => {
        const d = rolling(3, 1, 0, { paused, revisionHistoryLimit: 0 });
        d.metadata.annotations = { [REV]: '3' };
        const cur = rs('web-r3', 3, 2, 10, { owner: d, annotations: { [REV]: '3', [DESIRED]: '3', [MAX]: '4' } });
        const r1 = rs('web-r1', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4' } });
        const r2 = rs('web-r2', 1, 0, 600, {
          owner: d,
          template: template({ app: 'web' }, 'v2'),
          annotations: { [REV]: '2', [DESIRED]: paused ? '3' : '2', [MAX]: '4' },
          status: { replicas: 0, observedGeneration: 1 },
        });
        return deploymentContext({ deployments: [d], replicaSets: [cur, r1, r2] });
      };
      const paused = make(true);
      await c.syncDeployment('default/web', paused.ctx);
      expect(
        paused.recorder.actions.filter((a) => a.startsWith('delete')),
        'deletions, paused (web-r2 still has 1 replica)',
      ).toEqual(['delete replicaset default/web-r1']);
      const scaling = make(false);
      await c.syncDeployment('default/web', scaling.ctx);
      expect(
        scaling.recorder.actions.filter((a) => a.startsWith('delete')),
        'deletions in a scaling sync of a Deployment that is not paused',
      ).toEqual([]);
    },
  );
});

// sync.go scale() and deployment_util.go GetProportion / IsSaturated, as sync_test.go TestScale.
describe('kubectl scale in the middle of a rollout, edge by edge', () => {
  const REV = 'deployment.kubernetes.io/revision';
  const DESIRED = 'deployment.kubernetes.io/desired-replicas';
  const MAX = 'deployment.kubernetes.io/max-replicas';
  interface Set {
    name: string;
    size: number;
    age: number;
    current?: boolean;
    available?: number;
    desired?: number;
    max?: number;
  }
  /** One sync of a Deployment of `want` replicas and maxSurge `surge` over these ReplicaSets; what it wrote. */
  async function sync(want: number, surge: number, sets: Set[], extra: Partial<Deployment['spec']> = {}) {
    const d = deployment('web', { replicas: want, template: template({ app: 'web' }, 'v2'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: 1 } }, ...extra });
    d.metadata.annotations = { [REV]: '2' };
    const rss = sets.map((x) =>
      rs(x.name, x.size, x.available ?? x.size, x.age, {
        owner: d,
        template: template({ app: 'web' }, x.current ? 'v2' : `v1-${x.name}`),
        annotations: { [REV]: x.current ? '2' : '1', [DESIRED]: String(x.desired), [MAX]: String(x.max) },
      }),
    );
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: rss });
    await c.syncDeployment('default/web', ctx);
    const sizes: Record<string, number> = {};
    for (const a of recorder.actions) {
      const m = /^update replicaset default\/(\S+) replicas=(\d+)$/.exec(a);
      if (m) sizes[m[1]!] = Number(m[2]);
    }
    return { sizes: show(Object.fromEntries(Object.entries(sizes).sort())), actions: recorder.actions.filter((a) => a.includes('replicaset')), events: recorder.events, recorder };
  }

  test(
    '5 → 10 with maxSurge 1 (sized for 6: new 4, old 2): new 7, old 4',
    hint('The new total is replicas + maxSurge, against max-replicas: round(size × 11 / 6) - size, at most what is left'),
    async () => {
      const got = await sync(10, 1, [
        { name: 'new', size: 4, age: 10, current: true, desired: 5, max: 6 },
        { name: 'old', size: 2, age: 600, desired: 5, max: 6 },
      ]);
      expect(got.sizes, 'sizes written').toBe(show({ new: 7, old: 4 }));
      expect(got.events, 'events').toEqual(['Normal ScalingReplicaSet Scaled up replica set new from 4 to 7', 'Normal ScalingReplicaSet Scaled up replica set old from 2 to 4']);
    },
  );

  test('5 → 0 with maxSurge 1: everything to 0 (no surge when scaling to 0)', hint('Allowed size is 0 when replicas is 0, not 0 + maxSurge'), async () => {
    const got = await sync(0, 1, [
      { name: 'new', size: 3, age: 10, current: true, desired: 5, max: 6 },
      { name: 'old', size: 3, age: 600, desired: 5, max: 6 },
    ]);
    expect(got.sizes, 'sizes written').toBe(show({ new: 0, old: 0 }));
    expect(got.events, 'events').toEqual(['Normal ScalingReplicaSet Scaled down replica set old from 3 to 0', 'Normal ScalingReplicaSet Scaled down replica set new from 3 to 0']);
  });

  test('10 → 11 and 10 → 13 with new 5, old 5: the rounded shares are capped by what is left to add', hint('Each share is at most toAdd - added so far'), async () => {
    const got = await sync(11, 0, [
      { name: 'new', size: 5, age: 10, current: true, desired: 10, max: 10 },
      { name: 'old', size: 5, age: 600, desired: 10, max: 10 },
    ]);
    expect(got.sizes, 'sizes written (round(5.5) - 5 = 1 for the first, then nothing is left)').toBe(show({ new: 6, old: 5 }));
    const more = await sync(13, 0, [
      { name: 'new', size: 5, age: 10, current: true, desired: 10, max: 10 },
      { name: 'old', size: 5, age: 600, desired: 10, max: 10 },
    ]);
    expect(more.sizes, '10 → 13: sizes written (round(6.5) - 5 = 2 for the first, then only 1 left)').toBe(show({ new: 7, old: 6 }));
  });

  test('15 → 10 with three of 5: the rounded shares are capped by what is left to remove', hint('Scaling down, each share is at least toAdd - added so far'), async () => {
    const got = await sync(10, 0, [
      { name: 'oldest', size: 5, age: 900, desired: 15, max: 15 },
      { name: 'old', size: 5, age: 600, desired: 15, max: 15 },
      { name: 'new', size: 5, age: 10, current: true, desired: 15, max: 15 },
    ]);
    expect(got.sizes, 'sizes written (round(10/3) - 5 = -2, -2, then only -1 left)').toBe(show({ new: 4, old: 3, oldest: 3 }));
  });

  // sync.go scaleReplicaSet: write when the size or the annotations need it; an event only for a size change.
  test(
    'a scaling sync that finds nothing to add: annotations brought up to date where they differ, sizes kept, no event',
    hint('scaleReplicaSet: update if the size or desired-replicas/max-replicas differ; record an event only if the size changed'),
    async () => {
      // A sync before was interrupted after writing the new ReplicaSet's annotations.
      const cases: [string, number, string[]][] = [
        ['only desired-replicas of old stale', 6, ['update replicaset default/old replicas=3']],
        ['desired-replicas and max-replicas of old stale', 4, ['update replicaset default/old replicas=3']],
      ];
      for (const [what, oldMax, actions] of cases) {
        const got = await sync(6, 0, [
          { name: 'new', size: 3, age: 10, current: true, desired: 6, max: 6 },
          { name: 'old', size: 3, age: 600, desired: 4, max: oldMax },
        ]);
        expect(show({ actions: got.actions, events: got.events }), `actions and events, ${what}`).toBe(show({ actions, events: [] }));
      }
    },
  );

  test(
    'not saturated unless the new ReplicaSet has desired-replicas, spec.replicas and available pods all at replicas',
    hint('IsSaturated needs all three; otherwise share the change out proportionally'),
    async () => {
      const cases: [string, Set][] = [
        ['2 of 3 available', { name: 'new', size: 3, available: 2, age: 10, current: true, desired: 3, max: 3 }],
        ['desired-replicas 2', { name: 'new', size: 3, available: 3, age: 10, current: true, desired: 2, max: 2 }],
        ['spec.replicas 2 (3 pods still available)', { name: 'new', size: 2, available: 3, age: 10, current: true, desired: 3, max: 3 }],
      ];
      for (const [what, neu] of cases) {
        const got = await sync(3, 0, [neu, { name: 'old', size: 1, age: 600, desired: 2, max: 2 }]);
        expect(got.actions, `actions on ReplicaSets when the new one has ${what}`).not.toContain('update replicaset default/old replicas=0');
      }
    },
  );

  test('the status written after a scaling sync counts every ReplicaSet as the cache had it', hint('syncStatusOnly over the old ReplicaSets and the new one'), async () => {
    const got = await sync(10, 0, [
      { name: 'new', size: 2, age: 10, current: true, desired: 5, max: 5 },
      { name: 'old', size: 3, age: 600, desired: 5, max: 5 },
    ]);
    const s = got.recorder.lastStatus<DeploymentStatus>();
    expect(show({ replicas: s?.replicas, updatedReplicas: s?.updatedReplicas, availableReplicas: s?.availableReplicas }), 'status counts').toBe(
      show({ replicas: 5, updatedReplicas: 2, availableReplicas: 5 }),
    );
  });

  test('paused with every ReplicaSet at 0 and no new one: the newest old one takes spec.replicas, whatever the list order', hint('Sort the old ReplicaSets newest first'), async () => {
    const d = deployment('web', { replicas: 3, paused: true, template: template({ app: 'web' }, 'v3') });
    d.metadata.annotations = { [REV]: '2' };
    const oldest = rs('oldest', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'v0'), annotations: { [REV]: '1', [DESIRED]: '0' } });
    const newer = rs('newer', 0, 0, 100, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { [REV]: '2', [DESIRED]: '0' } });
    const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [oldest, newer] });
    await c.syncDeployment('default/web', ctx);
    expect(
      recorder.actions.filter((a) => a.startsWith('update replicaset')),
      'ReplicaSets written',
    ).toEqual(['update replicaset default/newer replicas=3']);
  });
});

describe('syncDeployment, more edges', () => {
  const REV = 'deployment.kubernetes.io/revision';
  const DESIRED = 'deployment.kubernetes.io/desired-replicas';
  const MAX = 'deployment.kubernetes.io/max-replicas';
  const replicaSetActions = (actions: string[]) => actions.filter((a) => a.includes('replicaset'));
  const statusWrites = (actions: string[]) => actions.filter((a) => a === 'update deployment default/web status').length;
  const availableTrue = {
    type: 'Available',
    status: 'True' as const,
    lastUpdateTime: ago(100),
    lastTransitionTime: ago(100),
    reason: 'MinimumReplicasAvailable',
    message: 'Deployment has minimum availability.',
  };
  const alreadyExists = (name: string) => new ApiError({ code: 409, reason: 'AlreadyExists', message: `replicasets.apps "${name}" already exists` });

  // sync.go getNewReplicaSet: AlreadyExists is ours only if its controller is this Deployment
  // (metav1.GetControllerOf(rs).UID == d.UID) and its template equals ours.
  test(
    'AlreadyExists of an orphan with our name and template is a collision too; the status written keeps what it had',
    hint('Check the controller reference of the ReplicaSet found, not only its template; write {...status, collisionCount}'),
    async () => {
      const d = deployment('web', {}, { status: { observedGeneration: 1, conditions: [availableTrue] } });
      const name = `web-${c.computeHash(d.spec.template)}`;
      const orphan = rs(name, 3, 3, 600, { template: d.spec.template, labels: { app: 'other' } });
      const recorder = new Recorder((a) => (a.startsWith('create replicaset') ? alreadyExists(name) : undefined));
      const { ctx } = deploymentContext({ deployments: [d], replicaSets: [orphan] }, recorder);
      await expect(c.syncDeployment('default/web', ctx), 'syncDeployment').rejects.toThrow('already exists');
      const s = recorder.lastStatus<DeploymentStatus>();
      expect(show({ observedGeneration: s?.observedGeneration, conditions: s?.conditions?.map((x) => x.type), collisionCount: s?.collisionCount }), 'status written').toBe(
        show({ observedGeneration: 1, conditions: ['Available'], collisionCount: 1 }),
      );
    },
  );

  test(
    'a refused create without a progress deadline writes no condition; with one, the status written keeps what it had',
    hint('ReplicaSetCreateError goes in only if HasProgressDeadline; start from a copy of the status'),
    async () => {
      for (const deadline of [undefined, 600]) {
        const d = deployment('web', { progressDeadlineSeconds: deadline }, { status: { observedGeneration: 1, conditions: [availableTrue] } });
        const recorder = new Recorder((a) => (a.startsWith('create replicaset') ? forbidden('exceeded quota') : undefined));
        const { ctx } = deploymentContext({ deployments: [d] }, recorder);
        await expect(c.syncDeployment('default/web', ctx), `syncDeployment, progressDeadlineSeconds ${deadline}`).rejects.toThrow('exceeded quota');
        const written = (recorder.statuses as DeploymentStatus[]).map((s) => show({ observedGeneration: s.observedGeneration, conditions: s.conditions?.map((x) => x.type) }));
        expect(written, `statuses written, progressDeadlineSeconds ${deadline}`).toEqual(deadline === undefined ? [] : [show({ observedGeneration: 1, conditions: ['Available', 'Progressing'] })]);
      }
    },
  );

  // recreate.go rolloutRecreate and sync.go syncRolloutStatus: the status counts every ReplicaSet.
  describe('Recreate, the status and the cleanup', () => {
    const recreate = (extra: Partial<Deployment['spec']> = {}) =>
      deployment('web', { replicas: 2, strategy: { type: 'Recreate' }, template: template({ app: 'web' }, 'v2'), revisionHistoryLimit: 1, ...extra });
    const counts = (s: DeploymentStatus | undefined) => show({ replicas: s?.replicas, updatedReplicas: s?.updatedReplicas, unavailableReplicas: s?.unavailableReplicas });

    test('the sync that scales old ReplicaSets down writes a status counting all of them, the new one too', hint('syncRolloutStatus over the old ReplicaSets and the new one'), async () => {
      const d = recreate();
      // A rollback while the new ReplicaSet's pods were still going away.
      const back = rs('web-v2', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '3' }, status: { replicas: 1, observedGeneration: 1 } });
      const old = rs('web-v3', 2, 2, 60, { owner: d, template: template({ app: 'web' }, 'v3'), annotations: { [REV]: '2' } });
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [back, old] });
      await c.syncDeployment('default/web', ctx);
      // unavailableReplicas from the ReplicaSets as listed (web-v3 still at spec 2), as upstream's allRSs.
      expect(show({ actions: replicaSetActions(recorder.actions), status: counts(recorder.lastStatus<DeploymentStatus>()) }), 'actions and status counts').toBe(
        show({ actions: ['update replicaset default/web-v3 replicas=0'], status: counts({ replicas: 3, updatedReplicas: 1, unavailableReplicas: 0 }) }),
      );
    });

    test('an old pod still running in any old ReplicaSet holds the new one back', hint('Old pods run if any old ReplicaSet has a pod not Failed or Succeeded'), async () => {
      const d = recreate();
      const a = rs('web-a', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'a'), annotations: { [REV]: '1' }, status: { replicas: 0, observedGeneration: 1 } });
      const b = rs('web-b', 0, 0, 600, { owner: d, template: template({ app: 'web' }, 'b'), annotations: { [REV]: '2' }, status: { replicas: 0, observedGeneration: 1 } });
      const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [a, b], pods: [pod('b-pod', { owner: b, node: 'n', phase: 'Running', readySince: 60 })] });
      await c.syncDeployment('default/web', ctx);
      expect(replicaSetActions(recorder.actions), 'actions on ReplicaSets while web-b has a Running pod').toEqual([]);
    });

    test('the new ReplicaSet created (or scaled up): the status counts it at its new size', hint('Replace the new ReplicaSet in the list by what the scale returned'), async () => {
      const d = recreate();
      const gone = rs('web-old', 0, 0, 600, { owner: d, template: template({ app: 'web' }, 'v1'), annotations: { [REV]: '1' }, status: { replicas: 0, observedGeneration: 1 } });
      const created = deploymentContext({ deployments: [d], replicaSets: [gone] });
      await c.syncDeployment('default/web', created.ctx);
      expect(counts(created.recorder.lastStatus<DeploymentStatus>()), 'status counts after creating the new ReplicaSet of 2').toBe(counts({ replicas: 0, updatedReplicas: 0, unavailableReplicas: 2 }));
      const back = rs('web-v2', 0, 0, 900, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '1' } });
      const rolledBack = deploymentContext({ deployments: [d], replicaSets: [back, gone] });
      await c.syncDeployment('default/web', rolledBack.ctx);
      expect(
        show({ last: replicaSetActions(rolledBack.recorder.actions).at(-1), status: counts(rolledBack.recorder.lastStatus<DeploymentStatus>()) }),
        'last action on ReplicaSets and status counts when web-v2 (revision 1) is the new one again',
      ).toBe(show({ last: 'update replicaset default/web-v2 replicas=2', status: counts({ replicas: 0, updatedReplicas: 0, unavailableReplicas: 2 }) }));
    });

    test(
      'old empty ReplicaSets beyond the limit are deleted once the Recreate is complete, not before',
      hint('cleanupDeployment when DeploymentComplete(d, d.status), as for RollingUpdate'),
      async () => {
        for (const [what, updated, want] of [
          ['complete', 2, ['delete replicaset default/web-r1']],
          ['not complete (0 of 2 updated)', 0, []],
        ] as const) {
          const d = recreate();
          d.metadata.annotations = { [REV]: '3' };
          d.status = { observedGeneration: 1, replicas: 2, updatedReplicas: updated, readyReplicas: 2, availableReplicas: 2 };
          const cur = rs('web-r3', 2, 2, 10, { owner: d, template: template({ app: 'web' }, 'v2'), annotations: { [REV]: '3', [DESIRED]: '2', [MAX]: '2' } });
          const olds = [1, 2].map((r) => rs(`web-r${r}`, 0, 0, 1000 - r * 100, { owner: d, template: template({ app: 'web' }, `v${r}-old`), annotations: { [REV]: String(r) } }));
          const { ctx, recorder } = deploymentContext({ deployments: [d], replicaSets: [cur, ...olds] });
          await c.syncDeployment('default/web', ctx);
          expect(
            recorder.actions.filter((a) => a.startsWith('delete')),
            `deletions when ${what}`,
          ).toEqual(want);
        }
      },
    );
  });

  // sync.go checkPausedConditions.
  describe('the paused conditions', () => {
    const paused = (reason: string, status: 'True' | 'False' | 'Unknown') => ({
      type: 'Progressing',
      status,
      lastUpdateTime: ago(100),
      lastTransitionTime: ago(100),
      reason,
      message: 'm',
    });
    const steady = (spec: Partial<Deployment['spec']>, conditions: DeploymentStatus['conditions']) => {
      const d = rolling(3, 1, 0, spec);
      d.metadata.annotations = { [REV]: '1' };
      d.status = { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, conditions };
      const cur = rs('web-abc', 3, 3, 600, { owner: d, annotations: { [REV]: '1', [DESIRED]: '3', [MAX]: '4' } });
      return deploymentContext({ deployments: [d], replicaSets: [cur] });
    };
    const progressingWritten = (statuses: unknown[]) => (statuses as DeploymentStatus[]).map((s) => s.conditions?.find((x) => x.type === 'Progressing')?.reason ?? 'none');

    test(
      'paused again, paused without a deadline, or paused after timing out: nothing to write',
      hint('No deadline: no condition; ProgressDeadlineExceeded stays; DeploymentPaused already there: no write'),
      async () => {
        const cases: [string, Partial<Deployment['spec']>, DeploymentStatus['conditions']][] = [
          ['already DeploymentPaused', { paused: true }, [availableTrue, paused('DeploymentPaused', 'Unknown')]],
          ['no progress deadline', { paused: true, progressDeadlineSeconds: undefined }, [availableTrue]],
          ['ProgressDeadlineExceeded', { paused: true }, [availableTrue, paused('ProgressDeadlineExceeded', 'False')]],
        ];
        for (const [what, spec, conditions] of cases) {
          const { ctx, recorder } = steady(spec, conditions);
          await c.syncDeployment('default/web', ctx);
          expect(recorder.actions, `actions, paused with ${what}`).toEqual([]);
        }
      },
    );

    test('resumed: Progressing Unknown DeploymentResumed, the rest of the status kept', hint('Not paused but the condition says DeploymentPaused → DeploymentResumed'), async () => {
      const { ctx, recorder } = steady({}, [availableTrue, paused('DeploymentPaused', 'Unknown')]);
      await c.syncDeployment('default/web', ctx);
      const first = (recorder.statuses as DeploymentStatus[])[0];
      expect(show({ observedGeneration: first?.observedGeneration, conditions: first?.conditions }), 'the first status written').toBe(
        show({
          observedGeneration: 1,
          // Unknown to Unknown: the lastTransitionTime stays (SetDeploymentCondition).
          conditions: [availableTrue, { type: 'Progressing', status: 'Unknown', lastUpdateTime: ago(0), lastTransitionTime: ago(100), reason: 'DeploymentResumed', message: 'Deployment is resumed' }],
        }),
      );
      expect(progressingWritten(recorder.statuses)[0], 'first Progressing written').toBe('DeploymentResumed');
    });

    test('pausing keeps the rest of the status', hint('Start from a copy of the status'), async () => {
      const { ctx, recorder } = steady({ paused: true }, [availableTrue]);
      await c.syncDeployment('default/web', ctx);
      const first = (recorder.statuses as DeploymentStatus[])[0];
      expect(show({ replicas: first?.replicas, conditions: first?.conditions?.map((x) => x.reason) }), 'the first status written').toBe(
        show({ replicas: 3, conditions: ['MinimumReplicasAvailable', 'DeploymentPaused'] }),
      );
    });
  });

  test('an empty selector: the status written keeps its conditions', hint('{...status, observedGeneration}'), async () => {
    const d = deployment('web', { selector: {} }, { generation: 2, status: { observedGeneration: 1, conditions: [availableTrue] } });
    const { ctx, recorder } = deploymentContext({ deployments: [d] });
    await c.syncDeployment('default/web', ctx);
    expect(show(recorder.lastStatus<DeploymentStatus>()), 'status written').toBe(show({ observedGeneration: 2, conditions: [availableTrue] }));
  });

  // deployment_controller.go syncDeployment → syncStatusOnly for a Deployment being deleted.
  test(
    'a Deployment being deleted: the status counts its ReplicaSets, and is not written when it says the same',
    hint('syncStatusOnly over the old ReplicaSets and the new one; write only a change'),
    async () => {
      const d = rolling(3, 1, 0);
      d.metadata.deletionTimestamp = ago(1);
      const cur = rs('web-abc', 3, 3, 600, { owner: d, annotations: { [REV]: '1' } });
      const old = rs('web-old', 1, 1, 900, { owner: d, template: template({ app: 'web' }, 'v0'), annotations: { [REV]: '0' } });
      const first = deploymentContext({ deployments: [d], replicaSets: [cur, old] });
      await c.syncDeployment('default/web', first.ctx);
      const s = first.recorder.lastStatus<DeploymentStatus>();
      expect(show({ replicas: s?.replicas, updatedReplicas: s?.updatedReplicas }), 'status counts').toBe(show({ replicas: 4, updatedReplicas: 3 }));
      const again = deploymentContext({ deployments: [{ ...d, status: s }], replicaSets: [cur, old] });
      await c.syncDeployment('default/web', again.ctx);
      expect(statusWrites(again.recorder.actions), 'status writes when it is up to date').toBe(0);
    },
  );
});

test('scaleDownOldReplicaSets without a new ReplicaSet (its declared newRS: undefined): old pods go down to minAvailable', hint('newRS may be undefined: count it as 0 pods, 0 available'), () => {
  const got = c.scaleDownOldReplicaSets(rolling(3, 1, 1), [rs('old', 3, 3)], undefined);
  expect(show(Object.fromEntries(got)), 'old 3 available, no new ReplicaSet, maxUnavailable 1').toBe(show({ old: 2 }));
});
