/**
 * Hidden suite for 07-services/02-proxier: kube-proxy's sync loop on an injected clock, with a
 * recording backend. After upstream's pkg/proxy/nftables/proxier_test.go (TestSyncProxyRulesRepeated:
 * partial syncs touch only changed services; needFullSync after an error),
 * pkg/util/async/bounded_frequency_runner_test.go (TestBoundedFrequencyRunnerNoBurst: a run asked for
 * within minInterval waits for it), and pkg/proxy/endpointschangetracker_test.go.
 *
 * Likely bugs, each caught below: a full resync on every change; a sync for every event (no
 * batching) or before minSyncPeriod; deleted Services left in the backend; a slice change not
 * traced to its Service through its label; a slice that moves to another Service changing only one;
 * an event that changes nothing sending rules anyway; a failed apply forgotten (its changes lost);
 * no periodic full sync; a slice seen before its Service lost.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Proxier, RuleChanges } from '#engine/proxy/exercises.ts';
import { hint, show } from '#grading';
import { ep, service, slice } from './make.ts';

const s = await loadComponent('services');

const MIN = 1_000;
const FULL = 3_600_000;

function harness(o: { failNext?: number } = {}) {
  let now = 0;
  let failures = o.failNext ?? 0;
  const applied: RuleChanges[] = [];
  const proxier: Proxier = s.newProxier({
    nodeName: 'node-1',
    now: () => now,
    minSyncPeriodMs: MIN,
    fullSyncPeriodMs: FULL,
    backend: {
      apply(changes) {
        if (failures > 0) {
          failures--;
          throw new Error('nft: Could not process rule: Device or resource busy');
        }
        applied.push(structuredClone(changes));
      },
    },
  });
  return {
    proxier,
    applied,
    at(t: number) {
      now = t;
    },
    failNext(n: number) {
      failures = n;
    },
    /** What the syncs sent, short: [full, upserted names with endpoints, removed]. */
    summary(c: RuleChanges) {
      return [c.full, c.upsert.map((r) => `${r.servicePortName}=${r.internalEndpoints.map((e) => e.ip).join(',')}`), c.remove];
    },
  };
}

const web = service('web', { clusterIP: '127.96.0.10' });
const api = service('api', { clusterIP: '127.96.0.11' });
const db = service('db', { clusterIP: '127.96.0.12' });
const webSlice = slice('web', [ep('127.64.0.5')], { name: 'web-1' });
const apiSlice = slice('api', [ep('127.64.0.6')], { name: 'api-1' });

function started() {
  const h = harness();
  for (const svc of [web, api, db]) h.proxier.onServiceUpdate(undefined, svc);
  h.proxier.onEndpointSliceUpdate(undefined, webSlice);
  h.proxier.onEndpointSliceUpdate(undefined, apiSlice);
  h.at(0);
  h.proxier.syncIfDue();
  return h;
}

