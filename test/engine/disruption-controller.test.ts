/**
 * The disruption controller's status computation (engine/controllers/disruption-controller.ts
 * computeBudgetStatus), case by case against upstream's pkg/controller/disruption/disruption.go
 * (getExpectedPodCount, getExpectedScale, countHealthyPods, buildDisruptedPodMap,
 * updatePdbStatus) and its tests in disruption_test.go (TestUnavailable, TestIntegerMaxUnavailable,
 * TestReplicaSet, TestMultipleControllers, TestUpdateDisruptedPods, TestBasicFinderFunctions), and
 * component-helpers apps/poddisruptionbudget UpdateDisruptionAllowedCondition.
 * The whole loop (controller, eviction, kubectl drain) is in drain.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { computeBudgetStatus } from '#engine/controllers/disruption-controller.ts';
import type { Pod, PodDisruptionBudget } from '#engine/kube/types.ts';
import { DISRUPTION_DELETION_TIMEOUT_MS } from '#engine/params.ts';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, options: { ready?: boolean; owner?: { kind: string; name: string; uid: string; apiVersion?: string }; deleting?: boolean } = {}): Pod {
  const { ready = true, owner, deleting } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ...(owner ? { ownerReferences: [{ apiVersion: owner.apiVersion ?? 'apps/v1', kind: owner.kind, name: owner.name, uid: owner.uid, controller: true }] } : {}),
      ...(deleting ? { deletionTimestamp: at(NOW) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function pdb(spec: NonNullable<PodDisruptionBudget['spec']>, status: PodDisruptionBudget['status'] = undefined, generation = 1): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'default', generation },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    ...(status ? { status } : {}),
  };
}

/** The controllers the finders know: uid → replicas. */
const scales: Record<string, { uid: string; scale: number } | undefined> = {
  'ReplicaSet/rs': { uid: 'rs-uid', scale: 4 },
  'ReplicaSet/deploy-rs': { uid: 'deploy-uid', scale: 3 },
  'StatefulSet/db': { uid: 'db-uid', scale: 5 },
};
const find = (ref: { kind: string; name: string }) => scales[`${ref.kind}/${ref.name}`];

describe('PodDisruptionBudget status (disruption controller)', () => {
  test('an integer minAvailable: expected is the pods selected, healthy the Ready ones, disruptions the difference', () => {
    const { status } = computeBudgetStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b'), pod('c')], NOW, find);
    expect(status).toMatchObject({ expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1, observedGeneration: 1 });
    expect(status.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: at(NOW) }]);
  });

  test('unready pods and pods being deleted are not healthy; no disruption left is DisruptionAllowed False/InsufficientPods', () => {
    const { status } = computeBudgetStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true })], NOW, find);
    expect(status).toMatchObject({ currentHealthy: 1, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
  });

  test("a percentage minAvailable counts the controllers' replicas (4), not the pods present (2), and rounds up", () => {
    const rs = { kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid' };
    const { status } = computeBudgetStatus(pdb({ minAvailable: '50%' }), [pod('a', { owner: rs }), pod('b', { owner: rs })], NOW, find);
    expect(status).toMatchObject({ expectedPods: 4, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
    const { status: third } = computeBudgetStatus(pdb({ minAvailable: '30%' }), [pod('a', { owner: rs }), pod('b', { owner: rs })], NOW, find);
    expect(third.desiredHealthy).toBe(2); // ceil(1.2)
  });

  test('maxUnavailable: desired is expected minus the unavailable allowed (a ReplicaSet of a Deployment counts the Deployment)', () => {
    const owner = { kind: 'ReplicaSet', name: 'deploy-rs', uid: 'rs-of-deploy' };
    const { status } = computeBudgetStatus(pdb({ maxUnavailable: 1 }), [pod('a', { owner }), pod('b', { owner }), pod('c', { owner })], NOW, find);
    expect(status).toMatchObject({ expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
  });

  test('maxUnavailable with pods of no controller: they are reported unmanaged and not counted', () => {
    const db = { kind: 'StatefulSet', name: 'db', uid: 'db-uid' };
    const result = computeBudgetStatus(pdb({ maxUnavailable: '20%' }), [pod('db-0', { owner: db }), pod('loose')], NOW, find);
    expect(result.unmanaged).toEqual(['loose']);
    expect(result.status).toMatchObject({ expectedPods: 5, desiredHealthy: 4, currentHealthy: 2, disruptionsAllowed: 0 });
  });

  test('a pod whose controller no finder knows fails the sync (the controller then writes the fail-safe status)', () => {
    const ds = { kind: 'DaemonSet', name: 'agent', uid: 'ds-uid' };
    expect(() => computeBudgetStatus(pdb({ maxUnavailable: 1 }), [pod('agent-x', { owner: ds })], NOW, find)).toThrow('found no controllers for pod "agent-x"');
  });

  test('no pods expected means no disruption allowed, even when minAvailable is 0', () => {
    const { status } = computeBudgetStatus(pdb({ minAvailable: 0 }), [], NOW, find);
    expect(status).toMatchObject({ expectedPods: 0, desiredHealthy: 0, currentHealthy: 0, disruptionsAllowed: 0 });
  });

  test('a pod evicted within the deletion timeout is not healthy and stays in disruptedPods; the budget is looked at again when it expires', () => {
    const evictedAt = NOW - 30_000;
    const result = computeBudgetStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: at(evictedAt), gone: at(evictedAt) } }), [pod('a'), pod('b')], NOW, find);
    expect(result.status).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0, disruptedPods: { a: at(evictedAt) } });
    expect(result.recheckAt).toBe(evictedAt + DISRUPTION_DELETION_TIMEOUT_MS);
  });

  test('an eviction older than the deletion timeout is dropped and its pod counts again', () => {
    const long = NOW - DISRUPTION_DELETION_TIMEOUT_MS - 1000;
    const result = computeBudgetStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: at(long) } }), [pod('a'), pod('b')], NOW, find);
    expect(result.status.disruptedPods).toBeUndefined();
    expect(result.status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
    expect(result.recheckAt).toBeUndefined();
  });

  test('the condition keeps its transition time while its status does not change, and moves when it does', () => {
    const earlier = at(NOW - 3_600_000);
    const kept = computeBudgetStatus(
      pdb({ minAvailable: 1 }, { conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: earlier }] }),
      [pod('a'), pod('b')],
      NOW,
      find,
    );
    expect(kept.status.conditions?.[0]?.lastTransitionTime).toBe(earlier);
    const moved = computeBudgetStatus(
      pdb({ minAvailable: 3 }, { conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: earlier }] }, 2),
      [pod('a'), pod('b')],
      NOW,
      find,
    );
    expect(moved.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods', observedGeneration: 2, lastTransitionTime: at(NOW) });
    expect(moved.status.observedGeneration).toBe(2);
  });
});
