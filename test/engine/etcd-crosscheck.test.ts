/**
 * The cross-check: lesson 01's semantics tables (test/grading/etcd/support/scenarios.ts) run
 * against a real etcd 3.4 (started here on 127.0.0.1, free ports, a fresh data dir, reached through
 * its v3 JSON gateway with engine/etcd/remote.ts) and against the reference store. Both must give
 * the expected revisions, versions, txn results, watch events and errors, so the tables the learner
 * is graded with are etcd's own behaviour. The watch guarantees (watch-validators.ts) are checked
 * on etcd's watches too, which proves the validators demand nothing etcd does not give.
 *
 * Without an `etcd` binary (Debian: apt-get install etcd-server; .ci/run installs it) the real-etcd
 * half is skipped and says so.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { etcdVersion, startEtcd, type EtcdServer } from '#engine/etcd/etcd-server.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { connectEtcd } from '#engine/etcd/remote.ts';
import { runScenario } from '../grading/etcd/support/harness.ts';
import { scenarioContext, scenarios } from '../grading/etcd/support/scenarios.ts';
import { validateWatches } from '../grading/etcd/support/watch-validators.ts';
import { runWorkload, workloadArbitrary, workloadWithTxnArbitrary } from '../grading/etcd/support/watch-workload.ts';

const version = etcdVersion();
const why = version ? `etcd ${version}` : 'skipped: no etcd binary on the PATH (apt-get install etcd-server)';
if (!version) console.warn(`etcd cross-check ${why}`);

describe('the reference store keeps every table', () => {
  test.each(scenarios.map((s) => [s.exercise, s.title, s] as const))('%s: %s', async (_e, _t, scenario) => {
    await runScenario(scenario);
  });
});

describe.skipIf(!version)(`a real etcd keeps every table (${why})`, () => {
  let server: EtcdServer;
  let store: KVStore;

  beforeAll(async () => {
    server = await startEtcd();
    store = await connectEtcd(server.endpoint);
  }, 90_000);

  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  // Scenarios share the one etcd, in order (revisions are relative to each scenario's start).
  scenarios.forEach((scenario, index) => {
    // A real etcd process; the slow scenarios wait out real lease TTLs. Generous: a loaded machine slows both.
    test(`${scenario.exercise}: ${scenario.title}`, { timeout: scenario.slow ? 90_000 : 60_000 }, async () => {
      const ctx = scenarioContext(store, scenario, await store.revision(), {
        check: (what, actual, expected) => expect(actual, `etcd ${version}: ${what}`).toEqual(expected),
        pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        prefix: '/crosscheck/',
        leaseBase: 1_000_000 + index * 100,
        waitMs: 10_000, // for expected watch events: returns as soon as they are in
      });
      try {
        await scenario.run(ctx);
      } finally {
        ctx.closeWatches();
      }
    });
  });

  // Six workloads against a real etcd; generous for a loaded machine (a quiet run takes a few seconds).
  test("etcd's watches keep the guarantees the validators check", { timeout: 180_000 }, async () => {
    const workloads = fc.sample(workloadArbitrary, { seed: 42, numRuns: 6 });
    let events = 0;
    for (const [i, actions] of workloads.entries()) {
      const { records, model, transcript } = await runWorkload(store, actions, { root: `/crosscheck/workload-${i}/`, sequential: true, waitMs: 2000 });
      events += records.reduce((n, r) => n + r.responses.reduce((m, resp) => m + resp.events.length, 0), 0);
      expect(validateWatches(records, model), `etcd ${version}, workload: ${transcript}`).toEqual([]);
    }
    expect(events, 'events the validators looked at').toBeGreaterThan(20);
  });

  test("etcd's watches keep the guarantees the validators check, with transactions and compactions", { timeout: 60_000 }, async () => {
    const workloads = fc.sample(workloadWithTxnArbitrary, { seed: 43, numRuns: 4 });
    for (const [i, actions] of workloads.entries()) {
      const { records, model, transcript } = await runWorkload(store, actions, { root: `/crosscheck/workload-txn-${i}/`, sequential: true, waitMs: 2000 });
      expect(validateWatches(records, model), `etcd ${version}, workload: ${transcript}`).toEqual([]);
    }
  });

  test("errors come back as the interface's error classes", async () => {
    const names = async (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error) => e.name,
      );
    expect(await names(store.put('', 'x')), 'put with an empty key').toBe('EmptyKeyError');
    expect(await names(store.range('/x', { revision: (await store.revision()) + 5 })), 'range in the future').toBe('FutureRevisionError');
    expect(await names(store.leaseRevoke(987_654_321)), 'revoke of an unknown lease').toBe('LeaseNotFoundError');
  });
});