describe('full and partial syncs', () => {
  test('the first sync is due at once and is full: every rule, nothing removed', hint('A new proxier knows nothing of what the backend holds'), () => {
    const h = started();
    expect(h.applied.map(h.summary), 'the syncs after 3 Services and 2 slices, at t = 0').toEqual([[true, ['default/api:http=127.64.0.6', 'default/db:http=', 'default/web:http=127.64.0.5'], []]]);
  });

  test(
    "a change to one Service's endpoints sends that Service's rule only",
    hint("kube-proxy's partial sync: what do the other two Services' rules look like now, and does the backend need them again?"),
    () => {
      const h = started();
      h.at(5_000);
      h.proxier.onEndpointSliceUpdate(webSlice, slice('web', [ep('127.64.0.5'), ep('127.64.0.9')], { name: 'web-1' }));
      expect(h.proxier.syncIfDue(), 'syncIfDue() at 5 s, after a change').toBe(true);
      expect(show(h.applied.slice(1).map(h.summary)), "the sync after web's slice gained 127.64.0.9").toBe(show([[false, ['default/web:http=127.64.0.5,127.64.0.9'], []]]));
    },
  );

  test("a deleted Service's rules are removed by name; a port taken off a Service removes that port only", hint('remove lists servicePortNames the backend has and should not'), () => {
    const h = started();
    h.at(5_000);
    h.proxier.onServiceUpdate(api, undefined);
    h.proxier.onServiceUpdate(web, {
      ...web,
      spec: {
        ...web.spec,
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'https', port: 443, protocol: 'TCP' },
        ],
      },
    });
    h.proxier.syncIfDue();
    h.at(10_000);
    h.proxier.onServiceUpdate(undefined, web);
    h.proxier.syncIfDue();
    expect(show(h.applied.slice(1).map(h.summary)), 'the syncs after: api deleted and https added to web; then web back to its one port').toBe(
      show([
        [false, ['default/web:https='], ['default/api:http']],
        [false, [], ['default/web:https']],
      ]),
    );
  });

  test('removals are sorted by servicePortName, whatever order the deletions came in', hint('RuleChanges: remove is sorted, like upsert'), () => {
    const h = started();
    h.at(5_000);
    h.proxier.onServiceUpdate(web, undefined);
    h.proxier.onServiceUpdate(db, undefined);
    h.proxier.onServiceUpdate(api, undefined);
    h.proxier.syncIfDue();
    expect(show(h.applied.slice(1).map(h.summary)), 'the sync after web, db and api were deleted, in that order').toBe(
      show([[false, [], ['default/api:http', 'default/db:http', 'default/web:http']]]),
    );
  });

  test('an event that changes no rule sends nothing', hint('Compare the new rules with what was applied before sending them'), () => {
    const h = started();
    h.at(5_000);
    h.proxier.onServiceUpdate(web, { ...web, metadata: { ...web.metadata, annotations: { note: 'x' } } });
    h.proxier.onEndpointSliceUpdate(apiSlice, { ...apiSlice, metadata: { ...apiSlice.metadata, resourceVersion: '99' } });
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 5 s after two events').toBe(true);
    expect(h.applied.length, 'apply() calls after the first sync, when the events changed no rule').toBe(1);
  });

  test('a slice is traced to its Service by its label; a slice relabelled to another Service changes both', hint('previous and current may name two different Services'), () => {
    const h = started();
    h.at(5_000);
    const moved = { ...webSlice, metadata: { ...webSlice.metadata, labels: { 'kubernetes.io/service-name': 'db' } } };
    h.proxier.onEndpointSliceUpdate(webSlice, moved);
    h.proxier.syncIfDue();
    expect(show(h.applied.slice(1).map(h.summary)), 'the sync after slice web-1 is relabelled from web to db').toBe(show([[false, ['default/db:http=127.64.0.5', 'default/web:http='], []]]));
  });

  test("a slice seen before its Service is kept: the Service's first rule has its endpoints", hint('Informers for Services and slices run independently: which arrives first is not known'), () => {
    const h = started();
    h.at(5_000);
    const cacheSlice = slice('cache', [ep('127.64.0.20')], { name: 'cache-1' });
    h.proxier.onEndpointSliceUpdate(undefined, cacheSlice);
    h.proxier.syncIfDue();
    h.at(6_000);
    h.proxier.onServiceUpdate(undefined, service('cache', { clusterIP: '127.96.0.20' }));
    h.proxier.syncIfDue();
    expect(show(h.applied.slice(1).map(h.summary)), "the syncs after cache's slice (no Service yet), then its Service").toBe(show([[false, ['default/cache:http=127.64.0.20'], []]]));
  });

  test(
    "a Service's slices are kept apart by slice name: changing or deleting one keeps the other's endpoints",
    hint('A big Service has several EndpointSlices. What is the key of your slice cache: the Service, or the slice?'),
    () => {
      // pkg/proxy/endpointslicecache.go keeps slices per Service by slice name (sliceCacheKeys).
      const h = started();
      const second = slice('web', [ep('127.64.0.8')], { name: 'web-2' });
      h.at(5_000);
      h.proxier.onEndpointSliceUpdate(undefined, second);
      h.proxier.syncIfDue();
      h.at(10_000);
      h.proxier.onEndpointSliceUpdate(webSlice, slice('web', [ep('127.64.0.5'), ep('127.64.0.6')], { name: 'web-1' }));
      h.proxier.syncIfDue();
      h.at(15_000);
      h.proxier.onEndpointSliceUpdate(second, undefined);
      h.proxier.syncIfDue();
      expect(show(h.applied.slice(1).map(h.summary)), 'the syncs after: web-2 (.8) added; web-1 changed to .5 and .6; web-2 deleted').toBe(
        show([
          [false, ['default/web:http=127.64.0.5,127.64.0.8'], []],
          [false, ['default/web:http=127.64.0.5,127.64.0.6,127.64.0.8'], []],
          [false, ['default/web:http=127.64.0.5,127.64.0.6'], []],
        ]),
      );
    },
  );

  test(
    'a slice without the kubernetes.io/service-name label belongs to no Service: no rule changes, no sync due',
    hint('Which Service would you mark as changed? Upstream ignores such a slice.'),
    () => {
      // pkg/proxy/endpointschangetracker.go: a slice whose cache keys cannot be made is ignored.
      const h = started();
      h.at(5_000);
      const orphan = slice('web', [ep('127.64.0.30')], { name: 'orphan' });
      delete orphan.metadata.labels;
      h.proxier.onEndpointSliceUpdate(undefined, orphan);
      expect(h.proxier.nextSyncAt(), 'nextSyncAt() after an unlabelled slice arrived (last sync at 0, nothing else changed)').toBe(FULL);
      expect(h.proxier.syncIfDue(), 'syncIfDue() at 5 s').toBe(false);
    },
  );

  test('deleting a slice takes its endpoints away', () => {
    const h = started();
    h.at(5_000);
    h.proxier.onEndpointSliceUpdate(webSlice, undefined);
    h.proxier.syncIfDue();
    expect(show(h.applied.slice(1).map(h.summary)), 'the sync after web-1 is deleted').toBe(show([[false, ['default/web:http='], []]]));
  });
});

