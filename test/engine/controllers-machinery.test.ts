/**
 * The controller machinery the engine gives every controller: the indexer, expectations, the
 * workers over a workqueue, and leader election (client-go's leaderelection semantics, on an
 * in-memory Lease store with a manual clock, then with two controller-managers against the
 * apiserver).
 */
import { describe, expect, test } from 'vitest';
import { ApiError } from '#engine/kube/errors.ts';
import { startCluster } from '#engine/cluster/cluster.ts';
import { runControllerManager } from '#engine/controllers/component.ts';
import { ControllerExpectations } from '#engine/controllers/expectations.ts';
import { CONTROLLER_INDEX, Indexer, NAMESPACE_INDEX, OWNER_INDEX } from '#engine/controllers/indexer.ts';
import { LeaderElector, type LeaseStore } from '#engine/controllers/leader-election.ts';
import { QueueWorkers } from '#engine/controllers/workers.ts';
import { SharedInformerFactory } from '#engine/controllers/informers.ts';
import { ManualClock, systemClock } from '#engine/etcd/clock.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Deployment, KubeObject, Lease } from '#engine/kube/types.ts';

const controllers = await loadComponent('controllers');
const pod = (ns: string, name: string, owner?: { uid: string; controller?: boolean }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner.uid, controller: owner.controller }] } : {}) },
});
const names = (objects: KubeObject[]) => objects.map((o) => o.metadata.name).sort();

describe('Indexer', () => {
  test('files objects by namespace, by controller uid and by owner uid, and keeps the indexes right through updates and removals', () => {
    const ix = Indexer.of([pod('a', 'p1', { uid: 'u1', controller: true }), pod('a', 'p2', { uid: 'u2' }), pod('b', 'p3')]);
    expect(names(ix.byIndex(NAMESPACE_INDEX, 'a'))).toEqual(['p1', 'p2']);
    expect(names(ix.byIndex(CONTROLLER_INDEX, 'u1'))).toEqual(['p1']);
    expect(names(ix.byIndex(CONTROLLER_INDEX, 'u2')), 'an owner that is not the controller').toEqual([]);
    expect(names(ix.byIndex(OWNER_INDEX, 'u2'))).toEqual(['p2']);
    ix.upsert(pod('a', 'p1')); // released: no owner any more
    expect(ix.byIndex(CONTROLLER_INDEX, 'u1')).toEqual([]);
    ix.remove(pod('a', 'p2'));
    expect(names(ix.byIndex(NAMESPACE_INDEX, 'a'))).toEqual(['p1']);
    expect(ix.get('b/p3')?.metadata.name).toBe('p3');
    expect(() => ix.byIndex('nodes', 'x')).toThrow(/no index named "nodes"/);
  });
});

describe('SharedInformerFactory', () => {
  test('one informer per resource, its indexer current before any handler runs, through create, update and delete', async () => {
    const cluster = await startCluster();
    const factory = new SharedInformerFactory(cluster.client);
    try {
      const a = factory.forResource<KubeObject>('configmaps');
      expect(factory.forResource('configmaps'), 'the same informer for the second caller').toBe(a);
      const seen: string[] = [];
      a.on('add', (o) => seen.push(`add ${o.metadata.name} cached=${a.lister.byIndex(NAMESPACE_INDEX, 'default').length}`));
      a.on('update', (_old, o) => seen.push(`update ${o.metadata.name} ${(a.lister.get('default/one')?.data as { v?: string })?.v}`));
      a.on('delete', (o) => seen.push(`delete ${o.metadata.name} cached=${a.lister.list().length}`));
      await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', namespace: 'default' } });
      await factory.start();
      await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'default' }, data: { v: '1' } });
      await cluster.client.patch('configmaps', 'one', { data: { v: '2' } }, { namespace: 'default', type: 'merge' });
      await cluster.client.delete('configmaps', 'before', { namespace: 'default' });
      const end = Date.now() + 5_000;
      while (seen.length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual(['add before cached=1', 'add one cached=2', 'update one 2', 'delete before cached=1']);
    } finally {
      factory.stop();
      await cluster.stop();
    }
  });
});

