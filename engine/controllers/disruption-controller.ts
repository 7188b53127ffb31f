/**
 * The disruption controller (reference only, not a lesson exercise), after upstream's
 * pkg/controller/disruption/disruption.go: it keeps each PodDisruptionBudget's status current so
 * that the pods/eviction subresource (engine/kube/kinds/core/pod-eviction.ts) can decide.
 *
 * For a budget it lists the pods its selector matches, then:
 * - expectedPods: the pods counted, or (maxUnavailable, or a percentage minAvailable) the sum of
 *   the replicas of their controllers (ReplicationController, ReplicaSet, the Deployment above a
 *   ReplicaSet, StatefulSet); a pod without a controller is then reported (UnmanagedPods event)
 *   and not counted; a pod whose controller is of another kind fails the sync;
 * - desiredHealthy: minAvailable (a percentage of expectedPods, rounded up), or expectedPods minus
 *   maxUnavailable (rounded up), not below 0;
 * - currentHealthy: the Ready pods not being deleted and not evicted in the last
 *   DISRUPTION_DELETION_TIMEOUT_MS (status.disruptedPods; older entries are dropped, and the budget
 *   is looked at again when the youngest one expires);
 * - disruptionsAllowed: currentHealthy - desiredHealthy, at least 0, and 0 while expectedPods is 0;
 * - the DisruptionAllowed condition: True/SufficientPods when disruptions are allowed, else
 *   False/InsufficientPods; observedGeneration: the budget's generation.
 * The status is written only when it changes. A sync that fails (other than on a conflict) writes
 * the fail-safe status: disruptionsAllowed 0 and DisruptionAllowed False/SyncFailed with the error.
 *
 * Wiring: budgets are queued on their own changes and on changes of the pods they select (the
 * first budget, with a MultiplePodDisruptionBudgets event when several match); the controllers'
 * informers are only read. Keys are `namespace/name`; the sync is idempotent.
 */
import type { KubeClient } from '../client/client.ts';
import { isApiError } from '../kube/errors.ts';
import { disruptionAllowedCondition, setCondition } from '../kube/kinds/policy/poddisruptionbudget.ts';
import { scaledValue, selectorIsEmpty } from '../kube/kinds/validate.ts';
import type { KubeObject, Pod, PodDisruptionBudget } from '../kube/types.ts';
import { CONTROLLER_WORKERS, DISRUPTION_DELETION_TIMEOUT_MS } from '../params.ts';
import type { EventRecorder } from '../scheduler/component.ts';
import type { SyncResult } from './exercises.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import { getControllerOf, isPodReady, objectKeyOf, parseTime } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

type Status = NonNullable<PodDisruptionBudget['status']>;
type Scaled = KubeObject & { spec?: { replicas?: number } };

export interface DisruptionControllerDeps extends Pick<ControllerDeps, 'controllers' | 'objects' | 'informers' | 'clock' | 'logger' | 'workers'> {
  /** Budget status writes go straight to the apiserver (PolicyV1().PodDisruptionBudgets().UpdateStatus). */
  kube: KubeClient;
  /** Events under the source `controllermanager`, as upstream's disruption controller records them. */
  recorder: EventRecorder;
}