describe("the sync loop's timing (BoundedFrequencyRunner)", () => {
  test('changes within minSyncPeriod wait for it and go in one sync', hint('What does nextSyncAt() say right after a sync at 0 with a change at 100 ms?'), () => {
    const h = started();
    h.at(100);
    h.proxier.onEndpointSliceUpdate(webSlice, slice('web', [ep('127.64.0.7')], { name: 'web-1' }));
    expect(h.proxier.nextSyncAt(), 'nextSyncAt() after a sync at 0 and a change at 100 ms (minSyncPeriod 1 s)').toBe(MIN);
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 100 ms').toBe(false);
    h.at(600);
    h.proxier.onEndpointSliceUpdate(apiSlice, slice('api', [ep('127.64.0.8')], { name: 'api-1' }));
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 600 ms').toBe(false);
    h.at(MIN);
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 1 s').toBe(true);
    expect(show(h.applied.slice(1).map(h.summary)), 'the syncs after changes at 100 ms and 600 ms').toBe(show([[false, ['default/api:http=127.64.0.8', 'default/web:http=127.64.0.7'], []]]));
  });

  test('a change long after the last sync is synced at once', () => {
    const h = started();
    h.at(50_000);
    h.proxier.onServiceUpdate(db, undefined);
    expect(h.proxier.nextSyncAt() <= 50_000, `nextSyncAt() (${h.proxier.nextSyncAt()}) at 50 s with a change waiting, last sync at 0`).toBe(true);
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 50 s').toBe(true);
  });

  test('before the first sync, nextSyncAt() is now: a new proxier syncs at once', hint('What is nextSyncAt() when there was no sync yet? It must not depend on a last sync at time 0'), () => {
    const h = harness();
    h.at(7_000);
    h.proxier.onServiceUpdate(undefined, web);
    expect(h.proxier.nextSyncAt(), 'nextSyncAt() of a new proxier at 7 s').toBe(7_000);
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 7 s').toBe(true);
  });

  test(
    'partial syncs do not put off the hourly full sync: it is due an hour after the last FULL sync',
    hint('Upstream remembers lastFullSync and compares with it (pkg/proxy/nftables/proxier.go). Which syncs move it?'),
    () => {
      const h = started();
      h.at(5_000);
      h.proxier.onEndpointSliceUpdate(webSlice, slice('web', [ep('127.64.0.7')], { name: 'web-1' }));
      h.proxier.syncIfDue();
      expect(h.proxier.nextSyncAt(), 'nextSyncAt() after a full sync at 0 and a partial one at 5 s').toBe(FULL);
      h.at(FULL);
      expect(h.proxier.syncIfDue(), 'syncIfDue() at the hour').toBe(true);
      expect(
        h.applied.map((c) => [c.full, c.upsert.length]),
        '[full, rules] of each sync',
      ).toEqual([
        [true, 3],
        [false, 1],
        [true, 3],
      ]);
    },
  );

  test('nothing changed: no sync until the full-sync period, which then sends everything', hint("upstream's FullSyncPeriod: a full sync every hour even if nothing changed"), () => {
    const h = started();
    expect(h.proxier.nextSyncAt(), 'nextSyncAt() after the first sync with nothing changed').toBe(FULL);
    h.at(FULL - 1);
    expect(h.proxier.syncIfDue(), 'syncIfDue() 1 ms before the hour').toBe(false);
    h.at(FULL);
    expect(h.proxier.syncIfDue(), 'syncIfDue() at the hour').toBe(true);
    expect(
      h.applied.map((c) => [c.full, c.upsert.length]),
      '[full, rules] of each sync',
    ).toEqual([
      [true, 3],
      [true, 3],
    ]);
  });
});

