/**
 * The CronJob controller (the reference controller-manager's; the schedule itself is the learner's
 * nextScheduleTime, exercise 08), after kubernetes pkg/controller/cronjob/cronjob_controllerv2.go
 * (syncCronJob, cleanupFinishedJobs, removeOldestJobs) and utils.go (mostRecentScheduleTime,
 * getJobFromTemplate2, nextScheduleTimeDuration): keep status.active in step with the Jobs it
 * owns, make the Job of the most recent missed schedule time (`<cronjob>-<minutes since the
 * epoch>`) unless it is too late (startingDeadlineSeconds) or concurrencyPolicy says no (Forbid)
 * or says to replace the running ones (Replace), delete finished Jobs beyond the history limits,
 * and look again at the next schedule time. Events and messages are upstream's.
 *
 * Simplified: schedules are read in UTC (spec.timeZone is not applied); a Job in status.active
 * that the cache does not show is taken as gone (upstream asks the apiserver).
 *
 * Bounded memory: a Job remembered as just created (CreatedJobs) is forgotten when its CronJob
 * lists it, when it finishes or goes, or when its CronJob goes (the sync of the deleted CronJob's
 * key), so no entry outlives its CronJob.
 */
import { isApiError } from '../kube/errors.ts';
import type { CronJob, Job, ObjectReference } from '../kube/types.ts';
import { CONTROLLER_WORKERS, CRONJOB_FAILED_HISTORY, CRONJOB_MAX_MISSED_SCHEDULES, CRONJOB_SUCCESSFUL_HISTORY } from '../params.ts';
import type { ControllerClient } from './api.ts';
import type { SyncResult } from './exercises.ts';
import { CONTROLLER_INDEX, type Lister } from './indexer.ts';
import { isJobFinished } from './job-controller.ts';
import { formatTime, getControllerOf, newControllerRef, objectKeyOf, parseTime } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

/** The annotation on a CronJob's Job: the schedule time it was made for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobSyncContext {
  now(): number;
  cronJobs: Lister<CronJob>;
  jobs: Lister<Job>;
  client: ControllerClient;
  /** The learner's (or the reference) nextScheduleTime. */
  nextScheduleTime(schedule: string, after: number): number | undefined;
  /**
   * The Jobs this controller created whose CronJob in the cache may not list them yet (its own
   * status write not back through the informer when the new Job's event wakes the sync). Such a
   * Job is taken into the active list without an UnexpectedJob warning, as upstream's syncCronJob
   * does after it reads the CronJob again. Without it, every unlisted Job is unexpected.
   */
  created?: CreatedJobs;
}

/**
 * The uids of the Jobs the controller created and its CronJob does not list yet, each with its
 * CronJob's key, so that the entries of a CronJob that goes are dropped with it.
 */
export class CreatedJobs {
  private readonly cronJobOf = new Map<string, string>();

  add(jobUid: string, cronJobKey: string): void {
    this.cronJobOf.set(jobUid, cronJobKey);
  }

  has(jobUid: string): boolean {
    return this.cronJobOf.has(jobUid);
  }

  delete(jobUid: string): void {
    this.cronJobOf.delete(jobUid);
  }

  /** Drops the entries of the CronJob `key` (namespace/name). */
  forgetCronJob(key: string): void {
    for (const [uid, owner] of this.cronJobOf) if (owner === key) this.cronJobOf.delete(uid);
  }

  get size(): number {
    return this.cronJobOf.size;
  }
}