describe('ControllerExpectations', () => {
  test('unsatisfied until every expected create is observed; a failed create is observed at once', () => {
    let t = 0;
    const e = new ControllerExpectations(() => t);
    expect(e.satisfiedExpectations('default/web'), 'no record: a controller seen for the first time').toBe(true);
    e.expectCreations('default/web', 2);
    expect(e.satisfiedExpectations('default/web')).toBe(false);
    e.creationObserved('default/web');
    expect(e.satisfiedExpectations('default/web')).toBe(false);
    e.creationObserved('default/web');
    expect(e.satisfiedExpectations('default/web')).toBe(true);
    t += 1;
  });

  test('a deletion seen twice counts once; an expectation older than 5 minutes is given up on', () => {
    let t = 0;
    const e = new ControllerExpectations(() => t);
    e.expectDeletions('default/web', ['default/p1', 'default/p2']);
    e.deletionObserved('default/web', 'default/p1');
    e.deletionObserved('default/web', 'default/p1');
    expect(e.pending('default/web')).toEqual({ add: 0, del: 1 });
    expect(e.satisfiedExpectations('default/web')).toBe(false);
    t += 5 * 60_000 + 1;
    expect(e.satisfiedExpectations('default/web'), 'expired').toBe(true);
  });
});

describe('QueueWorkers', () => {
  test('a key is never synced by two workers at once, and a key added during its sync is synced again after', async () => {
    const clock = new ManualClock(0);
    const queue = controllers.newWorkQueue({ now: () => clock.now() });
    const running = new Set<string>();
    const log: string[] = [];
    let overlap = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const workers = new QueueWorkers(
      queue,
      async (key) => {
        if (running.has(key)) overlap = true;
        running.add(key);
        log.push(key);
        if (log.length === 1) await gate;
        running.delete(key);
        return {};
      },
      { name: 'test', workers: 4, clock },
    );
    workers.start();
    workers.enqueue('a');
    await new Promise((r) => setTimeout(r, 10));
    workers.enqueue('a'); // while the first sync of a waits
    workers.enqueue('b');
    await new Promise((r) => setTimeout(r, 10));
    release();
    await new Promise((r) => setTimeout(r, 20));
    await workers.stop();
    expect(overlap, 'two syncs of one key at once').toBe(false);
    expect(log).toEqual(['a', 'b', 'a']);
  });

  test("a failing sync is retried with the rate limiter's backoff (5 ms, 10 ms, ...) on the clock; success forgets it", async () => {
    const clock = new ManualClock(0);
    const queue = controllers.newWorkQueue({ now: () => clock.now() });
    const at: number[] = [];
    const workers = new QueueWorkers(
      queue,
      async () => {
        at.push(clock.now());
        if (at.length < 3) throw new Error('conflict');
        return {};
      },
      { name: 'test', workers: 1, clock },
    );
    workers.start();
    workers.enqueue('a');
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 2));
      clock.advance(1);
    }
    await workers.stop();
    expect(at).toEqual([0, 5, 15]);
    expect(queue.numRequeues('a'), 'forgotten after the success').toBe(0);
  });
});

