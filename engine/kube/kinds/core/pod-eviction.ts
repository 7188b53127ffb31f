/**
 * The pods/eviction subresource: a delete that respects PodDisruptionBudgets, as `kubectl drain`
 * uses it (POST /api/v1/namespaces/<ns>/pods/<name>/eviction with a policy/v1 Eviction), after
 * upstream's EvictionREST (pkg/registry/core/pod/storage/eviction.go):
 *
 * - a pod that is Pending, Succeeded, Failed or already being deleted is deleted at once, budgets
 *   aside (a Pending one only if it has not changed since it was read);
 * - otherwise the budgets whose selector matches the pod decide: none, the pod is deleted; more
 *   than one, a 500 ("This pod has more than one PodDisruptionBudget, ..."); one, then
 *   - a pod that is not Ready is deleted without spending the budget when the budget's
 *     unhealthyPodEvictionPolicy is AlwaysAllow, or when the budget is met (currentHealthy >=
 *     desiredHealthy > 0), provided the pod has not changed since it was read (else 429);
 *   - a budget whose status is older than its spec (observedGeneration < generation, e.g. no
 *     status yet) refuses with 429 "... is still being processed by the server.";
 *   - disruptionsAllowed 0 refuses with 429 "Cannot evict pod as it would violate the pod's
 *     disruption budget." and the DisruptionBudget cause "The disruption budget <name> needs <d>
 *     healthy pods and has <c> currently"; negative, or a disruptedPods map over 2000, with 403;
 *   - otherwise disruptionsAllowed goes down by one (DisruptionAllowed becomes False at 0) and the
 *     pod goes into status.disruptedPods with the time, written to the budget's status (retried on a
 *     conflict), then the pod is deleted;
 * - before the delete the pod gets the DisruptionTarget condition (reason EvictionByEvictionAPI).
 * The answer is a Success Status (201). Dry run (the query's or the body's deleteOptions) checks
 * everything and writes nothing.
 */
import { badRequest, conflict, isApiError, tooManyRequests, ApiError, forbidden } from '../../errors.ts';
import { DeleteOptions, f, withMeta } from '../../protobuf.ts';
import type { ResourceInfo } from '../../resource-info.ts';
import type { KubeObject, Pod, PodDisruptionBudget } from '../../types.ts';
import type { ObjectAccess, SubresourceDefinition, SubresourceTarget } from '../types.ts';
import { disruptionAllowedCondition, POD_DISRUPTION_BUDGETS } from '../policy/poddisruptionbudget.ts';
import { selectorIsEmpty } from '../validate.ts';
import { EVICTION_MAX_DISRUPTED_PODS, EVICTION_RETRIES } from '../../../params.ts';

/** metav1.DeleteOptions as an Eviction carries it. */
interface EvictionDeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

const POD_DISRUPTION_BUDGET = { group: 'policy', resource: 'poddisruptionbudget' };

/** RFC 3339 in whole seconds. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** canIgnorePDB: a pod whose eviction disrupts nothing (not started, finished, or already going). */
function canIgnoreBudgets(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

/** shouldEnforceResourceVersion: the delete must not race with the pod becoming ready. */
function mustPinResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

/** createTooManyRequestsError: the budget has not caught up with a change yet. */
function stillProcessing(budget: string): ApiError {
  return tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10, [
    { reason: 'DisruptionBudget', message: `The disruption budget ${budget} is still being processed by the server.`, field: '' },
  ]);
}

/** The deleteOptions with the request's dryRun merged in (propagateDryRun). */
function deleteOptionsOf(eviction: KubeObject, queryDryRun: boolean): EvictionDeleteOptions {
  const body = ((eviction as { deleteOptions?: EvictionDeleteOptions }).deleteOptions ?? {}) as EvictionDeleteOptions;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('deleteOptions must be an object');
  const options = { ...body };
  const query = queryDryRun ? ['All'] : [];
  if (!options.dryRun?.length) options.dryRun = query;
  else if (query.length && JSON.stringify(options.dryRun) !== JSON.stringify(query)) {
    throw badRequest(`Non-matching dry-run options in request and content: [${query.join(' ')}] and [${options.dryRun.join(' ')}]`);
  }
  return options;
}