/** getJobFromTemplate2: the Job of one schedule time. */
export function jobForSchedule(cj: CronJob, scheduled: number): Job {
  const template = structuredClone(cj.spec.jobTemplate);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`,
      namespace: cj.metadata.namespace,
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatTime(scheduled) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: template.spec,
  };
}

/** mostRecentScheduleTime: the latest schedule time in (earliest, now], how many were missed, or an error. */
function mostRecent(cj: CronJob, now: number, next: CronJobSyncContext['nextScheduleTime']): { time?: number; missed: number } {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? now;
  if (cj.spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - cj.spec.startingDeadlineSeconds * 1000);
  let time: number | undefined;
  let missed = 0;
  for (let t = next(cj.spec.schedule, earliest); t !== undefined && t <= now; t = next(cj.spec.schedule, t)) {
    time = t;
    if (++missed > 100_000) break;
  }
  return { time, missed };
}

const finishedType = (job: Job) => ((job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True') ? 'Complete' : 'Failed');
const startOf = (job: Job) => parseTime(job.status?.startTime) ?? parseTime(job.metadata.creationTimestamp) ?? 0;
const refTo = (job: Job): ObjectReference => ({
  kind: 'Job',
  namespace: job.metadata.namespace,
  name: job.metadata.name,
  uid: job.metadata.uid,
  apiVersion: 'batch/v1',
  resourceVersion: job.metadata.resourceVersion,
});

export async function syncCronJob(key: string, ctx: CronJobSyncContext): Promise<SyncResult> {
  const cached = ctx.cronJobs.get(key);
  if (!cached) {
    // Gone: the Jobs it created are nobody's to remember (they go with it, or stay as orphans).
    ctx.created?.forgetCronJob(key);
    return {};
  }
  const cj = structuredClone(cached);
  const now = ctx.now();
  const namespace = cj.metadata.namespace ?? '';
  const jobs = ctx.jobs.byIndex(CONTROLLER_INDEX, cj.metadata.uid ?? '').filter((j) => j.metadata.namespace === namespace);
  const status = { ...structuredClone(cj.status ?? {}) };
  let active = [...(status.active ?? [])];
  const before = JSON.stringify(cj.status ?? {});

  // The active list follows the Jobs.
  for (const job of jobs) {
    const listed = active.some((r) => r.uid === job.metadata.uid);
    if (listed || isJobFinished(job)) ctx.created?.delete(job.metadata.uid ?? '');
    if (!listed && !isJobFinished(job)) {
      active.push(refTo(job));
      if (!ctx.created?.has(job.metadata.uid ?? '')) ctx.client.recordEvent(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
    } else if (listed && isJobFinished(job)) {
      active = active.filter((r) => r.uid !== job.metadata.uid);
      ctx.client.recordEvent(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, status: ${finishedType(job)}`);
      const done = parseTime(job.status?.completionTime);
      if (finishedType(job) === 'Complete' && done !== undefined && done > (parseTime(status.lastSuccessfulTime) ?? 0)) status.lastSuccessfulTime = formatTime(done);
    }
  }
  for (const ref of [...active]) {
    if (jobs.some((j) => j.metadata.uid === ref.uid)) continue;
    active = active.filter((r) => r !== ref);
    ctx.created?.delete(ref.uid ?? '');
    ctx.client.recordEvent(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
  }

  // History limits: the oldest finished Jobs beyond them go.
  const finished = jobs.filter(isJobFinished).sort((a, b) => startOf(a) - startOf(b));
  const trim = async (list: Job[], limit: number) => {
    for (const job of list.slice(0, Math.max(0, list.length - limit))) {
      try {
        await ctx.client.deleteObject({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: job.metadata.name ?? '', uid: job.metadata.uid ?? '' }, 'Background');
        ctx.client.recordEvent(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      } catch (error) {
        if (!isApiError(error, 'NotFound')) throw error;
      }
    }
  };
  await trim(
    finished.filter((j) => finishedType(j) === 'Complete'),
    cj.spec.successfulJobsHistoryLimit ?? CRONJOB_SUCCESSFUL_HISTORY,
  );
  await trim(
    finished.filter((j) => finishedType(j) === 'Failed'),
    cj.spec.failedJobsHistoryLimit ?? CRONJOB_FAILED_HISTORY,
  );

  const write = async (): Promise<void> => {
    status.active = active.length ? active : undefined;
    if (JSON.stringify(status) !== before) await ctx.client.updateCronJobStatus({ ...cj, status });
  };
  if (cj.metadata.deletionTimestamp || cj.spec.suspend) {
    await write();
    return {};
  }
  let scheduled: { time?: number; missed: number };
  let nextRun: number | undefined;
  try {
    scheduled = mostRecent(cj, now, ctx.nextScheduleTime);
    nextRun = ctx.nextScheduleTime(cj.spec.schedule, now);
  } catch (error) {
    ctx.client.recordEvent(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(error as Error).message}`);
    await write();
    return {};
  }
  const again = (): SyncResult => (nextRun === undefined ? {} : { requeueAfterMs: nextRun - now + 100 });
  if (scheduled.missed > CRONJOB_MAX_MISSED_SCHEDULES) {
    ctx.client.recordEvent(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${scheduled.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
  }
  const time = scheduled.time;
  if (time === undefined) {
    await write();
    return again();
  }
  if (cj.spec.startingDeadlineSeconds !== undefined && time + cj.spec.startingDeadlineSeconds * 1000 < now) {
    ctx.client.recordEvent(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatTime(time)}`);
    await write();
    return again();
  }
  const job = jobForSchedule(cj, time);
  if (active.some((r) => r.name === job.metadata.name) || jobs.some((j) => j.metadata.name === job.metadata.name)) {
    await write();
    return again();
  }
  const policy = cj.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    ctx.client.recordEvent(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    await write();
    return again();
  }
  if (policy === 'Replace') {
    for (const ref of [...active]) {
      try {
        await ctx.client.deleteObject({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: ref.name ?? '', uid: ref.uid ?? '' }, 'Background');
      } catch (error) {
        if (!isApiError(error, 'NotFound')) throw error;
      }
      ctx.client.recordEvent(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
      active = active.filter((r) => r !== ref);
    }
  }
  try {
    const created = await ctx.client.createJob(job);
    ctx.client.recordEvent(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    active.push(refTo(created));
    ctx.created?.add(created.metadata.uid ?? '', key);
  } catch (error) {
    if (!isApiError(error, 'AlreadyExists')) {
      ctx.client.recordEvent(cj, 'Warning', 'FailedCreate', `Error creating job: ${(error as Error).message}`);
      throw error;
    }
  }
  status.lastScheduleTime = formatTime(time);
  await write();
  return again();
}

/**
 * The CronJob controller's wiring: CronJob keys queued when a CronJob changes or goes (the sync of
 * a CronJob that is gone drops what it remembered of it), or one of its Jobs changes; a Job that
 * goes is forgotten at once.
 */
export function newCronJobController(deps: ControllerDeps): { workers: QueueWorkers; created: CreatedJobs } {
  const { controllers, informers, clock } = deps;
  const cronJobs = informers.forResource<CronJob>('cronjobs');
  const jobs = informers.forResource<Job>('jobs');
  const created = new CreatedJobs();
  const ctx: CronJobSyncContext = {
    now: () => clock.now(),
    cronJobs: cronJobs.lister,
    jobs: jobs.lister,
    client: deps.client,
    nextScheduleTime: (s, t) => controllers.nextScheduleTime(s, t),
    created,
  };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => syncCronJob(key, ctx), {
    name: 'cronjob',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });
  const owner = (job: Job) => {
    const ref = getControllerOf(job);
    if (!ref || ref.kind !== 'CronJob') return;
    const cj = cronJobs.lister.get(`${job.metadata.namespace}/${ref.name}`);
    if (cj?.metadata.uid === ref.uid) workers.enqueue(objectKeyOf(cj));
  };
  cronJobs.on('add', (cj) => workers.enqueue(objectKeyOf(cj)));
  cronJobs.on('update', (_old, cj) => workers.enqueue(objectKeyOf(cj)));
  cronJobs.on('delete', (cj) => workers.enqueue(objectKeyOf(cj)));
  jobs.on('add', owner);
  jobs.on('update', (_old, j) => owner(j));
  jobs.on('delete', (j) => {
    created.delete(j.metadata.uid ?? '');
    owner(j);
  });
  return { workers, created };
}