describe("QueueWorkers with a learner's queue that is not written yet", () => {
  test('a queue whose every method throws is logged, the workers back off instead of spinning, and stop() still returns', async () => {
    const clock = new ManualClock(0);
    const stub = new Proxy(
      {},
      {
        get: () => () => {
          throw new Error('add() is not written yet');
        },
      },
    ) as ReturnType<typeof controllers.newWorkQueue>;
    const errors: string[] = [];
    const logger = { ...silentLogger, error: (m: string) => void errors.push(m), child: () => logger };
    const workers = new QueueWorkers(stub, async () => ({}), { name: 'test', workers: 2, clock, logger });
    workers.start();
    workers.enqueue('default/web');
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toContain('workqueue add() failed');
    const gets = () => errors.filter((e) => e === 'workqueue get() failed').length;
    expect(gets(), 'get() tried once per worker, and once more by the worker the enqueue woke').toBe(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(gets(), 'no retries while the clock stands still: they wait 1 s on it').toBe(3);
    await workers.stop();
  });

  test('a sync that throws is retried; the workers keep serving other keys', async () => {
    const clock = new ManualClock(0);
    const queue = controllers.newWorkQueue({ now: () => clock.now() });
    const synced: string[] = [];
    const workers = new QueueWorkers(
      queue,
      async (key) => {
        synced.push(key);
        if (key === 'bad') throw new Error('boom');
        return {};
      },
      { name: 'test', workers: 1, clock },
    );
    workers.start();
    workers.enqueue('bad');
    workers.enqueue('good');
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(5);
    await new Promise((r) => setTimeout(r, 20));
    await workers.stop();
    expect(synced).toEqual(['bad', 'good', 'bad']);
    expect(workers.failures).toBe(2);
  });
});

class MemoryLeases implements LeaseStore {
  lease?: Lease;
  private rv = 0;
  down = false;
  async get(): Promise<Lease> {
    if (this.down) throw new ApiError({ code: 0, reason: 'ConnectionFailed', message: 'down' });
    if (!this.lease) throw new ApiError({ code: 404, reason: 'NotFound', message: 'leases "kube-controller-manager" not found' });
    return structuredClone(this.lease);
  }
  async create(lease: Lease): Promise<Lease> {
    if (this.down) throw new ApiError({ code: 0, reason: 'ConnectionFailed', message: 'down' });
    if (this.lease) throw new ApiError({ code: 409, reason: 'AlreadyExists', message: 'exists' });
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
  async update(lease: Lease): Promise<Lease> {
    if (this.down) throw new ApiError({ code: 0, reason: 'ConnectionFailed', message: 'down' });
    if (!this.lease || lease.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw new ApiError({ code: 409, reason: 'Conflict', message: 'conflict' });
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
}

describe('leader election (client-go semantics: leaseDuration 15 s, renewDeadline 10 s, retryPeriod 2 s)', () => {
  async function elect(store: LeaseStore, clock: ManualClock, identity: string) {
    const events: string[] = [];
    const elector = new LeaderElector({ store, clock, identity, onStartedLeading: () => void events.push(`${identity} leads`), onStoppedLeading: () => void events.push(`${identity} stops`) });
    elector.run();
    return { elector, events };
  }
  /** Moves the clock on in 100 ms steps, letting the async Lease calls settle at each. */
  async function advance(clock: ManualClock, ms: number) {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  }

  test('one of two candidates leads; when it stops renewing (a crash), the other takes over after the lease duration, not before', async () => {
    const clock = new ManualClock(1_000_000);
    const store = new MemoryLeases();
    const a = await elect(store, clock, 'a');
    await advance(clock, 100);
    const b = await elect(store, clock, 'b');
    await advance(clock, 6_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    await a.elector.stop({ release: false }); // a crash: no release
    await advance(clock, 12_000);
    expect(b.elector.isLeader(), '12 s after the last renewal: still within the 15 s lease').toBe(false);
    await advance(clock, 6_000);
    expect(b.elector.isLeader(), 'past the lease duration').toBe(true);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.elector.stop({ release: true });
  });

  test('a leader that cannot reach the apiserver stops leading after the renew deadline, before anyone else may take over', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLeases();
    const a = await elect(store, clock, 'a');
    await advance(clock, 2_000);
    expect(a.elector.isLeader()).toBe(true);
    store.down = true;
    await advance(clock, 8_000);
    expect(a.elector.isLeader(), '8 s without renewal').toBe(true);
    await advance(clock, 3_000);
    expect(a.elector.isLeader(), 'past the 10 s renew deadline').toBe(false);
    expect(a.events).toEqual(['a leads', 'a stops']);
    store.down = false;
    await advance(clock, 2_100);
    expect(a.elector.isLeader(), 'it campaigns again and, still the holder, leads again').toBe(true);
    await a.elector.stop();
  });

  test('a released Lease is taken at once by the next candidate', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLeases();
    const a = await elect(store, clock, 'a');
    await advance(clock, 200);
    const b = await elect(store, clock, 'b');
    await advance(clock, 200);
    await a.elector.stop({ release: true });
    expect(store.lease?.spec?.holderIdentity).toBe('');
    await advance(clock, 2_100);
    expect(b.elector.isLeader()).toBe(true);
    await b.elector.stop();
  });

  test("two controller-managers against the apiserver: only the leader's controllers run; the other takes over when it stops renewing", async () => {
    const cluster = await startCluster();
    // Short, but with room for a pause of this whole process (both managers run in it) on a
    // loaded machine: a's renewals must not lapse while b watches. How long a takeover takes is
    // pinned on a ManualClock above ("after the lease duration, not before"), not in wall time here.
    const short = { leaseDurationMs: 5_000, renewDeadlineMs: 3_000, retryPeriodMs: 250 };
    const ctx = { client: cluster.client, logger: silentLogger, clock: systemClock };
    const first = await runControllerManager(ctx, { ...short, identity: 'manager-a' });
    const wait = async (what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) => {
      const end = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await wait('manager-a to lead', () => first.running());
      const second = await runControllerManager(ctx, { ...short, identity: 'manager-b' });
      await new Promise((r) => setTimeout(r, 600));
      expect(second.running(), 'manager-b waits while manager-a renews').toBe(false);
      await first.stop({ release: false });
      await wait('manager-b to take over', () => second.running());
      const lease = await cluster.client.get<Lease>('leases', 'kube-controller-manager', { namespace: 'kube-system' });
      expect(lease.spec).toMatchObject({ holderIdentity: 'manager-b', leaseTransitions: 1 });
      // The new leader's controllers act: a ReplicaSet of the Deployment appears.
      const d: Deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      };
      await cluster.client.create('deployments', d);
      await wait('a ReplicaSet for web', async () => (await cluster.client.list('replicasets', { namespace: 'default' })).items.length === 1);
      await second.stop();
    } finally {
      await first.stop().catch(() => undefined);
      await cluster.stop();
    }
  });
});
