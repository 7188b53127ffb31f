/**
 * The CronJob controller's sync (engine/controllers/cronjob-controller.ts) with a cache that lags
 * its own writes: the sync that creates a Job writes status.active, and the new Job's add event
 * wakes the next sync before that status write is back in the CronJob informer. Upstream's
 * syncCronJob (pkg/controller/cronjob/cronjob_controllerv2.go) reads the CronJob again before it
 * calls an unlisted Job unexpected; here the controller remembers the Jobs it created. A Job it did
 * not create is still "UnexpectedJob", as upstream's event says. What it remembers is bounded: an
 * entry goes once the CronJob lists the Job, or the Job or the CronJob goes (a CronJob deleted
 * right after it made a Job used to leave the Job's uid behind for as long as the process ran).
 */
import { describe, expect, test, vi } from 'vitest';
import type { ControllerClient } from '#engine/controllers/api.ts';
import { CreatedJobs, newCronJobController, syncCronJob, type CronJobSyncContext } from '#engine/controllers/cronjob-controller.ts';
import { Indexer } from '#engine/controllers/indexer.ts';
import type { SharedInformerFactory } from '#engine/controllers/informers.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { ManualClock } from '#engine/etcd/clock.ts';
import { loadComponent } from '#engine/impl.ts';
import type { CronJob, Job, KubeObject } from '#engine/kube/types.ts';

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

/** A client that stores nothing: createJob gives the Job a uid (job-0, job-1, ...), the rest succeed. */
function fakeClient(events: string[], made: Job[]): ControllerClient {
  return {
    recordEvent: (_o: unknown, type: string, reason: string, message: string) => events.push(`${type} ${reason} ${message}`),
    createJob: async (job: Job) => {
      const stored = { ...job, metadata: { ...job.metadata, uid: `job-${made.length}`, resourceVersion: '10', creationTimestamp: new Date(START).toISOString() } };
      made.push(stored);
      return stored;
    },
    updateCronJobStatus: async (cj: CronJob) => cj,
    deleteObject: async () => undefined,
  } as unknown as ControllerClient;
}

function harness(created?: CreatedJobs) {
  const events: string[] = [];
  const made: Job[] = [];
  const cronJobs = Indexer.of<CronJob>([cronJob()]);
  const jobs = new Indexer<Job>();
  const client = fakeClient(events, made);
  const ctx: CronJobSyncContext = { now: () => START, cronJobs, jobs, client, nextScheduleTime: everyMinute, ...(created ? { created } : {}) };
  return { ctx, events, made, jobs, cronJobs };
}

/** The CronJob in the cache once its status lists `job` as active (the controller's write, come back). */
function listing(job: Job): CronJob {
  const cj = cronJob();
  return {
    ...cj,
    metadata: { ...cj.metadata, resourceVersion: '11' },
    status: { ...cj.status, active: [{ kind: 'Job', namespace: 'default', name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1' }] },
  };
}

describe('the CronJob sync with a cache behind its own writes', () => {
  test('the Job it just created, seen before the CronJob lists it, is taken in without a warning', async () => {
    const created = new CreatedJobs();
    const { ctx, events, made, jobs, cronJobs } = harness(created);
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
    expect(created.size, 'remembered until the CronJob lists it').toBe(1);
    cronJobs.upsert(listing(made[0]!));
    await syncCronJob('default/tick', ctx);
    expect(created.size, 'listed: forgotten').toBe(0);
  });

  test('a Job it did not create, owned by the CronJob and not listed, is UnexpectedJob', async () => {
    const { ctx, events, jobs } = harness(new CreatedJobs());
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

describe('what the controller remembers of the Jobs it created is bounded', () => {
  test('a CronJob deleted before its new Job was seen: the next sync of its key forgets the Job', async () => {
    const created = new CreatedJobs();
    const { ctx, made, cronJobs } = harness(created);
    await syncCronJob('default/tick', ctx);
    expect(made, 'the sync made one Job').toHaveLength(1);
    expect(created.size, 'remembered').toBe(1);
    cronJobs.remove(cronJob());
    await syncCronJob('default/tick', ctx);
    expect(created.size, 'its CronJob is gone: nothing left').toBe(0);
  });

  test("forgetting a CronJob drops its Jobs only, not another CronJob's", () => {
    const created = new CreatedJobs();
    created.add('job-a', 'default/tick');
    created.add('job-b', 'default/tock');
    created.forgetCronJob('default/tick');
    expect([created.has('job-a'), created.has('job-b'), created.size]).toEqual([false, true, 1]);
  });

  /** Informers whose caches and events the test drives by hand (the controller never starts them). */
  class HandInformer<T extends KubeObject> {
    readonly lister = new Indexer<T>();
    private readonly handlers: Record<string, ((...args: T[]) => void)[]> = { add: [], update: [], delete: [] };
    on(event: string, handler: (...args: T[]) => void): this {
      this.handlers[event]!.push(handler);
      return this;
    }
    emit(event: 'add' | 'delete', object: T): void {
      if (event === 'add') this.lister.upsert(object);
      else this.lister.remove(object);
      for (const h of this.handlers[event]!) h(object);
    }
  }

  test('wired: a CronJob deleted, or its Job deleted, before the Job was listed leaves nothing behind', async () => {
    const controllers = await loadComponent('controllers');
    const objects = await loadComponent('objects');
    const cronJobs = new HandInformer<CronJob>();
    const jobs = new HandInformer<Job>();
    const informers = { forResource: (r: string) => (r === 'cronjobs' ? cronJobs : jobs) } as unknown as SharedInformerFactory;
    const made: Job[] = [];
    const clock = new ManualClock(START);
    const run = (client: ControllerClient) => newCronJobController({ controllers, objects, informers, client, clock, logger: silentLogger, workers: 1 });
    const { workers, created } = run(fakeClient([], made));
    workers.start();
    try {
      // The CronJob arrives, its sync makes a Job; the CronJob then goes before anything else is seen.
      cronJobs.emit('add', cronJob());
      await vi.waitFor(() => expect(created.size, 'waiting for the sync to create the Job').toBe(1), { timeout: 30_000 });
      cronJobs.emit('delete', cronJob());
      await vi.waitFor(() => expect(created.size, 'waiting for the sync of the deleted CronJob to forget its Job').toBe(0), { timeout: 30_000 });

      // Again, and this time the Job goes (deleted by hand) while the CronJob stays.
      cronJobs.emit('add', { ...cronJob(), metadata: { ...cronJob().metadata, resourceVersion: '20' } });
      await vi.waitFor(() => expect(created.size, 'waiting for the sync to create the Job').toBe(1), { timeout: 30_000 });
      jobs.emit('delete', made.at(-1)!);
      expect(created.size, 'the Job is gone: forgotten at once').toBe(0);
    } finally {
      await workers.stop();
    }
  });
});
