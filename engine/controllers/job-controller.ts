/**
 * The Job controller (the reference controller-manager's; not an exercise), after kubernetes
 * pkg/controller/job/job_controller.go (syncJob, manageJob, getNewFinishedPods, pastBackoffLimit,
 * pastActiveDeadline, getBackoff) as of 1.32: run pods from the Job's template until `completions`
 * of them succeed, at most `parallelism` at once; count failed pods against `backoffLimit` (6 by
 * default) and wait 10 s, 20 s, 40 s ... (at most 10 min) before replacing a failed pod; give up
 * after activeDeadlineSeconds. Conditions as upstream writes them: SuccessCriteriaMet then
 * Complete (reason CompletionsReached), FailureTarget then Failed (BackoffLimitExceeded or
 * DeadlineExceeded), with their Events.
 *
 * Simplified: pods are counted as they are (phase Succeeded / Failed), not tracked with the
 * batch.kubernetes.io/job-tracking finalizer, so a finished pod someone deletes is no longer
 * counted; Indexed completion mode, pod failure and success policies, suspend and
 * ttlSecondsAfterFinished are not handled. The pod labels the apiserver's Job defaulting adds
 * (controller-uid, job-name) are added here when the template lacks them.
 */
import { isApiError } from '../kube/errors.ts';
import type { Job, JobCondition, JobStatus, Pod } from '../kube/types.ts';
import { CONTROLLER_WORKERS, JOB_DEFAULT_BACKOFF_LIMIT, JOB_POD_FAILURE_BACKOFF_MAX_MS, JOB_POD_FAILURE_BACKOFF_MS } from '../params.ts';
import type { ControllerClient } from './api.ts';
import type { SyncResult } from './exercises.ts';
import { ControllerExpectations } from './expectations.ts';
import { CONTROLLER_INDEX, type Lister } from './indexer.ts';
import { formatTime, getControllerOf, isPodReady, newControllerRef, objectKeyOf, parseTime, podFromTemplate } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
} as const;

export const JOB_MESSAGES = {
  completions: 'Reached expected number of succeeded pods',
  backoffLimit: 'Job has reached the specified backoff limit',
  deadline: 'Job was active longer than specified deadline',
} as const;

export interface JobSyncContext {
  now(): number;
  jobs: Lister<Job>;
  pods: Lister<Pod>;
  expectations: ControllerExpectations;
  client: ControllerClient;
}

const isTrue = (job: Job, type: string) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
/** IsJobFinished: a Complete or Failed condition that is True. */
export const isJobFinished = (job: Job) => isTrue(job, 'Complete') || isTrue(job, 'Failed');

function condition(type: string, reason: string, message: string, now: number): JobCondition {
  const at = formatTime(now);
  return { type, status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at };
}

/** When a pod finished: its containers' finishedAt, else its Ready condition's last change. */
function finishedAt(pod: Pod): number {
  const times = (pod.status?.containerStatuses ?? []).map((s) => parseTime(s.state?.terminated?.finishedAt)).filter((t): t is number => t !== undefined);
  if (times.length) return Math.max(...times);
  return parseTime(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime) ?? 0;
}

/** The pod a Job creates: its template, the Job's labels, controlled by it. */
export function jobPod(job: Job): Pod {
  const labels = {
    ...(job.spec.template.metadata?.labels ?? {}),
    [JOB_LABELS.controllerUid]: job.metadata.uid ?? '',
    [JOB_LABELS.jobName]: job.metadata.name ?? '',
    [JOB_LABELS.legacyControllerUid]: job.metadata.uid ?? '',
    [JOB_LABELS.legacyJobName]: job.metadata.name ?? '',
  };
  return podFromTemplate({ ...job.spec.template, metadata: { ...(job.spec.template.metadata ?? {}), labels } }, job, newControllerRef(job, 'batch/v1', 'Job'));
}

const SAME = ['active', 'ready', 'succeeded', 'failed', 'startTime', 'completionTime'] as const;
const sameStatus = (a: JobStatus | undefined, b: JobStatus) =>
  SAME.every((f) => (a?.[f] ?? 0) === (b[f] ?? 0)) && JSON.stringify((a?.conditions ?? []).map((c) => [c.type, c.status])) === JSON.stringify((b.conditions ?? []).map((c) => [c.type, c.status]));