const withKind = (pdb: PodDisruptionBudget): PodDisruptionBudget => ({ ...pdb, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' });

/** The pods' controllers' total replicas (getExpectedScale), and the pods without a controller. */
function expectedScale(
  pods: Pod[],
  find: (ref: NonNullable<ReturnType<typeof getControllerOf>>, namespace: string) => { uid: string; scale: number } | undefined,
): { expected: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = getControllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = find(ref, pod.metadata.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}

/** The status the budget should have now; `recheckAt` when a disruptedPods entry expires. */
export function computeBudgetStatus(
  pdb: PodDisruptionBudget,
  pods: Pod[],
  now: number,
  find: (ref: NonNullable<ReturnType<typeof getControllerOf>>, namespace: string) => { uid: string; scale: number } | undefined,
): { status: Status; unmanaged: string[]; recheckAt?: number } {
  const spec = pdb.spec ?? {};
  let expected = 0;
  let desired = 0;
  let unmanaged: string[] = [];
  if (spec.maxUnavailable !== undefined) {
    ({ expected, unmanaged } = expectedScale(pods, find));
    desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true));
  } else if (spec.minAvailable !== undefined) {
    if (typeof spec.minAvailable === 'number') {
      desired = spec.minAvailable;
      expected = pods.length;
    } else {
      ({ expected, unmanaged } = expectedScale(pods, find));
      desired = scaledValue(spec.minAvailable, expected, true);
    }
  }
  // buildDisruptedPodMap: keep the evictions whose pod still exists, is not yet being deleted, and is within the timeout.
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  const earlier = pdb.status?.disruptedPods ?? {};
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || !(name in earlier)) continue;
    const expires = (parseTime(earlier[name]) ?? 0) + DISRUPTION_DELETION_TIMEOUT_MS;
    if (expires < now) continue;
    disrupted[name] = earlier[name]!;
    if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
  }
  // countHealthyPods: Ready, not being deleted, not just evicted.
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const evictedAt = disrupted[pod.metadata.name ?? ''];
    if (evictedAt !== undefined && (parseTime(evictedAt) ?? 0) + DISRUPTION_DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  let allowed = healthy - desired;
  if (expected <= 0 || allowed <= 0) allowed = 0;
  const generation = pdb.metadata.generation ?? 0;
  const status: Status = {
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    observedGeneration: generation,
    conditions: disruptionAllowedCondition(pdb.status?.conditions, allowed, generation, now),
  };
  return { status, unmanaged, recheckAt };
}

/** updatePdbStatus's test: nothing to write (the counts, the map, the generation and the condition agree). */
function upToDate(pdb: PodDisruptionBudget, next: Status): boolean {
  const s = pdb.status ?? {};
  const cond = s.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const condOk = cond !== undefined && (next.disruptionsAllowed! > 0 ? cond.status === 'True' && cond.reason === 'SufficientPods' : cond.status === 'False' && cond.reason === 'InsufficientPods');
  return (
    s.currentHealthy === next.currentHealthy &&
    s.desiredHealthy === next.desiredHealthy &&
    s.expectedPods === next.expectedPods &&
    s.disruptionsAllowed === next.disruptionsAllowed &&
    JSON.stringify(s.disruptedPods ?? {}) === JSON.stringify(next.disruptedPods ?? {}) &&
    s.observedGeneration === (pdb.metadata.generation ?? 0) &&
    condOk
  );
}

