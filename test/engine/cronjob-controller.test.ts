/**
 * The CronJob controller's sync (engine/controllers/cronjob-controller.ts) with a cache that lags
 * its own writes: the sync that creates a Job writes status.active, and the new Job's add event
 * wakes the next sync before that status write is back in the CronJob informer. Upstream's
 * syncCronJob (pkg/controller/cronjob/cronjob_controllerv2.go) reads the CronJob again before it
 * calls an unlisted Job unexpected; here the controller remembers the Jobs it created. A Job it did
 * not create is still "UnexpectedJob", as upstream's event says.
 */
import { describe, expect, test } from 'vitest';
import type { ControllerClient } from '#engine/controllers/api.ts';
import { syncCronJob, type CronJobSyncContext } from '#engine/controllers/cronjob-controller.ts';
import { Indexer } from '#engine/controllers/indexer.ts';
import type { CronJob, Job } from '#engine/kube/types.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-12-07T10:00:30Z');

function cronJob(): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', resourceVersion: '5', creationTimestamp: '2026-12-07T09:58:00Z' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    status: { lastScheduleTime: '2026-12-07T09:59:00Z' },
  } as CronJob;
}

/** Every minute: the next whole minute strictly after `after`. */
const everyMinute = (_schedule: string, after: number) => (Math.floor(after / MINUTE) + 1) * MINUTE;

function harness(created?: Set<string>) {
  const events: string[] = [];
  const made: Job[] = [];
  const cronJobs = Indexer.of<CronJob>([cronJob()]);
  const jobs = new Indexer<Job>();
  const client = {
    recordEvent: (_o: unknown, type: string, reason: string, message: string) => events.push(`${type} ${reason} ${message}`),
    createJob: async (job: Job) => {
      const stored = { ...job, metadata: { ...job.metadata, uid: `job-${made.length}`, resourceVersion: '10', creationTimestamp: new Date(START).toISOString() } };
      made.push(stored);
      return stored;
    },
    updateCronJobStatus: async (cj: CronJob) => cj,
    deleteObject: async () => undefined,
  } as unknown as ControllerClient;
  const ctx: CronJobSyncContext = { now: () => START, cronJobs, jobs, client, nextScheduleTime: everyMinute, ...(created ? { created } : {}) };
  return { ctx, events, made, jobs };
}

describe('the CronJob sync with a cache behind its own writes', () => {
  test('the Job it just created, seen before the CronJob lists it, is taken in without a warning', async () => {
    const { ctx, events, made, jobs } = harness(new Set());
    await syncCronJob('default/tick', ctx);
    expect(made.map((j) => j.metadata.name)).toEqual([`tick-${Math.floor(Date.parse('2026-12-07T10:00:00Z') / MINUTE)}`]);
    expect(events).toEqual([`Normal SuccessfulCreate Created job ${made[0]!.metadata.name}`]);
    // The Job reaches the informer; the CronJob in the cache still has the status from before.
    jobs.upsert(made[0]!);
    await syncCronJob('default/tick', ctx);
    expect(
      events.filter((e) => e.includes('UnexpectedJob')),
      'no UnexpectedJob for its own Job',
    ).toEqual([]);
    expect(made, 'and no second Job for the same minute').toHaveLength(1);
  });

  test('a Job it did not create, owned by the CronJob and not listed, is UnexpectedJob', async () => {
    const { ctx, events, jobs } = harness(new Set());
    const stranger = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'tick-by-hand', namespace: 'default', uid: 'other', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }] },
      spec: {},
    } as unknown as Job;
    jobs.upsert(stranger);
    await syncCronJob('default/tick', ctx);
    expect(events).toContain('Warning UnexpectedJob Saw a job that the controller did not create or forgot: tick-by-hand');
  });
});