export async function syncJob(key: string, ctx: JobSyncContext): Promise<SyncResult> {
  const cached = ctx.jobs.get(key);
  if (!cached) {
    ctx.expectations.deleteExpectations(key);
    return {};
  }
  const job = structuredClone(cached);
  if (isJobFinished(job) || job.spec.suspend) return {};
  const now = ctx.now();
  const namespace = job.metadata.namespace ?? '';
  const pods = ctx.pods.byIndex(CONTROLLER_INDEX, job.metadata.uid ?? '').filter((p) => p.metadata.namespace === namespace);
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const terminating = pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  const failed = failedPods.length;
  const status: JobStatus = { ...structuredClone(job.status ?? {}), conditions: [...(job.status?.conditions ?? [])] };
  status.startTime ??= formatTime(now);
  const startedAt = parseTime(status.startTime) ?? now;
  const completions = job.spec.completions;
  const parallelism = job.spec.parallelism ?? 1;
  const backoffLimit = job.spec.backoffLimit ?? JOB_DEFAULT_BACKOFF_LIMIT;
  const has = (type: string) => status.conditions!.some((c) => c.type === type && c.status === 'True');
  let requeueAfterMs: number | undefined;
  let manageError: Error | undefined;

  const deleteAll = async (victims: Pod[]) => {
    const results = await Promise.allSettled(victims.map((p) => ctx.client.deletePod(namespace, p.metadata.name ?? '', job)));
    results.forEach((r) => {
      if (r.status === 'rejected' && !isApiError(r.reason, 'NotFound')) manageError ??= r.reason as Error;
    });
  };

  // Failure: too many failed pods, or past the deadline.
  let failure: { reason: string; message: string } | undefined;
  if (has('FailureTarget')) {
    const c = status.conditions!.find((x) => x.type === 'FailureTarget')!;
    failure = { reason: c.reason ?? '', message: c.message ?? '' };
  } else if (failed > backoffLimit) {
    failure = { reason: 'BackoffLimitExceeded', message: JOB_MESSAGES.backoffLimit };
  } else if (job.spec.activeDeadlineSeconds !== undefined && now - startedAt >= job.spec.activeDeadlineSeconds * 1000) {
    failure = { reason: 'DeadlineExceeded', message: JOB_MESSAGES.deadline };
  }
  const complete = !failure && (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0);

  if (failure) {
    if (!has('FailureTarget')) {
      status.conditions!.push(condition('FailureTarget', failure.reason, failure.message, now));
      ctx.client.recordEvent(job, 'Warning', failure.reason, failure.message);
    }
    if (active.length) await deleteAll(active);
    if (active.length === 0 && terminating.length === 0) status.conditions!.push(condition('Failed', failure.reason, failure.message, now));
  } else if (complete) {
    if (!has('SuccessCriteriaMet')) status.conditions!.push(condition('SuccessCriteriaMet', 'CompletionsReached', JOB_MESSAGES.completions, now));
    if (active.length) await deleteAll(active);
    if (active.length === 0 && terminating.length === 0) {
      status.conditions!.push(condition('Complete', 'CompletionsReached', JOB_MESSAGES.completions, now));
      status.completionTime = formatTime(now);
      ctx.client.recordEvent(job, 'Normal', 'Completed', 'Job completed');
    }
  } else if (ctx.expectations.satisfiedExpectations(key)) {
    const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
    if (active.length > want) {
      const surplus = [...active].sort((a, b) => (parseTime(b.metadata.creationTimestamp) ?? 0) - (parseTime(a.metadata.creationTimestamp) ?? 0)).slice(0, active.length - want);
      ctx.expectations.expectDeletions(key, surplus.map(objectKeyOf));
      await deleteAll(surplus);
    } else if (active.length < want) {
      // getBackoff: after failures, wait 10 s × 2^(failures - 1) from the last failure.
      const backoff = failed === 0 ? 0 : Math.min(JOB_POD_FAILURE_BACKOFF_MS * 2 ** (failed - 1), JOB_POD_FAILURE_BACKOFF_MAX_MS);
      const lastFailure = Math.max(0, ...failedPods.map(finishedAt));
      const wait = failed === 0 ? 0 : lastFailure + backoff - now;
      if (wait > 0) {
        requeueAfterMs = wait;
      } else {
        const n = want - active.length;
        ctx.expectations.expectCreations(key, n);
        for (let i = 0; i < n; i++) {
          try {
            await ctx.client.createPod(namespace, jobPod(job), job);
          } catch (error) {
            for (let j = i; j < n; j++) ctx.expectations.creationObserved(key);
            manageError = error as Error;
            break;
          }
        }
      }
    }
  }

  const next: JobStatus = { ...status, active: active.length, ready: active.filter(isPodReady).length, succeeded, failed };
  if (!sameStatus(job.status, next)) await ctx.client.updateJobStatus({ ...job, status: next });
  if (manageError) throw manageError;
  if (!failure && !complete && job.spec.activeDeadlineSeconds !== undefined) {
    const left = startedAt + job.spec.activeDeadlineSeconds * 1000 - now;
    requeueAfterMs = Math.min(requeueAfterMs ?? left, left);
  }
  return requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(0, requeueAfterMs) } : {};
}

/** The Job controller's wiring: Job keys queued when a Job or one of its pods changes. */
export function newJobController(deps: ControllerDeps): { workers: QueueWorkers } {
  const { controllers, informers, clock } = deps;
  const jobs = informers.forResource<Job>('jobs');
  const pods = informers.forResource<Pod>('pods');
  const expectations = new ControllerExpectations(() => clock.now());
  const ctx: JobSyncContext = { now: () => clock.now(), jobs: jobs.lister, pods: pods.lister, expectations, client: deps.client };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => syncJob(key, ctx), {
    name: 'job',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });
  const jobOf = (pod: Pod) => {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = jobs.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    return job?.metadata.uid === ref.uid ? job : undefined;
  };
  jobs.on('add', (j) => workers.enqueue(objectKeyOf(j)));
  jobs.on('update', (_old, j) => workers.enqueue(objectKeyOf(j)));
  jobs.on('delete', (j) => expectations.deleteExpectations(objectKeyOf(j)));
  pods.on('add', (p) => {
    const job = jobOf(p);
    if (!job) return;
    if (!p.metadata.deletionTimestamp) expectations.creationObserved(objectKeyOf(job));
    workers.enqueue(objectKeyOf(job));
  });
  pods.on('update', (_old, p) => {
    const job = jobOf(p);
    if (!job) return;
    if (p.metadata.deletionTimestamp) expectations.deletionObserved(objectKeyOf(job), objectKeyOf(p));
    workers.enqueue(objectKeyOf(job));
  });
  pods.on('delete', (p) => {
    const job = jobOf(p);
    if (!job) return;
    expectations.deletionObserved(objectKeyOf(job), objectKeyOf(p));
    workers.enqueue(objectKeyOf(job));
  });
  return { workers };
}