describe('when the backend fails', () => {
  test('a failed apply makes the next sync full, and nothing of the failed one is lost', hint('After a failure, what does the backend hold? Can you still send only the difference?'), () => {
    const h = started();
    h.at(5_000);
    h.failNext(1);
    h.proxier.onEndpointSliceUpdate(webSlice, slice('web', [ep('127.64.0.7')], { name: 'web-1' }));
    expect(h.proxier.syncIfDue(), 'syncIfDue() at 5 s (apply throws)').toBe(true);
    expect(h.proxier.nextSyncAt(), 'nextSyncAt() after the failed sync at 5 s').toBe(5_000 + MIN);
    h.at(5_000 + MIN);
    h.proxier.syncIfDue();
    expect(show(h.applied.slice(1).map(h.summary)), 'the syncs after the failure').toBe(show([[true, ['default/api:http=127.64.0.6', 'default/db:http=', 'default/web:http=127.64.0.7'], []]]));
  });

  test(
    'a Service deleted in a failed sync: the full sync that follows lists no removals (its rule list replaces everything)',
    hint('RuleChanges: remove is empty in a full sync. What does the backend drop on a full sync?'),
    () => {
      const h = started();
      h.at(5_000);
      h.failNext(1);
      h.proxier.onServiceUpdate(web, undefined);
      h.proxier.onServiceUpdate(api, undefined);
      h.proxier.syncIfDue();
      h.at(5_000 + MIN);
      h.proxier.syncIfDue();
      expect(show(h.applied.slice(1).map(h.summary)), 'the sync after the failed one that deleted web and api').toBe(show([[true, ['default/db:http='], []]]));
    },
  );

  test('a failed first sync is retried in full too', () => {
    const h = harness({ failNext: 1 });
    h.proxier.onServiceUpdate(undefined, web);
    h.proxier.syncIfDue();
    h.at(MIN);
    h.proxier.syncIfDue();
    expect(h.applied.map(h.summary), 'the syncs: the first failed, the second at 1 s').toEqual([[true, ['default/web:http='], []]]);
  });
});