export function newDisruptionController(deps: DisruptionControllerDeps): { workers: QueueWorkers } {
  const { controllers, objects, informers, clock, kube, recorder } = deps;
  const budgets = informers.forResource<PodDisruptionBudget>('poddisruptionbudgets');
  const pods = informers.forResource<Pod>('pods');
  const replicaSets = informers.forResource<Scaled>('replicasets');
  const deployments = informers.forResource<Scaled>('deployments');
  const statefulSets = informers.forResource<Scaled>('statefulsets');
  const replicationControllers = informers.forResource<Scaled>('replicationcontrollers');

  const matches = (pdb: PodDisruptionBudget, pod: Pod): boolean => {
    if (selectorIsEmpty(pdb.spec?.selector)) return false;
    try {
      return objects.matchesSelector(pdb.spec!.selector!, pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  };

  /** The finders of getExpectedScale: the controller a controllerRef names (same uid), and its replicas. */
  const find = (ref: NonNullable<ReturnType<typeof getControllerOf>>, namespace: string): { uid: string; scale: number } | undefined => {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const get = (informer: typeof replicaSets) => {
      const o = informer.lister.get(`${namespace}/${ref.name}`);
      return o && o.metadata.uid === ref.uid ? o : undefined;
    };
    const scale = (o: Scaled) => ({ uid: o.metadata.uid ?? '', scale: o.spec?.replicas ?? 1 });
    if (ref.kind === 'ReplicationController' && group === '') {
      const rc = get(replicationControllers);
      return rc && scale(rc);
    }
    if (ref.kind === 'StatefulSet' && group === 'apps') {
      const ss = get(statefulSets);
      return ss && scale(ss);
    }
    if (ref.kind === 'ReplicaSet' && group === 'apps') {
      const rs = get(replicaSets);
      if (!rs) return undefined;
      const owner = getControllerOf(rs);
      if (owner?.kind !== 'Deployment') return scale(rs);
      const d = deployments.lister.get(`${namespace}/${owner.name}`);
      return d && d.metadata.uid === owner.uid ? scale(d) : undefined;
    }
    return undefined;
  };

  const podsFor = (pdb: PodDisruptionBudget): Pod[] => pods.lister.byIndex(NAMESPACE_INDEX, pdb.metadata.namespace ?? '').filter((p) => matches(pdb, p));

  const write = (pdb: PodDisruptionBudget, status: Status) => kube.updateStatus<PodDisruptionBudget>('poddisruptionbudgets', withKind({ ...pdb, status }));

  async function sync(key: string): Promise<SyncResult | void> {
    const pdb = budgets.lister.get(key);
    if (!pdb) return;
    const now = clock.now();
    const matched = podsFor(pdb);
    if (matched.length === 0) recorder.record(withKind(pdb), 'Normal', 'NoPods', 'No matching pods found', 'NoPods');
    let computed: ReturnType<typeof computeBudgetStatus>;
    try {
      computed = computeBudgetStatus(pdb, matched, now, find);
    } catch (error) {
      const message = (error as Error).message;
      recorder.record(withKind(pdb), 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${message}`, 'Sync');
      // failSafe: no disruption allowed while the budget cannot be computed.
      const status = pdb.status ?? {};
      const conditions = setCondition(status.conditions, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, observedGeneration: status.observedGeneration ?? 0 }, now);
      await write(pdb, { ...status, disruptionsAllowed: 0, conditions });
      return;
    }
    if (computed.unmanaged.length) {
      recorder.record(
        withKind(pdb),
        'Warning',
        'UnmanagedPods',
        'Pods selected by this PodDisruptionBudget (selector: ' +
          JSON.stringify(pdb.spec?.selector ?? null) +
          ') were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
        'Sync',
      );
    }
    if (!upToDate(pdb, computed.status)) {
      try {
        await write(pdb, computed.status);
      } catch (error) {
        // A conflict: the informer will bring the newer budget, and its update queues it again.
        if (!isApiError(error, 'Conflict') && !isApiError(error, 'NotFound')) throw error;
      }
    }
    if (computed.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, computed.recheckAt - now) };
  }

  const queue = controllers.newWorkQueue({ now: () => clock.now() });
  const workers = new QueueWorkers(queue, sync, { name: 'disruption', workers: deps.workers ?? CONTROLLER_WORKERS, clock, logger: deps.logger });

  /** getPdbForPod: the first budget of the pod's namespace that selects it. */
  const budgetFor = (pod: Pod): PodDisruptionBudget | undefined => {
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) return undefined;
    const found = budgets.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '').filter((pdb) => matches(pdb, pod));
    if (found.length > 1) {
      recorder.record(
        { ...pod, apiVersion: 'v1', kind: 'Pod' },
        'Warning',
        'MultiplePodDisruptionBudgets',
        `Pod "${pod.metadata.namespace}"/"${pod.metadata.name}" matches multiple PodDisruptionBudgets.  Chose "${found[0]!.metadata.name}" arbitrarily.`,
        'Sync',
      );
    }
    return found[0];
  };
  const enqueueFor = (pod: Pod) => {
    const pdb = budgetFor(pod);
    if (pdb) workers.enqueue(objectKeyOf(pdb));
  };

  budgets.on('add', (pdb) => workers.enqueue(objectKeyOf(pdb)));
  budgets.on('update', (_old, pdb) => workers.enqueue(objectKeyOf(pdb)));
  budgets.on('delete', (pdb) => workers.enqueue(objectKeyOf(pdb)));
  pods.on('add', enqueueFor);
  pods.on('update', (old, pod) => {
    enqueueFor(pod);
    if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) enqueueFor(old);
  });
  pods.on('delete', enqueueFor);
  return { workers };
}