/** The budgets of the pod's namespace whose (non-empty, valid) selector matches its labels. */
async function budgetsFor(access: ObjectAccess, pod: Pod): Promise<PodDisruptionBudget[]> {
  const all = (await access.list(POD_DISRUPTION_BUDGETS, pod.metadata.namespace ?? '')) as PodDisruptionBudget[];
  return all.filter((pdb) => {
    const selector = pdb.spec?.selector;
    if (selectorIsEmpty(selector)) return false;
    try {
      return access.fns.matchesSelector(selector!, pod.metadata.labels ?? {});
    } catch {
      return false; // an invalid selector matches nothing
    }
  });
}

/** checkAndDecrement: spend one disruption of the budget (written unless dry run), or refuse. */
async function checkAndDecrement(access: ObjectAccess, podName: string, pdb: PodDisruptionBudget, dryRun: boolean): Promise<void> {
  const status = pdb.status ?? {};
  const name = pdb.metadata.name ?? '';
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(name);
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden(POD_DISRUPTION_BUDGET, name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > EVICTION_MAX_DISRUPTED_PODS) {
    throw forbidden(POD_DISRUPTION_BUDGET, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0, [
      { reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`, field: '' },
    ]);
  }
  const next = { ...status, disruptionsAllowed: allowed - 1 };
  if (next.disruptionsAllowed === 0) next.conditions = disruptionAllowedCondition(status.conditions, 0, status.observedGeneration ?? 0, access.now());
  if (dryRun) return;
  next.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(access.now()) };
  await access.update(POD_DISRUPTION_BUDGETS, { ...pdb, status: next }, { subresource: 'status' });
}

/** The pod's status with the DisruptionTarget condition True (podutil.UpdatePodCondition). */
function withDisruptionTarget(pod: Pod, now: number): NonNullable<Pod['status']> {
  const status = { ...(pod.status ?? {}) };
  const conditions = [...(status.conditions ?? [])];
  const at = conditions.findIndex((c) => c.type === 'DisruptionTarget');
  const condition = { type: 'DisruptionTarget', status: 'True' as const, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null };
  const transition = at >= 0 && conditions[at]!.status === 'True' ? conditions[at]!.lastTransitionTime : rfc3339(now);
  if (at < 0) conditions.push({ ...condition, lastTransitionTime: transition });
  else conditions[at] = { ...conditions[at]!, ...condition, lastTransitionTime: transition };
  status.conditions = conditions;
  return status;
}

/**
 * addConditionAndDeletePod: the DisruptionTarget condition on the pod's status (unless dry run),
 * then the delete. A resourceVersion precondition is checked against the pod before the status
 * write, and moved to the version that write made.
 */
async function markAndDelete(access: ObjectAccess, pods: ResourceInfo, namespace: string, name: string, options: EvictionDeleteOptions): Promise<void> {
  const dryRun = (options.dryRun ?? []).length > 0;
  const preconditions = { ...(options.preconditions ?? {}) };
  if (dryRun) {
    await access.get(pods, namespace, name);
    return;
  }
  // A GuaranteedUpdate of the status: built from the latest pod, again when another writer got there first.
  for (let attempt = 0; ; attempt++) {
    const latest = (await access.get(pods, namespace, name)) as Pod;
    if (preconditions.uid && preconditions.uid !== latest.metadata.uid) {
      throw conflict(
        { group: '', resource: 'Pod' },
        name,
        `the UID in the precondition (${preconditions.uid}) does not match the UID in record (${latest.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== latest.metadata.resourceVersion) {
      throw conflict(
        { group: '', resource: 'Pod' },
        name,
        `the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${latest.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    try {
      const updated = await access.update(pods, { ...latest, status: withDisruptionTarget(latest, access.now()) }, { subresource: 'status' });
      if (preconditions.resourceVersion) preconditions.resourceVersion = updated.metadata.resourceVersion;
      break;
    } catch (error) {
      if (!isApiError(error, 'Conflict') || attempt + 1 >= EVICTION_RETRIES) throw error;
    }
  }
  await access.delete(pods, namespace, name, {
    gracePeriodSeconds: options.gracePeriodSeconds,
    preconditions: preconditions.uid || preconditions.resourceVersion ? preconditions : undefined,
  });
}

/** POST pods/<name>/eviction. */
export async function evictPod(access: ObjectAccess, target: SubresourceTarget, eviction: KubeObject): Promise<unknown> {
  const { kind: pods, namespace, name } = target;
  if ((eviction.metadata.name ?? '') !== name) throw badRequest('name in URL does not match name in Eviction object');
  const options = deleteOptionsOf(eviction, target.dryRun === true);
  const dryRun = (options.dryRun ?? []).length > 0;
  const clientPinned = Boolean(options.preconditions?.resourceVersion);
  const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

  // Pods whose eviction disrupts nothing are deleted at once (retried on a conflict, unless the client pinned a version).
  let pod: Pod | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = (await access.get(pods, namespace, name)) as Pod;
    if (!canIgnoreBudgets(pod)) break;
    const pinned = mustPinResourceVersion(pod) && !clientPinned ? { ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion } } : options;
    try {
      await markAndDelete(access, pods, namespace, name, pinned);
      return success;
    } catch (error) {
      if (!isApiError(error, 'Conflict') || clientPinned || attempt + 1 >= EVICTION_RETRIES) throw error;
    }
  }

  const budgets = await budgetsFor(access, pod);
  if (budgets.length > 1) {
    throw new ApiError({ code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
  }
  let pinToRead = false;
  const budget = budgets[0];
  if (budget) {
    const healthy = budget.status?.currentHealthy ?? 0;
    const desired = budget.status?.desiredHealthy ?? 0;
    if (!isPodReady(pod) && (budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (healthy >= desired && desired > 0))) {
      // An unready pod counts towards no budget: delete it without spending one, if it is still unready.
      pinToRead = true;
    } else {
      let current = budget;
      for (let attempt = 0; ; attempt++) {
        try {
          await checkAndDecrement(access, name, current, dryRun);
          break;
        } catch (error) {
          // retry.RetryOnConflict: another writer changed the budget; read it again (the last conflict is the answer).
          if (!isApiError(error, 'Conflict') || attempt + 1 >= EVICTION_RETRIES) throw error;
          current = (await access.get(POD_DISRUPTION_BUDGETS, namespace, budget.metadata.name ?? '')) as PodDisruptionBudget;
        }
      }
    }
  }

  const deleteOptions = pinToRead ? { ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion } } : options;
  try {
    await markAndDelete(access, pods, namespace, name, deleteOptions);
  } catch (error) {
    if (isApiError(error, 'Conflict') && pinToRead && !clientPinned) throw stillProcessing(budget!.metadata.name ?? '');
    throw error;
  }
  return success;
}

export const EVICTION_SUBRESOURCE: SubresourceDefinition = {
  name: 'eviction',
  kind: 'Eviction',
  group: 'policy',
  version: 'v1',
  verbs: ['create'],
  serve: { type: 'create', create: (access, target, body) => evictPod(access, target as SubresourceTarget, body) },
  // What kubectl drain (client-go's PolicyV1().Evictions().Evict, protobuf) POSTs: policy/v1 Eviction {metadata = 1, deleteOptions = 2}.
  protobuf: withMeta({ 2: f('deleteOptions', DeleteOptions) }),
};
