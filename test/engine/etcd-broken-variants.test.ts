/**
 * The checks of lesson 01 catch real mistakes, and say which: deliberately broken variants of the
 * reference (one function changed, the way a learner might get it wrong) must fail the watch
 * validators with the guarantee named, fail the model-based test, and fail the tables.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import type { WatchEvent } from '#engine/etcd/kv.ts';
import type { WatchSpec } from '#engine/etcd/types.ts';
import { inRange } from '#engine/etcd/sorted-keys.ts';
import { loadComponent } from '#engine/impl.ts';
import { ROOT } from '#engine/paths.ts';
import { bundleWriter, crashCycle, recoverFolder, tempDir } from '../grading/etcd/support/crash.ts';
import { freshStore, runScenario } from '../grading/etcd/support/harness.ts';
import { ModelStore } from '../grading/etcd/support/model.ts';
import { checkWatches, commandsArbitrary, type ModelWorld, type RealWorld } from '../grading/etcd/support/model-commands.ts';
import { scenarios } from '../grading/etcd/support/scenarios.ts';
import { validateWatches } from '../grading/etcd/support/watch-validators.ts';
import { runWorkload, workloadArbitrary, workloadWithTxnArbitrary } from '../grading/etcd/support/watch-workload.ts';

const reference = await loadComponent('etcd');

/** The problems the validators find over a few random workloads with a broken component. */
async function watchProblems(parts: EtcdExercises, workloads = workloadArbitrary): Promise<string[]> {
  const problems: string[] = [];
  for (const actions of fc.sample(workloads, { seed: 7, numRuns: 30 })) {
    const { store } = await freshStore(undefined, parts);
    const { records, model } = await runWorkload(store, actions, { root: '/w/', sequential: false, waitMs: 100 });
    await store.close();
    problems.push(...validateWatches(records, model));
    if (problems.length > 0) break;
  }
  return problems;
}

/** A watcher as code that serves a range [key, end) as the prefix `key` sees it. */
function asPrefix(w: WatchSpec): WatchSpec {
  if (w.end === undefined || w.key === '') return w;
  return { ...w, end: w.key.slice(0, -1) + String.fromCharCode(w.key.charCodeAt(w.key.length - 1) + 1) };
}

const broken: { name: string; guarantee: string; parts: EtcdExercises; workloads?: typeof workloadArbitrary }[] = [
  {
    name: 'publish and startWatch serve a range [key, end) as the prefix key',
    guarantee: 'Reliable',
    parts: {
      ...reference,
      startWatch: (log, state, w) => {
        const seen = asPrefix(w);
        const response = reference.startWatch(log, state, seen);
        w.nextRevision = seen.nextRevision;
        return response;
      },
      publish: (state, change, watchers) => {
        const list = [...watchers];
        const seen = list.map(asPrefix);
        const deliveries = reference.publish(state, change, seen);
        list.forEach((w, i) => (w.nextRevision = seen[i]!.nextRevision));
        return deliveries;
      },
    },
  },
  {
    name: "publish answers with the revision of the watcher's previous response",
    guarantee: 'Header',
    parts: { ...reference, publish: (state, change, watchers) => reference.publish(state, change, watchers).map((d) => ({ ...d, response: { ...d.response, revision: change.revision - 1 } })) },
  },
  {
    name: 'startWatch lets a watch start below the compacted revision',
    guarantee: 'Compacted',
    parts: { ...reference, startWatch: (log, state, w) => reference.startWatch(log, { ...state, compactRevision: 0 }, w) },
  },
  {
    name: 'compact drops the whole change at the compacted revision when it holds a DELETE',
    guarantee: 'Reliable',
    workloads: workloadWithTxnArbitrary,
    parts: {
      ...reference,
      compact: (state, log, revision) => {
        const atRevision = log.changes.find((c) => c.revision === revision);
        reference.compact(state, log, revision);
        if (atRevision?.events.some((e) => e.type === 'DELETE') && log.changes[0]?.revision === revision) log.changes.shift();
      },
    },
  },
  {
    name: 'publish sends prevKv to every watcher, asked for or not',
    guarantee: 'PrevKV',
    parts: {
      ...reference,
      publish: (state, change, watchers) => {
        const out = [];
        for (const w of watchers) {
          if (w.nextRevision > change.revision) continue;
          w.nextRevision = change.revision + 1;
          const events = change.events.filter((e) => inRange(e.kv.key, w.key, w.end));
          if (events.length) out.push({ watchId: w.id, response: { events, revision: state.revision } });
        }
        return out;
      },
    },
  },
  {
    name: 'publish sends each event of a revision in a response of its own',
    guarantee: 'Atomic',
    parts: {
      ...reference,
      publish: (state, change, watchers) =>
        reference.publish(state, change, watchers).flatMap((d) => d.response.events.map((e: WatchEvent) => ({ watchId: d.watchId, response: { events: [e], revision: d.response.revision } }))),
    },
  },
  {
    name: 'startWatch replays from the revision after the one asked for',
    guarantee: 'Resumable',
    parts: { ...reference, startWatch: (log, state, w) => reference.startWatch(log, state, { ...w, nextRevision: w.nextRevision + 1 }) ?? undefined },
  },
  {
    name: 'publish ignores that a watcher asked for a future revision',
    guarantee: 'Reliable',
    parts: {
      ...reference,
      publish: (state, change, watchers) =>
        reference.publish(
          state,
          change,
          [...watchers].map((w) => Object.assign(w, { nextRevision: Math.min(w.nextRevision, change.revision) })),
        ),
    },
  },
  {
    name: 'put keeps createRevision across a delete',
    guarantee: 'IsCreate',
    parts: {
      ...reference,
      put: (state, key, value, lease, rev) => {
        const history = state.history.get(key);
        const old = history?.findLast((e) => e.kv)?.kv;
        const event = reference.put(state, key, value, lease, rev);
        if (old && event.kv.version === 1) event.kv.createRevision = old.createRevision;
        return event;
      },
    },
  },
];

describe('the watch validators name the broken guarantee', () => {
  test.each(broken.map((b) => [b.name, b] as const))('%s', async (_name, variant) => {
    const problems = await watchProblems(variant.parts, variant.workloads);
    expect(problems.length, `problems found with: ${variant.name}`).toBeGreaterThan(0);
    expect(
      problems.some((p) => p.includes(`${variant.guarantee}:`)),
      `a problem names ${variant.guarantee}; found: ${problems.slice(0, 3).join(' | ')}`,
    ).toBe(true);
  });

  test('the reference passes the same workloads', async () => {
    expect(await watchProblems(reference), 'problems found with the reference').toEqual([]);
    expect(await watchProblems(reference, workloadWithTxnArbitrary), 'problems found with the reference, with transactions').toEqual([]);
  });
});

describe('the model-based test catches a txn that does not read its own writes', () => {
  test('and prints the steps up to the first difference', async () => {
    const parts: EtcdExercises = {
      ...reference,
      txn: (state, request, rev) => {
        // Broken: ranges read the store as it was before the txn.
        const before = state.revision;
        const outcome = reference.txn(
          state,
          { ...request, success: request.success.map((op) => (op.type === 'range' && !op.options?.revision ? { ...op, options: { ...op.options, revision: before } } : op)), failure: request.failure },
          rev,
        );
        return outcome;
      },
    };
    let message = '';
    try {
      await fc.assert(
        fc.asyncProperty(commandsArbitrary, async (commands) => {
          const { store } = await freshStore(undefined, parts);
          const model: ModelWorld = { model: new ModelStore(), steps: [] };
          const real: RealWorld = { store, watches: [] };
          try {
            await fc.asyncModelRun(() => ({ model, real }), commands);
            await checkWatches(model, real);
          } finally {
            for (const w of real.watches) w.cancel();
            await store.close();
          }
        }),
        { seed: 11, numRuns: 300, includeErrorInReport: true },
      );
    } catch (error) {
      message = String(error);
    }
    expect(message, 'the failure of the model-based test').toMatch(/txn \{/);
  });
});

describe('the tables catch a version that does not restart after a delete', () => {
  test("with the table's own message", async () => {
    const parts: EtcdExercises = {
      ...reference,
      put: (state, key, value, lease, rev) => {
        const history = state.history.get(key);
        const lastKv = history?.findLast((e) => e.kv)?.kv;
        const event = reference.put(state, key, value, lease, rev);
        if (lastKv && event.kv.version === 1) Object.assign(event.kv, { version: lastKv.version + 1, createRevision: lastKv.createRevision });
        return event;
      },
    };
    const scenario = scenarios.find((s) => s.id === 'version-restart')!;
    await expect(runScenario(scenario, parts), 'the version-restart table with a broken put').rejects.toThrow(/range \/registry\/version-restart\/a/);
  });
});

describe('the crash test catches a store that acknowledges writes before they are on disk', () => {
  test('finishFlush() that also counts the records added during the flush loses acknowledged writes', { timeout: 60_000 }, async () => {
    // A copy of the reference component whose queue says "durable" too early.
    const dir = tempDir('kubelings-broken-wal-');
    try {
      const component = join(dir.path, 'etcd');
      cpSync(join(ROOT, 'solutions', 'etcd'), component, { recursive: true });
      const wal = join(component, 'wal.ts');
      const source = readFileSync(wal, 'utf8');
      const brokenSource = source.replace('    this.flushing = false;\n    return this.flushLastTicket;', '    this.flushing = false;\n    return this.nextTicket - 1;');
      expect(brokenSource, 'the broken copy differs from the reference').not.toBe(source);
      writeFileSync(wal, brokenSource);
      const bundle = await bundleWriter(dir.path, join(component, 'index.ts'));
      const data = join(dir.path, 'data');
      let acked = -1;
      let lost = 0;
      for (let i = 0; i < 25 && lost === 0; i++) {
        const cycle = await crashCycle(bundle, data, 5 + ((i * 13) % 35), 16);
        acked = Math.max(acked, ...cycle.acked);
        const { writes } = await recoverFolder(data);
        if (writes < acked + 1) lost++;
        acked = writes - 1;
      }
      expect(lost, 'kills after which acknowledged writes were missing').toBeGreaterThan(0);
    } finally {
      dir.remove();
    }
  });
});
